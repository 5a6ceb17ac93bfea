"""A frame streamed in batches (points become Arrow-backed parts as they arrive) equals the frame one build gives."""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest

import restorekit as rk
from restorekit import emulator
from restorekit.data.frame_parts import PointsFrameParts, join_frames
from restorekit.data.frames import IncompletePointsWarning, recovery_points_frame

ITEM = ("/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/backupFabrics/Azure/"
        "protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg;{vm}/protectedItems/VM;iaasvmcontainerv2;rg;{vm}")
ORDER = ["vault", "vm_name", "item_id", "time"]


def assert_same_points(joined: pd.DataFrame, whole: pd.DataFrame) -> None:
    """Equal frames; ``extra``'s fields may come in another order (its rows are compared as dicts)."""
    import pyarrow as pa

    pd.testing.assert_frame_equal(joined.drop(columns="extra"), whole.drop(columns="extra"))
    assert pa.array(joined["extra"].array).to_pylist() == pa.array(whole["extra"].array).to_pylist()
    named = {f.name: f.type for f in pa.array(joined["extra"].array).type}
    assert named == {f.name: f.type for f in pa.array(whole["extra"].array).type}


def one_build(points: list[dict]) -> pd.DataFrame:
    return recovery_points_frame(points).sort_values(ORDER, kind="stable", ignore_index=True)


def point(sub: str, vm: str, n: int, **props) -> dict:
    return {"id": ITEM.format(sub=sub, vm=vm) + f"/recoveryPoints/{n}", "name": str(n),
            "properties": {"recoveryPointTime": f"2026-11-{n:02d}T02:00:00Z", "recoveryPointType": "AppConsistent",
                           "recoveryPointTierDetails": [{"type": 2, "status": 1}], **props}}


@pytest.fixture(scope="module")
def estate_points() -> list[list[dict]]:
    """Each VM's points (as the API pages them) of a 3-subscription estate."""
    with emulator.start(fleet=40, subscriptions=3, throttle=False, as_of="2026-11-20T12:00:00Z") as srv, \
            rk.connect(srv.url) as az:
        return [[p for page in az.arm.pages(f"{item_id}/recoveryPoints") for p in page["value"]]
                for item_id in az.fleet()["item_id"].astype(str)]


@pytest.mark.parametrize("batch", [1, 97, 1_000_000], ids=["a part per point", "97 points a part", "one part"])
def test_points_added_from_many_threads_give_the_one_build(estate_points, batch):
    parts = PointsFrameParts(batch=batch, sort_by=ORDER)
    threads = [threading.Thread(target=lambda chunk: [parts.add(vm) for vm in chunk], args=(estate_points[k::4],))
               for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert parts.points == sum(map(len, estate_points))
    streamed = parts.frame()
    assert_same_points(streamed, one_build([p for vm in estate_points for p in vm]))
    assert streamed["vm_size"].cat.categories.is_monotonic_increasing  # the sorted union, as one build sorts


def test_a_batch_is_built_as_soon_as_it_is_full_and_its_points_let_go(estate_points):
    parts = PointsFrameParts(batch=100)
    for vm in estate_points[:5]:
        parts.add(vm)
    added = sum(map(len, estate_points[:5]))
    assert len(parts._pending) < 100 and parts.points == added
    parts.close()  # the builder thread has built what it was handed
    assert parts.parts >= 1


def test_many_threads_adding_to_a_slow_builder_hold_a_few_batches_not_a_batch_each(monkeypatch):
    """While the builder is two batches behind, every adding thread waits: the points taken and not yet built stay
    within the pending batch, the two waiting, the one being built and the one being handed over, however many
    threads add."""
    import time

    batch, adds, threads = 10, 3, 16
    built, most_held = [0], [0]
    parts = PointsFrameParts(batch=batch)

    def slow_build(points):
        time.sleep(0.01)
        built[0] += len(points)
        return pd.DataFrame()

    monkeypatch.setattr(parts, "_build", slow_build)

    def adder():
        for _ in range(40):
            parts.add([{}] * adds)
            most_held[0] = max(most_held[0], parts.points - built[0])

    workers = [threading.Thread(target=adder) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    parts.close()
    assert built[0] + len(parts._pending) == parts.points == threads * 40 * adds
    # a batch holds up to batch + adds - 1 points; pending, two waiting, one built, one being handed over
    assert most_held[0] <= (batch - 1) + 4 * (batch + adds - 1), most_held[0]  # a batch per thread: 16 batches


def test_a_failing_build_is_raised_to_the_caller():
    parts = PointsFrameParts(batch=1)
    parts.add(["not a point"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not a dict"):
        parts.frame()


def test_vm_sizes_seen_in_one_part_only_take_the_sorted_union():
    a = recovery_points_frame([point("a", "vm1", 1, virtualMachineSize="Standard_D4s_v5")])
    b = recovery_points_frame([point("b", "vm2", 2, virtualMachineSize="Standard_B2ms")])
    joined = join_frames([a, b])
    whole = recovery_points_frame([point("a", "vm1", 1, virtualMachineSize="Standard_D4s_v5"),
                                   point("b", "vm2", 2, virtualMachineSize="Standard_B2ms")])
    pd.testing.assert_frame_equal(joined, whole)


@pytest.mark.parametrize("odd", [{"recoveryPointType": "SomeNewConsistency"}, {"osType": "Plan9"},
                                 {"customTag": 5, "recoveryPointDiskConfiguration": {"includedDiskList": []}}],
                         ids=["unknown consistency", "unknown OS", "unmodelled properties"])
def test_values_a_vocabulary_does_not_know_join_as_one_build_orders_them(odd):
    points = [point("a", "vm1", 1, customTag=3, osType="Linux"), point("b", "vm2", 2, **odd),
              point("c", "vm3", 3, recoveryPointType="AnotherOne")]
    parts = PointsFrameParts(batch=1)
    for p in points:
        parts.add([p])
    assert_same_points(parts.frame(), recovery_points_frame(points))


def test_an_unknown_tier_joins_as_one_build_labels_it_its_details_kept_where_its_batch_kept_them():
    points = [point("a", "vm1", 1), point("b", "vm2", 2, recoveryPointTierDetails=[{"type": "Lukewarm", "status": 1}])]
    parts = PointsFrameParts(batch=1)
    with pytest.warns(IncompletePointsWarning):
        for p in points:
            parts.add([p])
        joined = parts.frame()
    with pytest.warns(IncompletePointsWarning):
        whole = recovery_points_frame(points)
    pd.testing.assert_frame_equal(joined.drop(columns="extra"), whole.drop(columns="extra"))
    assert list(joined["tier"].cat.categories) == list(whole["tier"].cat.categories)
    kept = joined["extra"].struct.field("recoveryPointTierDetails")  # one build keeps every point's, as text
    assert kept.isna().tolist() == [True, False] and whole["extra"].struct.field("recoveryPointTierDetails").notna().all()


def test_a_property_whose_type_changes_between_batches_is_json_text_as_one_build_keeps_it():
    points = [point("a", "vm1", 1, customTag=5), point("a", "vm1", 2, customTag=6),
              point("b", "vm2", 3, customTag="five"), point("b", "vm2", 4, customTag="six")]
    parts = PointsFrameParts(batch=2, sort_by=ORDER)  # 5 and 6 in one part (numbers), the texts in the other
    for p in points:
        parts.add([p])
    joined = parts.frame()
    whole = one_build(points)
    assert_same_points(joined, whole)
    assert [json.loads(v) for v in joined["extra"].struct.field("customTag")] == [5, 6, "five", "six"]


def test_the_memory_frugal_join_equals_the_plain_join(estate_points):
    frames = [recovery_points_frame(vm) for vm in estate_points[:6]]
    plain = join_frames(frames, sort_by=ORDER)
    assert len(frames[0].columns) > 0  # join_frames leaves its inputs whole
    parts = PointsFrameParts(batch=1, sort_by=ORDER)
    for vm in estate_points[:6]:
        parts.add(vm)
    assert_same_points(parts.frame(), plain)
