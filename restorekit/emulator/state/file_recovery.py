"""File recovery (item-level recovery, ILR) sessions: an iSCSI target over a recovery point, open for 12 hours.

``provisionInstantItemRecovery`` opens a session (or renews the open one) on a point; its operation hands over the
scripts that mount the point's disks; ``revokeInstantItemRecovery`` closes it, and so does the clock after
:data:`SESSION_HOURS`. While a session is open the point says ``isInstantIlrSessionActive`` and the VM's
scheduled backups fail: :meth:`FileRecoveries.settle` (called before every request is answered) records a
failed Backup job for each scheduled backup that fell while a session was open, and the protected item reports
the failure.
"""

from __future__ import annotations

import secrets
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..arm.ids import stable_guid
from ..estate.health import BACKUP_FAILURES, FILE_RECOVERY_BLOCKS_BACKUP
from ..estate.jobs import Job, new_id
from ..estate.vaults import ProtectedVM, backup_time

#: How long a session stays open unless revoked (Azure unmounts after 12 hours).
SESSION_HOURS = 12
#: The characters of a session's password (15 of them, as the Azure CLI reads them from the script's name).
PASSWORD_ALPHABET = string.ascii_letters + string.digits
PASSWORD_LENGTH = 15


@dataclass
class FileRecoverySession:
    """One session on one recovery point of one VM."""

    id: str
    vm: ProtectedVM
    point_name: str
    password: str
    started: datetime
    expires_at: datetime
    #: The secret part of the Windows executable's download URL (as a SAS would be).
    download_key: str
    revoked_at: datetime | None = None
    #: Every provision operation that opened or renewed it.
    operations: list[str] = field(default_factory=list)
    #: Scheduled backups up to this moment have been checked against the session (see ``settle``).
    checked_until: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        """True while the session is neither revoked nor expired."""
        return self.revoked_at is None and now < self.expires_at

    def end(self) -> datetime:
        """When the session closes (revoked, else expires)."""
        return min(self.revoked_at, self.expires_at) if self.revoked_at else self.expires_at

    @property
    def target(self) -> str:
        """The iSCSI target's qualified name."""
        return f"iqn.2016-01.microsoft.azure.backup:{self.id.replace('-', '')[:24]}"

    @property
    def portal(self) -> str:
        """The iSCSI target portal (address and port) the script connects to."""
        digest = int(self.id.replace("-", "")[:6], 16)
        return f"20.{40 + digest % 100}.{(digest >> 8) % 250}.{digest % 250 + 1}:3260"


class FileRecoveries:
    """Every session the emulator opened; thread-safe."""

    def __init__(self) -> None:
        self._sessions: dict[str, FileRecoverySession] = {}
        self._by_operation: dict[str, FileRecoverySession] = {}
        self._lock = threading.Lock()

    def open_session(self, vm: ProtectedVM, point_name: str, now: datetime) -> FileRecoverySession | None:
        """The open session on ``vm``'s point ``point_name``, if any."""
        with self._lock:
            return next((s for s in self._sessions.values() if s.vm is vm and s.point_name == point_name
                         and s.is_open(now)), None)

    def provision(self, vm: ProtectedVM, point_name: str, now: datetime, operation_id: str) -> FileRecoverySession:
        """Open a session on the point, or renew the open one (12 more hours); ``operation_id`` reports it."""
        session = self.open_session(vm, point_name, now)
        with self._lock:
            if session is None:
                password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
                session = FileRecoverySession(id=new_id(), vm=vm, point_name=point_name, password=password,
                                              started=now, expires_at=now + timedelta(hours=SESSION_HOURS),
                                              download_key=secrets.token_urlsafe(24))
                self._sessions[session.id] = session
            else:
                session.expires_at = now + timedelta(hours=SESSION_HOURS)
            session.operations.append(operation_id)
            self._by_operation[operation_id] = session
            vm.protection.open_file_recoveries.add(point_name)
        return session

    def revoke(self, vm: ProtectedVM, point_name: str, now: datetime) -> FileRecoverySession | None:
        """Close the open session on the point (None when there was none)."""
        session = self.open_session(vm, point_name, now)
        with self._lock:
            if session is not None:
                session.revoked_at = now
            vm.protection.open_file_recoveries.discard(point_name)
        return session

    def close_all(self, vm: ProtectedVM, now: datetime) -> None:
        """Close every open session of ``vm`` (its protection was deleted)."""
        with self._lock:
            for session in self._sessions.values():
                if session.vm is vm and session.is_open(now):
                    session.revoked_at = now
            vm.protection.open_file_recoveries.clear()

    def for_operation(self, operation_id: str) -> FileRecoverySession | None:
        """The session a provision operation opened or renewed."""
        with self._lock:
            return self._by_operation.get(operation_id.lower())

    def for_download(self, key: str) -> FileRecoverySession | None:
        """The session whose executable's download URL carries ``key``."""
        with self._lock:
            return next((s for s in self._sessions.values() if secrets.compare_digest(s.download_key, key)), None)

    def settle(self, now: datetime, jobs: dict[str, Job]) -> None:
        """Close expired sessions, and fail the scheduled backups that fell while a session was open.

        Each such backup becomes a failed Backup job (``FILE_RECOVERY_BLOCKS_BACKUP``) in ``jobs`` and is recorded
        on the VM's protection, once.
        """
        with self._lock:
            for session in self._sessions.values():
                until = min(now, session.end())
                since = session.checked_until or session.started
                if until <= since:
                    continue
                protection = session.vm.protection
                for moment in _scheduled_backups(session.vm, since, until):
                    if moment not in protection.blocked_backups:
                        protection.blocked_backups.append(moment)
                        protection.blocked_backups.sort()
                        job = _blocked_backup_job(session.vm, moment)
                        jobs[job.id] = job
                session.checked_until = until
                if not session.is_open(now):
                    protection.open_file_recoveries.discard(session.point_name)

    def open_sessions(self, now: datetime) -> list[FileRecoverySession]:
        """Every session open at ``now`` (what a test checks is empty once it is done)."""
        with self._lock:
            return [s for s in self._sessions.values() if s.is_open(now)]

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)


def _scheduled_backups(vm: ProtectedVM, since: datetime, until: datetime) -> list[datetime]:
    """The VM's scheduled backup moments in ``(since, until]``."""
    out = []
    day = since.date()
    while day <= until.date():
        moment = backup_time(vm, day)
        if since < moment <= until:
            out.append(moment)
        day += timedelta(days=1)
    return out


def _blocked_backup_job(vm: ProtectedVM, moment: datetime) -> Job:
    number, message, recommendations = BACKUP_FAILURES[FILE_RECOVERY_BLOCKS_BACKUP]
    failure = (number, FILE_RECOVERY_BLOCKS_BACKUP, "Backup failed", message, recommendations)
    return Job(id=stable_guid(vm.vm_id, moment.isoformat(), "file-recovery"), vault_key=vm.vault.key, vm_id=vm.vm_id,
               vm_name=vm.name, container=vm.container.split(";", 1)[1], operation="Backup",
               start=moment - timedelta(minutes=2), seconds=120, failure=failure, property_bag={"VM Name": vm.name},
               tasks=("Take Snapshot",))
