"""Restore: body validation codes, the long-running operation, jobs with progress, cancel, job filters."""

from __future__ import annotations

import pytest
import requests

from .conftest import API, AUTH, ITEM, MULTI, SUB, VAULT, account_id, vm_id

NET = f"/subscriptions/{SUB}/resourceGroups/targetRG/providers/Microsoft.Network/virtualNetworks/testNet"
ALR = {"recoveryType": "AlternateLocation", "recoveryPointId": "348916168024334",
       "targetVirtualMachineId": f"/subscriptions/{SUB}/resourceGroups/targetRG/providers/Microsoft.Compute/virtualmachines/targetVM",
       "targetResourceGroupId": f"/subscriptions/{SUB}/resourceGroups/targetRG",
       "storageAccountId": account_id("testRG", "testingAccount"), "virtualNetworkId": NET,
       "subnetId": f"{NET}/subnets/default"}


def _post(srv, body, rp="20982486783671", item=ITEM, version=API):
    return requests.post(f"{srv.url}{item}/recoveryPoints/{rp}/restore?api-version={version}", json=body, headers=AUTH)


def _archived_point(srv):
    points = requests.get(f"{srv.url}{ITEM}/recoveryPoints?api-version={API}&$filter=startDate eq '2020-01-01' "
                          "and endDate eq '2030-01-01'", headers={**AUTH}).json()
    url = points.get("nextLink")
    values = points["value"]
    while url:
        page = requests.get(url, headers=AUTH).json()
        values += page["value"]
        url = page.get("nextLink")
    return next(p["name"] for p in values if p["properties"]["recoveryPointTierDetails"][0]["type"] == "ArchivedRP")


@pytest.mark.parametrize(("overrides", "code"), [
    ({"objectType": ...}, "BMSUserErrorMissingObjectType"),
    ({"objectType": "Nonsense"}, "BMSUserErrorInvalidObjectType"),
    ({"objectType": "AzureFileShareRestoreRequest"}, "BMSUserErrorInvalidObjectType"),
    ({"recoveryType": ...}, "UserErrorMissingRecoveryType"),
    ({"recoveryType": "Offline"}, "UserErrorInvalidRecoveryType"),
    ({"recoveryPointId": "23358112038108"}, "UserErrorRecoveryPointIdMismatch"),
    ({"sourceResourceId": ...}, "UserErrorMissingSourceResourceId"),
    ({"sourceResourceId": vm_id("testRG", "otherVM")}, "UserErrorSourceResourceIdMismatch"),
    ({"storageAccountId": ...}, "UserErrorStorageAccountMissing"),
    ({"storageAccountId": account_id("testRG", "ghost")}, "UserErrorStorageAccountNotFound"),
    ({"storageAccountId": "not-an-id"}, "UserErrorInvalidResourceId"),
    ({"storageAccountId": account_id("crrRG", "eastAccount")}, "UserErrorStorageAccountInDifferentRegion"),
    ({"storageAccountId": account_id("testRG", "zrsAccount")}, "UserErrorZoneRedundantStorageAccountNotSupported"),
    ({"storageAccountId": account_id("testRG", "premiumAccount")}, "UserErrorPremiumStorageAccountNotSupported"),
    ({"region": "eastus"}, "UserErrorRestoreRegionMismatch"),
    ({"restoreDiskLunList": [5]}, "UserErrorRestoreDiskLunNotInRecoveryPoint"),
    ({"restoreDiskLunList": ["0"]}, "BMSUserErrorInvalidInput"),
    ({"recoveryType": "OriginalLocation", "targetVirtualMachineId": ALR["targetVirtualMachineId"]},
     "UserErrorInvalidParameterForOriginalLocation"),
    ({"recoveryType": "OriginalLocation", "virtualNetworkId": NET}, "UserErrorInvalidParameterForOriginalLocation"),
    ({"recoveryType": "OriginalLocation", "restoreDiskLunList": [0]}, "UserErrorSelectiveDiskRestoreNotSupported"),
    ({"zones": ["1"]}, "UserErrorZonesNotSupportedInRegion"),
    ({"zones": ["7"]}, "UserErrorInvalidZone"),
    ({"recoveryType": "OriginalLocation", "zones": ["1"]}, "UserErrorZonesNotSupportedForOriginalLocation"),
    ({"identityInfo": {"isSystemAssignedIdentity": False}}, "UserErrorInvalidIdentityInfo"),
    ({"objectType": "IaasVMRestoreWithRehydrationRequest",
      "recoveryPointRehydrationInfo": {"rehydrationRetentionDuration": "P15D", "rehydrationPriority": "High"}},
     "UserErrorRecoveryPointNotInArchiveTier"),
])
def test_validation_codes(srv, restore_body, overrides, code):
    r = _post(srv, restore_body(**overrides))
    assert r.status_code == 400, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["error"]["code"] == code


@pytest.mark.parametrize(("overrides", "code"), [
    ({"targetVirtualMachineId": ...}, "UserErrorTargetVirtualMachineIdMissing"),
    ({"targetResourceGroupId": ...}, "UserErrorTargetResourceGroupMissing"),
    ({"virtualNetworkId": ...}, "UserErrorVirtualNetworkIdMissing"),
    ({"subnetId": ...}, "UserErrorSubnetIdMissing"),
    ({"subnetId": f"{NET}/subnets/nowhere"}, "UserErrorSubnetNotInVirtualNetwork"),
    ({"targetResourceGroupId": f"/subscriptions/{SUB}/resourceGroups/ghostRG"}, "UserErrorTargetResourceGroupNotFound"),
    ({"virtualNetworkId": NET.replace("testNet", "ghostNet")}, "UserErrorVirtualNetworkNotFound"),
    ({"targetVirtualMachineId": vm_id("testRG", "targetVM")}, "UserErrorTargetVmNotInTargetResourceGroup"),
])
def test_alternate_location_rules(srv, restore_body, overrides, code):
    body = restore_body("348916168024334", **{**ALR, **overrides})
    r = _post(srv, body, rp="348916168024334")
    assert r.status_code == 400 and r.json()["error"]["code"] == code, r.text


def test_documented_bodies_accepted(srv, restore_body):
    assert _post(srv, restore_body()).status_code == 202
    assert _post(srv, restore_body(restoreDiskLunList=[0]), version="2019-05-13").status_code == 202
    olr = restore_body(recoveryType="OriginalLocation", affinityGroup="", diskEncryptionSetId=None, subnetId=None,
                       targetDomainNameId=None, targetResourceGroupId=None, targetVirtualMachineId=None,
                       virtualNetworkId=None)
    assert _post(srv, olr).status_code == 202
    assert _post(srv, restore_body("348916168024334", **ALR), rp="348916168024334").status_code == 202


def test_unknown_point_and_bad_json(srv, restore_body):
    assert _post(srv, restore_body("1"), rp="1").status_code == 404
    r = requests.post(f"{srv.url}{ITEM}/recoveryPoints/20982486783671/restore?api-version={API}", data="{nope",
                      headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidRequestContent"


def test_field_newer_than_api_version(srv, restore_body):
    r = _post(srv, restore_body(securedVMDetails={"securedVMOsDiskEncryptionSetId": "x"}), version="2019-05-13")
    assert r.json()["error"]["code"] == "BMSUserErrorPropertyNotSupportedInApiVersion"


def test_selective_luns_on_multi_disk(srv, restore_body):
    body = restore_body(**{"sourceResourceId": vm_id("testRG", "multiDiskVM")})
    latest = requests.get(f"{srv.url}{MULTI}/recoveryPoints?api-version={API}", headers=AUTH).json()["value"][0]["name"]
    body["properties"]["recoveryPointId"] = latest
    body["properties"]["restoreDiskLunList"] = [0, 2]
    assert _post(srv, body, rp=latest, item=MULTI).status_code == 202
    body["properties"]["restoreDiskLunList"] = [3]  # excluded from recent backups
    r = _post(srv, body, rp=latest, item=MULTI)
    assert r.json()["error"]["code"] == "UserErrorRestoreDiskLunNotInRecoveryPoint"


def test_archive_rehydration_rules(srv, restore_body):
    rp = _archived_point(srv)
    r = _post(srv, restore_body(rp), rp=rp)
    assert r.json()["error"]["code"] == "UserErrorRecoveryPointRehydrationRequired"
    base = {"objectType": "IaasVMRestoreWithRehydrationRequest"}
    for info, code in (({"rehydrationRetentionDuration": "P5D", "rehydrationPriority": "High"},
                        "UserErrorInvalidRehydrationRetentionDuration"),
                       ({"rehydrationRetentionDuration": "P31D", "rehydrationPriority": "High"},
                        "UserErrorInvalidRehydrationRetentionDuration"),
                       ({"rehydrationRetentionDuration": "P10D", "rehydrationPriority": "Urgent"},
                        "UserErrorInvalidRehydrationPriority")):
        r = _post(srv, restore_body(rp, **base, recoveryPointRehydrationInfo=info), rp=rp)
        assert r.json()["error"]["code"] == code
    ok = restore_body(rp, **base, recoveryPointRehydrationInfo={"rehydrationRetentionDuration": "P30D",
                                                                "rehydrationPriority": "Standard"})
    assert _post(srv, ok, rp=rp).status_code == 202
    assert _post(srv, ok, rp=rp, version="2019-05-13").json()["error"]["code"] == \
        "BMSUserErrorPropertyNotSupportedInApiVersion"


def test_identity_on_unmanaged_vm(srv, restore_body):
    item = ITEM.replace("testVM", "unmanagedVM")
    rp = requests.get(f"{srv.url}{item}/recoveryPoints?api-version={API}", headers=AUTH).json()["value"][0]["name"]
    body = restore_body(rp, sourceResourceId=vm_id("testRG", "unmanagedVM"),
                        identityInfo={"isSystemAssignedIdentity": True})
    assert _post(srv, body, rp=rp, item=item).json()["error"]["code"] == "UserErrorIdentityNotSupportedForUnmanagedVm"


def test_lro_sequence_and_job_progress(make_srv, restore_body):
    srv = make_srv(job_seconds=20, retry_after=1, throttle=False)
    r = _post(srv, restore_body())
    assert r.status_code == 202 and r.content == b""
    assert r.headers["Retry-After"] == "1"
    status_url, result_url = r.headers["Azure-AsyncOperation"], r.headers["Location"]
    assert "/operationsStatus/" in status_url and "/operationResults/" in result_url
    assert f"api-version={API}" in status_url
    s = requests.get(status_url, headers=AUTH)
    assert s.json()["status"] == "InProgress" and s.headers["Retry-After"] == "1"
    res = requests.get(result_url, headers=AUTH)
    assert res.status_code == 202 and res.headers["Location"] and res.headers["Retry-After"] == "1"
    srv.state.clock.advance(2)
    s = requests.get(status_url, headers=AUTH).json()
    assert s["status"] == "Succeeded" and s["properties"]["objectType"] == "OperationStatusJobExtendedInfo"
    assert requests.get(result_url, headers=AUTH).status_code == 204
    op_id = s["id"]
    assert requests.get(f"{srv.url}{VAULT}/backupOperations/{op_id}?api-version={API}",
                        headers=AUTH).json()["status"] == "Succeeded"
    assert requests.get(f"{srv.url}{VAULT}/backupOperationResults/{op_id}?api-version={API}",
                        headers=AUTH).status_code == 204
    job_url = f"{srv.url}{VAULT}/backupJobs/{s['properties']['jobId']}?api-version={API}"
    j = requests.get(job_url, headers=AUTH).json()["properties"]
    assert j["status"] == "InProgress" and j["operation"] == "Restore" and j["actionsInfo"] == ["Cancellable"]
    first = j["extendedInfo"]["progressPercentage"]
    assert 0 < first < 100
    assert j["extendedInfo"]["tasksList"][0]["taskId"] == "Transfer data from vault"
    assert j["extendedInfo"]["propertyBag"]["Target VM Name"] == "vmName"  # Azure's placeholder: no VM is made
    assert "Config Blob Uri" not in j["extendedInfo"]["propertyBag"]  # written once the job completed
    assert j["extendedInfo"]["internalPropertyBag"] == {"restoreLocationType": "RestoreDisks"}
    srv.state.clock.advance(8)
    assert requests.get(job_url, headers=AUTH).json()["properties"]["extendedInfo"]["progressPercentage"] > first
    srv.state.clock.advance(20)
    j = requests.get(job_url, headers=AUTH).json()["properties"]
    assert j["status"] == "Completed" and j["endTime"] and j["duration"].startswith("PT")
    assert j["extendedInfo"]["propertyBag"]["Config Blob Uri"].startswith("https://testaccount.blob.core.windows.net/")
    assert j["extendedInfo"]["estimatedRemainingDuration"] == "PT0S"
    assert j["extendedInfo"]["tasksList"][0]["status"] == "Completed"


def test_cancel_over_http(make_srv, restore_body):
    srv = make_srv(job_seconds=30, throttle=False)
    _post(srv, restore_body("348916168024334", **ALR), rp="348916168024334")
    job = next(j for j in srv.state.jobs.values() if j.operation == "Restore")
    assert job.property_bag["Target VM Name"] == "targetVM"
    r = requests.post(f"{srv.url}{VAULT}/backupJobs/{job.id}/cancel?api-version={API}", headers=AUTH)
    assert r.status_code == 202 and f"/backupJobs/{job.id}/operationResults/" in r.headers["Location"]
    assert requests.get(r.headers["Location"], headers=AUTH).status_code == 202
    status = requests.get(f"{srv.url}{VAULT}/backupJobs/{job.id}?api-version={API}", headers=AUTH).json()
    assert status["properties"]["status"] == "Cancelling"
    srv.state.clock.advance(2)
    assert requests.get(r.headers["Location"], headers=AUTH).status_code == 204
    status = requests.get(f"{srv.url}{VAULT}/backupJobs/{job.id}?api-version={API}", headers=AUTH).json()
    assert status["properties"]["status"] == "Cancelled"
    again = requests.post(f"{srv.url}{VAULT}/backupJobs/{job.id}/cancel?api-version={API}", headers=AUTH)
    assert again.status_code == 400
    missing = requests.get(f"{srv.url}{VAULT}/backupJobs/nope?api-version={API}", headers=AUTH)
    assert missing.status_code == 404


def test_jobs_filter_and_paging(make_srv, restore_body):
    srv = make_srv(job_seconds=60, throttle=False)
    _post(srv, restore_body())
    url = f"{srv.url}{VAULT}/backupJobs"
    flt = ("operation eq 'Restore' and status eq 'InProgress' and startTime eq '2016-01-01 00:00:00 AM' "
           "and endTime eq '2099-11-29 00:00:00 AM' and backupManagementType eq 'AzureIaasVM'")
    restores = requests.get(url, params={"api-version": API, "$filter": flt}, headers=AUTH).json()
    assert len(restores["value"]) == 1 and "nextLink" not in restores
    job_id = restores["value"][0]["name"]
    by_id = requests.get(url, params={"api-version": API, "$filter": f"jobId eq '{job_id}'"}, headers=AUTH).json()
    assert [j["name"] for j in by_id["value"]] == [job_id]
    backups = requests.get(url, params={"api-version": API, "$filter": "operation eq 'Backup'"}, headers=AUTH).json()
    assert len(backups["value"]) == 50 and "$skipToken" in requests.utils.unquote(backups["nextLink"])
    future = requests.get(url, params={"api-version": API, "$filter": "startTime eq '2099-01-01 00:00:00 AM'"},
                          headers=AUTH).json()
    assert future["value"] == []
    bad = requests.get(url, params={"api-version": API, "$filter": "weather eq 'sunny'"}, headers=AUTH)
    assert bad.status_code == 400


def test_fail_rate_is_deterministic(make_srv, restore_body):
    outcomes = []
    for _ in range(2):
        srv = make_srv(job_seconds=1, fail_rate=0.5, seed=7, throttle=False)
        for _ in range(6):
            _post(srv, restore_body())
        srv.state.clock.advance(5)
        jobs = [requests.get(f"{srv.url}{VAULT}/backupJobs/{j.id}?api-version={API}", headers=AUTH).json()
                for j in sorted(srv.state.jobs.values(), key=lambda j: j.start) if j.operation == "Restore"]
        outcomes.append([j["properties"]["status"] for j in jobs])
        failed = [j for j in jobs if j["properties"]["status"] == "Failed"]
        for j in failed:
            err = j["properties"]["errorDetails"][0]
            assert isinstance(err["errorCode"], int) and err["errorTitle"] and err["recommendations"]
    assert outcomes[0] == outcomes[1]
    assert "Failed" in outcomes[0] and "Completed" in outcomes[0]
