"""The jobs the estate's past left behind: nightly backup jobs, and one failed job per failed backup.

Two weeks of nightly backup jobs for the small vaults (the fleet vaults' thousands of VMs keep their
points lazy and get none), and a failed Backup job for every failed attempt a VM's
:class:`~restorekit.emulator.estate.health.BackupHistory` records.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..arm.ids import stable_guid
from ..estate import Estate
from ..estate.health import BACKUP_FAILURES
from ..estate.jobs import Job


def past_jobs(estate: Estate, now: datetime) -> list[Job]:
    """The nightly backup jobs of the small vaults, then the failed backup jobs, as of ``now``."""
    return nightly_backup_jobs(estate, now) + failed_backup_jobs(estate)


def nightly_backup_jobs(estate: Estate, now: datetime) -> list[Job]:
    """Two weeks of nightly backup jobs for the small vaults, so that job lists page."""
    out = []
    for vault in estate.vaults.values():
        if vault.name.lower().startswith("fleetvault"):  # thousands of VMs: their points stay lazy
            continue
        for vm in vault.items.values():
            for point in vm.points()[:14]:
                if point.verbatim:
                    continue
                start = point.time - timedelta(minutes=2)
                job = Job(id=stable_guid(vm.name, point.name), vault_key=vault.key, vm_id=vm.vm_id,
                          vm_name=vm.name, container=vm.container.split(";", 1)[1], operation="Backup", start=start,
                          seconds=1200 + (int(point.name) % 1800),
                          property_bag={"VM Name": vm.name, "Backup Size": f"{(int(point.name) % 9000) + 100} MB"},
                          tasks=("Take Snapshot", "Transfer data to vault"))
                if job.start + timedelta(seconds=job.seconds) > now:
                    job.start = now - timedelta(seconds=job.seconds)
                out.append(job)
    return out


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
