"""Fault injection: make the next requests fail the way a flaky gateway does.

``srv.state.faults`` is a :class:`Faults`. Each rule applies to the next ``count`` requests that
match its method and path fragment, then is used up::

    srv.state.faults.fail_next(2, status=503, retry_after=1)       # ARM-envelope 503 + Retry-After
    srv.state.faults.drop_next(1, path_contains="recoveryPoints")  # close the socket, no answer
    srv.state.faults.html_next(1, status=502)                      # an HTML error page
    srv.state.faults.clear()
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


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
        """Forget every pending fault."""
        with self._lock:
            self._rules.clear()

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
