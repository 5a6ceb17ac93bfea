"""JSON shapes of the resources, per api-version, as the service answers them."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from . import versions
from .clock import iso, iso_duration
from .estate import ProtectedVM, RecoveryPoint, Vault
from .health import item_health
from .jobs import Job, Operation

RP_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints"
ITEM_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"
TIER_NUMBERS = {"InstantRP": 1, "HardenedRP": 2, "ArchivedRP": 3}
STATUS_NUMBERS = {"Valid": 1, "Disabled": 2, "Deleted": 3, "Rehydrated": 4}


def vault(v: Vault) -> dict[str, Any]:
    """A Microsoft.RecoveryServices/vaults resource."""
    props: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "privateEndpointStateForBackup": "None",
        "privateEndpointStateForSiteRecovery": "None",
        "publicNetworkAccess": "Enabled",
        "redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant" if v.crr else "LocallyRedundant",
                               "crossRegionRestore": "Enabled" if v.crr else "Disabled"},
        "secureScore": "Minimum",
    }
    return {"id": v.id, "name": v.name, "type": "Microsoft.RecoveryServices/vaults", "location": v.location,
            "tags": {}, "etag": f'W/"datetime\'{iso(v.seeded_at)}\'"',
            "sku": {"name": "RS0", "tier": v.sku}, "properties": props}


def protected_item(vm: ProtectedVM, api_version: str) -> dict[str, Any]:
    """A ProtectedItemResource with AzureIaaSComputeVMProtectedItem properties (health as its history says)."""
    props: dict[str, Any] = {
        "protectedItemType": "Microsoft.Compute/virtualMachines",
        "friendlyName": vm.name,
        "virtualMachineId": vm.vm_id,
        **item_health(vm),
        "protectedItemDataId": str(10**17 + int(hashlib.sha256(vm.vm_id.encode()).hexdigest()[:12], 16)),
        "backupManagementType": "AzureIaasVM",
        "workloadType": "VM",
        "containerName": f"iaasvmcontainerv2;{vm.resource_group};{vm.name}",
        "sourceResourceId": vm.vm_id,
        "policyId": f"{vm.vault.id}/backupPolicies/{vm.policy}",
        "isArchiveEnabled": vm.long_term,
    }
    if api_version >= "2021-01-01":
        props["policyName"] = vm.policy
        props["vaultId"] = vm.vault.id
    return {"id": vm.item_path, "name": vm.item, "type": ITEM_TYPE, "properties": props}


def _disk_config(vm: ProtectedVM, p: RecoveryPoint) -> dict[str, Any]:
    names = dict(vm.disks)
    return {
        "numberOfDisksIncludedInBackup": len(p.included_luns),
        "numberOfDisksAttachedToVm": len(p.included_luns) + len(p.excluded_luns),
        "includedDiskList": [{"lun": lun, "name": names.get(lun, f"disk{lun}")} for lun in p.included_luns],
        "excludedDiskList": [{"lun": lun, "name": names.get(lun, f"disk{lun}")} for lun in p.excluded_luns],
    }


def recovery_point(vm: ProtectedVM, p: RecoveryPoint, api_version: str) -> dict[str, Any]:
    """A RecoveryPointResource with IaasVMRecoveryPoint properties shaped for ``api_version``."""
    numeric = versions.numeric_tiers(api_version)
    tiers = [{"type": TIER_NUMBERS[t], "status": STATUS_NUMBERS[s]} if numeric else {"type": t, "status": s}
             for t, s in p.tiers]
    props: dict[str, Any] = {
        "objectType": "IaasVMRecoveryPoint",
        "recoveryPointType": p.rp_type,
        "recoveryPointTime": p.time_text or iso(p.time),
        "recoveryPointAdditionalInfo": "",
        "sourceVMStorageType": vm.storage_type,
        "isSourceVMEncrypted": vm.encrypted,
    }
    if vm.encrypted:
        props["keyAndSecret"] = _key_and_secret(vm, p)
    props.update({"isInstantIlrSessionActive": False, "recoveryPointTierDetails": tiers,
                  "isManagedVirtualMachine": vm.managed, "virtualMachineSize": vm.size,
                  "originalStorageAccountOption": False})
    if p.verbatim:
        if api_version in versions.PASSIVE_VERSIONS:
            props["osType"] = vm.os_type  # the documentation's secondary-region listing writes it
        return _envelope(vm, p, props)
    optional: dict[str, Any] = {"osType": vm.os_type, "recoveryPointDiskConfiguration": _disk_config(vm, p)}
    if vm.zones:
        optional["zones"] = list(vm.zones)
    if p.move_ready is not None:
        info: dict[str, Any] = {"isReadyForMove": p.move_ready}
        if not p.move_ready:
            info["additionalInfo"] = "Recovery point is not eligible to move to the archive tier yet."
        optional["recoveryPointMoveReadinessInfo"] = {"ArchivedRP": info}
    if p.rule_name:
        optional["recoveryPointProperties"] = {"expiryTime": iso(p.expiry) if p.expiry else None,
                                               "ruleName": p.rule_name, "isSoftDeleted": False}
    optional["securityType"] = "Standard" if vm.size.startswith("Standard_A") else "TrustedLaunch"
    optional["isPrivateAccessEnabledOnAnyDisk"] = False
    for key, value in optional.items():
        if versions.has_field(versions.RECOVERY_POINT_FIELD_SINCE, key, api_version):
            props[key] = value
    return _envelope(vm, p, props)


def _envelope(vm: ProtectedVM, p: RecoveryPoint, props: dict[str, Any]) -> dict[str, Any]:
    rid = p.id_override or f"{vm.item_path}/recoveryPoints/{p.name}"
    return {"id": rid, "name": p.name, "type": RP_TYPE, "properties": props}


def _key_and_secret(vm: ProtectedVM, p: RecoveryPoint) -> dict[str, Any]:
    kv = f"/subscriptions/{vm.vault.subscription_id}/resourceGroups/{vm.resource_group}/providers/Microsoft.KeyVault/vaults/{vm.name}-kv"
    host = f"https://{vm.name.lower()}-kv.vault.azure.net"
    tag = hashlib.sha256(p.name.encode()).hexdigest()
    return {
        "kekDetails": {"keyUrl": f"{host}/keys/{vm.name}-kek/{tag[:32]}", "keyVaultId": kv,
                       "keyBackupData": "a2V5LWJhY2t1cC0" + tag[:24]},
        "bekDetails": {"secretUrl": f"{host}/secrets/{tag[32:40].upper()}-BEK/{tag[:32]}", "secretVaultId": kv,
                       "secretData": "c2VjcmV0LWRhdGE" + tag[24:48]},
        "encryptionMechanism": "SinglePass",
    }


def operation_status(op: Operation, now: datetime) -> dict[str, Any]:
    """An OperationStatus body."""
    status = op.status(now)
    body: dict[str, Any] = {"id": op.id, "name": op.id, "status": status, "startTime": iso(op.start)}
    if status != "InProgress":
        body["endTime"] = iso(op.end())
    if status == "Failed" and op.error:
        body["error"] = dict(op.error)
    elif status == "Succeeded" and op.job_id:
        body["properties"] = {"objectType": "OperationStatusJobExtendedInfo", "jobId": op.job_id}
    return body


def job(j: Job, vault_id: str, now: datetime, api_version: str) -> dict[str, Any]:
    """A JobResource with AzureIaaSVMJob properties at ``now``."""
    status, progress, end = j.state(now)
    finish = end or now
    elapsed = (finish - j.start).total_seconds()
    tasks = [_task(j, index, name, status, finish) for index, name in enumerate(j.tasks)]
    extended: dict[str, Any] = {"tasksList": tasks, "propertyBag": dict(j.property_bag),
                                "progressPercentage": round(progress, 2)}
    if status in ("InProgress", "Cancelling"):
        extended["estimatedRemainingDuration"] = iso_duration(max(0.0, j.seconds - elapsed))
    props: dict[str, Any] = {
        "jobType": "AzureIaaSVMJob",
        "entityFriendlyName": j.vm_name,
        "backupManagementType": "AzureIaasVM",
        "operation": j.operation,
        "status": status,
        "startTime": iso(j.start),
        "activityId": f"{j.id[:8]}-{j.id[9:13]}-0000-0000-000000000000",
        "duration": iso_duration(elapsed),
        "actionsInfo": ["Cancellable"] if status == "InProgress" else [],
        "errorDetails": [],
        "virtualMachineVersion": "Compute",
        "extendedInfo": extended,
    }
    if end is not None:
        props["endTime"] = iso(end)
    if status == "Failed" and j.failure:
        number, code, title, message, recs = j.failure
        props["errorDetails"] = [{"errorCode": number, "errorTitle": title, "errorString": f"{code}: {message}",
                                  "recommendations": list(recs)}]
        extended["dynamicErrorMessage"] = message
    if versions.has_field(versions.JOB_FIELD_SINCE, "containerName", api_version):
        props["containerName"] = j.container
        props["isUserTriggered"] = j.user_triggered
    return {"id": f"{vault_id}/backupJobs/{j.id}", "name": j.id, "type": "Microsoft.RecoveryServices/vaults/backupJobs",
            "properties": props}


def _task(j: Job, index: int, name: str, status: str, finish: datetime) -> dict[str, Any]:
    """One entry of ``tasksList``: tasks share the job's duration one after the other."""
    per = j.seconds / len(j.tasks)
    begin = j.start + timedelta(seconds=index * per)
    done_at = begin + timedelta(seconds=per)
    if finish < begin or (finish == begin and status not in ("InProgress", "Completed")):
        return {"taskId": name, "duration": iso_duration(0), "status": "NotStarted", "progressPercentage": 0.0}
    if status == "Completed" or finish >= done_at:
        return {"taskId": name, "startTime": iso(begin), "endTime": iso(done_at), "duration": iso_duration(per),
                "status": "Completed", "progressPercentage": 100.0}
    progress = 100.0 * (finish - begin).total_seconds() / per if per else 100.0
    task: dict[str, Any] = {"taskId": name, "startTime": iso(begin),
                            "duration": iso_duration((finish - begin).total_seconds()),
                            "status": "InProgress" if status in ("InProgress", "Cancelling") else status,
                            "progressPercentage": round(progress, 2)}
    if status not in ("InProgress", "Cancelling"):
        task["endTime"] = iso(finish)
    return task
