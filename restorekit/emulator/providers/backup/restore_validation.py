"""Restore request validation: the checks the Backup service makes before it accepts a restore.

One rule set, two outputs. The restore trigger (:func:`validate_restore`) answers the first violated
rule as a 400 with the ARM envelope and the rule's own code (see ``RESTORE_CODES``). The validate
operations (:func:`restore_problems`) report every violated rule, each with its recommendation
(``RESTORE_RECOMMENDATIONS``). Besides the request's own consistency, the rules check it against the
estate: the staging storage account, target resource group, network, subnet, disk encryption set and
zone must exist where the restore lands, and a new VM's name must be free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...arm import versions
from ...arm.errors import ApiError, bad_request
from ...estate import Estate
from ...estate.inventory import ComputeVM, DiskEncryptionSet
from ...estate.resources import StorageAccount
from ...estate.tenancy import SUBSCRIPTION_ID
from ...estate.vaults import ProtectedVM, RecoveryPoint
from ...regions import region
from ...state.restore_plan import RestorePlan

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
    "UserErrorStorageAccountKindNotSupported": "storage account is BlobStorage, BlockBlobStorage or FileStorage",
    "UserErrorRestoreRegionMismatch": "region is not the vault's region (or the CRR secondary region)",
    "UserErrorTargetVirtualMachineIdMissing": "AlternateLocation without targetVirtualMachineId",
    "UserErrorTargetResourceGroupMissing": "AlternateLocation without targetResourceGroupId",
    "UserErrorTargetResourceGroupNotFound": "targetResourceGroupId names no resource group",
    "UserErrorTargetVmNotInTargetResourceGroup": "targetVirtualMachineId is not in targetResourceGroupId",
    "UserErrorTargetVmAlreadyExists": "targetVirtualMachineId names an existing VM, or one a running restore creates",
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
    "UserErrorInvalidZone": "zones not a single value of 1, 2 or 3, or a zone the region does not offer",
    "UserErrorZonesNotSupportedForOriginalLocation": "zones given for OriginalLocation",
    "UserErrorIdentityNotSupportedForUnmanagedVm": "identityInfo for a VM with unmanaged disks",
    "UserErrorInvalidIdentityInfo": "identityInfo neither system-assigned nor with managedIdentityResourceId",
    "UserErrorDiskEncryptionSetNotFound": "diskEncryptionSetId names no disk encryption set",
    "UserErrorDiskEncryptionSetInDifferentRegion": "disk encryption set not in the restore region",
}

#: What the validate operations recommend for each code (``ErrorDetail.recommendations``).
RESTORE_RECOMMENDATIONS: dict[str, str] = {
    "InvalidRequestContent": "Send the restore request as a JSON object.",
    "BMSUserErrorInvalidInput": "Give each field the type the API defines.",
    "BMSUserErrorMissingObjectType": "Set objectType to IaasVMRestoreRequest.",
    "BMSUserErrorInvalidObjectType": "Restore an Azure VM with IaasVMRestoreRequest (or "
                                     "IaasVMRestoreWithRehydrationRequest for an archived point).",
    "BMSUserErrorPropertyNotSupportedInApiVersion": "Remove the field, or call a newer api-version.",
    "UserErrorMissingRecoveryType": "Set recoveryType to RestoreDisks, AlternateLocation or OriginalLocation.",
    "UserErrorInvalidRecoveryType": "Set recoveryType to RestoreDisks, AlternateLocation or OriginalLocation.",
    "UserErrorRecoveryPointIdMismatch": "Give the recovery point being restored in recoveryPointId.",
    "UserErrorMissingSourceResourceId": "Give the ARM id of the backed-up VM in sourceResourceId.",
    "UserErrorSourceResourceIdMismatch": "Give the ARM id of the VM this item protects in sourceResourceId.",
    "UserErrorInvalidResourceId": "Give a complete ARM id of the right resource type.",
    "UserErrorStorageAccountMissing": "Give a staging storage account in storageAccountId.",
    "UserErrorStorageAccountNotFound": "Choose an existing storage account of the subscription.",
    "UserErrorStorageAccountInDifferentRegion": "Choose a storage account in the region the restore lands in.",
    "UserErrorZoneRedundantStorageAccountNotSupported": "Choose a locally or geo-redundant storage account.",
    "UserErrorPremiumStorageAccountNotSupported": "Choose a standard storage account.",
    "UserErrorStorageAccountKindNotSupported": "Choose a general-purpose (StorageV2) storage account.",
    "UserErrorRestoreRegionMismatch": "Restore to the vault's region, or to the paired region with a cross "
                                      "region restore.",
    "UserErrorTargetVirtualMachineIdMissing": "Give the ARM id of the VM to create in targetVirtualMachineId.",
    "UserErrorTargetResourceGroupMissing": "Give the target resource group in targetResourceGroupId.",
    "UserErrorTargetResourceGroupNotFound": "Create the resource group first, or choose an existing one.",
    "UserErrorTargetVmNotInTargetResourceGroup": "Name the new VM inside the target resource group.",
    "UserErrorTargetVmAlreadyExists": "Choose a name no VM of the target resource group has.",
    "UserErrorVirtualNetworkIdMissing": "Give the new VM's virtual network in virtualNetworkId.",
    "UserErrorSubnetIdMissing": "Give the new VM's subnet in subnetId.",
    "UserErrorVirtualNetworkNotFound": "Choose an existing virtual network.",
    "UserErrorVirtualNetworkInDifferentRegion": "Choose a virtual network in the region the restore lands in.",
    "UserErrorSubnetNotInVirtualNetwork": "Choose a subnet of the chosen virtual network.",
    "UserErrorInvalidParameterForOriginalLocation": "Remove the target VM, network and subnet: replacing disks "
                                                    "keeps the VM where it is.",
    "UserErrorRestoreDiskLunNotInRecoveryPoint": "Choose LUNs from the recovery point's includedDiskList.",
    "UserErrorSelectiveDiskRestoreNotSupported": "Restore selected disks with recoveryType RestoreDisks.",
    "UserErrorRecoveryPointRehydrationRequired": "Restore the archived point with an "
                                                 "IaasVMRestoreWithRehydrationRequest.",
    "UserErrorRecoveryPointNotInArchiveTier": "Use IaasVMRestoreRequest for a point outside the archive tier.",
    "UserErrorRehydrationInfoMissing": "Give recoveryPointRehydrationInfo (duration and priority).",
    "UserErrorInvalidRehydrationRetentionDuration": "Keep the rehydrated point between P10D and P30D.",
    "UserErrorInvalidRehydrationPriority": "Set rehydrationPriority to Standard or High.",
    "UserErrorZonesNotSupportedInRegion": "Remove zones, or restore to a region with availability zones.",
    "UserErrorInvalidZone": "Give one availability zone the region offers.",
    "UserErrorZonesNotSupportedForOriginalLocation": "Remove zones: replacing disks keeps the VM's zone.",
    "UserErrorIdentityNotSupportedForUnmanagedVm": "Remove identityInfo for a VM with unmanaged disks.",
    "UserErrorInvalidIdentityInfo": "Set isSystemAssignedIdentity, or give a managedIdentityResourceId.",
    "UserErrorDiskEncryptionSetNotFound": "Choose an existing disk encryption set.",
    "UserErrorDiskEncryptionSetInDifferentRegion": "Choose a disk encryption set in the region the restore "
                                                   "lands in.",
}

_RESTORE_TYPES = ("IaasVMRestoreRequest", "IaasVMRestoreWithRehydrationRequest")
_OTHER_TYPES = ("AzureFileShareRestoreRequest", "AzureWorkloadRestoreRequest", "AzureWorkloadSQLRestoreRequest",
                "AzureWorkloadSAPHanaRestoreRequest", "AzureWorkloadPointInTimeRestoreRequest")
_RECOVERY_TYPES = ("OriginalLocation", "AlternateLocation", "RestoreDisks")
_BLOB_OR_FILE_ONLY_KINDS = ("BlobStorage", "BlockBlobStorage", "FileStorage")
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


class Findings:
    """The violated rules of one request: ``strict`` raises the first (restore), else all are kept (validate)."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.problems: list[ApiError] = []

    def add(self, code: str, message: str, target: str | None = None) -> None:
        """Record (or, when strict, raise) a violated rule as a 400 with ``code``."""
        assert code in RESTORE_CODES, code
        self.add_error(bad_request(code, message, f"properties.{target}" if target else None))

    def add_error(self, err: ApiError) -> None:
        """Record (or, when strict, raise) an already built error."""
        if self.strict:
            raise err
        self.problems.append(err)

    def parse_id(self, value: Any, field_name: str, expect: str | None = None) -> ResourceId | None:
        """``split_id``, the failure recorded as a problem (None then)."""
        try:
            return split_id(value, field_name, expect)
        except ApiError as err:
            self.add_error(err)
            return None


def validate_restore(body: Any, *, estate: Estate, vm: ProtectedVM, point: RecoveryPoint, api_version: str,
                     region: str | None = None, wrapped: bool = True) -> RestorePlan:
    """Check a restore body against the item, point and estate; return the plan or raise a 400 ``ApiError``.

    ``wrapped`` says the body is ``{"properties": {...}}`` (active stamp); CRR and the validate operations
    send the request bare. ``region`` is the region the restore lands in (the vault's, or the CRR
    secondary region).
    """
    plan = _examine(body, estate, vm, point, api_version, region, wrapped, Findings(strict=True))
    assert plan is not None and plan.storage_account is not None
    return plan


def restore_problems(body: Any, *, estate: Estate, vm: ProtectedVM, point: RecoveryPoint, api_version: str,
                     region: str | None = None, wrapped: bool = True) -> list[ApiError]:
    """Every violated rule of a restore body (same rules as :func:`validate_restore`); ``[]`` when valid.

    Rules that cannot be judged after an earlier failure (a missing objectType, an unknown recovery
    type) are skipped rather than reported twice.
    """
    findings = Findings(strict=False)
    _examine(body, estate, vm, point, api_version, region, wrapped, findings)
    return findings.problems


def _examine(body: Any, estate: Estate, vm: ProtectedVM, point: RecoveryPoint, api_version: str,
             region: str | None, wrapped: bool, findings: Findings) -> RestorePlan | None:
    if not isinstance(body, dict):
        findings.add("InvalidRequestContent", "The request content was invalid and could not be deserialized.")
        return None
    props = body.get("properties") if wrapped else body
    if not isinstance(props, dict):
        findings.add("BMSUserErrorInvalidInput", "The request body must have a 'properties' object.")
        return None
    props = {k: v for k, v in props.items() if v is not None}
    object_type = props.get("objectType")
    if not object_type:
        findings.add("BMSUserErrorMissingObjectType", "The restore request must specify 'objectType'.", "objectType")
        return None
    if object_type in _OTHER_TYPES:
        findings.add("BMSUserErrorInvalidObjectType",
                     f"'{object_type}' cannot restore an Azure VM item; use IaasVMRestoreRequest.", "objectType")
        return None
    if object_type not in _RESTORE_TYPES:
        findings.add("BMSUserErrorInvalidObjectType", f"Unknown restore request type '{object_type}'.", "objectType")
        return None
    if object_type == "IaasVMRestoreWithRehydrationRequest" and api_version < versions.REHYDRATION_SINCE:
        findings.add("BMSUserErrorPropertyNotSupportedInApiVersion",
                     f"'{object_type}' is not supported in api-version {api_version}.", "objectType")
    for key in props:
        if not versions.has_field(versions.RESTORE_FIELD_SINCE, key, api_version):
            findings.add("BMSUserErrorPropertyNotSupportedInApiVersion",
                         f"'{key}' is not supported in api-version {api_version}.", key)

    recovery_type = props.get("recoveryType")
    if not recovery_type:
        findings.add("UserErrorMissingRecoveryType", "The restore request must specify 'recoveryType'.",
                     "recoveryType")
        return None
    if recovery_type not in _RECOVERY_TYPES:
        findings.add("UserErrorInvalidRecoveryType", f"Recovery type '{recovery_type}' is not valid for an Azure VM. "
                     f"Valid values: {', '.join(_RECOVERY_TYPES)}.", "recoveryType")
        return None
    rp_id = props.get("recoveryPointId")
    if rp_id is not None and str(rp_id) != point.name:
        findings.add("UserErrorRecoveryPointIdMismatch",
                     f"recoveryPointId '{rp_id}' does not match the recovery point '{point.name}' in the URL.",
                     "recoveryPointId")
    source = props.get("sourceResourceId")
    if not source:
        findings.add("UserErrorMissingSourceResourceId", "The restore request must specify 'sourceResourceId'.",
                     "sourceResourceId")
    elif str(source).rstrip("/").lower() != vm.vm_id.lower():
        findings.add("UserErrorSourceResourceIdMismatch",
                     f"sourceResourceId '{source}' is not the virtual machine protected by this item ({vm.vm_id}).",
                     "sourceResourceId")

    expected_region = (region or vm.vault.location).lower()
    given_region = str(props.get("region") or expected_region).lower().replace(" ", "")
    if given_region != expected_region:
        findings.add("UserErrorRestoreRegionMismatch",
                     f"Restore region '{props.get('region')}' is not valid: restore to '{expected_region}'.", "region")

    plan = RestorePlan(recovery_type, point, _storage_account(props, estate, expected_region, findings),
                       expected_region, restore_with_managed_disks=props.get("restoreWithManagedDisks") is True)
    _check_target(props, estate, vm, plan, findings)
    _check_luns(props, point, plan, findings)
    _check_rehydration(props, object_type, point, plan, findings)
    _check_zones(props, plan, findings)
    _check_identity(props, vm, findings)
    _check_encryption_set(props, estate, plan, findings)
    return None if findings.problems else plan


def _storage_account(props: dict[str, Any], estate: Estate, region: str, findings: Findings) -> StorageAccount | None:
    value = props.get("storageAccountId")
    if not value:
        findings.add("UserErrorStorageAccountMissing",
                     "A staging storage account ('storageAccountId') is required for an Azure VM restore.",
                     "storageAccountId")
        return None
    rid = findings.parse_id(value, "storageAccountId", "Microsoft.Storage/storageAccounts")
    if rid is None:
        return None
    account = estate.storage_account(rid.resource_group, rid.name or "")
    if account is None or rid.subscription.lower() != SUBSCRIPTION_ID:
        findings.add("UserErrorStorageAccountNotFound", f"Storage account '{rid.name}' was not found.",
                     "storageAccountId")
        return None
    before = len(findings.problems)
    if account.location.lower() != region:
        findings.add("UserErrorStorageAccountInDifferentRegion",
                     f"Storage account '{account.name}' is in '{account.location}'; the restore needs a storage "
                     f"account in '{region}'.", "storageAccountId")
    if "ZRS" in account.sku.upper():
        findings.add("UserErrorZoneRedundantStorageAccountNotSupported",
                     f"Storage account '{account.name}' is zone-redundant ({account.sku}); zone-redundant storage "
                     "accounts are not supported for restore staging.", "storageAccountId")
    if account.sku.startswith("Premium"):
        findings.add("UserErrorPremiumStorageAccountNotSupported",
                     f"Storage account '{account.name}' is premium ({account.sku}); use a standard storage account.",
                     "storageAccountId")
    if account.kind in _BLOB_OR_FILE_ONLY_KINDS:
        findings.add("UserErrorStorageAccountKindNotSupported",
                     f"Storage account '{account.name}' is of kind {account.kind}, which cannot hold restored disks "
                     "and configuration; use a general-purpose storage account.", "storageAccountId")
    return account if len(findings.problems) == before else None


def _check_target(props: dict[str, Any], estate: Estate, vm: ProtectedVM, plan: RestorePlan,
                  findings: Findings) -> None:
    kind = plan.recovery_type
    if kind == "OriginalLocation":
        for key in ("targetVirtualMachineId", "virtualNetworkId", "subnetId"):
            if props.get(key):
                findings.add("UserErrorInvalidParameterForOriginalLocation",
                             f"'{key}' must not be given when restoring to the original location.", key)
        plan.target_vm, plan.target_resource_group = vm.name, vm.resource_group
        return
    missing = False
    if kind == "AlternateLocation":
        for key, code in (("targetVirtualMachineId", "UserErrorTargetVirtualMachineIdMissing"),
                          ("targetResourceGroupId", "UserErrorTargetResourceGroupMissing"),
                          ("virtualNetworkId", "UserErrorVirtualNetworkIdMissing"),
                          ("subnetId", "UserErrorSubnetIdMissing")):
            if not props.get(key):
                findings.add(code, f"'{key}' is required to restore as a new virtual machine.", key)
                missing = True
    rg_value = props.get("targetResourceGroupId")
    if rg_value and (rg := findings.parse_id(rg_value, "targetResourceGroupId")) is not None:
        if rg.namespace or rg.resource_group.lower() not in estate.resource_groups:
            findings.add("UserErrorTargetResourceGroupNotFound", f"Resource group '{rg.resource_group}' was not found.",
                         "targetResourceGroupId")
        else:
            plan.target_resource_group = estate.resource_groups[rg.resource_group.lower()][0]
    if kind != "AlternateLocation" or missing:
        return
    target = findings.parse_id(props["targetVirtualMachineId"], "targetVirtualMachineId",
                               "Microsoft.Compute/virtualMachines")
    if target is not None and plan.target_resource_group is not None:
        _check_new_vm_name(estate, target, plan, findings)
    _check_network(props, estate, plan, findings)


def _check_new_vm_name(estate: Estate, target: ResourceId, plan: RestorePlan, findings: Findings) -> None:
    name = target.name or ""
    if target.resource_group.lower() != (plan.target_resource_group or "").lower():
        findings.add("UserErrorTargetVmNotInTargetResourceGroup",
                     f"Target VM '{name}' must be in the target resource group '{plan.target_resource_group}'.",
                     "targetVirtualMachineId")
        return
    if estate.inventory.get(ComputeVM, target.resource_group, name) is not None:
        findings.add("UserErrorTargetVmAlreadyExists",
                     f"A virtual machine named '{name}' already exists in '{target.resource_group}'.",
                     "targetVirtualMachineId")
        return
    job = estate.inventory.vm_reservation(target.resource_group, name)
    if job is not None:
        findings.add("UserErrorTargetVmAlreadyExists",
                     f"Restore job '{job}' is already creating a virtual machine named '{name}' in "
                     f"'{target.resource_group}'.", "targetVirtualMachineId")
        return
    plan.target_vm = name


def _check_network(props: dict[str, Any], estate: Estate, plan: RestorePlan, findings: Findings) -> None:
    net_id = findings.parse_id(props["virtualNetworkId"], "virtualNetworkId", "Microsoft.Network/virtualNetworks")
    net = estate.network(net_id.resource_group, net_id.name or "") if net_id else None
    if net_id is not None and net is None:
        findings.add("UserErrorVirtualNetworkNotFound", f"Virtual network '{net_id.name}' was not found.",
                     "virtualNetworkId")
    if net is not None and net.location.lower() != plan.region:
        findings.add("UserErrorVirtualNetworkInDifferentRegion",
                     f"Virtual network '{net.name}' is in '{net.location}', not in '{plan.region}'.", "virtualNetworkId")
    sub = findings.parse_id(props["subnetId"], "subnetId", "Microsoft.Network/virtualNetworks")
    if net is None or sub is None:
        return
    name = net.subnet_name(sub.child_name or "")
    if (sub.name or "").lower() != net.name.lower() or sub.resource_group.lower() != net.resource_group.lower() \
            or (sub.child_type or "").lower() != "subnets" or name is None:
        findings.add("UserErrorSubnetNotInVirtualNetwork",
                     f"Subnet '{props['subnetId']}' is not a subnet of virtual network '{net.name}'.", "subnetId")
        return
    plan.network, plan.subnet = net, name


def _check_luns(props: dict[str, Any], point: RecoveryPoint, plan: RestorePlan, findings: Findings) -> None:
    luns = props.get("restoreDiskLunList")
    if luns is None:
        return
    if not isinstance(luns, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in luns):
        findings.add("BMSUserErrorInvalidInput", "'restoreDiskLunList' must be a list of integers.",
                     "restoreDiskLunList")
        return
    if plan.recovery_type != "RestoreDisks":
        findings.add("UserErrorSelectiveDiskRestoreNotSupported",
                     "Selective disk restore (restoreDiskLunList) is supported only with recoveryType RestoreDisks.",
                     "restoreDiskLunList")
        return
    missing = [lun for lun in luns if lun not in point.included_luns]
    if missing:
        findings.add("UserErrorRestoreDiskLunNotInRecoveryPoint",
                     f"LUN(s) {missing} are not in recovery point '{point.name}' (backed-up LUNs: "
                     f"{list(point.included_luns)}).", "restoreDiskLunList")
        return
    plan.luns, plan.selective = list(luns), True


_DURATION = re.compile(r"^P(\d+)D$")


def _check_rehydration(props: dict[str, Any], object_type: str, point: RecoveryPoint, plan: RestorePlan,
                       findings: Findings) -> None:
    if object_type != "IaasVMRestoreWithRehydrationRequest":
        if point.archived_only:
            findings.add("UserErrorRecoveryPointRehydrationRequired",
                         f"Recovery point '{point.name}' is in the archive tier only; restore it with an "
                         "IaasVMRestoreWithRehydrationRequest.", "objectType")
        return
    if not point.archived_only:
        findings.add("UserErrorRecoveryPointNotInArchiveTier",
                     f"Recovery point '{point.name}' is not in the archive tier; use IaasVMRestoreRequest.",
                     "objectType")
        return
    info = props.get("recoveryPointRehydrationInfo")
    if not isinstance(info, dict):
        findings.add("UserErrorRehydrationInfoMissing", "'recoveryPointRehydrationInfo' is required.",
                     "recoveryPointRehydrationInfo")
        return
    m = _DURATION.match(str(info.get("rehydrationRetentionDuration", "")))
    if not m or not 10 <= int(m.group(1)) <= 30:
        findings.add("UserErrorInvalidRehydrationRetentionDuration",
                     f"rehydrationRetentionDuration '{info.get('rehydrationRetentionDuration')}' must be between "
                     "P10D and P30D.", "recoveryPointRehydrationInfo.rehydrationRetentionDuration")
    if info.get("rehydrationPriority") not in ("Standard", "High"):
        findings.add("UserErrorInvalidRehydrationPriority",
                     f"rehydrationPriority '{info.get('rehydrationPriority')}' must be 'Standard' or 'High'.",
                     "recoveryPointRehydrationInfo.rehydrationPriority")
    plan.rehydrate = True


def _check_zones(props: dict[str, Any], plan: RestorePlan, findings: Findings) -> None:
    zones = props.get("zones")
    if not zones:
        return
    if plan.recovery_type == "OriginalLocation":
        findings.add("UserErrorZonesNotSupportedForOriginalLocation",
                     "'zones' cannot be given when restoring to the original location.", "zones")
        return
    if not isinstance(zones, list) or len(zones) != 1 or zones[0] not in ("1", "2", "3"):
        findings.add("UserErrorInvalidZone", f"'zones' must hold one zone among '1', '2', '3': {zones!r}.", "zones")
        return
    offered = region(plan.region)
    if offered is None or not offered.zones:
        findings.add("UserErrorZonesNotSupportedInRegion",
                     f"Region '{plan.region}' has no availability zones; remove 'zones'.", "zones")
    elif zones[0] not in offered.zones:
        findings.add("UserErrorInvalidZone", f"Region '{plan.region}' does not offer zone '{zones[0]}'.", "zones")
    else:
        plan.zones = list(zones)


def _check_identity(props: dict[str, Any], vm: ProtectedVM, findings: Findings) -> None:
    info = props.get("identityInfo")
    if info is None:
        return
    if not vm.managed:
        findings.add("UserErrorIdentityNotSupportedForUnmanagedVm",
                     "Managed identity restore is not supported for a VM with unmanaged disks.", "identityInfo")
        return
    if not isinstance(info, dict) or not (info.get("isSystemAssignedIdentity") or info.get("managedIdentityResourceId")):
        findings.add("UserErrorInvalidIdentityInfo",
                     "identityInfo needs isSystemAssignedIdentity true or a managedIdentityResourceId.", "identityInfo")


def _check_encryption_set(props: dict[str, Any], estate: Estate, plan: RestorePlan, findings: Findings) -> None:
    value = props.get("diskEncryptionSetId")
    if not value:
        return
    rid = findings.parse_id(value, "diskEncryptionSetId", "Microsoft.Compute/diskEncryptionSets")
    if rid is None:
        return
    des = estate.inventory.get(DiskEncryptionSet, rid.resource_group, rid.name or "")
    if des is None:
        findings.add("UserErrorDiskEncryptionSetNotFound", f"Disk encryption set '{rid.name}' was not found.",
                     "diskEncryptionSetId")
        return
    if des.location.lower() != plan.region:
        findings.add("UserErrorDiskEncryptionSetInDifferentRegion",
                     f"Disk encryption set '{des.name}' is in '{des.location}', not in '{plan.region}'.",
                     "diskEncryptionSetId")
        return
    plan.disk_encryption_set_id = des.id
