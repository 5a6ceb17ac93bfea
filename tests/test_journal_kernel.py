"""A kernel killed in the middle of a restore: a new kernel finds the restore in the journal and follows it."""

from __future__ import annotations

import json
import os
import signal
import textwrap
import time

import pytest
from jupyter_client.manager import KernelManager

from restorekit import emulator


class Kernel:
    """A Python kernel of this environment, driven through jupyter_client."""

    def __init__(self, env: dict[str, str]) -> None:
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env, extra_arguments=["--IPKernelApp.log_level=ERROR"])
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=90)

    def run(self, code: str, timeout: float = 90) -> str:
        """Execute ``code``; return what it printed; fail the test with the traceback if it raised."""
        printed: list[str] = []
        errors: list[str] = []

        def hook(msg):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                printed.append(content["text"])
            elif kind == "error":
                errors.append("\n".join(content["traceback"]))

        reply = self.client.execute_interactive(textwrap.dedent(code), timeout=timeout, output_hook=hook)
        if reply["content"]["status"] != "ok":
            pytest.fail("kernel code failed:\n" + "\n".join(errors))
        return "".join(printed)

    @property
    def pid(self) -> int:
        return self.manager.provisioner.pid

    def kill(self) -> None:
        """SIGKILL: no cleanup, no atexit, nothing flushed."""
        self.client.stop_channels()
        os.kill(self.pid, signal.SIGKILL)
        for _ in range(100):
            if not self.manager.is_alive():
                break
            time.sleep(0.05)
        self.manager.cleanup_resources()

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def journal_events(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def kernel_env(srv, journal) -> dict[str, str]:
    """A kernel's environment: the emulator's endpoint, headless, restores journaled to ``journal``."""
    return {**os.environ, "RESTOREKIT_ENDPOINT": srv.url, "RESTOREKIT_HEADLESS": "1", "RESTOREKIT_JOURNAL": str(journal)}


def wait_for_event(journal, event: str, timeout: float = 10.0) -> dict:
    """The first journal event of this kind, waited for (the polling thread writes it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in journal_events(journal) if e["event"] == event]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no {event!r} event in {journal_events(journal)}")


def run_then_kill(env: dict[str, str], code: str, journal, event: str) -> tuple[str, dict]:
    """Run ``code`` in a new kernel, wait until the journal holds ``event``, then SIGKILL the kernel."""
    kernel = Kernel(env)
    try:
        printed = kernel.run(code)
        written = wait_for_event(journal, event)
    except BaseException:
        kernel.stop()
        raise
    kernel.kill()
    return printed, written


def test_a_restore_outlives_its_kernel_and_is_followed_from_a_new_one(tmp_path):
    journal = tmp_path / "journal.jsonl"
    with emulator.start(job_seconds=600, retry_after=0, throttle=False) as srv:
        env = kernel_env(srv, journal)
        printed, _ = run_then_kill(env, """
            import time
            import restorekit as rk
            az = rk.connect()
            item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
            op = item.restore(rk.RestoreDisks(item.recovery_points().latest(), storage_account="testAccount"),
                              display=False, poll_interval=0.2)
            op.start()
            for _ in range(300):
                if op.job_id:
                    break
                time.sleep(0.1)
            print("JOB", op.job_id, op.phase)
        """, journal, "job")  # the polling thread journals the job id right after learning it
        job_id = printed.split()[1]
        with srv.state.lock:
            assert srv.state.jobs[job_id].state(srv.state.clock.now())[0] == "InProgress"  # runs, no one follows
        assert [e["event"] for e in journal_events(journal)] == ["submitted", "posted", "job"]

        second = Kernel(env)
        try:
            listed = second.run("""
                import restorekit as rk
                frame = rk.recent_restores()
                row = frame.iloc[0]
                print(len(frame), row["vm"], row["state"], row["job_id"])
                print(rk.running_restores(rk.connect().vault("testVaultRG", "testVault").vm("testRG", "testVM")))
            """)
            assert listed.splitlines()[0] == f"1 testRG/testVM InProgress {job_id}"
            assert f"rk.resume('{job_id}')" in listed
            srv.state.clock.advance(700)  # the job runs to its end on the emulator
            followed = second.run("""
                op = rk.resume(row, poll_interval=0.2)
                job = op.wait(timeout=60)
                print(op.job_id, job.status)
            """)
            assert followed.split() == [job_id, "Completed"]
        finally:
            second.stop()
    events = journal_events(journal)
    assert [e["event"] for e in events] == ["submitted", "posted", "job", "final"]
    assert events[-1]["state"] == "Completed" and events[-1]["pid"] != events[0]["pid"]



def test_a_kernel_killed_while_the_operation_runs_is_rebuilt_from_its_token(tmp_path):
    """Killed before the operation named its job: the journal holds only the token that follows the operation (its
    Azure-AsyncOperation URL); a new process rebuilds the operation from it, mid-flight, and follows it to its end."""
    journal = tmp_path / "journal.jsonl"
    with emulator.start(job_seconds=600, retry_after=0, throttle=False) as srv:
        env = kernel_env(srv, journal)
        _, posted = run_then_kill(env, """
            import restorekit as rk
            item = rk.connect().vault("testVaultRG", "testVault").vm("testRG", "testVM")
            op = item.restore(rk.RestoreDisks(item.recovery_points().latest(), storage_account="testAccount"),
                              display=False, poll_interval=3600)   # the first poll is an hour away
            print(op.start().phase)
        """, journal, "posted")
        assert [e["event"] for e in journal_events(journal)] == ["submitted", "posted"]  # no job id: killed first
        assert "Bearer" not in journal.read_text() and "accessTokenString" not in journal.read_text()

        second = Kernel(env)
        try:
            srv.state.clock.advance(700)  # the job runs to its end on the emulator
            followed = second.run(f"""
                import restorekit as rk
                op = rk.resume({posted["id"]!r}, poll_interval=0.2)
                print(type(op).__name__, op.phase, op.operation_url is not None)
                job = op.wait(timeout=60)
                print(op.job_id, job.status)
            """)
        finally:
            second.stop()
    lines = followed.splitlines()
    assert lines[0] == "RestoreOperation operation True"  # rebuilt mid-operation: it follows the operation's URL
    job_id, status = lines[1].split()
    assert status == "Completed"
    events = journal_events(journal)
    assert [e["event"] for e in events] == ["submitted", "posted", "job", "final"]
    assert events[-1]["job_id"] == job_id and events[-1]["pid"] != events[0]["pid"]


def test_a_cross_region_restore_outlives_its_kernel_and_is_rebuilt_from_its_token(tmp_path):
    """A cross-region restore, its kernel killed with the job running: a new process rebuilds it from its token
    (the secondary region's operation and job API, without the access token, which only the POST needed)."""
    journal = tmp_path / "journal.jsonl"
    with emulator.start(job_seconds=600, retry_after=0, throttle=False) as srv:
        env = kernel_env(srv, journal)
        printed, _ = run_then_kill(env, """
            import time
            import restorekit as rk
            crr = rk.connect().vault("crrRG", "crrVault").vm("crrRG", "crrVM").cross_region(poll_interval=0.2)
            op = crr.restore(rk.RestoreDisks(crr.recovery_points().latest(), storage_account="testRG/testAccount"),
                             display=False)
            op.start()
            for _ in range(300):
                if op.job_id:
                    break
                time.sleep(0.1)
            print("JOB", op.job_id, type(op).__name__)
        """, journal, "job")
        job_id = printed.split()[1]
        with srv.state.lock:
            assert srv.state.jobs[job_id].state(srv.state.clock.now())[0] == "InProgress"  # runs, no one follows
            crr_tokens = list(srv.state.crr_tokens)
        text = journal.read_text()
        assert crr_tokens and not any(token[:16] in text for token in crr_tokens)  # no access token journaled

        second = Kernel(env)
        try:
            srv.state.clock.advance(700)
            followed = second.run(f"""
                import restorekit as rk
                op = rk.resume({job_id!r}, poll_interval=0.2)
                print(type(op).__name__, op.region, op.phase)
                job = op.wait(timeout=60)
                print(op.job_id, job.status, type(job).__name__)
            """)
        finally:
            second.stop()
    lines = followed.splitlines()
    assert lines[0] == "CrossRegionOperation westus job"
    assert lines[1].split() == [job_id, "Completed", "CrrJob"]
    events = journal_events(journal)
    assert [e["event"] for e in events] == ["submitted", "posted", "job", "final"]
    assert events[-1]["kind"] == "cross-region restore" and events[-1]["state"] == "Completed"
