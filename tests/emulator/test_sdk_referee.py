"""The official azure-mgmt-recoveryservicesbackup client, unchanged, works against the emulator."""

from __future__ import annotations

import time

import pytest
from azure.core.credentials import AccessToken
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient
from azure.mgmt.recoveryservicesbackup.models import IaasVMRestoreRequest, RestoreRequestResource

from .conftest import SUB, account_id, vm_id

CONTAINER = "IaasVMContainer;iaasvmcontainerv2;testRG;testVM"
ITEM = "VM;iaasvmcontainerv2;testRG;testVM"


class FakeCredential:
    """A TokenCredential that hands out a fixed token."""

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken("fake-token", int(time.time()) + 3600)


class PlainBearer(SansIOHTTPPolicy):
    """Adds the bearer header over plain http (azure-core's own policy insists on https)."""

    def on_request(self, request):  # type: ignore[no-untyped-def]
        request.http_request.headers["Authorization"] = "Bearer fake-token"


@pytest.fixture
def client(srv):
    return RecoveryServicesBackupClient(FakeCredential(), SUB, base_url=srv.url, authentication_policy=PlainBearer(),
                                        polling_interval=0.05)


def test_list_protected_items(client):
    items = list(client.backup_protected_items.list("testVault", "testVaultRG",
                                                    filter="backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"))
    # SDK 11.2.0 does not resolve the nested discriminator "Microsoft.Compute/virtualMachines" (what the
    # service and the spec example send) to AzureIaaSComputeVMProtectedItem: read the raw mapping.
    names = {i.properties["friendlyName"] for i in items}
    assert {"testVM", "multiDiskVM", "encryptedVM"} <= names
    vm = next(i for i in items if i.properties["friendlyName"] == "testVM")
    assert vm.properties.protected_item_type == "Microsoft.Compute/virtualMachines"
    assert vm.properties["virtualMachineId"] == vm_id("testRG", "testVM")


def test_list_all_points_across_pages(client, srv):
    points = list(client.recovery_points.list("testVault", "testVaultRG", "Azure", CONTAINER, ITEM))
    names = [p.name for p in points]
    assert len(names) > 2 * srv.state.settings.effective_page_size  # several pages followed by the SDK
    assert len(set(names)) == len(names)
    assert {"20982486783671", "23358112038108", "348916168024334"} <= set(names)
    assert all(p.properties.object_type == "IaasVMRecoveryPoint" for p in points)
    tiers = {t.type for p in points for t in p.properties.recovery_point_tier_details}
    assert tiers == {"InstantRP", "HardenedRP", "ArchivedRP"}


def test_get_point(client):
    p = client.recovery_points.get("testVault", "testVaultRG", "Azure", CONTAINER, ITEM, "348916168024334")
    assert p.name == "348916168024334"
    assert p.properties.virtual_machine_size == "Standard_A1_v2"
    assert p.properties.recovery_point_disk_configuration.number_of_disks_included_in_backup == 2


def test_restore_poller_completes_and_job_reads(client, srv):
    body = RestoreRequestResource(properties=IaasVMRestoreRequest(
        recovery_point_id="348916168024334", recovery_type="RestoreDisks", source_resource_id=vm_id("testRG", "testVM"),
        storage_account_id=account_id("testRG", "testAccount"), region="westus", original_storage_account_option=False))
    poller = client.restores.begin_trigger("testVault", "testVaultRG", "Azure", CONTAINER, ITEM, "348916168024334",
                                           body, polling_interval=0.05)
    assert poller.result(timeout=10) is None
    assert poller.status().lower() == "succeeded"
    job_ids = [j.id for j in srv.state.jobs.values() if j.operation == "Restore" and j.vm_name == "testVM"]
    assert job_ids
    job = client.job_details.get("testVault", "testVaultRG", job_ids[-1])
    assert job.properties.job_type == "AzureIaaSVMJob"
    assert job.properties.operation == "Restore"
    assert job.properties.extended_info.property_bag["Target Storage Account Name"] == "testAccount"


def test_cancel_job(make_srv):
    server = make_srv(job_seconds=30, throttle=False)
    c = RecoveryServicesBackupClient(FakeCredential(), SUB, base_url=server.url, authentication_policy=PlainBearer())
    body = RestoreRequestResource(properties=IaasVMRestoreRequest(
        recovery_point_id="20982486783671", recovery_type="RestoreDisks", source_resource_id=vm_id("testRG", "testVM"),
        storage_account_id=account_id("testRG", "testAccount"), region="westus"))
    c.restores.begin_trigger("testVault", "testVaultRG", "Azure", CONTAINER, ITEM, "20982486783671", body,
                             polling_interval=0.05).result(timeout=10)
    job_id = next(j.id for j in server.state.jobs.values() if j.operation == "Restore")
    c.job_cancellations.trigger("testVault", "testVaultRG", job_id)
    assert c.job_details.get("testVault", "testVaultRG", job_id).properties.status in ("Cancelling", "Cancelled")
    server.state.clock.advance(5)
    assert c.job_details.get("testVault", "testVaultRG", job_id).properties.status == "Cancelled"


def test_list_jobs_with_filter(client):
    jobs = list(client.backup_jobs.list("testVault", "testVaultRG",
                                        filter="operation eq 'Backup' and backupManagementType eq 'AzureIaasVM'"))
    assert len(jobs) > 50
    assert all(j.properties.operation == "Backup" for j in jobs)


def test_passive_stamp_client_cross_region_restore(make_srv):
    from azure.mgmt.recoveryservicesbackup.passivestamp import RecoveryServicesBackupPassiveClient
    from azure.mgmt.recoveryservicesbackup.passivestamp.models import CrossRegionRestoreRequest, CrrJobRequest
    from azure.mgmt.recoveryservicesbackup.passivestamp.models import IaasVMRestoreRequest as PassiveRestore

    server = make_srv(throttle=False)
    c = RecoveryServicesBackupPassiveClient(FakeCredential(), SUB, base_url=server.url,
                                            authentication_policy=PlainBearer(), polling_interval=0.05)
    container, item = "IaasVMContainer;iaasvmcontainerv2;crrRG;crrVM", "VM;iaasvmcontainerv2;crrRG;crrVM"
    points = list(c.recovery_points_crr.list("crrVault", "crrRG", "Azure", container, item))
    assert len(points) > 50
    aad = c.aad_properties.get("westus")
    token = c.recovery_points.get_access_token("crrVault", "crrRG", "Azure", container, item, points[0].name, aad)
    assert type(token.properties).__name__ == "CrrAccessToken"  # as recorded (test_backup_crr #145)
    restore = PassiveRestore(recovery_point_id=points[0].name, recovery_type="RestoreDisks",
                             source_resource_id=vm_id("crrRG", "crrVM"),
                             storage_account_id=account_id("testRG", "testAccount"), region="westus")
    body = CrossRegionRestoreRequest(cross_region_restore_access_details=token.properties, restore_request=restore)
    c.cross_region_restore.begin_trigger("westus", body, polling_interval=0.05).result(timeout=10)
    vault_id = f"/subscriptions/{SUB}/resourceGroups/crrRG/providers/Microsoft.RecoveryServices/vaults/crrVault"
    jobs = list(c.backup_crr_jobs.list("westus", CrrJobRequest(resource_id=vault_id)))
    assert [j.properties.operation for j in jobs] == ["CrossRegionRestore"]
    job = c.backup_crr_job_details.get("westus", CrrJobRequest(resource_id=vault_id, job_name=jobs[0].name))
    assert job.name == jobs[0].name


def test_passive_stamp_client_replays_the_documentations_cross_region_example(make_srv):
    """AAD properties → access token → trigger → CRR job for testVault's testRG1/testVM, as the documentation."""
    from azure.mgmt.recoveryservicesbackup.passivestamp import RecoveryServicesBackupPassiveClient
    from azure.mgmt.recoveryservicesbackup.passivestamp.models import CrossRegionRestoreRequest, CrrJobRequest
    from azure.mgmt.recoveryservicesbackup.passivestamp.models import IaasVMRestoreRequest as PassiveRestore

    server = make_srv(throttle=False)
    c = RecoveryServicesBackupPassiveClient(FakeCredential(), SUB, base_url=server.url,
                                            authentication_policy=PlainBearer(), polling_interval=0.05)
    container, item = "IaasVMContainer;iaasvmcontainerv2;testRG1;testVM", "VM;iaasvmcontainerv2;testRG1;testVM"
    names = {p.name for p in c.recovery_points_crr.list("testVault", "testVaultRG", "Azure", container, item)}
    assert {"932895704780058094", "932891484644960954"} <= names  # the documentation's two points
    aad = c.aad_properties.get("eastus")
    token = c.recovery_points.get_access_token("testVault", "testVaultRG", "Azure", container, item,
                                               "932891484644960954", aad)
    restore = PassiveRestore(recovery_point_id="932891484644960954", recovery_type="RestoreDisks",
                             source_resource_id=vm_id("testRG1", "testVM"),
                             target_resource_group_id=f"/subscriptions/{SUB}/resourceGroups/testRG1",
                             storage_account_id=account_id("testRG1", "testStorageAccount"), region="eastus",
                             create_new_cloud_service=False, original_storage_account_option=False,
                             affinity_group="", encryption_details={"encryption_enabled": False},
                             restore_disk_lun_list=[])
    body = CrossRegionRestoreRequest(cross_region_restore_access_details=token.properties, restore_request=restore)
    c.cross_region_restore.begin_trigger("eastus", body, polling_interval=0.05).result(timeout=10)
    vault_id = f"/subscriptions/{SUB}/resourceGroups/testVaultRG/providers/Microsoft.RecoveryServices/vaults/testVault"
    jobs = list(c.backup_crr_jobs.list("eastus", CrrJobRequest(resource_id=vault_id)))
    assert [j.properties.operation for j in jobs] == ["CrossRegionRestore"]
    job = c.backup_crr_job_details.get("eastus", CrrJobRequest(resource_id=vault_id, job_name=jobs[0].name))
    assert job.properties.entity_friendly_name.lower() == "testvm"
