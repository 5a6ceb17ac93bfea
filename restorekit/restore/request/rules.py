"""Rules a restore request must pass before it is sent: every problem at once, each with its fix.

:func:`check_request` reads a request's ``properties`` (as :meth:`RestoreRequestBuilder.to_body` makes
them, or built by hand) together with the :class:`~restorekit.model.points.RecoveryPoint` it restores, and
returns a list of :class:`Problem`. It never touches the network. :func:`check_storage_account`
checks a staging storage account's location, SKU and kind when they are known (online checks read them from
ARM, see :mod:`restorekit.restore.checking.online`).

Rules (each is one function in :data:`RULES`, named after what it checks):

* ``shape`` — only the spec's properties, each of the spec's JSON type (``null`` allowed for optional ones).
* ``required`` — recovery point, source VM and region always; a staging storage account (or the identity-based
  restore's target account); for AlternateLocation the target VM, resource group, VNet and subnet.
* ``original_location`` — OriginalLocation (replace disks) targets nothing new: no target VM, resource group,
  VNet, subnet, zone or disk encryption set.
* ``arm_ids`` — each ID is a well-formed ARM ID of the right kind (storage account, VNet, subnet, resource group,
  VM, disk encryption set, user-assigned identity, disk access, key vault, resource guard request), with a
  valid name.
* ``subnet_in_vnet`` / ``target_vm_in_group`` — the subnet belongs to that VNet; the VM to create lives in the
  target resource group.
* ``luns`` — a selective restore lists LUNs of the point's disk configuration (OS disk is -1), without
  duplicates, and only for a point that carries a disk list.
* ``selective_backup`` — a point taken with excluded disks restores only as disks (Azure Backup refuses
  "create new VM" and "replace existing" for selective-disk backups).
* ``rehydration`` — an archive-only point needs rehydration; a point that is not archive-only refuses it;
  priority Standard or High; duration 10 to 30 days (``P10D``..``P30D``).
* ``region`` — the restore region is the vault's (its secondary region for a cross-region point).
* ``zones`` — a single zone "1", "2" or "3"; only for a point of a zone-pinned VM.
* ``identity`` — managed identities only for managed VMs; an identity-based restore needs an identity.
* ``encryption`` — ``encryptionEnabled`` says what the point says; key URLs only when it is enabled.
* ``disk_access`` — a private-access restore names a disk access, and only then.
* ``secured_vm`` — Confidential-VM OS disk encryption set only for a Confidential VM point.
* ``managed_disks`` — ``restoreWithManagedDisks`` / ``originalStorageAccountOption`` only for unmanaged VMs.

Besides the request itself, :func:`point_of_another_item` checks the item a request is given to: a point of one
VM is never restored through another VM's protected item (the checks run it: :mod:`restorekit.restore.checking`).

Storage account (when its properties are known): in the restore region, not zone-redundant (``*ZRS``),
not premium, not blob-only (``BlobStorage``, ``BlockBlobStorage``, ``FileStorage``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeAlias

from azure.mgmt.core.tools import is_valid_resource_id

from ...core.ids import ItemRef, is_resource_group_id
from ...core.ids import parse as parse_resource_id
from ...core.regions import norm_region

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import Json
    from ...model.points import RecoveryPoint

#: The spec's shape of a property: a JSON type name, ``[shape]`` for a list of it, ``{key: shape}`` for an object.
Shape: TypeAlias = "str | list[Shape] | dict[str, Shape]"

ZONES = ("1", "2", "3")
REHYDRATION_PRIORITIES = ("Standard", "High")
REHYDRATION_DAYS = (10, 30)
DISK_NETWORK_ACCESS_OPTIONS = ("SameAsOnSourceDisks", "EnablePrivateAccessForAllDisks",
                               "EnablePublicAccessForAllDisks")
OBJECT_TYPES = ("IaasVMRestoreRequest", "IaasVMRestoreWithRehydrationRequest")
RECOVERY_TYPES = ("OriginalLocation", "AlternateLocation", "RestoreDisks")


@dataclass(frozen=True)
class Problem:
    """One problem with a restore request: the field (a builder keyword), what is wrong, how to fix it."""

    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}. Fix: {self.fix}"


# --- which builder keyword a body key comes from -------------------------------------------------------
FIELD_OF = {
    "objectType": "rehydration_priority", "recoveryType": "recovery_type", "recoveryPointId": "point",
    "sourceResourceId": "point", "region": "region", "storageAccountId": "storage_account",
    "targetVirtualMachineId": "target_vm_name", "targetResourceGroupId": "target_resource_group",
    "virtualNetworkId": "virtual_network", "subnetId": "subnet", "diskEncryptionSetId": "disk_encryption_set",
    "zones": "zone", "identityInfo": "identity", "identityBasedRestoreDetails": "identity_based_restore",
    "restoreDiskLunList": "luns", "encryptionDetails": "encryption",
    "securedVMDetails": "secured_vm_disk_encryption_set", "targetDiskNetworkAccessSettings": "disk_network_access",
    "recoveryPointRehydrationInfo": "rehydration_duration",
    "resourceGuardOperationRequests": "resource_guard_operation_requests",
    "createNewCloudService": "create_new_cloud_service",
    "originalStorageAccountOption": "original_storage_account_option",
    "restoreWithManagedDisks": "restore_with_managed_disks",
    "affinityGroup": "extra", "targetDomainNameId": "extra", "extendedLocation": "extra",
}

# --- the spec's shape of IaasVMRestoreRequest / IaasVMRestoreWithRehydrationRequest (2026-02-01) --------
_STR, _BOOL = "string", "boolean"
_TOP: dict[str, Shape] = {
    "objectType": _STR, "resourceGuardOperationRequests": [_STR], "recoveryPointId": _STR, "recoveryType": _STR,
    "sourceResourceId": _STR, "targetVirtualMachineId": _STR, "targetResourceGroupId": _STR,
    "storageAccountId": _STR, "virtualNetworkId": _STR, "subnetId": _STR, "targetDomainNameId": _STR,
    "region": _STR, "affinityGroup": _STR, "createNewCloudService": _BOOL, "originalStorageAccountOption": _BOOL,
    "encryptionDetails": {"encryptionEnabled": _BOOL, "kekUrl": _STR, "secretKeyUrl": _STR,
                          "kekVaultId": _STR, "secretKeyVaultId": _STR},
    "restoreDiskLunList": ["int32"], "restoreWithManagedDisks": _BOOL, "diskEncryptionSetId": _STR,
    "zones": [_STR],
    "identityInfo": {"isSystemAssignedIdentity": _BOOL, "managedIdentityResourceId": _STR},
    "identityBasedRestoreDetails": {"objectType": _STR, "targetStorageAccountId": _STR},
    "extendedLocation": {"name": _STR, "type": _STR},
    "securedVMDetails": {"securedVMOsDiskEncryptionSetId": _STR},
    "targetDiskNetworkAccessSettings": {"targetDiskNetworkAccessOption": _STR, "targetDiskAccessId": _STR},
    "recoveryPointRehydrationInfo": {"rehydrationRetentionDuration": _STR, "rehydrationPriority": _STR},
}
#: Property names a restore request may carry (the spec's IaasVMRestoreWithRehydrationRequest).
REQUEST_KEYS = frozenset(_TOP)
_INT32 = (-2**31, 2**31 - 1)


def _type_ok(value: Json, kind: Shape) -> bool:
    if value is None:
        return True  # ARM reads a null optional property as absent
    if kind == _STR:
        return isinstance(value, str)
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == "int32":
        return isinstance(value, int) and not isinstance(value, bool) and _INT32[0] <= value <= _INT32[1]
    if isinstance(kind, list):
        return isinstance(value, list) and all(v is not None and _type_ok(v, kind[0]) for v in value)
    if isinstance(kind, dict):
        return (isinstance(value, dict) and all(isinstance(k, str) and k in kind for k in value)
                and all(_type_ok(v, kind[k]) for k, v in value.items()))
    return False  # pragma: no cover


def _describe(kind: Shape) -> str:
    if isinstance(kind, list):
        return f"a list of {'32-bit integers' if kind[0] == 'int32' else 'strings'}"
    if isinstance(kind, dict):
        return "an object with keys " + ", ".join(kind)
    return {"string": "a string", "boolean": "true or false"}[kind]


# --- ARM IDs ---------------------------------------------------------------------------------------------
_GENERIC_NAME = re.compile(r"^[^\s/\\?#%]{1,260}$")
NAME_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "storageaccounts": (re.compile(r"^[a-z0-9]{3,24}$"), "3-24 lowercase letters and digits"),
    "resourcegroups": (re.compile(r"^[-\w.()]{0,89}[-\w()]$"),
                       "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'"),
    "virtualmachines": (re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$"),
                        "1-64 letters, digits, '_', '.' or '-', not ending with '.' or '-'"),
    "virtualnetworks": (re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$"),
                        "2-64 letters, digits, '_', '.' or '-', starting with a letter or digit"),
    "subnets": (re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$"),
                "1-80 letters, digits, '_', '.' or '-', starting with a letter or digit"),
}


_TYPE_LABELS = {"resourcegroups": "resource group", "virtualnetworks": "virtual network", "subnets": "subnet",
                "storageaccounts": "storage account", "virtualmachines": "virtual machine"}


#: How to fix a VM name that Azure refuses.
VM_NAME_FIX = "pass a name of 1-64 letters, digits, '_', '.' or '-'"


def vm_name_problem(name: Json) -> str | None:
    """Why ``name`` cannot name an Azure VM (None if it can): 1-64 chars, letters/digits/``_.-``."""
    if not isinstance(name, str) or not name:
        return "the VM name is empty" if name in ("", None) else f"{name!r} is not a name"
    pattern, rule = NAME_RULES["virtualmachines"]
    if not pattern.match(name):
        return f"{name!r} is not a valid VM name ({rule})"
    return None


@dataclass(frozen=True)
class IdKind:
    """The kind of ARM ID a field expects: provider namespace and type path (lower case), for messages a label."""

    label: str
    namespace: str | None  # None: a resource group ID
    types: tuple[str, ...] = ()
    example: str = ""


KINDS = {
    "storage": IdKind("storage account", "microsoft.storage", ("storageaccounts",),
                      "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}"),
    "vnet": IdKind("virtual network", "microsoft.network", ("virtualnetworks",),
                   "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"),
    "subnet": IdKind("subnet", "microsoft.network", ("virtualnetworks", "subnets"),
                     "{virtual network ID}/subnets/{name}"),
    "rg": IdKind("resource group", None, (), "/subscriptions/{sub}/resourceGroups/{rg}"),
    "vm": IdKind("virtual machine", "microsoft.compute", ("virtualmachines",),
                 "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}"),
    "des": IdKind("disk encryption set", "microsoft.compute", ("diskencryptionsets",),
                  "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/diskEncryptionSets/{name}"),
    "identity": IdKind("user-assigned managed identity", "microsoft.managedidentity", ("userassignedidentities",),
                       "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/"
                       "userAssignedIdentities/{name}"),
    "diskaccess": IdKind("disk access", "microsoft.compute", ("diskaccesses",),
                         "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/diskAccesses/{name}"),
    "keyvault": IdKind("key vault", "microsoft.keyvault", ("vaults",),
                       "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{name}"),
    "guard": IdKind("Resource Guard operation request", "microsoft.dataprotection", ("resourceguards",),
                    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DataProtection/resourceGuards/"
                    "{guard}/{operation}/default"),
}


def _id_types(parts: Mapping[str, Json]) -> list[str]:
    types = [str(parts.get("type", "")).lower()]
    for i in range(1, int(parts.get("last_child_num") or 0) + 1):
        types.append(str(parts.get(f"child_type_{i}", "")).lower())
    return types


def id_problem(value: Json, kind: str) -> str | None:
    """Why ``value`` is not an ARM ID of ``kind`` (a key of :data:`KINDS`), or None when it is one."""
    spec = KINDS[kind]
    if not isinstance(value, str) or not value:
        return f"expected the ARM ID of a {spec.label}, got {value!r}"
    bad = f"{value!r} is not the ARM ID of a {spec.label} (expected {spec.example})"
    if any(ch.isspace() for ch in value) or not value.startswith("/subscriptions/"):
        return bad
    try:
        if not is_valid_resource_id(value):
            return bad
        parts = parse_resource_id(value)
    except Exception:  # azure.mgmt.core raises KeyError/AttributeError/IndexError on odd input
        return bad
    if spec.namespace is None:
        if not is_resource_group_id(value):
            return bad
        names = [("resourcegroups", str(parts["resource_group"]))]
    else:
        if str(parts.get("namespace", "")).lower() != spec.namespace:
            return bad
        types = _id_types(parts)
        if kind == "guard":
            if types[0] != "resourceguards" or len(types) < 2:
                return bad
        elif tuple(types) != spec.types:
            return bad
        names = [("resourcegroups", str(parts.get("resource_group", ""))),
                 (types[0], str(parts.get("name", "")))]
        if len(types) > 1:
            names.append((types[-1], str(parts.get("resource_name", ""))))
    for type_name, name in names:
        pattern, rule = NAME_RULES.get(type_name, (_GENERIC_NAME, "no spaces or '/\\?#%'"))
        if not pattern.match(name.lower() if type_name == "storageaccounts" else name):  # ARM IDs ignore case
            label = _TYPE_LABELS.get(type_name, spec.label)
            return f"{value!r}: {name!r} is not a valid {label} name ({rule})"
    return None


def _same(a: Json, b: Json) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip("/").lower() == b.strip("/").lower()


# --- the rules ---------------------------------------------------------------------------------------------
Rule: TypeAlias = "Callable[[Mapping[str, Json], RecoveryPoint], list[Problem]]"


def _is_str(value: Json) -> bool:
    return isinstance(value, str) and bool(value)


def rule_shape(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """Only the spec's properties, each of the spec's type."""
    out = []
    for key, value in props.items():
        if key not in _TOP:
            out.append(Problem(FIELD_OF.get(key, "extra"), f"{key!r} is not a property of a VM restore request",
                               "remove it; the properties are: " + ", ".join(sorted(_TOP))))
        elif not _type_ok(value, _TOP[key]):
            out.append(Problem(FIELD_OF[key], f"{key} must be {_describe(_TOP[key])}, got {value!r}",
                               f"give {FIELD_OF[key]} a value of that type"))
    kind = props.get("objectType")
    if kind not in OBJECT_TYPES:
        out.append(Problem("recovery_type", f"objectType must be one of {OBJECT_TYPES}, got {kind!r}",
                           "build the body with RestoreDisks, ReplaceDisks or RestoreAsNewVM"))
    if props.get("recoveryType") not in RECOVERY_TYPES:
        out.append(Problem("recovery_type", f"recoveryType must be one of {RECOVERY_TYPES}, "
                           f"got {props.get('recoveryType')!r}",
                           "build the body with RestoreDisks, ReplaceDisks or RestoreAsNewVM"))
    return out


def _storage_id(props: Mapping[str, Json]) -> Json:
    details = props.get("identityBasedRestoreDetails")
    if isinstance(details, Mapping) and details.get("targetStorageAccountId") is not None:
        return details.get("targetStorageAccountId")
    return props.get("storageAccountId")


def rule_required(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """Fields every restore needs, and those an alternate-location restore needs."""
    out = []
    if props.get("recoveryPointId") in (None, ""):
        out.append(Problem("point", "the request names no recovery point", "build it from a RecoveryPoint"))
    if props.get("sourceResourceId") in (None, ""):
        out.append(Problem("point", "the request names no source VM (sourceResourceId)",
                           "build it from a RecoveryPoint of a protected VM"))
    if props.get("region") in (None, ""):
        where = "the vault's secondary region" if point.region == "secondary" else "the vault's region"
        out.append(Problem("region", "no restore region", f"pass region=... ({where})"))
    if _storage_id(props) in (None, ""):
        out.append(Problem("storage_account", "no staging storage account",
                           "pass storage_account='name', 'resource-group/name' or a full ARM ID"))
    if props.get("recoveryType") == "AlternateLocation":
        for key, what in (("targetVirtualMachineId", "the name of the VM to create"),
                          ("targetResourceGroupId", "the resource group of the new VM"),
                          ("virtualNetworkId", "the virtual network of the new VM"),
                          ("subnetId", "the subnet of the new VM")):
            if props.get(key) in (None, ""):
                out.append(Problem(FIELD_OF[key], f"restoring as a new VM needs {what}",
                                   f"pass {FIELD_OF[key]}=..."))
    return out


_NOT_FOR_ORIGINAL = ("targetVirtualMachineId", "targetResourceGroupId", "virtualNetworkId", "subnetId",
                     "diskEncryptionSetId", "zones", "targetDomainNameId")


def rule_original_location(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """Replacing the disks of the backed-up VM targets no other VM, network, group, zone or key."""
    if props.get("recoveryType") != "OriginalLocation":
        return []
    return [Problem(FIELD_OF[key], f"{key} is set, but replacing disks restores into the original VM",
                    "remove it, or use RestoreAsNewVM / RestoreDisks to restore elsewhere")
            for key in _NOT_FOR_ORIGINAL if props.get(key) not in (None, "", [])]


_ID_FIELDS = (("storageAccountId", "storage"), ("targetVirtualMachineId", "vm"), ("targetResourceGroupId", "rg"),
              ("virtualNetworkId", "vnet"), ("subnetId", "subnet"), ("diskEncryptionSetId", "des"),
              ("sourceResourceId", "vm"))
_NESTED_ID_FIELDS = (("identityBasedRestoreDetails", "targetStorageAccountId", "storage", "storage_account"),
                     ("identityInfo", "managedIdentityResourceId", "identity", "identity"),
                     ("securedVMDetails", "securedVMOsDiskEncryptionSetId", "des", "secured_vm_disk_encryption_set"),
                     ("targetDiskNetworkAccessSettings", "targetDiskAccessId", "diskaccess", "disk_access"),
                     ("encryptionDetails", "kekVaultId", "keyvault", "encryption"),
                     ("encryptionDetails", "secretKeyVaultId", "keyvault", "encryption"))


def rule_arm_ids(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """Each ARM ID is well formed and of the right kind."""
    out = []
    for key, kind in _ID_FIELDS:
        value = props.get(key)
        if isinstance(value, str) and value and (why := id_problem(value, kind)):  # other types: rule_shape
            if kind == "vm" and (bad_name := _vm_name_at_end(value)):  # a bad name: say so, not that its ID is bad
                out.append(Problem(FIELD_OF[key], bad_name, VM_NAME_FIX))
                continue
            fix = f"give {FIELD_OF[key]} a name or the full ID {KINDS[kind].example}"
            out.append(Problem(FIELD_OF[key], why, fix))
    for outer, key, kind, field in _NESTED_ID_FIELDS:
        block = props.get(outer)
        value = block.get(key) if isinstance(block, Mapping) else None
        if isinstance(value, str) and value and (why := id_problem(value, kind)):
            out.append(Problem(field, why, f"give {field} a name or the full ID {KINDS[kind].example}"))
    guards = props.get("resourceGuardOperationRequests")
    for value in guards if isinstance(guards, list) else []:
        if isinstance(value, str) and (why := id_problem(value, "guard")):
            out.append(Problem("resource_guard_operation_requests", why,
                               "pass the operation request IDs your Resource Guard administrator gave you"))
    return out


def _vm_name_at_end(value: str) -> str | None:
    """Why the name of a VM's ARM ID is not a VM name, when only its name is wrong (the ID a bad ``target_vm_name``
    makes); None otherwise."""
    head, _, name = value.rpartition("/")
    if not head.lower().endswith("/providers/microsoft.compute/virtualmachines") or id_problem(f"{head}/vm", "vm"):
        return None
    return vm_name_problem(name)


def rule_subnet_in_vnet(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """The subnet is one of the chosen virtual network's subnets."""
    vnet, subnet = props.get("virtualNetworkId"), props.get("subnetId")
    if not (_is_str(vnet) and _is_str(subnet)) or id_problem(subnet, "subnet") or id_problem(vnet, "vnet"):
        return []
    parent = subnet[: subnet.lower().rfind("/subnets/")]
    if not _same(parent, vnet):
        return [Problem("subnet", f"subnet {subnet!r} is not in virtual network {vnet!r}",
                        "pick a subnet of that virtual network (a bare subnet name is taken from it)")]
    return []


def rule_target_vm_in_group(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """The VM to create is in the target resource group."""
    vm, group = props.get("targetVirtualMachineId"), props.get("targetResourceGroupId")
    if not (_is_str(vm) and _is_str(group)) or id_problem(vm, "vm") or id_problem(group, "rg"):
        return []
    if not _same(vm[: vm.lower().find("/providers/")], group):
        return [Problem("target_vm_name", f"the new VM {vm!r} is not in the target resource group {group!r}",
                        "give target_vm_name as a bare name (it is placed in target_resource_group)")]
    return []


def rule_luns(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """Selective restore: LUNs of the point's disk list, once each, for a point that has a disk list."""
    luns = props.get("restoreDiskLunList")
    if not isinstance(luns, list):
        return []
    out = []
    if props.get("recoveryType") != "RestoreDisks" and luns:
        out.append(Problem("luns", "only a disk restore can restore selected disks",
                           "use RestoreDisks(..., luns=[...])"))
    known = point.disk_luns
    if known is None:
        if luns:
            out.append(Problem("luns", "this recovery point carries no disk list (a list of points gives only disk "
                               "counts, and the point could not be read alone), so disks cannot be chosen",
                               "check and send it through its item (item.check(request), item.restore(request) read "
                               "the point alone first), or remove luns (restore all disks)"))
        return out
    allowed = set(known) | {-1}
    wrong = [lun for lun in luns if isinstance(lun, int) and lun not in allowed]
    if wrong:
        out.append(Problem("luns", f"LUN(s) {wrong} are not in this point's disks {sorted(allowed)}",
                           f"choose among {sorted(allowed)} (-1 is the OS disk)"))
    dupes = sorted({lun for lun in luns if isinstance(lun, int) and luns.count(lun) > 1})
    if dupes:
        out.append(Problem("luns", f"LUN(s) {dupes} are listed more than once", "list each LUN once"))
    return out


def _excluded_disks(point: RecoveryPoint) -> bool:
    props = point.properties
    config = props.get("recoveryPointDiskConfiguration") or props.get("rpDiskConfiguration")
    if not isinstance(config, Mapping):
        return False
    excluded = config.get("excludedDiskList")
    if isinstance(excluded, list) and excluded:
        return True
    included, attached = config.get("numberOfDisksIncludedInBackup"), config.get("numberOfDisksAttachedToVm")
    return isinstance(included, int) and isinstance(attached, int) and included < attached


def rule_selective_backup(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """A point taken with excluded disks restores only as disks."""
    if props.get("recoveryType") in ("AlternateLocation", "OriginalLocation") and _excluded_disks(point):
        return [Problem("recovery_type", "this point was taken with selective disk backup (some disks excluded); "
                        "Azure Backup restores such points only as disks",
                        "use RestoreDisks, then create or attach disks from the restored ones")]
    return []


_DURATION = re.compile(r"^P(\d+)D$")


def needs_rehydration(point: RecoveryPoint) -> bool | None:
    """True if the point lives only in the archive tier (not rehydrated); None if its tiers are unknown."""
    tiers = point.tiers
    if not tiers:
        return None
    return point.is_archived_only and tiers.get("ArchivedRP") != "Rehydrated"


def rule_rehydration(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """Archive-only points need rehydration (10-30 days, Standard or High); others refuse it."""
    out = []
    with_rehydration = props.get("objectType") == "IaasVMRestoreWithRehydrationRequest"
    info = props.get("recoveryPointRehydrationInfo")
    needs = needs_rehydration(point)
    if needs and not with_rehydration:
        out.append(Problem("rehydration_priority", "this point is only in the archive tier and must be rehydrated",
                           "pass rehydration_priority='Standard' (or 'High') and rehydration_duration=10..30 days"))
    if with_rehydration and needs is False:
        out.append(Problem("rehydration_priority", "rehydration is only for a point that lives only in the "
                           f"archive tier; this one is in {', '.join(point.tier_labels) or 'no usable tier'}",
                           "remove rehydration_priority and rehydration_duration"))
    if info is not None and not with_rehydration:
        out.append(Problem("rehydration_priority", "recoveryPointRehydrationInfo needs objectType "
                           "IaasVMRestoreWithRehydrationRequest", "set rehydration through the builder"))
    if with_rehydration and not isinstance(info, Mapping):
        out.append(Problem("rehydration_duration", "a rehydration request carries no rehydration info",
                           "pass rehydration_priority and rehydration_duration"))
    if isinstance(info, Mapping):
        priority = info.get("rehydrationPriority")
        if priority not in REHYDRATION_PRIORITIES:
            out.append(Problem("rehydration_priority", f"priority must be Standard or High, got {priority!r}",
                               "pass rehydration_priority='Standard' (cheaper, up to 48 h) or 'High' (faster)"))
        duration = info.get("rehydrationRetentionDuration")
        match = _DURATION.match(duration) if isinstance(duration, str) else None
        low, high = REHYDRATION_DAYS
        if not match or not low <= int(match.group(1)) <= high:
            out.append(Problem("rehydration_duration",
                               f"rehydration must last {low} to {high} days (ISO 8601 'P{low}D'..'P{high}D'), "
                               f"got {duration!r}", f"pass rehydration_duration={low + 5} (days)"))
    return out


def rule_region(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """The restore region is the vault's region, or its secondary region for a cross-region point."""
    region, vault = props.get("region"), point.vault_location
    if not _is_str(region) or not vault:
        return []
    if point.region == "secondary" and norm_region(region) == norm_region(vault):
        return [Problem("region", f"a cross-region point restores into the vault's secondary region, not {region!r}",
                        "pass region='<paired secondary region>'")]
    if point.region != "secondary" and norm_region(region) != norm_region(vault):
        return [Problem("region", f"restores go to the vault's region {vault!r}, not {region!r}",
                        f"pass region={vault!r} (or restore from the secondary region with cross-region restore)")]
    return []


def rule_zones(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """One zone, "1", "2" or "3", and only for a point of a zone-pinned VM."""
    zones = props.get("zones")
    if not isinstance(zones, list) or not zones:
        return []
    out = []
    if len(zones) > 1:
        out.append(Problem("zone", f"a VM is restored into one zone, got {zones}", "pass a single zone"))
    bad = [z for z in zones if z not in ZONES]
    if bad:
        out.append(Problem("zone", f"zones are '1', '2' or '3', got {bad}", "pass zone='1', '2' or '3'"))
    if not point.zones:
        out.append(Problem("zone", "the source VM was not zone-pinned; Azure Backup restores into a zone only "
                           "VMs that were (cross-zonal restore)", "remove zone"))
    return out


def rule_identity(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """Managed identities for managed VMs; identity-based restore needs an identity."""
    out = []
    info = props.get("identityInfo")
    if isinstance(info, Mapping) and point.managed is False:
        out.append(Problem("identity", "restore with a managed identity is only for VMs with managed disks",
                           "remove identity (and identity_based_restore)"))
    if isinstance(info, Mapping):
        system, resource = info.get("isSystemAssignedIdentity"), info.get("managedIdentityResourceId")
        if system is True and resource not in (None, ""):
            out.append(Problem("identity", "both the system-assigned identity and a user-assigned one are given",
                               "pass identity='system' or the user-assigned identity's ID, not both"))
        if system is not True and resource in (None, ""):
            out.append(Problem("identity", "a user-assigned identity needs its ARM ID",
                               "pass identity='system' or identity='<rg>/<identity name>'"))
    if props.get("identityBasedRestoreDetails") is not None and not isinstance(info, Mapping):
        out.append(Problem("identity_based_restore", "an identity-based restore needs a managed identity",
                           "pass identity='system' or a user-assigned identity"))
    return out


def rule_encryption(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """``encryptionEnabled`` matches the point; key details only for an encrypted point."""
    details = props.get("encryptionDetails")
    if not isinstance(details, Mapping):
        return []
    out = []
    enabled = details.get("encryptionEnabled")
    if isinstance(enabled, bool) and "isSourceVMEncrypted" in point.properties and enabled != point.encrypted:
        state = "was" if point.encrypted else "was not"
        out.append(Problem("encryption", f"encryptionEnabled is {enabled} but the source VM {state} encrypted "
                           "(Azure Disk Encryption) at backup", f"pass encryption={point.encrypted} or leave it out"))
    keys = [k for k in ("kekUrl", "secretKeyUrl", "kekVaultId", "secretKeyVaultId") if details.get(k)]
    if keys and enabled is not True:
        out.append(Problem("encryption", f"{', '.join(keys)} given for a VM that was not encrypted",
                           "remove the key details"))
    return out


def rule_disk_access(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """Private access for restored disks names a disk access; the other options do not."""
    settings = props.get("targetDiskNetworkAccessSettings")
    if not isinstance(settings, Mapping):
        return []
    out = []
    option, access = settings.get("targetDiskNetworkAccessOption"), settings.get("targetDiskAccessId")
    if option not in DISK_NETWORK_ACCESS_OPTIONS:
        out.append(Problem("disk_network_access", f"unknown disk network access {option!r}",
                           "pass one of " + ", ".join(DISK_NETWORK_ACCESS_OPTIONS)))
    elif option == "EnablePrivateAccessForAllDisks" and access in (None, ""):
        out.append(Problem("disk_access", "private access for the restored disks needs a disk access resource",
                           "pass disk_access='<rg>/<disk access name>' or its ARM ID"))
    elif option != "EnablePrivateAccessForAllDisks" and access not in (None, ""):
        out.append(Problem("disk_access", f"a disk access is only used with EnablePrivateAccessForAllDisks, "
                           f"not {option}", "remove disk_access or choose private access"))
    return out


def rule_secured_vm(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """The Confidential VM OS disk encryption set is only for a Confidential VM point."""
    details = props.get("securedVMDetails")
    security = point.properties.get("securityType")
    if isinstance(details, Mapping) and details.get("securedVMOsDiskEncryptionSetId") and security \
            and str(security).lower() != "confidentialvm":
        return [Problem("secured_vm_disk_encryption_set",
                        f"the source VM's security type is {security}, not ConfidentialVM",
                        "remove secured_vm_disk_encryption_set")]
    return []


def rule_managed_disks(props: Mapping[str, Json], point: RecoveryPoint) -> list[Problem]:
    """Options for unmanaged VMs are refused for managed ones."""
    out = []
    if props.get("restoreWithManagedDisks") is True and point.managed is True:
        out.append(Problem("restore_with_managed_disks", "the source VM already uses managed disks",
                           "leave restore_with_managed_disks out (it converts unmanaged VMs)"))
    if props.get("originalStorageAccountOption") is True and point.managed is True:
        out.append(Problem("original_storage_account_option",
                           "restoring into the original storage accounts is for VMs with unmanaged disks",
                           "pass original_storage_account_option=False"))
    return out


def point_of_another_item(point: RecoveryPoint, item: ItemRef, *, cross_region: bool = False) -> Problem | None:
    """The problem of restoring ``point`` through ``item`` when the point is another protected item's (None when it
    is ``item``'s own).

    A request is a value: it holds its point, and the point knows its VM; the item that checks or sends it
    (``item.check``, ``item.restore``, ``crr.restore``, the form) must be that VM's. Azure answers a restore sent
    through another item with a 404 that reads like an expired point, so it is refused before anything is sent.
    """
    source = point.item
    if source.id.lower() == item.id.lower():
        return None
    vault = "" if source.vault_id.lower() == item.vault_id.lower() else f", vault {source.vault_name}"
    through = ".cross_region().restore(request)" if cross_region else ".restore(request)"
    listing = "crr.recovery_points()" if cross_region else "item.recovery_points()"
    return Problem(
        "point", f"recovery point {point.name} belongs to VM {source.vm_name} (resource group "
        f"{source.vm_resource_group}{vault}), not to VM {item.vm_name} (resource group {item.vm_resource_group}), "
        "whose protected item it was given to",
        f"restore it through its own VM: az.vault({source.vault_resource_group!r}, {source.vault_name!r})"
        f".vm({source.vm_resource_group!r}, {source.vm_name!r}){through}; or choose a point of "
        f"{item.vm_name} ({listing})")


#: Every offline rule, in the order problems are reported.
RULES: tuple[Rule, ...] = (rule_shape, rule_required, rule_original_location, rule_arm_ids, rule_subnet_in_vnet,
                           rule_target_vm_in_group, rule_luns, rule_selective_backup, rule_rehydration,
                           rule_region, rule_zones, rule_identity, rule_encryption, rule_disk_access,
                           rule_secured_vm, rule_managed_disks)


def check_request(props: Mapping[str, Json], point: RecoveryPoint, *,
                  storage_account: StorageAccountFacts | None = None) -> list[Problem]:
    """Every problem of a restore request's ``properties`` for ``point`` (offline; nothing is sent).

    ``storage_account``, when given, is what is known of the staging account (a dict with ``location``,
    ``sku`` and ``kind`` as ARM returns it, or an SDK ``StorageAccount``); it is checked too.
    """
    if not isinstance(props, Mapping):
        return [Problem("body", f"the request's properties must be an object, got {type(props).__name__}",
                        "build the body with RestoreDisks, ReplaceDisks or RestoreAsNewVM")]
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(props, point))
    if storage_account is not None:
        problems.extend(check_storage_account(storage_account, props.get("region")))
    return problems


def check_body(body: Json, point: RecoveryPoint, *, storage_account: StorageAccountFacts | None = None) -> list[Problem]:
    """Every problem of a whole request body ``{"properties": {...}}`` (see :func:`check_request`)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("properties"), Mapping):
        return [Problem("body", "a restore body is {'properties': {...}}", "build it with a restore builder")]
    extra = [k for k in body if k not in ("properties", "location", "tags", "eTag")]
    problems = [Problem("body", f"{k!r} is not a field of a restore request resource", "remove it") for k in extra]
    return problems + check_request(body["properties"], point, storage_account=storage_account)


# --- storage accounts --------------------------------------------------------------------------------------
class StorageAccountModel(Protocol):
    """An SDK ``StorageAccount`` (azure-mgmt-storage) as the rules read it: its location, SKU and kind."""

    location: str | None


#: What is known of a staging storage account: ARM JSON or an SDK model.
StorageAccountFacts: TypeAlias = "Mapping[str, Json] | StorageAccountModel"


def storage_account_facts(account: StorageAccountFacts | None) -> dict[str, str | None]:
    """``{"location", "sku", "kind"}`` of a storage account given as ARM JSON (dict) or an SDK object."""
    def text(value: object) -> str | None:
        value = getattr(value, "value", value)  # SDK enums
        return str(value) if value not in (None, "") else None

    def get(obj: object, key: str) -> object:
        return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)  # SDK models: attributes

    sku = get(account, "sku")
    sku_name = sku if isinstance(sku, str) else get(sku, "name") if sku is not None else None
    return {"location": text(get(account, "location")), "sku": text(sku_name), "kind": text(get(account, "kind"))}


_BLOB_ONLY_KINDS = {"blobstorage", "blockblobstorage", "filestorage"}


def check_storage_account(account: StorageAccountFacts | None, region: str | None) -> list[Problem]:
    """Problems of a staging storage account: region, redundancy, tier and kind (each only when known)."""
    facts = storage_account_facts(account)
    out = []
    location, sku, kind = facts["location"], facts["sku"], facts["kind"]
    if location and _is_str(region) and norm_region(location) != norm_region(region):
        out.append(Problem("storage_account", f"the storage account is in {location}, the restore in {region}",
                           f"use a storage account in {region}"))
    if sku and "zrs" in sku.lower():
        out.append(Problem("storage_account", f"the storage account is zone-redundant ({sku}), which restores "
                           "do not support", "use a locally or geo-redundant (LRS/GRS) account"))
    if sku and sku.lower().startswith("premium"):
        out.append(Problem("storage_account", f"the storage account is premium ({sku}), which restores do not "
                           "support as a staging location", "use a Standard general-purpose v2 account"))
    if kind and kind.lower() in _BLOB_ONLY_KINDS:
        out.append(Problem("storage_account", f"the storage account is of kind {kind}, which cannot hold the "
                           "restored page-blob disks", "use a general-purpose (StorageV2) account"))
    return out
