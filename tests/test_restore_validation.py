"""Validation of restore requests: one test per rule, each failing if its rule is removed."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from types import SimpleNamespace

import pytest
from test_restore_bodies import DOC_NEW_VM, DOC_REPLACE, DOC_SELECTIVE, make_point

from restorekit.core.errors import ValidationError
from restorekit.restore.request.builders import ReplaceDisks, RestoreAsNewVM, RestoreDisks
from restorekit.restore.request.rules import (
    RULES,
    Problem,
    check_body,
    check_storage_account,
    id_problem,
    storage_account_facts,
)

SUB = "00000000-0000-0000-0000-000000000000"
RG = f"/subscriptions/{SUB}/resourceGroups"
GOOD_ACCOUNT = {"location": "westus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}


def new_vm(point=None, **kw):
    args = dict(storage_account="stagingacct", target_vm_name="restored01", target_resource_group="targetRG",
                virtual_network="vnet1", subnet="default")
    args.update(kw)
    return RestoreAsNewVM(point or make_point(), **args)


def disks(point=None, **kw):
    return RestoreDisks(point or make_point(luns=[-1, 0, 1]), **{"storage_account": "stagingacct", **kw})


def replace(point=None, **kw):
    return ReplaceDisks(point or make_point(), **{"storage_account": "stagingacct", **kw})


def fields(builder, **kw) -> list[str]:
    return [p.field for p in builder.problems(**kw)]


@pytest.mark.parametrize("builder", [
    new_vm(), disks(), replace(), disks(luns=[0]), disks(luns=[]), disks(luns=[-1, 1]),
    new_vm(make_point(zones=["2"])), new_vm(make_point(zones=["2"]), zone=1),
    disks(make_point(tiers=("archive",)), rehydration_priority="High", rehydration_duration=10),
    disks(make_point(tiers=("archive",)), rehydration_duration="P30D"),
    new_vm(identity="system", identity_based_restore=True), new_vm(identity="idrg/my-identity"),
    disks(disk_network_access="EnablePrivateAccessForAllDisks", disk_access="diskaccess1"),
    disks(disk_network_access="SameAsOnSourceDisks"),
    new_vm(make_point(encrypted=True)), new_vm(disk_encryption_set="des1"),
    new_vm(make_point(security="ConfidentialVM"), secured_vm_disk_encryption_set="cvm-des"),
    disks(make_point(managed=False), restore_with_managed_disks=True, original_storage_account_option=True),
    new_vm(make_point(region="secondary"), region="East US", storage_account_properties={
        "location": "eastus", "sku": {"name": "Standard_GRS"}, "kind": "StorageV2"}),
    disks(storage_account_properties=GOOD_ACCOUNT), new_vm(target_subscription="11111111-1111-1111-1111-111111111111"),
    disks(resource_guard_operation_requests=[f"{RG}/g/providers/Microsoft.DataProtection/resourceGuards/rg1/"
                                             "triggerRestoreRequests/default"]),
    new_vm(extra={"affinityGroup": "", "targetDomainNameId": None}),
], ids=repr)
def test_good_requests_have_no_problem(builder):
    assert builder.problems() == []
    assert builder.validate() is builder


def test_every_rule_is_listed_and_documented():
    import restorekit.restore.request.rules as checks

    for rule in RULES:
        assert rule.__doc__ and rule.__name__.removeprefix("rule_") in checks.__doc__


# --- required fields ---------------------------------------------------------------------------------------
def test_storage_account_is_required():
    assert fields(disks(storage_account=None)) == ["storage_account"]
    assert fields(replace(storage_account="")) == ["storage_account"]


@pytest.mark.parametrize("missing", ["target_vm_name", "target_resource_group", "virtual_network", "subnet"])
def test_new_vm_requires_its_targets(missing):
    assert missing in fields(new_vm(**{missing: None}))


def test_all_problems_at_once_in_one_error():
    builder = RestoreAsNewVM(make_point(), target_vm_name="bad name!", zone="7")
    with pytest.raises(ValidationError) as caught:
        builder.validate()
    found = {p.field for p in caught.value.problems}
    assert {"storage_account", "target_resource_group", "virtual_network", "subnet", "target_vm_name",
            "zone"} <= found
    assert caught.value.problems == builder.problems()
    text = str(caught.value)
    assert "target_vm_name:" in text and "Fix:" in text and "restore as a new vm request" in text


def test_problem_str_names_field_and_fix():
    assert str(Problem("luns", "LUN 7 is unknown", "choose among [0]")) == "luns: LUN 7 is unknown. Fix: choose among [0]"


def test_constructor_refuses_only_what_it_cannot_represent():
    with pytest.raises(ValidationError, match="RecoveryPoint"):
        RestoreDisks("20982486783671", storage_account="x")  # type: ignore[arg-type]
    RestoreDisks(make_point(), storage_account=42, luns="zero", zone=[], region=3)  # recorded, not raised


# --- replace disks: nothing new is targeted ------------------------------------------------------------------
def test_replace_disks_does_not_take_target_keywords():
    for key in ("target_vm_name", "virtual_network", "subnet", "target_resource_group", "zone", "luns",
                "disk_encryption_set"):
        with pytest.raises(TypeError):
            ReplaceDisks(make_point(), storage_account="x", **{key: "v"})
        with pytest.raises(TypeError):
            dataclasses.replace(replace(), **{key: "v"})


def test_replace_disks_body_with_targets_is_refused():
    builder = replace(extra={"targetVirtualMachineId": f"{RG}/rg/providers/Microsoft.Compute/virtualMachines/vm2"})
    assert "target_vm_name" in fields(builder) and "extra" in fields(builder)
    body = {"properties": {**DOC_REPLACE["properties"], "virtualNetworkId": f"{RG}/r/providers/"
                           "Microsoft.Network/virtualNetworks/net", "zones": ["1"]}}
    assert [p.field for p in check_body(body, make_point())] == ["virtual_network", "zone", "zone"]
    assert check_body(DOC_REPLACE, make_point()) == []


def test_check_body_on_hand_built_bodies():
    assert check_body(DOC_SELECTIVE, make_point(luns=[0])) == []
    assert check_body(DOC_NEW_VM, make_point("348916168024334")) == []
    assert [p.field for p in check_body({"props": {}}, make_point())] == ["body"]
    assert [p.field for p in check_body({"properties": DOC_SELECTIVE["properties"], "x": 1},
                                        make_point(luns=[0]))] == ["body"]


# --- ARM ids -------------------------------------------------------------------------------------------------
VNET = f"{RG}/targetRG/providers/Microsoft.Network/virtualNetworks/vnet1"


@pytest.mark.parametrize("kw,field", [
    ({"storage_account": VNET}, "storage_account"),
    ({"storage_account": "Bad_Name!"}, "storage_account"),
    ({"storage_account": "ab"}, "storage_account"),
    ({"virtual_network": f"{RG}/targetRG/providers/Microsoft.Storage/storageAccounts/x"}, "virtual_network"),
    ({"subnet": VNET}, "subnet"),
    ({"target_resource_group": f"{RG}/targetRG/providers/Microsoft.Compute/virtualMachines/x"},
     "target_resource_group"),
    ({"target_resource_group": "bad rg."}, "target_resource_group"),
    ({"disk_encryption_set": VNET}, "disk_encryption_set"),
    ({"identity": VNET}, "identity"),
    ({"disk_access": VNET}, "disk_access"),
    ({"secured_vm_disk_encryption_set": VNET}, "secured_vm_disk_encryption_set"),
    ({"resource_guard_operation_requests": [VNET]}, "resource_guard_operation_requests"),
    ({"encryption": {"kekVaultId": VNET, "encryptionEnabled": True}}, "encryption"),
])
def test_arm_ids_of_the_wrong_kind_are_refused(kw, field):
    point = make_point(encrypted="encryption" in kw)
    assert field in fields(new_vm(point, **kw))


def test_id_problem_accepts_each_kind_and_any_case():
    assert id_problem(f"{RG}/r", "rg") is None
    assert id_problem(f"/subscriptions/{SUB}/resourcegroups/r/providers/microsoft.compute/virtualmachines/v", "vm") is None
    assert id_problem(f"{VNET}/subnets/s", "subnet") is None
    assert id_problem(f"{RG}/r/extra", "rg")
    assert id_problem(f"{RG}/r/providers/Microsoft.Compute/virtualMachines/v w", "vm")
    assert id_problem(None, "storage") and id_problem("", "storage") and id_problem("x", "storage")


def test_subnet_must_be_in_the_virtual_network():
    other = f"{RG}/targetRG/providers/Microsoft.Network/virtualNetworks/vnet2/subnets/default"
    assert fields(new_vm(subnet=other)) == ["subnet"]
    assert fields(new_vm(subnet=other, virtual_network=other.rsplit("/subnets/", 1)[0])) == []


def test_target_vm_must_be_in_the_target_resource_group():
    vm = f"{RG}/elsewhere/providers/Microsoft.Compute/virtualMachines/restored01"
    assert fields(new_vm(target_vm_name=vm)) == ["target_vm_name"]


@pytest.mark.parametrize("name", ["", "x" * 65, "bad name", "a$b", "ends-", "ends.", "-starts"])
def test_target_vm_name_rules(name):
    assert "target_vm_name" in fields(new_vm(target_vm_name=name))


@pytest.mark.parametrize("name", ["a", "x" * 64, "web_01.prod-2"])
def test_target_vm_names_that_are_fine(name):
    assert fields(new_vm(target_vm_name=name)) == []


# --- disks ---------------------------------------------------------------------------------------------------
def test_luns_must_be_in_the_disk_list_once():
    assert fields(disks(luns=[5])) == ["luns"]
    assert "[5]" in str(disks(luns=[5]).problems()[0])
    assert fields(disks(luns=[0, 0])) == ["luns"]
    assert "luns" in fields(disks(luns=["0"]))
    assert "luns" in fields(disks(luns=0))


def test_selective_restore_needs_a_point_with_a_disk_list():
    assert fields(disks(make_point(), luns=[0])) == ["luns"]
    assert fields(disks(make_point(), luns=[])) == []


def test_selective_backup_points_restore_only_as_disks():
    point = make_point(luns=[-1, 0], excluded=[1])
    assert fields(new_vm(point)) == ["recovery_type"]
    assert fields(replace(point)) == ["recovery_type"]
    assert fields(disks(point)) == []


# --- archive -------------------------------------------------------------------------------------------------
def test_archive_only_point_needs_rehydration():
    assert fields(disks(make_point(tiers=("archive",)))) == ["rehydration_priority"]
    rehydrated = make_point(tiers=("archive",))
    rehydrated.raw["properties"]["recoveryPointTierDetails"][0]["status"] = "Rehydrated"
    assert fields(disks(rehydrated)) == []


def test_rehydration_refused_for_a_point_that_is_not_archive_only():
    assert fields(disks(rehydration_priority="High")) == ["rehydration_priority"]
    both = make_point(tiers=("vault", "archive"))
    assert fields(disks(both, rehydration_duration=15)) == ["rehydration_priority"]


@pytest.mark.parametrize("duration", [7, 9, 31, "P7D", "15", "P2W", -1])
def test_rehydration_duration_bounds(duration):
    assert fields(disks(make_point(tiers=("archive",)), rehydration_duration=duration)) == ["rehydration_duration"]


def test_rehydration_duration_of_a_strange_type():
    assert "rehydration_duration" in fields(disks(make_point(tiers=("archive",)), rehydration_duration=[15]))
    assert fields(disks(make_point(tiers=("archive",)), rehydration_duration=timedelta(days=12))) == []


def test_rehydration_priority_values():
    archived = make_point(tiers=("archive",))
    assert fields(disks(archived, rehydration_priority="Urgent")) == ["rehydration_priority"]
    assert fields(disks(archived, rehydration_priority="high")) == []


# --- region and storage account ------------------------------------------------------------------------------
def test_region_is_the_vaults():
    assert fields(disks(region="eastus")) == ["region"]
    assert fields(disks(region="West US")) == []
    assert fields(disks(make_point(vault_location=None))) == ["region"]


def test_cross_region_point_needs_the_secondary_region():
    secondary = make_point(region="secondary")
    assert fields(disks(secondary)) == ["region"]
    assert fields(disks(secondary, region="westus")) == ["region"]
    assert fields(disks(secondary, region="eastus")) == []


@pytest.mark.parametrize("account,words", [
    ({"location": "eastus", "sku": {"name": "Standard_LRS"}}, "eastus"),
    ({"location": "westus", "sku": {"name": "Standard_ZRS"}}, "zone-redundant"),
    ({"location": "westus", "sku": {"name": "Standard_RAGZRS"}}, "zone-redundant"),
    ({"location": "westus", "sku": {"name": "Premium_LRS"}}, "premium"),
    ({"location": "westus", "kind": "BlobStorage"}, "BlobStorage"),
    (SimpleNamespace(location="westus", sku=SimpleNamespace(name=SimpleNamespace(value="Premium_LRS")),
                     kind="StorageV2"), "premium"),
])
def test_storage_account_properties_are_checked_when_known(account, words):
    problems = disks(storage_account_properties=account).problems()
    assert [p.field for p in problems] == ["storage_account"] and words in problems[0].message


def test_storage_account_in_secondary_region_for_cross_region_restore():
    secondary = make_point(region="secondary")
    assert fields(disks(secondary, region="eastus", storage_account_properties=GOOD_ACCOUNT)) == ["storage_account"]


def test_storage_account_facts_and_partial_knowledge():
    assert storage_account_facts({"sku": "Standard_LRS"}) == {"location": None, "sku": "Standard_LRS", "kind": None}
    assert check_storage_account({}, "westus") == []


def test_a_request_is_a_value_checked_offline_without_any_connection():
    """Requests are values: no connection behind them (they pickle and compare by value), checked offline."""
    import pickle

    builder = disks(make_point())
    assert pickle.loads(pickle.dumps(builder)) == builder
    assert builder.problems() == [] and builder.check().ok and "offline" in str(builder.check())


# --- zones ---------------------------------------------------------------------------------------------------
def test_zone_values():
    zonal = make_point(zones=["1"])
    assert fields(new_vm(zonal, zone="4")) == ["zone"]
    assert fields(new_vm(zonal, zone=["1", "2"])) == ["zone"]
    assert fields(new_vm(zonal, zone=True)) == ["zone"]


def test_zone_only_for_zone_pinned_points():
    assert fields(new_vm(zone="1")) == ["zone"]
    assert fields(disks(zone="2")) == ["zone"]
    assert new_vm(make_point(zones=["3"])).properties()["zones"] == ["3"]
    assert "zones" not in new_vm().properties()


# --- identity, encryption, disk access, secured VM, managed disks --------------------------------------------
def test_managed_identity_only_for_managed_vms():
    assert fields(new_vm(make_point(managed=False), identity="system")) == ["identity"]


def test_identity_based_restore_needs_an_identity_and_a_bool():
    assert fields(new_vm(identity_based_restore=True)) == ["identity_based_restore"]
    assert fields(new_vm(identity="system", identity_based_restore="yes")) == ["identity_based_restore"]


def test_user_assigned_identity_needs_its_id():
    body = new_vm(identity="system").to_body()
    body["properties"]["identityInfo"] = {"isSystemAssignedIdentity": False}
    assert [p.field for p in check_body(body, make_point())] == ["identity"]
    body["properties"]["identityInfo"] = {"isSystemAssignedIdentity": True, "managedIdentityResourceId":
                                          f"{RG}/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u"}
    assert [p.field for p in check_body(body, make_point())] == ["identity"]


def test_encryption_follows_the_point():
    assert fields(new_vm(encryption=True)) == ["encryption"]
    assert fields(new_vm(make_point(encrypted=True), encryption=False)) == ["encryption"]
    assert fields(new_vm(encryption={"kek_url": "https://kv.vault.azure.net/keys/k/1"})) == ["encryption"]
    assert fields(new_vm(make_point(encrypted=True), encryption={"kek_url": "https://kv/keys/k/1"})) == []


def test_disk_network_access_rules():
    assert fields(disks(disk_network_access="EnablePrivateAccessForAllDisks")) == ["disk_access"]
    assert fields(disks(disk_network_access="EnablePublicAccessForAllDisks", disk_access="da1")) == ["disk_access"]
    assert fields(disks(disk_network_access="UseNew")) == ["disk_network_access"]
    assert disks(disk_access="da1").properties()["targetDiskNetworkAccessSettings"][
        "targetDiskNetworkAccessOption"] == "EnablePrivateAccessForAllDisks"


def test_secured_vm_details_only_for_confidential_vms():
    point = make_point(security="TrustedLaunch")
    assert fields(new_vm(point, secured_vm_disk_encryption_set="des1")) == ["secured_vm_disk_encryption_set"]


def test_unmanaged_only_options_refused_for_managed_vms():
    assert fields(disks(restore_with_managed_disks=True)) == ["restore_with_managed_disks"]
    assert fields(disks(original_storage_account_option=True)) == ["original_storage_account_option"]


# --- shape and pass-through -----------------------------------------------------------------------------------
def test_values_of_the_wrong_type():
    assert fields(disks(create_new_cloud_service="yes")) == ["create_new_cloud_service"]
    assert fields(disks(region=5)) == ["region"]
    assert "target_subscription" in fields(new_vm(target_subscription="a/b"))
    assert fields(disks(resource_guard_operation_requests=5)) == ["resource_guard_operation_requests"] * 2


def test_extra_properties_are_checked():
    assert fields(disks(extra={"notAProperty": 1})) == ["extra", "extra"]  # builder and body rules
    assert fields(disks(extra={"region": "westus"})) == ["extra"]
    assert fields(disks(extra=["affinityGroup"])) == ["extra"]
    assert fields(disks(extra={"affinityGroup": 3})) == ["extra"]
