"""RecoveryPointPicker without a browser: filters narrow the candidates, ``value`` follows and notifies.

Also holds the synthetic points the form tests import (``make_point``, ``make_points``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import traitlets

from restorekit.core.ids import ItemRef
from restorekit.model.points import RecoveryPoint, RecoveryPoints
from restorekit.widgets import RecoveryPointPicker

SUB = "00000000-0000-0000-0000-000000000000"
ITEM = ItemRef.for_vm(SUB, "testVaultRG", "testVault", "testRG", "vm1")
_TIER_DETAILS = {"snapshot": {"type": "InstantRP", "status": "Valid"},
                 "vault": {"type": "HardenedRP", "status": "Valid"},
                 "archive": {"type": "ArchivedRP", "status": "Valid"}}
NEWEST = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)


def make_point(name: str, when: datetime, *, consistency: str = "AppConsistent", tiers=("snapshot", "vault"),
               luns: list[int] | None = (-1, 0, 1, 2), zones: list[str] | None = None) -> RecoveryPoint:
    """A recovery point shaped as the API returns it, of VM testRG/vm1 in testVault (westus)."""
    props: dict[str, Any] = {
        "objectType": "IaasVMRecoveryPoint", "recoveryPointType": consistency,
        "recoveryPointTime": when.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"), "isSourceVMEncrypted": False,
        "isManagedVirtualMachine": True, "recoveryPointTierDetails": [dict(_TIER_DETAILS[t]) for t in tiers]}
    if luns is not None:
        props["recoveryPointDiskConfiguration"] = {
            "numberOfDisksIncludedInBackup": len(luns), "numberOfDisksAttachedToVm": len(luns),
            "includedDiskList": [{"lun": n, "name": f"vm1_disk{n}"} for n in luns]}
    if zones is not None:
        props["zones"] = zones
    return RecoveryPoint.from_resource({"name": name, "properties": props}, item=ITEM, vault_location="westus")


def make_points(count: int = 40) -> RecoveryPoints:
    """``count`` daily points ending at NEWEST, in API order (newest first): every 5th crash-consistent,
    the 3 newest with a snapshot, every 10th (from day 20) archive-only."""
    out = []
    for age in range(count):
        tiers = ("snapshot", "vault") if age < 3 else ("archive",) if age >= 20 and age % 10 == 0 else ("vault",)
        out.append(make_point(f"rp{age:03d}", NEWEST - timedelta(days=age), tiers=tiers,
                              consistency="CrashConsistent" if age % 5 == 4 else "AppConsistent"))
    return RecoveryPoints(out)


@pytest.fixture
def points() -> RecoveryPoints:
    return make_points()


def test_defaults_to_the_newest_point_and_shows_everything(points):
    shuffled = RecoveryPoints([points[7], points[0], points[30], points[2]])
    picker = RecoveryPointPicker(shuffled)
    assert picker.value is points[0]
    assert [p.name for p in picker.candidates] == ["rp000", "rp002", "rp007", "rp030"]  # newest first
    assert isinstance(picker.candidates, RecoveryPoints)
    assert picker.select.value == points[0].id
    assert picker.start_picker.value == date(2026, 5, 31) and picker.end_picker.value == date(2026, 6, 30)
    assert "4 of 4 point(s) match" in picker.table.value


def test_consistency_filter_narrows_and_moves_the_value(points):
    picker = RecoveryPointPicker(points)
    assert set(picker.consistency_buttons) == {"AppConsistent", "CrashConsistent"}
    seen = []
    picker.observe(lambda change: seen.append(change["new"]), "value")
    picker.value = points[4]  # crash-consistent
    picker.consistency_buttons["CrashConsistent"].value = False
    assert all(p.consistency == "AppConsistent" for p in picker.candidates)
    assert len(picker.candidates) == 32
    assert picker.value is points[0]  # the chosen point was filtered out: the newest remaining one
    assert seen == [points[4], points[0]]


def test_tier_filter_keeps_points_with_any_selected_tier(points):
    picker = RecoveryPointPicker(points)
    picker.tier_buttons["vault"].value = False
    assert [p.name for p in picker.candidates] == ["rp000", "rp001", "rp002", "rp020", "rp030"]
    picker.tier_buttons["snapshot"].value = False
    assert [p.name for p in picker.candidates] == ["rp020", "rp030"]
    assert picker.value.name == "rp020" and picker.value.is_archived_only
    picker.tier_buttons["archive"].value = False
    assert len(picker.candidates) == 0 and picker.value is None
    assert "widen the filters" in picker.table.value


def test_date_range_filter(points):
    picker = RecoveryPointPicker(points)
    picker.end_picker.value = date(2026, 6, 20)
    picker.start_picker.value = date(2026, 6, 18)
    assert [p.name for p in picker.candidates] == ["rp010", "rp011", "rp012"]
    assert picker.value.name == "rp010"
    assert [label for label, _ in picker.select.options][0].startswith("2026-06-20 22:30 UTC · AppConsistent")


def test_choosing_in_the_dropdown_sets_value_and_notifies(points):
    picker = RecoveryPointPicker(points)
    seen = []
    picker.observe(lambda change: seen.append(change["new"].name), "value")
    picker.select.value = points[5].id
    assert picker.value is points[5]
    assert seen == ["rp005"]
    assert "font-weight:bold" in picker.table.value.split("rp005")[0].rsplit("<tr", 1)[1]


def test_setting_value_syncs_the_dropdown_and_widens_filters_when_needed(points):
    picker = RecoveryPointPicker(points)
    picker.consistency_buttons["CrashConsistent"].value = False
    picker.value = "rp009"  # a name works too; this one is crash-consistent, hidden by the filter
    assert picker.value is points[9]
    assert picker.select.value == points[9].id
    assert picker.consistency_buttons["CrashConsistent"].value is True
    with pytest.raises(traitlets.TraitError):
        picker.value = "no-such-point"
    picker.value = None
    assert picker.value is None and picker.select.value is None


def test_table_is_capped_with_a_count_of_the_rest(points):
    picker = RecoveryPointPicker(points, max_rows=5)
    assert picker.table.value.count("<td>rp0") == 5
    assert "… 35 more" in picker.table.value


def test_frame_alone_yields_rows_and_frame_with_points_yields_points(points):
    frame = points.to_frame()
    picker = RecoveryPointPicker(frame)
    row = picker.value
    assert row["recovery_point"] == "rp000"
    picker.tier_buttons["snapshot"].value = False
    picker.tier_buttons["vault"].value = False
    assert list(picker.candidates["recovery_point"]) == ["rp020", "rp030"]
    assert picker.value["recovery_point"] == "rp020"

    subset = frame[frame["consistency"] == "CrashConsistent"]
    with_points = RecoveryPointPicker(subset, points=points)
    assert with_points.value is points[4]
    with_points.value = points[14]
    assert with_points.select.value == subset.index[subset["recovery_point"] == "rp014"][0]
    assert len(with_points.candidates) == 8


def test_load_replaces_the_points_and_resets_filters(points):
    picker = RecoveryPointPicker(points[:3])
    picker.tier_buttons["snapshot"].value = False
    picker.load(points[10:12])
    assert [p.name for p in picker.candidates] == ["rp010", "rp011"]
    assert picker.tier_buttons["snapshot"].value is True and picker.tier_buttons["snapshot"].disabled
    assert picker.value is points[10]


def test_css_classes_for_the_browser(points):
    picker = RecoveryPointPicker(points)
    assert "rk-picker" in picker._dom_classes
    assert "rk-picker-select" in picker.select._dom_classes
    assert "rk-tier-archive" in picker.tier_buttons["archive"]._dom_classes
    assert "rk-consistency-CrashConsistent" in picker.consistency_buttons["CrashConsistent"]._dom_classes
