"""Restore bodies: the documentation's bodies, every TriggerRestore example of the spec, and the spec's schema.

Also holds the helpers the other restore tests import: points built like the API returns them, and a
JSON-schema loader for the swagger's restore request (``request_validator``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import shlex
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from restorekit.core.ids import ItemRef
from restorekit.model.points import RecoveryPoint
from restorekit.restore.request.builders import SCENARIOS, ReplaceDisks, RestoreAsNewVM, RestoreDisks, build

SPECS = Path(__file__).resolve().parents[1].parent / "shared" / "azure-specs"
BMS = SPECS / "2026-02-01" / "bms.json"
needs_specs = pytest.mark.skipif(not BMS.exists(), reason=f"Azure specs not found at {SPECS}")

SUB = "00000000-0000-0000-0000-000000000000"
DOC_RP_ID = (f"/subscriptions/{SUB}/resourceGroups/testVaultRG/providers/microsoft.recoveryservices/vaults/testVault"
             "/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;testRG;testVM"
             "/protectedItems/VM;testRG;testVM/recoveryPoints/{rp}")
TIERS = {"snapshot": {"type": 1, "status": 1}, "vault": {"type": 2, "status": 1},
         "archive": {"type": "ArchivedRP", "status": "Valid"}}


def make_point(rp: str = "20982486783671", *, tiers=("snapshot", "vault"), luns=None, excluded=None, zones=None,
               encrypted=False, managed=True, region="primary", vault_location="westus", security=None,
               item: ItemRef | None = None, endpoint: str | None = None,
               api_version: str | None = None) -> RecoveryPoint:
    """A recovery point as the API returns it (the documentation's testVM by default)."""
    props: dict[str, Any] = {"objectType": "IaasVMRecoveryPoint", "recoveryPointType": "AppConsistent",
                             "recoveryPointTime": "2026-06-04T06:06:00.5121087Z", "isSourceVMEncrypted": encrypted,
                             "recoveryPointTierDetails": [dict(TIERS[t]) for t in tiers], "virtualMachineSize": "Standard_A1_v2"}
    if managed is not None:
        props["isManagedVirtualMachine"] = managed
    if luns is not None:
        props["recoveryPointDiskConfiguration"] = {
            "numberOfDisksIncludedInBackup": len(luns),
            "numberOfDisksAttachedToVm": len(luns) + len(excluded or []),
            "includedDiskList": [{"lun": lun, "name": f"disk{lun}"} for lun in luns],
            "excludedDiskList": [{"lun": lun, "name": f"disk{lun}"} for lun in excluded or []]}
    if zones is not None:
        props["zones"] = zones
    if security is not None:
        props["securityType"] = security
    raw = {"name": rp, "properties": props}
    if item is None:
        raw["id"] = DOC_RP_ID.format(rp=rp)
    point = RecoveryPoint.from_resource(raw, item=item, region=region, vault_location=vault_location)
    return dataclasses.replace(point, endpoint=endpoint, api_version=api_version)


# --- the swagger's schema for a restore request ----------------------------------------------------------
class SwaggerSchemas:
    """JSON schemas from a swagger file: local and common-types ``$ref`` resolved, ``allOf`` flattened,
    a discriminated base replaced by ``oneOf`` its concrete subtypes (each pinned to its discriminator value),
    readOnly properties dropped (kept with ``keep_read_only``, for answers), unknown properties refused, optional
    properties nullable (ARM reads null as absent).
    """

    def __init__(self, path: Path, *, keep_read_only: bool = False) -> None:
        self.files: dict[Path, dict] = {}
        self.main = path.resolve()
        self.defs: dict[str, dict] = {}
        self.keep_read_only = keep_read_only

    def _load(self, path: Path) -> dict:
        if path not in self.files:
            self.files[path] = json.loads(path.read_text())
        return self.files[path]

    def _locate(self, ref: str, base: Path) -> tuple[Path, str]:
        file_part, _, pointer = ref.partition("#")
        path = (base.parent / file_part).resolve() if file_part else base
        if not path.exists():  # the spec's relative path only resolves in the original repo tree
            path = (SPECS / "common-types" / file_part.split("common-types/", 1)[-1]).resolve()
        assert pointer.startswith("/definitions/"), ref
        return path, pointer.rsplit("/", 1)[-1]

    def _definition(self, path: Path, name: str) -> dict:
        return self._load(path)["definitions"][name]

    def _flat(self, path: Path, name: str) -> tuple[dict, list]:
        """Properties and required names of a definition with its allOf parents merged."""
        node = self._definition(path, name)
        props: dict = {}
        required: list = []
        for parent in node.get("allOf", []):
            ppath, pname = self._locate(parent["$ref"], path)
            pprops, preq = self._flat(ppath, pname)
            props.update(pprops)
            required += preq
        props.update({k: (v, path) for k, v in node.get("properties", {}).items()})
        return props, required + list(node.get("required", []))

    def _subtypes(self, path: Path, name: str) -> list[str]:
        out = []
        for other, node in self._load(path)["definitions"].items():
            parents = [self._locate(p["$ref"], path) for p in node.get("allOf", []) if "$ref" in p]
            if (path, name) in parents:
                if "x-ms-discriminator-value" in node:
                    out.append(other)
                out += self._subtypes(path, other)
        return out

    def _discriminator(self, path: Path, name: str) -> str | None:
        node = self._definition(path, name)
        if "discriminator" in node:
            return node["discriminator"]
        for parent in node.get("allOf", []):
            found = self._discriminator(*self._locate(parent["$ref"], path))
            if found:
                return found
        return None

    def ref(self, path: Path, name: str, *, concrete: bool = False) -> dict:
        """A ``$ref`` to the converted definition (registering it in ``defs``)."""
        key = f"{path.stem}.{name}{'!' if concrete else ''}"
        if key not in self.defs:
            self.defs[key] = {}
            node = self._definition(path, name)
            if "discriminator" in node and not concrete:
                variants = [self.ref(path, name, concrete=True)] if "x-ms-discriminator-value" in node else []
                variants += [self.ref(path, sub, concrete=True) for sub in self._subtypes(path, name)]
                self.defs[key] = {"oneOf": variants}
            else:
                self.defs[key] = self._object(path, name)
        return {"$ref": f"#/definitions/{key}"}

    def _object(self, path: Path, name: str) -> dict:
        node = self._definition(path, name)
        if "properties" not in node and "allOf" not in node:
            return self.convert(node, path)
        props, required = self._flat(path, name)
        disc = self._discriminator(path, name)
        schema_props = {}
        for key, (value, where) in props.items():
            if value.get("readOnly") and not self.keep_read_only:
                continue
            converted = self.convert(value, where)
            if key == disc and "x-ms-discriminator-value" in node:
                converted = {"const": node["x-ms-discriminator-value"]}
            elif key == disc and "discriminator" in node:
                converted = {"const": name}
            schema_props[key] = converted if key in required else {"anyOf": [converted, {"type": "null"}]}
        return {"type": "object", "properties": schema_props, "required": sorted(set(required)),
                "additionalProperties": False}

    def convert(self, node: dict, path: Path) -> dict:
        """JSON Schema for one swagger schema node."""
        if "$ref" in node:
            return self.ref(*self._locate(node["$ref"], path))
        out: dict[str, Any] = {}
        for key in ("type", "enum", "minimum", "maximum", "minItems", "maxItems", "pattern"):
            if key in node:
                out[key] = node[key]
        if node.get("format") == "int32":
            out.update(minimum=-(2**31), maximum=2**31 - 1)
        if "items" in node:
            out["items"] = self.convert(node["items"], path)
        if isinstance(node.get("additionalProperties"), dict):
            out["additionalProperties"] = self.convert(node["additionalProperties"], path)
        if "properties" in node or "allOf" in node:
            raise AssertionError("inline object schemas are not expected here")
        return out

    def schema(self, name: str) -> dict:
        """A self-contained JSON schema for definition ``name`` of the main file."""
        root = self.ref(self.main, name)
        return {**root, "definitions": self.defs}


@cache
def request_validator():
    """A jsonschema validator for a ``RestoreRequestResource`` body (None without the specs)."""
    if not BMS.exists():
        return None
    import jsonschema

    schema = SwaggerSchemas(BMS).schema("RestoreRequestResource")
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def assert_spec_valid(body: dict) -> None:
    """Fail with the schema's messages unless ``body`` is a valid restore request resource."""
    validator = request_validator()
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, "\n".join(e.message[:300] for e in errors)


# --- the documentation's bodies (Azure's REST restore guide) -----------------------------------------------
DOC_SOURCE = f"/subscriptions/{SUB}/resourceGroups/testRG/providers/Microsoft.Compute/virtualMachines/testVM"
DOC_STORAGE = f"/subscriptions/{SUB}/resourceGroups/testRG/providers/Microsoft.Storage/storageAccounts/testAccount"
DOC_RESTORE_DISKS = {"properties": {
    "objectType": "IaasVMRestoreRequest", "recoveryPointId": "20982486783671", "recoveryType": "RestoreDisks",
    "sourceResourceId": DOC_SOURCE, "storageAccountId": DOC_STORAGE, "region": "westus",
    "createNewCloudService": False, "originalStorageAccountOption": False,
    "encryptionDetails": {"encryptionEnabled": False}}}
DOC_SELECTIVE = copy.deepcopy(DOC_RESTORE_DISKS)
DOC_SELECTIVE["properties"]["restoreDiskLunList"] = [0]
DOC_REPLACE = {"properties": {
    "objectType": "IaasVMRestoreRequest", "recoveryPointId": "20982486783671", "recoveryType": "OriginalLocation",
    "sourceResourceId": DOC_SOURCE, "storageAccountId": DOC_STORAGE, "region": "westus",
    "createNewCloudService": False, "originalStorageAccountOption": False, "affinityGroup": "",
    "diskEncryptionSetId": None, "subnetId": None, "targetDomainNameId": None, "targetResourceGroupId": None,
    "targetVirtualMachineId": None, "virtualNetworkId": None}}
DOC_NEW_VM = {"properties": {
    "objectType": "IaasVMRestoreRequest", "recoveryPointId": "348916168024334", "recoveryType": "AlternateLocation",
    "sourceResourceId": DOC_SOURCE,
    "targetVirtualMachineId": f"/subscriptions/{SUB}/resourceGroups/targetRG/providers/Microsoft.Compute/"
                              "virtualmachines/targetVM",
    "targetResourceGroupId": f"/subscriptions/{SUB}/resourceGroups/targetRG",
    "storageAccountId": f"/subscriptions/{SUB}/resourceGroups/testRG/providers/Microsoft.Storage/storageAccounts/"
                        "testingAccount",
    "virtualNetworkId": f"/subscriptions/{SUB}/resourceGroups/targetRG/providers/Microsoft.Network/virtualNetworks/testNet",
    "subnetId": f"/subscriptions/{SUB}/resourceGroups/targetRG/providers/Microsoft.Network/virtualNetworks/testNet/"
                "subnets/default",
    "region": "westus", "createNewCloudService": False, "originalStorageAccountOption": False,
    "encryptionDetails": {"encryptionEnabled": False}}}


def doc_builders():
    """The documentation's four bodies and the builder calls that make them."""
    point = make_point(luns=[-1, 0, 1])
    new_vm_point = make_point("348916168024334")
    return [
        # the documentation restores a managed VM's disks as unmanaged VHDs: restorekit needs that said
        ("restore-disks", DOC_RESTORE_DISKS, RestoreDisks(point, storage_account="testAccount", unmanaged=True)),
        ("selective", DOC_SELECTIVE, RestoreDisks(point, storage_account="testAccount", luns=[0], unmanaged=True)),
        ("replace-disks", DOC_REPLACE, ReplaceDisks(point, storage_account="testAccount")),
        ("new-vm", DOC_NEW_VM, RestoreAsNewVM(
            new_vm_point, storage_account="testingAccount", target_resource_group="targetRG",
            target_vm_name=DOC_NEW_VM["properties"]["targetVirtualMachineId"], virtual_network="testNet",
            subnet="default")),
    ]


@pytest.mark.parametrize("name,expected,builder", doc_builders(), ids=[d[0] for d in doc_builders()])
def test_documentation_bodies_are_rebuilt_exactly(name, expected, builder):
    assert builder.to_body() == expected
    assert json.loads(builder.to_json()) == expected
    assert builder.problems() == []


def test_new_vm_from_bare_names_matches_documentation_up_to_arm_id_case():
    builder = RestoreAsNewVM(make_point("348916168024334"), storage_account="testingAccount",
                             target_resource_group="targetRG", target_vm_name="targetVM",
                             virtual_network="testNet", subnet="default")
    got, want = builder.to_body()["properties"], DOC_NEW_VM["properties"]
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert (got[key].lower() == value.lower()) if isinstance(value, str) else got[key] == value, key


@needs_specs
@pytest.mark.parametrize("body", [DOC_RESTORE_DISKS, DOC_SELECTIVE, DOC_REPLACE, DOC_NEW_VM])
def test_documentation_bodies_match_the_schema(body):
    assert_spec_valid(body)


# --- every TriggerRestore example of the spec --------------------------------------------------------------
def example_files() -> list[Path]:
    return sorted(SPECS.glob("*/examples/**/TriggerRestore*.json")) + sorted(
        SPECS.glob("*/examples/**/TriggerCrossRegionRestore*.json"))


def example_point(params: dict, *, archived: bool = False) -> RecoveryPoint:
    item = ItemRef(params["subscriptionId"], params["resourceGroupName"], params["vaultName"],
                   params["containerName"], params["protectedItemName"], params["fabricName"])
    return make_point(params["recoveryPointId"], item=item, vault_location="southeastasia",
                      tiers=("archive",) if archived else ("snapshot", "vault"))


def crr_point(body: dict) -> RecoveryPoint:
    token = body["crossRegionRestoreAccessDetails"]
    rg, vm = token["containerName"].split(";")[-2:]
    item = ItemRef.for_vm(token["subscriptionId"], token["resourceGroupName"], token["resourceName"], rg, vm)
    return make_point(token["recoveryPointId"], item=item, region="secondary", vault_location="southeastasia",
                      zones=["1"])


UAMI = (f"/subscriptions/{SUB}/resourcegroups/asmaskarRG1/providers/Microsoft.ManagedIdentity/"
        "userAssignedIdentities/asmaskartestmsi")
ALR_VM = f"/subscriptions/{SUB}/resourceGroups/netsdktestrg2/providers/Microsoft.Compute/virtualmachines/RSMDALRVM981435"
ALR_TARGET = dict(target_resource_group="netsdktestrg2", target_vm_name=ALR_VM, virtual_network="testRg/testNet",
                  subnet="default")
CRR_TARGET = dict(region="eastus2euap", identity=UAMI, target_resource_group="00networkAckl", target_vm_name="gaallaVM",
                  virtual_network="00networkAcklVaultCCY/00networkAcklVaultCCY-vnet", subnet="default", zone="2",
                  extra={"affinityGroup": "", "targetDomainNameId": None})
# example file name → the builder call that makes its body
EXAMPLE_CALLS = {
    "TriggerRestore_RestoreDisks_IaasVMRestoreRequest_IdentityBasedRestoreDetails.json": lambda p: RestoreDisks(
        p, storage_account="testingRg/testAccount", unmanaged=True, identity_based_restore=True, identity=UAMI,
        create_new_cloud_service=True),
    "TriggerRestore_ALR_IaasVMRestoreRequest.json": lambda p: RestoreAsNewVM(
        p, storage_account="testRg/testingAccount", identity="system", **ALR_TARGET),
    "TriggerRestore_RestoreDisks_IaasVMRestoreRequest.json": lambda p: RestoreDisks(
        p, storage_account="testingRg/testAccount", unmanaged=True, identity=UAMI, create_new_cloud_service=True,
        disk_network_access="EnablePrivateAccessForAllDisks",
        disk_access="/subscriptions/e7a191f5-713c-4bdb-b5e4-cf3dd90230ef/resourceGroups/arpja/providers/"
                    "Microsoft.Compute/diskAccesses/arpja-diskaccess-ccy"),
    "TriggerRestore_ALR_IaasVMRestoreRequest_IdentityBasedRestoreDetails.json": lambda p: RestoreAsNewVM(
        p, storage_account="testRg/testingAccount", identity=True, identity_based_restore=True, **ALR_TARGET),
    "TriggerRestore_ResourceGuardEnabled.json": lambda p: RestoreDisks(
        p, storage_account="testingRg/testAccount", unmanaged=True, identity_based_restore=True, identity=UAMI,
        create_new_cloud_service=True, resource_guard_operation_requests=[
            "/subscriptions/063bf7bc-e4dc-4cde-8840-8416fbd7921e/resourcegroups/ankurRG1/providers/"
            "Microsoft.DataProtection/resourceGuards/RG341/triggerRestoreRequests/default"]),
    "TriggerRestore_ALR_IaasVMRestoreWithRehydrationRequest.json": lambda p: RestoreAsNewVM(
        p, storage_account="testRg/testingAccount", rehydration_priority="High", rehydration_duration=7,
        **ALR_TARGET),
    "TriggerRestore_RestoreDisks_IaasVMRestoreWithRehydrationRequest.json": lambda p: RestoreDisks(
        p, storage_account="testingRg/testAccount", unmanaged=True, create_new_cloud_service=True, rehydration_priority="standard",
        rehydration_duration="P7D"),
    "TriggerCrossRegionRestore_Post.json": lambda p: RestoreAsNewVM(
        p, storage_account="00prjaiTestRg1/00prjaitestrg1disks993", **CRR_TARGET),
    "TriggerCrossRegionRestore_IdentityBasedRestoreDetails_Post.json": lambda p: RestoreAsNewVM(
        p, storage_account="00prjaiTestRg1/00prjaitestrg1disks993", identity_based_restore=True, **CRR_TARGET),
}


@needs_specs
def test_every_example_has_a_builder_call():
    names = {path.name for path in example_files()}
    assert len(names) >= 9
    assert names <= set(EXAMPLE_CALLS), names - set(EXAMPLE_CALLS)


@needs_specs
@pytest.mark.parametrize("path", example_files(), ids=lambda p: f"{p.parts[-4]}/{p.name}")
def test_every_example_is_rebuilt_by_a_builder(path):
    example = json.loads(path.read_text())["parameters"]
    body = example["parameters"]
    if "restoreRequest" in body:  # cross-region: the restoreRequest part
        builder = EXAMPLE_CALLS[path.name](crr_point(body))
        assert builder.properties() == body["restoreRequest"]
        assert_spec_valid({"properties": builder.properties()})
        return
    archived = "Rehydration" in path.name
    builder = EXAMPLE_CALLS[path.name](example_point(example, archived=archived))
    assert builder.to_body() == body
    assert builder.url.endswith(f"/recoveryPoints/{example['recoveryPointId']}/restore?api-version=2026-02-01")
    assert_spec_valid(builder.to_body())
    assert_spec_valid(body)


@needs_specs
def test_example_validation_flags_only_the_seven_day_rehydration():
    path = next(p for p in example_files() if p.name == "TriggerRestore_RestoreDisks_IaasVMRestoreWithRehydrationRequest.json")
    example = json.loads(path.read_text())["parameters"]
    builder = EXAMPLE_CALLS[path.name](example_point(example, archived=True))
    assert [p.field for p in builder.problems()] == ["rehydration_duration"]


# --- the schema loader is honest ----------------------------------------------------------------------------
@needs_specs
@pytest.mark.parametrize("mutate", [
    lambda p: p.update(restoreDiskLunList=["0"]),
    lambda p: p.update(unknownProperty=1),
    lambda p: p.update(createNewCloudService="false"),
    lambda p: p.update(objectType="AzureFileShareRestoreRequest", recoveryType="RestoreDisks",
                       sourceResourceId=DOC_SOURCE, storageAccountId=1),
    lambda p: p.update(recoveryPointRehydrationInfo={"rehydrationPriority": "Urgent"}),
    lambda p: p.update(recoveryPointRehydrationInfo={"rehydrationPriority": "High"}),  # needs the subtype
    lambda p: p.update(targetDiskNetworkAccessSettings={"targetDiskNetworkAccessOption": "UseNew"}),
    lambda p: p.update(restoreDiskLunList=[2**31]),
    lambda p: p.pop("objectType"),
])
def test_schema_refuses_broken_bodies(mutate):
    import jsonschema

    body = copy.deepcopy(DOC_SELECTIVE)
    mutate(body["properties"])
    with pytest.raises(jsonschema.ValidationError):
        request_validator().validate(body)


@needs_specs
def test_schema_accepts_other_restore_subtypes_and_resource_fields():
    import jsonschema

    request_validator().validate({"location": "westus", "tags": {"a": "b"},
                                  "properties": {"objectType": "AzureFileShareRestoreRequest"}})
    with pytest.raises(jsonschema.ValidationError):
        request_validator().validate({"id": "/x", "properties": DOC_SELECTIVE["properties"]})  # readOnly


# --- URL, curl, az rest ----------------------------------------------------------------------------------
def test_url_uses_where_the_point_was_read_or_defaults_and_overrides():
    builder = RestoreDisks(make_point(), storage_account="testaccount")
    item_path = builder.point.item.path
    assert builder.url == f"https://management.azure.com{item_path}/recoveryPoints/20982486783671/restore?api-version=2026-02-01"
    live = RestoreDisks(make_point(endpoint="http://127.0.0.1:8080/", api_version="2025-08-01"),
                        storage_account="testaccount")
    assert live.url.startswith(f"http://127.0.0.1:8080{item_path}/recoveryPoints/")
    assert live.url.endswith("?api-version=2025-08-01")
    assert live.url_for(endpoint="https://x.example", api_version="2026-01-01") == (
        f"https://x.example{item_path}/recoveryPoints/20982486783671/restore?api-version=2026-01-01")
    assert ";" in item_path and "VM;testRG;testVM" in builder.url


def _run_with_fake_curl(command: str, program: str) -> list[str]:
    script = f'{program}() {{ printf "%s\\n" "$@"; cat 2>/dev/null || true; }}\n{command}\n'
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_curl_command_is_valid_posix_shell_and_carries_the_body():
    builder = RestoreAsNewVM(make_point("rp'1"), storage_account="testaccount", target_resource_group="rg",
                             target_vm_name="it's", virtual_network="net", subnet="default")
    command = builder.to_curl(api_version="2026-02-01")
    args = _run_with_fake_curl(command, "curl")
    assert args[:4] == ["-sS", "-X", "POST", builder.url_for(api_version="2026-02-01")]
    assert "Authorization: Bearer $TOKEN" in command and "Authorization: Bearer " in args
    assert json.loads(args[args.index("-d") + 1]) == builder.to_body()
    assert "rp%271" in builder.url


def test_curl_with_stdin_sends_the_body_through_a_here_document():
    builder = RestoreDisks(make_point(luns=[0, 1]), storage_account="testaccount", luns=[1])
    lines = _run_with_fake_curl(builder.to_curl(stdin=True), "curl")
    assert lines[lines.index("-d") + 1] == "@-"
    assert json.loads("\n".join(lines[lines.index("@-") + 1:])) == builder.to_body()


def test_az_rest_command():
    builder = ReplaceDisks(make_point(), storage_account="testaccount")
    args = shlex.split(builder.to_az_rest())
    assert args[:5] == ["az", "rest", "--method", "post", "--url"]
    assert args[5] == builder.url
    assert json.loads(args[args.index("--body") + 1]) == builder.to_body()


# --- introspection for the form --------------------------------------------------------------------------
def test_scenarios_and_fields_describe_the_builders():
    assert list(SCENARIOS) == ["RestoreDisks", "RestoreAsNewVM", "ReplaceDisks"]
    assert [cls.recovery_type for cls in SCENARIOS.values()] == ["RestoreDisks", "AlternateLocation", "OriginalLocation"]
    assert [cls.destructive for cls in SCENARIOS.values()] == [False, False, True]
    replace = {f.name for f in ReplaceDisks.fields()}
    new_vm = {f.name: f for f in RestoreAsNewVM.fields()}
    disks = {f.name for f in RestoreDisks.fields()}
    assert {"target_vm_name", "virtual_network", "subnet", "zone", "target_resource_group",
            "disk_encryption_set", "luns"}.isdisjoint(replace)
    assert "luns" in disks and "luns" not in new_vm and "target_vm_name" not in disks
    assert new_vm["target_vm_name"].required and new_vm["subnet"].required and not new_vm["zone"].required
    assert new_vm["zone"].choices == ("1", "2", "3")
    assert new_vm["rehydration_priority"].choices == ("Standard", "High")
    assert all(f.label and f.help and f.kind for f in new_vm.values())


def test_builders_are_frozen_and_copied_with_replace():
    import dataclasses

    first = RestoreDisks(make_point(luns=[0, 1]), storage_account="testaccount")
    second = dataclasses.replace(first, luns=[1])
    assert first.luns is None and second.luns == [1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.luns = [0]  # type: ignore[misc]
    assert second.values()["luns"] == [1] and second.values()["point"] is first.point


def test_build_by_name_and_recovery_type():
    point = make_point()
    assert type(build("AlternateLocation", point, target_vm_name="x")) is RestoreAsNewVM
    assert type(build("replace_disks", point)) is ReplaceDisks
    assert type(build("RestoreDisks", point)) is RestoreDisks
    with pytest.raises(ValueError, match="RestoreDisks"):
        build("teleport", point)
    with pytest.raises(TypeError):
        build("OriginalLocation", point, target_vm_name="x")


def test_repr_is_short_and_html_escapes():
    builder = RestoreAsNewVM(make_point(), target_vm_name="<b>", storage_account="testaccount")
    assert repr(builder) == "<RestoreAsNewVM rp 20982486783671 of testVM → new VM <b>, staging testaccount>"
    page = builder._repr_html_()
    assert "&lt;b&gt;" in page and "<b>" not in page.replace("<b>Restore as a new VM</b>", "")
    assert "Destructive" in ReplaceDisks(make_point())._repr_html_()
    assert "Bearer" not in page


def test_cross_region_point_restores_into_given_region_and_zone_defaults_to_the_source_zone():
    point = make_point(region="secondary", zones=["3"])
    builder = RestoreAsNewVM(point, region="eastus", target_vm_name="vm1", target_resource_group="rg",
                             virtual_network="net", subnet="sub", storage_account="acct1")
    props = builder.properties()
    assert props["region"] == "eastus" and props["zones"] == ["3"]
    assert "region" not in RestoreDisks(point, storage_account="acct1").properties()
    assert RestoreDisks(point, storage_account="acct1").properties().get("zones") is None


def test_rehydration_body_defaults_and_encryption_follows_the_point():
    archived = make_point(tiers=("archive",), encrypted=True)
    props = RestoreDisks(archived, storage_account="acct1", rehydration_priority="High").properties()
    assert props["objectType"] == "IaasVMRestoreWithRehydrationRequest"
    assert props["recoveryPointRehydrationInfo"] == {"rehydrationRetentionDuration": "P15D",
                                                     "rehydrationPriority": "High"}
    assert props["encryptionDetails"] == {"encryptionEnabled": True}
    from datetime import timedelta

    props = RestoreDisks(archived, storage_account="acct1", rehydration_duration=timedelta(days=20)).properties()
    assert props["recoveryPointRehydrationInfo"] == {"rehydrationRetentionDuration": "P20D",
                                                     "rehydrationPriority": "Standard"}
    assert "encryptionDetails" not in ReplaceDisks(archived, storage_account="acct1").properties()
