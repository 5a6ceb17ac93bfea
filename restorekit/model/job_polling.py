"""Following a backup job until it ends: one read per step, the service's ``Retry-After`` honoured.

:class:`JobPolling` is a steppable state (``done``, ``step()``) over a job that reads itself again
(:meth:`~restorekit.model.jobs.Job.refresh`): a transient failure (5xx, 429, no answer) is answered with the
one :class:`~restorekit.transport.polling.Backoff`, other failures are raised. ``job.wait()`` runs it blocking; a
restore operation steps it from its own polling thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from ..core.errors import ArmError, TransportError
from ..transport import polling as lro
from ..transport.driver import drive


class Readable(Protocol):
    """A job that reads itself again: what :class:`JobPolling` follows."""

    id: str
    #: The service's last ``Retry-After`` (seconds), or None.
    retry_after: float | None

    @property
    def done(self) -> bool:
        """True once the job reached a final status."""
        ...

    @property
    def status(self) -> str:
        """The job's status."""
        ...

    def refresh(self) -> object:
        """Read the job again."""
        ...


class JobPolling:
    """Reads ``job`` again until it ends; ``poll_interval`` overrides the service's ``Retry-After`` (else 15 s)."""

    def __init__(self, job: Readable, poll_interval: float | None = None) -> None:
        self.job = job
        self.poll_interval = poll_interval
        self.backoff = lro.Backoff()

    @property
    def done(self) -> bool:
        """True once the job ended."""
        return self.job.done

    def interval(self) -> float:
        """The wait before the next read: ``poll_interval``, else the service's last ``Retry-After``, else 15 s."""
        if self.poll_interval is not None:
            return self.poll_interval
        return self.job.retry_after or lro.DEFAULT_INTERVAL

    def first_delay(self) -> float:
        """The wait before the first read."""
        return self.interval()

    def step(self) -> float:
        """One read of the job, transient failures answered with a backoff; the wait before the next."""
        try:
            self.job.refresh()
        except (ArmError, TransportError) as exc:
            return self.backoff.after_failure(exc)
        self.backoff.reset()
        return self.interval()

    def run(self, timeout: float | None = None, *, sleep: Callable[[float], object] = time.sleep,
            clock: Callable[[], float] = time.monotonic, on_update: Callable[[], object] | None = None,
            timed_out: Callable[[], str] | None = None) -> None:
        """Read the job every :meth:`interval` until it ends; ``TimeoutError`` after ``timeout`` seconds."""
        drive(self, first_delay=self.interval(), timeout=timeout, clock=clock, sleep=sleep, on_update=on_update,
              timed_out=timed_out or (lambda: f"job {self.job.id} was still {self.job.status} after {timeout:g} s"))
