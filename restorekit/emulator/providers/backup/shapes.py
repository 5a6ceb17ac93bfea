"""JSON shapes of the Backup service's resources, per api-version, as the service answers them."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from ...arm import versions
from ...clock import iso, iso_duration
from ...estate.health import BACKUP_FAILURES, FILE_RECOVERY_BLOCKS_BACKUP
from ...estate.jobs import Job, Operation
from ...estate.vaults import ProtectedVM, RecoveryPoint, Vault

RP_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints"
ITEM_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"
TIER_NUMBERS = {"InstantRP": 1, "HardenedRP": 2, "ArchivedRP": 3}
STATUS_NUMBERS = {"Valid": 1, "Disabled": 2, "Deleted": 3, "Rehydrated": 4}


#: From this vault api-version on, a vault says its soft delete and multi-user authorization (``securitySettings``,
#: as recorded at 2024-04-01; the first version is our guess).
SECURITY_SETTINGS_SINCE = "2022-10-01"


def vault(v: Vault, api_version: str = "") -> dict[str, Any]:
    """A Microsoft.RecoveryServices/vaults resource (``securitySettings`` from :data:`SECURITY_SETTINGS_SINCE`)."""
    props: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "privateEndpointStateForBackup": "None",
        "privateEndpointStateForSiteRecovery": "None",
        "publicNetworkAccess": "Enabled",
        "redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant" if v.crr else "LocallyRedundant",
                               "crossRegionRestore": "Enabled" if v.crr else "Disabled"},
        "secureScore": "Minimum",
    }
    if api_version >= SECURITY_SETTINGS_SINCE:
        security = v.security
        props["securitySettings"] = {
            "immutabilitySettings": None,
            "softDeleteSettings": {"softDeleteRetentionPeriodInDays": security.soft_delete_days,
                                   "softDeleteState": security.soft_delete_state,
                                   "enhancedSecurityState": security.enhanced_security_state},
            "multiUserAuthorization": "Enabled" if security.proxy is not None else "Disabled"}
    return {"id": v.id, "name": v.name, "type": "Microsoft.RecoveryServices/vaults", "location": v.location,
            "tags": {}, "etag": f'W/"datetime\'{iso(v.seeded_at)}\'"',
            "sku": {"name": "RS0", "tier": v.sku}, "properties": props}


def protected_item(vm: ProtectedVM, api_version: str, now: datetime) -> dict[str, Any]:
    """A ProtectedItemResource with AzureIaaSComputeVMProtectedItem properties (health as its history says; a
    soft-deleted item says when it was deleted and how long it has left at ``now``)."""
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
    protection = vm.protection
    if protection.soft_deleted_at is not None and protection.purge_at is not None:
        remaining = max(0.0, (protection.purge_at - now).total_seconds())
        props.update({"deferredDeleteTimeInUTC": iso(protection.soft_deleted_at), "isScheduledForDeferredDelete": True,
                      "deferredDeleteTimeRemaining": timespan(remaining),
                      "isDeferredDeleteScheduleUpcoming": remaining <= PURGE_UPCOMING_DAYS * 86400})
    return {"id": vm.item_path, "name": vm.item, "type": ITEM_TYPE, "properties": props}


#: A soft-deleted item is "upcoming" for purge in its last days (Azure mails a warning two days before).
PURGE_UPCOMING_DAYS = 2


def timespan(seconds: float) -> str:
    """.NET's ``TimeSpan`` text, how the Backup service writes a remaining time: ``13.23:59:07``."""
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days}.{hours:02d}:{minutes:02d}:{secs:02d}" if days else f"{hours:02d}:{minutes:02d}:{secs:02d}"


def item_health(vm: ProtectedVM) -> dict[str, Any]:
    """The health-related properties of ``vm``'s protected item, consistent with its recovery points."""
    history = vm.history
    latest = vm.latest_point()
    last_point = iso(latest.time) if latest else None
    failure, attempt, health = history.failure, None, history.health_status
    if history.last_backup_failed:
        attempt = vm.missed_backup_times()[0]
    blocked = vm.protection.blocked_backups
    if blocked and (latest is None or blocked[-1] > latest.time) and (attempt is None or blocked[-1] > attempt):
        failure, attempt, health = FILE_RECOVERY_BLOCKS_BACKUP, blocked[-1], "ActionRequired"
    props: dict[str, Any] = {
        "protectionStatus": "Unhealthy" if attempt else "Healthy",
        "protectionState": vm.protection.state or history.protection_state,
        "healthStatus": health,
        "lastBackupStatus": "Failed" if attempt else "Completed",
        "lastBackupTime": last_point,
        "lastRecoveryPoint": last_point,
    }
    if attempt is not None:
        props["lastBackupTime"] = iso(attempt)
        code = failure or ""
        number, message, recommendations = BACKUP_FAILURES[code]
        props["healthDetails"] = [{"code": number, "title": code, "message": message,
                                   "recommendations": list(recommendations)}]
    return props


def _disk_config(vm: ProtectedVM, p: RecoveryPoint, detail: bool) -> dict[str, Any]:
    """The point's disks: the counts always, the disk lists only in the GET of one point (Azure's list has none)."""
    names = dict(vm.disks)
    config: dict[str, Any] = {"numberOfDisksIncludedInBackup": len(p.included_luns),
                              "numberOfDisksAttachedToVm": len(p.included_luns) + len(p.excluded_luns)}
    if detail:
        config["includedDiskList"] = [{"lun": lun, "name": names.get(lun, f"disk{lun}")} for lun in p.included_luns]
        config["excludedDiskList"] = [{"lun": lun, "name": names.get(lun, f"disk{lun}")} for lun in p.excluded_luns]
    return config


#: What Azure says of a point it has not yet assessed for the archive tier (its own text, double period included).
NOT_YET_ASSESSED = "We're still determining if this Recovery Point can be moved.. Please check again after some time."


def recovery_point(vm: ProtectedVM, p: RecoveryPoint, api_version: str, *, detail: bool = True) -> dict[str, Any]:
    """A RecoveryPointResource with IaasVMRecoveryPoint properties shaped for ``api_version``.

    ``detail`` is the GET of one point; a list answer (``detail=False``) leaves out the disk lists, as Azure's does.
    The passive stamp (cross-region listing) writes ``crossRegionRestoreState`` and no ``recoveryPointAdditionalInfo``
    or ``securityType``, as recorded.
    """
    numeric = versions.numeric_tiers(api_version)
    passive = api_version in versions.PASSIVE_VERSIONS
    tiers = [{"type": TIER_NUMBERS[t], "status": STATUS_NUMBERS[s]} if numeric else {"type": t, "status": s}
             for t, s in p.tiers]
    props: dict[str, Any] = {
        "objectType": "IaasVMRecoveryPoint",
        "recoveryPointType": p.rp_type,
        "recoveryPointTime": p.time_text or iso(p.time),
    }
    if not passive or p.verbatim:
        props["recoveryPointAdditionalInfo"] = ""
    props.update({"sourceVMStorageType": vm.storage_type, "isSourceVMEncrypted": vm.encrypted})
    if vm.encrypted:
        props["keyAndSecret"] = _key_and_secret(vm, p)
    props.update({"isInstantIlrSessionActive": p.name in vm.protection.open_file_recoveries,
                  "recoveryPointTierDetails": tiers})
    if passive and not p.verbatim and versions.has_field(versions.RECOVERY_POINT_FIELD_SINCE, "crossRegionRestoreState",
                                                          api_version):
        props["crossRegionRestoreState"] = "Supported"
    props.update({"isManagedVirtualMachine": vm.managed, "virtualMachineSize": vm.size,
                  "originalStorageAccountOption": False})
    if p.verbatim:
        if passive:
            props["osType"] = vm.os_type  # the documentation's secondary-region listing writes it
        return _envelope(vm, p, props)
    optional: dict[str, Any] = {"osType": vm.os_type,
                                "recoveryPointDiskConfiguration": _disk_config(vm, p, detail)}
    if vm.zones:
        optional["zones"] = list(vm.zones)
    info: dict[str, Any] = {"isReadyForMove": bool(p.move_ready)}  # Azure writes it on every point
    if not p.move_ready and not passive:
        info["additionalInfo"] = NOT_YET_ASSESSED
    optional["recoveryPointMoveReadinessInfo"] = {"ArchivedRP": info}
    if not passive:
        optional["securityType"] = "None" if vm.size.startswith("Standard_A") else "TrustedLaunch"
    if p.rule_name:  # Azure writes the expiry without a zone (UTC)
        optional["recoveryPointProperties"] = {"expiryTime": iso(p.expiry).rstrip("Z") if p.expiry else None,
                                               "ruleName": p.rule_name, "isSoftDeleted": False}
    optional["isPrivateAccessEnabledOnAnyDisk"] = False
    optional["createdWithPolicyType"] = "V2" if vm.long_term else "V1"
    optional["threatStatus"] = 0
    for key, value in optional.items():
        if (passive and key == "isPrivateAccessEnabledOnAnyDisk") or versions.has_field(
                versions.RECOVERY_POINT_FIELD_SINCE, key, api_version):
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


#: The ``endTime`` Azure writes while an operation runs (.NET's minimum date, without a zone).
NOT_ENDED = "0001-01-01T00:00:00"


def operation_status(op: Operation, now: datetime, api_version: str = "", base_url: str = "") -> dict[str, Any]:
    """An OperationStatus body (``id`` and ``name`` the operation's id, ``endTime`` .NET's minimum while it runs).

    Once succeeded, ``properties`` names the job the operation started, or the operation's own extended info
    (a file recovery's scripts) for ``api_version``, its URLs on ``base_url``.
    """
    status = op.status(now)
    body: dict[str, Any] = {"id": op.id, "name": op.id, "status": status, "startTime": iso(op.start),
                            "endTime": iso(op.end()) if status != "InProgress" else NOT_ENDED}
    if status == "Failed" and op.error:
        body["error"] = dict(op.error)
    elif status == "Succeeded" and op.job_id:
        body["properties"] = {"objectType": "OperationStatusJobExtendedInfo", "jobId": op.job_id}
    elif status == "Succeeded" and op.details is not None:
        body["properties"] = op.details(api_version, base_url)
    return body


#: Jobs Azure shows ``actionsInfo: ["Cancellable"]`` on (whatever their status, as recorded).
CANCELLABLE_OPERATIONS = ("Backup", "Restore", "CrossRegionRestore")
#: Jobs that change an item's protection: their extended info is the property bag and no task (as recorded).
PROTECTION_OPERATIONS = ("ConfigureBackup", "DisableBackup", "DeleteBackupData", "Undelete")


def job(j: Job, vault_id: str, now: datetime, api_version: str, *, detail: bool = True,
        job_id: str | None = None) -> dict[str, Any]:
    """A JobResource with AzureIaaSVMJob properties at ``now``, keys in Azure's order.

    ``detail`` is the GET of one job; a list answer (``detail=False``) has no ``extendedInfo``, as Azure's lists.
    ``job_id`` is the resource id (a cross-region restore job's is under the secondary region's location).
    """
    status, progress, end = j.state(now)
    finish = end or now
    elapsed = (finish - j.start).total_seconds()
    props: dict[str, Any] = {"jobType": "AzureIaaSVMJob"}
    if j.operation in CANCELLABLE_OPERATIONS:
        props["actionsInfo"] = ["Cancellable"]
    if versions.has_field(versions.JOB_FIELD_SINCE, "containerName", api_version):
        props["containerName"] = j.container
    props.update({"duration": iso_duration(elapsed), "virtualMachineVersion": "Compute"})
    if status == "Failed" and j.failure:
        number, code, title, message, recs = j.failure
        props["errorDetails"] = [{"errorCode": number, "errorTitle": title, "errorString": f"{code}: {message}",
                                  "recommendations": list(recs)}]
    if detail:
        props["extendedInfo"] = _extended_info(j, status, progress, finish, elapsed)
    props.update({"entityFriendlyName": j.vm_name, "backupManagementType": "AzureIaasVM", "operation": j.operation,
                  "status": status, "startTime": iso(j.start)})
    if end is not None:
        props["endTime"] = iso(end)
    props["activityId"] = f"{j.id[:8]}-{j.id[9:13]}-0000-0000-000000000000"
    return {"id": job_id or f"{vault_id}/backupJobs/{j.id}", "name": j.id,
            "type": "Microsoft.RecoveryServices/vaults/backupJobs", "properties": props}


def _extended_info(j: Job, status: str, progress: float, finish: datetime, elapsed: float) -> dict[str, Any]:
    bag = dict(j.property_bag if status == "Completed" or j.running_bag is None else j.running_bag)
    if j.operation in PROTECTION_OPERATIONS:
        return {"tasksList": [], "propertyBag": bag}
    if j.operation == "Backup":  # a backup job: timed tasks, no progress (as recorded)
        return {"tasksList": [_backup_task(j, i, name, status, finish) for i, name in enumerate(j.tasks)],
                "propertyBag": bag, "internalPropertyBag": {"IsInstantRpJob": "True"}}
    extended: dict[str, Any] = {
        "tasksList": [_restore_task(j, i, status, finish) for i in range(len(j.tasks))], "propertyBag": bag,
        "internalPropertyBag": dict(j.internal_bag), "progressPercentage": round(max(progress, 1.0), 2)}
    if status == "Completed":
        extended["progressPercentage"] = 100.0
        extended["estimatedRemainingDuration"] = "PT0S"
    elif status == "Failed":
        extended["dynamicErrorMessage"] = j.failure[3] if j.failure else ""
    else:
        if progress > 1.0:
            extended["estimatedRemainingDuration"] = iso_duration(max(0.0, j.seconds - elapsed))
        extended["dynamicErrorMessage"] = ""
    return extended


def _task_status(j: Job, index: int, status: str, finish: datetime) -> str:
    """A task's status: tasks share the job's duration one after the other."""
    per = j.seconds / len(j.tasks)
    begin = j.start + timedelta(seconds=index * per)
    if status == "Completed" or finish >= begin + timedelta(seconds=per):
        return "Completed"
    if finish < begin or (finish == begin and index):
        return "NotStarted"
    return {"Cancelling": "InProgress"}.get(status, status)


def _restore_task(j: Job, index: int, status: str, finish: datetime) -> dict[str, Any]:
    """A restore task as Azure writes it: ``{taskId, duration ("PT0S"), status, taskType}``."""
    return {"taskId": j.tasks[index], "duration": "PT0S", "status": _task_status(j, index, status, finish),
            "taskType": "Normal"}


def _backup_task(j: Job, index: int, name: str, status: str, finish: datetime) -> dict[str, Any]:
    """A backup task: start, end (once done), duration, status and type."""
    per = j.seconds / len(j.tasks)
    begin = j.start + timedelta(seconds=index * per)
    state = _task_status(j, index, status, finish)
    task: dict[str, Any] = {"taskId": name}
    if state != "NotStarted":
        task["startTime"] = iso(begin)
    if state == "Completed":
        task["endTime"] = iso(begin + timedelta(seconds=per))
    task.update({"duration": iso_duration(per if state == "Completed" else max(0.0, (finish - begin).total_seconds())
                                          if state != "NotStarted" else 0), "status": state, "taskType": "Normal"})
    return task
