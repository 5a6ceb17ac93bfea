"""Drivers: what runs a piece of steppable work (an operation, a job, a whole restore) until it is done.

The work knows its state and how to move one step (:class:`Steppable`: ``done`` and ``step()``, which
returns how long to wait before the next step); a driver only waits and steps:

* :func:`drive` blocks the calling thread;
* :func:`drive_async` waits with ``asyncio.sleep`` and steps in a worker thread, on the running loop.

:class:`~restorekit.transport.poller.Poller` runs :func:`drive` in a background thread (how a restore keeps polling
while the notebook cell has returned). Nothing here displays anything.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Protocol


class Steppable(Protocol):
    """Work that moves one step at a time."""

    @property
    def done(self) -> bool:
        """True once there is nothing more to do."""
        ...

    def step(self) -> float:
        """Do one step (one request); return the seconds to wait before the next."""
        ...


def drive(work: Steppable, *, first_delay: float, timeout: float | None = None,
          clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Any] = time.sleep,
          timed_out: Callable[[], str] = lambda: "still running", should_stop: Callable[[], bool] | None = None,
          on_update: Callable[[], Any] | None = None) -> None:
    """Wait ``first_delay``, ``work.step()`` (which returns the next delay), and so on until ``work.done``.

    Raises ``TimeoutError(timed_out())`` once ``timeout`` seconds have passed; ``should_stop()`` ends the loop
    early; ``on_update()`` runs after each step.
    """
    deadline = None if timeout is None else clock() + timeout
    delay = first_delay
    while not work.done:
        if should_stop is not None and should_stop():
            return
        if deadline is not None:
            left = deadline - clock()
            if left <= 0:
                raise TimeoutError(timed_out())
            delay = min(delay, left)
        sleep(delay)
        if should_stop is not None and should_stop():
            return
        delay = work.step()
        if on_update is not None:
            on_update()


async def drive_async(work: Steppable, *, first_delay: float, timeout: float | None = None,
                      clock: Callable[[], float] = time.monotonic,
                      timed_out: Callable[[], str] = lambda: "still running") -> None:
    """Like :func:`drive` on the running asyncio loop: steps in a worker thread, waits with ``asyncio.sleep``."""
    deadline = None if timeout is None else clock() + timeout
    delay = first_delay
    while not work.done:
        if deadline is not None:
            left = deadline - clock()
            if left <= 0:
                raise TimeoutError(timed_out())
            delay = min(delay, left)
        await asyncio.sleep(delay)
        delay = await asyncio.to_thread(work.step)
