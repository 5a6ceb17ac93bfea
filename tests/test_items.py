"""protected_items_frame: ARM ProtectedItemResource dicts, Resource Graph rows, SDK models, odd input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from restorekit.data.frames import recovery_points_frame
from restorekit.data.inputs import FrameInputError
from restorekit.data.items import COLUMNS, protected_items_frame

SPECS = Path(__file__).resolve().parents[1].parent / "shared" / "azure-specs"
ITEM_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"


def item_id(vm: str, rg: str = "rg", vault: str = "v", vrg: str = "vrg", sub: str = "S1") -> str:
    return (f"/subscriptions/{sub}/resourceGroups/{vrg}/providers/Microsoft.RecoveryServices/vaults/{vault}/"
            f"backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;{rg};{vm}/"
            f"protectedItems/VM;iaasvmcontainerv2;{rg};{vm}")


def protected_item(vm: str, rg: str = "rg", vault: str = "v", vrg: str = "vrg", sub: str = "S1", **props) -> dict:
    """A ProtectedItemResource as GET {vault}/backupProtectedItems returns it (AzureIaaSComputeVMProtectedItem)."""
    base = {
        "protectedItemType": "Microsoft.Compute/virtualMachines", "friendlyName": vm,
        "virtualMachineId": f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}",
        "protectionStatus": "Healthy", "protectionState": "Protected", "healthStatus": "Passed",
        "lastBackupStatus": "Completed", "lastBackupTime": "2026-11-19T22:05:11.1234567Z",
        "protectedItemDataId": "17592186045123", "backupManagementType": "AzureIaasVM", "workloadType": "VM",
        "containerName": f"iaasvmcontainerv2;{rg};{vm}",
        "sourceResourceId": f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}",
        "policyId": f"/subscriptions/{sub}/resourceGroups/{vrg}/providers/Microsoft.RecoveryServices/vaults/{vault}/"
                    "backupPolicies/DefaultPolicy",
        "policyName": "DefaultPolicy", "lastRecoveryPoint": "2026-11-19T22:00:00Z", "isArchiveEnabled": False,
        "extendedInfo": {"oldestRecoveryPoint": "2026-10-20T22:00:00Z", "recoveryPointCount": 31,
                         "policyInconsistent": False},
        "kpisHealths": {},
    }
    base.update(props)
    return {"id": item_id(vm, rg, vault, vrg, sub), "name": f"VM;iaasvmcontainerv2;{rg};{vm}", "type": ITEM_TYPE,
            "properties": base}


def graph_row(vm: str, rg: str = "rg", vault: str = "v", vrg: str = "vrg", sub: str = "S1", **props) -> dict:
    """The same item as an Azure Resource Graph RecoveryServicesResources row (ids lowercased, as ARG writes)."""
    arm = protected_item(vm, rg, vault, vrg, sub, **props)
    return {"id": arm["id"].lower(), "name": arm["name"].lower(), "type": ITEM_TYPE.lower(),
            "tenantId": "t-1", "kind": "", "location": "westeurope", "resourceGroup": vrg.lower(),
            "subscriptionId": sub.lower(), "managedBy": "", "sku": None, "plan": None,
            "properties": arm["properties"], "tags": None, "identity": None, "zones": None, "extendedLocation": None}


def test_columns_and_dtypes():
    df = protected_items_frame([protected_item("vm1")])
    assert list(df.columns) == list(COLUMNS)
    for column, dtype in COLUMNS.items():
        if column != "extra":
            assert str(df[column].dtype) == dtype, column
    assert str(df.extra.dtype).startswith("struct<")


def test_arm_item_fields_land_in_their_columns():
    df = protected_items_frame({"value": [protected_item("vm1", protectionState="ProtectionStopped")], "nextLink": None})
    row = df.iloc[0]
    assert row.item_id == item_id("vm1").lower()  # lowercased: ARM ids compare without case
    assert row.vm_id == "/subscriptions/s1/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1"
    assert (row.vm_name, row.vm_resource_group, row.vault, row.vault_resource_group) == ("vm1", "rg", "v", "vrg")
    assert row.subscription_id == "s1" and row.protected_item == "VM;iaasvmcontainerv2;rg;vm1"
    assert (row.protection_state, row.protection_status, row.health, row.last_backup_status) == (
        "ProtectionStopped", "Healthy", "Passed", "Completed")
    assert row.last_backup_time == pd.Timestamp("2026-11-19T22:05:11.1234567Z")
    assert row.last_recovery_point == pd.Timestamp("2026-11-19T22:00:00Z") and row.policy == "DefaultPolicy"
    assert row.extra["extendedInfo"]["recoveryPointCount"] == 31 and row.extra["friendlyName"] == "vm1"
    assert "protectionState" not in row.extra and "lastBackupTime" not in row.extra


def test_resource_graph_rows_give_the_same_items():
    arm = protected_items_frame([protected_item("vm1"), protected_item("vm2", rg="rg2")])
    graph = protected_items_frame({"data": [graph_row("vm1"), graph_row("vm2", rg="rg2")], "count": 2})
    same = ["item_id", "vm_id", "vm_name", "subscription_id", "protection_state", "health", "last_backup_time",
            "last_recovery_point", "policy"]
    pd.testing.assert_frame_equal(arm[same].astype(object), graph[same].astype(object))
    assert graph.location.tolist() == ["westeurope", "westeurope"] and graph.vault.tolist() == ["v", "v"]
    assert graph.extra[0]["tenantId"] == "t-1"


def test_resource_graph_table_form():
    row = graph_row("vm1")
    table = {"data": {"columns": [{"name": k, "type": "string"} for k in row], "rows": [list(row.values())]}}
    assert protected_items_frame(table).vm_name.tolist() == ["vm1"]


def test_items_and_points_share_their_keys():
    points = recovery_points_frame([{
        "id": item_id("vm1").replace("IaasVMContainer", "iaasvmcontainer") + "/recoveryPoints/1", "name": "1",
        "properties": {"recoveryPointTime": "2026-11-19T22:00:00Z",
                       "recoveryPointTierDetails": [{"type": "InstantRP", "status": "Valid"}]}}])
    items = protected_items_frame([graph_row("vm1")])
    assert points.item_id[0] == items.item_id[0] and points.vm_id[0] == items.vm_id[0]


def test_sdk_models_and_their_dicts():
    from azure.mgmt.recoveryservicesbackup import models

    raw = [protected_item("vm1"), protected_item("vm2", healthStatus="ActionRequired")]
    expected = protected_items_frame(raw)
    sdk = [models.ProtectedItemResource(r) for r in raw]
    for form in (sdk, [m.as_dict() for m in sdk]):
        got = protected_items_frame(form)
        assert got.item_id.tolist() == expected.item_id.tolist()
        assert got.health.tolist() == ["Passed", "ActionRequired"]


def test_spec_example_without_fabric_in_the_id():
    assert SPECS.is_dir(), f"azure specs not found at {SPECS} (shared/ is laid beside the repo)"
    path = SPECS / "passivestamp-2018-12-20/examples/AzureIaasVm/BackupProtectedItems_List.json"
    df = protected_items_frame(json.loads(path.read_text())["responses"]["200"]["body"])
    row = df.iloc[0]
    assert (row.vm_name, row.vm_resource_group, row.vault) == ("iaasvm-1", "iaasvm-rg", "NetSDKTestRsVault")
    assert row.last_recovery_point == pd.Timestamp("2017-11-22T12:25:32.048723Z") and row.policy == "testPolicy1"
    assert row.vm_id.endswith("/microsoft.classiccompute/virtualmachines/iaasvm-1")


def test_odd_values_are_kept_not_lost():
    odd = protected_item("vm1", protectionState=3, lastBackupTime="sometime")
    df = protected_items_frame([odd, protected_item("vm2")])
    assert pd.isna(df.protection_state[0]) and df.extra[0]["protectionState"] == 3
    assert pd.isna(df.last_backup_time[0]) and df.extra[0]["lastBackupTime"] == "sometime"
    assert df.protection_state[1] == "Protected" and df.extra[1]["lastBackupTime"] is None


@pytest.mark.parametrize("bad", ["text", 3, None, [1], {"value": ["x"]}])
def test_bad_input_raises_the_documented_error(bad):
    with pytest.raises(FrameInputError):
        protected_items_frame(bad)


def test_empty():
    df = protected_items_frame([])
    assert len(df) == 0 and list(df.columns) == list(COLUMNS)
