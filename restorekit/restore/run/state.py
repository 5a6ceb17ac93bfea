"""A restore in flight as a steppable state: the POST's operation, then the job it created (azure-core's polling
method, apart from the poller that runs it and the views that show it).

:class:`RestoreState` knows where the restore is (``phase``: ``submitted`` → ``operation`` → ``job`` → ``done`` /
``failed`` / ``cancelled``), moves one request at a time (:meth:`~RestoreState.step`: an operation poll, a job
lookup or a job read) and says how long to wait before the next. It never raises from ``step()``: an error
polling cannot get past ends it in phase ``failed`` (:attr:`~RestoreState.error`).

Its :meth:`~RestoreState.continuation_token` is a string that rebuilds it anywhere, mid-flight
(:meth:`RestoreState.from_continuation`, through ``rk.RestoreOperation.from_continuation_token``); the journal keeps
it, and ``rk.resume()`` is: read the token, rebuild.

Where the restore was sent and how its job is read is its :class:`~restorekit.restore.run.routes.RestoreRoute`,
the same for a restore in the vault's region and a cross-region restore.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ...core.errors import ArmError, TransportError
from ...core.redaction import redact_url
from ...core.times import format_moment, parse_time
from ...model.job_polling import JobPolling
from ...model.outcome import Snapshot
from ...model.points import PointRef
from ...transport import polling as lro
from . import continuation
from .lost_answer import LostAnswerLookup

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import JsonObject
    from ...core.protocols import ArmAnswer
    from ...model.jobs import Job
    from .routes import RestoreRoute

#: Phases of a restore.
PHASES = ("submitted", "operation", "job", "done", "failed", "cancelled")
#: Final phases.
FINAL_PHASES = frozenset({"done", "failed", "cancelled"})
#: What a rebuilt restore whose POST answer was never journaled says (it looks for its job).
UNANSWERED = "its POST's answer was never journaled: the process that sent it stopped first"


class RestoreState:
    """Where one restore is, and the next request that moves it (see the module doc).

    ``point`` is the restored point (name and time: what finds its job when the POST's answer is lost);
    ``posted_at`` when the POST was sent (this machine's clock); ``before`` what the restore may change, read before
    it was sent (for its outcome). ``poll_interval`` overrides the service's ``Retry-After``; ``clock`` is injectable.
    """

    def __init__(self, route: RestoreRoute, *, point: PointRef | None = None, job_id: str | None = None,
                 job: Job | None = None, posted_at: datetime | None = None, before: Snapshot | None = None,
                 poll_interval: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.route = route
        self.point = point
        self.posted_at = posted_at
        self.before = before
        self.poll_interval = poll_interval
        self.clock = clock
        self.started = clock()
        self.finished: float | None = None
        self.job_id = job_id
        #: The job as last read (None until the operation names it).
        self.job: Job | None = None
        self.error: BaseException | None = None
        self.phase = "job" if job_id else "submitted"
        #: True once the POST's answer (or its loss) is known.
        self.answered = job_id is not None
        self.lost_answer: str | None = None
        self.lro: lro.LongRunningOperation | None = None
        self.cancel_requested = False
        self.cancel_sent = False
        self.cancel_note: str | None = None
        self._lookup = LostAnswerLookup(route, point, posted_at, None)
        self._backoff = lro.Backoff()
        self._following: JobPolling | None = None
        self._preread = job is not None
        if job is not None:  # already read (following a job by id): go on from this read
            self.job = job
            self._following = JobPolling(job, self._job_interval())
            self._after_job_read(0.0)

    # -- the POST's answer -----------------------------------------------------------------------------------
    def accepted(self, response: ArmAnswer) -> None:
        """The POST was answered (202 and the operation's headers): follow its operation."""
        self.lro = lro.LongRunningOperation.from_response(self.route.session, response,
                                                          poll_interval=self.poll_interval, clock=self.clock,
                                                          strategies=self.route.polling_methods())
        self.answered = True

    def answer_lost(self, reason: str) -> None:
        """The POST got no usable answer (a timeout, a reset, a 5xx): look for the job it may have created."""
        self.lost_answer = self._lookup.lost_answer = reason
        self.answered = True

    # -- state ----------------------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """True once the restore reached done, failed or cancelled."""
        return self.phase in FINAL_PHASES

    @property
    def elapsed(self) -> timedelta:
        """Time since the POST (or since rebuilding it), up to the end."""
        end = self.finished if self.finished is not None else self.clock()
        return timedelta(seconds=max(0.0, end - self.started))

    @property
    def operation_url(self) -> str | None:
        """The URL the POST's operation is followed at (None without one, e.g. followed by job id)."""
        return self.lro.url if self.lro is not None else None

    @property
    def requests(self) -> int:
        """Status requests sent so far (operation polls + job reads)."""
        return (self.lro.polls if self.lro else 0) + (self.job.polls if self.job else 0)

    # -- moving ---------------------------------------------------------------------------------------------
    def first_delay(self) -> float:
        """The wait before the first step: what the POST's answer asked for, the job's next read, else none."""
        if self.job_id is None and self.lro is not None and self.lro.can_poll and not self.lro.done:
            return self.lro.interval
        if self._preread and self._following is not None:  # the job was just read: the next read waits its turn
            self._preread = False
            return self._following.interval()
        return 0.0

    def _job_interval(self) -> float:
        if self.poll_interval is not None:
            return self.poll_interval
        return self.lro.interval if self.lro is not None and self.lro.polls else lro.DEFAULT_INTERVAL

    def step(self) -> float:
        """Move by one request (operation poll, job lookup or job read); return the wait before the next.

        Never raises: an error that polling cannot get past ends the restore in phase ``failed`` (:attr:`error`).
        """
        try:
            return self._advance()
        except Exception as exc:  # noqa: BLE001 - reported through wait(), status lines, the widget, the journal
            self.error = exc
            self._finish("failed")
            return 0.0

    def _advance(self) -> float:
        if self.job_id is None:
            return self._follow_operation()
        if self.job is None or self._following is None:
            return self._fetch_job()
        delay = self._following.step()
        if self._following.backoff.failures:
            return delay  # the read failed: read again after the backoff
        return self._after_job_read(delay)

    def _follow_operation(self) -> float:
        operation = self.lro
        if operation is not None and operation.can_poll and not operation.done:
            self.phase = "operation"
            delay = operation.step()
            if not operation.done:
                return delay
            result = operation.result()  # raises OperationFailed with the service's error
            self.job_id = result.job_id
            if result.status == lro.CANCELED and not self.job_id:
                self._finish("cancelled")
                return 0.0
            if self.job_id is not None:
                self.phase = "job"
                return 0.0
        try:
            self.job_id = self._lookup.attempt()  # a lost answer, or an operation that did not name its job
        except (ArmError, TransportError) as exc:  # the lookup's own request failed: look again after a backoff
            return self._backoff.after_failure(exc)
        self._backoff.reset()
        if self.job_id is None:
            return self._job_interval()
        self.phase = "job"
        return 0.0

    def _fetch_job(self) -> float:
        self.phase = "job"
        try:
            self.job = self.route.job_class.fetch(self.route.jobs, str(self.job_id), poll_interval=self._job_interval())
        except (ArmError, TransportError) as exc:
            return self._backoff.after_failure(exc)
        self._backoff.reset()
        self._following = JobPolling(self.job, self._job_interval())
        return self._after_job_read(self._following.interval())

    def _after_job_read(self, delay: float) -> float:
        job = self.job
        assert job is not None
        if job.done:
            if job.status == "Failed":
                self.error = job.failure()
            self._finish({"Failed": "failed", "Cancelled": "cancelled"}.get(job.status, "done"))
            return 0.0
        if self.cancel_requested and not self.cancel_sent:
            self.cancel_sent = True
            job.cancel(wait=False)
        return delay

    def _finish(self, phase: str) -> None:
        self.phase = phase
        self.finished = self.clock()

    def stopped(self, error: BaseException) -> None:
        """Polling stopped before the end: the restore ends ``failed`` with ``error`` (it may still run)."""
        if not self.done:
            self.error = self.error or error
            self._finish("failed")

    def request_cancel(self) -> bool:
        """Ask for the job to be cancelled (once, as soon as it is known); False when the route cannot cancel
        (:attr:`cancel_note` says why)."""
        if not self.route.can_cancel:
            self.cancel_note = (f"cancellation is not available for {self.route.kind_label} (the API has no cancel "
                                f"operation); the job goes on in {self.route.region or 'its region'}")
            return False
        self.cancel_requested = True
        return True

    def restart(self) -> bool:
        """Make a restore whose polling gave up steppable again (from its job id when known); False when the
        service said it ended."""
        if self.phase == "failed" and self.job is not None and self.job.status == "Failed":
            return False
        self.error = None
        self.phase = "job" if self.job_id else ("operation" if self.lro else "submitted")
        self.finished = None
        self._backoff.reset()
        if self.lro is not None:
            self.lro.backoff.reset()
        return True

    # -- continuation -----------------------------------------------------------------------------------------
    def continuation(self) -> JsonObject:
        """What rebuilds this restore elsewhere (see :mod:`restorekit.restore.run.continuation`)."""
        point = self.point
        lost = self.lost_answer if self.answered else UNANSWERED
        operation = self.lro.continuation() if self.lro is not None and self.job_id is None else None
        if operation is not None:
            operation["headers"] = {k: redact_url(v) for k, v in operation["headers"].items()}  # type: ignore[union-attr]
        return {
            "kind": self.route.kind_label, "route": self.route.continuation(),
            "endpoint": self.route.connection.endpoint, "subscription": self.route.item.subscription_id,
            "point": None if point is None else {"name": point.name, "time": format_moment(point.time, "iso")
                                                 if point.time else None},
            "posted_at": format_moment(self.posted_at, "iso") if self.posted_at else None,
            "operation": operation, "job_id": self.job_id, "lost_answer": None if self.job_id else lost,
            "before": self.before.summary() if self.before is not None else None,
        }

    def continuation_token(self) -> str:
        """This restore as one string (no secret): ``rk.RestoreOperation.from_continuation_token(az, token)``."""
        return continuation.encode(self.continuation())

    @classmethod
    def from_continuation(cls, route: RestoreRoute, data: JsonObject, *, poll_interval: float | None = None,
                          clock: Callable[[], float] = time.monotonic) -> RestoreState:
        """The restore :meth:`continuation` described, followed through ``route`` (rebuilt from the same data)."""
        point = data.get("point")
        before = data.get("before")
        posted = parse_time(data.get("posted_at"))
        job_id = data.get("job_id")
        state = cls(route, point=PointRef(str(point.get("name")), parse_time(point.get("time")))
                    if isinstance(point, dict) else None, job_id=str(job_id) if job_id else None,
                    posted_at=posted or datetime.now(UTC),
                    before=Snapshot.from_summary(before) if isinstance(before, dict) else None,
                    poll_interval=poll_interval, clock=clock)
        operation = data.get("operation")
        if state.job_id is None and isinstance(operation, dict):
            state.lro = lro.LongRunningOperation.from_continuation(route.session, operation,
                                                                   poll_interval=poll_interval, clock=clock,
                                                                   strategies=route.polling_methods())
            state.answered = True
            state.phase = "operation"  # the POST was answered: its operation is being followed
        elif state.job_id is None:
            lost = data.get("lost_answer")
            state.answer_lost(str(lost) if lost else UNANSWERED)
        return state
