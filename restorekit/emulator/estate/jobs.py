"""Backup jobs and long-running operations, both driven by the emulator's clock.

A job's status is computed from the time elapsed since it started, so nothing runs in the
background: a job created with ``seconds=20`` reads ``InProgress`` with growing progress, then
``Completed`` (or ``Failed`` at a planned moment, or ``Cancelled`` after a cancel request).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

#: Failures a restore job may end with: (errorCode, code, title, message, recommendations).
RESTORE_FAILURES: tuple[tuple[int, str, str, str, tuple[str, ...]], ...] = (
    (320010, "UserErrorStorageAccountIsBlocked", "Restore failed: the storage account is not accessible",
     "The storage account selected for restore is blocked by its firewall or is in a locked state.",
     ("Allow trusted Microsoft services on the storage account firewall and retry the restore.",)),
    (320042, "UserErrorRestoreSubnetIsFull", "Restore failed: no free IP address in the subnet",
     "The subnet selected for the restored VM has no free IP address.",
     ("Select another subnet or free some addresses, then retry.",)),
    (320071, "UserErrorDiskQuotaExceeded", "Restore failed: disk quota exceeded",
     "The operation would exceed the managed disk quota of the target subscription in this region.",
     ("Request a quota increase or delete unused disks, then retry.",)),
    (320005, "UserErrorVmSizeNotAvailableInRegion", "Restore failed: VM size not available",
     "The size of the backed-up VM is not available in the target region or zone.",
     ("Restore the disks and create the VM with another size.",)),
    (130002, "InternalErrorTransferFailed", "Restore failed: internal error while transferring data",
     "Azure Backup hit an internal error while transferring data from the vault. Please retry.",
     ("Retry the operation after some time. If it fails again, contact Microsoft support.",)),
)

CANCEL_SECONDS = 1.0


@dataclass
class Job:
    """One job in a vault; status, progress and end time follow the clock."""

    id: str
    vault_key: tuple[str, str]
    vm_id: str
    vm_name: str
    container: str
    operation: str
    start: datetime
    seconds: float
    #: The property bag once the job completed; ``running_bag`` is what it shows before (None: the same).
    property_bag: dict[str, str | None] = field(default_factory=dict)
    tasks: tuple[str, ...] = ("Transfer data from vault",)
    failure: tuple[int, str, str, str, tuple[str, ...]] | None = None
    fail_fraction: float = 1.0
    cancelled_at: datetime | None = None
    running_bag: dict[str, str | None] | None = None
    #: ``extendedInfo.internalPropertyBag`` (``restoreLocationType`` of a restore).
    internal_bag: dict[str, str] = field(default_factory=dict)

    def ends_at(self) -> datetime:
        """When the job ends on its own (completion or planned failure)."""
        fraction = self.fail_fraction if self.failure else 1.0
        return self.start + timedelta(seconds=self.seconds * fraction)

    def state(self, now: datetime) -> tuple[str, float, datetime | None]:
        """``(status, progress 0..100, end time or None)`` at ``now``."""
        natural_end = self.ends_at()
        if self.cancelled_at is not None and self.cancelled_at < natural_end:
            done = self.cancelled_at + timedelta(seconds=min(CANCEL_SECONDS, self.seconds / 4))
            progress = self._progress(self.cancelled_at)
            return ("Cancelled", progress, done) if now >= done else ("Cancelling", progress, None)
        if now >= natural_end:
            if self.failure:
                return "Failed", self._progress(natural_end), natural_end
            return "Completed", 100.0, natural_end
        return "InProgress", self._progress(now), None

    def _progress(self, t: datetime) -> float:
        if self.seconds <= 0:
            return 100.0
        return max(0.0, min(99.0, 100.0 * (t - self.start).total_seconds() / self.seconds))

    def cancellable(self, now: datetime) -> bool:
        """True while the job runs and no cancel was asked."""
        return self.state(now)[0] == "InProgress"


@dataclass
class Operation:
    """A long-running operation (restore trigger, job cancel, CRR trigger, protection change, file recovery) with
    the job it creates, or the extended info it reports once succeeded (``details(api_version, base_url)``)."""

    id: str
    kind: str
    start: datetime
    seconds: float
    job_id: str | None = None
    error: dict[str, Any] | None = None
    scope: str = ""
    details: Callable[[str, str], dict[str, Any]] | None = None

    def status(self, now: datetime) -> str:
        """``InProgress``, ``Succeeded`` or ``Failed``."""
        if now < self.start + timedelta(seconds=self.seconds):
            return "InProgress"
        return "Failed" if self.error else "Succeeded"

    def end(self) -> datetime:
        """When the operation ends."""
        return self.start + timedelta(seconds=self.seconds)


def new_id() -> str:
    """A fresh GUID string."""
    return str(uuid.uuid4())
