"""Resource Graph's per-user quota: a number of queries per 5-second window.

Resource Graph answers every query with ``x-ms-user-quota-remaining`` and
``x-ms-user-quota-resets-after`` (``hh:mm:ss``), and refuses a query over the quota with 429
``RateLimiting`` and ``Retry-After``. Its documented example quota is 15 queries per 5 seconds.
A "user" is the bearer token here (the emulator knows no identities).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

#: The window the quota counts queries in, in seconds.
WINDOW_SECONDS = 5.0


class GraphQuota:
    """Queries left per user in the current window; ``limit`` 0 means no quota."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        self.limit = limit
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def take(self, user: str) -> tuple[bool, int, float]:
        """Count one query of ``user``: ``(allowed, remaining, seconds until the window resets)``."""
        now = self._clock()
        with self._lock:
            start, used = self._windows.get(user, (now, 0))
            if now - start >= WINDOW_SECONDS:
                start, used = now, 0
            reset_in = max(0.0, start + WINDOW_SECONDS - now)
            if self.limit and used >= self.limit:
                return False, 0, reset_in
            used += 1
            self._windows[user] = (start, used)
            return True, max(0, self.limit - used) if self.limit else 0, reset_in


def as_duration(seconds: float) -> str:
    """``hh:mm:ss``, rounded up to the second (``00:00:05``)."""
    whole = math.ceil(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
