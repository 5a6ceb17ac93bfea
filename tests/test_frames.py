"""recovery_points_frame / points_to_frame: spec examples, the documentation's page, SDK forms, bad input."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restorekit.core.errors import RestorekitError
from restorekit.core.ids import ItemRef
from restorekit.data.frames import (
    COLUMNS,
    FrameInputError,
    IncompletePointsWarning,
    point_ids,
    points_to_frame,
    recovery_points_frame,
)
from restorekit.model.points import RecoveryPoint

SPECS = Path(__file__).resolve().parents[1].parent / "shared" / "azure-specs"
ITEM = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testVaultRG/providers/"
        "microsoft.recoveryservices/vaults/testVault/backupFabrics/Azure/protectionContainers/"
        "iaasvmcontainer;iaasvmcontainerv2;testRG;testVM/protectedItems/VM;testRG;testVM")

# The documentation's RecoveryPoints_List answer (tier types and statuses as numbers).
DOC_PAGE = {"value": [
    {"id": f"{ITEM}/recoveryPoints/20982486783671", "name": "20982486783671",
     "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints",
     "properties": {"objectType": "IaasVMRecoveryPoint", "recoveryPointType": "AppConsistent",
                    "recoveryPointTime": "2018-06-04T06:06:00.5121087Z", "recoveryPointAdditionalInfo": "",
                    "sourceVMStorageType": "NormalStorage", "isSourceVMEncrypted": False,
                    "isInstantIlrSessionActive": False,
                    "recoveryPointTierDetails": [{"type": 1, "status": 1}, {"type": 2, "status": 1}],
                    "isManagedVirtualMachine": True, "virtualMachineSize": "Standard_A1_v2",
                    "originalStorageAccountOption": False}},
    {"id": f"{ITEM}/recoveryPoints/23358112038108", "name": "23358112038108",
     "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints",
     "properties": {"objectType": "IaasVMRecoveryPoint", "recoveryPointType": "CrashConsistent",
                    "recoveryPointTime": "2018-06-03T06:20:56.3043878Z", "recoveryPointAdditionalInfo": "",
                    "sourceVMStorageType": "NormalStorage", "isSourceVMEncrypted": False,
                    "isInstantIlrSessionActive": False,
                    "recoveryPointTierDetails": [{"type": 1, "status": 1}, {"type": 2, "status": 1}],
                    "isManagedVirtualMachine": True, "virtualMachineSize": "Standard_A1_v2",
                    "originalStorageAccountOption": False}},
], "nextLink": None}


def rich_point(name: str = "1", **props) -> dict:
    """A point with every modeled field, as the 2026 API writes it."""
    base = {"objectType": "IaasVMRecoveryPoint", "recoveryPointType": "AppConsistent",
            "recoveryPointTime": "2026-03-01T22:00:00.1234567Z", "isSourceVMEncrypted": True,
            "isManagedVirtualMachine": False, "virtualMachineSize": "Standard_D2s_v3", "osType": "Linux",
            "zones": ["2"], "securityType": "TrustedLaunch",
            "recoveryPointTierDetails": [{"type": "InstantRP", "status": "Valid"},
                                         {"type": "HardenedRP", "status": "Valid"}],
            "recoveryPointDiskConfiguration": {"numberOfDisksIncludedInBackup": 3, "numberOfDisksAttachedToVm": 4,
                                               "includedDiskList": [{"lun": -1, "name": "os"},
                                                                    {"lun": 0, "name": "d0"},
                                                                    {"lun": 2, "name": "d2"}],
                                               "excludedDiskList": [{"lun": 1, "name": "d1"}]},
            "recoveryPointProperties": {"expiryTime": "2026-04-01T22:00:00Z", "ruleName": "DailyRule"}}
    base.update(props)
    return {"id": f"{ITEM}/recoveryPoints/{name}", "name": name,
            "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints",
            "properties": base}


def example_bodies() -> list[tuple[str, dict]]:
    assert SPECS.is_dir(), f"azure specs not found at {SPECS} (shared/ is laid beside the repo)"
    files = sorted(SPECS.glob("*/examples/**/RecoveryPoints_*.json"))
    assert files, f"no RecoveryPoints examples under {SPECS}"
    return [(str(f.relative_to(SPECS)), json.loads(f.read_text())["responses"]["200"]["body"]) for f in files]


def test_columns_and_dtypes():
    df = recovery_points_frame([rich_point()])
    assert list(df.columns) == list(COLUMNS)
    for column, dtype in COLUMNS.items():
        if column == "extra":  # an Arrow struct whose fields are the input's unmodelled properties
            assert str(df[column].dtype).startswith("struct<objectType: string, securityType: string"), column
        else:
            assert str(df[column].dtype) == dtype, column


def test_rich_point_fields_land_in_their_columns():
    df = recovery_points_frame([rich_point("42")])
    row = df.iloc[0]
    assert (row.vault, row.vault_resource_group, row.resource_group, row.vm_name) == (
        "testVault", "testVaultRG", "testRG", "testVM")
    assert row.protected_item == "VM;testRG;testVM" and row.recovery_point == "42"
    assert row.time == pd.Timestamp("2026-03-01T22:00:00.1234567Z")
    assert row.consistency == "AppConsistent" and row.tier == "snapshot+vault"
    assert (row.snapshot, row.vault_tier, row.archive) == (True, True, False)
    assert (row.vm_size, row.os_type, row.encrypted, row.managed) == ("Standard_D2s_v3", "Linux", True, False)
    assert row.zones == ["2"] and row.disk_luns == [-1, 0, 2] and row.disk_count == 3
    assert row.expiry_time == pd.Timestamp("2026-04-01T22:00:00Z") and row.rule_name == "DailyRule"
    assert row.region == "primary" and point_ids(df)[0] == row.item_id + "/recoveryPoints/42"
    assert row.item_id == ITEM.lower().replace("vm;testrg;testvm", "vm;iaasvmcontainerv2;testrg;testvm")
    assert row.vm_id == ("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/testrg/providers/"
                         "microsoft.compute/virtualmachines/testvm")
    assert row.subscription_id == "00000000-0000-0000-0000-000000000000"
    # what the frame does not model is kept
    assert row.extra["securityType"] == "TrustedLaunch"
    assert row.extra["recoveryPointDiskConfiguration"]["excludedDiskList"] == [{"lun": 1, "name": "d1"}]
    assert "recoveryPointTime" not in row.extra and "zones" not in row.extra


@pytest.mark.parametrize("index", range(3))
def test_every_spec_example_parses(index):
    bodies = example_bodies()
    assert len(bodies) == 3, [where for where, _ in bodies]
    where, body = bodies[index]
    resources = body["value"] if "value" in body else [body]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the spec's examples are complete
        df = recovery_points_frame(body)
    assert len(df) == len(resources), where
    ids = point_ids(df)
    for (i, row), res in zip(df.iterrows(), resources, strict=True):
        props = res["properties"]
        ref = ItemRef.from_id(res["id"])
        assert row.vault == ref.vault_name and row.vm_name == ref.vm_name, where
        assert row.recovery_point == res["name"] and ids[i].lower() == res["id"].lower().replace(
            f"/protecteditems/{ref.item.lower()}", f"/protecteditems/vm;iaasvmcontainerv2;{ref.vm_resource_group.lower()};"
            f"{ref.vm_name.lower()}").replace(
            f"/protectioncontainers/{ref.container.lower()}", f"/protectioncontainers/iaasvmcontainer;iaasvmcontainerv2;"
            f"{ref.vm_resource_group.lower()};{ref.vm_name.lower()}")
        assert row.time == pd.Timestamp(props["recoveryPointTime"])
        assert row.consistency == props["recoveryPointType"]
        assert row.vm_size == props["virtualMachineSize"]
        assert row.encrypted == props["isSourceVMEncrypted"]
        assert row.managed == props["isManagedVirtualMachine"]
        assert (None if row.zones is pd.NA else row.zones) == props.get("zones")
        usable = {d["type"] for d in props["recoveryPointTierDetails"] if d["status"] in ("Valid", "Rehydrated")}
        assert (row.snapshot, row.vault_tier, row.archive) == (
            "InstantRP" in usable, "HardenedRP" in usable, "ArchivedRP" in usable)
        assert row.extra["sourceVMStorageType"] == props["sourceVMStorageType"]
        if "osType" in props:
            assert row.os_type == props["osType"]


def test_spec_examples_specific_values():
    bodies = dict(example_bodies())
    listed = recovery_points_frame(bodies["2025-08-01/examples/AzureIaasVm/RecoveryPoints_List.json"])
    assert list(listed.tier) == ["vault", "archive", "snapshot+vault"]
    rehydrated = listed.extra[1]["recoveryPointTierDetails"][2]["extendedInfo"]
    assert rehydrated == {"RehydratedRPExpiryTime": "2020-12-21T22:48:25.4353958Z"}
    assert listed.vault[2] == "testVault408" and listed.vm_name[2] == "vm408"
    assert listed.extra[2]["extendedLocation"]["type"] == "EdgeZone"
    single = recovery_points_frame(bodies["2026-02-01/examples/AzureIaasVm/RecoveryPoints_Get.json"])
    assert len(single) == 1 and single.recovery_point[0] == "26083826328862" and single.zones[0] == ["1"]
    passive = recovery_points_frame(bodies["passivestamp-2018-12-20/examples/AzureIaasVm/RecoveryPoints_List.json"],
                                    region="secondary")
    assert list(passive.region) == ["secondary", "secondary"] and passive.tier.tolist() == ["snapshot+vault"] * 2


def test_documentation_page_with_numeric_tiers():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = recovery_points_frame(DOC_PAGE)
    assert df.vm_name.tolist() == ["testVM", "testVM"] and df.resource_group.tolist() == ["testRG", "testRG"]
    assert df.protected_item[0] == "VM;testRG;testVM" and df.vault[0] == "testVault"
    assert df.tier.tolist() == ["snapshot+vault", "snapshot+vault"]
    assert df.consistency.tolist() == ["AppConsistent", "CrashConsistent"]
    assert df.time[0] == pd.Timestamp("2018-06-04T06:06:00.5121087Z")


def test_status_names_and_numbers_decode_the_same():
    numbers = rich_point(recoveryPointTierDetails=[{"type": 3, "status": 4}, {"type": "2", "status": "3"}])
    names = rich_point(recoveryPointTierDetails=[{"type": "ArchivedRP", "status": "Rehydrated"},
                                                 {"type": "HardenedRP", "status": "Deleted"}])
    df = recovery_points_frame([numbers, names])
    assert df.tier.tolist() == ["archive", "archive"] and not df.vault_tier.any()


def test_list_of_pages_generator_and_single_resource():
    page2 = {"value": [rich_point("9")], "nextLink": None}
    assert len(recovery_points_frame([DOC_PAGE, page2])) == 3
    assert len(recovery_points_frame(p for p in [rich_point("1"), rich_point("2")])) == 2
    assert len(recovery_points_frame(rich_point("3"))) == 1
    assert len(recovery_points_frame([DOC_PAGE, rich_point("4")])) == 3


def test_empty_input_gives_typed_empty_frame():
    df = recovery_points_frame([])
    assert len(df) == 0 and list(df.columns) == list(COLUMNS)
    assert str(df.time.dtype) == "datetime64[ns, UTC]"


def test_incomplete_points_give_rows_and_one_warning():
    no_time = rich_point("1")
    del no_time["properties"]["recoveryPointTime"]
    null_tiers = rich_point("2", recoveryPointTierDetails=None)
    no_id = rich_point("3")
    del no_id["id"]
    bad_time = rich_point("4", recoveryPointTime="yesterday-ish")
    odd_tier = rich_point("5", recoveryPointTierDetails=[{"type": "FutureRP", "status": "Valid"}, None])
    with pytest.warns(IncompletePointsWarning) as caught:
        df = recovery_points_frame([no_time, null_tiers, no_id, bad_time, odd_tier, rich_point("6")])
    assert len(caught) == 1
    assert "5 of 6" in str(caught[0].message)
    assert len(df) == 6
    assert df.time.isna().tolist() == [True, False, False, True, False, False]
    assert df.tier[1] == "none" and pd.isna(df.vault[2]) and df.recovery_point[2] == "3"
    assert df.extra[3]["recoveryPointTime"] == "yesterday-ish"
    assert df.tier[4] == "FutureRP" and df.extra[4]["recoveryPointTierDetails"][1] is None


def test_vault_argument_fills_points_without_id():
    point = rich_point()
    del point["id"]
    with pytest.warns(IncompletePointsWarning):
        df = recovery_points_frame([point], vault="myVault")
    assert df.vault[0] == "myVault"


def test_unknown_values_are_kept():
    df = recovery_points_frame([rich_point(recoveryPointType="QuantumConsistent", osType="Plan9"),
                                rich_point(recoveryPointType="CrashConsistent")])
    assert df.consistency.tolist() == ["QuantumConsistent", "CrashConsistent"]
    assert "AppConsistent" in df.consistency.cat.categories  # the known vocabulary is always there
    assert df.os_type[0] == "Plan9"


def test_wrong_types_go_to_extra_untouched():
    df = recovery_points_frame([rich_point(recoveryPointType=7, isSourceVMEncrypted="yes", zones="1",
                                           virtualMachineSize={"name": "big"})])
    row = df.iloc[0]
    assert pd.isna(row.consistency) and row.encrypted is False or row.encrypted == False  # noqa: E712
    assert row.extra["recoveryPointType"] == 7 and row.extra["isSourceVMEncrypted"] == "yes"
    assert row.extra["zones"] == "1" and row.extra["virtualMachineSize"] == {"name": "big"}


@pytest.mark.parametrize("bad", ["a string", 42, None, 3.5, b"bytes", [1, 2], ["x"], {"value": ["x"]}])
def test_non_dict_input_raises_documented_error(bad):
    with pytest.raises(FrameInputError) as info:
        recovery_points_frame(bad)
    assert isinstance(info.value, TypeError) and isinstance(info.value, RestorekitError)


def test_input_is_not_modified():
    page = copy.deepcopy(DOC_PAGE)
    recovery_points_frame(page)
    assert page == DOC_PAGE


# --- SDK forms ------------------------------------------------------------------------------------------


def _all_resources() -> list[dict]:
    resources = list(DOC_PAGE["value"]) + [rich_point("77")]
    for _, body in example_bodies():
        resources += body["value"] if "value" in body else [body]
    return resources


def _compare(expected: pd.DataFrame, got: pd.DataFrame, columns=None) -> None:
    columns = columns or [c for c in COLUMNS if c != "extra"]
    pd.testing.assert_frame_equal(expected[columns], got[columns])


def test_sdk_models_and_as_dict_main_package():
    from azure.mgmt.recoveryservicesbackup import models

    resources = _all_resources()
    expected = recovery_points_frame(resources)
    sdk = [models.RecoveryPointResource(r) for r in resources]
    _compare(expected, recovery_points_frame([m.as_dict() for m in sdk]))
    _compare(expected, recovery_points_frame(sdk))  # the models themselves
    page = {"value": [m.as_dict() for m in sdk], "nextLink": None}  # this SDK pages with ItemPaged
    _compare(expected, recovery_points_frame(page))


def test_sdk_passive_stamp_snake_case_as_dict():
    from azure.mgmt.recoveryservicesbackup.passivestamp import models

    resources = _all_resources()
    expected = recovery_points_frame(resources)
    sdk = [models.RecoveryPointResource.deserialize(r) for r in resources]
    snake = [m.as_dict() for m in sdk]
    assert "recovery_point_time" in snake[0]["properties"]  # what this SDK really gives
    # the SDK rounds times to microseconds: compare everything else exactly, times to the microsecond;
    # its 2018-12-20 models have no recoveryPointProperties, so it drops expiry time and rule name
    columns = [c for c in COLUMNS if c not in ("extra", "time", "expiry_time", "rule_name")]
    for form in (snake, [m.as_dict(keep_readonly=True) for m in sdk],
                 [m.serialize(keep_readonly=True) for m in sdk], sdk):
        got = recovery_points_frame(form)
        _compare(expected, got, columns)
        assert (got.time - expected.time).abs().max() < pd.Timedelta("1us")
    got = recovery_points_frame(snake)
    assert got.extra[0]["sourceVMStorageType"] == "NormalStorage"  # snake keys mapped back to the API's


def test_sdk_as_dict_without_readonly_warns_but_keeps_rows():
    from azure.mgmt.recoveryservicesbackup import models

    sdk = [models.RecoveryPointResource(r) for r in DOC_PAGE["value"]]
    with pytest.warns(IncompletePointsWarning, match="2 without a recovery point id"):
        df = recovery_points_frame([m.as_dict(exclude_readonly=True) for m in sdk])
    assert df.consistency.tolist() == ["AppConsistent", "CrashConsistent"]


# --- RecoveryPoint objects ------------------------------------------------------------------------------


def test_points_to_frame_uses_item_region_and_location():
    ref = ItemRef.for_vm("sub", "vaultRG", "otherVault", "rg9", "vm9")
    point = rich_point("5")
    del point["id"]
    points = [RecoveryPoint(raw=point, item=ref, region="secondary", vault_location="westeurope"),
              RecoveryPoint.from_resource(DOC_PAGE["value"][0])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the item says where the first point lives
        df = points_to_frame(points)
    assert point_ids(df)[0].lower() == ref.recovery_point_id("5").lower()
    assert df.vault.tolist() == ["otherVault", "testVault"] and df.vm_name.tolist() == ["vm9", "testVM"]
    assert df.region.tolist() == ["secondary", "primary"]
    assert df.vault_location[0] == "westeurope" and pd.isna(df.vault_location[1])


def test_points_to_frame_rejects_non_points():
    with pytest.raises(FrameInputError):
        points_to_frame(["nope"])
    with pytest.raises(FrameInputError):
        points_to_frame("nope")


# --- property: any JSON-ish input -----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
keys = st.sampled_from(["id", "name", "properties", "type", "location", "recoveryPointTime", "zones", "x"])
prop_keys = st.sampled_from(["recoveryPointTime", "recoveryPointType", "recoveryPointTierDetails", "zones",
                             "isSourceVMEncrypted", "isManagedVirtualMachine", "virtualMachineSize", "osType",
                             "recoveryPointDiskConfiguration", "recoveryPointProperties", "object_type",
                             "recovery_point_time", "other"])
tier_entry = st.fixed_dictionaries({}, optional={"type": json_values | st.sampled_from([1, 2, 3, "InstantRP"]),
                                                 "status": json_values | st.sampled_from([1, 4, "Valid"])})
prop_values = json_values | st.lists(tier_entry | json_values, max_size=3) | st.sampled_from(
    ["2026-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01", "x"])
point_dicts = st.dictionaries(
    keys, json_values | st.dictionaries(prop_keys, prop_values, max_size=8) | st.just(f"{ITEM}/recoveryPoints/1"),
    max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(point_dicts, max_size=5))
def test_any_point_dicts_give_one_row_each(points):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompletePointsWarning)
        df = recovery_points_frame(points)
    assert len(df) == len(points) and list(df.columns) == list(COLUMNS)
    assert str(df.time.dtype) == "datetime64[ns, UTC]"


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_any_json_gives_a_frame_or_the_documented_error(value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompletePointsWarning)
        try:
            df = recovery_points_frame(value)
        except FrameInputError:
            return
    assert isinstance(df, pd.DataFrame)


# --- the fast path and the careful path agree -------------------------------------------------------------


def test_bool_and_float_tier_values_are_not_taken_for_ints_in_any_order():
    ints = rich_point("1", recoveryPointTierDetails=[{"type": 1, "status": 1}])
    bools = rich_point("2", recoveryPointTierDetails=[{"type": True, "status": 1}])
    floats = rich_point("3", recoveryPointTierDetails=[{"type": 1.0, "status": 1}])
    for points in ([ints, bools, floats], [bools, floats, ints], [floats, ints, bools]):
        df = recovery_points_frame(points).set_index("recovery_point")
        assert df.tier["1"] == "snapshot" and df.tier["2"] == "none" and df.tier["3"] == "none"
        # the details the tier columns cannot read are kept (as JSON text: these values disagree on a type)
        kept = {name: json.loads(df.extra[name]["recoveryPointTierDetails"]) for name in "123"}
        assert kept == {"1": [{"type": 1, "status": 1}], "2": [{"type": True, "status": 1}],
                        "3": [{"type": 1.0, "status": 1}]}
        assert type(kept["2"][0]["type"]) is bool and type(kept["3"][0]["type"]) is float


def test_tier_details_stay_out_of_extra_when_the_columns_hold_them():
    df = recovery_points_frame([rich_point("1"), rich_point("2", recoveryPointTierDetails=[{"type": 2, "status": 1}])])
    assert df.tier.tolist() == ["snapshot+vault", "vault"]
    assert "recoveryPointTierDetails" not in df.extra[0]


def _row_values(df: pd.DataFrame, i: int) -> dict:
    return {c: df[c].iloc[i] for c in COLUMNS}


def test_rows_off_the_usual_shape_give_the_same_values():
    import datetime as dt

    usual = rich_point("7")
    no_type = copy.deepcopy(usual)
    del no_type["type"]
    reordered = copy.deepcopy(usual)
    reordered["properties"] = dict(reversed(list(usual["properties"].items())))
    as_datetime = copy.deepcopy(usual)
    as_datetime["properties"]["recoveryPointProperties"]["expiryTime"] = dt.datetime(2026, 4, 1, 22, tzinfo=dt.UTC)
    rows = [usual, no_type, reordered, as_datetime, rich_point("8")]
    df = recovery_points_frame(rows)
    expected = _row_values(df, 0)
    for i in (1, 2, 3):
        got = _row_values(df, i)
        assert got.keys() == expected.keys()
        for column, value in expected.items():
            if isinstance(value, list | dict):
                assert got[column] == value, (i, column)
            else:
                assert (pd.isna(value) and pd.isna(got[column])) or got[column] == value, (i, column)


def test_odd_luns_and_counts_in_a_large_frame():
    points = [rich_point(str(i)) for i in range(50)]
    points[10]["properties"]["recoveryPointDiskConfiguration"]["includedDiskList"][1]["lun"] = "0"
    points[20]["properties"]["recoveryPointDiskConfiguration"]["numberOfDisksIncludedInBackup"] = True
    points[30]["properties"]["recoveryPointDiskConfiguration"]["includedDiskList"].append("disk")
    df = recovery_points_frame(points)
    assert df.disk_luns[0] == [-1, 0, 2] and df.disk_count[0] == 3
    assert df.disk_luns[10] == [-1, 2] and df.disk_count[10] == 3
    assert df.disk_luns[20] == [-1, 0, 2] and df.disk_count[20] == 3  # a bool is not a count: LUNs counted
    assert df.disk_luns[30] == [-1, 0, 2]
    assert df.disk_luns[1] is not df.disk_luns[2]  # one list per row


def test_list_mixing_resources_sdk_models_and_pages_is_flattened():
    from azure.mgmt.recoveryservicesbackup import models

    model = models.RecoveryPointResource(rich_point("m"))
    df = recovery_points_frame([rich_point("a"), model, {"value": [rich_point("b")], "nextLink": None}])
    assert df.recovery_point.tolist() == ["a", "m", "b"]
    with pytest.raises(FrameInputError):
        recovery_points_frame([rich_point("a"), "nope"])


def test_numbers_and_names_mixed_from_point_to_point_keep_their_order():
    kinds = [[{"type": 1, "status": 1}, {"type": 2, "status": 1}],          # numbers
             [{"type": "ArchivedRP", "status": "Valid"}],                   # names
             [{"type": True, "status": 1}],                                 # no tier number
             [{"type": "HardenedRP", "status": "Rehydrated", "extendedInfo": {"RehydratedRPExpiryTime": "x"}}],
             [{"type": 2, "status": "Valid"}],                              # mixed within a list
             None]
    points = [rich_point(str(i), recoveryPointTierDetails=kinds[i % len(kinds)]) for i in range(60)]
    with pytest.warns(IncompletePointsWarning, match="10 without tier details"):
        df = recovery_points_frame(points)
    expected = ["snapshot+vault", "archive", "none", "vault", "vault", "none"]
    assert df.tier.tolist() == [expected[i % len(kinds)] for i in range(60)]
    # the details the columns cannot hold (a bool, the rehydration expiry) are kept for every point
    assert json.loads(df.extra[3]["recoveryPointTierDetails"])[0]["extendedInfo"] == {"RehydratedRPExpiryTime": "x"}


def test_identity_categories_sort_by_name():
    points = [rich_point("1"), rich_point("2")]
    points[0]["id"] = points[0]["id"].replace("testVM", "zeta").replace("testVault/", "bVault/")
    points[1]["id"] = points[1]["id"].replace("testVM", "alpha").replace("testVault/", "aVault/")
    df = recovery_points_frame(points)
    assert df.sort_values("vm_name").vm_name.tolist() == ["alpha", "zeta"]
    assert list(df.vault.cat.categories) == ["aVault", "bVault"]
