"""An inventory's frame built subscription by subscription equals the frame built from all its points at once."""

from __future__ import annotations

import pandas as pd
import pytest

import restorekit as rk
from restorekit import emulator
from restorekit.data.frame_parts import PointsFrameParts, join_frames
from restorekit.data.frames import recovery_points_frame

ITEM = ("/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/backupFabrics/Azure/"
        "protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg;{vm}/protectedItems/VM;iaasvmcontainerv2;rg;{vm}")


def assert_same_points(joined: pd.DataFrame, whole: pd.DataFrame) -> None:
    """Equal frames; ``extra``'s fields may come in another order (its rows are compared as dicts)."""
    import pyarrow as pa

    pd.testing.assert_frame_equal(joined.drop(columns="extra"), whole.drop(columns="extra"))
    assert pa.array(joined["extra"].array).to_pylist() == pa.array(whole["extra"].array).to_pylist()
    named = {f.name: f.type for f in pa.array(joined["extra"].array).type}
    assert named == {f.name: f.type for f in pa.array(whole["extra"].array).type}


def point(sub: str, vm: str, n: int, **props) -> dict:
    return {"id": ITEM.format(sub=sub, vm=vm) + f"/recoveryPoints/{n}", "name": str(n),
            "properties": {"recoveryPointTime": f"2026-11-{n:02d}T02:00:00Z", "recoveryPointType": "AppConsistent",
                           "recoveryPointTierDetails": [{"type": 2, "status": 1}], **props}}


@pytest.mark.parametrize("reverse", [False, True], ids=["demo subscription first", "demo subscription last"])
def test_parts_of_a_multi_subscription_estate_join_into_the_one_build(reverse):
    """Parts close in any order; the frame lists them in the declared order, as one build of the points in
    that order would (unmodelled properties only some parts have take their place by name)."""
    with emulator.start(fleet=40, subscriptions=3, throttle=False, as_of="2026-11-20T12:00:00Z") as srv, \
            rk.connect(srv.url) as az:
        fleet = az.fleet()
        raws: dict[str, list[dict]] = {}
        for item_id, sub in zip(fleet["item_id"].astype(str), fleet["subscription_id"].astype(str), strict=True):
            for page in az.arm.pages(f"{item_id}/recoveryPoints"):
                raws.setdefault(sub, []).extend(page["value"])
    assert len(raws) == 3
    order = list(raws)[::-1] if reverse else list(raws)
    parts = PointsFrameParts(order)
    for sub in sorted(raws):  # completion order is not the frame's order
        parts.add(sub, raws[sub])
        parts.close(sub)
    joined = parts.frame()
    assert parts.joined and parts.built_early == 3
    whole = recovery_points_frame([p for sub in order for p in raws[sub]])
    assert_same_points(joined, whole)
    assert joined["vm_size"].cat.categories.is_monotonic_increasing  # the sorted union, as one build sorts


def test_vm_sizes_seen_in_one_part_only_take_the_sorted_union():
    a = recovery_points_frame([point("a", "vm1", 1, virtualMachineSize="Standard_D4s_v5")])
    b = recovery_points_frame([point("b", "vm2", 2, virtualMachineSize="Standard_B2ms")])
    joined = join_frames([a, b])
    whole = recovery_points_frame([point("a", "vm1", 1, virtualMachineSize="Standard_D4s_v5"),
                                   point("b", "vm2", 2, virtualMachineSize="Standard_B2ms")])
    pd.testing.assert_frame_equal(joined, whole)


@pytest.mark.parametrize("odd", [{"customTag": 5}, {"recoveryPointTierDetails": [{"type": "Lukewarm", "status": 1}]}],
                         ids=["unmodelled property", "unknown tier"])
def test_parts_that_cannot_join_exactly_are_built_once(odd):
    parts = PointsFrameParts()
    parts.add("a", [point("a", "vm1", 1, customTag="text")])
    parts.add("b", [point("b", "vm2", 2, **odd)])
    parts.close("a")
    parts.close("b")
    frame = parts.frame()
    whole = recovery_points_frame([point("a", "vm1", 1, customTag="text"), point("b", "vm2", 2, **odd)])
    pd.testing.assert_frame_equal(frame, whole)
    assert not parts.joined
