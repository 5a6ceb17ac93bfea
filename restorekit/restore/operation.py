"""Restore operations and backup jobs: trigger a restore, follow it, re-attach to it, list jobs.

>>> op = item.restore(rk.RestoreDisks(point, storage_account=...))   # POST once, returns at once
>>> op.phase                      # "submitted" → "operation" → "job" → "done" / "failed" / "cancelled"
>>> job = op.wait()               # the final Job, or OperationFailed quoting the service
>>> job.to_frame()                # one row per task
>>> vault.jobs(status="InProgress")                     # DataFrame over every page
>>> RestoreOperation.from_job_id(vault, job_id).wait()  # re-attach after a kernel restart

A restore runs in two phases: the POST's asynchronous operation (followed with :mod:`restorekit.transport.polling`),
which ends with a job id, then the backup job itself, read from ``{vault}/backupJobs/{id}``. The POST
is never repeated: if its answer is lost (timeout, reset, 5xx) the operation looks for the job it may
have created instead.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core.environment import in_kernel as _in_kernel
from ..core.errors import (
    ArmError,
    ConfirmationRequired,
    DuplicateRestore,
    NotFoundError,
    OperationFailed,
    TransportError,
)
from ..core.times import format_duration as _fmt_td
from ..model.jobs import Job, job_matches_item, job_matches_point, job_resources
from ..transport import polling as lro

if TYPE_CHECKING:  # pragma: no cover
    from ..core.protocols import ProtectedItemLike as ProtectedItem
    from ..core.protocols import VaultLike as Vault

#: Phases of a :class:`RestoreOperation`.
PHASES = ("submitted", "operation", "job", "done", "failed", "cancelled")
#: How far before the POST a job found by the lost-answer lookup may have started (clock skew).
LOOKUP_MARGIN = timedelta(minutes=2)
#: Lookups (spaced by the poll interval) before concluding a lost POST created no job.
LOOKUP_ATTEMPTS = 3


def find_duplicates(item: ProtectedItem, point: Any) -> list[Job]:
    """In-progress restore jobs of the same VM and recovery point (``$filter`` on Restore/InProgress)."""
    jobs = [Job(item.vault, raw) for raw in job_resources(item.vault, "Restore", "InProgress")]
    return [j for j in jobs if job_matches_item(j, item.vm_name, item.ref.container) and job_matches_point(j, point)]


def trigger(request: Any, *, item: ProtectedItem | None = None, confirm: bool = False,
            allow_duplicate: bool = False, display: bool | None = None,
            poll_interval: float | None = None, sleep: Callable[[float], Any] | None = None,
            clock: Callable[[], float] = time.monotonic) -> RestoreOperation:
    """Validate ``request``, POST the restore once, and return a :class:`RestoreOperation` at once.

    ``request`` is a restore builder (``RestoreDisks``, ``ReplaceDisks``, ``RestoreAsNewVM``): it needs
    ``.point``, ``.to_body()``, ``.validate()``, ``.destructive``. ``item`` defaults to the point's owner.
    Replacing disks needs ``confirm=True``; an in-progress restore of the same VM and point is refused
    unless ``allow_duplicate=True``. ``display`` (default: inside an IPython kernel) shows live progress.

    >>> op = trigger(rk.RestoreDisks(point, storage_account=acct))
    >>> op.wait()
    """
    point = request.point
    item = item if item is not None else getattr(point, "owner", None)
    if item is None:
        raise ValueError("this recovery point is not attached to a protected item: pass item=vault.vm(rg, vm), "
                         "or take the point from item.recovery_points()")
    request.validate()
    vm = f"{item.vm_resource_group}/{item.vm_name}"
    if getattr(request, "destructive", False) and not confirm:
        when = point.time.strftime("%Y-%m-%d %H:%M UTC") if getattr(point, "time", None) else "time unknown"
        raise ConfirmationRequired(
            f"{type(request).__name__} replaces the disks of VM {vm} with those of recovery point {point.name} "
            f"({when}); the VM's current disks are replaced and the VM restarts. To go ahead, pass confirm=True: "
            f"item.restore(request, confirm=True)")
    if not allow_duplicate:
        duplicates = find_duplicates(item, point)
        if duplicates:
            ids = ", ".join(f"{j.id} ({j.summary()})" for j in duplicates)
            raise DuplicateRestore(
                f"a restore of VM {vm} from recovery point {point.name} is already in progress: job {ids}. "
                f"Follow it with RestoreOperation.from_job_id(vault, {duplicates[0].id!r}), or pass "
                f"allow_duplicate=True to start another one", duplicates[0].id)
    body = request.to_body()
    posted_at = datetime.now(UTC)
    options: dict[str, Any] = {"poll_interval": poll_interval, "clock": clock, "request": request}
    if sleep is not None:
        options["sleep"] = sleep
    try:
        response = item.connection.arm.post(f"{item.ref.path}/recoveryPoints/{point.name}/restore", json_body=body)
    except TransportError as exc:
        op = RestoreOperation(item.vault, item=item, point=point, posted_at=posted_at, lost_answer=str(exc), **options)
    except ArmError as exc:
        if exc.status == 404:
            raise point_gone(item, point, exc) from None
        if exc.status < 500:
            raise
        op = RestoreOperation(item.vault, item=item, point=point, posted_at=posted_at, lost_answer=str(exc), **options)
    else:
        op = RestoreOperation(item.vault, item=item, point=point, initial=response, posted_at=posted_at, **options)
    if display is None:
        display = _in_kernel()
    if display:
        from IPython.display import display as show

        show(op)
    return op


def point_gone(item: ProtectedItem, point: Any, exc: ArmError) -> NotFoundError:
    """The service's 404 for a restore, explained: the point expired (or was deleted) since it was listed."""
    when = point.time.strftime("%Y-%m-%d %H:%M UTC") if getattr(point, "time", None) else "time unknown"
    return NotFoundError(
        f"recovery point {point.name} ({when}) of VM {item.vm_name} is no longer there: the service answered "
        f"{exc.code}: {exc.message} (HTTP 404, x-ms-request-id {exc.request_id}). Points expire under the "
        "backup policy's retention, so it probably expired or was deleted after it was listed. Nothing was "
        "restored: list the points again (item.recovery_points()) and choose another one")


class RestoreOperation:
    """A restore in flight: the POST's asynchronous operation, then the backup job it created.

    ``phase`` goes ``submitted`` → ``operation`` → ``job`` → ``done`` / ``failed`` / ``cancelled``;
    ``job_id`` appears as soon as the asynchronous operation ends; ``job`` is a :class:`Job` from then on.
    Polling runs in one background thread, started by :meth:`start`, :meth:`wait`, ``await op`` or the
    notebook display. Listeners added with :meth:`add_listener` are called (from that thread) on each change.
    """

    def __init__(self, vault: Vault, *, item: ProtectedItem | None = None, point: Any = None,
                 initial: Any = None, job_id: str | None = None, posted_at: datetime | None = None,
                 lost_answer: str | None = None, request: Any = None, poll_interval: float | None = None,
                 sleep: Callable[[float], Any] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.vault = vault
        self.item = item
        self.point = point
        self.request = request
        self.posted_at = posted_at
        self.lost_answer = lost_answer
        self.poll_interval = poll_interval
        self.clock = clock
        self._wake = threading.Event()
        self.sleep = sleep or self._interruptible_sleep
        self.started = clock()
        self.finished: float | None = None
        self.job_id = job_id
        self.job: Job | None = None
        self.error: BaseException | None = None
        self.phase = "job" if job_id else "submitted"
        self._lro = (lro.LongRunningOperation.from_response(vault.connection.arm, initial, poll_interval=poll_interval,
                                                            sleep=self.sleep, clock=clock)
                     if initial is not None else None)
        self._listeners: list[Callable[[RestoreOperation], Any]] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._changed = threading.Event()
        self._cancel_requested = False
        self.cancel_sent = False

    @classmethod
    def from_job_id(cls, vault: Vault, job_id: str, **kwargs: Any) -> RestoreOperation:
        """Re-attach to a restore by its job id (e.g. after a failed poll or a kernel restart)."""
        return cls(vault, job_id=str(job_id), **kwargs)

    # -- state --------------------------------------------------------------------------------------
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
    def requests(self) -> int:
        """Status requests sent so far (operation polls + job reads)."""
        return (self._lro.polls if self._lro else 0) + (self.job.polls if self.job else 0)

    @property
    def vm_name(self) -> str | None:
        """The VM being restored, when known."""
        if self.item is not None:
            return self.item.vm_name
        return self.job.vm_name if self.job else None

    def add_listener(self, callback: Callable[[RestoreOperation], Any]) -> None:
        """Call ``callback(op)`` after every change (from the polling thread; keep it short)."""
        self._listeners.append(callback)

    def _notify(self, *_: Any) -> None:
        self._changed.set()
        for callback in list(self._listeners):
            try:
                callback(self)
            except Exception:  # a broken listener must not stop polling
                pass

    def _interruptible_sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    # -- driving ------------------------------------------------------------------------------------
    def start(self) -> RestoreOperation:
        """Start polling in a background thread (once); returns self."""
        with self._lock:
            if self._thread is None and not self.done:
                self._thread = threading.Thread(target=self._run, name=f"restorekit-restore-{id(self):x}",
                                                daemon=True)
                self._thread.start()
        return self

    def _run(self) -> None:
        try:
            if self.job_id is None and self._lro is not None and self._lro.can_poll:
                self.phase = "operation"
                self._notify()
                result = self._lro.run(on_update=self._notify)
                self.job_id = result.job_id
                if result.status == lro.CANCELED and not self.job_id:
                    self._finish("cancelled")
                    return
            if self.job_id is None:
                self.job_id = self._find_created_job()
            self.phase = "job"
            self._notify()
            self.job = self._fetch_job()
            self._notify()
            self._maybe_cancel()
            self.job.wait(on_update=self._on_job_update, raise_on_failure=False)
            self._finish({"Failed": "failed", "Cancelled": "cancelled"}.get(self.job.status, "done"))
            if self.job.status == "Failed":
                self.error = self.job.failure()
        except BaseException as exc:  # noqa: BLE001 - reported through wait()
            self.error = exc
            self._finish("failed")
        finally:
            self._done.set()
            self._notify()

    def _finish(self, phase: str) -> None:
        self.phase = phase
        self.finished = self.clock()

    def _job_interval(self) -> float:
        if self.poll_interval is not None:
            return self.poll_interval
        return self._lro.interval if self._lro is not None and self._lro.polls else lro.DEFAULT_INTERVAL

    def _fetch_job(self) -> Job:
        failures = 0
        while True:
            try:
                return Job.fetch(self.vault, self.job_id, poll_interval=self._job_interval(),  # type: ignore[arg-type]
                                 sleep=self.sleep, clock=self.clock)
            except (ArmError, TransportError) as exc:
                failures += 1
                if not lro.is_transient(exc) or failures > lro.MAX_TRANSIENT:
                    raise
                self.sleep(min(lro.BACKOFF_MAX, lro.BACKOFF_BASE * 2 ** (failures - 1)))

    def _on_job_update(self, job: Job) -> None:
        self._maybe_cancel()
        self._notify()

    def _maybe_cancel(self) -> None:
        if self._cancel_requested and not self.cancel_sent and self.job is not None and not self.job.done:
            self.cancel_sent = True
            self.job.cancel(wait=False)

    #: How this kind of operation is named, and how a user re-attaches to a job or lists jobs.
    kind_label = "restore"
    attach_hint = "RestoreOperation.from_job_id(vault, job_id)"
    jobs_hint = "vault.jobs()"

    def _recent_jobs(self, since: datetime) -> list[Job]:
        """Restore jobs of the vault started since ``since`` (where a lost restore would show)."""
        return [Job(self.vault, raw) for raw in job_resources(self.vault, "Restore", None, since, None)]

    def _find_created_job(self) -> str:
        """After a lost POST answer (or a Location-only operation): the restore job created since the POST."""
        item = self.item
        if item is None:
            raise OperationFailed(f"cannot look for the {self.kind_label} job: the operation has no protected item")
        since = (self.posted_at or datetime.now(UTC)) - LOOKUP_MARGIN
        why = (f"the {self.kind_label} POST for VM {item.vm_name} got no usable answer ({self.lost_answer})"
               if self.lost_answer else f"the {self.kind_label} operation of VM {item.vm_name} did not name its job")
        candidates: list[Job] = []
        for attempt in range(LOOKUP_ATTEMPTS):
            if attempt:
                self.sleep(self._job_interval())
            candidates = [j for j in self._recent_jobs(since) if job_matches_item(j, item.vm_name, item.ref.container)
                          and (j.start_time is None or j.start_time >= since)]
            if self.point is not None and len(candidates) > 1:
                candidates = [j for j in candidates if job_matches_point(j, self.point)] or candidates
            if len(candidates) == 1:
                return candidates[0].id
            if len(candidates) > 1:
                listed = "; ".join(f"{j.id} started {j.start_time:%H:%M:%S} UTC, {j.summary()}" if j.start_time
                                   else f"{j.id} {j.summary()}" for j in candidates)
                raise OperationFailed(f"{why}; {len(candidates)} {self.kind_label} jobs of this VM started since "
                                      f"{since:%Y-%m-%d %H:%M:%S} UTC, so restorekit cannot tell which is yours: "
                                      f"{listed}. Attach to one with {self.attach_hint}")
        raise OperationFailed(f"{why}; no {self.kind_label} job of VM {item.vm_name} started since "
                              f"{since:%Y-%m-%d %H:%M:%S} UTC ({LOOKUP_ATTEMPTS} lookups), so the restore most "
                              f"probably did not start. Check {self.jobs_hint} and trigger it again if needed")

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
        assert self.job is not None
        return self.job

    def __await__(self):
        """``await op``: wait on the running loop without blocking it."""
        return self._wait_async().__await__()

    async def _wait_async(self) -> Job:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def resolve(_: Any = None) -> None:
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

        ``wait()`` then returns the job in status Cancelled. Does nothing once the restore has ended.
        """
        if self.done:
            return
        self._cancel_requested = True
        self.start()
        self._wake.set()
        self._notify()

    def resume(self) -> RestoreOperation:
        """Start polling again after polling gave up (a transport error), from the job id when known."""
        if self._thread is not None and self._thread.is_alive():
            return self
        if self.phase == "failed" and isinstance(self.error, OperationFailed) and self.job is not None \
                and self.job.status == "Failed":
            return self  # the service said the job failed: nothing to resume
        with self._lock:
            self.error = None
            self.phase = "job" if self.job_id else ("operation" if self._lro else "submitted")
            self.finished = None
            if self._lro is not None:
                self._lro.transient_failures = 0
            self._done.clear()
            self._thread = None
        return self.start()

    # -- showing ------------------------------------------------------------------------------------
    def status_line(self) -> str:
        """One plain-text line: ``restore job 1234…: InProgress 40%``, or the final summary."""
        vm = self.vm_name or "?"
        if self.phase in ("submitted", "operation"):
            return f"restore of VM {vm}: {self.phase} ({_fmt_td(self.elapsed)} elapsed)"
        if self.phase == "failed" and (self.job is None or self.job.status != "Failed"):
            first = str(self.error).splitlines()[0] if self.error else "unknown error"
            return f"restore of VM {vm} (job {self.job_id or 'unknown'}): polling failed: {first}"
        if self.job is None:
            return f"restore job {self.job_id}: looking it up"
        if self.done:
            return f"restore job {self.job.id}: {self.job.summary()}"
        return f"restore job {self.job.id[:8]}…: {self.job.summary()}"

    def __repr__(self) -> str:
        return f"<RestoreOperation VM {self.vm_name or '?'} phase={self.phase} job={self.job_id or '-'}>"

    def watch(self, out: Callable[[str], Any] = print, timeout: float | None = None) -> Job | None:
        """Block until done, printing a status line whenever status or progress (by 10 %) changes.

        What a headless notebook shows. Returns the job (None if it was never known); never raises for a
        failed restore (the last line says why).
        """
        self.start()
        last_key: tuple[Any, ...] | None = None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._changed.wait(1.0)
            self._changed.clear()
            job = self.job
            key = (self.phase, job.status if job else None,
                   int((job.progress or 0) // 10) if job and not self.done else None)
            settling = job is not None and job.done and not self.done  # the final line comes next
            if key != last_key and not settling:
                out(self.status_line())
                last_key = key
            if self.done:
                return self.job
            if deadline is not None and time.monotonic() > deadline:
                out(f"still running after {timeout:g} s; re-attach with RestoreOperation.from_job_id(vault, "
                    f"{self.job_id!r})")
                return self.job

    def _ipython_display_(self) -> None:
        """Live widget with a widget-capable frontend; otherwise block and print status lines."""
        from ..core.environment import is_headless

        if is_headless():
            self.watch()
            return
        from IPython.display import display

        from ..widgets.progress import OperationProgress

        display(OperationProgress(self))
