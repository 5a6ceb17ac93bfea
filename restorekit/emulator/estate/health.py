"""Backup health of a protected VM: what went wrong lately, and the failures the service names.

A :class:`BackupHistory` says what happened to a VM's backups (the last scheduled backups that
made no recovery point, whether they failed, whether protection was stopped). The recovery points
follow it (``vaults`` leaves the missed days out), and so do the protected item's properties
(``providers.backup.shapes.item_health``) and the failed backup jobs (``seed.jobs``), so that a client
analysing the fleet sees one consistent story.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    # a file recovery session left open (the code and its number are our guesses; the behaviour is Azure's)
    "UserErrorFileRecoverySessionActive": (
        400271, "A file recovery (item-level recovery) session is open on a recovery point of this VM, so the "
        "scheduled backup could not take its snapshot.",
        ("Unmount the disks of the file recovery session (revoke it), then retry the backup.",)),
}
#: The failure a scheduled backup ends with while a file recovery session of its VM is open.
FILE_RECOVERY_BLOCKS_BACKUP = "UserErrorFileRecoverySessionActive"


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
