"""Transport to Azure Resource Manager: one ``requests.Session``, urllib3 retries, bearer tokens, paging, errors.

:class:`ArmSession` is the only place restorekit speaks HTTP. It

* retries idempotent requests on 429/500/502/503/504 with urllib3's ``Retry``, honouring ``Retry-After``
  (a POST is never retried once it may have reached the server);
* puts connect/read timeouts on every request;
* asks the ``TokenCredential`` for a token on every request (azure-identity caches and refreshes it);
* refuses to send a token over plain ``http://`` to a host that is not loopback, or to another host
  than the endpoint's;
* follows ``nextLink`` pages;
* turns ARM's error envelope into :class:`~restorekit.core.errors.ArmError` and anything that is not ARM JSON
  (an HTML error page, truncated JSON, a refused connection) into
  :class:`~restorekit.core.errors.TransportError` naming the URL and the status.

Example::

    arm = ArmSession("https://management.azure.com", DefaultAzureCredential(), api_version="2026-02-01")
    vault = arm.get("/subscriptions/…/vaults/testVault", api_version="2024-04-01")
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .._version import __version__
from ..core.errors import ArmError, InsecureTransportError, TransportError

log = logging.getLogger("restorekit.transport.arm")

#: Statuses on which ARM asks to try again later.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Methods that may be repeated safely (a POST may start a restore twice: never retried).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
DEFAULT_TIMEOUT = (10.0, 60.0)
_SECRET_QUERY_KEYS = {"sig", "signature", "token", "access_token", "code", "client_secret", "skoid", "sktid"}


class TokenCredential(Protocol):
    """What azure-identity's credentials provide: ``get_token(*scopes)`` returning ``.token``."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:  # pragma: no cover - protocol
        """Return an access token (an object with a ``token`` attribute) for the scopes."""
        ...


def redact_url(url: str) -> str:
    """The URL with secret-looking query values (``sig``, ``token`` …) replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, "***" if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="$':;,/*", quote_via=quote)))


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


class _BearerAuth(requests.auth.AuthBase):
    """Adds ``Authorization: Bearer …`` from the credential, fetched for every request."""

    def __init__(self, credential: TokenCredential, scope: str) -> None:
        self._credential = credential
        self._scope = scope

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self._credential.get_token(self._scope).token
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    def __repr__(self) -> str:
        return f"<bearer token for {self._scope}>"


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

    ``remaining_reads`` holds the last ``x-ms-ratelimit-remaining-subscription-reads`` seen (or None), and
    :meth:`remaining_reads_of` the last one seen for each subscription (ARM throttles each one apart).
    """

    def __init__(
        self,
        endpoint: str,
        credential: TokenCredential,
        *,
        api_version: str,
        scope: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 6,
        backoff_factor: float = 0.5,
        max_retry_after: int = 120,
        pool_size: int = 32,
    ) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"endpoint must be an http(s) URL, got {endpoint!r}")
        self.endpoint = endpoint.rstrip("/")
        self.api_version = api_version
        self.scope = scope or f"{self.endpoint}/.default"
        self.timeout = timeout
        self._host = parts.netloc.lower()
        self._insecure = parts.scheme == "http" and not is_loopback(parts.hostname)
        self.remaining_reads: int | None = None
        self._remaining_by_subscription: dict[str, int] = {}
        self._server_offset: float | None = None
        self._lock = threading.Lock()
        self.retry = Retry(
            total=retries,
            connect=3,
            read=2,
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
        self._session = requests.Session()
        adapter = HTTPAdapter(max_retries=self.retry, pool_connections=4, pool_maxsize=pool_size)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["User-Agent"] = f"restorekit/{__version__} python-requests/{requests.__version__}"
        self._session.headers["Accept"] = "application/json"
        self._session.auth = _BearerAuth(credential, self.scope)
        self._credential = credential

    def probe(self, timeout: tuple[float, float] = (5.0, 10.0)) -> ArmSession:
        """A session to the same endpoint with the same credential that sends each request once, quickly.

        For a question whose answer may be "that region is down": no retries, short timeouts. Close it after use.
        """
        return ArmSession(self.endpoint, self._credential, api_version=self.api_version, scope=self.scope,
                          timeout=timeout, retries=0)

    def __repr__(self) -> str:
        return f"<ArmSession {self.endpoint} api-version={self.api_version}>"

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._session.close()

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
    ) -> ArmResponse:
        """Send one request; return the decoded answer or raise ``ArmError``/``TransportError``.

        Idempotent methods are retried by urllib3 on throttling and server errors (honouring
        ``Retry-After``); a POST is sent once.
        """
        method = method.upper()
        url = self.url(path_or_url, params, api_version)
        self._check_target(url)
        shown = redact_url(url)
        send_headers = {"x-ms-client-request-id": str(uuid.uuid4())}
        send_headers.update(headers or {})
        try:
            response = self._session.request(
                method, url, json=json_body, headers=send_headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.exceptions.RetryError as exc:
            raise TransportError(f"{method} {shown}: gave up after retries ({_reason(exc)})") from None
        except requests.exceptions.Timeout as exc:
            raise TransportError(
                f"{method} {shown}: no answer from {self.endpoint} within {self.timeout[1]:g} s ({_reason(exc)})"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            raise TransportError(f"{method} {shown}: cannot reach {self.endpoint} ({_reason(exc)})") from None
        log.debug("%s %s -> %s", method, shown, response.status_code)
        self._note_rate_limit(response)
        self._note_date(response)
        return self._decode(method, shown, response, ok)

    def _note_rate_limit(self, response: requests.Response) -> None:
        value = response.headers.get("x-ms-ratelimit-remaining-subscription-reads")
        if value is not None and value.strip().lstrip("-").isdigit():
            parts = urlsplit(response.url).path.split("/")
            subscription = parts[2].lower() if len(parts) > 2 and parts[1].lower() == "subscriptions" else ""
            with self._lock:
                self.remaining_reads = int(value)
                self._remaining_by_subscription[subscription] = int(value)

    def _note_date(self, response: requests.Response) -> None:
        try:
            said = parsedate_to_datetime(response.headers.get("Date") or "")
        except (TypeError, ValueError):
            return
        if said.tzinfo is not None:
            self._server_offset = (said - datetime.now(UTC)).total_seconds()

    def server_now(self) -> datetime:
        """Now by the service's clock: the last answer's ``Date`` moved on by the time since (else local UTC).

        Against Azure that is now (the service's view of it); an emulator pinned to a day answers with its own.
        """
        return datetime.now(UTC) + timedelta(seconds=self._server_offset or 0.0)

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
        text = response.text
        body: Any = None
        decode_error: str | None = None
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError as exc:
                decode_error = str(exc)
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
            )
        if status < 400:
            raise TransportError(f"{method} {shown}: unexpected HTTP {status}")
        raise TransportError(
            f"{method} {shown}: HTTP {status} {response.reason or ''} without an ARM error envelope"
            f" (x-ms-request-id {response.headers.get('x-ms-request-id', 'absent')}); "
            f"the body starts with {_snippet(text)!r}"
        )

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None) -> Any:
        """GET and return the JSON body."""
        return self.request("GET", path_or_url, params=params, api_version=api_version).body

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


def _recommendations(envelope: dict[str, Any]) -> list[str]:
    recs: list[str] = []
    for detail in [envelope, *(envelope.get("details") or [])]:
        if isinstance(detail, dict):
            for rec in detail.get("recommendations") or []:
                recs.append(str(rec))
    return recs


def _reason(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args else exc
    reason = getattr(inner, "reason", None) or inner
    return " ".join(str(reason).split())[:200] or type(reason).__name__


def _snippet(value: Any, size: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    return " ".join(text.split())[:size]
