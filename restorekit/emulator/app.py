"""The gateway: the WSGI application, what ARM's front door does to every request, and routing.

In order: latency and injected faults (``state.faults``: a status, an HTML page, a dropped connection,
a storm), Entra's token endpoint (``providers.entra``, no bearer needed), the boot diagnostics blobs read
through SAS links (``providers.boot_diagnostics``, Storage's, no bearer either), a file recovery
executable's signed download URL (``providers.backup.file_recovery``, no bearer either), the body limit, the
bearer check, the throttle and a regional outage (``gateway``), restores, protection jobs and operations
completed by now applied (``state.settle``), then the route (``providers.ROUTES``): 405 for a known path with another method,
the api-version checked against the route's, 404 for an unknown subscription. Every answer gets ARM's
common headers (request ids, the throttle's remaining reads or writes, who asked where for Backup calls).
Providers know nothing of this module.
"""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from email.utils import format_datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from .arm import versions
from .arm.errors import ApiError, bad_request, not_found
from .arm.responses import empty_response as _empty
from .arm.responses import json_response as _json
from .call import Call, Handler
from .estate.tenancy import OPERATOR_ID, TENANT_ID
from .gateway import throttle
from .gateway.auth import authenticate
from .gateway.body_limit import check_size
from .gateway.outage import check_outage
from .providers import ROUTES
from .providers.backup.file_recovery import script_download
from .providers.boot_diagnostics import blob_endpoint
from .providers.entra import token_endpoint
from .server import SOCKET_KEY
from .state import State
from .state.faults import Fault

PASSIVE = versions.PASSIVE_VERSIONS


class EmulatorApp:
    """The WSGI callable. ``EmulatorApp(state)(environ, start_response)``."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.routes: list[tuple[str, re.Pattern[str], Handler, tuple[str, ...]]] = []
        for method, pattern, handler, api_versions in ROUTES:
            self.routes.append((method, re.compile("^" + pattern + "/?$", re.I), handler, api_versions))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        settings = self.state.settings
        if settings.latency_ms:
            time.sleep(settings.latency_ms / 1000.0)
        fault = self.state.faults.take(request.method, request.path)
        surge = None if fault else self.state.faults.storm_draw(request.method, request.path)
        if (fault and fault.kind == "drop") or (surge and surge.kind == "reset"):
            return _reset_connection(environ, start_response)
        if surge and surge.kind == "error":
            fault = Fault("status", 1, surge.status, surge.retry_after)
        response = self._answer(request, fault)
        if surge and surge.kind == "lost_answer":  # processed in full, then the answer is lost
            return _reset_connection(environ, start_response)
        if surge and surge.kind == "slow":
            time.sleep(surge.seconds)
        self._stamp(request, response)
        return response(environ, start_response)

    def _answer(self, request: Request, fault: Any) -> Response:
        try:
            if fault and fault.kind == "html":
                return Response(_HTML_PAGE.format(status=fault.status), status=fault.status,
                                content_type="text/html; charset=utf-8")
            if fault:
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                code = {500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable",
                        504: "GatewayTimeout"}.get(fault.status, "InternalServerError")
                raise ApiError(fault.status, code, "The service is temporarily unavailable. Please retry.",
                               headers=headers)
            return self._dispatch(request)
        except ApiError as err:
            return _json(err.envelope(), err.status, err.headers)

    def _dispatch(self, request: Request) -> Response:
        token_answer = token_endpoint(request, self.state)  # Entra's, not ARM's: no bearer needed
        if token_answer is not None:
            return token_answer
        blob_answer = blob_endpoint(request, self.state)  # Storage's, to a SAS link: no bearer either
        if blob_answer is not None:
            return blob_answer
        download = script_download(request, self.state)  # a signed download URL: no bearer needed
        if download is not None:
            return download
        check_size(request)
        authenticate(request, self.state)
        throttle.admit(self.state, request)
        check_outage(self.state, request)
        path = request.path
        self.state.settle(self.state.clock.now())  # restores, protection jobs and deletes completed by now
        allowed_methods = set()
        for method, pattern, handler, api_versions in self.routes:
            m = pattern.match(path)
            if not m:
                continue
            if method != request.method:
                allowed_methods.add(method)
                continue
            api_version = _api_version(request, api_versions)
            groups = m.groupdict()
            if "sub" in groups and groups["sub"].lower() not in self.state.subscription_ids:
                raise not_found("SubscriptionNotFound", f"The subscription '{groups['sub']}' could not be found.")
            base = request.host_url.rstrip("/")
            return handler(Call(request, groups, self.state, api_version, base))
        if allowed_methods:
            raise ApiError(405, "MethodNotAllowed",
                           f"The requested resource does not support http method '{request.method}'.")
        if request.args.get("api-version") is None:
            raise bad_request("MissingApiVersionParameter",
                              "The api-version query parameter (?api-version=) is required for all requests.")
        raise not_found("InvalidResourceType", f"The resource type could not be found for path '{path}'.")

    def _stamp(self, request: Request, response: Response) -> None:
        h = response.headers
        rid = str(uuid.uuid4())
        h["x-ms-request-id"] = rid
        h["x-ms-correlation-request-id"] = request.headers.get("x-ms-correlation-request-id") or rid
        if request.headers.get("x-ms-client-request-id"):
            h["x-ms-client-request-id"] = request.headers["x-ms-client-request-id"]
        now = self.state.clock.now()
        h["x-ms-routing-request-id"] = f"WESTUS:{now.strftime('%Y%m%dT%H%M%SZ')}:{rid}"
        for name, value in throttle.remaining_headers(self.state, request).items():
            h.setdefault(name, value)
        if _ACTIVE_STAMP.search(request.path) and request.args.get("api-version") not in PASSIVE:
            h["x-ms-operation-identifier"] = (f"tenantId={TENANT_ID},objectId={OPERATOR_ID}/"
                                              f"{_region_of(self.state, request.path)}/{rid}")
        h["Cache-Control"] = "no-cache"
        h["Pragma"] = "no-cache"
        h["X-Content-Type-Options"] = "nosniff"
        h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        h["Date"] = format_datetime(now, usegmt=True)  # by the emulator's clock: an estate pinned to a day says it


#: The Backup service's own paths (vaults and what is under them): Azure tags their answers with who asked, where.
_ACTIVE_STAMP = re.compile(r"/providers/Microsoft\.RecoveryServices/vaults/[^/]+/", re.I)


def _region_of(state: State, path: str) -> str:
    m = re.search(r"/resourceGroups/([^/]+)/providers/Microsoft\.RecoveryServices/vaults/([^/]+)", path, re.I)
    vault = state.estate.vault(m.group(1), m.group(2)) if m else None
    return vault.location if vault is not None else "westus"


_HTML_PAGE = ("<!DOCTYPE html><html><head><title>{status} - Service unavailable</title></head>"
              "<body><h1>{status}</h1><p>The gateway did not receive a timely response.</p></body></html>")


def _api_version(request: Request, accepted: tuple[str, ...]) -> str:
    value = request.args.get("api-version")
    if value is None:
        raise bad_request("MissingApiVersionParameter",
                          "The api-version query parameter (?api-version=) is required for all requests.")
    if value not in accepted:
        raise bad_request("InvalidApiVersionParameter",
                          f"The api-version '{value}' is invalid. The supported versions are "
                          f"'{','.join(sorted(accepted, reverse=True))}'.")
    return value


def _reset_connection(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Reset the client's connection without an answer (what a dropping gateway does)."""
    sock = environ.get(SOCKET_KEY)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    return _empty(500)(environ, start_response)
