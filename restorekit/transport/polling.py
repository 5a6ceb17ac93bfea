"""The long-running-operation protocol: 202 + ``Azure-AsyncOperation``/``Location`` + ``Retry-After``.

Split the way azure-core's ``base_polling`` splits it:

* **polling methods**, one per header, each with ``can_poll / polling_url / status``:
  :class:`AsyncOperationPolling` follows ``Azure-AsyncOperation`` (``…/operationsStatus/{id}`` or the vault's
  ``backupOperations/{id}``), whose body says ``InProgress`` / ``Succeeded`` / ``Failed`` / ``Canceled`` and,
  on success, ``properties.jobId``; :class:`LocationPolling` follows ``Location`` (``…/operationResults/{id}``):
  202 while running, then 200/204. :class:`RehostedPolling` keeps either on the connection's own host and
  api-version (the passive stamp answers with regional hosts);
* **the state**: :class:`LongRunningOperation` holds status, body and the next wait, and moves one status
  request at a time with :meth:`~LongRunningOperation.step`;
* **drivers** (:mod:`restorekit.transport.driver`) run any such steppable work: blocking, on an asyncio loop or
  in a background thread. Display sits on top, in the restore layer and the widgets.

Every wait honours ``Retry-After`` from the first answer on (the 202's included), clamped to [0.5 s, 120 s],
15 s when absent, unless ``poll_interval`` overrides it. Transient errors (``TransportError``, HTTP 5xx, 429)
are retried with :class:`Backoff`, the one retry-and-backoff helper; other errors end the operation.
``sleep`` and ``clock`` are injectable so tests run instantly::

    lro = LongRunningOperation.from_response(arm, response)   # response: the POST's ArmResponse (202)
    result = lro.run(timeout=3600)                             # -> OperationResult(status="Succeeded", job_id=…)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..core.errors import ArmError, OperationFailed, TransportError
from ..core.protocols import ArmAnswer, ArmApi
from ..core.times import parse_time
from .driver import drive, drive_async

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


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """A header's value, whatever the case of its name (None when absent)."""
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, val in headers.items():
            if key.lower() == lowered:
                return val
    return value


def parse_retry_after(headers: Mapping[str, str] | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), unclamped; None if absent/invalid."""
    value = header(headers, "Retry-After")
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


def suggested_interval(headers: Mapping[str, str] | None) -> float | None:
    """The answer's ``Retry-After``, clamped; None when it has none."""
    seconds = parse_retry_after(headers)
    return None if seconds is None else clamp_interval(seconds)


def is_transient(exc: BaseException) -> bool:
    """True for errors worth retrying while polling: transport failures, HTTP 5xx and 429."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, ArmError) and (exc.status == 429 or exc.status >= 500)


class Backoff:
    """The one retry-and-backoff helper: counts consecutive transient failures and says how long to wait.

    After the n-th failure in a row the wait is ``base * 2**(n-1)`` seconds, at most ``cap``, or the error's
    ``Retry-After`` when it asks for longer. A failure that is not transient, or one failure more than
    ``limit`` in a row, is raised again. ``reset()`` after a success.
    """

    def __init__(self, limit: int = MAX_TRANSIENT, base: float = BACKOFF_BASE, cap: float = BACKOFF_MAX) -> None:
        self.limit = limit
        self.base = base
        self.cap = cap
        self.failures = 0
        self.last_error: BaseException | None = None

    def after_failure(self, exc: BaseException) -> float:
        """The wait before trying again after ``exc``; raises ``exc`` when it must not be retried."""
        if not is_transient(exc):
            raise exc
        self.failures += 1
        self.last_error = exc
        if self.failures > self.limit:
            raise exc
        delay = min(self.cap, self.base * 2 ** (self.failures - 1))
        suggested = parse_retry_after(getattr(exc, "headers", None))
        return max(delay, clamp_interval(suggested, 0.0)) if suggested is not None else delay

    def reset(self) -> None:
        """Forget the failures (after a success)."""
        self.failures = 0
        self.last_error = None

    def call(self, func: Callable[[], Any], sleep: Callable[[float], Any]) -> Any:
        """``func()``, retried after transient failures (sleeping the backoff between tries)."""
        while True:
            try:
                result = func()
            except (ArmError, TransportError) as exc:
                sleep(self.after_failure(exc))
                continue
            self.reset()
            return result


class PollingMethod(Protocol):
    """One way of following an operation (one header)."""

    def can_poll(self, headers: Mapping[str, str]) -> bool:
        """True when the initial answer carries this method's header."""
        ...

    def polling_url(self, headers: Mapping[str, str]) -> str:
        """The URL to GET."""
        ...

    def status(self, status_code: int, body: Any) -> str:
        """``InProgress``, ``Succeeded``, ``Failed`` or ``Canceled`` from one polling answer."""
        ...


#: The former name of :class:`PollingMethod`.
PollingStrategy = PollingMethod


def _strip_prefix(url: str) -> str:
    """Some examples write header values as ``location: https://…``; keep the URL."""
    url = url.strip()
    for scheme in ("https://", "http://"):
        index = url.find(scheme)
        if index > 0:
            return url[index:]
    return url


class _HeaderPolling:
    """A polling method that follows the URL of one header."""

    header = ""

    def can_poll(self, headers: Mapping[str, str]) -> bool:
        """True when the answer has this method's header."""
        return bool(header(headers, self.header))

    def polling_url(self, headers: Mapping[str, str]) -> str:
        """The header's URL."""
        return _strip_prefix(str(header(headers, self.header)))


class AsyncOperationPolling(_HeaderPolling):
    """Follows ``Azure-AsyncOperation``: an OperationStatus body with ``status``, ``error``, ``properties``."""

    header = "Azure-AsyncOperation"

    def status(self, status_code: int, body: Any) -> str:
        """The body's ``status`` normalised; a body without one is still in progress."""
        if not isinstance(body, dict) or not body.get("status"):
            return IN_PROGRESS
        return _STATUS_ALIASES.get(str(body["status"]).lower(), IN_PROGRESS)


class LocationPolling(_HeaderPolling):
    """Follows ``Location``: 202 while the operation runs, then 200 or 204."""

    header = "Location"

    def status(self, status_code: int, body: Any) -> str:
        """202 → InProgress; 200/201/204 → Succeeded (or the body's own status when it has one)."""
        if status_code == 202:
            return IN_PROGRESS
        if isinstance(body, dict) and isinstance(body.get("status"), str):
            return _STATUS_ALIASES.get(body["status"].lower(), SUCCEEDED)
        return SUCCEEDED


class RehostedPolling:
    """A polling method whose URL is moved onto ``endpoint`` with ``api_version``.

    The passive stamp's answers name regional hosts and ``api-version=2018-12-20-preview``; only the path is
    kept, so the bearer token is never sent to another host.
    """

    def __init__(self, method: PollingMethod, endpoint: str, api_version: str) -> None:
        self.method = method
        self.endpoint = endpoint.rstrip("/")
        self.api_version = api_version

    def can_poll(self, headers: Mapping[str, str]) -> bool:
        """True when the wrapped method can poll this answer."""
        return self.method.can_poll(headers)

    def polling_url(self, headers: Mapping[str, str]) -> str:
        """The wrapped method's URL, moved onto the endpoint with the api-version."""
        url = self.method.polling_url(headers)
        path = urlsplit(url).path if url.startswith(("http://", "https://")) else url.split("?", 1)[0]
        return f"{self.endpoint}{path}?api-version={self.api_version}"

    def status(self, status_code: int, body: Any) -> str:
        """The wrapped method's reading of an answer."""
        return self.method.status(status_code, body)


#: Methods tried in order (Azure-AsyncOperation first: it carries the job id).
DEFAULT_METHODS: tuple[PollingMethod, ...] = (AsyncOperationPolling(), LocationPolling())
#: The headers a continuation keeps (what the methods follow).
POLLING_HEADERS = (AsyncOperationPolling.header, LocationPolling.header)
DEFAULT_STRATEGIES = DEFAULT_METHODS


def rehosted_methods(endpoint: str, api_version: str) -> tuple[PollingMethod, ...]:
    """The default methods, each kept on ``endpoint`` with ``api_version``."""
    return tuple(RehostedPolling(method, endpoint, api_version) for method in DEFAULT_METHODS)


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

    ``session`` needs ``request(method, url, ok=...) -> ArmResponse`` (an :class:`~restorekit.transport.arm.ArmSession`).
    Move it with :meth:`step` (one status request, returns the wait before the next), or let a driver run it:
    :meth:`run` (blocking) or :meth:`arun` (asyncio). ``polls`` counts status requests; ``interval`` is the
    current wait; ``status`` the last known state.
    """

    session: Any
    initial_status: int
    initial_headers: Mapping[str, str]
    initial_body: Any = None
    poll_interval: float | None = None
    sleep: Callable[[float], Any] = time.sleep
    clock: Callable[[], float] = time.monotonic
    strategies: tuple[PollingMethod, ...] = DEFAULT_METHODS
    status: str = IN_PROGRESS
    polls: int = 0
    body: Any = None
    interval: float = DEFAULT_INTERVAL
    strategy: PollingMethod | None = field(default=None)
    url: str | None = None
    backoff: Backoff = field(default_factory=Backoff)

    def __post_init__(self) -> None:
        self.strategy = next((s for s in self.strategies if s.can_poll(self.initial_headers)), None)
        self.url = self.strategy.polling_url(self.initial_headers) if self.strategy else None
        self.interval = self._interval(self.initial_headers)
        self.body = self.initial_body
        if self.strategy is None:
            # nothing to follow: a synchronous answer is final
            self.status = SUCCEEDED if self.initial_status in (200, 201, 204) else IN_PROGRESS

    @classmethod
    def from_response(cls, session: ArmApi, response: ArmAnswer, **kwargs: Any) -> LongRunningOperation:
        """Start following an :class:`~restorekit.transport.arm.ArmResponse` (the POST's 202)."""
        return cls(session, response.status, response.headers, response.body, **kwargs)

    def continuation(self) -> dict[str, object]:
        """What :meth:`from_continuation` needs to follow this operation elsewhere: the polling headers of the
        initial answer, the status and the wait (no body, no secret: ARM's operation URLs carry none)."""
        headers = {name: str(value) for name in POLLING_HEADERS if (value := header(self.initial_headers, name))}
        return {"headers": headers, "status": self.status, "interval": self.interval, "polls": self.polls}

    @classmethod
    def from_continuation(cls, session: ArmApi, data: Mapping[str, Any], **kwargs: Any) -> LongRunningOperation:
        """The operation :meth:`continuation` described, followed through ``session`` (a new process's)."""
        lro = cls(session, 202, dict(data.get("headers") or {}), None, **kwargs)
        status = str(data.get("status") or IN_PROGRESS)
        lro.status = status if status in TERMINAL or status == IN_PROGRESS else IN_PROGRESS
        lro.polls = int(data.get("polls") or 0)
        if lro.poll_interval is None and isinstance(data.get("interval"), int | float):
            lro.interval = float(data["interval"])
        return lro

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
    def transient_failures(self) -> int:
        """Transient failures in a row so far."""
        return self.backoff.failures

    @property
    def last_error(self) -> BaseException | None:
        """The last transient failure, while polling retries it."""
        return self.backoff.last_error

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
        suggested = suggested_interval(headers)
        if suggested is None:
            # keep the last server suggestion when an answer omits it
            return self.interval if self.polls else DEFAULT_INTERVAL
        return suggested

    # -- moving -------------------------------------------------------------------------------------
    def step(self) -> float:
        """Send one status request and update the state; returns how long to wait before the next.

        Transient errors are answered with a :class:`Backoff` wait; after ``MAX_TRANSIENT`` in a row, or on
        any other error, the error is raised.
        """
        if self.url is None:
            raise TransportError("the operation's answer had neither Azure-AsyncOperation nor Location; "
                                 "nothing to poll")
        self.polls += 1
        try:
            response = self.session.request("GET", self.url, ok=(200, 201, 202, 204))
        except (ArmError, TransportError) as exc:
            return self.backoff.after_failure(exc)
        self.backoff.reset()
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
        drive(self, first_delay=self.interval, timeout=timeout, clock=self.clock, sleep=self.sleep,
              should_stop=should_stop, on_update=None if on_update is None else (lambda: on_update(self)),
              timed_out=lambda: (f"the operation was still {self.status} after {timeout:g} s "
                                 f"({self.polls} status request(s) to {self.url})"))
        return self.result()

    async def arun(self, timeout: float | None = None) -> OperationResult:
        """Like :meth:`run` on an asyncio loop: requests in a worker thread, waits with ``asyncio.sleep``."""
        await drive_async(self, first_delay=self.interval, timeout=timeout, clock=self.clock,
                          timed_out=lambda: f"the operation was still {self.status} after {timeout:g} s")
        return self.result()

    def result(self) -> OperationResult:
        """The outcome so far; raises ``OperationFailed`` if the service said the operation failed."""
        body = self.body if isinstance(self.body, dict) else {}
        if self.status == FAILED:
            raise operation_failed(self.error or {}, what=f"the operation {self.url or ''}".strip())
        return OperationResult(self.status, self.job_id, self.error, self.body, self.polls,
                               parse_time(body.get("startTime")), parse_time(body.get("endTime")))


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
    """An ``OperationFailed`` quoting the service's code, message and recommendations."""
    code = str(error.get("code") or error.get("errorCode") or "Unknown")
    message = str(error.get("message") or error.get("errorString") or "the service gave no message")
    recs = list(recommendations or [])
    for detail in [error, *(error.get("details") or [])]:
        if isinstance(detail, Mapping):
            recs.extend(str(r) for r in detail.get("recommendations") or [] if str(r) not in recs)
    text = f"{what} failed: {code}: {message}"
    for rec in recs:
        text += f"\n  recommendation: {rec}"
    return OperationFailed(text, code=code, service_message=message, recommendations=recs, job_id=job_id)
