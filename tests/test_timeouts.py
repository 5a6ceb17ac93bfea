"""Timeouts that fit: set per connection, a slow GET retried, a slow POST never sent again but looked for,
polling keeping its place through slow answers."""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace

import pytest
from scripted_server import Reply

import restorekit as rk
from restorekit import emulator
from restorekit.core.errors import TransportError
from restorekit.transport.arm import ArmSession

SLOW = 1.5  # seconds of silence of a slow answer
READ = 0.5  # the read timeout the tests set


def session(url: str, **kw) -> ArmSession:
    return ArmSession(url, rk.DevTokenCredential(), api_version="2026-02-01", backoff_factor=0,
                      timeout=(2, READ), **kw)


def test_timeouts_are_set_per_connection(scripted):
    scripted.replies = [Reply(200, {})]
    with rk.connect(scripted.url, timeout=(3, 45)) as az:
        assert az.arm.timeout == (3.0, 45.0)
    with rk.connect(scripted.url, timeout=20) as az:
        assert az.arm.timeout == (20.0, 20.0)
    with pytest.raises(ValueError, match="timeout"):
        rk.connect(scripted.url, timeout=(0, 5))


def test_a_get_slower_than_the_read_timeout_is_retried(scripted, caplog):
    scripted.replies = [Reply(200, {"late": True}, delay=SLOW), Reply(200, {"ok": 1})]
    with caplog.at_level(logging.DEBUG, logger="restorekit"):
        assert session(scripted.url).get("/x") == {"ok": 1}
    assert len(scripted.received) == 2
    assert "retries 1: ReadTimeoutError" in caplog.text


def test_a_get_that_stays_slow_says_what_to_do(scripted):
    scripted.replies = [Reply(200, {}, delay=SLOW)]
    with pytest.raises(TransportError) as info:
        session(scripted.url, retries=1, resends=0).get("/x")
    text = str(info.value)
    assert "read timeout of 0.5 s" in text and "timeout=(2, 1)" in text and "retry later" in text
    assert len(scripted.received) == 2


def test_a_post_that_timed_out_is_never_sent_again(scripted):
    scripted.replies = [Reply(202, None, delay=SLOW), Reply(202)]
    with pytest.raises(TransportError) as info:
        session(scripted.url, retries=6, resends=2).post("/restore", {"a": 1})
    assert "may have received it" in str(info.value) and "does not send it again" in str(info.value)
    time.sleep(SLOW)
    assert [r.method for r in scripted.received] == ["POST"]


@pytest.fixture
def slow_emulator():
    with emulator.start(job_seconds=2, retry_after=0, throttle=False) as srv, \
            rk.connect(srv.url, timeout=(5, 1)) as az:
        item = az.vault("testVaultRG", "testVault").vm("testRG", "multiDiskVM")
        yield SimpleNamespace(srv=srv, az=az, item=item, point=item.recovery_points().latest())


def restore_jobs(srv, vm):
    with srv.state.lock:
        return [j for j in srv.state.jobs.values() if j.operation == "Restore" and j.vm_name == vm]


def test_a_restore_post_that_timed_out_goes_through_the_lost_answer_lookup(slow_emulator):
    env = slow_emulator
    env.srv.state.faults.storm(slow_rate=1.0, slow_seconds=2, methods=("POST",), path_contains="/restore")
    op = env.item.restore(rk.RestoreDisks(env.point, storage_account="testAccount"), display=False,
                          poll_interval=0.1)
    env.srv.state.faults.calm()
    assert op.lost_answer and "read timeout" in op.lost_answer
    assert env.srv.state.faults.counts["slow"] == 1  # the POST was sent once
    job = op.wait(timeout=60)
    assert job.status == "Completed" and [j.id for j in restore_jobs(env.srv, "multiDiskVM")] == [job.id]


def test_the_lookup_reads_job_times_on_the_services_clock():
    """A service whose clock is days behind this machine's (an emulator pinned to a past day, a skewed
    stamp): the lost POST's job is still found, "since the POST" being read on the service's clock."""
    with emulator.start(job_seconds=2, retry_after=0, throttle=False, as_of="2026-11-01T08:00:00Z") as srv, \
            rk.connect(srv.url, timeout=(5, 1)) as az:
        item = az.vault("testVaultRG", "testVault").vm("testRG", "multiDiskVM")
        point = item.recovery_points().latest()
        assert abs((az.arm.server_now() - srv.state.clock.now()).total_seconds()) < 5
        srv.state.faults.storm(slow_rate=1.0, slow_seconds=2, methods=("POST",), path_contains="/restore")
        op = item.restore(rk.RestoreDisks(point, storage_account="testAccount"), display=False, poll_interval=0.1)
        srv.state.faults.calm()
        assert op.lost_answer
        job = op.wait(timeout=60)
        assert [j.id for j in restore_jobs(srv, "multiDiskVM")] == [job.id]


def test_polling_keeps_its_place_through_slow_answers(slow_emulator):
    env = slow_emulator
    op = env.item.restore(rk.RestoreDisks(env.point, storage_account="testAccount"), display=False,
                          poll_interval=0.1)
    op.start()
    while not op.job_id:
        op.wait_for_change(1)
    job_id = op.job_id
    storm = env.srv.state.faults.storm(slow_rate=1.0, slow_seconds=2, methods=("GET",), path_contains="backupJobs/")
    for _ in range(200):
        if storm.counts["slow"] >= 4:
            break
        time.sleep(0.1)
    env.srv.state.faults.calm()
    assert storm.counts["slow"] >= 4
    job = op.wait(timeout=60)
    assert job.id == job_id and job.status == "Completed" and op.phase == "done"
