"""The emulator in-process: a ``requests`` transport adapter that answers by calling the WSGI app, no socket.

Mount it on a ``requests.Session`` for the emulator's URL, and every request to that URL is answered by
the gateway directly, in the calling thread::

    srv = emulator.start(fleet=5000, throttle=False)
    session = requests.Session()
    session.mount(srv.url, srv.adapter())
    session.get(f"{srv.url}/subscriptions?api-version=2022-12-01", headers={"Authorization": "Bearer x"})

The answers are the gateway's own, status, headers and body, with the ``Date`` a server writes (by the
emulator's clock). The faults keep their meaning: a dropped connection, or an answer lost after the
request was processed, raises ``requests.ConnectionError`` (``RemoteDisconnected``, as over a socket),
and a storm's slow answer raises ``requests.ReadTimeout`` once it comes, when it came later than the read
timeout. Like requests' ``HTTPAdapter``, it takes ``max_retries`` (a urllib3 ``Retry``): statuses,
``Retry-After`` and dropped connections are retried by that ``Retry``'s own rules, as urllib3 would.

It imports nothing of restorekit's client: a client that wants it mounts it on its own session.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from email.utils import format_datetime
from http.client import RemoteDisconnected
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.adapters import DEFAULT_RETRIES, BaseAdapter, HTTPAdapter
from requests.exceptions import ConnectionError, ReadTimeout, RetryError
from urllib3 import HTTPResponse
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError, ResponseError
from urllib3.util import Timeout
from urllib3.util.retry import Retry
from werkzeug.test import EnvironBuilder, run_wsgi_app

from .app import SOCKET_KEY, EmulatorApp
from .state import State


class _Connection:
    """What the gateway sees as the request's socket: dropping it marks the request unanswered."""

    def __init__(self) -> None:
        self.dropped = False

    def shutdown(self, how: int) -> None:
        """The gateway resets the connection (a drop, or a lost answer)."""
        self.dropped = True


class InProcessAdapter(BaseAdapter):
    """A transport adapter answering from the emulator's ``state`` by calling its WSGI app, without a socket.

    ``max_retries`` is what ``requests.adapters.HTTPAdapter`` takes (an int or a urllib3 ``Retry``).
    """

    def __init__(self, state: State, *, max_retries: Retry | int = DEFAULT_RETRIES) -> None:
        super().__init__()
        self.state = state
        self.app = EmulatorApp(state)
        self.max_retries = Retry(0, read=False) if max_retries == DEFAULT_RETRIES else Retry.from_int(max_retries)

    def send(self, request: PreparedRequest, stream: bool = False,
             timeout: float | tuple[float | None, float | None] | Timeout | None = None, verify: bool | str = True,
             cert: Any = None, proxies: Mapping[str, str] | None = None) -> Response:
        """Answer ``request`` from the emulator, retrying as ``max_retries`` says; the arguments are requests'."""
        method, url = request.method or "GET", request.url or ""
        retries = self.max_retries
        try:
            while True:  # urllib3's retry protocol, decided by its Retry (as HTTPConnectionPool.urlopen does)
                try:
                    raw = self._answer(request, _read_timeout(timeout))
                except (ProtocolError, ReadTimeoutError) as error:
                    retries = retries.increment(method, url, error=error)
                    retries.sleep()
                    continue
                if not retries.is_retry(method, raw.status, bool(raw.headers.get("Retry-After"))):
                    break
                try:
                    retries = retries.increment(method, url, response=raw)
                except MaxRetryError:
                    if retries.raise_on_status:
                        raise
                    break
                retries.sleep(raw)
        except MaxRetryError as error:
            if isinstance(error.reason, ResponseError):
                raise RetryError(error, request=request) from error
            raise ConnectionError(error, request=request) from error
        except ReadTimeoutError as error:
            raise ReadTimeout(error, request=request) from error
        except ProtocolError as error:
            raise ConnectionError(error, request=request) from error
        return HTTPAdapter.build_response(self, request, raw)  # type: ignore[arg-type]  # requests' own, reused

    def close(self) -> None:
        """Nothing to close: there is no connection."""

    def _answer(self, request: PreparedRequest, read_timeout: float | None) -> HTTPResponse:
        """One exchange with the gateway, as urllib3 would have received it."""
        parts = urlsplit(request.url or "")
        connection = _Connection()
        builder = EnvironBuilder(path=parts.path or "/", base_url=f"{parts.scheme}://{parts.netloc}",
                                 query_string=parts.query, method=request.method or "GET",
                                 headers=list(request.headers.items()), input_stream=BytesIO(_body(request.body)),
                                 environ_overrides={SOCKET_KEY: connection})
        started = time.monotonic()
        chunks, status, headers = run_wsgi_app(self.app, builder.get_environ(), buffered=True)
        if connection.dropped:
            raise ProtocolError("Connection aborted.", RemoteDisconnected("Remote end closed connection without"
                                                                          " response"))
        if read_timeout is not None and time.monotonic() - started > read_timeout:
            raise ReadTimeoutError(None, request.url or "", f"Read timed out. (read timeout={read_timeout})")
        headers.setdefault("Date", format_datetime(self.state.clock.now(), usegmt=True))  # as a server writes it
        code, _, reason = status.partition(" ")
        return HTTPResponse(body=BytesIO(b"".join(chunks)), headers=list(headers.items()), status=int(code),
                            reason=reason, preload_content=False, decode_content=False,
                            request_method=request.method, request_url=request.url)


def _read_timeout(timeout: float | tuple[float | None, float | None] | Timeout | None) -> float | None:
    """The read part of a requests ``timeout``."""
    if isinstance(timeout, Timeout):
        read = timeout.read_timeout
        return read if isinstance(read, int | float) else None
    if isinstance(timeout, tuple):
        return timeout[1]
    return timeout


def _body(body: Any) -> bytes:
    """A prepared request's body as the bytes that would go on the wire (``str`` as http.client encodes it)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("iso-8859-1")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("iso-8859-1") if isinstance(data, str) else bytes(data)
    return b"".join(chunk.encode("iso-8859-1") if isinstance(chunk, str) else bytes(chunk) for chunk in body)
