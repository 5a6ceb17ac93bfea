"""ARM's per-subscription throttle: a token bucket per subscription and kind (reads, writes).

ARM's limits (2024 on): reads 250 tokens refilled at 25/s, writes 200 refilled at 10/s, per
subscription. The gateway calls :func:`admit` before routing and stamps :func:`remaining_headers`.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request

from .errors import ApiError

if TYPE_CHECKING:
    from .state import State


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


_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)", re.I)
#: Methods ARM counts as writes (it counts deletes apart, with the same limits; the emulator has none).
WRITE_METHODS = frozenset({"PUT", "PATCH", "POST", "DELETE"})


def _scope(request: Request) -> tuple[str, str] | None:
    """``(subscription or "-", "read" | "write")`` of a throttled request; None when ARM does not count it here.

    Writes outside a subscription (Resource Graph queries, the token endpoint) are not subscription writes.
    """
    m = _SUBSCRIPTION.match(request.path)
    kind = "write" if request.method.upper() in WRITE_METHODS else "read"
    if kind == "write" and m is None:
        return None
    return (m.group(1) if m else "-"), kind


def admit(state: State, request: Request) -> None:
    """Take a token from the request's subscription bucket; 429 ``SubscriptionRequestsThrottled`` when empty."""
    scope = _scope(request)
    if not state.settings.throttle or scope is None:
        return
    subscription, kind = scope
    ok, value = state.bucket(subscription, kind).take()
    if not ok:
        raise ApiError(429, "SubscriptionRequestsThrottled",
                       f"Number of '{kind}' requests for subscription actor exceeded. Please try again after "
                       f"'{value}' seconds after the first request.",
                       headers={"Retry-After": str(value), f"x-ms-ratelimit-remaining-subscription-{kind}s": "0"})


def remaining_headers(state: State, request: Request) -> dict[str, str]:
    """``x-ms-ratelimit-remaining-subscription-reads`` or ``-writes`` for the answer to ``request``."""
    scope = _scope(request)
    if scope is None:
        return {}
    subscription, kind = scope
    if state.settings.throttle:
        remaining = state.bucket(subscription, kind).remaining
    else:
        remaining = 11999 if kind == "read" else 1199  # ARM's hourly figures, as it printed them before buckets
    return {f"x-ms-ratelimit-remaining-subscription-{kind}s": str(remaining)}
