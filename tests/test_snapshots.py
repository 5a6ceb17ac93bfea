"""to_parquet / read_parquet round-trips (dtypes, categories, UTC times, extra, attrs) and compare_snapshots."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_frames import DOC_PAGE, point_dicts, rich_point
from test_items import protected_item

from restorekit.data.analysis import summary
from restorekit.data.frames import recovery_points_frame
from restorekit.data.items import protected_items_frame
from restorekit.data.risk import at_risk
from restorekit.data.snapshots import compare_snapshots, read_parquet, to_parquet


def roundtrip(df: pd.DataFrame, tmp_path) -> pd.DataFrame:
    path = tmp_path / "snapshot.parquet"
    to_parquet(df, path)
    return read_parquet(path)


@pytest.fixture
def points() -> pd.DataFrame:
    odd = rich_point("9", recoveryPointTierDetails=[{"type": "FutureRP", "status": "Valid"}], zones="1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = recovery_points_frame([rich_point("1"), rich_point("2", isManagedVirtualMachine=None), odd,
                                    *DOC_PAGE["value"]])
    df.attrs["failures"] = [{"vault": "v", "vm_name": "vm9", "protected_item": "VM;x", "error": "ArmError: 500"}]
    df.attrs["frame"] = pd.DataFrame({"a": [1]})  # a frame a user put there: kept by rk's files
    df.attrs["taken"] = "2026-11-20T00:00:00Z"
    return df


def test_points_frame_roundtrips_with_dtypes_and_attrs(points, tmp_path):
    back = roundtrip(points, tmp_path)
    pd.testing.assert_frame_equal(back, points)
    assert list(back.dtypes.astype(str)) == list(points.dtypes.astype(str))
    assert back.time.dt.tz is not None and str(back.tier.dtype) == "category"
    # kept as JSON text: the details of these points disagree on a type (names here, numbers in DOC_PAGE)
    assert json.loads(back.extra[2]["recoveryPointTierDetails"]) == [{"type": "FutureRP", "status": "Valid"}]
    assert back.extra[0]["recoveryPointDiskConfiguration"]["excludedDiskList"] == [{"lun": 1, "name": "d1"}]
    assert back.extra[2]["zones"] == "1" and back.zones[0] == ["2"] and back.disk_luns[0] == [-1, 0, 2]
    assert pd.isna(back.managed[1]) and back.managed.dtype == "boolean"
    assert back.attrs["failures"] == points.attrs["failures"]
    pd.testing.assert_frame_equal(back.attrs["frame"], points.attrs["frame"])
    assert back.attrs["taken"] == "2026-11-20T00:00:00Z"


def test_items_frame_and_derived_frames_roundtrip(tmp_path):
    items = protected_items_frame([protected_item("vm1"), protected_item("vm2", protectionState="ProtectionStopped")])
    pd.testing.assert_frame_equal(roundtrip(items, tmp_path), items)
    risk = at_risk(items, now="2026-11-20T00:00Z", include_healthy=True)
    pd.testing.assert_frame_equal(roundtrip(risk, tmp_path), risk)  # ordered severity, durations
    s = summary(recovery_points_frame([rich_point("1"), rich_point("2")]), now="2026-11-20T00:00Z")
    pd.testing.assert_frame_equal(roundtrip(s, tmp_path), s)  # indexed by item_id


def test_empty_frame_roundtrips(tmp_path):
    empty = recovery_points_frame([])
    pd.testing.assert_frame_equal(roundtrip(empty, tmp_path), empty)


def vm_point(vm: str, name: str, when: str = "2026-03-01T22:00:00Z") -> dict:
    point = rich_point(name, recoveryPointTime=when)
    point["id"] = point["id"].replace("testVM", vm)
    return point


def test_compare_points_snapshots():
    monday = recovery_points_frame([vm_point("a", "1"), vm_point("a", "2"), vm_point("b", "5"), vm_point("b", "6")])
    tuesday = recovery_points_frame([vm_point("a", "2"), vm_point("a", "3", "2026-03-02T22:00:00Z"), vm_point("c", "7")])
    changes = compare_snapshots(monday, tuesday)
    assert list(changes.columns) == ["vm_name", "resource_group", "vault", "points_old", "points_new", "added", "removed",
                                     "newest_old", "newest_new", "change"]
    changes = changes.set_index("vm_name")
    assert changes.loc["a", ["points_old", "points_new", "added", "removed"]].tolist() == [2, 2, 1, 1]
    assert changes.loc["a", "change"] == "backed up" and changes.loc["a", "newest_new"] == pd.Timestamp("2026-03-02T22Z")
    assert changes.loc["b", "change"] == "disappeared" and changes.loc["b", "removed"] == 2
    assert changes.loc["c", "change"] == "appeared" and changes.loc["c", "added"] == 1
    same = compare_snapshots(tuesday, tuesday)
    assert (same.change == "no new point").all() and (same.added == 0).all()


def test_compare_items_snapshots():
    monday = protected_items_frame([protected_item("vm1"), protected_item("vm2")])
    tuesday = protected_items_frame([protected_item("vm1", lastBackupStatus="Failed"), protected_item("vm3")])
    changes = compare_snapshots(monday, tuesday).set_index("vm_name")
    assert changes.loc["vm1", "change"] == "changed" and changes.loc["vm1", "changed"] == "last_backup_status"
    assert changes.loc["vm1", "last_backup_status_new"] == "Failed"
    assert changes.loc["vm2", "change"] == "disappeared" and changes.loc["vm3", "change"] == "appeared"
    with pytest.raises(ValueError):
        compare_snapshots(monday, recovery_points_frame([]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(point_dicts, max_size=4))
def test_any_points_frame_roundtrips(tmp_path, points):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = recovery_points_frame(points)
    pd.testing.assert_frame_equal(roundtrip(df, tmp_path), df)
