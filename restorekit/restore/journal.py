"""The restore journal: a small local file of every restore restorekit triggered, written before it is sent.

A kernel that dies in the middle of a restore loses the operation object, not the restore: the journal says what
was sent, where, by whom and which job it became, so a new kernel lists it (:func:`recent_restores`) and follows
it again (``rk.resume``).

**Where**: ``platformdirs.user_data_dir("restorekit")/journal.jsonl``, or the file ``RESTOREKIT_JOURNAL`` names
(the test suite and ``restorekit demo`` point it elsewhere).

**Format**: JSON Lines, append-only, one event per line. Every restore has a ``restore_id`` and up to four kinds
of events (:mod:`restorekit.restore.journal_entry` writes them): ``submitted`` (before the POST), ``job`` (the
job id is known), ``final`` (the final state is known) and ``detached`` (polling stopped before the end, the
restore may still run). Each line is written with one ``write`` under an exclusive lock (``fcntl.flock`` where
the platform has it) and synced, so concurrent appends do not interleave; a line torn by a crash is skipped by
readers, and the next append starts on a new line. No token and no secret is ever written: who acted is the
principal named in the token's claims, URLs are redacted.

>>> rk.recent_restores()          # one row per restore, latest state, newest first
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.times import parse_time

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

try:  # POSIX: an advisory lock orders appends from several processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: each line is still one O_APPEND write
    fcntl = None  # type: ignore[assignment]

#: The environment variable that moves the journal (a file path).
JOURNAL_ENV = "RESTOREKIT_JOURNAL"
#: The journal's file name in the user data folder.
FILE_NAME = "journal.jsonl"
#: The format of the lines (``v`` of each event).
VERSION = 1
#: States after which a restore does not change any more.
FINAL_STATES = frozenset({"Completed", "CompletedWithWarnings", "Failed", "Cancelled", "NotStarted"})
#: Columns of :func:`recent_restores`, in order.
COLUMNS = ("submitted", "state", "vm", "kind", "scenario", "point", "point_time", "job_id", "vault", "region",
           "who", "updated", "error", "endpoint", "subscription", "operation_url", "restore_id", "host", "pid")

_process_lock = threading.Lock()


def journal_path() -> Path:
    """Where the journal is: ``RESTOREKIT_JOURNAL``, else ``journal.jsonl`` in the user data folder."""
    override = os.environ.get(JOURNAL_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("restorekit")) / FILE_NAME


class Journal:
    """The journal file (``path`` defaults to :func:`journal_path`, read when the journal is used).

    Its events are keyed by :attr:`KEY` (``restore_id``); a journal of other records (file recovery sessions)
    subclasses it with another key and file.
    """

    #: The field that names the record an event belongs to (events without it are not this journal's).
    KEY = "restore_id"

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._path = Path(path) if path is not None else None

    @property
    def path(self) -> Path:
        """The file."""
        return self._path if self._path is not None else journal_path()

    def append(self, event: dict[str, Any]) -> None:
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

    def events(self) -> list[dict[str, Any]]:
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
            if isinstance(event, dict) and event.get(self.KEY):
                events.append(event)
        return events

    def restores(self) -> list[dict[str, Any]]:
        """One record per restore: its events folded in order (later values win), newest first."""
        return fold(self.events())

    def find(self, key: str) -> dict[str, Any] | None:
        """The restore whose job id or restore id is ``key`` (the newest when several), or None."""
        key = str(key).strip().rsplit("/", 1)[-1].lower()
        for record in self.restores():
            if key in (str(record.get("job_id") or "").lower(), str(record.get("restore_id") or "").lower()):
                return record
        return None

    def __repr__(self) -> str:
        return f"<restore journal {self.path}>"


def _last_byte(path: Path) -> bytes:
    """The file's last byte (read apart: ``os.pread`` is not everywhere)."""
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1)


def fold(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold events into one record per ``restore_id``: ``submitted`` is the first event's time, ``updated`` the
    last's, every other field the last value given (a final state is never replaced by a later, non-final one:
    two kernels may follow the same restore); newest restore first."""
    records: dict[str, dict[str, Any]] = {}
    order: dict[str, int] = {}
    for n, event in enumerate(events):
        rid = str(event["restore_id"])
        record = records.get(rid)
        if record is None:
            record = records[rid] = {"submitted": event.get("at")}
        order[rid] = n if rid not in order else order[rid]
        settled = record.get("state") in FINAL_STATES
        for key, value in event.items():
            if value is not None and key not in ("at", "v") and not (settled and key in ("state", "event")):
                record[key] = value
        record["updated"] = event.get("at")
    return sorted(records.values(), key=lambda r: (str(r.get("submitted") or ""), order[str(r["restore_id"])]),
                  reverse=True)


def recent_restores(limit: int | None = None, *, journal: Journal | None = None) -> pd.DataFrame:
    """The restores restorekit triggered from this machine, one row each, latest known state, newest first.

    Read from the journal only (nothing is asked of Azure): ``state`` is the last state restorekit saw.
    Columns: ``submitted`` and ``updated`` (tz-aware UTC: when it was sent, when the journal last heard of it),
    ``state`` (Submitted, InProgress, Completed, CompletedWithWarnings, Failed, Cancelled, NotStarted, or
    Detached when polling stopped before the end), ``vm`` and ``vault`` (``resource group/name``), ``kind``
    (restore or cross-region restore), ``scenario`` (RestoreDisks, ReplaceDisks, RestoreAsNewVM), ``point`` and
    ``point_time``, ``job_id``, ``region``, ``who`` (the principal of the token, never the token), ``error``
    (code and first line), ``endpoint``, ``subscription``, ``operation_url`` (redacted), ``restore_id``,
    ``host`` and ``pid`` (the kernel that sent it). ``limit`` keeps the newest rows only. Re-attach to a row
    with ``rk.resume(row)`` or ``rk.resume(job_id)``.
    """
    import pandas as pd

    records = (journal or Journal()).restores()
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
    frame.attrs["journal"] = str((journal or Journal()).path)
    return frame
