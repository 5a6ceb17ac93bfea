"""A local emulator of the Azure Backup (Recovery Services) REST API, seeded with a demo estate.

Start it in-process (a background thread on loopback)::

    from restorekit import emulator
    with emulator.start(job_seconds=2) as srv:
        print(srv.url, srv.subscription_id)
        srv.state.faults.fail_next(1, status=503)

or from a shell: ``restorekit emulator --port 8765`` / ``python -m restorekit.emulator``.
The server (:mod:`restorekit.emulator.server`: cheroot, threaded, HTTP/1.1 keep-alive) and werkzeug's
request/response wrappers are imported only when a server starts.
"""

from __future__ import annotations

import ipaddress
import threading
import typing
import warnings
from datetime import UTC, datetime
from typing import Any

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"

__all__ = ["EmulatorServer", "SUBSCRIPTION_ID", "start"]

if typing.TYPE_CHECKING:
    from urllib3.util.retry import Retry

    from .in_process import InProcessAdapter


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class EmulatorServer:
    """A running emulator: ``url``, ``subscription_id`` (the first of ``subscription_ids``), ``state``.

    ``stop()`` it, or use it as a context manager. ``connections`` counts the TCP connections it accepted
    (connections are kept alive between requests, as ARM keeps them).
    """

    def __init__(self, server: Any, state: Any, thread: threading.Thread | None) -> None:
        self._server = server
        self._counted = server
        self._thread = thread
        self.state = state
        self.subscription_ids: tuple[str, ...] = tuple(state.subscription_ids)
        self.subscription_id = self.subscription_ids[0]
        host, self._port = server.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self._port}"

    @property
    def port(self) -> int:
        """The TCP port it listens on."""
        return int(self._port)

    @property
    def connections(self) -> int:
        """TCP connections accepted so far (a client that keeps its connections alive opens few)."""
        return int(self._counted.connections)

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` (the CLI uses this)."""
        self._server.serve()

    def request_stop(self) -> None:
        """Ask ``serve_forever()`` to return, from any thread (e.g. a signal handler); does not block."""
        if self._server is not None:
            threading.Thread(target=self._server.stop, daemon=True).start()

    def stop(self) -> None:
        """Stop serving, close the listening socket and every open connection (idempotent)."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<EmulatorServer {self.url} subscription={self.subscription_id}>"

    def adapter(self, *, max_retries: Retry | int = 0) -> InProcessAdapter:
        """A ``requests`` transport adapter answering from this emulator in-process, without a socket.

        ``max_retries`` is what ``requests.adapters.HTTPAdapter`` takes (an int or a urllib3 ``Retry``).

        Example::

            session = requests.Session()
            session.mount(srv.url, srv.adapter())
        """
        from .in_process import InProcessAdapter

        return InProcessAdapter(self.state, max_retries=max_retries)


def _moment(value: Any) -> datetime | None:
    """A timezone-aware datetime from None, a datetime or ISO 8601 text."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"as_of must be an ISO 8601 date/time, got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


#: What a non-loopback emulator warns (the CLI prints it too).
REMOTE_WARNING = ("the restorekit emulator listens on {host}: it is a fake Azure API with a demo estate, "
                  "{tokens}; never expose it to a network you do not trust.")


def start(host: str = "127.0.0.1", port: int = 0, latency_ms: float = 0, job_seconds: float = 20, fleet: int = 0,
          page_size: int | None = None, throttle: bool = True, read_bucket: int = 250, read_refill: float = 25.0,
          retry_after: int = 2, fail_rate: float = 0.0, seed: int = 0, *, as_of: Any = None,
          background: bool = True, subscriptions: int = 1, write_bucket: int = 200, write_refill: float = 10.0,
          token_lifetime: float | None = None, crr_token_lifetime: float = 3600.0, graph_quota: int = 15,
          allow_remote: bool = False) -> EmulatorServer:
    """Start an emulator on ``host:port`` (``port=0`` picks a free one) and return once it listens.

    ``as_of`` (a datetime or ISO text) fixes the moment the demo estate's recovery points run up to,
    so that outputs are the same every day (the notebooks' committed outputs rely on it); by default
    the points run up to now. With ``background=False`` nothing serves until ``serve_forever()`` is
    called (the CLI does that in its main thread).

    ``subscriptions`` (default 1) is how many subscriptions the emulator has; ``fleet`` VMs are spread
    over them. ``write_bucket``/``write_refill`` size the per-subscription write throttle (ARM's
    200 and 10/s by default; ``throttle=False`` turns both throttles off). ``token_lifetime``
    (seconds) makes the gateway accept only the tokens its Entra-like endpoint issued, and refuse
    them once expired; ``crr_token_lifetime`` is how long a cross-region restore access token lasts.
    ``graph_quota`` is Resource Graph's queries per user and 5 seconds (0: no quota).

    Only loopback hosts are allowed unless ``allow_remote=True``, which warns: the emulator is not
    a service to expose.

    Example::

        srv = start(job_seconds=1, retry_after=0)
        requests.get(srv.url + "/subscriptions/...", headers={"Authorization": "Bearer x"})
        srv.stop()
    """
    if not _is_loopback(host):
        if not allow_remote:
            raise ValueError(f"the emulator only binds loopback hosts (127.0.0.1, ::1, localhost), not {host!r}; "
                             "pass allow_remote=True (--allow-remote) to bind another address")
        tokens = ("it accepts any bearer token" if token_lifetime is None else
                  "it issues tokens to any client that asks")
        warnings.warn(REMOTE_WARNING.format(host=host, tokens=tokens), RuntimeWarning, stacklevel=2)
    if subscriptions < 1:
        raise ValueError("subscriptions must be >= 1")
    if token_lifetime is not None and token_lifetime <= 0:
        raise ValueError("token_lifetime must be > 0 seconds")
    if page_size is not None and page_size < 1:
        raise ValueError("page_size must be >= 1")
    if not 0.0 <= fail_rate <= 1.0:
        raise ValueError("fail_rate must be between 0 and 1")
    from .app import EmulatorApp
    from .server import make_server
    from .state import Settings, State

    settings = Settings(latency_ms=latency_ms, job_seconds=job_seconds, fleet=fleet, page_size=page_size,
                        throttle=throttle, read_bucket=read_bucket, read_refill=read_refill,
                        retry_after=retry_after, fail_rate=fail_rate, seed=seed, as_of=_moment(as_of),
                        subscriptions=subscriptions, write_bucket=write_bucket, write_refill=write_refill,
                        token_lifetime=token_lifetime, crr_token_lifetime=crr_token_lifetime,
                        graph_quota=graph_quota)
    state = State(settings)
    server = make_server(host, port, EmulatorApp(state))
    thread = None
    if background:
        thread = threading.Thread(target=server.serve, name=f"restorekit-emulator-{server.server_address[1]}",
                                  daemon=True)
        thread.start()
    return EmulatorServer(server, state, thread)
