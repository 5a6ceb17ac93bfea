"""Cross-region restore: secondary points, the access token, the CRR operation and job, and the secret."""

from __future__ import annotations

import io
import logging
import pickle
import subprocess
import sys
import traceback
from contextlib import redirect_stdout
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

import restorekit as rk
from restorekit.client.cross_region import (
    CrossRegion,
    CrossRegionOperation,
    CrossRegionRestoreNotEnabled,
    CrrAccessToken,
    CrrJob,
    paired_region,
)
from restorekit.client.resources import ProtectedItem, Vault
from restorekit.core.errors import (
    ArmError,
    ConfirmationRequired,
    NotFoundError,
    OperationFailed,
    RestorekitError,
    TransportError,
    ValidationError,
)
from restorekit.core.ids import ItemRef
from restorekit.core.times import same_moment
from restorekit.model.points import RecoveryPoint
from restorekit.transport.polling import rehosted_methods
from restorekit.widgets.progress import show_operation

SUB = "00000000-0000-0000-0000-000000000000"
STAGING = "testRG/testAccount"  # westus: the secondary region of crrVault (eastus)


# -- fixtures -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def srv():
    from restorekit import emulator

    with emulator.start(job_seconds=2, retry_after=1, throttle=False) as server:
        yield server


@pytest.fixture(scope="module")
def az(srv):
    with rk.connect(srv.url) as connection:
        yield connection


@pytest.fixture(scope="module")
def item(az):
    return az.vault("crrRG", "crrVault").vm("crrRG", "crrVM")


@pytest.fixture
def crr(item):
    return CrossRegion(item, poll_interval=0.05)


@pytest.fixture(scope="module")
def latest(item):
    return CrossRegion(item).recovery_points().latest()


@pytest.fixture
def sent(az, monkeypatch):
    """Every request the connection sends, as (method, url, json body)."""
    calls = []
    real = az.arm.request

    def record(method, path_or_url, **kwargs):
        calls.append((method, az.arm.url(path_or_url, kwargs.get("params"), kwargs.get("api_version")),
                      kwargs.get("json_body")))
        return real(method, path_or_url, **kwargs)

    monkeypatch.setattr(az.arm, "request", record)
    return calls


@pytest.fixture
def fresh():
    """A new emulator of its own: no earlier restore jobs to confuse a lost-answer lookup."""
    from restorekit import emulator

    with emulator.start(job_seconds=2, retry_after=1, throttle=False) as server, rk.connect(server.url) as conn:
        item = conn.vault("crrRG", "crrVault").vm("crrRG", "crrVM")
        crr = CrossRegion(item, poll_interval=0.05)
        yield SimpleNamespace(srv=server, az=conn, item=item, crr=crr, latest=crr.recovery_points().latest())


def tokens(srv):
    with srv.state.lock:
        return set(srv.state.crr_tokens)


def finish_jobs(srv):
    """Move the emulator's clock so the operation and the job are over at the next poll."""
    srv.state.clock.advance(5)


def api_version(url):
    return parse_qs(urlsplit(url).query).get("api-version", [None])[0]


# -- regions and the CRR switch -------------------------------------------------------------------------------
def test_secondary_region_is_the_pair_or_the_override(item):
    assert paired_region("East US") == "westus" and paired_region("westus") == "eastus"
    assert paired_region("atlantis") is None and paired_region(None) is None
    assert CrossRegion(item).secondary_region == "westus"
    assert CrossRegion(item, secondary_region="West Central US").secondary_region == "westcentralus"
    assert CrossRegion(item).location_path() == f"/subscriptions/{SUB}/providers/Microsoft.RecoveryServices/" \
                                                "locations/westus"


def test_unknown_secondary_region_asks_for_the_override(az):
    vault = Vault(az, "rg", "v", {"location": "atlantis"})
    crr = CrossRegion(ProtectedItem(vault, ItemRef.for_vm(SUB, "rg", "v", "rg", "vm")))
    with pytest.raises(RestorekitError, match="secondary_region="):
        _ = crr.secondary_region
    assert "secondary region unknown" in repr(crr)


def test_enabled_reads_the_vaults_redundancy_settings(az, item):
    crr = CrossRegion(item)
    assert "CRR not checked" in repr(crr)
    assert crr.enabled is True and "CRR enabled" in repr(crr)
    test_vm = az.vault("opsVaultRG", "opsVault").vm("opsRG", "testVM")
    assert CrossRegion(test_vm).enabled is False


def test_enabled_falls_back_to_the_storage_config(az):
    calls = []
    answers = {"flag": {"properties": {"crossRegionRestoreFlag": True}}}

    def get(path, params=None, api_version=None):
        calls.append((path, api_version))
        answer = answers["flag"]
        if isinstance(answer, Exception):
            raise answer
        return answer

    conn = SimpleNamespace(subscription_id=SUB, arm=SimpleNamespace(get=get), endpoint=az.endpoint)
    vault = Vault(conn, "rg", "v", {"location": "westus", "properties": {}})
    item = ProtectedItem(vault, ItemRef.for_vm(SUB, "rg", "v", "rg", "vm"))
    assert CrossRegion(item).enabled is True
    assert calls == [(f"{vault.id}/backupstorageconfig/vaultstorageconfig", "2018-12-20")]
    answers["flag"] = {"properties": {"crossRegionRestoreFlag": False}}
    assert CrossRegion(item).enabled is False
    answers["flag"] = ArmError(404, "NotFound", "no such thing")
    assert CrossRegion(item).enabled is None
    answers["flag"] = ArmError(400, "BMSUserErrorCrossRegionRestoreNotEnabled", "off")
    assert CrossRegion(item).enabled is False
    answers["flag"] = ArmError(403, "AuthorizationFailed", "no")
    with pytest.raises(ArmError, match="AuthorizationFailed"):
        _ = CrossRegion(item).enabled


# -- secondary points -----------------------------------------------------------------------------------------
def test_secondary_points_every_page_with_the_passive_api_version(item, sent):
    points = CrossRegion(item).recovery_points()
    listed = [url for method, url, _ in sent if "/recoveryPoints" in url]
    assert len(listed) >= 3  # 50 per page in the emulator: nextLink followed
    assert all(api_version(url) == "2018-12-20" for url in listed)
    assert "/recoveryPoints/?" in listed[0]  # RecoveryPointsCrr_List: trailing slash
    assert len(points) == len(item.recovery_points()) and len(points) > 100
    first = points[0]
    assert first.region == "secondary" and first.vault_location == "eastus" and first.copy_region == "westus"
    assert first.item == item.ref and first.tiers  # numeric tiers of 2018-12-20 are understood


def test_secondary_points_between_dates(item, sent):
    points = CrossRegion(item).recovery_points(start="2026-10-01", end="2026-10-31")
    flt = parse_qs(urlsplit(sent[-1][1]).query)["$filter"][0]
    assert "startDate eq '2026-10-01 12:00:00 AM'" in flt and "endDate eq '2026-10-31 12:00:00 AM'" in flt
    assert all(p.time.month == 10 for p in points)


def test_unknown_secondary_point(crr):
    with pytest.raises(NotFoundError, match="no recovery point 'nope' in the secondary region westus"):
        crr.recovery_point("nope")
    name = crr.recovery_points()[3].name
    assert crr.recovery_point(name).name == name


def test_crr_disabled_vault_gives_a_clear_error_before_any_request(az, sent):
    test_vm = az.vault("opsVaultRG", "opsVault").vm("opsRG", "testVM")
    crr = CrossRegion(test_vm)
    point = test_vm.recovery_points().latest()
    del sent[:]
    with pytest.raises(CrossRegionRestoreNotEnabled, match="'opsVault' .*does not have Cross Region Restore enabled"):
        crr.recovery_points()
    secondary = RecoveryPoint(raw=point.raw, item=point.item, region="secondary", vault_location="westus")
    with pytest.raises(CrossRegionRestoreNotEnabled, match="item.restore"):
        crr.restore(rk.RestoreDisks(secondary, storage_account="crrRG/eastAccount"), display=False)
    assert sent == []


def test_service_saying_crr_is_off_gives_the_same_error(az):
    vault = az.vault("opsVaultRG", "opsVault")
    vault.raw = {"location": "westus"}  # the setting is unknown: the service is asked
    crr = CrossRegion(vault.vm("opsRG", "testVM"))
    assert crr.enabled is None  # the emulator has no backupstorageconfig: unknown
    with pytest.raises(CrossRegionRestoreNotEnabled, match="BMSUserErrorCrossRegionRestoreNotEnabled"):
        crr.recovery_points()
    assert crr.enabled is False


# -- the full flow --------------------------------------------------------------------------------------------
def test_restore_disks_runs_to_a_completed_crr_job(srv, crr, latest, sent):
    before = tokens(srv)
    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False)
    assert isinstance(op, CrossRegionOperation) and op.region == "westus"
    finish_jobs(srv)
    job = op.wait(timeout=30)
    assert isinstance(job, CrrJob) and job.status == "Completed" and op.phase == "done"
    assert job.operation == "CrossRegionRestore" and job.vm_name == "crrVM" and job.region == "westus"
    assert job.target_storage_account == "testAccount" and same_moment(job.recovery_point_time, latest.time)
    assert job.property_bag["Vault name"] == crr.vault.name  # a cross-region job names its vault
    estate_reads = [(m, u) for m, u, _ in sent if "Microsoft.RecoveryServices" not in u]  # checks, outcome
    assert estate_reads and all(m == "GET" for m, _ in estate_reads)
    assert any("/storageAccounts/testAccount" in u for _, u in estate_reads)
    sent[:] = [s for s in sent if "Microsoft.RecoveryServices" in s[1]]
    steps = [(m, urlsplit(u).path.rsplit("/", 2)[-2:]) for m, u, _ in sent]
    assert steps[0] == ("POST", ["westus", "backupCrrJobs"])  # in-progress duplicates
    assert parse_qs(urlsplit(sent[0][1]).query)["$filter"] == [
        "operation eq 'CrossRegionRestore' and status eq 'InProgress'"]
    assert sent[0][2] == {"resourceId": crr.vault.id}
    assert steps[1] == ("GET", ["westus", "backupAadProperties"])
    assert steps[2] == ("POST", [latest.name, "accessToken"])
    assert steps[3] == ("POST", ["westus", "backupCrossRegionRestore"])
    assert any(path[0] == "backupCrrOperationsStatus" for _, path in steps[4:])
    assert steps[-1] == ("POST", ["westus", "backupCrrJob"])
    assert all(api_version(u) == "2018-12-20" for _, u, _ in sent)
    aad_body, trigger_body, job_body = sent[2][2], sent[3][2], sent[-1][2]
    assert aad_body["properties"]["audience"].endswith("/wus")
    assert trigger_body == {}  # the body holding the token is emptied once posted
    assert job_body == {"resourceId": crr.vault.id, "jobName": job.id}
    assert len(tokens(srv) - before) == 1


def test_restore_body_is_bare_with_the_secondary_region(srv, crr, latest, monkeypatch):
    seen = {}
    real = crr.item.connection.arm.request

    def spy(method, path_or_url, **kwargs):
        if "backupCrossRegionRestore" in path_or_url:
            body = kwargs["json_body"]
            seen["keys"] = sorted(body)
            seen["request"] = dict(body["restoreRequest"])
            seen["token_type"] = body["crossRegionRestoreAccessDetails"]["objectType"]
        return real(method, path_or_url, **kwargs)

    monkeypatch.setattr(crr.item.connection.arm, "request", spy)
    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING, luns=[-1]), display=False)
    finish_jobs(srv)
    op.wait(timeout=30)
    assert seen["keys"] == ["crossRegionRestoreAccessDetails", "restoreRequest"]
    assert seen["token_type"] == "CrrAccessToken"
    req = seen["request"]
    assert req["objectType"] == "IaasVMRestoreRequest" and req["recoveryType"] == "RestoreDisks"
    assert req["region"] == "westus" and req["recoveryPointId"] == latest.name
    assert req["sourceResourceId"].endswith("/virtualMachines/crrVM") and req["restoreDiskLunList"] == [-1]
    assert op.request.region == "westus"


def test_restore_as_new_vm_in_the_secondary_region(srv, crr, latest):
    request = rk.RestoreAsNewVM(latest, target_vm_name="crrVM-dr", target_resource_group="targetRG",
                                virtual_network="targetRG/testNet", subnet="default", storage_account=STAGING)
    op = crr.restore(request, display=False)
    finish_jobs(srv)
    job = op.wait(timeout=30)
    assert job.status == "Completed" and job.property_bag.get("Target VM Name") == "crrVM-dr"


def test_attach_by_job_id_and_unknown_job(srv, crr, latest):
    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    finish_jobs(srv)
    job_id = op.wait(timeout=30).id
    again = crr.attach(job_id)
    assert again.wait(timeout=10).status == "Completed" and again.job_id == job_id
    assert crr.job(job_id).status == "Completed"
    assert job_id in set(crr.jobs()["job_id"])
    with pytest.raises(NotFoundError, match="no cross-region restore job 'nope'"):
        crr.job("nope")


def test_in_progress_duplicate_is_refused(srv, crr, latest):
    first = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False)
    while first.job_id is None and not first.done:
        first.start().wait_for_change(0.5)
    with pytest.raises(ConfirmationRequired, match=first.job_id):
        crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False)
    second = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    finish_jobs(srv)
    assert first.wait(timeout=30).status == "Completed" and second.wait(timeout=30).status == "Completed"
    assert first.job_id != second.job_id


# -- what CRR refuses ------------------------------------------------------------------------------------------
def test_replace_disks_is_refused_even_with_confirm(crr, latest, sent):
    for confirm in (False, True):
        with pytest.raises(ValidationError, match="cannot replace the disks of the original VM") as info:
            crr.restore(rk.ReplaceDisks(latest, storage_account=STAGING), confirm=confirm, display=False)
        assert "RestoreDisks or RestoreAsNewVM" in str(info.value)
    assert not any("accessToken" in u or "backupCrossRegionRestore" in u for _, u, _ in sent)


def test_primary_point_wrong_region_and_other_vm_are_refused(crr, item, az, latest, sent):
    primary = item.recovery_points().latest()
    with pytest.raises(ValidationError, match="not a point of the secondary region"):
        crr.restore(rk.RestoreDisks(primary, storage_account=STAGING), display=False)
    with pytest.raises(ValidationError, match="lands in the secondary region westus, not 'eastus'"):
        crr.restore(rk.RestoreDisks(latest, storage_account="crrRG/eastAccount", region="eastus"), display=False)
    zone_vm = az.vault("crrRG", "crrVault").vm("zoneRG", "zoneVM")
    other = CrossRegion(zone_vm).recovery_points().latest()
    with pytest.raises(ValidationError, match="belongs to VM zoneVM"):
        crr.restore(rk.RestoreDisks(other, storage_account=STAGING), display=False)
    assert not any("accessToken" in u for _, u, _ in sent)


def test_fields_missing_from_2018_12_20_are_refused(crr, latest):
    problems = crr.problems(rk.RestoreDisks(latest, storage_account=STAGING,
                                            disk_network_access="EnablePublicAccessForAllDisks"))
    assert [p.field for p in problems] == ["disk_network_access"]
    assert "targetDiskNetworkAccessSettings does not exist in api-version 2018-12-20" in str(problems[0])
    problems = crr.problems(rk.RestoreDisks(latest, storage_account=STAGING, rehydration_priority="High"))
    assert "rehydration_priority" in [p.field for p in problems]
    assert crr.problems(rk.RestoreDisks(latest, storage_account=STAGING)) == []


def test_builder_problems_are_reported_too(crr, latest):
    with pytest.raises(ValidationError, match="storage_account"):
        crr.restore(rk.RestoreDisks(latest), display=False)


def test_unknown_point_is_the_services_404(crr, item):
    ghost = RecoveryPoint(raw={"name": "123456789", "properties": {"recoveryPointTime": "2026-10-01T00:00:00Z"}},
                          item=item.ref, region="secondary", vault_location="eastus")
    with pytest.raises(ArmError) as info:
        crr.restore(rk.RestoreDisks(ghost, storage_account=STAGING), display=False)
    assert info.value.status == 404 and info.value.code == "UserErrorRecoveryPointNotFound"


def test_services_refusal_of_the_restore_is_raised(srv, crr, latest):
    before = tokens(srv)
    request = rk.RestoreDisks(latest, storage_account="crrRG/eastAccount")  # in eastus, the restore in westus
    with pytest.raises(ValidationError, match="storage account is in eastus"):  # caught before sending
        crr.restore(request, display=False)
    assert tokens(srv) == before
    with pytest.warns(UserWarning, match="online checks skipped"), pytest.raises(ArmError) as info:
        crr.restore(request, display=False, online_checks=False)  # then the service refuses it
    assert info.value.code == "UserErrorStorageAccountInDifferentRegion"
    for token in tokens(srv) - before:
        assert token not in str(info.value)


# -- failures while it runs -----------------------------------------------------------------------------------
def test_transient_errors_while_polling_are_retried(srv, crr, latest):
    srv.state.faults.fail_next(2, status=503, retry_after=0, path_contains="backupCrrOperationsStatus")
    srv.state.faults.fail_next(1, status=503, retry_after=0, path_contains="backupCrrJob")
    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    finish_jobs(srv)
    assert op.wait(timeout=30).status == "Completed"
    assert srv.state.faults.pending == []


def test_lost_post_answer_without_a_job_says_it_did_not_start(fresh):
    srv, crr, latest = fresh.srv, fresh.crr, fresh.latest
    before = tokens(srv)
    srv.state.faults.fail_next(1, status=500, method="POST", path_contains="backupCrossRegionRestore")
    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    with pytest.raises(OperationFailed, match="most probably did not start"):
        op.wait(timeout=30)
    assert op.phase == "failed" and "polling failed" in op.status_line()
    (token,) = tokens(srv) - before
    assert token not in str(op.error) and token not in (op.lost_answer or "")


def test_dropped_post_answer_finds_the_job_it_created(fresh):
    srv, az, crr = fresh.srv, fresh.az, fresh.crr
    real = az.arm.request

    def lose_answer(method, path_or_url, **kwargs):
        response = real(method, path_or_url, **kwargs)
        if "backupCrossRegionRestore" in path_or_url:
            raise TransportError(f"POST {path_or_url}: no answer (connection reset)")
        return response

    az.arm.request = lose_answer
    try:
        op = crr.restore(rk.RestoreDisks(fresh.latest, storage_account=STAGING), display=False)
    finally:
        del az.arm.request
    assert "connection reset" in op.lost_answer and op.job_id is None
    finish_jobs(srv)
    job = op.wait(timeout=30)
    assert job.status == "Completed" and job.vm_name == "crrVM" and same_moment(job.recovery_point_time,
                                                                                  fresh.latest.time)


def test_failed_job_quotes_the_service(srv, crr, latest):
    srv.state.settings.fail_rate = 1.0
    try:
        op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    finally:
        srv.state.settings.fail_rate = 0.0
    finish_jobs(srv)
    with pytest.raises(OperationFailed, match=r"CrossRegionRestore job .* of VM crrVM failed: \d+") as info:
        op.wait(timeout=30)
    assert info.value.job_id == op.job_id and op.phase == "failed" and op.job.status == "Failed"
    assert "Failed" in op.status_line()


# -- cancel ---------------------------------------------------------------------------------------------------
def test_cancel_is_not_available_and_says_so(srv, crr, latest, caplog):
    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    with caplog.at_level(logging.WARNING, logger="restorekit"):
        op.cancel()
    assert "cancellation is not available for cross-region restore" in op.status_line()
    assert "not available" in caplog.text
    op.start()
    while op.current_job is None and not op.done:
        op.wait_for_change(0.5)
    with pytest.raises(RestorekitError, match="cannot be cancelled"):
        op.current_job.cancel()
    finish_jobs(srv)
    assert op.wait(timeout=30).status == "Completed" and op.phase == "done"
    assert op.job.cancel() is op.job  # a finished job is returned unchanged
    op.cancel()  # done: nothing happens
    assert "cancellation" not in op.status_line()


# -- showing --------------------------------------------------------------------------------------------------
def test_headless_status_lines(srv, crr, latest, monkeypatch):
    monkeypatch.setenv("RESTOREKIT_HEADLESS", "1")
    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    assert op.status_line().startswith("cross-region restore of VM crrVM: submitted")
    srv.state.clock.advance(1)
    out = io.StringIO()
    with redirect_stdout(out):
        show_operation(op)  # headless: blocks and prints plain lines
    lines = out.getvalue().strip().splitlines()
    assert all(line.startswith("cross-region restore") for line in lines)
    assert lines[-1].startswith(f"cross-region restore job {op.job_id}: Completed in")
    assert "disks restored as managed disks in resource group crrRG" in lines[-1]


def test_watch_timeout_says_how_to_reattach(srv, crr, latest):
    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    lines = []
    op.watch(out=lines.append, timeout=0.01)
    assert lines[-1].startswith("still running") and "crr.attach(" in lines[-1]
    assert (op.job_id or "<job id>") in lines[-1] or "crr.jobs()" in lines[-1]
    finish_jobs(srv)
    assert op.wait(timeout=30).status == "Completed"


def test_display_in_a_kernel_shows_the_operation(crr, latest, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=True, allow_duplicate=True)
    assert shown == [op]
    op.wait(timeout=30)


def test_live_widget_accepts_the_operation(srv, crr, latest):
    from restorekit.widgets.progress import OperationProgress

    op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    widget = OperationProgress(op)
    finish_jobs(srv)
    op.wait(timeout=30)
    widget.update(op)
    assert "crrVM" in widget.title.value and widget.bar.value == 100.0
    assert "cross-region restore job" in widget.summary.value
    widget._on_cancel()  # done: no-op
    assert widget.cancel_button.disabled


# -- the secret -----------------------------------------------------------------------------------------------
SECRET = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ+/=="


def test_access_token_object_never_shows_the_secret():
    token = CrrAccessToken({"objectType": "WorkloadCrrAccessToken", "accessTokenString": SECRET,
                            "recoveryPointId": "42", "datasourceName": "crrvm", "bMSActiveRegion": "eastus"})
    for text in (repr(token), str(token), f"{token}", str(token.redacted()), repr([token])):
        assert SECRET not in text and SECRET[:12] not in text
    assert token.redacted()["accessTokenString"] == "***"
    assert token.access_details()["accessTokenString"] == SECRET
    assert token.recovery_point_id == "42" and token.active_region == "eastus"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(token)
    with pytest.raises(TypeError):
        vars(token)
    with pytest.raises(TransportError, match="no accessTokenString"):
        CrrAccessToken({"objectType": "CrrAccessToken"})


def test_scrubber_removes_whole_truncated_and_quoted_copies():
    from urllib.parse import quote

    scrub = CrrAccessToken({"accessTokenString": SECRET}).scrubber()
    text = f"a {SECRET} b {SECRET[:30]}… c {quote(SECRET, safe='')} d"
    cleaned = scrub.text(text)
    assert SECRET[:12] not in cleaned and quote(SECRET[:12], safe="") not in cleaned
    assert cleaned.startswith("a *** b ***") and cleaned.endswith(" d")
    assert scrub.data({"x": [SECRET, 1, None]}) == {"x": ["***", 1, None]}
    assert SECRET[:12] not in repr(scrub)
    short = CrrAccessToken({"accessTokenString": "s3cr3t"}).scrubber()
    assert short.text("token s3cr3t!") == "token ***!"
    err = scrub.error(ArmError(400, "Bad", f"echo {SECRET}", details=[{"code": "X", "message": SECRET}],
                               recommendations=[SECRET], url=f"http://h/p?x={SECRET}"))
    assert isinstance(err, ArmError) and err.status == 400 and SECRET[:12] not in str(err) + err.url
    assert SECRET[:12] not in str(scrub.error(TransportError(f"body starts with {SECRET}")))


def _strings(obj, seen=None, depth=0):
    """Every string reachable from an object's attributes, dicts and lists (not through slots)."""
    seen = seen if seen is not None else set()
    if id(obj) in seen or depth > 6:
        return
    seen.add(id(obj))
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _strings(key, seen, depth + 1)
            yield from _strings(value, seen, depth + 1)
    elif isinstance(obj, list | tuple | set):
        for value in obj:
            yield from _strings(value, seen, depth + 1)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("restorekit"):
        yield from _strings(vars(obj), seen, depth + 1)


def test_token_never_leaks_from_a_full_restore(srv, crr, latest, caplog):
    before = tokens(srv)
    out = io.StringIO()
    with caplog.at_level(logging.DEBUG), redirect_stdout(out):
        op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
        finish_jobs(srv)
        lines = []
        op.watch(out=lines.append, timeout=30)
    (token,) = tokens(srv) - before
    texts = [caplog.text, out.getvalue(), *lines, repr(op), str(op), op.status_line(), repr(op.job), str(op.job),
             op.job._repr_html_(), repr(crr), repr(op.request), op.request.to_json(), repr(op.state.lro),
             repr(op.route.session), str(op.job.to_frame()), str(crr.jobs())]
    assert any("backupCrossRegionRestore" in record.getMessage() for record in caplog.records)
    for text in texts:
        assert token not in text and token[:12] not in text
    assert not any(token[:12] in s for s in _strings(op))
    assert not any(token[:12] in s for s in _strings(crr))


def test_echoed_token_is_scrubbed_from_the_error(srv, crr, latest, az):
    real = az.arm.request
    echoed = {}

    def echo(method, path_or_url, **kwargs):
        if "backupCrossRegionRestore" in path_or_url:
            secret = kwargs["json_body"]["crossRegionRestoreAccessDetails"]["accessTokenString"]
            echoed["token"] = secret
            raise ArmError(400, "UserErrorCrrAccessTokenInvalid", f"The token '{secret}' is invalid.",
                           details=[{"code": "Echo", "message": f"got {secret}"}], target=secret,
                           recommendations=[f"do not reuse {secret[:20]}"])
        return real(method, path_or_url, **kwargs)

    az.arm.request = echo
    try:
        with pytest.raises(ArmError) as info:
            crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    finally:
        del az.arm.request
    secret = echoed["token"]
    exc = info.value
    shown = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc.details) + str(exc.target)
    assert exc.code == "UserErrorCrrAccessTokenInvalid" and "The token '***' is invalid." in str(exc)
    assert secret not in shown and secret[:12] not in shown
    assert exc.__context__ is None and exc.__cause__ is None


def test_echoed_token_in_a_lost_answer_is_scrubbed(fresh):
    crr, latest, az = fresh.crr, fresh.latest, fresh.az
    real = az.arm.request
    echoed = {}

    def garble(method, path_or_url, **kwargs):
        if "backupCrossRegionRestore" in path_or_url:
            echoed["token"] = kwargs["json_body"]["crossRegionRestoreAccessDetails"]["accessTokenString"]
            raise TransportError(f"POST {path_or_url}: HTTP 502 without an ARM error envelope; the body starts "
                                 f"with 'accessTokenString={echoed['token']}'")
        return real(method, path_or_url, **kwargs)

    az.arm.request = garble
    try:
        op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
    finally:
        del az.arm.request
    with pytest.raises(OperationFailed, match="most probably did not start") as info:
        op.wait(timeout=30)
    secret = echoed["token"]
    for text in (str(info.value), op.lost_answer, op.status_line(), "".join(traceback.format_exception(info.value))):
        assert secret[:12] not in text
    assert "accessTokenString=***" in op.lost_answer


def test_token_echoed_while_polling_is_scrubbed(srv, crr, latest, az):
    from restorekit.transport.arm import ArmResponse

    real = az.arm.request
    echoed = {}

    def echo(method, path_or_url, **kwargs):
        if "backupCrossRegionRestore" in path_or_url:
            echoed["token"] = kwargs["json_body"]["crossRegionRestoreAccessDetails"]["accessTokenString"]
        if "backupCrrOperationsStatus" in path_or_url:
            body = {"id": "op", "name": "op", "status": "Failed",
                    "error": {"code": "UserErrorCrrAccessTokenInvalid", "message": f"token {echoed['token']} expired"}}
            return ArmResponse(200, {}, body, path_or_url)
        return real(method, path_or_url, **kwargs)

    az.arm.request = echo
    try:
        op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False, allow_duplicate=True)
        with pytest.raises(OperationFailed, match=r"UserErrorCrrAccessTokenInvalid: token \*\*\* expired") as info:
            op.wait(timeout=30)
    finally:
        del az.arm.request
    secret = echoed["token"]
    for text in (str(info.value), op.status_line(), repr(op.state.lro.body), info.value.service_message):
        assert secret[:12] not in text


# -- polling URLs and imports ---------------------------------------------------------------------------------
def test_crr_polling_urls_stay_on_the_connections_endpoint():
    header = ("azure-asyncoperation: https://centraluseuap.management.azure.com/subscriptions/s/providers/"
              "microsoft.recoveryservices/locations/eastus2euap/backupCrrOperationsStatus/MTMz=?api-version="
              "2018-12-20-preview")
    strategy = rehosted_methods("http://127.0.0.1:8765/", "2018-12-20")[0]
    assert strategy.can_poll({"Azure-AsyncOperation": header})
    assert strategy.polling_url({"Azure-AsyncOperation": header}) == (
        "http://127.0.0.1:8765/subscriptions/s/providers/microsoft.recoveryservices/locations/eastus2euap/"
        "backupCrrOperationsStatus/MTMz=?api-version=2018-12-20")
    location = rehosted_methods("https://management.azure.com", "2018-12-20")[1]
    assert location.polling_url({"Location": "/subscriptions/s/x/backupCrrOperationResults/1"}) == \
        "https://management.azure.com/subscriptions/s/x/backupCrrOperationResults/1?api-version=2018-12-20"
    assert location.status(202, None) == "InProgress" and location.status(200, None) == "Succeeded"


def test_importing_crr_loads_no_heavy_library():
    code = ("import sys, restorekit.client.cross_region; "
            "print(any(m in sys.modules for m in ('ipywidgets', 'pandas', 'matplotlib', 'azure.identity')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
