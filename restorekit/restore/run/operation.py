"""A restore in flight, as the notebook holds it: its state, the poller that runs it, its outcome, its token.

>>> op = item.restore(rk.RestoreDisks(point, storage_account=...))   # POST once, returns at once
>>> op.phase                      # "submitted" → "operation" → "job" → "done" / "failed" / "cancelled"
>>> job = op.wait()               # the final Job, or OperationFailed quoting the service
>>> token = op.continuation_token()                                  # a string, no secret in it
>>> rk.RestoreOperation.from_continuation_token(az, token).wait()    # in any process, mid-flight

The azure-core split: the steppable state is a :class:`~restorekit.restore.run.state.RestoreState` (the polling
method); :class:`RestoreOperation` is the poller (``LROPoller``): it runs the state in one background thread
(:class:`~restorekit.transport.poller.Poller`), blocks (:meth:`~RestoreOperation.wait`) or awaits
(``await op``), cancels, and reads the outcome (:mod:`restorekit.model.outcome`). Views subscribe with
:meth:`~RestoreOperation.add_listener`: plain-text status lines (:mod:`restorekit.restore.run.progress_text`) or
the live widget, which the package registers with IPython from above every layer
(:func:`restorekit.widgets.progress.show_operation`); the connection's
:class:`~restorekit.core.environment.Frontend` says which.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from ...core.environment import Frontend
from ...core.errors import WaitInterrupted
from ...model.job_api import VaultJobs
from ...model.jobs import Job
from ...model.outcome import OutcomeUnknown, RestoreOutcome, restore_outcome
from ...transport.poller import Poller
from . import continuation, progress_text
from .cross_region import CROSS_REGION, CrossRegionRoute
from .routes import PRIMARY, PrimaryRoute, item_of_job
from .state import FINAL_PHASES, PHASES, RestoreState

if TYPE_CHECKING:  # pragma: no cover
    from ..context import RestoreConnection
    from ..request.builders import RestoreRequestBuilder
    from .routes import RestoreRoute

log = logging.getLogger(__name__)

__all__ = ["RestoreOperation", "CrossRegionOperation", "PHASES", "FINAL_PHASES"]


class RestoreOperation:
    """A restore in flight: the POST's asynchronous operation, then the backup job it created.

    ``phase`` goes ``submitted`` → ``operation`` → ``job`` → ``done`` / ``failed`` / ``cancelled``;
    ``job_id`` appears as soon as the asynchronous operation ends; ``job`` is a :class:`Job` from then on.
    Polling runs in one background thread, started by :meth:`start`, :meth:`wait`, ``await op`` or the notebook
    display. Listeners added with :meth:`add_listener` are called (from that thread) on each change.
    ``sleep`` replaces the polling thread's wait (tests).
    """

    def __init__(self, state: RestoreState, *, request: RestoreRequestBuilder | None = None,
                 sleep: Callable[[float], object] | None = None) -> None:
        self.state = state
        #: The request sent (None when the operation was rebuilt from a token or followed by job id).
        self.request = request
        self.poller: Poller[RestoreState] = Poller(state, name=f"restorekit-restore-{id(self):x}", sleep=sleep)
        self._outcome: RestoreOutcome | None = None
        #: Its id in the journal, once journaled (``rk.resume`` takes it, or the job id).
        self.journal_id: str | None = None

    # -- rebuilding ---------------------------------------------------------------------------------------------
    @classmethod
    def following(cls, route: RestoreRoute, job_id: str, *, poll_interval: float | None = None,
                  sleep: Callable[[float], object] | None = None,
                  clock: Callable[[], float] = time.monotonic) -> RestoreOperation:
        """Follow a restore sent through ``route`` by its job id (e.g. after a failed poll or a kernel restart)."""
        return operation_class(route)(RestoreState(route, job_id=str(job_id), poll_interval=poll_interval,
                                                   clock=clock), sleep=sleep)

    @classmethod
    def for_job(cls, connection: RestoreConnection, vault_id: str, job_id: str, *, vault_location: str | None = None,
                poll_interval: float | None = None, sleep: Callable[[float], object] | None = None,
                clock: Callable[[], float] = time.monotonic) -> RestoreOperation:
        """Follow a restore of vault ``vault_id`` by its job id: the job is read once (it names its VM; an unknown id
        raises ``NotFoundError``), then followed to its end."""
        job = Job.fetch(VaultJobs(connection, vault_id), job_id, poll_interval=poll_interval)
        route = PrimaryRoute(connection, item_of_job(job), vault_location)
        return cls(RestoreState(route, job_id=job.id, job=job, poll_interval=poll_interval, clock=clock), sleep=sleep)

    @classmethod
    def from_continuation_token(cls, connection: RestoreConnection, token: str, *, poll_interval: float | None = None,
                                sleep: Callable[[float], object] | None = None,
                                clock: Callable[[], float] = time.monotonic) -> RestoreOperation:
        """Rebuild any restore, primary or cross-region, from ``op.continuation_token()``, through ``connection``.

        Mid-flight or after its end, in this process or another: it goes on from where the token says (its
        operation, its job), with the connection's own credential. ``ValueError`` for a token restorekit did not
        make, or one made at another endpoint than the connection's.
        """
        data = continuation.decode(token)
        endpoint = str(data.get("endpoint") or "")
        if endpoint.rstrip("/") != connection.endpoint.rstrip("/"):
            raise ValueError(f"this operation was sent to {endpoint}; the connection talks to {connection.endpoint}: "
                             "connect there first (rk.resume(...) does it from the journal)")
        route_data = data.get("route")
        kind = data.get("kind")
        route_class = ROUTES.get(str(kind))
        if route_class is None or not isinstance(route_data, dict):
            raise ValueError(f"a continuation token of a {kind!r} operation: this restorekit rebuilds "
                             f"{', '.join(ROUTES)} operations")
        route = route_class.from_continuation(connection, route_data)
        state = RestoreState.from_continuation(route, data, poll_interval=poll_interval, clock=clock)
        return operation_class(route)(state, sleep=sleep)

    def continuation_token(self) -> str:
        """The restore as one string, no secret in it: ``RestoreOperation.from_continuation_token(az, token)``
        rebuilds it anywhere (the journal keeps it; ``rk.resume`` uses it)."""
        return self.state.continuation_token()

    # -- what it is ---------------------------------------------------------------------------------------------
    @property
    def route(self) -> RestoreRoute:
        """Where the restore was sent and how it is followed."""
        return self.state.route

    @property
    def connection(self) -> RestoreConnection:
        """The connection it is followed through."""
        return self.state.route.connection

    @property
    def frontend(self) -> Frontend:
        """How it shows itself (the connection's: live widget or status lines)."""
        return self.connection.frontend

    @property
    def phase(self) -> str:
        """``submitted``, ``operation``, ``job``, ``done``, ``failed`` or ``cancelled``."""
        return self.state.phase

    @property
    def job_id(self) -> str | None:
        """The restore's job id, once known."""
        return self.state.job_id

    @property
    def error(self) -> BaseException | None:
        """What ended the restore in phase ``failed`` (the service's error, or why polling gave up)."""
        return self.state.error

    @property
    def region(self) -> str | None:
        """Where the restore lands: the vault's region, or the secondary region of a cross-region restore."""
        return self.route.region

    @property
    def vault_name(self) -> str:
        """The vault the restore runs in."""
        return self.route.item.vault_name

    @property
    def vm_name(self) -> str:
        """The VM restored."""
        return self.route.item.vm_name

    @property
    def on_emulator(self) -> bool:
        """True when the restore runs on a local emulator (status lines and the widget say so)."""
        return self.connection.is_emulator

    @property
    def operation_url(self) -> str | None:
        """The URL the POST's asynchronous operation is followed at (None without one, e.g. followed by job id)."""
        return self.state.operation_url

    @property
    def notes(self) -> list[str]:
        """What the user should know about this restore besides its status (e.g. an access token renewed)."""
        return list(self.route.notes)

    @property
    def lost_answer(self) -> str | None:
        """Why the POST's answer was lost (its job is looked for), or None when it was answered."""
        return self.state.lost_answer

    @property
    def cancel_note(self) -> str | None:
        """Why a cancellation asked for cannot happen (None when it can)."""
        return self.state.cancel_note

    @property
    def cancel_sent(self) -> bool:
        """True once the job's cancellation was sent."""
        return self.state.cancel_sent

    @property
    def done(self) -> bool:
        """True once the restore reached done, failed or cancelled (and its listeners heard of it)."""
        return self.poller.finished

    @property
    def elapsed(self) -> timedelta:
        """Time since the POST (or since rebuilding it), up to the end."""
        return self.state.elapsed

    @property
    def requests(self) -> int:
        """Status requests sent so far (operation polls + job reads)."""
        return self.state.requests

    @property
    def current_job(self) -> Job | None:
        """The job as last read (None until the operation names it); never waits. What live views read."""
        return self.state.job

    @property
    def job(self) -> Job:
        """The restore's job once the restore has ended: waits for the end first (the widget stays live).

        A cell that needs the result can read ``operation.job`` in a Run All: it waits in plain sight instead
        of seeing ``None``. A failed job is returned (``wait()`` raises instead); a restore that ended without a
        job raises the error that ended it. From the polling thread itself (a listener), it does not wait: use
        :attr:`current_job` there.
        """
        if not self.poller.in_polling_thread:
            with self._interrupt_says_what_goes_on():
                self.poller.wait()
        job = self.state.job
        if job is None:
            if self.state.error is not None:
                raise self.state.error
            raise RuntimeError(f"the restore has no job yet (phase {self.phase}); call operation.wait()")
        return job

    # -- running ------------------------------------------------------------------------------------------------
    def add_listener(self, callback: Callable[[RestoreOperation], object]) -> None:
        """Call ``callback(op)`` after every change (from the polling thread; keep it short)."""
        self.poller.add_listener(lambda: callback(self))

    def wait_for_change(self, timeout: float) -> bool:
        """Block until the next change (True) or ``timeout`` seconds (False), whichever comes first."""
        return self.poller.wait_for_change(timeout)

    def start(self) -> RestoreOperation:
        """Start polling in a background thread (once); returns self."""
        if not self.done and self.state.phase == "submitted" and self.state.lro is not None \
                and self.state.lro.can_poll:
            self.state.phase = "operation"  # from now on the asynchronous operation is being followed
        self.poller.start()
        return self

    def wait(self, timeout: float | None = None) -> Job:
        """Block until the restore ends; return the final Job (Completed or Cancelled).

        Raises ``OperationFailed`` (the service's code, message, recommendations) if it failed, the
        polling error if polling gave up (then :meth:`resume`), ``TimeoutError`` after ``timeout`` s
        (polling goes on; wait again). In a plain script it prints status lines as it waits, as papermill shows them
        (the connection's frontend: :meth:`~restorekit.core.environment.Frontend.prints_lines`). Ctrl-C stops the
        wait, not the restore: :class:`~restorekit.core.errors.WaitInterrupted` says so and how to follow or stop it.
        """
        self.start()
        with self._interrupt_says_what_goes_on():
            if not self.done and self.frontend.prints_lines():
                progress_text.watch(self, print, timeout)
                timeout = 0 if timeout is not None else None
            finished = self.poller.wait(timeout)
        if not finished:
            raise TimeoutError(f"restore still in phase {self.phase!r} after {timeout:g} s "
                               f"(job {self.job_id or 'not known yet'}); call wait() again")
        return self._result()

    def _result(self) -> Job:
        """The final job of a restore that has ended, or the error that ended it."""
        if self.state.error is not None:
            raise self.state.error
        assert self.state.job is not None
        return self.state.job

    @contextmanager
    def _interrupt_says_what_goes_on(self) -> Iterator[None]:
        """Ctrl-C while blocked: :class:`WaitInterrupted` saying that the restore goes on, unless it has ended."""
        try:
            yield
        except WaitInterrupted:
            raise
        except KeyboardInterrupt:
            if self.state.done:
                raise
            raise WaitInterrupted(progress_text.interrupted(self)) from None

    def __await__(self) -> Generator[object, None, Job]:
        """``await op``: wait on the running loop without blocking it."""
        return self._wait_async().__await__()

    async def _wait_async(self) -> Job:
        self.start()
        await self.poller.wait_async()
        self.poller.wait()  # the state is done: its listeners are being told, the poller finishes at once
        return self._result()

    def cancel(self) -> None:
        """Ask for cancellation and return at once: the job is cancelled (once) as soon as it is known.

        ``wait()`` then returns the job in status Cancelled. Does nothing once the restore has ended. Where the
        API has no cancellation (cross-region restore), the status line says so and the restore goes on.
        """
        if self.done:
            return
        if not self.state.request_cancel():
            log.warning("%s", self.state.cancel_note)
            self.poller.notify()
            return
        self.start()
        self.poller.wake()
        self.poller.notify()

    def resume(self) -> RestoreOperation:
        """Start polling again after polling gave up (a transport error), from the job id when known."""
        if self.poller.running or not self.state.restart():
            return self  # polling goes on, or the service said the job failed: nothing to resume
        return self.start()

    # -- what it did --------------------------------------------------------------------------------------------
    def outcome(self) -> RestoreOutcome:
        """What the restore created or changed, by resource ID (waits for the end; read once, then kept).

        What Azure's job says (the kind of restore, where it wrote, the disks it restored), with the resource IDs
        read from ARM around it (:mod:`restorekit.model.outcome`): new disks or a new VM, the VM whose disks were
        replaced with the disks attached now and the previous ones left unattached. Raises
        :class:`~restorekit.model.outcome.OutcomeUnknown` for a restore that did not complete.
        """
        job = self.job
        if not job.succeeded:
            raise OutcomeUnknown(f"the restore of VM {self.vm_name} ended {job.status}: it created nothing to list; "
                                 f"see operation.job for the service's errors")
        if self._outcome is None:
            self._outcome = restore_outcome(self.state.before, self.connection.resources(), job.restore_facts)
        return self._outcome

    # -- showing ------------------------------------------------------------------------------------------------
    def status_line(self) -> str:
        """One plain-text line: ``restore job 1234…: InProgress 40%``, or the final summary."""
        return progress_text.status_line(self)

    def watch(self, out: Callable[[str], object] = print, timeout: float | None = None) -> Job | None:
        """Block until done, printing a status line whenever status or progress (by 10 %) changes.

        What a headless notebook shows. Returns the job (None if it was never known); never raises for a
        failed restore (the last line says why).
        """
        with self._interrupt_says_what_goes_on():
            return progress_text.watch(self, out, timeout)

    def watch_until_job(self, out: Callable[[str], object] = print) -> Job | None:
        """Block until the service has named the restore's job (or it ended), printing status lines: what a
        script's ``item.restore`` shows before it returns. The job as then known (None if none)."""
        with self._interrupt_says_what_goes_on():
            return progress_text.watch(self, out, until_job=True)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} VM {self.vm_name} phase={self.phase} job={self.job_id or '-'}>"


class CrossRegionOperation(RestoreOperation):
    """A cross-region restore in flight: the CRR operation, then the :class:`~restorekit.model.jobs.CrrJob` it
    created.

    The same :class:`RestoreOperation` (``phase``, ``job_id``, ``job``, ``wait()``, ``watch()``, ``await op``, status
    lines, the live widget, the continuation token), followed through the secondary region; :meth:`cancel` cannot
    cancel (the API has no cancellation) and says so.
    """

    def __repr__(self) -> str:
        return f"<CrossRegionOperation VM {self.vm_name} → {self.region} phase={self.phase} job={self.job_id or '-'}>"


#: The routes a continuation token may name, by kind.
ROUTES: dict[str, type[PrimaryRoute] | type[CrossRegionRoute]] = {PRIMARY: PrimaryRoute,
                                                                  CROSS_REGION: CrossRegionRoute}


def operation_class(route: RestoreRoute) -> type[RestoreOperation]:
    """The operation type that follows a restore of ``route``'s kind."""
    return CrossRegionOperation if route.kind_label == CROSS_REGION else RestoreOperation
