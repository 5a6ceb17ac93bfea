"""Backup health of a protected VM: what went wrong lately, and how the service reports it.

A :class:`BackupHistory` says what happened to a VM's backups (the last scheduled backups that
made no recovery point, whether they failed, whether protection was stopped). The recovery points
follow it (``estate`` leaves the missed days out), and so do the protected item's properties
(:func:`item_health`) and the failed backup jobs (:func:`failed_backup_jobs`), so that a client
analysing the fleet sees one consistent story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .arm_ids import stable_guid
from .clock import iso
from .jobs import Job

if TYPE_CHECKING:
    from .estate import Estate, ProtectedVM

#: Backup failures a protected item may report: code -> (healthDetails code, message, recommendations).
#: The numeric codes are not documented anywhere we could find; these are plausible guesses.
BACKUP_FAILURES: dict[str, tuple[int, str, tuple[str, ...]]] = {
    "UserErrorGuestAgentStatusUnavailable": (
        400112, "VM Agent unable to communicate with Azure Backup.",
        ("Ensure the VM is running and its VM Agent is installed, running and up to date.",
         "Check that the VM can reach Azure (network security groups, proxy, firewall).")),
    "ExtensionSnapshotFailedNoNetwork": (
        400116, "Snapshot operation failed due to no network connectivity on the virtual machine.",
        ("Check the VM's outbound connectivity, then retry the backup.",)),
}


@dataclass(frozen=True)
class BackupHistory:
    """What happened to a VM's backups lately; the default is a VM backed up every day without fault.

    ``missed_backups`` is how many of the latest scheduled backups made no recovery point (because
    they failed, or because protection was stopped or paused before them).
    """

    protection_state: str = "Protected"
    missed_backups: int = 0
    failure: str | None = None
    health_status: str = "Passed"

    @property
    def last_backup_failed(self) -> bool:
        """True when the latest scheduled backup ran and failed."""
        return self.failure is not None and self.missed_backups > 0


#: The VM is fine.
HEALTHY = BackupHistory()
#: Backups stopped 5 days ago (the VM agent is unreachable), protection still on: every attempt fails.
STALLED = BackupHistory(missed_backups=5, failure="UserErrorGuestAgentStatusUnavailable",
                        health_status="ActionRequired")
#: Last night's backup failed; the points before it are there.
LAST_FAILED = BackupHistory(missed_backups=1, failure="ExtensionSnapshotFailedNoNetwork",
                            health_status="ActionSuggested")
#: Protection stopped 30 days ago, data retained: the points stop then, nothing failed.
STOPPED = BackupHistory(protection_state="ProtectionStopped", missed_backups=30)
#: Protection paused 12 days ago (stop backup, retain data as per policy).
PAUSED = BackupHistory(protection_state="ProtectionPaused", missed_backups=12)


def item_health(vm: ProtectedVM) -> dict[str, Any]:
    """The health-related properties of ``vm``'s protected item, consistent with its recovery points."""
    history = vm.history
    latest = vm.latest_point()
    last_point = iso(latest.time) if latest else None
    props: dict[str, Any] = {
        "protectionStatus": "Unhealthy" if history.last_backup_failed else "Healthy",
        "protectionState": history.protection_state,
        "healthStatus": history.health_status,
        "lastBackupStatus": "Failed" if history.last_backup_failed else "Completed",
        "lastBackupTime": last_point,
        "lastRecoveryPoint": last_point,
    }
    if history.last_backup_failed:
        props["lastBackupTime"] = iso(vm.missed_backup_times()[0])
        code = history.failure or ""
        number, message, recommendations = BACKUP_FAILURES[code]
        props["healthDetails"] = [{"code": number, "title": code, "message": message,
                                   "recommendations": list(recommendations)}]
    return props


def failed_backup_jobs(estate: Estate) -> list[Job]:
    """One failed Backup job per failed backup attempt of every VM of ``estate``."""
    out = []
    for vault in estate.vaults.values():
        for vm in vault.items.values():
            if not vm.history.last_backup_failed:
                continue
            number, message, recommendations = BACKUP_FAILURES[vm.history.failure or ""]
            failure = (number, vm.history.failure or "", "Backup failed", message, recommendations)
            for attempt in vm.missed_backup_times():
                out.append(Job(id=stable_guid(vm.vm_id, attempt.isoformat(), "failed"), vault_key=vault.key, vm_id=vm.vm_id, vm_name=vm.name,
                               container=vm.container.split(";", 1)[1], operation="Backup",
                               start=attempt - timedelta(minutes=2), seconds=240, failure=failure,
                               property_bag={"VM Name": vm.name}, tasks=("Take Snapshot",)))
    return out
