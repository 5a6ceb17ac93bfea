"""The journal: a small local file of every operation restorekit started, written before it is sent.

A kernel that dies in the middle of a restore loses the operation object, not the restore: the journal says what
was sent, where, by whom, which job it became and, in its **continuation token**, everything that rebuilds it, so a
new kernel lists it (``rk.recent_restores()``) and follows it again (``rk.resume``: read the token, rebuild).

**Where**: the file the connection was given (``rk.connect(journal=path)``; by default ``RESTOREKIT_JOURNAL``, else
``journal.jsonl`` in the user data folder: ``client.connection.journal_location``).

**Format**: JSON Lines, append-only, one event per line. Every operation has an ``id`` and a ``kind`` (``restore``
and ``cross-region restore`` today; later flows such as file recovery journal kinds of their own) and a few events
(:mod:`restorekit.restore.journal.entry` writes them): ``submitted`` (before the POST), ``posted`` (the POST's
answer, or its loss, is known), ``job`` (the job id is known), ``final`` (the final state is known) and
``detached`` (polling stopped before the end, the operation may still run). Each carries the operation's
continuation token as it was then. Each line is written with one ``write`` under an exclusive lock
(``fcntl.flock`` where the platform has it) and synced, so concurrent appends do not interleave; a line torn by a
crash is skipped by readers, and the next append starts on a new line. No token of access and no secret is ever
written: who acted is the principal named in the bearer token's claims, URLs are redacted, continuation tokens hold
none. Lines of the first format (``v`` 1: ``restore_id``, no token) are read too.

:class:`Record` is one operation, its events folded; :func:`restores_frame` shows the restores as a DataFrame.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...core.ids import name_of
from ...core.times import parse_time
from ...data.readable import for_people

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ...core.json_values import Json, JsonObject

try:  # POSIX: an advisory lock orders appends from several processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: each line is still one O_APPEND write
    fcntl = None  # type: ignore[assignment]

#: The format of the lines (``v`` of each event).
VERSION = 2
#: The kinds of operation that are restores (what ``rk.recent_restores()`` lists).
RESTORE_KINDS = frozenset({"restore", "cross-region restore"})
#: States after which an operation does not change any more.
FINAL_STATES = frozenset({"Completed", "CompletedWithWarnings", "Failed", "Cancelled", "NotStarted"})
#: Columns of :func:`restores_frame`, in order.
COLUMNS = ("submitted", "state", "vm", "kind", "scenario", "point", "point_time", "job_id", "vault", "region",
           "who", "updated", "error", "endpoint", "subscription", "operation_url", "restore_id", "host", "pid")


@dataclass(frozen=True)
class Record:
    """One operation of the journal: its events folded in order (later values win), read only.

    ``fields`` holds what its events said (``who``, ``vm``, ``point``, ``state``, ``job_id``, ``error``, ``token``…);
    ``submitted`` is the first event's time and ``updated`` the last's.
    """

    id: str
    kind: str
    fields: Mapping[str, Json]
    submitted: str | None
    updated: str | None

    def get(self, key: str) -> Json:
        """A field (``restore_id`` is the operation's id; None when absent)."""
        if key == "restore_id":
            return self.id
        if key in ("submitted", "updated"):
            return getattr(self, key)
        return self.fields.get(key)

    @property
    def state(self) -> str | None:
        """The last state the journal heard of."""
        state = self.fields.get("state")
        return state if isinstance(state, str) else None

    @property
    def job_id(self) -> str | None:
        """The operation's job id, once journaled."""
        job = self.fields.get("job_id")
        return str(job) if job else None

    @property
    def token(self) -> str | None:
        """The latest continuation token: what rebuilds the operation (None in lines of the first format)."""
        token = self.fields.get("token")
        return token if isinstance(token, str) else None

    def matches(self, key: str) -> bool:
        """True when ``key`` is this operation's id or its job id (or a job's ARM ID)."""
        key = name_of(str(key)).lower()
        return key in (self.id.lower(), (self.job_id or "").lower())


_process_lock = threading.Lock()


class Journal:
    """The journal file at ``path`` (created on the first append)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def append(self, event: JsonObject) -> None:
        """Append one event as one line (locked, synced; a torn last line is closed first)."""
        data = (json.dumps({"v": VERSION, **event}, separators=(",", ":"), ensure_ascii=False, default=str)
                + "\n").encode()
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        with _process_lock:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                if os.fstat(fd).st_size and _last_byte(path) != b"\n":
                    data = b"\n" + data  # the last line was torn (a crash mid-write): start a new one
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)  # closing releases the lock

    def events(self) -> list[JsonObject]:
        """Every event that can be read, oldest first; lines that do not parse (a torn line) are skipped."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        events = []
        for line in raw.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and (event.get("id") or event.get("restore_id")):
                events.append(event)
        return events

    def records(self, kinds: Iterable[str] | None = None) -> list[Record]:
        """One record per operation (of ``kinds``, when given): its events folded, newest first."""
        wanted = None if kinds is None else set(kinds)
        return [r for r in fold(self.events()) if wanted is None or r.kind in wanted]

    def restores(self) -> list[Record]:
        """The restores (primary and cross-region), newest first."""
        return self.records(RESTORE_KINDS)

    def find(self, key: str, kinds: Iterable[str] = RESTORE_KINDS) -> Record | None:
        """The operation whose id or job id is ``key`` (the newest when several), or None."""
        return next((record for record in self.records(kinds) if record.matches(key)), None)

    def __repr__(self) -> str:
        return f"<journal {self.path}>"


def _last_byte(path: Path) -> bytes:
    """The file's last byte (read apart: ``os.pread`` is not everywhere)."""
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1)


def fold(events: Iterable[JsonObject]) -> list[Record]:
    """Fold events into one :class:`Record` per operation id: ``submitted`` is the first event's time, ``updated``
    the last's, every other field the last value given (a final state is never replaced by a later, non-final one,
    nor its token: two kernels may follow the same restore); newest operation first."""
    folded: dict[str, JsonObject] = {}
    times: dict[str, tuple[Json, Json, int]] = {}
    for n, event in enumerate(events):
        oid = str(event.get("id") or event.get("restore_id"))
        fields = folded.setdefault(oid, {})
        first = times.get(oid, (event.get("at"), None, n))
        times[oid] = (first[0], event.get("at"), first[2])
        settled = fields.get("state") in FINAL_STATES
        for key, value in event.items():
            if value is not None and key not in ("at", "v", "id", "restore_id") and not (
                    settled and key in ("state", "event", "token")):
                fields[key] = value
    records = [Record(oid, str(fields.get("kind") or "restore"), fields, _text(times[oid][0]), _text(times[oid][1]))
               for oid, fields in folded.items()]
    return sorted(records, key=lambda r: (r.submitted or "", times[r.id][2]), reverse=True)


def _text(value: Json) -> str | None:
    return value if isinstance(value, str) else None


def restores_frame(journal: Journal, limit: int | None = None) -> pd.DataFrame:
    """The restores restorekit triggered from this machine, one row each, latest known state, newest first.

    Read from the journal only (nothing is asked of Azure): ``state`` is the last state restorekit saw.
    Columns: ``submitted`` and ``updated`` (tz-aware UTC: when it was sent, when the journal last heard of it),
    ``state`` (Submitted, InProgress, Completed, CompletedWithWarnings, Failed, Cancelled, NotStarted, or
    Detached when polling stopped before the end), ``vm`` and ``vault`` (``resource group/name``), ``kind``
    (restore or cross-region restore), ``scenario`` (RestoreDisks, ReplaceDisks, RestoreAsNewVM), ``point`` and
    ``point_time``, ``job_id``, ``region``, ``who`` (the principal of the token, never the token), ``error``
    (code and first line), ``endpoint``, ``subscription``, ``operation_url`` (redacted), ``restore_id`` (the
    journal's id of it), ``host`` and ``pid`` (the kernel that sent it). ``limit`` keeps the newest rows only. Re-attach to a row
    with ``rk.resume(row)`` or ``rk.resume(job_id)``.
    """
    import pandas as pd

    records = journal.restores()
    if limit is not None:
        records = records[:limit]
    frame = pd.DataFrame([{column: record.get(column) for column in COLUMNS} for record in records],
                         columns=list(COLUMNS))
    for column in ("submitted", "updated", "point_time"):
        frame[column] = pd.to_datetime(frame[column].map(lambda v: parse_time(v) if isinstance(v, str) else None),
                                       utc=True)
    for column in ("state", "kind", "scenario"):
        frame[column] = frame[column].astype("category")
    frame["pid"] = pd.to_numeric(frame["pid"], errors="coerce").astype("Int64")
    frame.attrs["journal"] = str(journal.path)
    return for_people(frame)
