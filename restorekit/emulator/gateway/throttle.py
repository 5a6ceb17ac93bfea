"""ARM's per-subscription throttle: a token bucket per subscription and kind (reads, writes).

ARM's limits (2024 on): reads 250 tokens refilled at 25/s, writes 200 refilled at 10/s, per
subscription (the buckets: ``state.buckets``). The gateway calls :func:`admit` before routing and stamps
:func:`remaining_headers`.
"""

from __future__ import annotations

import re

from werkzeug.wrappers import Request

from ..arm.errors import ApiError
from ..state import State

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
