"""The restore journal: written before the POST, then with the job id and the final state; read back, resumed."""

from __future__ import annotations

import json
import logging
import multiprocessing
import threading
from pathlib import Path

import pytest

import restorekit as rk
from restorekit import emulator
from restorekit.client.connection import journal_location
from restorekit.client.cross_region import CrossRegion, CrossRegionOperation
from restorekit.core.errors import NotFoundError, RestoreNotStarted
from restorekit.restore.journal import store as journal_module
from restorekit.restore.journal.store import Journal
from restorekit.restore.run.routes import PrimaryRoute

STAGING = "testAccount"


@pytest.fixture(scope="module")
def srv():
    with emulator.start(job_seconds=30, retry_after=0, throttle=False, token_lifetime=3600) as server:
        yield server


@pytest.fixture
def journal_file(tmp_path):
    return tmp_path / "journal.jsonl"


@pytest.fixture
def az(srv, journal_file):
    with rk.connect(srv.url, journal=journal_file) as connection:
        yield connection


def finish(srv):
    srv.state.clock.advance(60)


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def journaled_job(op) -> str:
    """Start following ``op`` and wait (bounded) until the journal holds its job id."""
    op.start()
    for _ in range(200):
        if op.job_id and any(e.get("job_id") == op.job_id for e in op.connection.journal.events()):
            return op.job_id
        op.wait_for_change(0.05)
    raise AssertionError(f"the journal never got the job id of {op!r}")


def restore(az, vm="testVM", **kwargs):
    item = az.vault("testVaultRG", "testVault").vm("testRG", vm)
    point = item.recovery_points().latest()
    return item, point, item.restore(rk.RestoreDisks(point, storage_account=STAGING), display=False,
                                     poll_interval=0.05, **kwargs)


def test_the_journal_is_the_connections_given_or_the_environments_read_once_or_the_user_data_folder(srv, tmp_path):
    import platformdirs

    assert journal_location({"RESTOREKIT_JOURNAL": str(tmp_path / "j.jsonl")}) == tmp_path / "j.jsonl"
    assert journal_location({}) == Path(platformdirs.user_data_dir("restorekit")) / "journal.jsonl"
    with rk.connect(srv.url, journal=tmp_path / "given.jsonl") as given:
        assert given.journal.path == tmp_path / "given.jsonl"
    with rk.connect(srv.url, trust_env=False) as untrusting:
        assert untrusting.journal.path == journal_location({})  # trust_env=False: RESTOREKIT_JOURNAL ignored


def test_two_connections_with_different_journals_write_to_different_files(srv, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    with rk.connect(srv.url, journal=first) as a, rk.connect(srv.url, journal=second) as b:
        _, _, op_a = restore(a, "testVM")
        _, _, op_b = restore(b, "multiDiskVM")
        finish(srv)
        op_a.wait(timeout=30), op_b.wait(timeout=30)
    assert {e["vm"] for e in lines(first)} == {"testRG/testVM"}
    assert {e["vm"] for e in lines(second)} == {"testRG/multiDiskVM"}
    assert list(rk.recent_restores(connection=a)["vm"]) == ["testRG/testVM"]
    assert list(rk.recent_restores(journal=Journal(second))["vm"]) == ["testRG/multiDiskVM"]


def test_a_restore_is_journaled_before_its_post_then_with_its_job_and_its_end(srv, az, journal_file, monkeypatch):
    seen_at_post = []
    real_post = PrimaryRoute.post

    def post(self, request):
        seen_at_post.append([e["event"] for e in Journal(journal_file).events()])
        return real_post(self, request)

    monkeypatch.setattr(PrimaryRoute, "post", post)
    item, point, op = restore(az, "multiDiskVM")
    assert seen_at_post == [["submitted"]]  # on disk before anything was sent
    journaled_job(op)
    finish(srv)
    job = op.wait(timeout=30)
    events = lines(journal_file)
    assert [e["event"] for e in events] == ["submitted", "posted", "job", "final"]
    assert len({e["id"] for e in events}) == 1 and {e["kind"] for e in events} == {"restore"}
    first, posted, with_job, final = events
    assert posted["state"] == "Submitted" and posted["token"] != first["token"]  # now it follows the operation
    assert first["state"] == "Submitted" and with_job["job_id"] == job.id and final["state"] == "Completed"
    assert first["who"] == "app restorekit-dev" and first["endpoint"] == srv.url
    assert first["subscription"] == srv.subscription_id and first["vault"] == "testVaultRG/testVault"
    assert first["vm"] == "testRG/multiDiskVM" and first["item_id"] == item.ref.id
    assert first["point"] == point.name and first["point_time"].startswith(point.time.strftime("%Y-%m-%dT%H:%M"))
    assert first["scenario"] == "RestoreDisks" and first["kind"] == "restore" and first["at"].endswith("Z")
    assert "operationsStatus" in with_job["operation_url"]
    text = journal_file.read_text()
    token = az.arm._auth.token()
    assert token not in text and token[:20] not in text and "Bearer" not in text


def test_a_refused_restore_is_journaled_not_started(az, journal_file):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    point = item.recovery_points().latest()
    with pytest.raises(rk.ArmError), pytest.warns(UserWarning, match="online checks"):  # the service refuses it
        item.restore(rk.RestoreDisks(point, storage_account="noSuchAccount"), display=False, online_checks=False)
    events = lines(journal_file)
    assert [e["event"] for e in events] == ["submitted", "final"]
    assert events[-1]["state"] == "NotStarted" and "StorageAccountNotFound" in events[-1]["error"]


def test_recent_restores_one_row_per_restore_latest_state_newest_first(srv, az):
    _, _, first = restore(az, "encryptedVM")
    journaled_job(first)
    finish(srv)
    first.wait(timeout=30)
    _, _, second = restore(az, "unmanagedVM")
    frame = rk.recent_restores(connection=az)
    assert list(frame.columns) == list(journal_module.COLUMNS)
    assert list(frame["vm"]) == ["testRG/unmanagedVM", "testRG/encryptedVM"]
    assert list(frame["state"]) == ["Submitted", "Completed"]
    assert str(frame["submitted"].dt.tz) == "UTC" and frame.loc[1, "job_id"] == first.job_id
    assert len(rk.recent_restores(limit=1, connection=az)) == 1
    second.start()
    finish(srv)
    second.wait(timeout=30)
    assert list(az.recent_restores()["state"]) == ["Completed", "Completed"]


def test_a_torn_last_line_is_skipped_and_the_next_event_starts_a_new_line(journal_file):
    journal = Journal(journal_file)
    journal.append({"restore_id": "a", "event": "submitted", "state": "Submitted"})
    with open(journal_file, "ab") as f:
        f.write(b'{"v":1,"restore_id":"b","event":"subm')  # a crash mid-write
    assert [e["restore_id"] for e in journal.events()] == ["a"]
    journal.append({"restore_id": "c", "event": "submitted", "state": "Submitted"})
    assert [e["restore_id"] for e in journal.events()] == ["a", "c"]
    assert journal_file.read_text().count("\n") == 3


def _append_many(path: str, writer: int, count: int) -> None:
    journal = Journal(path)
    for n in range(count):
        journal.append({"restore_id": f"{writer}-{n}", "event": "submitted", "pad": "x" * 3000})


def test_concurrent_appends_from_threads_and_processes_do_not_interleave(journal_file):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(str(journal_file), p, 40)) for p in range(3)]
    threads = [threading.Thread(target=_append_many, args=(str(journal_file), 10 + t, 40)) for t in range(3)]
    for worker in [*procs, *threads]:
        worker.start()
    for worker in [*procs, *threads]:
        worker.join(60)
    raw = journal_file.read_text().splitlines()
    assert len(raw) == 240 and all(json.loads(line)["pad"] == "x" * 3000 for line in raw)
    assert len({json.loads(line)["restore_id"] for line in raw}) == 240


def test_resume_by_job_id_by_row_and_without_a_job_id(srv, az, journal_file):
    _, _, op = restore(az, "testVM")
    journaled_job(op)
    again = rk.resume(op.job_id, journal=az.journal, poll_interval=0.05)
    assert again.job_id == op.job_id and again.vault_name == "testVault"
    by_row = rk.resume(az.recent_restores().iloc[0], connection=az, poll_interval=0.05)
    assert by_row.job_id == op.job_id
    # a kernel that died before the job id was known left only "submitted": the job is looked for
    record = az.journal.restores()[0]
    events = [e for e in lines(journal_file) if e["event"] == "submitted"]
    journal_file.write_text(json.dumps(events[0]) + "\n")
    lookup = rk.resume(record.id, connection=az, poll_interval=0.05)
    assert lookup.job_id is None
    finish(srv)
    assert again.wait(timeout=30).status == "Completed"
    assert lookup.wait(timeout=30).id == op.job_id and lookup.job.status == "Completed"
    assert az.journal.restores()[0].state == "Completed"
    op.wait(timeout=30)


def test_resume_explains_what_it_cannot_follow(journal_file):
    journal = Journal(journal_file)
    with pytest.raises(NotFoundError) as info:
        rk.resume("no-such-job", journal=journal)
    assert "rk.recent_restores()" in str(info.value) and "vault.restore_job('no-such-job')" in str(info.value)
    journal.append({"restore_id": "r1", "event": "final", "state": "NotStarted", "vm": "rg/vm", "error": "E: x"})
    with pytest.raises(RestoreNotStarted, match="Trigger it again"):
        rk.resume("r1", journal=journal)


def test_running_restores_confirmed_by_the_service_and_ended_ones_journaled(srv, az, journal_file):
    item, _, op = restore(az, "testVM")
    journaled_job(op)
    running = rk.running_restores(item)
    assert [r.job_id for r in running] == [op.job_id]
    assert f"rk.resume({op.job_id!r})" in repr(running) and "testRG/testVM" in repr(running)
    assert "<li>" in running._repr_html_()
    other = az.vault("testVaultRG", "testVault").vm("testRG", "multiDiskVM")
    assert repr(rk.running_restores(other)) == (
        "No restore of VM testRG/multiDiskVM started by restorekit is still running.")
    finish(srv)
    op.wait(timeout=30)
    assert len(rk.running_restores(item)) == 0


def test_running_restores_journal_the_end_of_a_restore_nobody_followed(srv, az, journal_file):
    item, _, op = restore(az, "encryptedVM")
    journaled_job(op)
    stale = [e for e in lines(journal_file) if e["event"] in ("submitted", "job")]
    op.cancel()  # stop following it: pretend its kernel died with the job running
    op.wait(timeout=30)
    journal_file.write_text("".join(json.dumps(e) + "\n" for e in stale))
    finish(srv)
    assert len(rk.running_restores(item)) == 0
    assert az.journal.restores()[0].state in ("Cancelled", "Completed")


def test_a_journal_that_cannot_be_written_does_not_stop_a_restore(srv, tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("")
    az = rk.connect(srv.url, journal=blocker / "journal.jsonl")  # in a folder that is a file
    with caplog.at_level(logging.WARNING, logger="restorekit"):
        _, _, op = restore(az, "multiDiskVM")
        finish(srv)
        assert op.wait(timeout=30).status == "Completed"
    assert "could not write the restore journal" in caplog.text
    assert caplog.text.count("could not write the restore journal") == 1
    az.close()


def test_a_cross_region_restore_is_journaled_and_resumed_through_its_route(srv, az, journal_file):
    item = az.vault("crrRG", "crrVault").vm("crrRG", "crrVM")
    crr = CrossRegion(item, poll_interval=0.05)
    op = crr.restore(rk.RestoreDisks(crr.recovery_points().latest(), storage_account="testRG/testAccount"),
                     display=False)
    journaled_job(op)
    record = az.journal.restores()[0]
    assert record.kind == "cross-region restore" and record.get("region") == "westus"
    again = rk.resume(op.job_id, connection=az, poll_interval=0.05)
    assert isinstance(again, CrossRegionOperation) and again.region == "westus"
    assert [r.job_id for r in rk.running_restores(crr)] == [op.job_id]
    finish(srv)
    assert again.wait(timeout=30).status == "Completed"
    op.wait(timeout=30)
    text = journal_file.read_text()
    with srv.state.lock:
        crr_tokens = list(srv.state.crr_tokens)
    assert crr_tokens and not any(token[:16] in text for token in crr_tokens)
    assert "accessTokenString" not in text and "Bearer" not in text and az.arm._auth.token()[:20] not in text
