"""A fault storm: a seeded, rate-based mix of the failures a flaky gateway produces.

On each matching request a storm draws one of:

* ``error``: a 5xx with the ARM envelope (500, 502, 503 or 504; some with ``Retry-After``);
* ``reset``: the connection is reset before the request is processed;
* ``lost_answer``: the request is processed in full (a restore job is created), then the
  connection is reset without an answer;
* ``slow``: the request is processed, then the answer waits ``slow_seconds`` (longer than a
  client's read timeout);
* nothing (``passed``).

``counts`` tells how many of each it injected (and ``requests``, how many it saw), so that the
kinds plus ``passed`` add up to ``requests``.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

#: The kinds a storm injects, in the order of the rates.
KINDS = ("error", "reset", "lost_answer", "slow")


@dataclass(frozen=True)
class StormDraw:
    """What to do to one request: ``kind`` in ``KINDS``; ``status``/``retry_after`` for errors; ``seconds`` for slow."""

    kind: str
    status: int = 503
    retry_after: int | None = None
    seconds: float = 0.0


class Storm:
    """Draws faults for matching requests at the given rates, reproducibly for a ``seed``."""

    def __init__(self, *, error_rate: float = 0.0, reset_rate: float = 0.0, reset_after_share: float = 0.5,
                 slow_rate: float = 0.0, slow_seconds: float = 5.0, seed: int = 0,
                 methods: tuple[str, ...] | None = None, path_contains: str | None = None,
                 exempt: tuple[str, ...] = ("/oauth2/",)) -> None:
        rates = (error_rate, reset_rate, slow_rate)
        if any(r < 0 for r in rates) or sum(rates) > 1 or not 0 <= reset_after_share <= 1:
            raise ValueError("rates must be >= 0 and add up to at most 1; reset_after_share within 0..1")
        self.error_rate, self.reset_rate, self.slow_rate = rates
        self.reset_after_share = reset_after_share
        self.slow_seconds = slow_seconds
        self.methods = tuple(m.upper() for m in methods) if methods else None
        self.path_contains = path_contains
        self.exempt = exempt
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {"requests": 0, **{kind: 0 for kind in KINDS}, "passed": 0}

    def matches(self, method: str, path: str) -> bool:
        """True when the storm applies to this request."""
        lowered = path.lower()
        if any(fragment.lower() in lowered for fragment in self.exempt):
            return False
        if self.methods and method.upper() not in self.methods:
            return False
        return not self.path_contains or self.path_contains.lower() in lowered

    def draw(self, method: str, path: str) -> StormDraw | None:
        """The fault for this request, or None (also counted, as ``passed``) when it goes through."""
        if not self.matches(method, path):
            return None
        with self._lock:
            self.counts["requests"] += 1
            u = self._rng.random()
            if u < self.error_rate:
                status = self._rng.choice((500, 502, 503, 504))
                draw = StormDraw("error", status, self._rng.choice((None, 1, 2)))
            elif u < self.error_rate + self.reset_rate:
                after = self._rng.random() < self.reset_after_share
                draw = StormDraw("lost_answer" if after else "reset")
            elif u < self.error_rate + self.reset_rate + self.slow_rate:
                draw = StormDraw("slow", seconds=self.slow_seconds)
            else:
                self.counts["passed"] += 1
                return None
            self.counts[draw.kind] += 1
            return draw
