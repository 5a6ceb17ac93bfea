"""What protection jobs change when they complete: an item deleted (soft-deleted or gone), undeleted, stopped, resumed.

Like restore outcomes, changes are settled lazily: before the app answers a request, :meth:`ProtectionChanges.settle`
applies every protection job that completed by then, in order of completion, then purges the soft-deleted items
whose time is up (the purge clock runs on the emulator's clock).

* **delete** (``DELETE {item}``, stop protection and delete data): with soft delete on, the item stays, soft-deleted
  (``isScheduledForDeferredDelete``) for the vault's ``softDeleteRetentionPeriodInDays``, protection stopped; with
  soft delete off, it is gone.
* **undelete** (``PUT {item}`` with ``isRehydrate: true``): the item is back, protection stopped, data retained.
* **stop** / **resume**: protection stopped (data retained) or back on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..estate.jobs import Job
from ..estate.vaults import ProtectedVM
from .file_recovery import FileRecoveries

#: The changes a protection job makes once completed.
CHANGES = ("delete", "undelete", "stop", "resume")


@dataclass
class PendingChange:
    """A protection job whose change is applied when it completes."""

    job: Job
    vm: ProtectedVM
    change: str


class ProtectionChanges:
    """The protection jobs still running, and the soft-deleted items waiting for their purge."""

    def __init__(self, file_recoveries: FileRecoveries) -> None:
        self._file_recoveries = file_recoveries
        self._pending: list[PendingChange] = []
        self._soft_deleted: list[ProtectedVM] = []
        self._lock = threading.Lock()

    def expect(self, job: Job, vm: ProtectedVM, change: str) -> None:
        """Remember a protection job being started."""
        if change not in CHANGES:
            raise ValueError(f"unknown protection change {change!r}")
        with self._lock:
            self._pending.append(PendingChange(job, vm, change))

    def running(self, vm: ProtectedVM, now: datetime) -> PendingChange | None:
        """The protection job still running on ``vm``, if any."""
        with self._lock:
            return next((p for p in self._pending if p.vm is vm and p.job.state(now)[0] == "InProgress"), None)

    def settle(self, now: datetime) -> None:
        """Apply every protection job completed by ``now``, then purge the soft-deleted items due by then."""
        with self._lock:
            ended = [(p.job.state(now), p) for p in self._pending]
            ended = [(s, p) for s, p in ended if s[0] in ("Completed", "Failed", "Cancelled")]
            done = {id(p) for _, p in ended}
            self._pending = [p for p in self._pending if id(p) not in done]
            for (status, _, end), pending in sorted(ended, key=lambda e: (e[0][2], e[1].job.start, e[1].job.id)):
                if status == "Completed" and end is not None:
                    self._apply(pending, end)
            due = [vm for vm in self._soft_deleted if vm.protection.purge_at is not None
                   and vm.protection.purge_at <= now]
            for vm in due:
                self._soft_deleted.remove(vm)
                _remove(vm)

    def _apply(self, pending: PendingChange, end: datetime) -> None:
        vm, protection = pending.vm, pending.vm.protection
        if pending.change == "delete":
            self._file_recoveries.close_all(vm, end)
            security = vm.vault.security
            if not security.soft_delete:
                _remove(vm)
                return
            protection.state = "ProtectionStopped"
            protection.soft_deleted_at = end
            protection.purge_at = end + timedelta(days=security.soft_delete_days)
            self._soft_deleted.append(vm)
        elif pending.change == "undelete":
            protection.state = "ProtectionStopped"
            protection.soft_deleted_at = protection.purge_at = None
            if vm in self._soft_deleted:
                self._soft_deleted.remove(vm)
        else:
            protection.state = "ProtectionStopped" if pending.change == "stop" else "Protected"


def _remove(vm: ProtectedVM) -> None:
    """The item and its recovery points are gone from the vault."""
    vm.vault.items.pop((vm.resource_group.lower(), vm.name.lower()), None)
