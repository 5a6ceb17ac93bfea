"""What an accepted restore will do: the plan the restore validation builds and the restore's outcome applies."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..estate.resources import StorageAccount, VirtualNetwork
from ..estate.vaults import RecoveryPoint


@dataclass
class RestorePlan:
    """What an accepted restore will do (built as the rules pass; complete when none failed)."""

    recovery_type: str
    point: RecoveryPoint
    storage_account: StorageAccount | None
    region: str
    target_vm: str | None = None
    target_resource_group: str | None = None
    luns: list[int] = field(default_factory=list)
    #: True when ``restoreDiskLunList`` was given: the OS disk and those LUNs are restored ([]: the OS disk only).
    selective: bool = False
    rehydrate: bool = False
    zones: list[str] = field(default_factory=list)
    network: VirtualNetwork | None = None
    subnet: str | None = None
    disk_encryption_set_id: str | None = None
    restore_with_managed_disks: bool = False


def restored_luns(plan: RestorePlan) -> list[int]:
    """The LUNs a restore recreates: every backed-up disk, or the OS disk and the listed ones (as Azure does)."""
    if plan.selective:
        return sorted({-1, *plan.luns})
    return list(plan.point.included_luns)
