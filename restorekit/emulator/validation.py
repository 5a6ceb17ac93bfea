"""Restore request validation: the checks the Backup service makes before it accepts a restore.

Each violated rule answers 400 with the ARM envelope and its own code (see ``RESTORE_CODES``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import versions
from .errors import ApiError, bad_request
from .estate import SUBSCRIPTION_ID, ZONAL_REGIONS, Estate, ProtectedVM, RecoveryPoint, StorageAccount

#: Every code the restore validation may answer, with when.
RESTORE_CODES: dict[str, str] = {
    "InvalidRequestContent": "the body is not a JSON object",
    "BMSUserErrorInvalidInput": "properties missing, or a field of the wrong type",
    "BMSUserErrorMissingObjectType": "properties.objectType missing",
    "BMSUserErrorInvalidObjectType": "objectType unknown or not an IaaS VM restore request",
    "BMSUserErrorPropertyNotSupportedInApiVersion": "a field or type newer than the api-version",
    "UserErrorMissingRecoveryType": "recoveryType missing",
    "UserErrorInvalidRecoveryType": "recoveryType not OriginalLocation, AlternateLocation or RestoreDisks",
    "UserErrorRecoveryPointIdMismatch": "recoveryPointId differs from the point in the URL",
    "UserErrorMissingSourceResourceId": "sourceResourceId missing",
    "UserErrorSourceResourceIdMismatch": "sourceResourceId is not the protected VM",
    "UserErrorInvalidResourceId": "an ARM id that does not parse or has the wrong type",
    "UserErrorStorageAccountMissing": "storageAccountId missing",
    "UserErrorStorageAccountNotFound": "storageAccountId names no storage account",
    "UserErrorStorageAccountInDifferentRegion": "storage account not in the restore region",
    "UserErrorZoneRedundantStorageAccountNotSupported": "storage account is ZRS/GZRS/RAGZRS",
    "UserErrorPremiumStorageAccountNotSupported": "storage account is Premium",
    "UserErrorRestoreRegionMismatch": "region is not the vault's region (or the CRR secondary region)",
    "UserErrorTargetVirtualMachineIdMissing": "AlternateLocation without targetVirtualMachineId",
    "UserErrorTargetResourceGroupMissing": "AlternateLocation without targetResourceGroupId",
    "UserErrorTargetResourceGroupNotFound": "targetResourceGroupId names no resource group",
    "UserErrorTargetVmNotInTargetResourceGroup": "targetVirtualMachineId is not in targetResourceGroupId",
    "UserErrorTargetVmAlreadyExists": "targetVirtualMachineId names an existing VM",
    "UserErrorVirtualNetworkIdMissing": "AlternateLocation without virtualNetworkId",
    "UserErrorSubnetIdMissing": "AlternateLocation without subnetId",
    "UserErrorVirtualNetworkNotFound": "virtualNetworkId names no virtual network",
    "UserErrorVirtualNetworkInDifferentRegion": "virtual network not in the restore region",
    "UserErrorSubnetNotInVirtualNetwork": "subnetId is not a subnet of virtualNetworkId",
    "UserErrorInvalidParameterForOriginalLocation": "OriginalLocation given targetVirtualMachineId/virtualNetworkId/subnetId",
    "UserErrorRestoreDiskLunNotInRecoveryPoint": "restoreDiskLunList has a LUN the point did not back up",
    "UserErrorSelectiveDiskRestoreNotSupported": "restoreDiskLunList with a recoveryType other than RestoreDisks",
    "UserErrorRecoveryPointRehydrationRequired": "archive-only point restored without IaasVMRestoreWithRehydrationRequest",
    "UserErrorRecoveryPointNotInArchiveTier": "rehydration request for a point that is not archived",
    "UserErrorRehydrationInfoMissing": "rehydration request without recoveryPointRehydrationInfo",
    "UserErrorInvalidRehydrationRetentionDuration": "rehydrationRetentionDuration not P10D..P30D",
    "UserErrorInvalidRehydrationPriority": "rehydrationPriority not Standard or High",
    "UserErrorZonesNotSupportedInRegion": "zones given for a region without availability zones",
    "UserErrorInvalidZone": "zones not a single value of 1, 2 or 3",
    "UserErrorZonesNotSupportedForOriginalLocation": "zones given for OriginalLocation",
    "UserErrorIdentityNotSupportedForUnmanagedVm": "identityInfo for a VM with unmanaged disks",
    "UserErrorInvalidIdentityInfo": "identityInfo neither system-assigned nor with managedIdentityResourceId",
}

_RESTORE_TYPES = ("IaasVMRestoreRequest", "IaasVMRestoreWithRehydrationRequest")
_OTHER_TYPES = ("AzureFileShareRestoreRequest", "AzureWorkloadRestoreRequest", "AzureWorkloadSQLRestoreRequest",
                "AzureWorkloadSAPHanaRestoreRequest", "AzureWorkloadPointInTimeRestoreRequest")
_RECOVERY_TYPES = ("OriginalLocation", "AlternateLocation", "RestoreDisks")
_ID = re.compile(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)(?:/providers/([^/]+)/([^/]+)/([^/]+)"
                 r"(?:/([^/]+)/([^/]+))?)?/?$", re.I)


@dataclass
class ResourceId:
    """The parts of an ARM id the validation needs."""

    subscription: str
    resource_group: str
    namespace: str | None
    type: str | None
    name: str | None
    child_type: str | None = None
    child_name: str | None = None


def split_id(value: Any, field_name: str, expect: str | None = None) -> ResourceId:
    """Parse an ARM id; ``expect`` like ``Microsoft.Storage/storageAccounts`` checks its type."""
    m = _ID.match(value) if isinstance(value, str) else None
    rid = ResourceId(*m.groups()) if m else None
    if rid and expect:
        ns, typ = expect.split("/")
        if (rid.namespace or "").lower() != ns.lower() or (rid.type or "").lower() != typ.lower():
            rid = None
    if rid is None:
        kind = f" of a {expect}" if expect else ""
        raise bad_request("UserErrorInvalidResourceId", f"'{field_name}' is not a valid ARM id{kind}: {value!r}.",
                          f"properties.{field_name}")
    return rid


@dataclass
class RestorePlan:
    """What an accepted restore will do."""

    recovery_type: str
    point: RecoveryPoint
    storage_account: StorageAccount
    region: str
    target_vm: str | None = None
    target_resource_group: str | None = None
    luns: list[int] = field(default_factory=list)
    rehydrate: bool = False


def _fail(code: str, message: str, target: str | None = None) -> ApiError:
    assert code in RESTORE_CODES, code
    return bad_request(code, message, f"properties.{target}" if target else None)


def validate_restore(body: Any, *, estate: Estate, vm: ProtectedVM, point: RecoveryPoint, api_version: str,
                     region: str | None = None, wrapped: bool = True) -> RestorePlan:
    """Check a restore body against the item and point; return the plan or raise a 400 ``ApiError``.

    ``wrapped`` says the body is ``{"properties": {...}}`` (active stamp); CRR sends the request bare.
    ``region`` is the region the restore lands in (the vault's, or the CRR secondary region).
    """
    if not isinstance(body, dict):
        raise _fail("InvalidRequestContent", "The request content was invalid and could not be deserialized.")
    props = body.get("properties") if wrapped else body
    if not isinstance(props, dict):
        raise _fail("BMSUserErrorInvalidInput", "The request body must have a 'properties' object.")
    props = {k: v for k, v in props.items() if v is not None}
    object_type = props.get("objectType")
    if not object_type:
        raise _fail("BMSUserErrorMissingObjectType", "The restore request must specify 'objectType'.", "objectType")
    if object_type in _OTHER_TYPES:
        raise _fail("BMSUserErrorInvalidObjectType",
                    f"'{object_type}' cannot restore an Azure VM item; use IaasVMRestoreRequest.", "objectType")
    if object_type not in _RESTORE_TYPES:
        raise _fail("BMSUserErrorInvalidObjectType", f"Unknown restore request type '{object_type}'.", "objectType")
    if object_type == "IaasVMRestoreWithRehydrationRequest" and api_version < versions.REHYDRATION_SINCE:
        raise _fail("BMSUserErrorPropertyNotSupportedInApiVersion",
                    f"'{object_type}' is not supported in api-version {api_version}.", "objectType")
    for key in props:
        if not versions.has_field(versions.RESTORE_FIELD_SINCE, key, api_version):
            raise _fail("BMSUserErrorPropertyNotSupportedInApiVersion",
                        f"'{key}' is not supported in api-version {api_version}.", key)

    recovery_type = props.get("recoveryType")
    if not recovery_type:
        raise _fail("UserErrorMissingRecoveryType", "The restore request must specify 'recoveryType'.", "recoveryType")
    if recovery_type not in _RECOVERY_TYPES:
        raise _fail("UserErrorInvalidRecoveryType",
                    f"Recovery type '{recovery_type}' is not valid for an Azure VM. "
                    f"Valid values: {', '.join(_RECOVERY_TYPES)}.", "recoveryType")
    rp_id = props.get("recoveryPointId")
    if rp_id is not None and str(rp_id) != point.name:
        raise _fail("UserErrorRecoveryPointIdMismatch",
                    f"recoveryPointId '{rp_id}' does not match the recovery point '{point.name}' in the URL.",
                    "recoveryPointId")
    source = props.get("sourceResourceId")
    if not source:
        raise _fail("UserErrorMissingSourceResourceId", "The restore request must specify 'sourceResourceId'.",
                    "sourceResourceId")
    if str(source).rstrip("/").lower() != vm.vm_id.lower():
        raise _fail("UserErrorSourceResourceIdMismatch",
                    f"sourceResourceId '{source}' is not the virtual machine protected by this item ({vm.vm_id}).",
                    "sourceResourceId")

    expected_region = (region or vm.vault.location).lower()
    given_region = str(props.get("region") or expected_region).lower().replace(" ", "")
    if given_region != expected_region:
        raise _fail("UserErrorRestoreRegionMismatch",
                    f"Restore region '{props.get('region')}' is not valid: restore to '{expected_region}'.", "region")

    account = _storage_account(props, estate, expected_region)
    plan = RestorePlan(recovery_type, point, account, expected_region)
    _check_target(props, estate, vm, plan)
    _check_luns(props, point, plan)
    _check_rehydration(props, object_type, point, plan)
    _check_zones(props, plan)
    _check_identity(props, vm)
    return plan


def _storage_account(props: dict[str, Any], estate: Estate, region: str) -> StorageAccount:
    value = props.get("storageAccountId")
    if not value:
        raise _fail("UserErrorStorageAccountMissing",
                    "A staging storage account ('storageAccountId') is required for an Azure VM restore.",
                    "storageAccountId")
    rid = split_id(value, "storageAccountId", "Microsoft.Storage/storageAccounts")
    account = estate.storage_account(rid.resource_group, rid.name or "")
    if account is None or rid.subscription.lower() != SUBSCRIPTION_ID:
        raise _fail("UserErrorStorageAccountNotFound", f"Storage account '{rid.name}' was not found.",
                    "storageAccountId")
    if account.location.lower() != region:
        raise _fail("UserErrorStorageAccountInDifferentRegion",
                    f"Storage account '{account.name}' is in '{account.location}'; the restore needs a storage "
                    f"account in '{region}'.", "storageAccountId")
    if "ZRS" in account.sku.upper():
        raise _fail("UserErrorZoneRedundantStorageAccountNotSupported",
                    f"Storage account '{account.name}' is zone-redundant ({account.sku}); zone-redundant storage "
                    "accounts are not supported for restore staging.", "storageAccountId")
    if account.sku.startswith("Premium"):
        raise _fail("UserErrorPremiumStorageAccountNotSupported",
                    f"Storage account '{account.name}' is premium ({account.sku}); use a standard storage account.",
                    "storageAccountId")
    return account


def _check_target(props: dict[str, Any], estate: Estate, vm: ProtectedVM, plan: RestorePlan) -> None:
    kind = plan.recovery_type
    if kind == "OriginalLocation":
        for key in ("targetVirtualMachineId", "virtualNetworkId", "subnetId"):
            if props.get(key):
                raise _fail("UserErrorInvalidParameterForOriginalLocation",
                            f"'{key}' must not be given when restoring to the original location.", key)
        plan.target_vm, plan.target_resource_group = vm.name, vm.resource_group
        return
    rg_value = props.get("targetResourceGroupId")
    if kind == "AlternateLocation":
        for key, code in (("targetVirtualMachineId", "UserErrorTargetVirtualMachineIdMissing"),
                          ("targetResourceGroupId", "UserErrorTargetResourceGroupMissing"),
                          ("virtualNetworkId", "UserErrorVirtualNetworkIdMissing"),
                          ("subnetId", "UserErrorSubnetIdMissing")):
            if not props.get(key):
                raise _fail(code, f"'{key}' is required to restore as a new virtual machine.", key)
    if rg_value:
        rg = split_id(rg_value, "targetResourceGroupId")
        if rg.namespace or rg.resource_group.lower() not in estate.resource_groups:
            raise _fail("UserErrorTargetResourceGroupNotFound", f"Resource group '{rg.resource_group}' was not found.",
                        "targetResourceGroupId")
        plan.target_resource_group = estate.resource_groups[rg.resource_group.lower()][0]
    if kind != "AlternateLocation":
        return
    target = split_id(props["targetVirtualMachineId"], "targetVirtualMachineId", "Microsoft.Compute/virtualMachines")
    if target.resource_group.lower() != (plan.target_resource_group or "").lower():
        raise _fail("UserErrorTargetVmNotInTargetResourceGroup",
                    f"Target VM '{target.name}' must be in the target resource group '{plan.target_resource_group}'.",
                    "targetVirtualMachineId")
    if estate.protected_vm(target.resource_group, target.name or ""):
        raise _fail("UserErrorTargetVmAlreadyExists",
                    f"A virtual machine named '{target.name}' already exists in '{target.resource_group}'.",
                    "targetVirtualMachineId")
    plan.target_vm = target.name
    net_id = split_id(props["virtualNetworkId"], "virtualNetworkId", "Microsoft.Network/virtualNetworks")
    net = estate.network(net_id.resource_group, net_id.name or "")
    if net is None:
        raise _fail("UserErrorVirtualNetworkNotFound", f"Virtual network '{net_id.name}' was not found.",
                    "virtualNetworkId")
    if net.location.lower() != plan.region:
        raise _fail("UserErrorVirtualNetworkInDifferentRegion",
                    f"Virtual network '{net.name}' is in '{net.location}', not in '{plan.region}'.", "virtualNetworkId")
    sub = split_id(props["subnetId"], "subnetId", "Microsoft.Network/virtualNetworks")
    if (sub.name or "").lower() != net.name.lower() or sub.resource_group.lower() != net.resource_group.lower() \
            or (sub.child_type or "").lower() != "subnets" \
            or (sub.child_name or "").lower() not in {s.lower() for s in net.subnets}:
        raise _fail("UserErrorSubnetNotInVirtualNetwork",
                    f"Subnet '{props['subnetId']}' is not a subnet of virtual network '{net.name}'.", "subnetId")


def _check_luns(props: dict[str, Any], point: RecoveryPoint, plan: RestorePlan) -> None:
    luns = props.get("restoreDiskLunList")
    if luns is None or luns == []:
        return
    if not isinstance(luns, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in luns):
        raise _fail("BMSUserErrorInvalidInput", "'restoreDiskLunList' must be a list of integers.", "restoreDiskLunList")
    if plan.recovery_type != "RestoreDisks":
        raise _fail("UserErrorSelectiveDiskRestoreNotSupported",
                    "Selective disk restore (restoreDiskLunList) is supported only with recoveryType RestoreDisks.",
                    "restoreDiskLunList")
    missing = [lun for lun in luns if lun not in point.included_luns]
    if missing:
        raise _fail("UserErrorRestoreDiskLunNotInRecoveryPoint",
                    f"LUN(s) {missing} are not in recovery point '{point.name}' (backed-up LUNs: "
                    f"{list(point.included_luns)}).", "restoreDiskLunList")
    plan.luns = list(luns)


_DURATION = re.compile(r"^P(\d+)D$")


def _check_rehydration(props: dict[str, Any], object_type: str, point: RecoveryPoint, plan: RestorePlan) -> None:
    if object_type != "IaasVMRestoreWithRehydrationRequest":
        if point.archived_only:
            raise _fail("UserErrorRecoveryPointRehydrationRequired",
                        f"Recovery point '{point.name}' is in the archive tier only; restore it with an "
                        "IaasVMRestoreWithRehydrationRequest.", "objectType")
        return
    if not point.archived_only:
        raise _fail("UserErrorRecoveryPointNotInArchiveTier",
                    f"Recovery point '{point.name}' is not in the archive tier; use IaasVMRestoreRequest.", "objectType")
    info = props.get("recoveryPointRehydrationInfo")
    if not isinstance(info, dict):
        raise _fail("UserErrorRehydrationInfoMissing", "'recoveryPointRehydrationInfo' is required.",
                    "recoveryPointRehydrationInfo")
    m = _DURATION.match(str(info.get("rehydrationRetentionDuration", "")))
    if not m or not 10 <= int(m.group(1)) <= 30:
        raise _fail("UserErrorInvalidRehydrationRetentionDuration",
                    f"rehydrationRetentionDuration '{info.get('rehydrationRetentionDuration')}' must be between "
                    "P10D and P30D.", "recoveryPointRehydrationInfo.rehydrationRetentionDuration")
    if info.get("rehydrationPriority") not in ("Standard", "High"):
        raise _fail("UserErrorInvalidRehydrationPriority",
                    f"rehydrationPriority '{info.get('rehydrationPriority')}' must be 'Standard' or 'High'.",
                    "recoveryPointRehydrationInfo.rehydrationPriority")
    plan.rehydrate = True


def _check_zones(props: dict[str, Any], plan: RestorePlan) -> None:
    zones = props.get("zones")
    if not zones:
        return
    if plan.recovery_type == "OriginalLocation":
        raise _fail("UserErrorZonesNotSupportedForOriginalLocation",
                    "'zones' cannot be given when restoring to the original location.", "zones")
    if not isinstance(zones, list) or len(zones) != 1 or zones[0] not in ("1", "2", "3"):
        raise _fail("UserErrorInvalidZone", f"'zones' must hold one zone among '1', '2', '3': {zones!r}.", "zones")
    if plan.region not in ZONAL_REGIONS:
        raise _fail("UserErrorZonesNotSupportedInRegion",
                    f"Region '{plan.region}' has no availability zones; remove 'zones'.", "zones")


def _check_identity(props: dict[str, Any], vm: ProtectedVM) -> None:
    info = props.get("identityInfo")
    if info is None:
        return
    if not vm.managed:
        raise _fail("UserErrorIdentityNotSupportedForUnmanagedVm",
                    "Managed identity restore is not supported for a VM with unmanaged disks.", "identityInfo")
    if not isinstance(info, dict) or not (info.get("isSystemAssignedIdentity") or info.get("managedIdentityResourceId")):
        raise _fail("UserErrorInvalidIdentityInfo",
                    "identityInfo needs isSystemAssignedIdentity true or a managedIdentityResourceId.", "identityInfo")
