"""What one restore writes to the journal, and when: before its POST, once its job is known, at its end.

:func:`~restorekit.restore.run.trigger.trigger` makes a :class:`JournalEntry` for every restore (primary and
cross-region) and sends the POST through :meth:`JournalEntry.post`, so the ``submitted`` event is on disk
before anything reaches the service and a refusal is written as ``NotStarted``. :meth:`JournalEntry.follow`
then listens to the :class:`~restorekit.restore.run.operation.RestoreOperation`: a ``job`` event when the job id
is known (with the operation URL, redacted), a ``final`` event with the final state, or ``detached`` when
polling gave up before the end. ``rk.resume`` follows a journaled restore with the same entry again.

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
from typing import TYPE_CHECKING, Any

from ...core.errors import ArmError, OperationFailed, RestorekitError, RestoreNotStarted, TransportError
from ...core.redaction import redact_text, redact_url
from ...core.times import format_moment
from ..run.operation import FINAL_PHASES
from .store import Journal

if TYPE_CHECKING:  # pragma: no cover
    from ..run.operation import RestoreOperation
    from ..run.routes import RestoreRoute

log = logging.getLogger(__name__)


def _now() -> str:
    return format_moment(datetime.now(UTC), "iso")


def _error_text(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return redact_text(f"{code}: {first}" if code and not first.startswith(str(code)) else first)[:400]


def describe(route: RestoreRoute, request: Any) -> dict[str, Any]:
    """The journal's fields of a restore about to be sent: where, what, from which point, by whom (no secret)."""
    vault, item = route.vault, route.item
    connection = getattr(vault, "connection", None)
    arm = getattr(connection, "arm", None)
    identity = getattr(arm, "identity", None)
    point = getattr(request, "point", None)
    point_time = getattr(point, "time", None)
    return {
        "who": getattr(identity, "principal", None) or "unknown",
        "endpoint": getattr(arm, "endpoint", None),
        "subscription": getattr(connection, "subscription_id", None),
        "vault": f"{vault.resource_group}/{vault.name}",
        "vault_id": getattr(vault, "id", None),
        "vm": f"{item.vm_resource_group}/{item.vm_name}" if item is not None else None,
        "item_id": item.ref.id if item is not None else None,
        "point": getattr(point, "name", None),
        "point_time": format_moment(point_time, "iso") if point_time is not None else None,
        "scenario": type(request).__name__,
        "recovery_type": getattr(request, "recovery_type", None),
        "kind": route.kind_label,
        "region": route.region,
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


class JournalEntry:
    """The journal events of one restore (see the module doc); ``restore_id`` links them."""

    def __init__(self, fields: dict[str, Any], journal: Journal, *, restore_id: str | None = None,
                 route: RestoreRoute | None = None) -> None:
        self.restore_id = restore_id or uuid.uuid4().hex
        self.fields = dict(fields)
        self.journal = journal
        self.route = route
        self._written: set[str] = set()
        self._lock = threading.Lock()
        self._warned = False

    @classmethod
    def for_restore(cls, route: RestoreRoute, request: Any, journal: Journal) -> JournalEntry:
        """A new entry for ``request`` sent through ``route``."""
        return cls(describe(route, request), journal, route=route)

    @classmethod
    def resumed(cls, record: dict[str, Any], route: RestoreRoute | None, journal: Journal) -> JournalEntry:
        """The entry of a journaled restore followed again (``rk.resume``): same ``restore_id`` and fields."""
        fields = {key: record.get(key) for key in ("who", "endpoint", "subscription", "vault", "vault_id", "vm",
                                                    "item_id", "point", "point_time", "scenario", "recovery_type",
                                                    "kind", "region")}
        entry = cls({**fields, "host": socket.gethostname(), "pid": os.getpid()}, journal,
                    restore_id=record["restore_id"], route=route)
        if record.get("job_id"):
            entry._written.add("job")
        return entry

    def write(self, event: str, **fields: Any) -> None:
        """Append one event (never raises: a journal that cannot be written is reported once)."""
        record = {"event": event, "restore_id": self.restore_id, "at": _now(), **self.fields, **fields}
        try:
            self.journal.append(record)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("could not write the restore journal %s (%s); the restore goes on, but a new kernel "
                            "will not find it with rk.recent_restores(): connect with journal= a writable file",
                            self.journal.path, exc)

    def post(self, request: Any) -> Any:
        """Journal ``submitted``, then ``route.post(request)``; a refusal is journaled ``NotStarted`` and raised.

        A lost answer (no answer, a reset, a 5xx) is not a refusal: the operation looks for the job.
        """
        assert self.route is not None
        self.write("submitted", state="Submitted")
        try:
            return self.route.post(request)
        except TransportError:
            raise
        except ArmError as exc:
            if exc.status < 500:
                self.write("final", state="NotStarted", error=_error_text(exc))
            raise
        except RestorekitError as exc:
            self.write("final", state="NotStarted", error=_error_text(exc))
            raise

    def follow(self, op: RestoreOperation) -> RestoreOperation:
        """Journal ``op``'s job id and end as they become known; returns ``op``."""
        op.add_listener(self._observe)
        self._observe(op)
        return op

    def _observe(self, op: RestoreOperation) -> None:
        with self._lock:
            if op.job_id and "job" not in self._written:
                self._written.add("job")
                url = op.operation_url
                self.write("job", state="InProgress", job_id=op.job_id,
                           operation_url=redact_url(url) if url else None)
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
                               error=_error_text(error) if error else None)
                return
            self._written.add("final")
            self.write("final", state=state, job_id=op.job_id or (job.id if job else None),
                       error=_error_text(error) if error is not None else None)

    def __repr__(self) -> str:
        return f"<journal entry {self.restore_id} of VM {self.fields.get('vm')}>"
