"""A local server that answers restorekit from one recorded Azure session, so real Azure is the referee.

:class:`ReplayServer` serves the calls ``first..last`` of a cassette (see :mod:`cassettes`):

* a request matches a recorded call by method, path (percent-decoding and case aside) and ``$filter``; the
  api-version does not count (the CLI sent 2024-04-01, restorekit sends its own);
* repeated calls are answered in recorded order, and the last answer repeats once they are used up;
* an answer recorded after a write (a POST, PUT, PATCH or DELETE of the window) is served only once that write
  has been replayed: a job list recorded after the restore POST is not an answer from before it (``after_writes``
  off replays the reads of a whole session alone);
* ``Azure-AsyncOperation`` and ``Location`` point back at this server;
* anything else is a call Azure never saw. A few are answered by a :class:`StandIn` that derives its answer from
  what the cassette does record, each saying why that answer is Azure's; the rest get 404 in ARM's error
  envelope. Both are logged in :attr:`ReplayServer.unseen`, which the tests print and compare with the
  short list they justify.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cassettes import ARM, Interaction, canonical, interactions


@dataclass(frozen=True)
class Reply:
    """What the server answers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """A request restorekit sent."""

    method: str
    path: str
    filter: str | None
    body: Any

    @property
    def key(self) -> tuple[str, str, str | None]:
        """The key recorded calls are matched on."""
        return self.method, canonical(self.path), self.filter


@dataclass(frozen=True)
class Unseen:
    """A call Azure never saw in the recorded session, and what answered it (a stand-in's name, or ``404``)."""

    method: str
    path: str
    filter: str | None
    answered_by: str
    #: How many recorded writes had been replayed when it came (0: before the restore was sent).
    after_writes: int = 0

    def __str__(self) -> str:
        where = re.sub(r"^/subscriptions/[^/]+(/resourcegroups/[^/]+/providers/microsoft\.recoveryservices"
                       r"/vaults/[^/]+)?", lambda m: "{vault}" if m.group(1) else "", canonical(self.path))
        where = re.sub(r"/backupfabrics/azure/protectioncontainers/[^/]+/protecteditems/[^/]+", "{item}", where)
        flt = f" $filter={self.filter}" if self.filter else ""
        return f"{self.method} {where}{flt} -> {self.answered_by}"


@dataclass(frozen=True)
class StandIn:
    """An answer to a call Azure never saw, derived from what the cassette records, and why it is Azure's."""

    name: str
    why: str
    answer: Callable[[ReplayServer, Call], Reply | None]


class ReplayServer:
    """Serve calls ``first..last`` of ``cassette`` to restorekit on loopback (see the module doc)."""

    def __init__(self, cassette: str, first: int, last: int, stand_ins: tuple[StandIn, ...] = (), *,
                 after_writes: bool = True) -> None:
        self.cassette = cassette
        #: Whether an answer recorded after a write waits for that write (off to replay reads alone).
        self.after_writes = after_writes
        self.recorded = interactions(cassette)
        self.window = [i for i in self.recorded[first:last + 1] if i.on_arm]
        self.stand_ins = stand_ins
        self.served: list[Interaction] = []
        self.unseen: list[Unseen] = []
        self._used: set[int] = set()
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()  # headers and body go as two writes: without this, each answer waits 40 ms
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                if "/oauth2/" in url.path:  # the dev credential looks for a token endpoint: not an ARM call
                    reply = Reply(404)
                else:
                    query = dict(parse_qsl(url.query, keep_blank_values=True))
                    body = json.loads(raw) if raw.strip() else None
                    reply = owner.answer(Call(self.command, url.path, query.get("$filter"), body))
                payload = b"" if reply.body is None else (
                    reply.body.encode() if isinstance(reply.body, str) else json.dumps(reply.body).encode())
                self.send_response(reply.status)
                for name, value in {"Content-Type": "application/json; charset=utf-8", **reply.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    # -- what the window records -------------------------------------------------------------------------
    def eligible(self, recorded: Interaction) -> bool:
        """True once every write recorded before ``recorded`` in the window has been replayed."""
        return not self.after_writes or all(i.index in self._used for i in self.window if i.is_write and i.index < recorded.index)

    @property
    def writes_replayed(self) -> int:
        """How many recorded writes of the window restorekit has made."""
        return sum(1 for i in self.window if i.is_write and i.index in self._used)

    def take(self, key: tuple[str, str, str | None]) -> Interaction | None:
        """The next recorded answer for ``key`` (the last one again once all were served), marked used."""
        candidates = [i for i in self.window if i.key == key and self.eligible(i)]
        fresh = [i for i in candidates if i.index not in self._used]
        chosen = fresh[0] if fresh else (candidates[-1] if candidates else None)
        if chosen is not None:
            self._used.add(chosen.index)
            self.served.append(chosen)
        return chosen

    def reply_of(self, recorded: Interaction) -> Reply:
        """A recorded answer, its operation URLs pointing here."""
        headers = {}
        for name, value in recorded.headers.items():
            if name.lower() in ("azure-asyncoperation", "location"):
                headers[name] = str(value).replace(ARM, self.url)
            elif name.lower().startswith("x-ms-") or name.lower() in ("retry-after", "date"):
                headers[name] = str(value)
        return Reply(recorded.status, recorded.body, headers)

    # -- answering ---------------------------------------------------------------------------------------
    def answer(self, call: Call) -> Reply:
        """The recorded answer to ``call``, else a stand-in's, else ARM's 404 (both logged as unseen)."""
        with self._lock:
            recorded = self.take(call.key)
            if recorded is not None:
                return self.reply_of(recorded)
            for stand_in in self.stand_ins:
                reply = stand_in.answer(self, call)
                if reply is not None:
                    self.unseen.append(Unseen(call.method, call.path, call.filter, stand_in.name, self.writes_replayed))
                    return reply
            self.unseen.append(Unseen(call.method, call.path, call.filter, "404", self.writes_replayed))
            return Reply(404, {"error": {"code": "ResourceNotFound", "message": (
                f"The recorded session {self.cassette} holds no answer to {call.method} {call.path}: the Azure CLI "
                "never made this call.")}})

    def stop(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
