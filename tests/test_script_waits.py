"""A restore in a plain script, and Ctrl-C during a wait.

In a script (no kernel, headless) nothing displays the operation, so the calls that block print its status lines
themselves, as papermill shows them: ``item.restore`` until the service names the job (journaled before it
returns: a script that ends then leaves a journal ``rk.resume`` follows by job id), ``op.wait()`` to the end.
Ctrl-C during a wait stops the wait, not the restore, and says so with the lines that follow or stop it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import restorekit as rk
from restorekit import emulator
from restorekit.core.errors import WaitInterrupted


def script_env(url: str, journal) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RESTOREKIT_HEADLESS", "RESTOREKIT_ENDPOINT")}
    return {**env, "RESTOREKIT_ENDPOINT": url, "RESTOREKIT_JOURNAL": str(journal), "PYTHONUNBUFFERED": "1"}


def events(journal) -> list[dict]:
    return [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]


RESTORE = """
    import restorekit as rk
    item = rk.connect(quiet=True).vault("testVaultRG", "testVault").vm("testRG", "testVM")
    op = item.restore(rk.RestoreDisks(item.recovery_points().latest(), storage_account="testAccount"),
                      poll_interval=0.2, allow_duplicate=True)
    print("RETURNED", op.phase, op.job_id)
"""


@pytest.mark.parametrize("headless", [None, "1"])
def test_a_script_restore_prints_status_lines_until_its_job_is_journaled(emulator_server, tmp_path, headless):
    journal = tmp_path / "journal.jsonl"
    env = script_env(emulator_server.url, journal)
    if headless:
        env["RESTOREKIT_HEADLESS"] = headless
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(RESTORE)], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    returned = lines[-1].split()
    assert returned[0] == "RETURNED" and returned[2] != "None"
    job_id = returned[2]
    assert lines[0].startswith("restore of VM testVM: ") and lines[0].endswith("[local emulator, not Azure]")
    assert (f"restore job {job_id} goes on in the local emulator (not Azure): op.wait() follows it to the end "
            f"(or rk.resume('{job_id}') from another kernel or script)") in lines
    journaled = events(journal)  # the script ended: the journal names the job, rk.resume finds it by its id
    assert [e["event"] for e in journaled][:3] == ["submitted", "posted", "job"]  # ("final" if it ended first)
    assert journaled[2]["job_id"] == job_id


def test_a_wait_in_a_script_prints_status_lines_to_the_end(emulator_server, tmp_path):
    journal = tmp_path / "journal.jsonl"
    code = textwrap.dedent(RESTORE) + "job = op.wait(timeout=60)\nprint('WAITED', job.status)\n"
    run = subprocess.run([sys.executable, "-c", code], env=script_env(emulator_server.url, journal),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    after = run.stdout.split("RETURNED", 1)[1].splitlines()[1:]
    assert after[-1] == "WAITED Completed"
    assert any(line.startswith("restore job ") and "Completed" in line for line in after[:-1])


def test_a_script_restore_with_display_false_returns_at_once_silent(emulator_server, tmp_path):
    journal = tmp_path / "journal.jsonl"
    code = textwrap.dedent(RESTORE).replace("allow_duplicate=True)", "allow_duplicate=True, display=False)")
    run = subprocess.run([sys.executable, "-c", code], env=script_env(emulator_server.url, journal),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["RETURNED submitted None"]
    assert [e["event"] for e in events(journal)] == ["submitted", "posted"]  # rk.resume follows its operation


def test_ctrl_c_during_a_wait_says_the_restore_goes_on_and_how_to_follow_or_stop_it(tmp_path):
    journal = tmp_path / "journal.jsonl"
    with emulator.start(job_seconds=600, retry_after=0, throttle=False) as srv:
        code = textwrap.dedent(RESTORE) + "op.wait()\nprint('NOT REACHED')\n"
        proc = subprocess.Popen([sys.executable, "-c", code], env=script_env(srv.url, journal),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=_ctrl_c_as_in_a_terminal)
        try:
            seen = []
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:  # the wait has begun once the restore call returned
                line = proc.stdout.readline()
                seen.append(line)
                if line.startswith("RETURNED") or not line:
                    break
            time.sleep(0.5)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        job_id = seen[-1].split()[2]
        with srv.state.lock:  # the restore goes on
            assert srv.state.jobs[job_id].state(srv.state.clock.now())[0] == "InProgress"
    assert proc.returncode != 0 and "NOT REACHED" not in out
    last = err.strip().splitlines()[-3:]
    assert last[0].startswith("restorekit.core.errors.WaitInterrupted: stopped waiting, not the restore: the restore "
                              f"of VM testVM goes on in the local emulator (not Azure) (job {job_id}: InProgress")
    assert last[1] == f"  follow it: op.wait() again, or rk.resume('{job_id}') from another kernel or script"
    assert last[2] == "  stop it:   op.cancel(), then op.wait() until it says Cancelled"


def _ctrl_c_as_in_a_terminal() -> None:
    """In the script's process, before it runs: Ctrl-C's default disposition, as a terminal starts a script with.

    A child inherits an ignored SIGINT, and Python then leaves it ignored (no KeyboardInterrupt): a suite started
    in the background by a non-interactive shell (``pytest … &``) has SIGINT ignored, and the script would wait out
    its 600 s job.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_an_interrupted_wait_is_a_keyboard_interrupt_that_names_the_journaled_restore(az, monkeypatch):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    op = item.restore(rk.RestoreDisks(item.recovery_points().latest(), storage_account="testAccount"),
                      display=False, poll_interval=3600, allow_duplicate=True)  # the job is not named yet
    monkeypatch.setattr(op.poller, "wait", _interrupt)
    monkeypatch.setattr(op.poller, "wait_for_change", _interrupt)  # the status lines' loop
    for blocking in (op.wait, lambda: op.job, op.outcome):
        with pytest.raises(KeyboardInterrupt) as info:
            blocking()
        assert isinstance(info.value, WaitInterrupted)
        text = str(info.value)
        assert "its job not named yet" in text and f"rk.resume({op.journal_id!r})" in text
        assert "op.cancel()" in text


def test_an_interrupted_cross_region_wait_says_it_cannot_be_stopped(az, monkeypatch):
    crr = az.vault("crrRG", "crrVault").vm("crrRG", "crrVM").cross_region(poll_interval=3600)
    op = crr.restore(rk.RestoreDisks(crr.recovery_points().latest(), storage_account="testRG/testAccount"),
                     display=False, allow_duplicate=True)
    monkeypatch.setattr(op.poller, "wait", _interrupt)
    monkeypatch.setattr(op.poller, "wait_for_change", _interrupt)
    with pytest.raises(WaitInterrupted, match="it cannot be stopped: the API has no cancellation of a cross-region"):
        op.wait()


def test_a_wait_in_a_kernel_prints_nothing_itself(az, monkeypatch, capsys):
    """In a notebook the operation's display shows it (a widget, or papermill's lines): wait() stays quiet."""
    monkeypatch.setattr("restorekit.core.environment.in_kernel", lambda: True)
    monkeypatch.setenv("RESTOREKIT_HEADLESS", "1")
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    op = item.restore(rk.RestoreDisks(item.recovery_points().latest(), storage_account="testAccount"),
                      display=False, poll_interval=0.2, allow_duplicate=True)
    assert op.wait(timeout=60).status == "Completed"
    assert capsys.readouterr().out == ""
