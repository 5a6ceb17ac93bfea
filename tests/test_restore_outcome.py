"""What each scenario created or changed, read back from the estate (the emulator) after the restore."""

from __future__ import annotations

import pytest

import restorekit as rk
from restorekit.model.outcome import OutcomeUnknown


@pytest.fixture
def item():
    from restorekit import emulator

    with emulator.start(job_seconds=1, retry_after=0, throttle=False) as srv, rk.connect(srv.url) as az:
        yield az.vault("testVaultRG", "testVault").vm("testRG", "testVM")


def kinds(outcome):
    return sorted(kind for kind, _ in outcome.created)


def test_restore_disks_lists_the_managed_disks_it_created(item):
    point = item.recovery_points().select("best")
    op = item.restore(rk.RestoreDisks(point, storage_account="testAccount", target_resource_group="targetRG"),
                      display=False)
    outcome = op.outcome()
    assert kinds(outcome) == ["disk", "disk"] and all("/resourceGroups/targetRG/" in rid for _, rid in outcome.created)
    assert not outcome.changed and not outcome.unattached
    assert op.outcome() is outcome  # read once


def test_an_unmanaged_restore_names_the_account_and_container_of_its_vhds(item):
    point = item.recovery_points().select("best")
    op = item.restore(rk.RestoreDisks(point, storage_account="testAccount", unmanaged=True), display=False)
    outcome = op.outcome()
    container = op.job.config_blob_container
    assert not outcome.created and container and outcome.restored_into == (
        f"storage account testAccount, container {container}")
    assert f"disks restored into storage account testAccount, container {container}" in str(outcome)


def test_restore_as_a_new_vm_lists_the_vm_its_disks_and_its_nic_in_the_subnet(item):
    point = item.recovery_points().select("best")
    op = item.restore(rk.RestoreAsNewVM(point, target_vm_name="restored-1", target_resource_group="targetRG",
                                        virtual_network="testNet", subnet="backend", storage_account="testingAccount"),
                      display=False)
    outcome = op.outcome()
    assert ("VM", f"/subscriptions/{item.ref.subscription_id}/resourceGroups/targetRG/providers/"
                  "Microsoft.Compute/virtualMachines/restored-1") in outcome.created
    assert "network interface" in kinds(outcome)
    assert outcome.subnet.endswith("/virtualNetworks/testNet/subnets/backend")
    assert not any("subnet" in kind for kind in kinds(outcome))  # the subnet is not something the restore created
    (nic_line,) = [line for line in str(outcome).splitlines() if line.startswith("created network interface: ")]
    assert nic_line.endswith(f" (in subnet {outcome.subnet})")


def test_replace_disks_lists_the_disks_attached_now_and_the_old_ones_left_unattached(item):
    point = item.recovery_points().select("best")
    before = [d.name for d in item.vm_disks()]
    op = item.restore(rk.ReplaceDisks(point, storage_account="testAccount"), confirm=True, display=False)
    outcome = op.outcome()
    assert [what for what, _ in outcome.changed] == ["VM (disks swapped)"]
    assert sorted(d.name for d in outcome.unattached) == sorted(before)
    assert {d.lun for d in outcome.attached} == {-1, 0} and not set(d.name for d in outcome.attached) & set(before)
    assert "swap them back to roll back" in str(outcome)
    assert sorted(d.name for d in item.vm_disks()) == sorted(d.name for d in outcome.attached)


def test_a_restore_that_failed_has_no_outcome():
    from restorekit import emulator

    with emulator.start(job_seconds=1, retry_after=0, throttle=False, fail_rate=1.0) as srv, rk.connect(srv.url) as az:
        item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
        op = item.restore(rk.RestoreDisks(item.recovery_points().select("best"), storage_account="testAccount"),
                          display=False)
        with pytest.raises(OutcomeUnknown, match="ended Failed"):
            op.outcome()


def test_without_online_checks_the_outcome_is_the_jobs_word(item):
    point = item.recovery_points().select("best")
    with pytest.warns(UserWarning):
        op = item.restore(rk.RestoreDisks(point, storage_account="testAccount"), display=False, online_checks=False)
    outcome = op.outcome()
    assert "online checks skipped" in outcome.note and not outcome.created
    assert outcome.restored_into == "resource group testRG"  # the job's word: where, not which disks


def test_a_read_that_fails_after_the_restore_leaves_the_jobs_word_and_says_why():
    from restorekit import emulator

    with emulator.start(job_seconds=1, retry_after=0, throttle=False) as srv, rk.connect(srv.url) as az:
        item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
        op = item.restore(rk.RestoreDisks(item.recovery_points().select("best"), storage_account="testAccount",
                                          target_resource_group="targetRG"), display=False)
        assert op.wait().succeeded
        srv.state.faults.fail_next(1, status=403, path_contains="/providers/Microsoft.Compute/disks")
        outcome = op.outcome()
    assert not outcome.created and outcome.restored_into == "resource group targetRG"
    assert "the disks of resource group targetRG could not be read after the restore" in outcome.note
