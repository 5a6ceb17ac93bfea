"""What Resource Graph keeps between queries: tables' rows while the estate is unchanged, and paged results.

* **Rows.** A table's rows of one resource type are built once and kept with the version of what they were
  built from (the inventory's ``version`` for VMs, the vaults' items for protected items); a query reads them
  again only after a change. Rows whose content moves with the clock (backup jobs) are built for every query.
* **Paged results.** The first page of a query computes all of its rows and keeps them under a snapshot id,
  which its ``$skipToken`` carries: the next pages are read from the snapshot, so pages never mix two states
  of the estate and a query is computed once, not once a page. Snapshots live ``SNAPSHOT_SECONDS`` (then a
  token still works: the query is computed again), at most ``MAX_SNAPSHOTS`` at a time, the oldest dropped.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

#: How long a paged result is kept for its next pages, in seconds.
SNAPSHOT_SECONDS = 300.0
#: How many paged results are kept at a time.
MAX_SNAPSHOTS = 16


class GraphCache:
    """Rows per (table, resource type) and version; paged results per snapshot id."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], tuple[Hashable, Any]] = {}
        self._snapshots: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._ids = itertools.count(1)

    def rows(self, table: str, kind: str, version: Hashable, build: Callable[[], Any]) -> Any:
        """The rows of ``kind`` in ``table`` built at ``version`` (``build()`` them when older or absent)."""
        key = (table, kind)
        with self._lock:
            kept = self._rows.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]
        built = build()
        with self._lock:
            self._rows[key] = (version, built)
        return built

    def keep(self, result: Any) -> str:
        """Keep a query's result for its next pages; its snapshot id."""
        now = self._clock()
        with self._lock:
            snapshot = str(next(self._ids))
            self._snapshots[snapshot] = (now, result)
            self._drop_old(now)
            return snapshot

    def snapshot(self, snapshot: str) -> Any | None:
        """The result kept under ``snapshot``, or None when it is gone (expired, or pushed out)."""
        now = self._clock()
        with self._lock:
            self._drop_old(now)
            kept = self._snapshots.get(snapshot)
            return None if kept is None else kept[1]

    def _drop_old(self, now: float) -> None:
        while self._snapshots and (len(self._snapshots) > MAX_SNAPSHOTS
                                   or now - next(iter(self._snapshots.values()))[0] > SNAPSHOT_SECONDS):
            self._snapshots.popitem(last=False)
