"""Fleet inventory: every protected VM's recovery points, across vaults and subscriptions, in one DataFrame.

Requests run on one thread pool shared by the subscriptions, at most ``workers`` VMs of a subscription at
once (ARM throttles each subscription apart, so subscriptions proceed in parallel:
:class:`~restorekit.client.fair_pool.FairPool`), and stay under ARM's read throttle: a :class:`ReadPacer` watches
``x-ms-ratelimit-remaining-subscription-reads`` and, when few reads are left, spaces requests at the
rate the bucket is seen to refill; a 429 is retried by the transport after its ``Retry-After``.
Items that still fail are never dropped silently: they are listed in ``df.attrs["failures"]`` (JSON records of
vault, VM, item and error, which pandas carries through ``concat``, ``merge`` and Parquet; ``rk.failures(df)`` is
the table), announced by a warning, and the rest of the fleet is returned.

Memory is bounded by the frame, not by the fleet: a VM's points are handed on as soon as its last page is in
(so that a VM that fails leaves no partial rows), and every 8,192 points become a frame part built through
Arrow (:mod:`restorekit.data.frame_parts`), their decoded JSON released; the parts are joined at the end.
Requests in flight are bounded by the session's connection pool (:class:`~restorekit.transport.arm.ArmSession`'s
``pool_size``, 64), so that every request finds a kept connection; VMs in flight, over all subscriptions, by
as many (the pool's threads): the pages held in memory are those of a few VMs, whatever the number of
subscriptions, and a subscription whose ``workers`` wait out its read throttle leave the other threads to the
others. (Twice as many VMs as connections, half of them waiting for a connection, cost the 10,000-VM
inventory 8-11 % of its time: ``benchmarks/README.md``.)

Python's cyclic garbage collector is paused while an inventory runs (:mod:`restorekit.core.collector`): the
points held until they become frame parts are hundreds of thousands of dicts in no cycle, which it would walk
again and again (a fifth of the client's CPU in a 10,000-VM inventory).
"""

from __future__ import annotations

import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.collector import collector_paused
from ..core.errors import RestorekitError
from ..data.readable import for_people
from .fair_pool import FairPool

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.protocols import ArmApi as ArmSession
    from ..core.protocols import ProtectedItemLike as ProtectedItem
    from ..data.frame_parts import PointsFrameParts

DEFAULT_WORKERS = 16


class ReadPacer:
    """Keeps a pool of workers under ARM's subscription read limit.

    While the last ``x-ms-ratelimit-remaining-subscription-reads`` leaves a token for every request in
    flight (plus ``reserve``), requests go at once. Once the bucket is spent, requests are spaced at
    the rate the bucket is seen to refill (``default_rate`` until the header has been watched for a
    second), so the fleet drains the bucket and then follows its refill without drawing 429s.
    """

    def __init__(self, arm: ArmSession, reserve: int = 1, default_rate: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 subscription: str | None = None):
        self.arm = arm
        self.subscription = subscription
        self.reserve = reserve
        self.default_rate = default_rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._samples: deque[tuple[float, int, int]] = deque(maxlen=128)
        self._done = 0
        self._inflight = 0
        self._next_slot = 0.0
        self.waited = 0.0

    def _remaining(self) -> int | None:
        if self.subscription is None:
            return self.arm.remaining_reads
        return self.arm.remaining_reads_of(self.subscription)

    def observe(self) -> None:
        """Record the end of a request and the remaining-reads header it brought."""
        remaining = self._remaining()
        with self._lock:
            self._done += 1
            self._inflight = max(self._inflight - 1, 0)
            if remaining is not None:
                self._samples.append((self._clock(), remaining, self._done))

    def rate(self) -> float:
        """Estimated refill rate of the read bucket, in reads per second."""
        with self._lock:
            samples = list(self._samples)
        if len(samples) >= 2:
            (t0, r0, d0), (t1, r1, d1) = samples[0], samples[-1]
            if t1 - t0 >= 1.0:
                refilled = (r1 - r0) + (d1 - d0)
                if refilled > 0:
                    return refilled / (t1 - t0)
        return self.default_rate

    def wait(self) -> None:
        """Block until this worker may send its next read; call :meth:`observe` when it has answered."""
        rate = max(self.rate(), 0.5)
        with self._lock:
            remaining = self._remaining()
            now = self._clock()
            if remaining is None or remaining - self._inflight > self.reserve:
                self._inflight += 1
                self._next_slot = max(self._next_slot, now)
                return
            slot = max(self._next_slot, now)
            self._next_slot = slot + 1.0 / rate
            self._inflight += 1
        if slot > now:
            self.waited += slot - now
            self._sleep(slot - now)


@dataclass
class _Outcome:
    item: ProtectedItem
    points: int
    error: BaseException | None = None


class _Progress:
    """A tqdm bar in notebooks with a live frontend, a text line elsewhere."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.total, self.label, self.enabled = 0, label, enabled
        self.bar = None
        self.started = time.monotonic()
        if not enabled:
            return
        from ..core.environment import is_headless

        if not is_headless():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=0, desc=label, unit="VM")
        elif sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=0, desc=label, unit="VM", file=sys.stderr)

    def grow(self) -> None:
        self.total += 1
        if self.bar is not None:
            self.bar.total = self.total
            self.bar.refresh()

    def step(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self, points: int, failures: int) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.enabled:
            print(f"{self.label}: {self.total} VM(s), {points} recovery point(s) in "
                  f"{time.monotonic() - self.started:.1f} s, {failures} failed", flush=True)


def _fetch_points(item: ProtectedItem, pacer: ReadPacer, params: dict[str, str], parts: PointsFrameParts) -> _Outcome:
    """One VM's points, handed to ``parts`` once all its pages are in (a VM that fails gives none)."""
    points: list[dict[str, Any]] = []
    try:
        for page in item.connection.arm.pages(f"{item.ref.path}/recoveryPoints", params=params, pacer=pacer):
            points.extend(page.get("value", []))
    except RestorekitError as exc:
        return _Outcome(item, len(points), exc)
    parts.add(points)
    return _Outcome(item, len(points))


@collector_paused()  # the points held until they become frame parts: see restorekit.core.collector
def collect(
    items: Iterable[ProtectedItem],
    *,
    start: Any = None,
    end: Any = None,
    workers: int = DEFAULT_WORKERS,
    progress: bool = True,
    label: str = "inventory",
) -> pd.DataFrame:
    """Recovery points of ``items``, fetched concurrently, as one typed frame (see module doc)."""
    from ..core.filters import points_filter
    from ..data.failures import KEY as FAILURES
    from ..data.failures import failure_records
    from ..data.frame_parts import PointsFrameParts

    params = points_filter(start, end)
    bar = _Progress(label, progress)
    # VMs in flight: `workers` per subscription, as many as the session keeps connections overall (a VM holds its
    # thread between its pages and while its subscription's read throttle makes it wait)
    pool: FairPool | None = None
    pacers: dict[str, ReadPacer] = {}  # ARM throttles each subscription apart: one pacer each
    # the points become frame parts as they arrive: their dicts do not pile up
    parts = PointsFrameParts(sort_by=["vault", "vm_name", "item_id", "time"])
    futures = []
    try:
        for item in items:  # items may arrive page by page: fetching starts with the first page
            sub = item.ref.subscription_id.lower()
            if pool is None:
                pool = FairPool(max(1, item.connection.arm.pool_size), max(1, workers),
                                thread_name_prefix="restorekit-inventory")
            if sub not in pacers:
                pacers[sub] = ReadPacer(item.connection.arm, subscription=sub)
            futures.append(pool.submit(sub, _fetch_points, item, pacers[sub], params, parts))
            bar.grow()
        for _ in as_completed(futures):
            bar.step()
        outcomes = [future.result() for future in futures]  # in the order the VMs came
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        parts.close()
    frame = parts.frame()
    failures = failure_records(
        {"vault": o.item.vault.name, "vm_name": o.item.vm_name, "protected_item": o.item.ref.item,
         "error": f"{type(o.error).__name__}: {o.error}"} for o in outcomes if o.error is not None)
    frame.attrs[FAILURES] = failures
    for_people(frame)
    bar.close(len(frame), len(failures))
    if failures:
        listing = "; ".join(f"{r['vault']}/{r['vm_name']}: {r['error']}" for r in failures)
        warnings.warn(f"{len(failures)} VM(s) could not be listed and are missing from the inventory "
                      f"(rk.failures(df) lists them): {listing}", RuntimeWarning, stacklevel=3)
    return frame
