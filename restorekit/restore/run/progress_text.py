"""A restore's progress as plain text: one status line, and a blocking watch that prints it as it changes.

What a headless notebook (papermill, nbval) or a script shows, where a live widget cannot be watched: the
cell blocks until the restore ends and prints a line whenever the phase, the job's status or its progress
(by 10 %) changes. In a script, ``item.restore`` prints them until the job is named (:func:`watch` with
``until_job``), and ``op.wait()`` to the end. :func:`interrupted` is what Ctrl-C during a wait says: the wait
stopped, the restore goes on, and the lines that follow it again or stop it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from ...core.times import format_duration

if TYPE_CHECKING:  # pragma: no cover
    from ...model.jobs import Job
    from .routes import RestoreRoute


class Tracked(Protocol):
    """What the text view reads of a restore operation (a :class:`~restorekit.restore.run.operation.RestoreOperation`)."""

    @property
    def route(self) -> RestoreRoute:
        """Where it was sent."""
        ...

    @property
    def phase(self) -> str:
        """Where it is."""
        ...

    @property
    def current_job(self) -> Job | None:
        """The job as last read."""
        ...

    @property
    def job_id(self) -> str | None:
        """The job id, once known."""
        ...

    @property
    def error(self) -> BaseException | None:
        """What ended it in phase failed."""
        ...

    @property
    def cancel_note(self) -> str | None:
        """Why a cancellation cannot happen."""
        ...

    @property
    def notes(self) -> list[str]:
        """What the user should know besides its status."""
        ...

    @property
    def vm_name(self) -> str:
        """The VM restored."""
        ...

    @property
    def elapsed(self) -> timedelta:
        """Time since the POST."""
        ...

    @property
    def done(self) -> bool:
        """True once it ended."""
        ...

    @property
    def on_emulator(self) -> bool:
        """True on a local emulator."""
        ...

    @property
    def journal_id(self) -> str | None:
        """Its id in the journal (None when it was not journaled)."""
        ...

    def start(self) -> object:
        """Start polling."""
        ...

    def wait_for_change(self, timeout: float) -> bool:
        """Block until the next change or the timeout."""
        ...

def status_line(op: Tracked) -> str:
    """One line: ``restore job 1234…: InProgress 40%``, or the final summary."""
    kind = op.route.kind_label
    vm = op.vm_name or "?"
    job = op.current_job
    if op.phase in ("submitted", "operation"):
        line = f"{kind} of VM {vm}: {op.phase} ({format_duration(op.elapsed)} elapsed)"
    elif op.phase == "failed" and (job is None or job.status != "Failed"):
        first = str(op.error).splitlines()[0] if op.error else "unknown error"
        line = f"{kind} of VM {vm} (job {op.job_id or 'unknown'}): polling failed: {first}"
    elif job is None:
        line = f"{kind} job {op.job_id}: looking it up"
    elif op.done:
        line = f"{kind} job {job.id}: {job.summary()}"
    else:
        line = f"{kind} job {job.id[:8]}…: {job.summary()}"
    if op.cancel_note and not op.done:
        line += f" ({op.cancel_note})"
    for note in op.notes:
        line += f" (note: {note})"
    if op.on_emulator:
        line += " [local emulator, not Azure]"
    return line


def where_it_runs(op: Tracked) -> str:
    """``Azure``, or ``the local emulator (not Azure)``."""
    return "the local emulator (not Azure)" if op.on_emulator else "Azure"


def follow_hint(op: Tracked) -> str:
    """The call that follows ``op`` again from another kernel or script: ``rk.resume('…')`` when it is journaled."""
    if op.journal_id is not None:
        return f"rk.resume({(op.job_id or op.journal_id)!r})"
    if op.job_id:
        return op.route.attach_hint(op.job_id)
    return f"{op.route.attach_hint('<job id>')} (its job id: {op.route.jobs_hint})"


def interrupted(op: Tracked) -> str:
    """What Ctrl-C during a wait says: the wait stopped, not the restore; how to follow it again, how to stop it."""
    kind = op.route.kind_label
    job = op.current_job
    state = f"job {op.job_id}: {job.summary()}" if job is not None else (
        f"job {op.job_id}" if op.job_id else f"{op.phase}, its job not named yet")
    if op.route.can_cancel:
        stop = "op.cancel(), then op.wait() until it says Cancelled"
    else:
        stop = f"it cannot be stopped: the API has no cancellation of a {kind}"
    return (f"stopped waiting, not the restore: the {kind} of VM {op.vm_name or '?'} goes on in {where_it_runs(op)} "
            f"({state}).\n"
            f"  follow it: op.wait() again, or {follow_hint(op)} from another kernel or script\n"
            f"  stop it:   {stop}")


def watch(op: Tracked, out: Callable[[str], object] = print, timeout: float | None = None, *,
          until_job: bool = False) -> Job | None:
    """Block until ``op`` ends, printing :func:`status_line` whenever status or progress (by 10 %) changes.

    Returns the job (None if it was never known); never raises for a failed restore (the last line says why).
    After ``timeout`` seconds it returns early and says how to re-attach. ``until_job`` returns as soon as the
    service has named the job (what a script's ``item.restore`` waits for), saying that the restore goes on.
    """
    op.start()
    last_key: tuple[str, str | None, int | None] | None = None
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        op.wait_for_change(1.0)
        job = op.current_job
        key = (op.phase, job.status if job else None,
               int((job.progress or 0) // 10) if job and not op.done else None)
        settling = job is not None and job.done and not op.done  # the final line comes next
        if key != last_key and not settling:
            out(status_line(op))
            last_key = key
        if op.done:
            return op.current_job
        if until_job and op.job_id:
            out(f"{op.route.kind_label} job {op.job_id} goes on in {where_it_runs(op)}: op.wait() follows it to "
                f"the end (or {follow_hint(op)} from another kernel or script)")
            return op.current_job
        if deadline is not None and time.monotonic() > deadline:
            if op.job_id:
                out(f"still running after {timeout:g} s; re-attach with {op.route.attach_hint(op.job_id)}")
            else:
                out(f"still running after {timeout:g} s, job id not known yet; find the job with "
                    f"{op.route.jobs_hint}, then re-attach with {op.route.attach_hint('<job id>')}")
            return op.current_job
