"""The journal of file recovery sessions: written before a session is provisioned, so none is forgotten open.

A JSON Lines file beside the restore journal (``file_recoveries.jsonl``), written like it (one locked, synced line
per event, no secret: never the password, never a token). Every session has a ``session_id`` and up to three
kinds of events: ``provisioning`` (before the POST: where, which VM and point, who), ``open`` (the session is
mounted: its operation, expiry, script file) and ``closed`` (revoked, or refused by the service: nothing opened).
A session without ``closed`` may still be open: :func:`unclosed` lists them (``az.open_file_recoveries()``), from
any kernel, so one left open by a kernel that died is found and revoked later.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...core.times import format_moment, parse_time
from ..journal import Journal, journal_path

FILE_NAME = "file_recoveries.jsonl"


class FileRecoveryJournal(Journal):
    """The file recovery sessions' journal (``path`` defaults to ``file_recoveries.jsonl`` beside the restores')."""

    KEY = "session_id"

    @property
    def path(self) -> Path:
        """The file."""
        return self._path if self._path is not None else journal_path().with_name(FILE_NAME)

    @property
    def scripts_folder(self) -> Path:
        """Where sessions' scripts are saved by default: ``file-recovery/`` beside the journal."""
        return self.path.parent / "file-recovery"

    def sessions(self) -> list[dict[str, Any]]:
        """One record per session, its events folded in order (later values win), newest first."""
        records: dict[str, dict[str, Any]] = {}
        for event in self.events():
            record = records.setdefault(str(event[self.KEY]), {"started": event.get("at")})
            record.update({k: v for k, v in event.items() if v is not None and k not in ("at", "v")})
            record["updated"] = event.get("at")
        return sorted(records.values(), key=lambda r: str(r.get("started") or ""), reverse=True)

    def begin(self, **fields: Any) -> str:
        """Write a session's ``provisioning`` event (before anything is sent); returns its ``session_id``."""
        session_id = str(uuid.uuid4())
        self.note(session_id, "provisioning", host=socket.gethostname(), pid=os.getpid(), **fields)
        return session_id

    def note(self, session_id: str, event: str, **fields: Any) -> None:
        """Append one event of session ``session_id``."""
        self.append({self.KEY: session_id, "event": event, "at": format_moment(datetime.now(UTC), "iso"), **fields})

    def __repr__(self) -> str:
        return f"<file recovery journal {self.path}>"


def unclosed(journal: FileRecoveryJournal, *, endpoint: str | None = None, now: datetime | None = None,
             include_expired: bool = False) -> list[dict[str, Any]]:
    """The sessions never closed (newest first): at ``endpoint`` when given, not yet expired by ``now`` unless
    ``include_expired`` (a session whose provisioning never finished has no expiry and is always listed)."""
    now = now or datetime.now(UTC)
    out = []
    for record in journal.sessions():
        if record.get("event") == "closed":
            continue
        if endpoint is not None and str(record.get("endpoint") or "").rstrip("/") != endpoint.rstrip("/"):
            continue
        expires = parse_time(record["expires_at"]) if record.get("expires_at") else None
        if expires is not None and expires <= now and not include_expired:
            continue
        out.append(record)
    return out
