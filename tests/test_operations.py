"""Restore operations and jobs: against the scripted server (exact protocol), then against the emulator."""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from scripted_server import Reply

import restorekit as rk
from restorekit.client.resources import ProtectedItem, Vault
from restorekit.core.errors import (
    ArmError,
    ConfirmationRequired,
    NotFoundError,
    OperationFailed,
    ValidationError,
)
from restorekit.core.filters import job_filter
from restorekit.core.ids import ItemRef
from restorekit.core.times import parse_duration, parse_loose_time, same_moment
from restorekit.model.job_api import VaultJobs
from restorekit.model.jobs import Job, list_jobs
from restorekit.model.points import RecoveryPoint
from restorekit.restore.run.lost_answer import LOOKUP_ATTEMPTS

SUB = "00000000-0000-0000-0000-000000000000"
POINT_TIME = datetime(2026, 10, 1, 6, 0, 5, tzinfo=UTC)


def trigger(request, *, item, **kwargs):
    """The scripted server answers the restore protocol only: no estate to check online."""
    with pytest.warns(UserWarning, match="online checks skipped"):
        return item.restore(request, online_checks=False, **kwargs)


def no_sleep(_seconds):
    pass


def StandIn(point, destructive=False, invalid=False):  # noqa: N802 - reads like the builders it stands for
    """A restore request: replacing disks when ``destructive``, without its staging account when ``invalid``."""
    if destructive:
        return rk.ReplaceDisks(point, storage_account="testAccount")
    return rk.RestoreDisks(point) if invalid else rk.RestoreDisks(point, storage_account="testAccount")


@pytest.fixture
def env(scripted):
    conn = rk.connect(scripted.url, retries=0)
    vault = Vault(conn, "testVaultRG", "testVault", {"location": "westus"})
    item = ProtectedItem(vault, ItemRef.for_vm(SUB, "testVaultRG", "testVault", "testRG", "testVM"))
    point = RecoveryPoint(raw={"name": "52020822508614", "properties": {
        "recoveryPointTime": "2026-10-01T06:00:05Z", "isManagedVirtualMachine": True}}, item=item.ref,
        vault_location="westus")
    yield SimpleNamespace(server=scripted, conn=conn, vault=vault, item=item, point=point)
    conn.close()


def job_raw(job_id="job-1", status="InProgress", vm="testVM", progress=None, bag=None, start=None, **props):
    extended = {"propertyBag": bag or {}, "tasksList": props.pop("tasks", [])}
    if progress is not None:
        extended["progressPercentage"] = progress
    if "remaining" in props:
        extended["estimatedRemainingDuration"] = props.pop("remaining")
    body = {"jobType": "AzureIaaSVMJob", "entityFriendlyName": vm, "containerName": f"iaasvmcontainerv2;testRG;{vm}",
            "operation": "Restore", "status": status,
            "startTime": (start or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
            "extendedInfo": extended, **props}
    return {"id": f"/subscriptions/{SUB}/resourceGroups/testVaultRG/providers/Microsoft.RecoveryServices/vaults/"
                  f"testVault/backupJobs/{job_id}", "name": job_id, "type": "Microsoft.RecoveryServices/vaults/backupJobs",
            "properties": body}


def accepted(server, op_id="op1", retry_after="0", location=True, async_op=True):
    headers = {"Retry-After": retry_after}
    if async_op:
        headers["Azure-AsyncOperation"] = f"{server.url}/x/operationsStatus/{op_id}"
    if location:
        headers["Location"] = f"{server.url}/x/operationResults/{op_id}"
    return Reply(202, None, headers)


def op_status(value, job_id=None, error=None):
    body = {"id": "op1", "name": "op1", "status": value}
    if job_id:
        body["properties"] = {"objectType": "OperationStatusJobExtendedInfo", "jobId": job_id}
    if error:
        body["error"] = error
    return Reply(200, body)


def requests_of(server, method=None):
    return [r for r in server.received if method is None or r.method == method]


def filter_of(received):
    return parse_qs(urlsplit(received.path).query).get("$filter", [""])[0]


# -- trigger -----------------------------------------------------------------------------------------
def test_trigger_posts_once_then_follows_operation_and_job(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}), accepted(s), op_status("InProgress"), op_status("Succeeded", "job-1"),
                 Reply(200, job_raw(progress=40.0)), Reply(200, job_raw(status="Completed",
                                                                        bag={"Target Storage Account Name": "acct"}))]
    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=no_sleep)
    assert op.phase == "submitted" and op.job_id is None
    job = op.wait(timeout=10)
    assert job.status == "Completed" and op.phase == "done" and op.job_id == "job-1"
    posts = requests_of(s, "POST")
    assert len(posts) == 1
    assert urlsplit(posts[0].path).path.endswith(
        "/protectedItems/VM;iaasvmcontainerv2;testRG;testVM/recoveryPoints/52020822508614/restore")
    assert json.loads(posts[0].body)["properties"]["recoveryPointId"] == "52020822508614"
    assert filter_of(s.received[0]) == "operation eq 'Restore' and status eq 'InProgress'"
    assert "/operationsStatus/op1" in s.received[2].path
    assert "/backupJobs/job-1" in s.received[4].path
    assert "Bearer" not in repr(op) and "job-1" in repr(op)
    assert op.status_line() == ("restore job job-1: Completed in 0 s; disks in storage account acct "
                                "[local emulator, not Azure]")  # the scripted server is on loopback


def test_the_one_path_takes_the_route_explicitly(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}), accepted(s), op_status("Succeeded", "job-1"),
                 Reply(200, job_raw(status="Completed"))]
    with pytest.warns(UserWarning, match="online checks skipped"):
        op = rk.trigger(StandIn(env.point), env.item.route(), online_checks=False, display=False, sleep=no_sleep)
    assert op.route.item == env.item.ref and op.connection is env.conn and op.wait(5).id == "job-1"


def test_validation_errors_stop_before_any_request(env):
    with pytest.raises(ValidationError):
        trigger(StandIn(env.point, invalid=True), item=env.item, display=False)
    assert env.server.received == []


def test_replace_disks_needs_confirmation(env):
    with pytest.raises(ConfirmationRequired) as info:
        trigger(StandIn(env.point, destructive=True), item=env.item, display=False)
    assert "testRG/testVM" in str(info.value) and "confirm=True" in str(info.value)
    assert env.server.received == []


def test_replace_disks_with_confirm_posts(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}), accepted(s), op_status("Succeeded", "job-1"),
                 Reply(200, job_raw(status="Completed"))]
    op = trigger(StandIn(env.point, destructive=True), item=env.item, confirm=True, display=False,
                            sleep=no_sleep)
    assert op.wait(5).succeeded and len(requests_of(s, "POST")) == 1


@pytest.mark.parametrize("bag", [{"Recovery point ID": "52020822508614"},
                                 {"Recovery point time": "10/1/2026 6:00:05 AM"},
                                 {"Recovery point time": "2026-10-01T06:00:05.0000000Z"}, {}])
def test_in_progress_restore_of_same_point_is_refused(env, bag):
    s = env.server
    s.replies = [Reply(200, {"value": [job_raw("dup-7", bag=bag), job_raw("other-vm", vm="otherVM")]})]
    with pytest.raises(rk.DuplicateRestore) as info:
        trigger(StandIn(env.point), item=env.item, display=False)
    assert "dup-7" in str(info.value) and "allow_duplicate=True" in str(info.value)
    assert info.value.job_id == "dup-7" and requests_of(s, "POST") == []


def test_in_progress_restore_of_another_point_is_not_a_duplicate(env):
    s = env.server
    s.replies = [Reply(200, {"value": [job_raw("j0", bag={"Recovery point ID": "999",
                                                          "Recovery point time": "9/1/2026 6:00:05 AM"})]}),
                 accepted(s), op_status("Succeeded", "job-1"), Reply(200, job_raw(status="Completed"))]
    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=no_sleep)
    assert op.wait(5).id == "job-1"


def test_allow_duplicate_skips_the_lookup(env):
    s = env.server
    s.replies = [accepted(s), op_status("Succeeded", "job-1"), Reply(200, job_raw(status="Completed"))]
    op = trigger(StandIn(env.point), item=env.item, allow_duplicate=True, display=False, sleep=no_sleep)
    assert op.wait(5).id == "job-1" and s.received[0].method == "POST"


def test_rejected_post_raises_the_arm_error(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}),
                 Reply(400, {"error": {"code": "BMSUserErrorInvalidInput", "message": "bad storage account"}})]
    with pytest.raises(ArmError, match="BMSUserErrorInvalidInput"):
        trigger(StandIn(env.point), item=env.item, display=False)


def test_lost_post_answer_attaches_to_the_one_job_it_created(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}), Reply(drop=True),
                 Reply(200, {"value": [job_raw("found-1"), job_raw("old", start=datetime(2026, 1, 1, tzinfo=UTC)),
                                       job_raw("other", vm="otherVM")]}),
                 Reply(200, job_raw("found-1", status="Completed"))]
    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=no_sleep)
    assert op.lost_answer and op.wait(5).id == "found-1"
    assert len(requests_of(s, "POST")) == 1       # never re-sent
    lookup = filter_of(s.received[2])
    assert lookup.startswith("operation eq 'Restore' and startTime eq ") and "endTime eq" in lookup


def test_lost_post_answer_with_several_candidates_lists_them(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}), Reply(502, raw=b"<html>bad gateway</html>"),
                 Reply(200, {"value": [job_raw("cand-a", bag={"Recovery point ID": "1"}),
                                       job_raw("cand-b", bag={"Recovery point ID": "2"})]})]
    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=no_sleep)
    with pytest.raises(OperationFailed) as info:
        op.wait(5)
    assert "cand-a" in str(info.value) and "cand-b" in str(info.value) and "vault.restore_job(" in str(info.value)
    assert op.phase == "failed" and len(requests_of(s, "POST")) == 1


def test_lost_post_answer_without_a_job_says_it_did_not_start(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}),
                 Reply(503, {"error": {"code": "ServiceUnavailable", "message": "try later"}}),
                 Reply(200, {"value": []})]
    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=no_sleep)
    with pytest.raises(OperationFailed, match="most probably did not start"):
        op.wait(5)
    assert len(requests_of(s, "GET")) == 1 + LOOKUP_ATTEMPTS


def test_location_only_operation_finds_its_job(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}), accepted(s, async_op=False), Reply(202, None, {"Retry-After": "0"}),
                 Reply(204), Reply(200, {"value": [job_raw("loc-job")]}), Reply(200, job_raw("loc-job", "Completed"))]
    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=no_sleep)
    assert op.wait(5).id == "loc-job"


def test_failed_operation_quotes_the_service(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}), accepted(s),
                 op_status("Failed", error={"code": "UserErrorRestoreSubnetIsFull", "message": "no free IP"})]
    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=no_sleep)
    with pytest.raises(OperationFailed, match="UserErrorRestoreSubnetIsFull: no free IP"):
        op.wait(5)
    assert op.phase == "failed"


def test_transient_errors_while_polling_are_not_fatal(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}), accepted(s), Reply(503, {"error": {"code": "Busy", "message": "x"}}),
                 Reply(drop=True), op_status("Succeeded", "job-1"), Reply(500, raw=b"oops"),
                 Reply(200, job_raw(status="Completed"))]
    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=no_sleep)
    assert op.wait(5).status == "Completed"


def test_failed_job_raises_with_code_message_and_recommendations(env):
    s = env.server
    failed = job_raw(status="Failed", errorDetails=[{"errorCode": 320010, "errorTitle": "Storage account blocked",
                                                     "errorString": "The storage account is blocked",
                                                     "recommendations": ["Allow trusted Microsoft services"]}])
    s.replies = [Reply(200, {"value": []}), accepted(s), op_status("Succeeded", "job-1"), Reply(200, failed)]
    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=no_sleep)
    with pytest.raises(OperationFailed) as info:
        op.wait(5)
    text = str(info.value)
    assert "320010" in text and "The storage account is blocked" in text and "Allow trusted Microsoft services" in text
    assert info.value.job_id == "job-1" and op.phase == "failed"
    assert op.status_line().startswith("restore job job-1: Failed")


def test_cancel_during_the_operation_phase_cancels_the_job_once_known(env):
    s = env.server
    s.replies = [Reply(200, {"value": []}), accepted(s), op_status("InProgress"), op_status("Succeeded", "job-1"),
                 Reply(200, job_raw()), Reply(202, None, {"Location": f"{s.url}/cancel/1"}),
                 Reply(200, job_raw(status="Cancelling")), Reply(200, job_raw(status="Cancelled"))]
    gate = {"n": 0}
    op_holder = {}

    def sleep(_):
        gate["n"] += 1
        if gate["n"] == 1:
            op_holder["op"].cancel()
            op_holder["op"].cancel()        # twice: still one POST

    op = trigger(StandIn(env.point), item=env.item, display=False, sleep=sleep)
    op_holder["op"] = op
    job = op.wait(5)
    assert job.status == "Cancelled" and op.phase == "cancelled"
    cancels = [r for r in requests_of(s, "POST") if r.path.split("?")[0].endswith("/backupJobs/job-1/cancel")]
    assert len(cancels) == 1


def test_from_job_id_and_resume_after_polling_gave_up(env):
    s = env.server
    s.replies = [Reply(400, {"error": {"code": "BadRequest", "message": "transient proxy trouble"}})]
    with pytest.raises(ArmError):  # the job is read at once: its id is checked before anything follows it
        env.vault.restore_job("job-9", sleep=no_sleep)
    s.replies = [Reply(200, job_raw("job-9", status="InProgress")),
                 Reply(400, {"error": {"code": "BadRequest", "message": "transient proxy trouble"}})]
    op = env.vault.restore_job("job-9", sleep=no_sleep)
    assert op.phase == "job" and op.route.item == env.item.ref  # the job names its VM
    with pytest.raises(ArmError):
        op.wait(5)
    assert op.phase == "failed"
    s.replies = [Reply(200, job_raw("job-9", status="InProgress")), Reply(200, job_raw("job-9", status="Completed"))]
    assert op.resume().wait(5).status == "Completed" and op.phase == "done"


def test_await_operation(env):
    s = env.server
    s.replies = [Reply(200, job_raw("job-3", status="InProgress")), Reply(200, job_raw("job-3", status="Completed"))]
    op = env.vault.restore_job("job-3", sleep=no_sleep)

    async def main():
        return await op

    assert asyncio.run(main()).id == "job-3"


def test_wait_timeout(env):
    s = env.server
    s.replies = [Reply(200, job_raw("job-4"))]
    op = env.vault.restore_job("job-4", poll_interval=0.05)
    with pytest.raises(TimeoutError, match="call wait"):
        op.wait(timeout=0.2)
    op.cancel()  # ends the background poll
    s.replies = [Reply(202, None, {}), Reply(200, job_raw("job-4", status="Cancelled"))]
    assert op.wait(5).status == "Cancelled"


# -- jobs --------------------------------------------------------------------------------------------
def test_job_fetch_unknown_id(env):
    env.server.replies = [Reply(404, {"error": {"code": "BMSUserErrorJobNotFound", "message": "no job"}})]
    with pytest.raises(NotFoundError, match="vault 'testVault' has no backup job 'nope'"):
        env.vault.job("nope")


def test_job_accessors_and_frame(env):
    raw = job_raw("job-5", status="InProgress", progress=None, duration="PT1M30.5S", remaining="00:15:00",
                  bag={"Target Storage Account Name": "acct", "Config Blob Uri": "https://acct/c/vmconfig.json",
                       "Template Blob Uri": "https://acct/c/azuredeploy.json", "Recovery point time": "10/1/2026 6:00:05 AM"},
                  tasks=[{"taskId": "Transfer data from vault", "status": "Completed", "duration": "PT1M",
                          "startTime": "2026-10-02T10:00:00Z", "endTime": "2026-10-02T10:01:00Z"},
                         {"taskId": "Create disks", "status": "InProgress", "progressPercentage": 20.0,
                          "startTime": "2026-10-02T10:01:00Z", "duration": "PT30S"}])
    job = Job(raw, VaultJobs(env.conn, env.vault.id))
    assert job.progress == pytest.approx(60.0)          # mean over tasks when no overall percentage
    assert job.duration == timedelta(seconds=90.5)
    assert job.estimated_remaining == timedelta(minutes=15)
    assert job.target_storage_account == "acct"
    assert job.config_blob_uri.endswith("vmconfig.json") and job.template_blob_uri.endswith("azuredeploy.json")
    assert job.recovery_point_time == POINT_TIME
    frame = job.to_frame()
    assert list(frame["task"]) == ["Transfer data from vault", "Create disks"]
    assert str(frame["start"].dt.tz) == "UTC" and frame["duration"].dtype.kind == "m"
    assert frame["status"].dtype == "category" and frame.attrs["job_id"] == "job-5"
    assert frame["progress"].tolist() == [100.0, 20.0]
    assert "job-5" in repr(job) and "60%" in repr(job)
    html = job._repr_html_()
    assert "vmconfig.json" in html and "<table" in html


def test_job_without_tasks_gives_one_summary_row(env):
    frame = Job(job_raw("job-6", status="Completed", duration="PT12S")).to_frame()
    assert len(frame) == 1 and frame.loc[0, "task"] == "Restore" and frame.loc[0, "progress"] == 100.0


def test_job_cancel_posts_and_follows(env):
    s = env.server
    s.replies = [Reply(202, None, {"Location": f"{s.url}/x/backupJobs/job-7/operationResults/c1", "Retry-After": "0"}),
                 Reply(202, None, {"Retry-After": "0"}), Reply(204),
                 Reply(200, job_raw("job-7", status="Cancelling")), Reply(200, job_raw("job-7", status="Cancelled"))]
    job = Job(job_raw("job-7"), VaultJobs(env.conn, env.vault.id), sleep=no_sleep)
    assert job.cancel().status == "Cancelled"
    assert [r.method for r in s.received] == ["POST", "GET", "GET", "GET", "GET"]
    assert job.cancel().status == "Cancelled" and len(s.received) == 5     # already ended: nothing sent


def test_list_jobs_every_page_typed(env):
    s = env.server
    s.replies = [Reply(200, {"value": [job_raw("a", status="Completed", duration="PT5M",
                                               start=datetime(2026, 10, 2, tzinfo=UTC))],
                             "nextLink": f"{s.url}/jobs?$skipToken=2"}),
                 Reply(200, {"value": [job_raw("b", status="Failed", start=datetime(2026, 10, 3, tzinfo=UTC),
                                               errorDetails=[{"errorCode": 1, "errorString": "x"}])]})]
    frame = list_jobs(VaultJobs(env.conn, env.vault.id), start="2026-10-01")
    assert list(frame["job_id"]) == ["b", "a"]      # newest first
    assert str(frame["start"].dt.tz) == "UTC" and frame["duration"].dtype.kind == "m"
    assert frame["status"].dtype == "category" and frame.loc[1, "duration"] == timedelta(minutes=5)
    text = filter_of(s.received[0])
    assert text.startswith("operation eq 'Restore' and startTime eq '2026-10-01 12:00:00 AM' and endTime eq '")
    assert "$skipToken=2" in s.received[1].path


def test_vault_jobs_delegates(env):
    env.server.replies = [Reply(200, {"value": []})]
    frame = env.vault.jobs(status="InProgress")
    assert isinstance(frame, pd.DataFrame) and frame.empty and "status" in frame.columns
    assert filter_of(env.server.received[0]) == "operation eq 'Restore' and status eq 'InProgress'"


def test_job_filter_fills_the_missing_bound():
    text = job_filter(None, None, end="2026-10-05")
    assert text == "startTime eq '2015-01-01 12:00:00 AM' and endTime eq '2026-10-05 12:00:00 AM'"
    assert job_filter(None) is None
    with pytest.raises(ValueError, match="before start"):
        job_filter(start="2026-10-05", end="2026-10-01")


@pytest.mark.parametrize(("text", "seconds"), [("PT9.8782791S", 9.8782791), ("PT1H2M3S", 3723), ("P1DT1S", 86401),
                                              ("00:15:00", 900), ("1.02:03:04", 93784), ("12", 12), ("", None),
                                              ("soon", None)])
def test_parse_duration(text, seconds):
    value = parse_duration(text)
    assert (value is None) if seconds is None else math.isclose(value.total_seconds(), seconds, rel_tol=1e-6)


@pytest.mark.parametrize("text", ["10/1/2026 6:00:05 AM", "2026-10-01T06:00:05Z", "2026-10-01 06:00:05",
                                  "10/01/2026 06:00:05"])
def test_parse_loose_time(text):
    assert parse_loose_time(text) == POINT_TIME


def test_core_does_not_import_widgets_or_pandas():
    code = ("import sys, restorekit.restore.run.operation, restorekit.transport.polling; "
            "print(any(m in sys.modules for m in ('ipywidgets', 'pandas', 'matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=".")
    assert out.stdout.strip() == "False"


# -- against the emulator ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def emu():
    from restorekit import emulator

    with emulator.start(job_seconds=2, retry_after=1) as srv:
        az = rk.connect(srv.url)
        yield SimpleNamespace(srv=srv, az=az, item=az.vault("testVaultRG", "testVault").vm("testRG", "testVM"))
        az.close()


def test_emulator_restore_disks_end_to_end(emu):
    point = emu.item.recovery_points().latest()
    op = emu.item.restore(rk.RestoreDisks(point, storage_account="testAccount"), display=False, allow_duplicate=True)
    job = op.wait(timeout=30)
    assert job.status == "Completed" and op.phase == "done"
    assert job.target_storage_account == "testAccount" and job.config_blob_uri
    assert same_moment(job.recovery_point_time, point.time)  # Azure's bag names the point by its time
    frame = emu.item.vault.jobs()
    assert op.job_id in set(frame["job_id"])


def test_emulator_duplicate_and_cancel():
    from restorekit import emulator

    with emulator.start(job_seconds=60, retry_after=1) as srv, rk.connect(srv.url) as az:
        item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
        point = item.recovery_points().latest()
        first = item.restore(rk.RestoreDisks(point, storage_account="testAccount"), display=False).start()
        deadline = time.monotonic() + 20
        while first.current_job is None and not first.done and time.monotonic() < deadline:
            time.sleep(0.1)
        assert first.current_job is not None and first.current_job.status == "InProgress"
        with pytest.raises(ConfirmationRequired, match=first.job_id):
            item.restore(rk.RestoreDisks(point, storage_account="testAccount"), display=False)
        first.cancel()
        assert first.wait(timeout=30).status == "Cancelled" and first.phase == "cancelled"


def test_emulator_reattach_by_job_id(emu):
    point = emu.item.recovery_points().latest()
    op = emu.item.restore(rk.RestoreDisks(point, storage_account="testAccount"), display=False, allow_duplicate=True)
    job_id = op.wait(timeout=30).id
    again = emu.item.vault.restore_job(job_id)
    assert again.wait(timeout=10).status == "Completed"


def test_restore_of_a_point_that_expired_meanwhile_is_explained():
    from restorekit import emulator
    from restorekit.core.errors import NotFoundError

    with emulator.start(job_seconds=1, retry_after=1, throttle=False) as srv, rk.connect(srv.url) as az:
        item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
        point = item.recovery_point("20982486783671")
        gone = type(point)(raw={**point.raw, "name": "11111111111111",
                                "id": point.raw["id"].replace("20982486783671", "11111111111111")},
                           item=point.item, vault_location=point.vault_location)
        with pytest.raises(NotFoundError) as info:
            item.restore(rk.RestoreDisks(gone, storage_account="testAccount"), display=False)
    text = str(info.value)
    assert "11111111111111" in text and "expired" in text and "HTTP 404" in text and "Nothing was restored" in text


@pytest.mark.parametrize("bag, expected", [  # property bags as Azure writes them (the recorded sessions)
    ({"Job Type": "Recover VM to an alternate location", "Target VM Name": "vm2", "Target resource group": "targetRG",
      "Target Storage Account Name": "sa"}, "new VM vm2"),
    ({"Job Type": "Replace disks", "Target VM Name": None, "Target Storage Account Name": "sa"},
     "disks of VM testVM replaced"),
    ({"Job Type": "Replace disks", "Target VM Name": "testVM"}, "disks of VM testVM replaced"),
    ({"Job Type": "Recover disks", "Target VM Name": "vmName", "Target Storage Account Name": "sa"},
     "disks restored as VHD blobs in storage account sa"),
    ({"Job Type": "Recover disks", "Target VM Name": "vmName", "Target Storage Account Name": "sa",
      "Target resource group": "rg2", "Restored disk(s)": "os; data1"},
     "disk(s) os, data1 restored as managed disks in resource group rg2"),
    ({"Target Storage Account Name": "sa"}, "disks in storage account sa"),  # a bag that does not say what ran
])
def test_summary_says_where_the_restore_went(bag, expected):
    job = Job({"name": "j1", "properties": {
        "jobType": "AzureIaaSVMJob", "status": "Completed", "entityFriendlyName": "testVM", "duration": "PT8S",
        "extendedInfo": {"propertyBag": bag}}})
    assert job.summary().endswith(expected)
