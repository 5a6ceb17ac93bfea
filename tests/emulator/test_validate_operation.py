"""The service's own validation: Operation_Validate and ValidateOperation_Trigger (raw HTTP and official client).

The rules are the restore trigger's; these tests also cover the rules that look at the estate.
"""

from __future__ import annotations

import pytest
import requests
from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient
from azure.mgmt.recoveryservicesbackup.models import (
    IaasVMRestoreRequest,
    ValidateIaasVMRestoreOperationRequest,
    ValidateOperationRequestResource,
)

from .conftest import API, AUTH, ITEM, SUB, VAULT, account_id, vm_id
from .test_sdk_referee import FakeCredential, PlainBearer

RG = f"/subscriptions/{SUB}/resourceGroups"
NET = f"{RG}/targetRG/providers/Microsoft.Network/virtualNetworks/testNet"
RP = "348916168024334"
DES = f"{RG}/testRG/providers/Microsoft.Compute/diskEncryptionSets/testDES"


def _request(**overrides: object) -> dict:
    props = {"objectType": "IaasVMRestoreRequest", "recoveryPointId": RP, "recoveryType": "RestoreDisks",
             "sourceResourceId": vm_id("testRG", "testVM"), "storageAccountId": account_id("testRG", "testAccount"),
             "region": "westus", "createNewCloudService": False, "originalStorageAccountOption": False,
             "encryptionDetails": {"encryptionEnabled": False}}
    props.update(overrides)
    return {k: v for k, v in props.items() if v is not ...}


def _validate(srv, restore: dict, version: str = API, rp: str = RP) -> requests.Response:
    body = {"id": f"{ITEM}/recoveryPoints/{rp}",
            "properties": {"objectType": "ValidateIaasVMRestoreOperationRequest", "restoreRequest": restore}}
    return requests.post(f"{srv.url}{VAULT}/backupValidateOperation?api-version={version}", json=body, headers=AUTH)


def _restore(srv, restore: dict) -> requests.Response:
    return requests.post(f"{srv.url}{ITEM}/recoveryPoints/{RP}/restore?api-version={API}",
                         json={"properties": restore}, headers=AUTH)


def _codes(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["code"] for r in response.json()["validateOperationResponse"]["validationResults"]]


def test_valid_request_has_no_results(srv):
    r = _validate(srv, _request())
    assert r.json() == {"validateOperationResponse": {"validationResults": []}}
    alr = _request(recoveryType="AlternateLocation", targetVirtualMachineId=vm_id("targetRG", "validatedVM"),
                   targetResourceGroupId=f"{RG}/targetRG", virtualNetworkId=NET, subnetId=f"{NET}/subnets/default",
                   diskEncryptionSetId=DES)
    assert _codes(_validate(srv, alr)) == []
    assert srv.state.estate.inventory.vm_reservation("targetRG", "validatedVM") is None  # validating reserves nothing


def test_every_problem_is_one_result_with_a_recommendation(srv):
    bad = _request(storageAccountId=account_id("testRG", "zrsAccount"), region="eastus", restoreDiskLunList=[7],
                   zones=["1"], diskEncryptionSetId=DES.replace("testDES", "ghostDES"))
    r = _validate(srv, bad)
    results = r.json()["validateOperationResponse"]["validationResults"]
    assert [x["code"] for x in results] == [
        "UserErrorRestoreRegionMismatch", "UserErrorZoneRedundantStorageAccountNotSupported",
        "UserErrorRestoreDiskLunNotInRecoveryPoint", "UserErrorZonesNotSupportedInRegion",
        "UserErrorDiskEncryptionSetNotFound"]
    assert all(x["message"] and len(x["recommendations"]) == 1 and x["recommendations"][0] for x in results)
    # One rule set: the restore trigger refuses the same body with the first of those codes.
    assert _restore(srv, bad).json()["error"]["code"] == results[0]["code"]


@pytest.mark.parametrize(("overrides", "code"), [
    ({"storageAccountId": account_id("testRG", "blobAccount")}, "UserErrorStorageAccountKindNotSupported"),
    ({"storageAccountId": account_id("crrRG", "eastAccount")}, "UserErrorStorageAccountInDifferentRegion"),
    ({"storageAccountId": account_id("testRG", "ghost")}, "UserErrorStorageAccountNotFound"),
    ({"targetResourceGroupId": f"{RG}/ghostRG"}, "UserErrorTargetResourceGroupNotFound"),
    ({"diskEncryptionSetId": DES.replace("testDES", "ghostDES")}, "UserErrorDiskEncryptionSetNotFound"),
    ({"diskEncryptionSetId": "/subscriptions/x/not-a-des"}, "UserErrorInvalidResourceId"),
    ({"recoveryType": "AlternateLocation", "targetVirtualMachineId": vm_id("testRG", "multiDiskVM"),
      "targetResourceGroupId": f"{RG}/testRG", "virtualNetworkId": NET, "subnetId": f"{NET}/subnets/default"},
     "UserErrorTargetVmAlreadyExists"),
    ({"recoveryType": "AlternateLocation", "targetVirtualMachineId": vm_id("targetRG", "v2"),
      "targetResourceGroupId": f"{RG}/targetRG", "virtualNetworkId": NET,
      "subnetId": f"{RG}/crrRG/providers/Microsoft.Network/virtualNetworks/eastNet/subnets/default"},
     "UserErrorSubnetNotInVirtualNetwork"),
    ({"recoveryType": "AlternateLocation", "targetVirtualMachineId": vm_id("targetRG", "v3"),
      "targetResourceGroupId": f"{RG}/targetRG",
      "virtualNetworkId": f"{RG}/crrRG/providers/Microsoft.Network/virtualNetworks/eastNet",
      "subnetId": f"{RG}/crrRG/providers/Microsoft.Network/virtualNetworks/eastNet/subnets/default"},
     "UserErrorVirtualNetworkInDifferentRegion"),
])
def test_estate_rules_answer_the_same_code_on_both_paths(srv, overrides, code):
    restore = _request(**overrides)
    assert _codes(_validate(srv, restore)) == [code]
    r = _restore(srv, restore)
    assert r.status_code == 400 and r.json()["error"]["code"] == code


def test_zone_and_encryption_set_of_another_region(srv):
    item = (f"{RG}/crrRG/providers/Microsoft.RecoveryServices/vaults/crrVault/backupFabrics/Azure/protectionContainers/"
            "IaasVMContainer;iaasvmcontainerv2;zoneRG;zoneVM/protectedItems/VM;iaasvmcontainerv2;zoneRG;zoneVM")
    rp = requests.get(f"{srv.url}{item}/recoveryPoints?api-version={API}", headers=AUTH).json()["value"][0]["name"]
    restore = _request(recoveryPointId=rp, sourceResourceId=vm_id("zoneRG", "zoneVM"), region="eastus",
                       storageAccountId=account_id("crrRG", "eastAccount"), zones=["3"], diskEncryptionSetId=DES)
    body = {"id": f"{item}/recoveryPoints/{rp}",
            "properties": {"objectType": "ValidateIaasVMRestoreOperationRequest", "restoreRequest": restore}}
    vault = item.split("/backupFabrics/")[0]
    r = requests.post(f"{srv.url}{vault}/backupValidateOperation?api-version={API}", json=body, headers=AUTH)
    assert _codes(r) == ["UserErrorDiskEncryptionSetInDifferentRegion"]  # zone 3 is one eastus offers


def test_body_shape_follows_the_api_version(srv):
    bare = {"objectType": "ValidateIaasVMRestoreOperationRequest", "restoreRequest": _request()}
    old = requests.post(f"{srv.url}{VAULT}/backupValidateOperation?api-version=2021-07-01", json=bare, headers=AUTH)
    assert _codes(old) == []
    bad_lun = {**bare, "restoreRequest": _request(restoreDiskLunList=[9])}
    old = requests.post(f"{srv.url}{VAULT}/backupValidateOperation?api-version=2019-05-13", json=bad_lun, headers=AUTH)
    assert _codes(old) == ["UserErrorRestoreDiskLunNotInRecoveryPoint"]
    wrapped_to_old = _validate(srv, _request(), version="2021-07-01")
    assert wrapped_to_old.status_code == 400 and wrapped_to_old.json()["error"]["code"] == "BMSUserErrorMissingObjectType"
    bare_to_new = requests.post(f"{srv.url}{VAULT}/backupValidateOperation?api-version={API}", json=bare, headers=AUTH)
    assert bare_to_new.status_code == 400 and bare_to_new.json()["error"]["target"] == "id"
    too_old = _validate(srv, _request(), version="2016-12-01")
    assert too_old.status_code == 400 and too_old.json()["error"]["code"] == "InvalidApiVersionParameter"
    other_type = requests.post(f"{srv.url}{VAULT}/backupValidateOperation?api-version={API}", headers=AUTH, json={
        "id": f"{ITEM}/recoveryPoints/{RP}", "properties": {"objectType": "ValidateRestoreOperationRequest",
                                                            "restoreRequest": _request()}})
    assert other_type.json()["error"]["code"] == "BMSUserErrorInvalidObjectType"


def test_unknown_item_or_point_is_a_404(srv):
    r = _validate(srv, _request(recoveryPointId="1"), rp="1")
    assert r.status_code == 404 and r.json()["error"]["code"] == "UserErrorRecoveryPointNotFound"
    bare = {"objectType": "ValidateIaasVMRestoreOperationRequest",
            "restoreRequest": _request(sourceResourceId=vm_id("testRG", "ghostVM"))}
    r = requests.post(f"{srv.url}{VAULT}/backupValidateOperation?api-version=2022-01-01", json=bare, headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "BMSUserErrorObjectNotFound"


def test_trigger_then_status_and_results(make_srv):
    srv = make_srv(job_seconds=20, retry_after=3, throttle=False)
    body = {"id": f"{ITEM}/recoveryPoints/{RP}", "properties": {
        "objectType": "ValidateIaasVMRestoreOperationRequest",
        "restoreRequest": _request(storageAccountId=account_id("testRG", "blobAccount"))}}
    r = requests.post(f"{srv.url}{VAULT}/backupTriggerValidateOperation?api-version={API}", json=body, headers=AUTH)
    assert r.status_code == 202 and r.content == b"" and r.headers["Retry-After"] == "3"
    location, status_url = r.headers["Location"], r.headers["Azure-AsyncOperation"]
    assert "/backupValidateOperationResults/" in location and "/backupValidateOperationsStatuses/" in status_url
    pending = requests.get(location, headers=AUTH)
    assert pending.status_code == 202 and pending.headers["Location"] == location
    status = requests.get(status_url, headers=AUTH).json()
    assert status["status"] == "InProgress" and "properties" not in status
    srv.state.clock.advance(2)
    done = requests.get(location, headers=AUTH)
    assert done.status_code == 200
    assert _codes(done) == ["UserErrorStorageAccountKindNotSupported"]
    status = requests.get(status_url, headers=AUTH).json()
    assert status["status"] == "Succeeded" and status["endTime"]
    assert status["properties"] == {"objectType": "OperationStatusValidateOperationExtendedInfo",
                                    **done.json()}
    other_vault = VAULT.replace("testVaultRG", "crrRG").replace("testVault", "crrVault")
    op = location.rsplit("/", 1)[1].split("?")[0]
    r = requests.get(f"{srv.url}{other_vault}/backupValidateOperationResults/{op}?api-version={API}", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "BMSUserErrorOperationNotFound"
    r = requests.post(f"{srv.url}{VAULT}/backupTriggerValidateOperation?api-version=2021-07-01", headers=AUTH,
                      json={"objectType": "ValidateIaasVMRestoreOperationRequest", "restoreRequest": _request()})
    assert r.json()["error"]["code"] == "InvalidApiVersionParameter"


def _sdk_body(**overrides: object) -> ValidateOperationRequestResource:
    fields = {"recovery_point_id": RP, "recovery_type": "RestoreDisks", "source_resource_id": vm_id("testRG", "testVM"),
              "storage_account_id": account_id("testRG", "testAccount"), "region": "westus", **overrides}
    restore = IaasVMRestoreRequest(**fields)
    return ValidateOperationRequestResource(id=f"{ITEM}/recoveryPoints/{RP}",
                                            properties=ValidateIaasVMRestoreOperationRequest(restore_request=restore))


def test_official_client_validate_and_trigger(srv):
    client = RecoveryServicesBackupClient(FakeCredential(), SUB, base_url=srv.url,
                                          authentication_policy=PlainBearer(), polling_interval=0.05)
    ok = client.operation.validate("testVault", "testVaultRG", _sdk_body())
    assert ok.validate_operation_response.validation_results == []
    bad = client.operation.validate("testVault", "testVaultRG",
                                    _sdk_body(storage_account_id=account_id("testRG", "premiumAccount"),
                                              restore_disk_lun_list=[4]))
    assert [r.code for r in bad.validate_operation_response.validation_results] == [
        "UserErrorPremiumStorageAccountNotSupported", "UserErrorStorageAccountKindNotSupported",
        "UserErrorRestoreDiskLunNotInRecoveryPoint"]
    before = set(srv.state.validations)
    poller = client.validate_operation.begin_trigger("testVault", "testVaultRG",
                                                     _sdk_body(zones=["1"]), polling_interval=0.05)
    assert poller.result(timeout=10) is None and poller.status().lower() == "succeeded"
    (op,) = set(srv.state.validations) - before
    results = client.validate_operation_results.get("testVault", "testVaultRG", op)
    assert [r.code for r in results.validate_operation_response.validation_results] == [
        "UserErrorZonesNotSupportedInRegion"]
    status = client.validate_operation_statuses.get("testVault", "testVaultRG", op)
    assert status.status == "Succeeded"
    assert status.properties.object_type == "OperationStatusValidateOperationExtendedInfo"
