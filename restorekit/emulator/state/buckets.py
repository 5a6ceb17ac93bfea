"""Token buckets: ARM's per-subscription throttle keeps one per subscription and kind (reads, writes)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable


class TokenBucket:
    """A token bucket: ``capacity`` tokens, refilled at ``refill`` tokens per second.

    ``take()`` returns ``(True, remaining)`` or ``(False, retry_after_seconds)``.
    """

    def __init__(self, capacity: int, refill: float, clock: Callable[[], float]) -> None:
        self.capacity = capacity
        self.refill = refill
        self._clock = clock
        self._tokens = float(capacity)
        self._stamp = clock()
        self._lock = threading.Lock()

    def _update(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.capacity), self._tokens + (now - self._stamp) * self.refill)
        self._stamp = now

    def take(self) -> tuple[bool, int]:
        """Take one token if there is one; else say how many whole seconds until one exists (>= 1)."""
        with self._lock:
            self._update()
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True, int(self._tokens)
            if self.refill <= 0:
                return False, 60
            return False, max(1, math.ceil((1.0 - self._tokens) / self.refill))

    @property
    def remaining(self) -> int:
        """Whole tokens left now."""
        with self._lock:
            self._update()
            return int(self._tokens)

    def drain(self) -> None:
        """Empty the bucket (tests use it to provoke a 429)."""
        with self._lock:
            self._update()
            self._tokens = 0.0
