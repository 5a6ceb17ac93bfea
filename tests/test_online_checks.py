"""Pre-flight against the live estate (the emulator): each online check, bare names, cross-region, the service."""

from __future__ import annotations

import pytest

import restorekit as rk
from restorekit.core.errors import ValidationError

SUB = "00000000-0000-0000-0000-000000000000"


ITEMS: dict = {}


@pytest.fixture(scope="module")
def estate():
    from restorekit import emulator

    with emulator.start(job_seconds=2, retry_after=0, throttle=False) as srv, rk.connect(srv.url) as az:
        vault = az.vault("testVaultRG", "testVault")
        ITEMS["az"] = az
        yield srv, az, vault


def checked(request, **options):
    """The request checked as a user checks it: by the item it restores, through the item's connection."""
    ref = request.point.item
    item = ITEMS["az"].vault(ref.vault_resource_group, ref.vault_name).vm(ref.vm_resource_group, ref.vm_name)
    return item.check(request, **options)


@pytest.fixture
def point(estate):
    return estate[2].vm("testRG", "testVM").recovery_points().select("best")


def fields(report):
    return [p.field for p in report.problems]


def test_a_good_request_passes_online(point):
    report = checked(rk.RestoreDisks(point, storage_account="testAccount"))
    assert report.ok and report.online and "against the live estate" in str(report)


def test_a_storage_account_in_another_region(point):
    report = checked(rk.RestoreDisks(point, storage_account="crrRG/eastAccount"))
    assert fields(report) == ["storage_account"]
    problem = report.problems[0]
    assert "in eastus, the restore in westus" in problem.message
    assert "testRG/testAccount" in problem.fix  # what could be used instead


@pytest.mark.parametrize("account, why", [("zrsAccount", "zone-redundant"), ("premiumAccount", "premium"),
                                          ("blobAccount", "BlobStorage")])
def test_storage_accounts_of_a_kind_restores_cannot_use(point, account, why):
    report = checked(rk.RestoreDisks(point, storage_account=account))
    assert set(fields(report)) == {"storage_account"} and why in str(report)


def test_a_bare_name_not_found_says_where_it_looked_and_lists_candidates(point):
    report = checked(rk.RestoreDisks(point, storage_account="targetAccount"))  # lives in targetRG
    problem = report.problems[0]
    assert "no storage account 'targetAccount' in resource group 'testRG'" in problem.message
    assert "/resourceGroups/testRG/providers/Microsoft.Storage/storageAccounts/targetAccount" in problem.message
    assert "with that name elsewhere in the subscription: targetRG/targetAccount (westus)" in problem.fix


def test_a_bare_name_found(point):
    assert checked(rk.RestoreDisks(point, storage_account="testingAccount")).ok


def test_a_missing_resource_group(point):
    report = checked(rk.RestoreDisks(point, storage_account="testAccount", target_resource_group="noSuchRG"))
    assert fields(report) == ["target_resource_group"] and "no resource group 'noSuchRG'" in report.problems[0].message
    assert "testRG" in report.problems[0].fix
    assert "testRG/testRG" not in report.problems[0].fix  # a resource group is named by its name alone


def test_a_resource_group_of_another_region_is_a_note(point):
    report = checked(rk.RestoreDisks(point, storage_account="testAccount", target_resource_group="crrRG"))
    assert report.ok and [n.field for n in report.notes] == ["target_resource_group"]
    assert "crrRG' is in eastus" in report.notes[0].message


def new_vm(point, **kw):
    args = {"target_vm_name": "fresh-vm-1", "target_resource_group": "targetRG", "virtual_network": "testNet",
            "subnet": "default", "storage_account": "testAccount", **kw}
    return rk.RestoreAsNewVM(point, **args)


def test_a_new_vm_in_a_good_network_passes(point):
    assert checked(new_vm(point)).ok


def test_a_subnet_of_another_network(point):
    report = checked(new_vm(point, subnet="nope"))
    assert fields(report) == ["subnet"] and "has no subnet 'nope'" in report.problems[0].message
    assert "default, backend" in report.problems[0].fix


def test_a_network_of_another_region(point):
    report = checked(new_vm(point, virtual_network="crrRG/eastNet"))
    assert "virtual_network" in fields(report) and "eastNet' is in eastus" in report.problems[0].message


def test_a_missing_network_lists_the_networks_of_the_region(point):
    report = checked(new_vm(point, virtual_network="ghostNet"))
    assert fields(report) == ["virtual_network"] and "targetRG/testNet" in report.problems[0].fix


def test_the_new_vm_name_is_taken(point):
    report = checked(new_vm(point, target_resource_group="testRG", target_vm_name="multiDiskVM",
                    virtual_network="testRG/testRG-vnet"))
    assert "target_vm_name" in fields(report) and "already exists" in str(report)


def test_a_disk_encryption_set(point):
    assert checked(rk.RestoreDisks(point, storage_account="testAccount", disk_encryption_set="testRG/testDES")).ok
    report = checked(rk.RestoreDisks(point, storage_account="testAccount", disk_encryption_set="testRG/noDES"))
    assert fields(report) == ["disk_encryption_set"]


def test_a_zone_the_region_does_not_offer(estate):
    zoned = estate[1].vault("crrRG", "crrVault").vm("zoneRG", "zoneVM").recovery_points().select("best")
    assert checked(rk.RestoreDisks(zoned, storage_account="crrRG/eastAccount", target_resource_group="zoneRG",
                                   zone="2")).ok  # eastus has zones 1-3
    point_in_westus = estate[2].vm("testRG", "testVM").recovery_points().select("best")
    report = checked(rk.RestoreAsNewVM(point_in_westus, target_vm_name="zvm", target_resource_group="targetRG",
                                       virtual_network="testNet", subnet="default", storage_account="testAccount",
                                       zone="1"))
    assert point_in_westus.zones == [] and "zone" in fields(report)  # offline: not zone-pinned; online: no zones
    assert any("westus offers no availability zone" in p.message for p in report.problems)


def test_cross_region_requests_are_checked_in_the_secondary_region(estate):
    crr = estate[2].vm("testRG1", "testVM").cross_region()
    point = crr.recovery_points().select("best")
    good = crr.validate(rk.RestoreDisks(point, storage_account="testRG1/testStorageAccount"), online=True)
    assert good.region == "eastus"
    with pytest.raises(ValidationError, match="storage account is in westus, the restore in eastus"):
        crr.validate(rk.RestoreDisks(point, storage_account="testRG/testAccount"), online=True)


def test_restore_sends_no_post_when_an_online_check_fails(estate, point):
    srv, az, vault = estate
    before = len(vault.jobs(operation="Restore"))
    with pytest.raises(ValidationError, match="zone-redundant"):
        vault.vm("testRG", "testVM").restore(rk.RestoreDisks(point, storage_account="zrsAccount"), display=False)
    assert len(vault.jobs(operation="Restore")) == before


def test_online_checks_can_be_skipped_with_a_warning(estate, point):
    with pytest.warns(UserWarning, match="online checks skipped"), pytest.raises(rk.ArmError):
        estate[2].vm("testRG", "testVM").restore(rk.RestoreDisks(point, storage_account="zrsAccount"),
                                                  display=False, online_checks=False)  # the service refuses it


def test_reads_are_cached_per_connection(estate, point):
    reader = estate[1].resources()
    request = rk.RestoreDisks(point, storage_account="testAccount", target_resource_group="targetRG")
    checked(request)
    reads = reader.reads
    for _ in range(5):
        checked(request)
    assert reader.reads == reads  # a form re-checking on every edit does not flood ARM


def test_the_services_own_check_next_to_restorekits(point):
    good = checked(rk.RestoreDisks(point, storage_account="testAccount"), online=False, service=True)
    assert good.service is not None and good.service.asked and good.service.results == [] and good.ok
    bad = rk.RestoreDisks(point, storage_account="crrRG/eastAccount")
    verdict = checked(bad, online=False, service=True).service
    assert verdict.results and verdict.results[0]["code"] == "UserErrorStorageAccountInDifferentRegion"
    with pytest.raises(ValidationError) as info:
        checked(bad, online=False, service=True).raise_for_problems()
    assert "service: UserErrorStorageAccountInDifferentRegion" in str(info.value)
    assert "the service found" in str(checked(bad, online=False, service=True))


def test_the_service_cannot_check_a_cross_region_request(estate):
    crr = estate[2].vm("testRG1", "testVM").cross_region()
    point = crr.recovery_points().select("latest")
    verdict = checked(rk.RestoreDisks(point, storage_account="testRG1/testStorageAccount"), online=False,
                      service=True).service
    assert not verdict.asked and "no validate operation" in verdict.why_not


def test_managed_vms_restore_managed_disks_by_default(point):
    body = rk.RestoreDisks(point, storage_account="testAccount").properties()
    assert body["targetResourceGroupId"] == f"/subscriptions/{SUB}/resourceGroups/testRG"
    unmanaged = rk.RestoreDisks(point, storage_account="testAccount", unmanaged=True)
    assert "targetResourceGroupId" not in unmanaged.properties()
    assert [n.field for n in unmanaged.check().notes] == ["unmanaged"] and "slower" in unmanaged.check().notes[0].message
    assert [p.field for p in rk.RestoreDisks(point, storage_account="testAccount", unmanaged=True,
                                             target_resource_group="targetRG").problems()] == ["unmanaged"]
