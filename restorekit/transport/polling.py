"""The long-running-operation protocol: 202 + ``Azure-AsyncOperation``/``Location`` + ``Retry-After``.

A small state machine in the style of azure-core's ``base_polling``: one strategy per header,
each with ``can_poll / polling_url / status``:

* :class:`AsyncOperationPolling` follows ``Azure-AsyncOperation`` (``…/operationsStatus/{id}`` or the
  vault's ``backupOperations/{id}``), whose body says ``InProgress`` / ``Succeeded`` / ``Failed`` /
  ``Canceled`` and, on success, ``properties.jobId``;
* :class:`LocationPolling` follows ``Location`` (``…/operationResults/{id}``): 202 while running,
  then 200/204.

:class:`LongRunningOperation` drives one of them. Every wait honours ``Retry-After`` from the first
answer on (the 202's included), clamped to [0.5 s, 120 s], 15 s when absent, unless ``poll_interval``
overrides it. Transient errors (``TransportError``, HTTP 5xx, 429) are retried with exponential backoff;
other errors end the operation. ``sleep`` and ``clock`` are injectable so tests run instantly::

    lro = LongRunningOperation(arm, response)        # response: the POST's ArmResponse (202)
    result = lro.run(timeout=3600)                   # -> OperationResult(status="Succeeded", job_id=…)
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from ..core.errors import ArmError, OperationFailed, TransportError
from ..core.times import parse_time

#: Bounds applied to a server's ``Retry-After`` (seconds).
MIN_INTERVAL = 0.5
MAX_INTERVAL = 120.0
#: Wait used when the service gives no ``Retry-After``.
DEFAULT_INTERVAL = 15.0
#: Consecutive transient failures tolerated while polling before giving up.
MAX_TRANSIENT = 8
#: Backoff after a transient failure: ``BACKOFF_BASE * 2**n`` seconds, at most ``BACKOFF_MAX``.
BACKOFF_BASE = 1.0
BACKOFF_MAX = 60.0

IN_PROGRESS = "InProgress"
SUCCEEDED = "Succeeded"
FAILED = "Failed"
CANCELED = "Canceled"
TERMINAL = frozenset({SUCCEEDED, FAILED, CANCELED})

_STATUS_ALIASES = {
    "inprogress": IN_PROGRESS, "running": IN_PROGRESS, "accepted": IN_PROGRESS, "notstarted": IN_PROGRESS,
    "updating": IN_PROGRESS, "succeeded": SUCCEEDED, "completed": SUCCEEDED, "failed": FAILED,
    "canceled": CANCELED, "cancelled": CANCELED, "invalid": FAILED,
}


def parse_retry_after(headers: Mapping[str, str] | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), unclamped; None if absent/invalid."""
    if not headers:
        return None
    value = _header(headers, "Retry-After")
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def clamp_interval(seconds: float | None, default: float = DEFAULT_INTERVAL) -> float:
    """A server-suggested wait bounded to [``MIN_INTERVAL``, ``MAX_INTERVAL``]; ``default`` when None."""
    if seconds is None:
        return default
    return min(MAX_INTERVAL, max(MIN_INTERVAL, seconds))


def is_transient(exc: BaseException) -> bool:
    """True for errors worth retrying while polling: transport failures, HTTP 5xx and 429."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, ArmError) and (exc.status == 429 or exc.status >= 500)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, val in headers.items():
            if key.lower() == lowered:
                return val
    return value


class PollingStrategy(Protocol):
    """One way of following an operation (one header)."""

    def can_poll(self, headers: Mapping[str, str]) -> bool:
        """True when the initial answer carries this strategy's header."""
        ...

    def polling_url(self, headers: Mapping[str, str]) -> str:
        """The URL to GET."""
        ...

    def status(self, status_code: int, body: Any) -> str:
        """``InProgress``, ``Succeeded``, ``Failed`` or ``Canceled`` from one polling answer."""
        ...


class AsyncOperationPolling:
    """Follows ``Azure-AsyncOperation``: an OperationStatus body with ``status``, ``error``, ``properties``."""

    header = "Azure-AsyncOperation"

    def can_poll(self, headers: Mapping[str, str]) -> bool:
        """True when the answer has an ``Azure-AsyncOperation`` header."""
        return bool(_header(headers, self.header))

    def polling_url(self, headers: Mapping[str, str]) -> str:
        """The ``Azure-AsyncOperation`` URL."""
        return _strip_prefix(str(_header(headers, self.header)))

    def status(self, status_code: int, body: Any) -> str:
        """The body's ``status`` normalised; a body without one is still in progress."""
        if not isinstance(body, dict) or not body.get("status"):
            return IN_PROGRESS
        text = str(body["status"])
        return _STATUS_ALIASES.get(text.lower(), IN_PROGRESS)


class LocationPolling:
    """Follows ``Location``: 202 while the operation runs, then 200 or 204."""

    header = "Location"

    def can_poll(self, headers: Mapping[str, str]) -> bool:
        """True when the answer has a ``Location`` header."""
        return bool(_header(headers, self.header))

    def polling_url(self, headers: Mapping[str, str]) -> str:
        """The ``Location`` URL."""
        return _strip_prefix(str(_header(headers, self.header)))

    def status(self, status_code: int, body: Any) -> str:
        """202 → InProgress; 200/201/204 → Succeeded (or the body's own status when it has one)."""
        if status_code == 202:
            return IN_PROGRESS
        if isinstance(body, dict) and isinstance(body.get("status"), str):
            return _STATUS_ALIASES.get(body["status"].lower(), SUCCEEDED)
        return SUCCEEDED


def _strip_prefix(url: str) -> str:
    """Some examples write header values as ``location: https://…``; keep the URL."""
    url = url.strip()
    for scheme in ("https://", "http://"):
        index = url.find(scheme)
        if index > 0:
            return url[index:]
    return url


#: Strategies tried in order (Azure-AsyncOperation first: it carries the job id).
DEFAULT_STRATEGIES: tuple[PollingStrategy, ...] = (AsyncOperationPolling(), LocationPolling())


@dataclass
class OperationResult:
    """How an operation ended: ``status``, the job it created (``job_id``), the service's ``error``."""

    status: str
    job_id: str | None = None
    error: dict[str, Any] | None = None
    body: Any = None
    polls: int = 0
    start_time: datetime | None = None
    end_time: datetime | None = None


@dataclass
class LongRunningOperation:
    """One long-running operation, followed from its initial answer (see the module doc).

    ``session`` needs ``request(method, url, ok=...) -> ArmResponse`` (an :class:`~restorekit.arm.ArmSession`).
    Drive it with :meth:`run` (blocking), :meth:`arun` (asyncio) or :meth:`step` (one poll, returns the wait).
    ``polls`` counts status requests; ``interval`` is the current wait; ``status`` the last known state.
    """

    session: Any
    initial_status: int
    initial_headers: Mapping[str, str]
    initial_body: Any = None
    poll_interval: float | None = None
    sleep: Callable[[float], Any] = time.sleep
    clock: Callable[[], float] = time.monotonic
    strategies: tuple[PollingStrategy, ...] = DEFAULT_STRATEGIES
    status: str = IN_PROGRESS
    polls: int = 0
    transient_failures: int = 0
    last_error: BaseException | None = None
    body: Any = None
    interval: float = DEFAULT_INTERVAL
    strategy: PollingStrategy | None = field(default=None)
    url: str | None = None

    def __post_init__(self) -> None:
        self.strategy = next((s for s in self.strategies if s.can_poll(self.initial_headers)), None)
        self.url = self.strategy.polling_url(self.initial_headers) if self.strategy else None
        self.interval = self._interval(self.initial_headers)
        self.body = self.initial_body
        if self.strategy is None:
            # nothing to follow: a synchronous answer is final
            self.status = SUCCEEDED if self.initial_status in (200, 201, 204) else IN_PROGRESS

    @classmethod
    def from_response(cls, session: Any, response: Any, **kwargs: Any) -> LongRunningOperation:
        """Start following an :class:`~restorekit.arm.ArmResponse` (the POST's 202)."""
        return cls(session, response.status, response.headers, response.body, **kwargs)

    # -- state --------------------------------------------------------------------------------------
    @property
    def can_poll(self) -> bool:
        """True when the initial answer named a URL to poll."""
        return self.url is not None

    @property
    def done(self) -> bool:
        """True once the operation reached a terminal status."""
        return self.status in TERMINAL

    @property
    def job_id(self) -> str | None:
        """The job the operation created (``properties.jobId``), once known."""
        return job_id_of(self.body)

    @property
    def error(self) -> dict[str, Any] | None:
        """The service's ``error`` object of a failed operation (``{code, message, …}``)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"]
        return None

    def _interval(self, headers: Mapping[str, str] | None) -> float:
        if self.poll_interval is not None:
            return max(0.0, float(self.poll_interval))
        suggested = parse_retry_after(headers)
        if suggested is None:
            # keep the last server suggestion when an answer omits it
            return self.interval if self.polls else DEFAULT_INTERVAL
        return clamp_interval(suggested)

    # -- driving ------------------------------------------------------------------------------------
    def step(self) -> float:
        """Send one status request and update the state; returns how long to wait before the next.

        Transient errors are counted and answered with a backoff wait; after ``MAX_TRANSIENT`` in a
        row, or on any other error, the error is raised.
        """
        if self.url is None:
            raise TransportError("the operation's answer had neither Azure-AsyncOperation nor Location; "
                                 "nothing to poll")
        self.polls += 1
        try:
            response = self.session.request("GET", self.url, ok=(200, 201, 202, 204))
        except (ArmError, TransportError) as exc:
            if not is_transient(exc):
                raise
            self.transient_failures += 1
            self.last_error = exc
            if self.transient_failures > MAX_TRANSIENT:
                raise
            backoff = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (self.transient_failures - 1))
            suggested = parse_retry_after(getattr(exc, "headers", None))
            return max(backoff, clamp_interval(suggested, 0.0)) if suggested is not None else backoff
        self.transient_failures = 0
        self.last_error = None
        self.body = response.body
        assert self.strategy is not None
        self.status = self.strategy.status(response.status, response.body)
        self.interval = self._interval(response.headers)
        return self.interval

    def run(self, timeout: float | None = None, should_stop: Callable[[], bool] | None = None,
            on_update: Callable[[LongRunningOperation], Any] | None = None) -> OperationResult:
        """Poll until the operation ends (waiting ``interval`` first, as the 202 asked); return the result.

        Raises ``OperationFailed`` (the service's code and message) when it failed, ``TimeoutError`` after
        ``timeout`` seconds, and the last error when polling keeps failing. ``should_stop`` returning True
        ends the loop early with the current (non-terminal) status.
        """
        poll_loop(done=lambda: self.done, poll=self.step, first_delay=self.interval, timeout=timeout,
                  clock=self.clock, sleep=self.sleep, should_stop=should_stop,
                  on_update=None if on_update is None else (lambda: on_update(self)),
                  timed_out=lambda: (f"the operation was still {self.status} after {timeout:g} s "
                                     f"({self.polls} status request(s) to {self.url})"))
        return self.result()

    async def arun(self, timeout: float | None = None) -> OperationResult:
        """Like :meth:`run` on an asyncio loop: requests in a worker thread, waits with ``asyncio.sleep``."""
        deadline = None if timeout is None else self.clock() + timeout
        delay = self.interval
        while not self.done:
            if deadline is not None:
                left = deadline - self.clock()
                if left <= 0:
                    raise TimeoutError(f"the operation was still {self.status} after {timeout:g} s")
                delay = min(delay, left)
            await asyncio.sleep(delay)
            delay = await asyncio.to_thread(self.step)
        return self.result()

    def result(self) -> OperationResult:
        """The outcome so far; raises ``OperationFailed`` if the service said the operation failed."""
        body = self.body if isinstance(self.body, dict) else {}
        if self.status == FAILED:
            raise operation_failed(self.error or {}, what=f"the operation {self.url or ''}".strip())
        return OperationResult(self.status, self.job_id, self.error, self.body, self.polls,
                               parse_time(body.get("startTime")), parse_time(body.get("endTime")))


def poll_loop(*, done: Callable[[], bool], poll: Callable[[], float], first_delay: float, timeout: float | None,
              clock: Callable[[], float], sleep: Callable[[float], Any], timed_out: Callable[[], str],
              should_stop: Callable[[], bool] | None = None, on_update: Callable[[], Any] | None = None) -> None:
    """Wait ``first_delay``, ``poll()`` (which returns the next delay), and so on until ``done()``.

    Raises ``TimeoutError(timed_out())`` once ``timeout`` seconds have passed; ``should_stop()`` ends the
    loop early; ``on_update()`` runs after each poll. The one polling loop of operations and jobs.
    """
    deadline = None if timeout is None else clock() + timeout
    delay = first_delay
    while not done():
        if should_stop is not None and should_stop():
            return
        if deadline is not None:
            left = deadline - clock()
            if left <= 0:
                raise TimeoutError(timed_out())
            delay = min(delay, left)
        sleep(delay)
        if should_stop is not None and should_stop():
            return
        delay = poll()
        if on_update is not None:
            on_update()


def job_id_of(body: Any) -> str | None:
    """``properties.jobId`` of an OperationStatus body (``OperationStatusJobExtendedInfo``), or None."""
    if not isinstance(body, dict):
        return None
    props = body.get("properties")
    if isinstance(props, dict):
        if props.get("jobId"):
            return str(props["jobId"])
        ids = props.get("jobIds")
        if isinstance(ids, list) and len(ids) == 1:
            return str(ids[0])
    return None


def operation_failed(error: Mapping[str, Any], *, what: str = "the operation", job_id: str | None = None,
                     recommendations: list[str] | None = None) -> OperationFailed:
    """An ``OperationFailed`` quoting the service's code, message and recommendations.

    The exception carries ``code``, ``service_message``, ``recommendations`` and ``job_id`` attributes.
    """
    code = str(error.get("code") or error.get("errorCode") or "Unknown")
    message = str(error.get("message") or error.get("errorString") or "the service gave no message")
    recs = list(recommendations or [])
    for detail in [error, *(error.get("details") or [])]:
        if isinstance(detail, Mapping):
            recs.extend(str(r) for r in detail.get("recommendations") or [] if str(r) not in recs)
    text = f"{what} failed: {code}: {message}"
    for rec in recs:
        text += f"\n  recommendation: {rec}"
    exc = OperationFailed(text)
    exc.code = code  # type: ignore[attr-defined]
    exc.service_message = message  # type: ignore[attr-defined]
    exc.recommendations = recs  # type: ignore[attr-defined]
    exc.job_id = job_id  # type: ignore[attr-defined]
    return exc
