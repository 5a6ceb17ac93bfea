"""What one operation writes to the journal, and when: before its POST, after it, once its job is known, at its end.

:func:`~restorekit.restore.run.trigger.trigger` makes a :class:`JournalEntry` for every restore (primary and
cross-region): the ``submitted`` event is on disk before anything reaches the service, ``posted`` once the POST's
answer (or its loss) is known, and a refusal is written as ``NotStarted``. :meth:`JournalEntry.follow` then listens
to the operation: a ``job`` event when the job id is known (with the operation URL, redacted), a ``final`` event
with the final state, or ``detached`` when polling gave up before the end. Every event carries the operation's
continuation token as it was then: ``rk.resume`` rebuilds the operation from the latest one and follows it with
the same entry again.

A journal that cannot be written (a read-only home, a full disk) never stops a restore: it is said once, at
WARNING, on the ``restorekit.restore.journal.entry`` logger.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ...core.errors import ArmError, OperationFailed, RestoreNotStarted
from ...core.redaction import redact_text, redact_url
from ...core.times import format_moment
from ..run import continuation
from ..run.cross_region import CROSS_REGION
from ..run.state import FINAL_PHASES, UNANSWERED

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import Json, JsonObject
    from ..request.builders import RestoreRequestBuilder
    from ..run.operation import RestoreOperation
    from ..run.routes import RestoreRoute
    from .store import Journal, Record

log = logging.getLogger(__name__)

#: What a resumed entry copies of its record (the rest is the new process's).
DESCRIPTION = ("who", "endpoint", "subscription", "vault", "vault_id", "vm", "item_id", "point", "point_time",
               "scenario", "recovery_type", "region")


def _now() -> str:
    return format_moment(datetime.now(UTC), "iso")


def _error_text(exc: BaseException) -> str:
    code = exc.code if isinstance(exc, ArmError | OperationFailed) else None
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return redact_text(f"{code}: {first}" if code and not first.startswith(str(code)) else first)[:400]


def describe(route: RestoreRoute, request: RestoreRequestBuilder) -> JsonObject:
    """The journal's fields of a restore about to be sent: where, what, from which point, by whom (no secret)."""
    item, point = route.item, request.point
    return {
        "who": route.connection.principal or "unknown",
        "endpoint": route.connection.endpoint,
        "subscription": route.connection.subscription_id,
        "vault": f"{item.vault_resource_group}/{item.vault_name}",
        "vault_id": item.vault_id,
        "vm": f"{item.vm_resource_group}/{item.vm_name}",
        "item_id": item.id,
        "point": point.name,
        "point_time": format_moment(point.time, "iso") if point.time is not None else None,
        "scenario": type(request).__name__,
        "recovery_type": request.recovery_type,
        "region": route.region,
    }


class JournalEntry:
    """The journal events of one operation (see the module doc); ``id`` links them, ``kind`` says what it is."""

    def __init__(self, journal: Journal, kind: str, fields: JsonObject, *, id: str | None = None) -> None:
        self.journal = journal
        self.kind = kind
        self.id = id or uuid.uuid4().hex
        self.fields: JsonObject = {**fields, "host": socket.gethostname(), "pid": os.getpid()}
        self._written: set[str] = set()
        self._lock = threading.Lock()
        self._warned = False

    @classmethod
    def for_restore(cls, route: RestoreRoute, request: RestoreRequestBuilder) -> JournalEntry:
        """A new entry, in the route's connection's journal, for ``request`` sent through ``route``."""
        return cls(route.connection.journal, route.kind_label, describe(route, request))

    @classmethod
    def resumed(cls, record: Record, journal: Journal) -> JournalEntry:
        """The entry of a journaled operation followed again (``rk.resume``): same id, kind and description."""
        entry = cls(journal, record.kind, {key: record.get(key) for key in DESCRIPTION}, id=record.id)
        if record.job_id:
            entry._written.add("job")
        return entry

    def write(self, event: str, **fields: Json) -> None:
        """Append one event (never raises: a journal that cannot be written is reported once)."""
        line: JsonObject = {"event": event, "id": self.id, "kind": self.kind, "at": _now(), **self.fields, **fields}
        try:
            self.journal.append(line)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("could not write the restore journal %s (%s); the restore goes on, but a new kernel will "
                            "not find it with rk.recent_restores(): connect with journal= a writable file",
                            self.journal.path, exc)

    def submitted(self, op: RestoreOperation) -> None:
        """Before the POST: what is sent, and the token that finds its job should the process stop now."""
        self.write("submitted", state="Submitted", token=op.continuation_token())

    def posted(self, op: RestoreOperation) -> None:
        """The POST's answer (or its loss) is known: the token now follows its operation."""
        self.write("posted", state="Submitted", token=op.continuation_token())

    def refused(self, exc: BaseException) -> None:
        """The service refused the POST (or it could not be sent): nothing runs."""
        self.write("final", state="NotStarted", error=_error_text(exc))

    def follow(self, op: RestoreOperation) -> RestoreOperation:
        """Journal ``op``'s job id and end as they become known; returns ``op`` (its ``journal_id`` set)."""
        op.journal_id = self.id
        op.add_listener(self.observe)
        self.observe(op)
        return op

    def observe(self, op: RestoreOperation) -> None:
        """Journal what ``op`` has learnt since (its job id, its end), once each; what :meth:`follow`'s listener runs
        after every step, and what a caller runs to be sure it is on disk before going on."""
        with self._lock:
            if op.job_id and "job" not in self._written:
                self._written.add("job")
                url = op.operation_url
                self.write("job", state="InProgress", job_id=op.job_id, operation_url=redact_url(url) if url else None,
                           token=op.continuation_token())
            if op.phase not in FINAL_PHASES or "final" in self._written:
                return
            job = op.current_job
            error = op.error
            if job is not None and job.done:
                state = job.status
            elif op.phase == "cancelled":
                state = "Cancelled"
            elif isinstance(error, RestoreNotStarted):
                state = "NotStarted"
            elif isinstance(error, OperationFailed) and not op.job_id:
                state = "Failed"  # the operation failed before making a job
            else:  # polling gave up: the restore may still run
                if "detached" not in self._written:
                    self._written.add("detached")
                    self.write("detached", state="Detached", job_id=op.job_id,
                               error=_error_text(error) if error else None, token=op.continuation_token())
                return
            self._written.add("final")
            self.write("final", state=state, job_id=op.job_id or (job.id if job else None),
                       error=_error_text(error) if error is not None else None, token=op.continuation_token())

    def __repr__(self) -> str:
        return f"<journal entry {self.id} of VM {self.fields.get('vm')}>"


def continuation_of(record: Record, *, job_id: str | None = None) -> str:
    """The continuation token that rebuilds a journaled restore: its latest token, or, for a record of the journal's
    first format (no token), one made from what it says. ``job_id`` names a job found since (it is followed)."""
    if record.token is not None:
        data = continuation.decode(record.token)
    else:
        kind, region = record.kind, record.get("region")
        route: JsonObject = {"kind": kind, "item": record.get("item_id"), "vault_location": None}
        if kind == CROSS_REGION:
            route["secondary_region"] = region
        else:
            route["vault_location"] = region
        point = {"name": record.get("point"), "time": record.get("point_time")} if record.get("point") else None
        data = {"kind": kind, "route": route, "endpoint": record.get("endpoint"),
                "subscription": record.get("subscription"), "point": point, "posted_at": record.submitted,
                "operation": None, "job_id": record.job_id, "before": None,
                "lost_answer": None if record.job_id else UNANSWERED}
    if job_id is not None:
        data.update({"job_id": job_id, "operation": None, "lost_answer": None})
    data.pop("v", None)
    return continuation.encode(data)
