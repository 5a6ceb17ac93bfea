"""A VM deleted in the emulator: seen soft-deleted with its days left (fleet, at-risk, the item), a restore refused
saying what must happen first, undeleted, then its points restored as a new VM."""

from __future__ import annotations

import pytest

import restorekit as rk
from restorekit import emulator
from restorekit.core import api_versions as rk_api
from restorekit.core.errors import RestorekitError, SoftDeletedItem
from restorekit.data.risk import at_risk as rank_at_risk
from restorekit.data.soft_delete import soft_deleted


@pytest.fixture(scope="module")
def server():
    with emulator.start(job_seconds=1, retry_after=0, throttle=False, as_of="2026-11-20T12:00:00Z") as srv:
        yield srv


@pytest.fixture
def az(server):
    with rk.connect(server.url) as connection:
        yield connection


def _delete(az, server, vm: str) -> None:
    """Stop protection and delete the data, as az backup protection disable --delete-backup-data does."""
    item = az.vault("testVaultRG", "testVault").vm("testRG", vm)
    az.arm.request("DELETE", item.ref.path, ok=(202,))
    server.state.clock.advance(2)  # the DeleteBackupData job completes


def test_a_deleted_vm_is_seen_soft_deleted_undeleted_and_restored_as_a_new_vm(az, server):
    _delete(az, server, "testVM")

    item_id = az.vault("testVaultRG", "testVault").vm("testRG", "testVM").ref.path.lower()
    fleet = az.fleet()
    row = fleet[fleet.item_id == item_id].iloc[0]
    assert bool(row.soft_deleted) and 13.9 < row.purge_in.total_seconds() / 86400 <= 14
    assert soft_deleted(fleet).item_id.tolist() == [item_id]  # the only one, soonest purge first
    risk = az.at_risk()
    reasons = risk[risk.item_id == item_id].reasons.iloc[0]
    assert "soft-deleted: purged in 13 days 23 h" in reasons and "item.undelete()" in reasons
    moment = az.now()  # Resource Graph scores a soft-deleted item as restorekit does: same rows, same order
    graph, client = az.at_risk(now=moment), rank_at_risk(az.coverage(), None, now=moment)
    assert list(graph.item_id.astype(str)) == list(client.item_id.astype(str))
    assert list(graph.score) == list(client.score)

    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    assert item.soft_deleted and "SOFT-DELETED (purged in 13 days" in repr(item)
    point = item.recovery_points().select("latest")  # its points can still be listed
    request = rk.RestoreAsNewVM(point, target_vm_name="undeletedVM", target_resource_group="targetRG",
                                virtual_network="testNet", subnet="default", storage_account="testingAccount")
    before = len(server.state.jobs)
    with pytest.raises(SoftDeletedItem, match=r"Undelete it first: item\.undelete\(\)") as refused:
        item.restore(request, display=False)
    assert refused.value.purge_at is not None and len(server.state.jobs) == before  # nothing sent

    job = item.undelete(poll_interval=0.05)
    assert job is not None and job.operation == "Undelete"
    assert not item.soft_deleted and item.properties["protectionState"] == "ProtectionStopped"
    operation = item.restore(rk.RestoreAsNewVM(item.recovery_points().select("latest"), target_vm_name="undeletedVM",
                                               target_resource_group="targetRG", virtual_network="testNet",
                                               subnet="default", storage_account="testingAccount"),
                             display=False, poll_interval=0.05)
    server.state.clock.advance(2)
    assert operation.wait(timeout=30).status == "Completed"
    vm = az.arm.get(f"/subscriptions/{az.subscription_id}/resourceGroups/targetRG/providers/Microsoft.Compute/"
                    "virtualMachines/undeletedVM", api_version=rk_api.COMPUTE)
    assert vm["name"] == "undeletedVM"  # the deleted VM is back, as a new VM


def test_a_stale_item_is_refused_by_the_service_with_what_to_do(az, server):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "encryptedVM")  # read before the deletion
    _delete(az, server, "encryptedVM")
    assert not item.soft_deleted  # as last read
    with pytest.raises(rk.ArmError, match="Undelete it first"):
        item.restore(rk.RestoreDisks(item.recovery_points().select("latest"), storage_account="testAccount"),
                     display=False)
    assert item.refresh().soft_deleted


def test_undelete_of_an_item_that_is_not_soft_deleted_says_so(az):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "unmanagedVM")
    with pytest.raises(RestorekitError, match="not soft-deleted"):
        item.undelete()
