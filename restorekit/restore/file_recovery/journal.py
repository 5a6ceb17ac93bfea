"""File recovery sessions in the connection's journal: written before a session is provisioned, so none is forgotten.

Sessions are operations of their own kind (``file recovery``) in the journal restores go to
(:mod:`restorekit.restore.journal.store`, one locked, synced line per event, no secret: never the password, never a
token). A session has an ``id`` and up to three events: ``provisioning`` (before the POST: where, which VM and point,
who), ``open`` (the session is mounted: its operation, expiry, script file) and ``closed`` (revoked, or refused or
failed: nothing opened). A session without ``closed`` may still be open: :func:`unclosed` lists them
(``az.open_file_recoveries()``), from any kernel, so one left open by a kernel that died is found and revoked later.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ...core.times import format_moment, parse_time

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import Json
    from ..journal.store import Journal, Record

#: The journal's kind of these operations.
KIND = "file recovery"
#: The states of a session that is over.
CLOSED = frozenset({"Revoked", "Refused", "Failed"})


def scripts_folder(journal: Journal) -> Path:
    """Where sessions' scripts are saved by default: ``file-recovery/`` beside the journal."""
    return journal.path.parent / "file-recovery"


def begin(journal: Journal, **fields: Json) -> str:
    """Write a session's ``provisioning`` event (before anything is sent); returns its id."""
    session_id = str(uuid.uuid4())
    note(journal, session_id, "provisioning", state="Provisioning", host=socket.gethostname(), pid=os.getpid(),
         **fields)
    return session_id


def note(journal: Journal, session_id: str, event: str, **fields: Json) -> None:
    """Append one event of session ``session_id``."""
    journal.append({"id": session_id, "kind": KIND, "event": event,
                    "at": format_moment(datetime.now(UTC), "iso"), **fields})


def unclosed(journal: Journal, *, endpoint: str | None = None, now: datetime | None = None,
             include_expired: bool = False) -> list[Record]:
    """The sessions never closed (newest first): at ``endpoint`` when given, not yet expired by ``now`` unless
    ``include_expired`` (a session whose provisioning never finished has no expiry and is always listed)."""
    now = now or datetime.now(UTC)
    out = []
    for record in journal.records([KIND]):
        if record.state in CLOSED:
            continue
        if endpoint is not None and str(record.get("endpoint") or "").rstrip("/") != endpoint.rstrip("/"):
            continue
        expires = parse_time(record.get("expires_at")) if record.get("expires_at") else None
        if expires is not None and expires <= now and not include_expired:
            continue
        out.append(record)
    return out
