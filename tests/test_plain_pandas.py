"""Whatever restorekit returns behaves like a plain pandas frame: concat, merge, filters, Parquet, CSV, Excel."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from test_frames import rich_point

import restorekit as rk
from restorekit import emulator


@pytest.fixture(scope="module")
def two_vaults():
    """Inventories of two vaults of one emulator, the first with a VM that could not be listed."""
    with emulator.start(fleet=4, throttle=False) as server, rk.connect(server.url, retries=1) as az:
        server.state.faults.fail_next(50, status=500, retry_after=0, path_contains="fleet-vm-0002")
        with pytest.warns(RuntimeWarning, match="rk.failures"):
            fleet = az.vault("fleetRG", "fleetVault").inventory(progress=False)
        test = az.vault("testVaultRG", "testVault").inventory(progress=False)
        yield fleet, test, az.now()


def test_failures_are_json_records_and_a_table_is_one_call_away(two_vaults):
    fleet, test, _ = two_vaults
    assert fleet.attrs["failures"] == [rk.failures(fleet).iloc[0].to_dict()]
    json.dumps(fleet.attrs)  # all of it is JSON
    table = rk.failures(fleet)
    assert list(table.columns) == ["vault", "vm_name", "protected_item", "error"]
    assert list(table["vm_name"]) == ["fleet-vm-0002"] and "500" in table["error"][0]
    assert rk.failures(test).empty and list(rk.failures(test).columns) == list(table.columns)


def test_concat_merge_and_filters_work(two_vaults):
    fleet, test, _ = two_vaults
    both = pd.concat([fleet, test], ignore_index=True)
    assert len(both) == len(fleet) + len(test) and set(both["vault"]) == {"fleetVault", "testVault"}
    joined = fleet.merge(test, on="vm_name", how="outer", suffixes=("_fleet", "_test"))
    assert len(joined) == len(fleet) + len(test)  # no VM name in common
    recent = both[(both["vm_name"] == "testVM") & (both["time"] > both["time"].max() - pd.Timedelta("7D"))]
    assert len(recent) and set(recent["vm_name"]) == {"testVM"}
    latest = rk.latest_points(both)
    assert latest["item_id"].is_unique and len(latest) == both["item_id"].nunique()


def test_pandas_own_parquet_round_trip_keeps_lists_structs_and_attrs(two_vaults, tmp_path):
    fleet, _, _ = two_vaults
    path = tmp_path / "fleet.parquet"
    fleet.to_parquet(path)
    back = pd.read_parquet(path)
    empty = [c for c in fleet.columns if fleet[c].isna().all()]  # pandas keeps no dtype for an all-missing column
    pd.testing.assert_frame_equal(back.drop(columns=empty), fleet.drop(columns=empty))
    assert back[empty].isna().all().all()
    assert back.attrs == fleet.attrs
    # Lists of Azure's list answers carry no disk list (only a point read alone does): its lists round-trip too.
    alone = rk.recovery_points_frame([rich_point("1"), rich_point("2", recoveryPointDiskConfiguration=None)])
    alone.to_parquet(tmp_path / "alone.parquet")
    lists = pd.read_parquet(tmp_path / "alone.parquet")["disk_luns"]
    assert list(lists.iloc[0]) == [-1, 0, 2] and lists.isna().iloc[1]
    assert back["extra"].iloc[0] == fleet["extra"].iloc[0]


def test_rk_parquet_files_read_in_plain_pandas_without_restorekit(tmp_path):
    frame = rk.recovery_points_frame([rich_point("1"), rich_point("2", zones=None)])
    frame.attrs["failures"] = []
    path = tmp_path / "points.parquet"
    rk.to_parquet(frame, path)
    code = ("import json, sys, pandas as pd; df = pd.read_parquet(sys.argv[1]); "
            "assert 'restorekit' not in sys.modules; "
            "print(json.dumps({'luns': [list(map(int, v)) for v in df.disk_luns], 'zones': list(df.zones[0]), "
            "'attrs': df.attrs, 'vm': str(df.vm_name[0])}))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    read = json.loads(out.stdout)
    assert read == {"luns": [[-1, 0, 2], [-1, 0, 2]], "zones": ["2"], "attrs": {"failures": [], "restorekit_shown": "readable"}, "vm": "testVM"}


def test_csv_writes_lists_and_extra_as_json_and_reads_back(two_vaults, tmp_path):
    _, test, _ = two_vaults
    alone = rk.recovery_points_frame([rich_point("1"), rich_point("2", recoveryPointDiskConfiguration=None)])
    rk.to_csv(alone, tmp_path / "alone.csv", index=False)  # disk lists come with points read alone
    luns = [json.loads(v) if isinstance(v, str) else None for v in pd.read_csv(tmp_path / "alone.csv")["disk_luns"]]
    assert luns == [[-1, 0, 2], None]  # lists, and the points that have none
    assert "-1, 0" in (tmp_path / "alone.csv").read_text()  # JSON lists, not numpy's "[-1  0]"
    path = tmp_path / "points.csv"
    rk.to_csv(test, path, index=False)
    back = pd.read_csv(path)
    extra = json.loads(back["extra"][0])
    assert extra["objectType"] == test["extra"][0]["objectType"]
    assert (pd.to_datetime(back["time"], utc=True) - test["time"].reset_index(drop=True)).abs().max() \
        < pd.Timedelta("1us")  # times keep their zone and full precision


def test_excel_round_trip_with_times_in_utc(two_vaults, tmp_path):
    _, test, now = two_vaults
    summary = rk.summary(test, now=now).reset_index()
    path = tmp_path / "summary.xlsx"
    rk.to_excel(summary, path, index=False)
    back = pd.read_excel(path)
    assert "newest (UTC)" in back.columns and "newest" not in back.columns
    assert list(back["vm_name"]) == list(summary["vm_name"].astype(str))
    expected = summary["newest"].dt.tz_localize(None)
    assert (back["newest (UTC)"] - expected).abs().max() < pd.Timedelta("1ms")
    assert list(back["item_id"]) == list(summary["item_id"].astype(str))


def test_excel_without_openpyxl_names_what_installs_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ImportError, match=r"pip install 'restorekit\[excel\]'"):
        rk.to_excel(pd.DataFrame({"a": [1]}), tmp_path / "x.xlsx")


def test_comparing_two_vaults_is_one_line(two_vaults):
    fleet, test, now = two_vaults
    side = rk.compare_vaults(fleet, test, now=now)
    assert list(side.columns[:5]) == ["vm_name", "resource_group", "points (fleetVault)", "newest (fleetVault)",
                                      "missed (fleetVault)"]
    row = side[side["vm_name"] == "testVM"].iloc[0]
    assert row["points (fleetVault)"] == 0 and pd.isna(row["missed (fleetVault)"])
    assert row["points (testVault)"] > 0 and row["held_by"] == "only testVault" and row["newest_in"] == "testVault"
    assert side["vm_name"].nunique() == pd.concat([fleet, test])["vm_name"].nunique()
