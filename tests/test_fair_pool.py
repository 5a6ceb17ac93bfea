"""FairPool: one pool of threads for many keys, a limit per key and overall, keys in turn."""

import threading
import time
from collections import Counter
from concurrent.futures import CancelledError

import pytest

from restorekit.client.fair_pool import FairPool


def test_limits_per_key_and_overall_hold_and_every_task_runs_once():
    running: Counter[str] = Counter()
    peaks: Counter[str] = Counter()
    overall = [0, 0]
    lock = threading.Lock()

    def task(key: str, n: int) -> tuple[str, int]:
        with lock:
            running[key] += 1
            overall[0] += 1
            peaks[key] = max(peaks[key], running[key])
            overall[1] = max(overall[1], overall[0])
        time.sleep(0.002)
        with lock:
            running[key] -= 1
            overall[0] -= 1
        return key, n

    with FairPool(total=6, per_key=2, thread_name_prefix="test-fair") as pool:
        futures = [pool.submit(f"sub{n % 5}", task, f"sub{n % 5}", n) for n in range(200)]
        results = [f.result(timeout=30) for f in futures]
    assert results == [(f"sub{n % 5}", n) for n in range(200)]
    assert max(peaks.values()) == 2 and overall[1] == 6
    threads = {t.name for t in threading.enumerate() if t.name.startswith("test-fair")}
    assert not threads  # shut down


def test_a_key_at_its_limit_leaves_the_threads_to_the_others():
    gate = threading.Event()
    with FairPool(total=4, per_key=2) as pool:
        blocked = [pool.submit("busy", gate.wait, 30) for _ in range(10)]  # 2 run, 8 wait
        others = [pool.submit("other", lambda n=n: n) for n in range(5)]
        assert [f.result(timeout=10) for f in others] == list(range(5))  # not behind the busy key's queue
        assert sum(f.running() for f in blocked) == 2
        gate.set()
    assert all(f.result() for f in blocked)


def test_keys_start_in_turn():
    started: list[str] = []
    gate = threading.Event()
    with FairPool(total=1, per_key=1) as pool:
        first = pool.submit("a", gate.wait, 30)
        rest = [pool.submit(key, started.append, key) for key in ["a", "a", "a", "b", "b", "c"]]
        gate.set()
        first.result(timeout=10)
        for f in rest:
            f.result(timeout=10)
    assert started == ["a", "b", "c", "a", "b", "a"]


def test_errors_reach_the_future_and_a_cancelled_task_never_runs():
    ran: list[int] = []
    gate = threading.Event()
    pool = FairPool(total=1, per_key=1)
    failing = pool.submit("k", lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.result(timeout=10)
    holding = pool.submit("k", gate.wait, 30)
    waiting = pool.submit("k", ran.append, 1)
    assert waiting.cancel()
    gate.set()
    pool.shutdown()
    assert holding.result() is True and ran == []
    with pytest.raises(CancelledError):
        waiting.result()


def test_shutdown_with_cancel_drops_the_waiting_tasks():
    gate = threading.Event()
    pool = FairPool(total=1, per_key=1)
    running = pool.submit("k", gate.wait, 30)
    waiting = [pool.submit("k", time.sleep, 0) for _ in range(3)]
    threading.Timer(0.2, gate.set).start()
    pool.shutdown(cancel_futures=True)
    assert running.result() is True and all(f.cancelled() for f in waiting)


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match="per_key"):
        FairPool(total=4, per_key=0)
