"""What the Backup service cannot mount for file recovery, refused before anything is sent.

A point only in the archive tier (rehydrate it with a restore instead), a backup of an encrypted VM (Azure does
not support file recovery from encrypted VM backups), a soft-deleted item (undelete it first), a point whose
VM's OS is not Windows or Linux.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.errors import FileRecoveryRefused

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import JsonObject
    from ...model.points import RecoveryPoint

#: The operating systems the service writes a script for.
SUPPORTED_OS = ("Windows", "Linux")


def check_mountable(point: RecoveryPoint, item_properties: JsonObject | None = None) -> None:
    """Raise :class:`~restorekit.core.errors.FileRecoveryRefused` naming why ``point`` cannot be mounted."""
    label = f"recovery point {point.name}"
    props = item_properties or {}
    if props.get("isScheduledForDeferredDelete"):
        raise FileRecoveryRefused(
            f"{label} belongs to a soft-deleted item: undelete it first (item.undelete()), then mount the point")
    if point.is_archived_only:
        raise FileRecoveryRefused(
            f"{label} is in the archive tier only: archived points cannot be mounted for file recovery. Choose a "
            "point in the snapshot or vault tier (points.latest(tier='vault')), or restore the disks with "
            "rehydration (rk.RestoreDisks(point, rehydration=...)) and copy the file from them")
    if point.encrypted:
        raise FileRecoveryRefused(
            f"{label} is a backup of an encrypted VM: Azure Backup does not support file recovery from encrypted VM "
            "backups. Restore the disks instead (rk.RestoreDisks) and attach them to a VM that can unlock them")
    os_type = point.os_type
    if os_type is not None and os_type not in SUPPORTED_OS:
        raise FileRecoveryRefused(f"{label} is of a {os_type} VM: file recovery scripts exist for Windows and "
                                  "Linux only")
