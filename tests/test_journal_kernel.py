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


def test_a_restore_outlives_its_kernel_and_is_followed_from_a_new_one(tmp_path):
    journal = tmp_path / "journal.jsonl"
    with emulator.start(job_seconds=600, retry_after=0, throttle=False) as srv:
        env = {**os.environ, "RESTOREKIT_ENDPOINT": srv.url, "RESTOREKIT_HEADLESS": "1",
               "RESTOREKIT_JOURNAL": str(journal)}
        first = Kernel(env)
        try:
            printed = first.run("""
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
            """)
            job_id = printed.split()[1]
            for _ in range(100):  # the polling thread journals the job id right after learning it
                if any(e.get("job_id") == job_id for e in journal_events(journal)):
                    break
                time.sleep(0.05)
            first.kill()
        except BaseException:
            first.stop()
            raise
        with srv.state.lock:
            assert srv.state.jobs[job_id].state(srv.state.clock.now())[0] == "InProgress"  # runs, no one follows
        assert [e["event"] for e in journal_events(journal)] == ["submitted", "job"]

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
    assert [e["event"] for e in events] == ["submitted", "job", "final"]
    assert events[-1]["state"] == "Completed" and events[-1]["pid"] != events[0]["pid"]
