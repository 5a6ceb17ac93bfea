"""The frame's fast path (sampled keys checked by counting, ids read by struct, structs' keys counted, times
cast in the likelier order, mixed tier details looked up, pages looked for only when needed, the collector
paused) gives the very frame of the straightforward path, on the 2026 shape and on Azure's recorded one, odd
points included."""

from __future__ import annotations

import copy
import datetime as dt
import gc
import json
import re
import warnings
from pathlib import Path

import orjson
import pandas as pd
import pytest

from restorekit.data import columns, frames, tiers
from restorekit.data.frames import COLUMNS, recovery_points_frame

RECORDINGS = Path(__file__).resolve().parents[1].parent / "shared" / "recordings" / "azure-cli" / "azure-cli-backup.json"
RP_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints"


def _item(v: int) -> str:
    rg, vm = f"app-rg-{v % 3}", f"vm-{v:03d}"
    return ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vault-rg/providers/"
            f"Microsoft.RecoveryServices/vaults/vault{v % 2}/backupFabrics/Azure/protectionContainers/"
            f"iaasvmcontainer;iaasvmcontainerv2;{rg};{vm}/protectedItems/VM;iaasvmcontainerv2;{rg};{vm}")


def _point(i: int, v: int, props: dict) -> dict:
    name = str(20_000_000_000_000 + i)
    return {"id": f"{_item(v)}/recoveryPoints/{name}", "name": name, "type": RP_TYPE, "properties": props}


def points_2026(n: int = 700, vms: int = 7) -> list[dict]:
    """The 2026 shape (tier names, a third as numbers, zones, expiry and rule, a disk list), as a page decodes."""
    base = dt.datetime(2026, 1, 1, 22, tzinfo=dt.UTC)
    points = []
    for i in range(n):
        v, when = i % vms, base + dt.timedelta(days=i // vms, microseconds=i * 7919)
        props = {
            "objectType": "IaasVMRecoveryPoint",
            "recoveryPointType": ("AppConsistent", "CrashConsistent", "FileSystemConsistent")[i % 3],
            "recoveryPointTime": when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "1Z",
            "recoveryPointAdditionalInfo": "", "sourceVMStorageType": "NormalStorage",
            "isSourceVMEncrypted": v % 4 == 0, "isInstantIlrSessionActive": False,
            "recoveryPointTierDetails": ([{"type": "InstantRP", "status": "Valid"},
                                          {"type": "HardenedRP", "status": "Valid"}] if i % 3 else
                                         [{"type": 2, "status": 1}]),
            "isManagedVirtualMachine": True, "virtualMachineSize": ("Standard_D2s_v3", "Standard_A1_v2")[v % 2],
            "originalStorageAccountOption": False, "osType": ("Windows", "Linux")[v % 2],
            "recoveryPointDiskConfiguration": {
                "numberOfDisksIncludedInBackup": 2, "numberOfDisksAttachedToVm": 2,
                "includedDiskList": [{"lun": -1, "name": "osdisk"}, {"lun": 0, "name": "data0"}],
                "excludedDiskList": []},
            "recoveryPointProperties": {"expiryTime": (when + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                        "ruleName": "DailyRule"},
        }
        if v % 3 == 0:
            props["zones"] = ["1"]
        points.append(_point(i, v, props))
    return _as_pages(points)


def points_recorded(n: int = 700, vms: int = 7) -> list[dict]:
    """The recovery points of Azure's recorded list answers, cycled over ``n`` points (ids and times renewed)."""
    entries = json.loads(RECORDINGS.read_text())
    templates = [p for e in entries if e["method"] == "GET" and e["status"] == 200
                 and e["path"].rstrip("/").lower().endswith("/recoverypoints")
                 for p in (e["body"] or {}).get("value", [])
                 if p.get("properties", {}).get("objectType") == "IaasVMRecoveryPoint"]
    assert templates, "the recordings hold recovery-point list answers"
    base = dt.datetime(2024, 4, 28, 6, 37, tzinfo=dt.UTC)
    points = []
    for i in range(n):
        v, when = i % vms, base - dt.timedelta(days=i // vms, microseconds=i * 7919)
        props = copy.deepcopy(templates[i % len(templates)]["properties"])
        props["recoveryPointTime"] = when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "1Z"
        if "recoveryPointProperties" in props:
            props["recoveryPointProperties"]["expiryTime"] = (when + dt.timedelta(days=30)).strftime(
                "%Y-%m-%dT00:00:00.0000000")
        points.append(_point(i, v, props))
    return _as_pages(points)


def _as_pages(points: list[dict], size: int = 50) -> list[dict]:
    """The points as the transport hands them over: each page decoded from its bytes by orjson."""
    return [p for start in range(0, len(points), size)
            for p in orjson.loads(orjson.dumps({"value": points[start:start + size]}))["value"]]


def with_odd_points(points: list[dict]) -> list[dict]:
    """Odd points spread over ``points``: missing fields, several tiers, no disk configuration, a key seen late,
    a None value, an id and a name that are no text, a time without a zone."""
    points = copy.deepcopy(points)
    n = len(points)
    for key in ("osType", "zones", "recoveryPointProperties", "virtualMachineSize", "isSourceVMEncrypted"):
        points[n // 7]["properties"].pop(key, None)
    points[n // 5]["properties"]["recoveryPointTierDetails"] = [
        {"type": "InstantRP", "status": "Valid"}, {"type": "HardenedRP", "status": "Valid"},
        {"type": "ArchivedRP", "status": "Valid"}]
    points[n // 4]["properties"]["recoveryPointTierDetails"] = []
    for i in range(n // 3, n // 3 + 40):
        points[i]["properties"].pop("recoveryPointDiskConfiguration", None)
    points[n // 2]["properties"].pop("recoveryPointTime")
    points[n - 3]["properties"]["seenLate"] = "only here"
    points[n - 4]["properties"]["recoveryPointAdditionalInfo"] = None
    points[n - 5]["properties"]["recoveryPointProperties"] = {"expiryTime": None, "ruleName": "Weekly"}
    points[n - 6]["name"] = 42
    points[n - 7]["id"] = None
    points[n - 8]["properties"]["recoveryPointMoveReadinessInfo"] = {"ArchivedRP": {"isReadyForMove": True,
                                                                                   "late": 1}}
    return points


def _frame(points: list[dict]) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return recovery_points_frame(points)


def _straightforward(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every shortcut off: the keys of every point, ids and names through Python lists, structs' keys compared,
    times cast with a zone first."""
    monkeypatch.setattr(columns, "sampled_key_union", columns.key_union)
    monkeypatch.setattr(frames, "sampled_key_union", columns.key_union)
    monkeypatch.setattr(frames, "keys_accounted", lambda *args, **kwargs: False)
    monkeypatch.setattr(frames, "_id_texts", frames._id_texts_as_given)
    monkeypatch.setattr(columns, "_keys_within", lambda dicts, array: set().union(*dicts) <= {f.name for f in array.type})
    monkeypatch.setattr(columns, "_ZONE", re.compile(""))
    monkeypatch.setattr(tiers, "_bits_by_lookup", lambda values: None)


SHAPES = {"2026": points_2026, "recorded": points_recorded}


@pytest.mark.parametrize("odd", [False, True], ids=["usual", "odd"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("sample", [256, 4], ids=["sample-256", "sample-4"])
def test_fast_path_gives_the_straightforward_frame(shape, odd, sample, monkeypatch):
    """A sample of 4 misses most keys and values: the checks must notice and take the whole."""
    points = SHAPES[shape]()
    if odd:
        points = with_odd_points(points)
    monkeypatch.setattr(columns, "_SAMPLE", sample)
    fast = _frame(points)
    with monkeypatch.context() as plain:
        _straightforward(plain)
        expected = _frame(points)
    assert list(fast.columns) == list(COLUMNS)
    pd.testing.assert_frame_equal(fast, expected)
    assert fast.extra.dtype == expected.extra.dtype


ODD_TIERS = [
    [{"type": True, "status": 1}], [{"type": 1.0, "status": "Valid"}], [{"type": 1, "status": True}],
    [{"type": " InstantRP", "status": "Valid"}], [{"type": "InstantRP", "status": " Valid "}],
    [{"type": "FutureRP", "status": "Valid"}], [{"type": 9, "status": 1}], [{"type": 3, "status": 9}],
    [{"type": "InstantRP", "status": "Valid", "extendedInfo": {"x": 1}}], [{"type": "InstantRP"}],
    [{"type": None, "status": "Valid"}], ["InstantRP"], "InstantRP", None, [],
    [{"type": "Invalid", "status": "Valid"}], [{"type": 0, "status": 1}], [{"type": "1", "status": "1"}],
]


@pytest.mark.parametrize("odd", [None, *ODD_TIERS], ids=["mixed", *map(json.dumps, ODD_TIERS)])
def test_tiers_looked_up_give_what_arrow_reads(odd):
    """Mixed numbers and names are looked up entry by entry; any odder value sends every point back to Arrow's
    reading, which the lookup must equal (exact ints only, padded names and unknown types as Arrow reads them)."""
    points = points_2026(60)
    for status, i in zip(("Rehydrated", 4, "Deleted", 2, "Invalid", 0), range(0, 60, 7), strict=False):
        points[i]["properties"]["recoveryPointTierDetails"] = [{"type": "ArchivedRP" if i % 2 else 3, "status": status}]
    if odd is not None:
        points[31]["properties"]["recoveryPointTierDetails"] = odd
    _assert_looked_up_as_arrow_reads(points)


@pytest.mark.parametrize("odd", [None, *ODD_TIERS], ids=["numbers", *map(json.dumps, ODD_TIERS)])
def test_tiers_all_numbers_looked_up_give_what_arrow_reads(odd):
    """The documentation's answers write every tier as numbers: looked up too (Arrow reads them through decimal)."""
    names = {"InstantRP": 1, "HardenedRP": 2, "ArchivedRP": 3, "Valid": 1, "Invalid": 0, "Deleted": 3, "Rehydrated": 4}
    points = points_2026(60)
    for i, point in enumerate(points):
        point["properties"]["recoveryPointTierDetails"] = [
            {"type": names.get(t["type"], t["type"]), "status": names.get(t["status"], t["status"])}
            for t in point["properties"]["recoveryPointTierDetails"]] if i % 5 else [{"type": 3, "status": 4}]
    for status, i in zip((3, 2, 0, 1), range(3, 60, 7), strict=False):
        points[i]["properties"]["recoveryPointTierDetails"] = [{"type": 1, "status": status}]
    if odd is not None:
        points[31]["properties"]["recoveryPointTierDetails"] = odd
    _assert_looked_up_as_arrow_reads(points)


def _assert_looked_up_as_arrow_reads(points: list[dict]) -> None:
    looked_up = _frame(points)
    with pytest.MonkeyPatch.context() as plain:
        plain.setattr(tiers, "_bits_by_lookup", lambda values: None)
        expected = _frame(points)
    pd.testing.assert_frame_equal(looked_up, expected)
    assert set(looked_up.tier) >= {"snapshot+vault", "vault", "archive"}


def test_odd_points_keep_their_odd_values():
    """What the fast path must not lose: the late key, the id and name that are no text, the three tiers."""
    points = with_odd_points(points_2026())
    df = _frame(points)
    n = len(points)
    assert df.extra[n - 3]["seenLate"] == "only here" and df.extra[0]["seenLate"] is None
    assert df.extra[n - 6]["name"] == 42
    assert df.item_id.isna()[n - 7] and not df.item_id.isna()[n - 8]
    assert df.tier[n // 5] == "snapshot+vault+archive" and df.tier[n // 4] == "none"
    assert df.disk_count.isna()[n // 3] and df.disk_count[0] == 2
    assert "late" in json.dumps(df.extra[n - 8]["recoveryPointMoveReadinessInfo"], default=str)


@pytest.mark.parametrize("sample", [256, 4], ids=["sample-256", "sample-4"])
def test_a_resource_key_beyond_the_sample_is_kept(sample, monkeypatch):
    """The resources' keys come from a sample too, checked by counting ids, names, types and properties."""
    monkeypatch.setattr(columns, "_SAMPLE", sample)
    points = points_2026()
    points[-2]["etag"] = 'W/"late"'
    points[-3]["type"] = None  # a None value counts as missing: the whole key union is taken
    df = _frame(points)
    assert df.extra[len(points) - 2]["etag"] == 'W/"late"' and df.extra[0]["etag"] is None
    with monkeypatch.context() as plain:
        _straightforward(plain)
        pd.testing.assert_frame_equal(df, _frame(points))


def test_pages_among_resources_are_found_without_a_pass_for_them():
    """A list of dicts is not searched for pages up front; a page (no properties) is found and read all the same."""
    points = points_2026(120)
    mixed = [*points[:50], {"value": points[50:100], "nextLink": None}, *points[100:]]
    pd.testing.assert_frame_equal(_frame(mixed), _frame(points))
    no_properties = [*points[:3], {"id": points[3]["id"], "name": points[3]["name"]}]
    df = _frame(no_properties)
    assert len(df) == 4 and df.recovery_point[3] == points[3]["name"] and df.time.isna()[3]


def test_collector_is_paused_while_building_and_left_as_it_was(monkeypatch):
    during = []
    identity_columns = frames.identity_columns

    def spy(*args, **kwargs):
        during.append(gc.isenabled())
        return identity_columns(*args, **kwargs)

    monkeypatch.setattr(frames, "identity_columns", spy)
    assert gc.isenabled()
    _frame(points_2026(50))
    assert during == [False] and gc.isenabled()
    gc.disable()
    try:
        _frame(points_2026(50))
        assert not gc.isenabled()  # a caller's choice stands
    finally:
        gc.enable()
