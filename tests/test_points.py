"""RecoveryPoint / RecoveryPoints: typed access to the API's resources, selection by a runbook's words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from restorekit.core.errors import NotFoundError
from restorekit.core.ids import ItemRef
from restorekit.core.times import parse_time
from restorekit.model.points import RecoveryPoint, RecoveryPoints

DOC_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testVaultRG/providers/"
          "microsoft.recoveryservices/vaults/testVault/backupFabrics/Azure/protectionContainers/"
          "iaasvmcontainer;iaasvmcontainerv2;testRG;testVM/protectedItems/VM;testRG;testVM/recoveryPoints/")


def point(name: str, when: str, kind: str = "AppConsistent", tiers=((1, 1), (2, 1)), **props) -> RecoveryPoint:
    raw = {"id": DOC_ID + name, "name": name, "properties": {
        "objectType": "IaasVMRecoveryPoint", "recoveryPointType": kind, "recoveryPointTime": when,
        "recoveryPointTierDetails": [{"type": t, "status": s} for t, s in tiers], **props}}
    return RecoveryPoint.from_resource(raw, vault_location="westus")


def test_documentation_point_is_typed():
    p = point("20982486783671", "2018-06-04T06:06:00.5121087Z", virtualMachineSize="Standard_A1_v2",
              isManagedVirtualMachine=True)
    assert p.time == datetime(2018, 6, 4, 6, 6, 0, 512108, tzinfo=UTC)
    assert p.tiers == {"InstantRP": "Valid", "HardenedRP": "Valid"}
    assert p.tier_labels == ["snapshot", "vault"] and not p.is_archived_only
    assert p.item.vm_name == "testVM" and p.item.vm_resource_group == "testRG"
    assert p.item.source_vm_id.endswith("/resourceGroups/testRG/providers/Microsoft.Compute/virtualMachines/testVM")
    assert p.managed is True and p.vm_size == "Standard_A1_v2" and p.disk_luns is None
    assert "20982486783671" in repr(p) and "AppConsistent" in repr(p)


def test_tiers_by_name_archive_and_disks():
    p = point("1", "2026-01-01T00:00:00Z", tiers=(("ArchivedRP", "Valid"),),
              recoveryPointDiskConfiguration={"includedDiskList": [{"lun": -1}, {"lun": 0}, {"lun": 2}]},
              zones=["1"])
    assert p.is_archived_only and p.tier_labels == ["archive"]
    assert p.disk_luns == [-1, 0, 2] and p.zones == ["1"]


def test_parse_time_variants():
    assert parse_time("2026-01-01T00:00:00") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_time("2026-01-01T02:00:00+02:00") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_time("not a time") is None and parse_time(None) is None


def test_latest_select_and_get():
    points = RecoveryPoints([
        point("a", "2026-11-01T06:00:00Z"),
        point("b", "2026-11-02T06:00:00Z", kind="CrashConsistent"),
        point("c", "2026-10-01T06:00:00Z", tiers=((3, 1),)),
    ])
    assert points.latest().name == "b"
    assert points.select("latest AppConsistent").name == "a"
    assert points.select("latest archive").name == "c"
    assert points.select("latest CrashConsistent snapshot").name == "b"
    assert points.select("c").name == "c"
    with pytest.raises(NotFoundError, match="FileSystemConsistent"):
        points.select("latest FileSystemConsistent")
    with pytest.raises(NotFoundError, match="zzz"):
        points.get("zzz")
    assert isinstance(points[:2], RecoveryPoints) and "3 point(s)" in repr(points)


def test_item_ref_parses_every_spelling():
    ref = ItemRef.from_id(DOC_ID + "1")
    assert (ref.vault_resource_group, ref.vault_name, ref.vm_name) == ("testVaultRG", "testVault", "testVM")
    assert ItemRef.for_vm("s", "g", "v", "rg", "vm").item == "VM;iaasvmcontainerv2;rg;vm"
