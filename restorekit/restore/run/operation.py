"""A restore in flight: the POST's asynchronous operation, then the backup job it created, followed to its end.

>>> op = item.restore(rk.RestoreDisks(point, storage_account=...))   # POST once, returns at once
>>> op.phase                      # "submitted" → "operation" → "job" → "done" / "failed" / "cancelled"
>>> job = op.wait()               # the final Job, or OperationFailed quoting the service
>>> vault.restore_job(job_id).wait()   # re-attach after a kernel restart (rk.resume(job_id): from the journal)

:class:`RestoreOperation` is state only: :meth:`~RestoreOperation.step` moves it by one request (an operation
poll, a job lookup or a job read) and says how long to wait before the next. A
:class:`~restorekit.transport.driver.ThreadDriver` runs it in the background; views subscribe with
:meth:`~RestoreOperation.add_listener`: the live widget (:mod:`restorekit.widgets.progress`) or plain-text status
lines (:mod:`restorekit.restore.run.progress_text`). Where the restore was sent and how its job is read is the
operation's :class:`~restorekit.restore.run.routes.RestoreRoute`, the same for a restore in the vault's region and
a cross-region restore.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...core.errors import ArmError, OperationFailed, TransportError
from ...model.jobs import Job
from ...model.outcome import OutcomeUnknown, RestoreOutcome, Snapshot, compare, take_snapshot
from ...transport import polling as lro
from ...transport.driver import ThreadDriver
from . import progress_text
from .lost_answer import LostAnswerLookup
from .routes import PrimaryRoute

if TYPE_CHECKING:  # pragma: no cover
    from ...core.protocols import VaultLike
    from .routes import RestoreRoute

log = logging.getLogger(__name__)

#: Phases of a :class:`RestoreOperation`.
PHASES = ("submitted", "operation", "job", "done", "failed", "cancelled")
#: Final phases.
FINAL_PHASES = frozenset({"done", "failed", "cancelled"})


class RestoreOperation:
    """A restore in flight: the POST's asynchronous operation, then the backup job it created.

    ``phase`` goes ``submitted`` → ``operation`` → ``job`` → ``done`` / ``failed`` / ``cancelled``;
    ``job_id`` appears as soon as the asynchronous operation ends; ``job`` is a :class:`Job` from then on.
    Polling runs in one background thread, started by :meth:`start`, :meth:`wait`, ``await op`` or the
    notebook display. Listeners added with :meth:`add_listener` are called (from that thread) on each change.
    """

    def __init__(self, route: RestoreRoute, *, point: Any = None, initial: Any = None, job_id: str | None = None,
                 posted_at: datetime | None = None, lost_answer: str | None = None, request: Any = None,
                 poll_interval: float | None = None, sleep: Callable[[float], Any] | None = None,
                 clock: Callable[[], float] = time.monotonic, before: Snapshot | None = None) -> None:
        self.route = route
        #: The disks and VMs the restore may touch, read before it was sent (see :meth:`outcome`).
        self.before = before
        self._outcome: RestoreOutcome | None = None
        self.point = point
        self.request = request
        self.posted_at = posted_at
        self.lost_answer = lost_answer
        self.poll_interval = poll_interval
        self.clock = clock
        self.started = clock()
        self.finished: float | None = None
        self.job_id = job_id
        self._job: Job | None = None
        self.error: BaseException | None = None
        self.phase = "job" if job_id else "submitted"
        self.cancel_sent = False
        self.cancel_note: str | None = None
        self._cancel_requested = False
        self._lro = (lro.LongRunningOperation(route.session, initial.status, initial.headers, initial.body,
                                              poll_interval=poll_interval, clock=clock,
                                              strategies=route.polling_methods())
                     if initial is not None else None)
        self._lookup = LostAnswerLookup(route, point, posted_at, lost_answer)
        self._backoff = lro.Backoff()
        self._listeners: list[Callable[[RestoreOperation], Any]] = []
        self._done = threading.Event()
        self._changed = threading.Event()
        self._driver = ThreadDriver(self, first_delay=self._first_delay, sleep=sleep, on_update=self._notify,
                                    on_exit=self._exited, name=f"restorekit-restore-{id(self):x}")

    @classmethod
    def from_job_id(cls, vault: VaultLike, job_id: str, **kwargs: Any) -> RestoreOperation:
        """Re-attach to a restore by its job id (e.g. after a failed poll or a kernel restart)."""
        return cls(PrimaryRoute(vault), job_id=str(job_id), **kwargs)

    # -- state --------------------------------------------------------------------------------------
    @property
    def vault(self) -> VaultLike:
        """The vault the restore runs in."""
        return self.route.vault

    @property
    def item(self) -> Any:
        """The protected item restored (None after re-attaching by job id)."""
        return self.route.item

    @property
    def region(self) -> str | None:
        """Where the restore lands: the vault's region, or the secondary region of a cross-region restore."""
        return self.route.region

    @property
    def on_emulator(self) -> bool:
        """True when the restore runs on a local emulator (status lines and the widget say so)."""
        try:
            return bool(self.vault.connection.is_emulator)
        except AttributeError:  # re-attached without a connection (tests)
            return False

    @property
    def operation_url(self) -> str | None:
        """The URL the POST's asynchronous operation is followed at (None without one, e.g. re-attached by job)."""
        return self._lro.url if self._lro is not None else None

    @property
    def notes(self) -> list[str]:
        """What the user should know about this restore besides its status (e.g. an access token renewed)."""
        return list(getattr(self.route, "notes", ()))

    @property
    def sleep(self) -> Callable[[float], Any]:
        """How the polling thread waits (interruptible unless a test injected its own)."""
        return self._driver.sleep

    @property
    def done(self) -> bool:
        """True once the operation reached done, failed or cancelled."""
        return self._done.is_set()

    @property
    def elapsed(self) -> timedelta:
        """Time since the POST (or since re-attaching), up to the end."""
        end = self.finished if self.finished is not None else self.clock()
        return timedelta(seconds=max(0.0, end - self.started))

    @property
    def current_job(self) -> Job | None:
        """The job as last read (None until the operation names it); never waits. What live views read."""
        return self._job

    @property
    def job(self) -> Job:
        """The restore's job once the restore has ended: waits for the end first (the widget stays live).

        A cell that needs the result can read ``operation.job`` in a Run All: it waits in plain sight instead
        of seeing ``None``. A failed job is returned (``wait()`` raises instead); a restore that ended without a
        job raises the error that ended it. From the polling thread itself (a listener), it does not wait: use
        :attr:`current_job` there.
        """
        if threading.current_thread() is not self._driver.thread:
            self.start()
            self._done.wait()
        if self._job is None:
            if self.error is not None:
                raise self.error
            raise RuntimeError(f"the restore has no job yet (phase {self.phase}); call operation.wait()")
        return self._job

    @property
    def requests(self) -> int:
        """Status requests sent so far (operation polls + job reads)."""
        return (self._lro.polls if self._lro else 0) + (self._job.polls if self._job else 0)

    @property
    def vm_name(self) -> str | None:
        """The VM being restored, when known."""
        if self.item is not None:
            return self.item.vm_name
        return self._job.vm_name if self._job else None

    def wait_for_change(self, timeout: float) -> bool:
        """Block until the next change (True) or ``timeout`` seconds (False), whichever comes first."""
        changed = self._changed.wait(timeout)
        self._changed.clear()
        return changed

    def add_listener(self, callback: Callable[[RestoreOperation], Any]) -> None:
        """Call ``callback(op)`` after every change (from the polling thread; keep it short)."""
        self._listeners.append(callback)

    def _notify(self) -> None:
        self._changed.set()
        for callback in list(self._listeners):
            try:
                callback(self)
            except Exception:  # a broken listener must not stop polling
                pass

    # -- moving -------------------------------------------------------------------------------------
    def _first_delay(self) -> float:
        if self.job_id is None and self._lro is not None and self._lro.can_poll and not self._lro.done:
            return self._lro.interval
        return 0.0

    def _job_interval(self) -> float:
        if self.poll_interval is not None:
            return self.poll_interval
        return self._lro.interval if self._lro is not None and self._lro.polls else lro.DEFAULT_INTERVAL

    def step(self) -> float:
        """Move by one request (operation poll, job lookup or job read); return the wait before the next.

        Never raises: an error that polling cannot get past ends the operation in phase ``failed`` (see
        :attr:`error`).
        """
        try:
            return self._advance()
        except BaseException as exc:  # noqa: BLE001 - reported through wait(), status lines and the widget
            self.error = exc
            self._finish("failed")
            return 0.0

    def _advance(self) -> float:
        if self.job_id is None:
            return self._follow_operation()
        if self._job is None:
            return self._fetch_job()
        try:
            self._job.refresh()
        except (ArmError, TransportError) as exc:
            return self._backoff.after_failure(exc)
        self._backoff.reset()
        return self._after_job_read()

    def _follow_operation(self) -> float:
        lro_ = self._lro
        if lro_ is not None and lro_.can_poll and not lro_.done:
            self.phase = "operation"
            delay = lro_.step()
            if not lro_.done:
                return delay
            result = lro_.result()  # raises OperationFailed with the service's error
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
            self._job = self.route.job_class.fetch(self.vault, str(self.job_id), api=self.route.jobs,
                                                  poll_interval=self._job_interval(), sleep=self.sleep,
                                                  clock=self.clock)
        except (ArmError, TransportError) as exc:
            return self._backoff.after_failure(exc)
        self._backoff.reset()
        return self._after_job_read()

    def _after_job_read(self) -> float:
        job = self._job
        assert job is not None
        if job.done:
            if job.status == "Failed":
                self.error = job.failure()
            self._finish({"Failed": "failed", "Cancelled": "cancelled"}.get(job.status, "done"))
            return 0.0
        self._maybe_cancel()
        return job.interval()

    def _maybe_cancel(self) -> None:
        if self._cancel_requested and not self.cancel_sent and self._job is not None and not self._job.done:
            self.cancel_sent = True
            self._job.cancel(wait=False)

    def _finish(self, phase: str) -> None:
        self.phase = phase
        self.finished = self.clock()
        self._notify()  # listeners (the journal) hear of the end before any waiter returns
        self._done.set()

    def _exited(self) -> None:
        if not self.done:  # the thread stopped without an outcome (should not happen): say so
            self.error = self.error or RuntimeError("polling stopped unexpectedly")
            self._finish("failed")
        self._notify()

    # -- driving ------------------------------------------------------------------------------------
    def start(self) -> RestoreOperation:
        """Start polling in a background thread (once); returns self."""
        if self.done or self._driver.running:
            return self
        if self.phase == "submitted" and self._lro is not None and self._lro.can_poll:
            self.phase = "operation"  # from now on the asynchronous operation is being followed
        if self._driver.start():
            self._notify()
        return self

    def wait(self, timeout: float | None = None) -> Job:
        """Block until the restore ends; return the final Job (Completed or Cancelled).

        Raises ``OperationFailed`` (the service's code, message, recommendations) if it failed, the
        polling error if polling gave up (then :meth:`resume`), ``TimeoutError`` after ``timeout`` s
        (polling goes on; wait again).
        """
        self.start()
        if not self._done.wait(timeout):
            raise TimeoutError(f"restore still in phase {self.phase!r} after {timeout:g} s "
                               f"(job {self.job_id or 'not known yet'}); call wait() again")
        if self.error is not None:
            raise self.error
        assert self._job is not None
        return self._job

    def __await__(self):
        """``await op``: wait on the running loop without blocking it."""
        return self._wait_async().__await__()

    async def _wait_async(self) -> Job:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def resolve() -> None:
            if self.done and not future.done():
                future.set_result(None)

        self.add_listener(lambda op: loop.call_soon_threadsafe(resolve) if op.done else None)
        self.start()
        if self.done:
            resolve()
        await future
        return self.wait(0)

    def cancel(self) -> None:
        """Ask for cancellation and return at once: the job is cancelled (once) as soon as it is known.

        ``wait()`` then returns the job in status Cancelled. Does nothing once the restore has ended. Where the
        API has no cancellation (cross-region restore), the status line says so and the restore goes on.
        """
        if self.done:
            return
        if not self.route.can_cancel:
            self.cancel_note = (f"cancellation is not available for {self.route.kind_label} (the API has no cancel "
                                f"operation); the job goes on in {self.region or 'its region'}")
            log.warning("%s", self.cancel_note)
            self._notify()
            return
        self._cancel_requested = True
        self.start()
        self._driver.wake()
        self._notify()

    def resume(self) -> RestoreOperation:
        """Start polling again after polling gave up (a transport error), from the job id when known."""
        if self._driver.running:
            return self
        if self.phase == "failed" and isinstance(self.error, OperationFailed) and self._job is not None \
                and self._job.status == "Failed":
            return self  # the service said the job failed: nothing to resume
        self.error = None
        self.phase = "job" if self.job_id else ("operation" if self._lro else "submitted")
        self.finished = None
        self._backoff.reset()
        if self._lro is not None:
            self._lro.backoff.reset()
        self._done.clear()
        return self.start()

    def outcome(self) -> RestoreOutcome:
        """What the restore created or changed, by resource ID (waits for the end; read once, then kept).

        What Azure's job says (the kind of restore, where it wrote, the disks it restored), with the resource IDs
        read from ARM around it (:mod:`restorekit.model.outcome`): new disks or a new VM, the VM whose disks were
        replaced with the disks attached now and the previous ones left unattached. Raises :class:`~restorekit.model.outcome.OutcomeUnknown` for a restore that did not
        complete.
        """
        job = self.job
        if not job.succeeded:
            raise OutcomeUnknown(f"the restore of VM {self.vm_name} ended {job.status}: it created nothing to list; "
                                 f"see operation.job for the service's errors")
        if self._outcome is None:
            after = None
            if self.before is not None and self.before.reads and not self.before.error:
                reader = self.vault.connection.resources()
                after = take_snapshot(reader, self.before.reads, after=True)
            self._outcome = compare(self.before, after, job)
        return self._outcome

    # -- showing ------------------------------------------------------------------------------------
    def status_line(self) -> str:
        """One plain-text line: ``restore job 1234…: InProgress 40%``, or the final summary."""
        return progress_text.status_line(self)

    def watch(self, out: Callable[[str], Any] = print, timeout: float | None = None) -> Job | None:
        """Block until done, printing a status line whenever status or progress (by 10 %) changes.

        What a headless notebook shows. Returns the job (None if it was never known); never raises for a
        failed restore (the last line says why).
        """
        return progress_text.watch(self, out, timeout)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} VM {self.vm_name or '?'} phase={self.phase} job={self.job_id or '-'}>"

    def _ipython_display_(self) -> None:
        """Live widget with a widget-capable frontend; otherwise block and print status lines."""
        from ...core.environment import is_headless

        if is_headless():
            self.watch()
            return
        from IPython.display import display

        from ...widgets.progress import OperationProgress

        display(OperationProgress(self))
