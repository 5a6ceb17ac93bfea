"""Fault injection: make the next requests fail the way a flaky gateway does.

``srv.state.faults`` is a :class:`Faults`. Each rule applies to the next ``count`` requests that
match its method and path fragment, then is used up::

    srv.state.faults.fail_next(2, status=503, retry_after=1)       # ARM-envelope 503 + Retry-After
    srv.state.faults.drop_next(1, path_contains="recoveryPoints")  # close the socket, no answer
    srv.state.faults.html_next(1, status=502)                      # an HTML error page
    srv.state.faults.clear()

On top of the queue, a seeded storm draws faults at given rates (see ``storm``), and a regional
outage makes a region's active stamp answer 503 (see ``gateway.outage``)::

    srv.state.faults.storm(error_rate=0.1, reset_rate=0.05, slow_rate=0.03, slow_seconds=3, seed=7)
    srv.state.faults.counts                                        # {"requests": …, "error": …, …}
    srv.state.faults.calm()
    srv.state.faults.region_outage("westus"); srv.state.faults.end_outage()
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .storm import Storm, StormDraw


@dataclass
class Fault:
    """One injected fault: ``kind`` is ``"status"``, ``"drop"`` or ``"html"``."""

    kind: str
    count: int
    status: int = 503
    retry_after: int | None = 1
    method: str | None = None
    path_contains: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """True when this fault applies to a request with this method and path."""
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path_contains or self.path_contains.lower() in path.lower()


class Faults:
    """The queue of pending faults; thread-safe; rules are tried in the order they were added."""

    def __init__(self) -> None:
        self._rules: list[Fault] = []
        self._lock = threading.Lock()
        self.fired = 0
        self._storm: Storm | None = None
        self._last_counts: dict[str, int] = {}
        self._outages: set[str] = set()

    def _add(self, fault: Fault) -> Fault:
        if fault.count < 1:
            raise ValueError("count must be >= 1")
        with self._lock:
            self._rules.append(fault)
        return fault

    def fail_next(self, count: int = 1, *, status: int = 503, retry_after: int | None = 1,
                  method: str | None = None, path_contains: str | None = None) -> Fault:
        """Answer the next ``count`` matching requests with ``status`` (ARM envelope, ``Retry-After``)."""
        return self._add(Fault("status", count, status, retry_after, method, path_contains))

    def drop_next(self, count: int = 1, *, method: str | None = None,
                  path_contains: str | None = None) -> Fault:
        """Close the connection without answering the next ``count`` matching requests."""
        return self._add(Fault("drop", count, 0, None, method, path_contains))

    def html_next(self, count: int = 1, *, status: int = 502, method: str | None = None,
                  path_contains: str | None = None) -> Fault:
        """Answer the next ``count`` matching requests with an HTML error page (as a proxy would)."""
        return self._add(Fault("html", count, status, None, method, path_contains))

    def clear(self) -> None:
        """Forget every pending fault, calm any storm and end any outage."""
        with self._lock:
            self._rules.clear()
        self.calm()
        self.end_outage()

    def storm(self, *, error_rate: float = 0.0, reset_rate: float = 0.0, reset_after_share: float = 0.5,
              slow_rate: float = 0.0, slow_seconds: float = 5.0, seed: int = 0,
              methods: tuple[str, ...] | list[str] | None = None, path_contains: str | None = None,
              exempt: tuple[str, ...] = ("/oauth2/",)) -> Storm:
        """Start a storm (replacing any): each matching request draws a fault at these rates (see ``storm``).

        ``methods``/``path_contains`` narrow it; paths containing an ``exempt`` fragment (the token
        endpoint by default) are never touched. The counts start again from zero.
        """
        storm = Storm(error_rate=error_rate, reset_rate=reset_rate, reset_after_share=reset_after_share,
                      slow_rate=slow_rate, slow_seconds=slow_seconds, seed=seed,
                      methods=tuple(methods) if methods else None, path_contains=path_contains, exempt=exempt)
        with self._lock:
            self._storm = storm
        return storm

    def calm(self) -> None:
        """End the storm (its counts stay readable)."""
        with self._lock:
            if self._storm is not None:
                self._last_counts = dict(self._storm.counts)
            self._storm = None

    @property
    def counts(self) -> dict[str, int]:
        """What the current (or last) storm injected: ``requests``, ``error``, ``reset``, ``lost_answer``,
        ``slow`` and ``passed``."""
        with self._lock:
            storm = self._storm
            last = dict(self._last_counts)
        return dict(storm.counts) if storm is not None else last

    def storm_draw(self, method: str, path: str) -> StormDraw | None:
        """The storm's fault for this request, if a storm blows and draws one."""
        with self._lock:
            storm = self._storm
        return storm.draw(method, path) if storm is not None else None

    def region_outage(self, region: str) -> None:
        """Start an outage of ``region``'s active stamp (see ``outage``)."""
        with self._lock:
            self._outages.add(region.lower().replace(" ", ""))

    def end_outage(self, region: str | None = None) -> None:
        """End the outage of ``region``, or of every region."""
        with self._lock:
            if region is None:
                self._outages.clear()
            else:
                self._outages.discard(region.lower().replace(" ", ""))

    @property
    def outage_regions(self) -> frozenset[str]:
        """The regions out now."""
        with self._lock:
            return frozenset(self._outages)

    @property
    def pending(self) -> list[Fault]:
        """A copy of the pending rules."""
        with self._lock:
            return list(self._rules)

    def take(self, method: str, path: str) -> Fault | None:
        """The fault to apply to this request, if any (uses one of its count)."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
                    self.fired += 1
                    return rule
        return None
