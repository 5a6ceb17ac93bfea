"""Soft delete: the vault's settings, DELETE of a protected item leaving it soft-deleted, the purge clock, undelete,
what a soft-deleted item refuses; the official SDK as referee."""

from __future__ import annotations

import re

import pytest
import requests
from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient
from azure.mgmt.recoveryservicesbackup.models import (
    AzureIaaSComputeVMProtectedItem,
    BackupResourceVaultConfig,
    BackupResourceVaultConfigResource,
    ProtectedItemResource,
)

from restorekit.emulator.providers.backup import lookups, protection, vault_config

from .conftest import AUTH, SUB, VAULT, account_id, vm_id
from .spec_bodies import assert_answer_valid, assert_request_valid
from .test_sdk_referee import FakeCredential, PlainBearer

API = "2026-02-01"
CONFIG = f"{VAULT}/backupconfig/vaultconfig"
ITEM = (f"{VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;testRG;{{vm}}"
        "/protectedItems/VM;iaasvmcontainerv2;testRG;{vm}")
DAY = 86400


class Api:
    def __init__(self, srv) -> None:
        self.srv = srv
        self.s = requests.Session()
        self.s.headers.update(AUTH)

    def call(self, method: str, path: str, json: object = None, version: str = API) -> requests.Response:
        return self.s.request(method, f"{self.srv.url}{path}", params={"api-version": version}, json=json)

    def get(self, path: str, version: str = API) -> requests.Response:
        return self.call("GET", path, version=version)

    def follow(self, answer: requests.Response) -> dict:
        """The operation's status once its job had time to finish."""
        self.srv.state.clock.advance(self.srv.state.settings.job_seconds + 1)
        return self.get(answer.headers["Azure-AsyncOperation"].split("?")[0].replace(self.srv.url, "")).json()

    def delete(self, vm: str = "testVM") -> dict:
        answer = self.call("DELETE", ITEM.format(vm=vm))
        assert answer.status_code == 202, answer.text
        return self.follow(answer)

    def undelete(self, vm: str = "testVM") -> requests.Response:
        payload = {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "policyId": "",
                                  "protectionState": "ProtectionStopped", "sourceResourceId": vm_id("testRG", vm),
                                  "isRehydrate": True}}
        assert_request_valid("ProtectedItemResource", payload)
        return self.call("PUT", ITEM.format(vm=vm), payload)

    def restore(self, vm: str = "testVM") -> requests.Response:
        rp = self.get(f"{ITEM.format(vm=vm)}/recoveryPoints").json()["value"][0]
        return self.call("POST", f"{rp['id']}/restore", {"properties": {
            "objectType": "IaasVMRestoreRequest", "recoveryPointId": rp["name"], "recoveryType": "RestoreDisks",
            "sourceResourceId": vm_id("testRG", vm), "storageAccountId": account_id("testRG", "testAccount"),
            "region": "westus", "originalStorageAccountOption": False}})


@pytest.fixture
def api(make_srv):
    return Api(make_srv(as_of="2026-11-20T12:00:00Z", job_seconds=30))


def test_vault_config_answers_as_recorded_and_validates_updates(api):
    config = api.get(CONFIG).json()
    assert config == {"id": CONFIG, "name": "vaultconfig", "type": "Microsoft.RecoveryServices/vaults/backupconfig",
                      "properties": {"enhancedSecurityState": "Enabled", "softDeleteFeatureState": "Enabled",
                                     "softDeleteRetentionPeriodInDays": 14, "isSoftDeleteFeatureStateEditable": True}}
    assert_answer_valid("BackupResourceVaultConfigResource", config)
    change = {"properties": {"enhancedSecurityState": "Enabled", "softDeleteFeatureState": "Enabled",
                             "softDeleteRetentionPeriodInDays": 30}}
    assert_request_valid("BackupResourceVaultConfigResource", change)
    assert api.call("PATCH", CONFIG, change).json()["properties"]["softDeleteRetentionPeriodInDays"] == 30
    for props in ({"softDeleteRetentionPeriodInDays": 7}, {"softDeleteRetentionPeriodInDays": 200},
                  {"softDeleteFeatureState": "Invalid"}, {"enhancedSecurityState": "Maybe"}):
        refused = api.call("PATCH", CONFIG, {"properties": props})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == vault_config.INVALID_INPUT
    assert api.call("PUT", CONFIG, {"properties": {"softDeleteFeatureState": "AlwaysON"}}).status_code == 200
    locked = api.call("PATCH", CONFIG, {"properties": {"softDeleteFeatureState": "Disabled"}})
    assert locked.status_code == 400 and locked.json()["error"]["code"] == "UserErrorSoftDeleteAlwaysOn"


def test_delete_leaves_the_item_soft_deleted_with_its_days_left_then_undelete_brings_it_back(api):
    path = ITEM.format(vm="testVM")
    answer = api.call("DELETE", path)
    assert answer.status_code == 202
    assert re.search(r"/backupOperations/[0-9a-f-]+\?api-version=", answer.headers["Azure-AsyncOperation"])
    assert "/backupOperationResults/" in answer.headers["Location"]
    running = api.get(answer.headers["Azure-AsyncOperation"].split("?")[0].replace(api.srv.url, "")).json()
    assert running["status"] == "InProgress"
    assert api.get(path).json()["properties"].get("isScheduledForDeferredDelete") is None  # not before the job ends
    status = api.follow(answer)
    assert status["status"] == "Succeeded"
    job = api.get(f"{VAULT}/backupJobs/{status['properties']['jobId']}").json()["properties"]
    assert (job["operation"], job["status"]) == ("DeleteBackupData", "Completed")
    assert job["extendedInfo"]["tasksList"] == [] and job["extendedInfo"]["propertyBag"]["VM Name"] == "testVM"
    item = api.get(path).json()
    assert_answer_valid("ProtectedItemResource", item)
    props = item["properties"]
    assert props["isScheduledForDeferredDelete"] is True and props["protectionState"] == "ProtectionStopped"
    assert props["deferredDeleteTimeRemaining"].startswith("13.23:")
    assert props["isDeferredDeleteScheduleUpcoming"] is False
    assert props["deferredDeleteTimeInUTC"].startswith("2026-11-20T12:00:")
    names = [i["properties"]["friendlyName"] for i in api.get(f"{VAULT}/backupProtectedItems").json()["value"]]
    assert "testVM" in names  # still listed, soft-deleted
    assert api.get(f"{path}/recoveryPoints").json()["value"]  # its points are still there

    # what a soft-deleted item refuses
    refused = api.restore()
    assert refused.status_code == 400 and refused.json()["error"]["code"] == lookups.SOFT_DELETED
    assert "Undelete it first" in refused.json()["error"]["message"]
    assert api.call("DELETE", path).json()["error"]["code"] == lookups.SOFT_DELETED
    rp = api.get(f"{path}/recoveryPoints").json()["value"][0]
    assert api.call("POST", f"{rp['id']}/provisionInstantItemRecovery", {"properties": {
        "objectType": "IaasVMILRRegistrationRequest"}}).json()["error"]["code"] == lookups.SOFT_DELETED

    api.srv.state.clock.advance(12 * DAY)
    props = api.get(path).json()["properties"]
    assert props["deferredDeleteTimeRemaining"].startswith("1.23:") and props["isDeferredDeleteScheduleUpcoming"]

    back = api.undelete()
    assert back.status_code == 202 and "/operationsStatus/" in back.headers["Azure-AsyncOperation"]
    status = api.follow(back)
    job = api.get(f"{VAULT}/backupJobs/{status['properties']['jobId']}").json()["properties"]
    assert (job["operation"], job["status"]) == ("Undelete", "Completed")
    props = api.get(path).json()["properties"]
    assert props["protectionState"] == "ProtectionStopped" and "isScheduledForDeferredDelete" not in props
    assert api.restore().status_code == 202  # restorable again
    api.srv.state.clock.advance(30 * DAY)
    assert api.get(path).status_code == 200  # no purge once undeleted


def test_the_purge_clock_removes_a_soft_deleted_item_and_its_points(api):
    api.delete("multiDiskVM")
    path = ITEM.format(vm="multiDiskVM")
    api.srv.state.clock.advance(14 * DAY - 120)
    assert api.get(path).json()["properties"]["isScheduledForDeferredDelete"] is True
    api.srv.state.clock.advance(120)
    gone = api.get(path)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "BMSUserErrorObjectNotFound"
    assert "multiDiskVM" not in [i["properties"]["friendlyName"]
                                 for i in api.get(f"{VAULT}/backupProtectedItems").json()["value"]]
    assert api.get(f"{path}/recoveryPoints").status_code == 404


def test_without_soft_delete_a_deleted_item_is_gone_once_its_job_completes(api):
    api.call("PATCH", CONFIG, {"properties": {"softDeleteFeatureState": "Disabled"}})
    api.delete("encryptedVM")
    assert api.get(ITEM.format(vm="encryptedVM")).status_code == 404


def test_undelete_of_an_item_not_deleted_and_bad_puts_are_refused(api):
    refused = api.undelete()
    assert refused.status_code == 400 and refused.json()["error"]["code"] == protection.NOT_SOFT_DELETED
    assert api.call("PUT", ITEM.format(vm="testVM"), {"properties": {"protectedItemType": "AzureFileShareProtectedItem"
                                                                     }}).status_code == 400
    assert api.call("PUT", ITEM.format(vm="testVM"), {}).status_code == 400


def test_soft_deleted_items_show_in_resource_graph(api):
    api.delete("testVM")
    answer = api.s.post(f"{api.srv.url}/providers/Microsoft.ResourceGraph/resources",
                        params={"api-version": "2022-10-01"},
                        json={"subscriptions": [SUB], "query": "RecoveryServicesResources | where "
                              "properties.isScheduledForDeferredDelete == 'true'"}).json()
    assert [row["properties"]["friendlyName"] for row in answer["data"]] == ["testVM"]


def test_the_official_sdk_deletes_reads_the_soft_deleted_item_and_undeletes_it(make_srv):
    srv = make_srv(as_of="2026-11-20T12:00:00Z", job_seconds=1)
    client = RecoveryServicesBackupClient(FakeCredential(), SUB, base_url=srv.url, authentication_policy=PlainBearer(),
                                          polling_interval=0.05)
    config = client.backup_resource_vault_configs.get("testVault", "testVaultRG")
    assert config.properties.soft_delete_feature_state == "Enabled"
    container, name = "IaasVMContainer;iaasvmcontainerv2;testRG;testVM", "VM;iaasvmcontainerv2;testRG;testVM"
    client.protected_items.delete("testVault", "testVaultRG", "Azure", container, name)
    srv.state.clock.advance(2)
    item = client.protected_items.get("testVault", "testVaultRG", "Azure", container, name)
    assert item.properties.is_scheduled_for_deferred_delete is True
    assert item.properties.deferred_delete_time_in_utc is not None
    poller = client.protected_items.begin_create_or_update(
        "testVault", "testVaultRG", "Azure", container, name,
        ProtectedItemResource(properties=AzureIaaSComputeVMProtectedItem(
            protection_state="ProtectionStopped", policy_id="", source_resource_id=vm_id("testRG", "testVM"),
            is_rehydrate=True)), polling_interval=0.05)
    srv.state.clock.advance(2)
    poller.result(timeout=10)
    item = client.protected_items.get("testVault", "testVaultRG", "Azure", container, name)
    assert item.properties.is_scheduled_for_deferred_delete is None
    assert item.properties["protectionState"] == "ProtectionStopped"  # SDK 11.2.0 reads the base model
    updated = client.backup_resource_vault_configs.update(
        "testVault", "testVaultRG", BackupResourceVaultConfigResource(properties=BackupResourceVaultConfig(
            soft_delete_feature_state="Enabled", soft_delete_retention_period_in_days=20)))
    assert updated.properties.soft_delete_retention_period_in_days == 20
