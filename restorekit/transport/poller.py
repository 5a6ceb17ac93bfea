"""The poller: what runs a long-running operation's state, azure-core's ``LROPoller`` apart from its polling method.

The state (a :class:`Pollable`: a restore, later a file recovery or an undelete) knows where it is and how to move
one request further (``step()`` returns the wait before the next); the :class:`Poller` only runs it:

* in one background daemon thread (:meth:`Poller.start`), whose waits :meth:`Poller.wake` cuts short, so a
  notebook cell returns at once while the operation goes on;
* with a blocking wait (:meth:`Poller.wait`) or on the running asyncio loop (:meth:`Poller.wait_async`);
* telling listeners (a live view, status lines, the journal) after every step, from its thread, before any waiter
  returns.

Nothing here displays anything, and nothing here knows what is polled.

>>> poller = Poller(state, name="restorekit-restore")
>>> poller.start(); poller.wait(timeout=3600)
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from .driver import drive


class Pollable(Protocol):
    """A long-running operation's state, moved one request at a time."""

    @property
    def done(self) -> bool:
        """True once it reached its end (whatever the end)."""
        ...

    def step(self) -> float:
        """One request; the seconds to wait before the next. Never raises: an error is part of the state."""
        ...

    def first_delay(self) -> float:
        """The wait before the first step of a run (what the service asked for, or 0)."""
        ...

    def stopped(self, error: BaseException) -> None:
        """The poller's thread stopped before the end (should not happen): record why."""
        ...


P = TypeVar("P", bound=Pollable)
Listener = Callable[[], object]


class Poller(Generic[P]):
    """Runs one :class:`Pollable` (``state``) until it is done: a thread, blocking waits, ``await``, listeners.

    ``sleep`` replaces the thread's interruptible wait (tests). Listeners added with :meth:`add_listener` are called
    after every step and at the end, from the polling thread: keep them short.
    """

    def __init__(self, state: P, *, name: str, sleep: Callable[[float], object] | None = None) -> None:
        self.state = state
        self.name = name
        self._wake = threading.Event()
        self.sleep: Callable[[float], object] = sleep or self._interruptible_sleep
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._changed = threading.Event()
        self._listeners: list[Listener] = []
        if state.done:
            self._done.set()

    # -- running --------------------------------------------------------------------------------------------
    def _interruptible_sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    @property
    def thread(self) -> threading.Thread | None:
        """The thread of the current (or last) run."""
        return self._thread

    @property
    def running(self) -> bool:
        """True while the polling thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def finished(self) -> bool:
        """True once the state is done and every listener heard of it."""
        return self._done.is_set()

    @property
    def in_polling_thread(self) -> bool:
        """True when called from the polling thread itself (a listener)."""
        return threading.current_thread() is self._thread

    def start(self) -> bool:
        """Start the polling thread unless it runs already or the state is done; True when started now."""
        with self._lock:
            if self.running or self.state.done:
                return False
            self._done.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        self.notify()
        return True

    def wake(self) -> None:
        """Cut the current wait short (e.g. a cancellation was asked for)."""
        self._wake.set()

    def _run(self) -> None:
        try:
            drive(self.state, first_delay=self.state.first_delay(), sleep=self.sleep, on_update=self._stepped)
        except BaseException as exc:  # noqa: BLE001 - the state records it; waiters are released below
            self.state.stopped(exc)
        finally:
            if not self.state.done:
                self.state.stopped(RuntimeError("polling stopped unexpectedly"))
            self.notify()  # listeners (the journal) hear of the end before any waiter returns
            self._done.set()

    def _stepped(self) -> None:
        self.notify()
        if self.state.done:
            self._done.set()

    # -- waiting --------------------------------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> bool:
        """Start if needed and block until the state is done (True) or ``timeout`` seconds passed (False)."""
        self.start()
        return self._done.wait(timeout)

    async def wait_async(self) -> None:
        """Start if needed and wait on the running asyncio loop without blocking it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def resolve() -> None:
            if self.state.done and not future.done():
                future.set_result(None)

        self.add_listener(lambda: loop.call_soon_threadsafe(resolve))
        self.start()
        resolve()
        await future

    def wait_for_change(self, timeout: float) -> bool:
        """Block until the next step (True) or ``timeout`` seconds (False), whichever comes first."""
        changed = self._changed.wait(timeout)
        self._changed.clear()
        return changed

    # -- telling ---------------------------------------------------------------------------------------------
    def add_listener(self, callback: Listener) -> None:
        """Call ``callback()`` after every step (from the polling thread)."""
        self._listeners.append(callback)

    def notify(self) -> None:
        """Tell the listeners that the state changed (a broken listener never stops polling)."""
        self._changed.set()
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:  # noqa: BLE001 - a view or the journal failing must not stop the restore
                pass
