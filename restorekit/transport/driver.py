"""Drivers: what runs a piece of steppable work (an operation, a job, a whole restore) until it is done.

The work knows its state and how to move one step (:class:`Steppable`: ``done`` and ``step()``, which
returns how long to wait before the next step); a driver only waits and steps:

* :func:`drive` blocks the calling thread;
* :func:`drive_async` waits with ``asyncio.sleep`` and steps in a worker thread, on the running loop;
* :class:`ThreadDriver` runs :func:`drive` in one background thread whose waits can be cut short (``wake()``),
  which is how a restore keeps polling while the notebook cell has returned.

Nothing here displays anything: views subscribe to the work itself.
"""

from __future__ import annotations

import asyncio
import threading
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


class ThreadDriver:
    """Runs :func:`drive` for one piece of work in a background daemon thread (started once per run).

    ``sleep`` defaults to a wait that :meth:`wake` cuts short; ``on_update`` runs after each step (from the
    thread); ``on_exit`` once the thread ends, whatever happened.
    """

    def __init__(self, work: Steppable, *, first_delay: Callable[[], float], name: str,
                 sleep: Callable[[float], Any] | None = None, on_update: Callable[[], Any] | None = None,
                 on_exit: Callable[[], Any] | None = None) -> None:
        self.work = work
        self.first_delay = first_delay
        self.name = name
        self.on_update = on_update
        self.on_exit = on_exit
        self._wake = threading.Event()
        self.sleep = sleep or self._interruptible_sleep
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def _interruptible_sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    @property
    def thread(self) -> threading.Thread | None:
        """The thread of the current (or last) run."""
        return self._thread

    @property
    def running(self) -> bool:
        """True while the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start the thread unless it runs already or the work is done; True when it was started now."""
        with self._lock:
            if self.running or self.work.done:
                return False
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
            return True

    def wake(self) -> None:
        """Cut the current wait short (e.g. a cancellation was asked for)."""
        self._wake.set()

    def _run(self) -> None:
        try:
            drive(self.work, first_delay=self.first_delay(), sleep=self.sleep, on_update=self.on_update)
        finally:
            if self.on_exit is not None:
                self.on_exit()
