"""Every recorded VM restore of the Azure CLI's sessions, replayed through restorekit as a user runs it.

Each flow is a window of one cassette: the user lists or reads the point, builds the request with the builders,
``item.restore(...)``, ``op.wait()``, ``op.outcome()``, ``job.summary()``. Azure's recorded answers are the
referee: the flow must reach the recorded final job state, the outcome must name only what Azure says the
restore made, restorekit's body must ask for what the CLI's did, and every call Azure never saw is listed and
justified here.

What the recordings do not hold: the encryption and identity sessions only set vault settings (vault encryption,
the vault's managed identity) and the archive session only lists points (tiers, move readiness): none restores.
Their points and jobs are replayed in ``test_replay_reads.py``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest
from cassettes import interactions
from server import ReplayServer
from stand_ins import RESTORE

import restorekit as rk

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
RG1, RG2 = f"{SUB}/resourceGroups/clitest.rg000001", f"{SUB}/resourceGroups/clitest.rg000002"
FAST = {"display": False, "poll_interval": 0.001}

#: Why restorekit makes each call Azure never saw (keyed by what answered it and the call's end).
WHY = {
    "item": "vault.vm() reads the protected item: one read whatever the vault's size, and a clear error naming the "
            "VMs the vault protects when it is not there (the CLI lists every item instead)",
    "operation status": "restorekit follows the 202's own Azure-AsyncOperation; the CLI polls backupOperations/{id}, "
                        "the same operation",
    "running restores": "the duplicate check: a double click or a second kernel must not start a second restore",
    "resource group": "online check: the target resource group exists before anything is sent",
    "new VM name": "online check: no VM already has the new VM's name (Azure would fail the job after the copy)",
    "disks before": "the outcome: the target group's disks before the POST, compared after the job to name the "
                    "disks created (Azure's job does not name them); unrecorded, so the outcome keeps to the job's word",
    "VM before": "the outcome: the replaced VM's disks before the POST, to name the disks left unattached; "
                 "unrecorded, so the outcome keeps to the job's word",
    "VM after": "the outcome: the VM after the job (its new disks, the new VM's disks and NIC); unrecorded after the "
                "restore, so the outcome keeps to the job's word",
}


def label(unseen: Any) -> str:
    """Which justification of :data:`WHY` a call Azure never saw falls under."""
    path = unseen.path.lower()
    if unseen.answered_by == "the item from the CLI's list":
        return "item"
    if "operationsstatus" in path:
        return "operation status"
    if path.endswith("/backupjobs") or path.endswith("/backupcrrjobs"):
        return "running restores"
    if path.endswith("/providers/microsoft.compute/disks"):
        return "disks before"
    if "/virtualmachines/" in path:
        if unseen.after_writes:
            return "VM after"
        return "VM before" if unseen.answered_by == "the resource as recorded" else "new VM name"
    if "/providers/" not in path.split("/resourcegroups/", 1)[-1]:
        return "resource group"
    return f"UNJUSTIFIED {unseen}"


@dataclass
class Flow:
    """One recorded restore: where it is in its cassette and what the user asks restorekit."""

    cassette: str
    first: int
    last: int
    post: int
    build: Any
    point: str = "list"  # how the user finds the point: "list" (latest of the list) or a point's name read alone
    vm: str = "clitest-vm000004"
    vault: str = "clitest-vault000003"
    confirm: bool = False
    kind: str = "RestoreDisks"
    unseen: tuple[str, ...] = ()
    #: Why the online checks are off in this flow (None: on, as by default).
    offline: str | None = None
    summary: str = ""
    outcome: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.cassette}#{self.post}"


FLOWS = [
    Flow("test_backup_restore", 132, 159, 151,
         lambda p: rk.RestoreDisks(p, storage_account="clitest000007", target_resource_group="clitest.rg000002"),
         unseen=("item", "resource group", "running restores", "disks before", "operation status"),
         summary="Completed in 1 min 9 s; disks restored as managed disks in resource group clitest.rg000002",
         outcome=("disks restored into resource group clitest.rg000002",)),
    Flow("test_backup_restore", 163, 248, 173,
         lambda p: rk.RestoreDisks(p, storage_account="clitest000007", unmanaged=True), point="520981742781621",
         unseen=("item", "running restores", "operation status", "operation status"),
         summary="Completed in 35 min 38 s; disks restored as VHD blobs in storage account clitest000007, container "
                 "clitestvmjffuk-65756b30a2304371b4ccd7bb55b86704",
         outcome=("disks restored into storage account clitest000007, container "
                  "clitestvmjffuk-65756b30a2304371b4ccd7bb55b86704",)),
    Flow("test_backup_restore", 249, 309, 259,
         lambda p: rk.ReplaceDisks(p, storage_account="clitest000007"), point="520981742781621", confirm=True,
         kind="OriginalLocation", unseen=("item", "running restores", "VM before", "operation status", "VM after"),
         summary="Completed in 23 min 10 s; disks of VM clitest-vm000004 replaced",
         outcome=(f"changed VM (disks replaced): {RG1}/providers/Microsoft.Compute/virtualMachines/clitest-vm000004",)),
    Flow("test_backup_restore", 315, 336, 326,
         lambda p: rk.RestoreAsNewVM(p, target_vm_name="clitest-tvm000010", target_resource_group="clitest.rg000002",
                                     virtual_network="clitest-vnet000008", subnet="clitest-subnet000009",
                                     storage_account="clitest000007"),
         point="520981742781621", kind="AlternateLocation",
         unseen=("item", "resource group", "new VM name", "running restores", "operation status", "VM after"),
         summary=f"Completed in 2 min 13 s; new VM {RG2}/providers/Microsoft.Compute/virtualMachines/clitest-tvm000010",
         outcome=(f"created VM: {RG2}/providers/Microsoft.Compute/virtualMachines/clitest-tvm000010",)),
    Flow("test_backup_disk_exclusion", 169, 189, 181,
         lambda p: rk.RestoreDisks(p, storage_account="clitest000004", target_resource_group="clitest.rg000001",
                                   luns=[]),
         vm="clitest-vm000003", vault="clitest-vault000002",
         unseen=("item", "resource group", "running restores", "disks before", "operation status"),
         summary="Completed in 1 min 30 s; disk(s) clitest-vm000003_OsDisk_1_b8de46f3d2004f71a538856550aeb727 "
                 "restored as managed disks in resource group clitest.rg000001",
         outcome=("disks restored from clitest-vm000003_OsDisk_1_b8de46f3d2004f71a538856550aeb727 into resource "
                  "group clitest.rg000001",)),
    Flow("test_backup_disk_exclusion", 190, 208, 200,
         lambda p: rk.RestoreDisks(p, storage_account="clitest000004", target_resource_group="clitest.rg000001",
                                   luns=[0]),
         point="362588450327416", vm="clitest-vm000003", vault="clitest-vault000002",
         unseen=("item", "resource group", "running restores", "disks before", "operation status",
                 "operation status"),
         summary="Completed in 1 min 12 s; disk(s) clitest-vm000003_OsDisk_1_b8de46f3d2004f71a538856550aeb727, "
                 "mydisk1 restored as managed disks in resource group clitest.rg000001",
         outcome=("disks restored from clitest-vm000003_OsDisk_1_b8de46f3d2004f71a538856550aeb727, mydisk1 into "
                  "resource group clitest.rg000001",)),
    Flow("test_backup_restore_when_storage_in_different_rg", 181, 201, 193,
         lambda p: rk.RestoreDisks(p, storage_account="clitest.rg000003/clitest000008",
                                   target_resource_group="clitest.rg000002"),
         vm="clitest-vm000005", vault="clitest-vault000004",
         offline="the session never reads the target group clitest.rg000002 (the scenario test's preparer made it "
                 "unrecorded): there is no recorded answer to check it against",
         unseen=("item", "running restores", "operation status"),
         summary="Completed in 1 min 8 s; disks restored as managed disks in resource group clitest.rg000002",
         outcome=("disks restored into resource group clitest.rg000002", "online checks skipped")),
]


def replay(flow: Flow) -> tuple[Any, Any, ReplayServer]:
    """Run ``flow`` through restorekit as a user does; returns the operation, the request and the server."""
    srv = ReplayServer(flow.cassette, flow.first, flow.last, RESTORE)
    az = rk.connect(srv.url)
    item = az.vault("clitest.rg000001", flow.vault).vm("clitest.rg000001", flow.vm)
    point = item.recovery_points().latest() if flow.point == "list" else item.recovery_point(flow.point)
    request = flow.build(point)
    if flow.offline:
        with pytest.warns(UserWarning, match="online checks skipped"):
            op = item.restore(request, confirm=flow.confirm, online_checks=False, **FAST)
    else:
        op = item.restore(request, confirm=flow.confirm, **FAST)
    op.wait(60)
    return op, request, srv


def recorded_body(flow: Flow) -> dict[str, Any]:
    return interactions(flow.cassette)[flow.post].request_body["properties"]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.id)
def test_a_recorded_restore_replays_to_its_recorded_end(flow: Flow):
    op, request, srv = replay(flow)
    try:
        job = op.job
        final = interactions(flow.cassette)[flow.last].body["properties"]
        assert job.status == final["status"] == "Completed" and job.raw["properties"] == final
        assert job.restore_kind == flow.kind
        assert job.summary().startswith(flow.summary), job.summary()
        outcome = str(op.outcome())
        for line in flow.outcome:
            assert line in outcome, outcome
        assert "vmName" not in outcome and "vmName" not in job.summary()  # a disk restore is never a VM
        assert any(i.index == flow.post for i in srv.served)

        body, sent = recorded_body(flow), request.properties()
        for key, value in body.items():  # restorekit asks for what the CLI asked (and Azure accepted)
            assert sent.get(key) == value, (key, sent.get(key), value)
        assert set(sent) - set(body) <= {"encryptionDetails", "affinityGroup", "targetDomainNameId",
                                         "diskEncryptionSetId", "subnetId", "targetResourceGroupId",
                                         "targetVirtualMachineId", "virtualNetworkId"}

        report = [f"{u}  [{WHY.get(label(u), 'UNJUSTIFIED')}]" for u in srv.unseen]
        print(f"\n{flow.id}: {len(srv.unseen)} call(s) Azure never saw:\n  " + "\n  ".join(report))
        assert tuple(label(u) for u in srv.unseen) == flow.unseen
    finally:
        srv.stop()


def test_disks_picked_from_a_listed_point_are_checked_against_the_point_read_alone():
    """The bug the recordings exposed: Azure's list of points carries only disk counts (disk_exclusion #170), so
    ``RestoreDisks(listed_point, luns=[0])`` was refused. The request stays a value (building it reads nothing); the
    item that checks or sends it reads the point alone first (#176, as the CLI does) and asks for what the CLI asked
    in #200, which Azure accepted."""
    with ReplayServer("test_backup_disk_exclusion", 169, 176, RESTORE) as srv:
        item = rk.connect(srv.url).vault("clitest.rg000001", "clitest-vault000002").vm("clitest.rg000001",
                                                                                      "clitest-vm000003")
        listed = item.recovery_points().latest()
        config = listed.properties["recoveryPointDiskConfiguration"]
        assert listed.disk_luns is None and config == {"numberOfDisksIncludedInBackup": 3,
                                                       "numberOfDisksAttachedToVm": 4}
        request = rk.RestoreDisks(listed, storage_account="clitest000004", target_resource_group="clitest.rg000001",
                                  luns=[0])
        served = len(srv.served)
        assert request.point is listed and request.picks_disks and len(srv.served) == served  # a value: no read
        assert item.check(request, online=False).ok
        assert [i.index for i in srv.served][-1] == 176  # the point read alone, once
        detailed = item.with_disk_list(listed)
        assert detailed.disk_luns == [-1, 0, 2]
        again = rk.RestoreDisks(listed, storage_account="clitest000004", target_resource_group="clitest.rg000001",
                                luns=[2])
        assert item.check(again, online=False).ok and [i.index for i in srv.served].count(176) == 1  # kept
        recorded = interactions("test_backup_disk_exclusion")[200].request_body["properties"]
        sent = dataclasses.replace(request, point=detailed).properties()
        assert {k: sent[k] for k in recorded} == recorded
        mydisk2 = rk.RestoreDisks(listed, storage_account="clitest000004", luns=[1])  # mydisk2 was excluded
        with pytest.raises(rk.ValidationError, match="LUN\\(s\\) \\[1\\] are not in this point's disks"):
            item.check(mydisk2, online=False).raise_for_problems()


def test_without_a_way_to_read_the_point_alone_the_disks_cannot_be_picked():
    listed = interactions("test_backup_disk_exclusion")[170].body["value"][0]
    point = rk.RecoveryPoint.from_resource(listed)  # no connection behind it
    with pytest.raises(rk.ValidationError, match="read the point alone"):
        rk.RestoreDisks(point, storage_account="clitest000004", luns=[0]).validate()
