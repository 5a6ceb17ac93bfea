"""The emulator's HTTP server: cheroot's threaded WSGI server, with HTTP/1.1 keep-alive as ARM has.

ARM keeps a client's connections open between requests; so does this server, so that what restorekit's
connection pool does is measured (werkzeug's development server, used before, closed every connection).
Why cheroot (CherryPy's production server) and not waitress: each request runs on a worker thread that
holds its connection, so the fault injection can still drop a connection without any answer (the app
reaches the socket through :data:`SOCKET_KEY`); idle keep-alive connections wait in a selector, not in a
thread, so hundreds of pooled client connections cost no worker; and it stops within a second, which tests
that start and stop many servers need.

:class:`EmulatorHTTPServer` counts the TCP connections it accepted (``connections``), which is how a test
proves that a client reuses its connections.
cheroot is imported when a server is made.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

#: The environ key under which the app finds the request's socket (to drop the connection without an answer).
SOCKET_KEY = "restorekit.emulator.socket"
#: Worker threads answering requests (a request that sleeps, for latency or a slow fault, holds one).
THREADS = 64
#: Seconds an idle keep-alive connection stays open (Azure's load balancers keep them about 4 minutes).
IDLE_TIMEOUT = 120
#: Idle keep-alive connections kept at most (past that, answers say ``Connection: close``).
KEEP_ALIVE_LIMIT = 1024

log = logging.getLogger(__name__)


def make_server(host: str, port: int, app: Any, *, threads: int = THREADS) -> Any:
    """A bound, listening :class:`EmulatorHTTPServer` for the WSGI ``app`` (``port=0``: a free one)."""
    from cheroot import server as http
    from cheroot import wsgi

    class _Gateway(wsgi.Gateway_10):
        def get_environ(self) -> dict[str, Any]:
            environ = super().get_environ()
            environ[SOCKET_KEY] = self.req.conn.socket
            return environ

    class _Connection(http.HTTPConnection):
        def __init__(self, server: Any, sock: Any, makefile: Any = http.MakeFile) -> None:
            super().__init__(server, sock, makefile)
            with server.counting:
                server.connections += 1

    class EmulatorHTTPServer(wsgi.Server):
        """cheroot's WSGI server, counting the connections it accepts, logging its errors at DEBUG."""

        ConnectionClass = _Connection

        def __init__(self) -> None:
            super().__init__((host, port), app, numthreads=threads, request_queue_size=1024,
                             timeout=IDLE_TIMEOUT, shutdown_timeout=1)
            self.gateway = _Gateway
            self.keep_alive_conn_limit = KEEP_ALIVE_LIMIT
            self.expiration_interval = 0.1  # how long stop() may wait for the selector loop
            self.counting = threading.Lock()
            #: TCP connections accepted so far.
            self.connections = 0

        @property
        def server_address(self) -> tuple[str, int]:
            """``(host, port)`` it listens on."""
            return self.bind_addr[:2]

        def error_log(self, msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
            log.debug("%s", msg, exc_info=traceback)

    server = EmulatorHTTPServer()
    server.prepare()
    return server
