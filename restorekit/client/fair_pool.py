"""One thread pool shared by many keys (subscriptions): at most ``per_key`` tasks of a key running, ``total`` overall.

ARM throttles each subscription apart, so a fleet's requests are bounded per subscription; the machine, though,
needs only as many threads as tasks can run at once. A thread pool per subscription (16 threads each: 640 for 40
subscriptions, kept to 128 VMs in flight by a semaphore) left most threads parked. :class:`FairPool` starts a task
only when its key and the whole pool have room, taking keys in turn, so ``total`` threads serve every key and no
thread waits on another key's limit. With 64 threads for the 64 connections, the 10,000-VM inventory took
66.7 s / 66.7 s against 75.2 s / 72.9 s before, in one interleaved run (``benchmarks/README.md``).
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any


class FairPool:
    """Tasks by key on ``total`` threads: at most ``per_key`` of a key run at once, keys taken in turn.

    ``submit`` returns at once with a :class:`~concurrent.futures.Future`; the task starts when its key and the
    pool have room. Use it as a context manager, or call :meth:`shutdown`.
    """

    def __init__(self, total: int, per_key: int, thread_name_prefix: str = "restorekit-pool") -> None:
        """``total``: tasks running at most (the threads); ``per_key``: of one key at most."""
        if total < 1 or per_key < 1:
            raise ValueError(f"total and per_key must be >= 1, got {total} and {per_key}")
        self.total, self.per_key = total, per_key
        self._pool = ThreadPoolExecutor(max_workers=total, thread_name_prefix=thread_name_prefix)
        self._lock = threading.Lock()
        self._waiting: dict[str, deque[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]]] = defaultdict(deque)
        self._ready: deque[str] = deque()  # keys with tasks waiting, in turn
        self._running: dict[str, int] = defaultdict(int)
        self._in_flight = 0

    def submit(self, key: str, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run ``fn(*args)`` once ``key`` has fewer than ``per_key`` tasks running and the pool has room."""
        future: Future[Any] = Future()
        with self._lock:
            if not self._waiting[key]:
                self._ready.append(key)
            self._waiting[key].append((future, fn, args))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        """Start what may start now, keys in turn."""
        starting = []
        with self._lock:
            while self._in_flight < self.total:
                key = next((k for k in self._ready if self._running[k] < self.per_key), None)
                if key is None:
                    break
                self._ready.remove(key)
                future, fn, args = self._waiting[key].popleft()
                if self._waiting[key]:
                    self._ready.append(key)  # to the back: the other keys go first
                if not future.set_running_or_notify_cancel():
                    continue  # cancelled while it waited
                self._running[key] += 1
                self._in_flight += 1
                starting.append((key, future, fn, args))
        for key, future, fn, args in starting:
            self._pool.submit(self._run, key, future, fn, args)

    def _run(self, key: str, future: Future[Any], fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            result = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the future's owner
            future.set_exception(exc)
        else:
            future.set_result(result)
        finally:
            with self._lock:
                self._running[key] -= 1
                self._in_flight -= 1
            self._dispatch()

    def shutdown(self, cancel_futures: bool = False) -> None:
        """Wait for the running tasks (and, unless ``cancel_futures``, the waiting ones), then stop the threads."""
        if cancel_futures:
            with self._lock:
                waiting = [task[0] for tasks in self._waiting.values() for task in tasks]
                self._waiting.clear()
                self._ready.clear()
            for future in waiting:
                future.cancel()
        else:
            with self._lock:
                pending = [task[0] for tasks in self._waiting.values() for task in tasks]
            wait(pending)  # each ends running on the pool
        self._pool.shutdown(wait=True)

    def __enter__(self) -> FairPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown(cancel_futures=exc[0] is not None)
