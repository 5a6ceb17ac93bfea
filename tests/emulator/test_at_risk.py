"""A fleet worth analysing: deterministic at-risk VMs whose item properties, points and jobs agree."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests

from restorekit.emulator.estate.health import LAST_FAILED, STALLED, STOPPED
from restorekit.emulator.seed.fleet import fleet_history

from .conftest import API, AUTH, SUB, all_pages

AS_OF = datetime.fromisoformat("2026-11-20T12:00:00+00:00")
OPS = f"/subscriptions/{SUB}/resourceGroups/opsVaultRG/providers/Microsoft.RecoveryServices/vaults/opsVault"


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "")[:26] + "+00:00")


@pytest.fixture(scope="module")
def server(request):
    from restorekit import emulator

    srv = emulator.start(as_of=AS_OF.isoformat(), fleet=60, throttle=False, job_seconds=1, retry_after=0)
    request.addfinalizer(srv.stop)
    return srv


def items(server, vault=OPS):
    out = all_pages(f"{server.url}{vault}/backupProtectedItems?api-version={API}")
    return {i["properties"]["friendlyName"]: i for i in out}


def points(server, item):
    return all_pages(f"{server.url}{item['id']}/recoveryPoints?api-version={API}")


def test_every_item_states_its_health(server):
    found = items(server)
    assert set(found) == {"testVM", "stalledVM", "flakyVM", "retiredVM", "pausedVM", "linuxWeb", "linuxDb", "oldAppVM"}
    for item in found.values():
        p = item["properties"]
        for key in ("protectionState", "protectionStatus", "healthStatus", "lastBackupStatus", "lastBackupTime",
                    "lastRecoveryPoint", "policyName", "policyId", "sourceResourceId", "friendlyName"):
            assert p.get(key), (p["friendlyName"], key)
        newest = points(server, item)[0]["properties"]["recoveryPointTime"]
        assert p["lastRecoveryPoint"] == newest  # consistent with the points themselves


def test_stalled_vm_backups_stopped_five_days_ago(server):
    p = items(server)["stalledVM"]["properties"]
    assert p["protectionState"] == "Protected" and p["lastBackupStatus"] == "Failed"
    assert p["healthStatus"] == "ActionRequired" and p["protectionStatus"] == "Unhealthy"
    assert p["healthDetails"][0]["title"] == "UserErrorGuestAgentStatusUnavailable"
    assert p["healthDetails"][0]["recommendations"]
    age = AS_OF - when(p["lastRecoveryPoint"])
    assert timedelta(days=4, hours=23) <= age <= timedelta(days=6)
    assert when(p["lastBackupTime"]) > when(p["lastRecoveryPoint"])  # the failed attempt came later
    assert AS_OF - when(p["lastBackupTime"]) < timedelta(days=1)


def test_last_backup_failed_but_recent_points_exist(server):
    p = items(server)["flakyVM"]["properties"]
    assert p["lastBackupStatus"] == "Failed" and p["protectionState"] == "Protected"
    assert p["healthStatus"] == "ActionSuggested" and p["healthDetails"]
    assert AS_OF - when(p["lastRecoveryPoint"]) < timedelta(days=2)
    assert when(p["lastBackupTime"]) > when(p["lastRecoveryPoint"])


def test_protection_stopped_keeps_its_points(server):
    found = items(server)
    stopped = found["retiredVM"]
    p = stopped["properties"]
    assert p["protectionState"] == "ProtectionStopped" and p["lastBackupStatus"] == "Completed"
    assert "healthDetails" not in p
    assert timedelta(days=29) <= AS_OF - when(p["lastRecoveryPoint"]) <= timedelta(days=31)
    assert len(points(server, stopped)) > 50  # data retained
    assert found["pausedVM"]["properties"]["protectionState"] == "ProtectionPaused"


def test_healthy_vm_is_up_to_date(server):
    p = items(server)["testVM"]["properties"]
    assert (p["protectionState"], p["healthStatus"], p["lastBackupStatus"]) == ("Protected", "Passed", "Completed")
    assert p["lastBackupTime"] == p["lastRecoveryPoint"] and AS_OF - when(p["lastBackupTime"]) < timedelta(days=1)
    assert "healthDetails" not in p


def test_two_different_vms_named_test_vm(server):
    test_vault = f"/subscriptions/{SUB}/resourceGroups/testVaultRG/providers/Microsoft.RecoveryServices/vaults/testVault"
    named = [i for vault in (OPS, test_vault) for i in items_list(server, vault)
             if i["properties"]["friendlyName"] == "testVM"]
    sources = {i["properties"]["sourceResourceId"] for i in named}
    assert len(named) == 3 and len(sources) == 3  # testRG/testVM, testRG1/testVM (testVault), opsRG/testVM (opsVault)
    assert {s.split("/")[4] for s in sources} == {"testRG", "testRG1", "opsRG"}


def items_list(server, vault):
    return list(requests.get(f"{server.url}{vault}/backupProtectedItems?api-version={API}",
                             headers=AUTH).json()["value"])


def test_linux_vms_have_no_app_consistent_point(server):
    found = items(server)
    for name in ("linuxWeb", "linuxDb"):
        kinds = {p["properties"]["recoveryPointType"] for p in points(server, found[name])}
        assert kinds == {"FileSystemConsistent", "CrashConsistent"}, name
    kinds = {p["properties"]["recoveryPointType"] for p in points(server, found["testVM"])}
    assert "AppConsistent" in kinds


def test_failed_attempts_are_failed_backup_jobs(server):
    jobs = requests.get(f"{server.url}{OPS}/backupJobs", params={
        "api-version": API, "$filter": "operation eq 'Backup' and status eq 'Failed'"}, headers=AUTH).json()["value"]
    by_vm: dict[str, int] = {}
    for job in jobs:
        by_vm[job["properties"]["entityFriendlyName"]] = by_vm.get(job["properties"]["entityFriendlyName"], 0) + 1
        assert job["properties"]["errorDetails"][0]["errorString"].startswith(("UserErrorGuestAgentStatusUnavailable",
                                                                               "ExtensionSnapshotFailedNoNetwork"))
    assert by_vm == {"stalledVM": 5, "flakyVM": 1}


def test_health_filter_on_the_item_list(server):
    r = requests.get(f"{server.url}{OPS}/backupProtectedItems", params={
        "api-version": API, "$filter": "healthState eq 'ActionRequired'"}, headers=AUTH).json()["value"]
    assert [i["properties"]["friendlyName"] for i in r] == ["stalledVM"]


def test_generated_fleet_has_the_same_stories(server):
    fleet = items(server, OPS.replace("opsVaultRG", "fleetRG").replace("opsVault", "fleetVault"))
    assert len(fleet) == 60
    states = {name: (i["properties"]["protectionState"], i["properties"]["lastBackupStatus"])
              for name, i in fleet.items()}
    assert states["fleet-vm-0007"] == ("Protected", "Failed") and fleet_history(7) is STALLED
    assert states["fleet-vm-0013"] == ("Protected", "Failed") and fleet_history(13) is LAST_FAILED
    assert states["fleet-vm-0025"] == ("ProtectionStopped", "Completed") and fleet_history(25) is STOPPED
    assert states["fleet-vm-0050"][0] == "ProtectionPaused"
    assert sum(1 for s in states.values() if s == ("Protected", "Completed")) == 60 - 6 - 1 - 1
    stalled = fleet["fleet-vm-0047"]["properties"]
    assert timedelta(days=4, hours=23) <= AS_OF - when(stalled["lastRecoveryPoint"]) <= timedelta(days=6)
    linux = fleet["fleet-vm-0003"]
    kinds = {p["properties"]["recoveryPointType"] for p in points(server, linux)}
    assert "AppConsistent" not in kinds and "FileSystemConsistent" in kinds
