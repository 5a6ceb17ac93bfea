"""Transport to Azure Resource Manager: one ``requests.Session``, urllib3 retries, bearer tokens, paging, errors.

:class:`ArmSession` is the only place restorekit speaks HTTP. It

* retries idempotent requests on 429/500/502/503/504, resets and read timeouts with urllib3's ``Retry``,
  honouring ``Retry-After``, and sends a GET again up to ``resends`` times (with
  :class:`~restorekit.transport.polling.Backoff`) when urllib3 gave up on a transient failure, so a list keeps
  its place through a bad minute; a POST is never retried once it may have reached the server: only a 429
  (ARM's throttle refuses before the service sees the request) is waited out and sent again;
* puts connect/read timeouts on every request (``timeout=(connect, read)`` seconds; ``rk.connect(...,
  timeout=(5, 30))`` passes it on);
* answers an *interactive* read (``interactive=True``: the reads that lead a session, the vault and the VM, which a
  person waits for) within seconds: its own urllib3 ``Retry`` (:data:`INTERACTIVE_RETRY`: two quick retries,
  ``Retry-After`` capped at 2 s, no resend) and shorter timeouts (:data:`INTERACTIVE_TIMEOUT`), so a region that
  does not answer is said in under 10 s instead of after 20-40 s of retries;
* asks the ``TokenCredential`` for a token on every request (:mod:`restorekit.transport.bearer`); a 401
  ``ExpiredAuthenticationToken`` gets one fresh token and one retry of the same request (a POST included: ARM
  refused it before it reached the service); any other 401, or a second one, raises
  :class:`~restorekit.core.errors.AuthenticationError` naming the credential and the tenant;
* refuses to send a token over plain ``http://`` to a host that is not loopback, or to another host
  than the endpoint's;
* follows ``nextLink`` pages;
* keeps its connections alive and at most ``pool_size`` requests in flight (64), so that each request finds a
  kept connection; decodes answers with orjson; prepares requests through requests' prepared-request path, the
  environment's proxies and CA bundle read once (``Session.request`` merges them on every call);
* turns ARM's error envelope into :class:`~restorekit.core.errors.ArmError` and anything that is not ARM JSON
  (an HTML error page, truncated JSON, a refused connection) into
  :class:`~restorekit.core.errors.TransportError` naming the URL and the status;
* logs every request at DEBUG (:mod:`restorekit.transport.request_log`), secrets redacted.

Example::

    arm = ArmSession("https://management.azure.com", DefaultAzureCredential(), api_version="2026-02-01")
    vault = arm.get("/subscriptions/…/vaults/testVault", api_version="2024-04-01")
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import orjson
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from .._version import __version__
from ..core.errors import ArmError, AuthenticationError, InsecureTransportError, TransportError
from ..core.redaction import redact_text, redact_url
from . import request_log
from .bearer import EXPIRED, BearerAuth, authentication_error, used_token
from .polling import Backoff, parse_retry_after
from .token_claims import Identity

__all__ = ["ArmResponse", "ArmSession", "Pacer", "TokenCredential", "is_loopback", "redact_url"]

log = logging.getLogger(__name__)

#: Statuses on which ARM asks to try again later.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Methods that may be repeated safely (a POST may start a restore twice: never retried).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Methods sent again after urllib3 gave up on a transient failure (reads only).
RESENT_METHODS = frozenset({"GET", "HEAD"})
DEFAULT_TIMEOUT = (10.0, 60.0)
#: Connections kept to the endpoint, and requests in flight at most.
DEFAULT_POOL_SIZE = 64
#: Wait before the first resend of a GET (doubling, at most ``RESEND_MAX``).
RESEND_BASE = 1.0
RESEND_MAX = 15.0
#: urllib3 ``Retry`` settings of an interactive read (one a person waits for): two quick retries, no long waits.
INTERACTIVE_RETRY: dict[str, Any] = {"total": 2, "connect": 1, "read": 0, "status": 2, "backoff_factor": 0.25,
                                     "backoff_max": 1, "retry_after_max": 2}
#: (connect, read) timeouts of an interactive read, at most (the session's own when shorter).
INTERACTIVE_TIMEOUT = (4.0, 6.0)


class TokenCredential(Protocol):
    """What azure-identity's credentials provide: ``get_token(*scopes)`` returning ``.token``."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:  # pragma: no cover - protocol
        """Return an access token (an object with a ``token`` attribute) for the scopes."""
        ...


def is_loopback(host: str | None) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Pacer(Protocol):
    """Spaces requests (e.g. under ARM's read throttle): ``wait()`` before one, ``observe()`` after."""

    def wait(self) -> None:  # pragma: no cover - protocol
        """Block until a request may be sent."""
        ...

    def observe(self) -> None:  # pragma: no cover - protocol
        """Note that a request has been answered."""
        ...


@dataclass
class ArmResponse:
    """What a call returned: status, headers, decoded JSON body (or None) and the redacted URL."""

    status: int
    headers: Mapping[str, str]
    body: Any
    url: str

    @property
    def request_id(self) -> str | None:
        """The ``x-ms-request-id`` header, if any."""
        return self.headers.get("x-ms-request-id")


class ArmSession:
    """An authenticated, retrying HTTP session to one ARM endpoint (see the module doc).

    ``timeout`` is ``(connect, read)`` in seconds (one number sets both); ``retries`` bounds urllib3's retries
    of one send (at most 3 of them after resets or read timeouts); ``resends`` (default ``min(2, retries)``)
    is how many times a GET is sent again once urllib3 gave up on a transient failure. ``remaining_reads``
    holds the last ``x-ms-ratelimit-remaining-subscription-reads`` seen (or None), and
    :meth:`remaining_reads_of` the last one seen for each subscription (ARM throttles each one apart).
    """

    def __init__(
        self,
        endpoint: str,
        credential: TokenCredential,
        *,
        api_version: str,
        scope: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 6,
        resends: int | None = None,
        backoff_factor: float = 0.5,
        max_retry_after: int = 120,
        pool_size: int = DEFAULT_POOL_SIZE,
    ) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"endpoint must be an http(s) URL, got {endpoint!r}")
        self.endpoint = endpoint.rstrip("/")
        self.api_version = api_version
        self.scope = scope or f"{self.endpoint}/.default"
        self.timeout = _timeouts(timeout)
        self.retries = retries
        #: Connections kept per host, and requests in flight at most.
        self.pool_size = pool_size
        self.resends = min(2, retries) if resends is None else max(0, resends)
        self._host = parts.netloc.lower()
        self._insecure = parts.scheme == "http" and not is_loopback(parts.hostname)
        self.remaining_reads: int | None = None
        self._remaining_by_subscription: dict[str, int] = {}
        self._server_offset: float | None = None
        self._last_date = ""
        self._lock = threading.Lock()
        self.retry = Retry(
            total=retries,
            connect=3,
            read=min(3, retries),
            status=retries,
            other=0,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=30,
            respect_retry_after_header=True,
            retry_after_max=max_retry_after,
            raise_on_status=False,
        )
        self._auth = BearerAuth(credential, self.scope)
        self._session = self._http(self.retry, pool_size)
        #: The session of interactive reads: the same token and headers, quicker retries (INTERACTIVE_RETRY).
        self._interactive = self._http(self.retry.new(**{**INTERACTIVE_RETRY,
                                                         "total": min(INTERACTIVE_RETRY["total"], retries)}), 4)
        self._credential = credential
        # what Session.request would merge from the environment on every call, read once (see _prepare)
        self._send_options = {"timeout": self.timeout, "allow_redirects": False, "stream": False,
                              **self._session.merge_environment_settings(self.endpoint, {}, False, None, None)}
        #: Requests in flight at most: as many as the pool keeps connections, so that every one is reused.
        self._slots = threading.BoundedSemaphore(pool_size)

    def _http(self, retry: Retry, pool_size: int) -> requests.Session:
        """A ``requests.Session`` that retries as ``retry`` says and sends the bearer token."""
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=pool_size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = f"restorekit/{__version__} python-requests/{requests.__version__}"
        session.headers["Accept"] = "application/json"
        session.auth = self._auth
        return session

    @property
    def identity(self) -> Identity:
        """Tenant and principal of the token last sent (from its claims; unknowns before the first request)."""
        return self._auth.identity

    @property
    def credential_name(self) -> str:
        """The credential's type, e.g. ``DefaultAzureCredential``."""
        return self._auth.credential_name

    def probe(self, timeout: tuple[float, float] = (5.0, 10.0)) -> ArmSession:
        """A session to the same endpoint with the same credential that sends each request once, quickly.

        For a question whose answer may be "that region is down": no retries, short timeouts. Close it after use.
        """
        return ArmSession(self.endpoint, self._credential, api_version=self.api_version, scope=self.scope,
                          timeout=timeout, retries=0)

    def __repr__(self) -> str:
        return f"<ArmSession {self.endpoint} api-version={self.api_version}>"

    def close(self) -> None:
        """Close the underlying connection pools."""
        self._session.close()
        self._interactive.close()

    # -- URLs -------------------------------------------------------------------------------------
    def url(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None) -> str:
        """Absolute URL for an ARM path (or an absolute URL of the same host), with ``api-version``."""
        if path_or_url.startswith(("http://", "https://")):
            url = path_or_url
        else:
            url = self.endpoint + ("" if path_or_url.startswith("/") else "/") + path_or_url
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        if "api-version" not in query:
            query["api-version"] = api_version or self.api_version
        for key, value in (params or {}).items():
            if value is not None:
                query[key] = str(value)
        parts = urlsplit(url)
        return urlunsplit(parts._replace(query=urlencode(query, safe="$':;,/", quote_via=quote)))

    def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.netloc.lower() != self._host:
            raise InsecureTransportError(
                f"refusing to send the bearer token to {parts.scheme}://{parts.netloc}: "
                f"this connection only talks to {self.endpoint}"
            )
        if self._insecure:
            raise InsecureTransportError(
                f"refusing to send a bearer token over plain http to {parts.hostname}, which is not a "
                "loopback address: use an https:// endpoint (or run the emulator on 127.0.0.1)"
            )

    # -- requests ---------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        api_version: str | None = None,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201, 202, 204),
        interactive: bool = False,
    ) -> ArmResponse:
        """Send one request; return the decoded answer or raise ``ArmError``/``TransportError``.

        urllib3 retries idempotent methods on throttling, server errors, resets and read timeouts (honouring
        ``Retry-After``); a GET that still failed for a transient reason is sent again up to ``resends`` times
        after a backoff. A POST is sent once, except when ARM refused it before it reached the service: after a
        429 (throttled) it is sent again after ``Retry-After``, up to ``retries`` times; after a 401
        ``ExpiredAuthenticationToken`` once more with a fresh token. ``interactive=True`` (a read a person waits for)
        retries twice, quickly, with shorter timeouts, and is not sent again: its error comes within seconds.
        """
        method = method.upper()
        url = self.url(path_or_url, params, api_version)
        self._check_target(url)
        shown = redact_url(url)
        reads = method in RESENT_METHODS
        limit = 0 if interactive else self.resends if reads else self.retries
        backoff = Backoff(limit=limit, base=RESEND_BASE, cap=RESEND_MAX)
        while True:
            try:
                return self._send(method, url, shown, json_body, headers, ok, interactive)
            except (ArmError, TransportError) as exc:
                if isinstance(exc, AuthenticationError):
                    raise
                if not reads and not (isinstance(exc, ArmError) and exc.status == 429):
                    raise  # a POST is sent again only when ARM throttled it (429: refused before the service)
                delay = backoff.after_failure(exc)  # raises when not transient, or after the last resend
                log.debug("%s %s: sending it again in %.1f s (resend %d of %d) after: %s", method, shown, delay,
                          backoff.failures, backoff.limit, str(exc).splitlines()[0])
                time.sleep(delay)

    def _send(self, method: str, url: str, shown: str, json_body: Any, headers: Mapping[str, str] | None,
              ok: tuple[int, ...], interactive: bool = False) -> ArmResponse:
        """One send (urllib3 retries included), renewing an expired token once."""
        send_headers = {"x-ms-client-request-id": str(uuid.uuid4()), **(headers or {})}
        session = self._interactive if interactive else self._session
        timeout = self.interactive_timeout if interactive else self.timeout
        renewed = False
        while True:
            started = time.monotonic()
            try:
                with self._slots:
                    response = session.send(self._prepare(session, method, url, json_body, send_headers),
                                            **{**self._send_options, "timeout": timeout})
            except requests.exceptions.RequestException as exc:
                request_log.unanswered(method, shown, exc, (time.monotonic() - started) * 1000)
                raise self._no_answer(method, shown, exc, timeout) from None
            request_log.answered(method, shown, response, (time.monotonic() - started) * 1000)
            self._note_rate_limit(response)
            self._note_date(response)
            if response.status_code != 401 or 401 in ok:
                return self._decode(method, shown, response, ok)
            try:
                self._decode(method, shown, response, ok)
            except ArmError as exc:
                if exc.code == EXPIRED and not renewed:
                    if not self._auth.renew(used_token(response.request)):
                        raise authentication_error(exc, self._auth, renewed=False) from None
                    renewed = True
                    log.info("%s %s: the bearer token had expired (%s); sending the request once more with a fresh "
                             "token from %s", method, shown, exc.code, self._auth.credential_name)
                    continue
                raise authentication_error(exc, self._auth, renewed=renewed) from None
            raise TransportError(f"{method} {shown}: HTTP 401 decoded as a success")  # pragma: no cover

    @property
    def interactive_timeout(self) -> tuple[float, float]:
        """(connect, read) timeouts of an interactive read: :data:`INTERACTIVE_TIMEOUT`, or the session's if shorter."""
        return (min(self.timeout[0], INTERACTIVE_TIMEOUT[0]), min(self.timeout[1], INTERACTIVE_TIMEOUT[1]))

    def _prepare(self, session: requests.Session, method: str, url: str, json_body: Any,
                 headers: Mapping[str, str]) -> requests.PreparedRequest:
        """The request as ``Session.request`` would prepare it, without redoing per request what never changes.

        requests' documented prepared-request path: the session's headers, cookies, auth and hooks apply as they
        would; the environment's proxies and CA bundle were read once, when the session was made
        (``Session.request`` merges them anew on every call, through slow ``typing.Protocol`` ``isinstance``
        checks on Python 3.11).
        """
        prepared = requests.PreparedRequest()
        prepared.prepare(method=method, url=url, headers={**session.headers, **headers}, json=json_body,
                         auth=session.auth, cookies=session.cookies, hooks=session.hooks)
        return prepared

    def _no_answer(self, method: str, shown: str, exc: requests.exceptions.RequestException,
                   timeout: tuple[float, float] | None = None) -> TransportError:
        """A TransportError for a request that got no usable answer, saying what to do."""
        connect, read = timeout or self.timeout
        sent_once = method not in IDEMPOTENT_METHODS
        maybe = (" The service may have received it: restorekit does not send it again; check whether it took effect "
                 "(list the jobs, read the resource) before calling it again." if sent_once else "")
        reason = _reason(exc)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            text = (f"could not connect to {self.endpoint} within {connect:g} s ({reason}). Check the network "
                    f"(proxy, VPN, firewall) and that the endpoint is right, then call it again")
        elif isinstance(exc, requests.exceptions.ReadTimeout) or _caused_by(exc, ReadTimeoutError):
            tries = "" if sent_once else " on every try"
            text = (f"no answer from {self.endpoint} within the read timeout of {read:g} s{tries} ({reason}).{maybe} "
                    f"A slow service may need a longer read timeout: rk.connect(..., timeout=({connect:g}, "
                    f"{read * 2:g}))" + ("" if sent_once else "; or retry later"))
        elif isinstance(exc, requests.exceptions.RetryError):
            text = (f"gave up after {self.retries} retries ({reason}). The service keeps failing: retry in a few "
                    "minutes, and check the Azure status page")
        elif isinstance(exc, requests.exceptions.ConnectionError):
            text = (f"cannot reach {self.endpoint} or the connection was lost ({reason}).{maybe} Check the network "
                    "and that the endpoint is up, then call it again")
        else:
            text = f"the request failed ({reason}).{maybe} Check the network and the endpoint, then call it again"
        return TransportError(redact_text(f"{method} {shown}: {text}"))

    def _note_rate_limit(self, response: requests.Response) -> None:
        value = response.headers.get("x-ms-ratelimit-remaining-subscription-reads")
        if value is not None and value.strip().lstrip("-").isdigit():
            parts = urlsplit(response.url).path.split("/")
            subscription = parts[2].lower() if len(parts) > 2 and parts[1].lower() == "subscriptions" else ""
            with self._lock:
                self.remaining_reads = int(value)
                self._remaining_by_subscription[subscription] = int(value)

    def _note_date(self, response: requests.Response) -> None:
        date = response.headers.get("Date") or ""
        if date == self._last_date:  # to the second: parsed once a second, not once an answer
            return
        self._last_date = date
        try:
            said = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return
        if said.tzinfo is not None:
            self._server_offset = (said - datetime.now(UTC)).total_seconds()

    def server_now(self) -> datetime:
        """Now by the service's clock: the last answer's ``Date`` moved on by the time since (else local UTC).

        Against Azure that is now (the service's view of it); an emulator pinned to a day answers with its own.
        """
        return self.as_server_time(datetime.now(UTC))

    def as_server_time(self, moment: datetime) -> datetime:
        """``moment``, read on this machine's clock, on the service's clock (moved by the offset its ``Date`` shows).

        What the service filters by (a job's ``startTime``…) is on its clock: a lookup of "jobs started since I
        posted" converts the local moment first.
        """
        return moment + timedelta(seconds=self._server_offset or 0.0)

    @property
    def knows_server_time(self) -> bool:
        """True once an answer has given the service's ``Date``."""
        return self._server_offset is not None

    def remaining_reads_of(self, subscription_id: str) -> int | None:
        """The last ``x-ms-ratelimit-remaining-subscription-reads`` seen for one subscription (or None)."""
        with self._lock:
            return self._remaining_by_subscription.get(subscription_id.lower())

    def _decode(self, method: str, shown: str, response: requests.Response, ok: tuple[int, ...]) -> ArmResponse:
        status = response.status_code
        body, decode_error = decode_json(response)
        text = response.text if decode_error is not None or status not in ok else ""
        if status in ok:
            if decode_error is not None:
                raise TransportError(
                    f"{method} {shown}: HTTP {status} with a body that is not JSON ({decode_error}); "
                    f"it starts with {_snippet(text)!r}"
                )
            return ArmResponse(status, response.headers, body, shown)
        envelope = body.get("error") if isinstance(body, dict) else None
        if isinstance(envelope, dict):
            raise ArmError(
                status,
                str(envelope.get("code") or f"HTTP{status}"),
                str(envelope.get("message") or response.reason or ""),
                url=shown,
                method=method,
                request_id=response.headers.get("x-ms-request-id"),
                details=envelope.get("details") if isinstance(envelope.get("details"), list) else None,
                target=envelope.get("target"),
                recommendations=_recommendations(envelope),
                retry_after=parse_retry_after(response.headers),
            )
        if status < 400:
            raise TransportError(f"{method} {shown}: unexpected HTTP {status}")
        raise TransportError(
            f"{method} {shown}: HTTP {status} {response.reason or ''} without an ARM error envelope"
            f" (x-ms-request-id {response.headers.get('x-ms-request-id', 'absent')}); "
            f"the body starts with {_snippet(text)!r}"
        )

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None, *,
            interactive: bool = False) -> Any:
        """GET and return the JSON body (``interactive``: a read a person waits for, see :meth:`request`)."""
        return self.request("GET", path_or_url, params=params, api_version=api_version, interactive=interactive).body

    def post(
        self,
        path_or_url: str,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        api_version: str | None = None,
    ) -> ArmResponse:
        """POST once (never retried after it may have reached the server) and return the whole answer."""
        return self.request("POST", path_or_url, params=params, json_body=json_body, api_version=api_version)

    def pages(
        self,
        path_or_url: str,
        params: Mapping[str, Any] | None = None,
        api_version: str | None = None,
        pacer: Pacer | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Yield each page (``{"value": [...], "nextLink": ...}``) of a list call, following ``nextLink``.

        A ``pacer`` is asked to ``wait()`` before each page request and told to ``observe()`` after it.
        """
        url: str | None = self.url(path_or_url, params, api_version)
        seen: set[str] = set()
        while url:
            if url in seen:
                raise TransportError(f"GET {redact_url(url)}: the service returned the same nextLink twice")
            seen.add(url)
            if pacer is not None:
                pacer.wait()
            try:
                page = self.get(url)
            finally:
                if pacer is not None:
                    pacer.observe()
            if not isinstance(page, dict) or not isinstance(page.get("value", []), list):
                raise TransportError(f"GET {redact_url(url)}: expected a list page with 'value', got {_snippet(page)!r}")
            yield page
            url = page.get("nextLink") or None

    def list(
        self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None
    ) -> list[dict[str, Any]]:
        """Every resource of a list call, across all pages."""
        return [value for page in self.pages(path_or_url, params, api_version) for value in page.get("value", [])]


def decode_json(response: requests.Response) -> tuple[Any, str | None]:
    """The JSON body of an answer (None when empty) and the decoding error (None when it decoded).

    orjson decodes the bytes (several times faster than ``json.loads`` of the text, on pages of points); what
    it refuses and the standard library accepts (``NaN``, integers past 64 bits) is decoded by ``json``.
    """
    content = response.content
    if not content.strip():
        return None, None
    try:
        return orjson.loads(content), None
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(response.text), None
    except ValueError as exc:
        return None, str(exc)


def _recommendations(envelope: dict[str, Any]) -> list[str]:
    recs: list[str] = []
    for detail in [envelope, *(envelope.get("details") or [])]:
        if isinstance(detail, dict):
            for rec in detail.get("recommendations") or []:
                recs.append(str(rec))
    return recs


def _timeouts(timeout: float | tuple[float, float]) -> tuple[float, float]:
    """``(connect, read)`` seconds from one number or a pair; both must be > 0."""
    pair = (float(timeout), float(timeout)) if isinstance(timeout, int | float) else tuple(map(float, timeout))
    if len(pair) != 2 or min(pair) <= 0:
        raise ValueError(f"timeout must be seconds > 0, or a pair (connect, read) of them; got {timeout!r}")
    return pair  # type: ignore[return-value]


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """True when a requests error wraps urllib3's MaxRetryError whose last reason is ``kind``."""
    inner = exc.args[0] if exc.args else None
    return isinstance(inner, MaxRetryError) and isinstance(inner.reason, kind)


def _reason(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args else exc
    reason = getattr(inner, "reason", None) or inner
    return " ".join(str(reason).split())[:200] or type(reason).__name__


def _snippet(value: Any, size: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    return " ".join(text.split())[:size]
