"""The cyclic garbage collector paused while work holds many objects: counted over threads, restored as it was."""

from __future__ import annotations

import gc
import threading

import pytest

from restorekit.core.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_enabled():
    """Each test starts with the collector enabled and leaves it so."""
    gc.enable()
    yield
    gc.enable()


def test_a_pause_disables_the_collector_and_enables_it_after():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_enables_the_collector_again_after_an_error():
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_collector_the_user_disabled_stays_disabled():
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_nested_pauses_enable_it_once_the_outer_one_ends():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_pauses_in_threads_enable_it_when_the_last_one_ends():
    """A's pause starts first and ends first: the collector stays paused until B's ends."""
    b_in, a_out = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def a() -> None:
        with collector_paused():
            b_in.wait(5)
        a_out.set()

    def b() -> None:
        with collector_paused():
            b_in.set()
            a_out.wait(5)
            seen["after A"] = gc.isenabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    threads[0].start()
    threads[1].start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after A": False}
    assert gc.isenabled()


def test_as_a_decorator_the_function_runs_paused_and_keeps_its_name():
    @collector_paused()
    def build(x: int) -> tuple[int, bool]:
        """Doc."""
        return x + 1, gc.isenabled()

    assert build(1) == (2, False)
    assert build.__name__ == "build" and build.__doc__ == "Doc."
    assert gc.isenabled()
