"""What happened to a protected item since the seed: protection stopped, soft-deleted, backups blocked.

A :class:`BackupHistory <restorekit.emulator.estate.health.BackupHistory>` tells the seeded past; this tells
what requests changed while the emulator runs. ``providers.backup.shapes`` renders both on the protected
item and its points; ``state`` changes it when the jobs that change it complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ItemProtection:
    """A protected item's protection as requests changed it (all empty: as seeded)."""

    #: ``ProtectionStopped`` once protection was stopped (or the item undeleted); None: the seeded state.
    state: str | None = None
    #: When the item was soft-deleted (DELETE with its data, soft delete on), and when it will be purged.
    soft_deleted_at: datetime | None = None
    purge_at: datetime | None = None
    #: The recovery points with an open file recovery (ILR) session.
    open_file_recoveries: set[str] = field(default_factory=set)
    #: Scheduled backups that failed because a file recovery session was open, oldest first.
    blocked_backups: list[datetime] = field(default_factory=list)

    @property
    def soft_deleted(self) -> bool:
        """True while the item is soft-deleted (restorable only once undeleted)."""
        return self.soft_deleted_at is not None
