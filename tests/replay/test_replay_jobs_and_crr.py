"""The recorded job session (restore, job list, cancel) and the recorded cross-region restore, replayed.

As in ``test_replay_restores.py``: restorekit's own client against Azure's recorded answers, every call Azure
never saw listed with its reason.
"""

from __future__ import annotations

import pytest
from cassettes import interactions
from server import ReplayServer
from stand_ins import RESTORE
from test_replay_restores import WHY, label

import restorekit as rk


def report(name: str, srv: ReplayServer) -> list[str]:
    """Print the calls Azure never saw with their reasons; return their labels."""
    labels = [label(u) for u in srv.unseen]
    lines = [f"{u}  [{WHY.get(lab, 'UNJUSTIFIED')}]" for u, lab in zip(srv.unseen, labels, strict=True)]
    print(f"\n{name}: {len(srv.unseen)} call(s) Azure never saw:\n  " + "\n  ".join(lines))
    return labels


def test_a_restore_listed_among_the_jobs_and_cancelled_as_recorded():
    """test_backup_job #131-151: restore disks, read the job, list jobs four ways, cancel it (202)."""
    with ReplayServer("test_backup_job", 131, 151, RESTORE) as srv:
        vault = rk.connect(srv.url).vault("clitest.rg000001", "clitest-vault000002")
        item = vault.vm("clitest.rg000001", "clitest-vm000003")
        point = item.recovery_points().latest()
        op = item.restore(rk.RestoreDisks(point, storage_account="clitest000006", unmanaged=True), display=False,
                          poll_interval=0.001)
        while op.current_job is None:  # the operation, then the job: one request a step of its state, no thread
            op.state.step()
        job = vault.job(op.job_id)
        assert job.status == "InProgress" and job.restore_kind == "RestoreDisks" and job.summary() == "InProgress 1%"
        everything = vault.jobs(operation=None)
        assert list(everything["operation"]) == ["Restore", "Backup", "ConfigureBackup"]
        assert list(vault.jobs(operation=None, status="InProgress")["job_id"]) == [job.id]
        assert list(vault.jobs()["job_id"]) == [job.id] == list(vault.jobs(status="InProgress")["job_id"])
        job.cancel(wait=False)
        assert [i.index for i in srv.served][-1] == 151  # the recorded end: Azure accepted the cancel (202)
        assert report("test_backup_job#143", srv) == ["item", "running restores", "operation status"]


@pytest.mark.parametrize("entry", ["item.cross_region()", "az.cross_region()"])
def test_the_recorded_cross_region_restore_replays_to_its_end(entry):
    """test_backup_crr #135-189: points of the secondary region, AAD properties, access token, the CRR trigger, its
    operation, then the CRR job read until Completed. The vault is in centraluseuap: its pair, eastus2euap, is
    where the restore lands (a canary pair restorekit now knows). The session never reads the target group, so
    the online checks are off here (nothing recorded to check them against)."""
    with ReplayServer("test_backup_crr", 135, 189, RESTORE) as srv:
        az = rk.connect(srv.url)
        if entry == "item.cross_region()":
            crr = az.vault("clitest.rg000001", "clitest-vault000003").vm("clitest.rg000001", "clitest-vm000004") \
                .cross_region(poll_interval=0.001)
        else:
            crr = az.cross_region("clitest.rg000001", "clitest-vault000003", "clitest.rg000001", "clitest-vm000004",
                                  secondary_region="eastus2euap", poll_interval=0.001)
        assert crr.secondary_region == "eastus2euap"
        point = crr.recovery_points().latest()
        assert point.region == "secondary" and point.properties["crossRegionRestoreState"] == "Supported"
        request = rk.RestoreDisks(point, storage_account="clitest000007", target_resource_group="clitest.rg000002")
        with pytest.warns(UserWarning, match="online checks skipped"):
            op = crr.restore(request, display=False, online_checks=False)
        job = op.wait(60)
        final = interactions("test_backup_crr")[189].body["properties"]
        assert job.raw["properties"] == final and job.operation == "CrossRegionRestore"
        assert job.summary() == ("Completed in 19 min 1 s; disks restored as managed disks in resource group "
                                 "clitest.rg000002")
        assert "vmName" not in str(op.outcome())
        recorded = interactions("test_backup_crr")[146].request_body["restoreRequest"]
        assert {k: request.properties()[k] for k in recorded} | {"region": "eastus2euap"} == recorded
        expected = ["item", "running restores"] if entry == "item.cross_region()" else ["running restores"]
        assert report(f"test_backup_crr#146 via {entry}", srv) == expected


def test_a_disk_restore_is_never_reported_as_a_vm():
    """The bug the recordings exposed: for "Recover disks" Azure writes the placeholder 'Target VM Name': 'vmName'
    (test_backup_restore #159), which restorekit reported as a created VM .../virtualMachines/vmName."""
    raw = interactions("test_backup_restore")[159].body
    assert raw["properties"]["extendedInfo"]["propertyBag"]["Target VM Name"] == "vmName"
    job = rk.Job(raw)  # read by hand: its own ID names the vault's subscription
    assert job.target_vm_name is None and job.result_ids() == [
        ("resource group of the restored disks",
         "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/clitest.rg000002")]
    assert job.summary().endswith("; disks restored as managed disks in resource group clitest.rg000002")
    assert "vmName" not in job.summary() + str(job.result_ids()) + job._repr_html_()
