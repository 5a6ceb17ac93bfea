"""Microsoft Entra's token endpoint, as far as a client-credentials flow needs it (Entra's, not ARM's).

``POST /{tenant}/oauth2/v2.0/token`` with a form body (``grant_type=client_credentials``,
``client_id``, ``client_secret`` (any value), ``scope`` ending in ``/.default``) answers as Entra
does: ``{token_type: "Bearer", expires_in, ext_expires_in, access_token}``, or Entra's own error body.
The gateway asks it first, before any ARM check (a token request carries no bearer token); the tokens
are kept in ``state.tokens`` and checked by ``gateway.auth``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from werkzeug.wrappers import Request, Response

from ..arm.responses import json_response
from ..state import State

#: Where the token endpoint listens: ``/{tenant}/oauth2/v2.0/token``.
TOKEN_PATH = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token/?$", re.I)
#: The lifetime of issued tokens when ``token_lifetime`` is not set (Entra's usual ``expires_in``).
DEFAULT_LIFETIME = 3599


def _entra_error(status: int, error: str, code: int, description: str) -> Response:
    """An error as Entra writes it (not the ARM envelope)."""
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return json_response({
        "error": error,
        "error_description": f"AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}"
                             f"\r\nTimestamp: {stamp}",
        "error_codes": [code], "timestamp": stamp, "trace_id": trace, "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}"}, status)


def token_endpoint(request: Request, state: State) -> Response | None:
    """Answer ``POST /{tenant}/oauth2/v2.0/token``; None when the request is for something else."""
    m = TOKEN_PATH.match(request.path)
    if m is None:
        return None
    if request.method != "POST":
        return _entra_error(405, "invalid_request", 900561,
                            "The endpoint only accepts POST requests. Received a GET request.")
    form = request.form
    for name in ("grant_type", "client_id", "scope"):
        if not form.get(name):
            return _entra_error(400, "invalid_request", 900144,
                                f"The request body must contain the following parameter: '{name}'.")
    if form["grant_type"] != "client_credentials":
        return _entra_error(400, "unsupported_grant_type", 70003,
                            f"The app requested an unsupported grant type '{form['grant_type']}'.")
    if not (form.get("client_secret") or form.get("client_assertion")):
        return _entra_error(401, "invalid_client", 7000216,
                            "'client_assertion', 'client_secret' or 'request' is required for the "
                            "'client_credentials' grant type.")
    scope = form["scope"].strip()
    if not scope.endswith("/.default") or " " in scope:
        return _entra_error(400, "invalid_scope", 1002012,
                            f"The provided value for scope {scope} is not valid. Client credential flows must "
                            "have a scope value with /.default suffixed to the resource identifier "
                            "(application ID URI).")
    lifetime = state.settings.token_lifetime or DEFAULT_LIFETIME
    token = state.tokens.issue(tenant=m.group("tenant"), client_id=form["client_id"], scope=scope,
                               lifetime=lifetime)
    seconds = int(lifetime)
    return json_response({"token_type": "Bearer", "expires_in": seconds, "ext_expires_in": seconds,
                          "access_token": token.value})
