"""Python's cyclic garbage collector, paused while work holds many objects that reference counting frees anyway.

The cyclic collector walks every tracked container of a generation when that generation fills up: after 700
allocations for the youngest, and the whole heap once enough objects have survived. Work that decodes and
holds hundreds of thousands of dicts makes it walk them again and again although none of them is in a cycle. A
frame build's temporary lists hold every point (a collection during a 200,000-point build cost 20-50 ms); in a
10,000-VM inventory the collector took 9-10 s (2,400-2,800 young collections over the pages just decoded,
220-260 middle ones and 20-23 of the whole heap over the points held), a fifth of the client's CPU, and the
inventory went from 52 s to 42 s with it paused (``benchmarks/README.md``). Reference counting still frees every
object as it goes; what a pause leaves is garbage in cycles, which the inventory makes little of (989 objects
after 20,070 requests), and which the collector takes on its next pass.

:func:`collector_paused` is counted over threads: the collector is paused by the first of overlapping pauses and
enabled again when the last one ends, and only if it was enabled when the first began (a user who disabled it
keeps it disabled; a ``gc.disable()`` made during a pause is undone when it ends).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0  # pauses in progress, over all threads
_resume = False  # whether the last pause to end enables the collector again


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block (counted over threads; see the module doc).

    Also a decorator (``@collector_paused()``: contextlib's ``ContextDecorator``), each call paused apart.
    """
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
