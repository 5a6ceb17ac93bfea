"""Bearer tokens: a fake Microsoft Entra token endpoint, and the gateway's check of ``Authorization``.

``POST /{tenant}/oauth2/v2.0/token`` with a form body (``grant_type=client_credentials``,
``client_id``, ``client_secret`` (any value), ``scope`` ending in ``/.default``) answers as Entra
does: ``{token_type: "Bearer", expires_in, ext_expires_in, access_token}``. The access token is a
JWT signed by the emulator (HS256 with a secret of its own, so only the emulator can check it).

With ``Settings.token_lifetime`` set, the gateway accepts only tokens it issued and refuses an
expired one exactly as ARM does (401 ``ExpiredAuthenticationToken``); without it, any bearer
token is accepted (issued ones too). Token times follow the emulator's clock; tests expire tokens
at once with ``state.tokens.expire_all()``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from .clock import Clock, us_datetime
from .errors import ApiError
from .responses import json_response

if TYPE_CHECKING:
    from .state import State

#: Where the token endpoint listens: ``/{tenant}/oauth2/v2.0/token``.
TOKEN_PATH = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token/?$", re.I)
#: The lifetime of issued tokens when ``token_lifetime`` is not set (Entra's usual ``expires_in``).
DEFAULT_LIFETIME = 3599
#: ARM's challenge: where to get a token (the real ARM names this authority, not the emulator).
AUTHORIZATION_URI = "https://login.windows.net/"


@dataclass(frozen=True)
class IssuedToken:
    """A token the endpoint handed out."""

    value: str
    tenant: str
    client_id: str
    scope: str
    issued_at: datetime
    expires_at: datetime


class TokenRegistry:
    """The tokens the emulator issued, by value; thread-safe."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._secret = secrets.token_bytes(32)
        self._tokens: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()

    def issue(self, *, tenant: str, client_id: str, scope: str, lifetime: float) -> IssuedToken:
        """Issue a token valid for ``lifetime`` seconds from the clock's now."""
        now = self._clock.now()
        expires = now + timedelta(seconds=lifetime)
        audience = scope.removesuffix("/.default").removesuffix("/")
        oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"client:{client_id}"))
        claims = {"aud": audience, "iss": f"https://sts.windows.net/{tenant}/", "iat": int(now.timestamp()),
                  "nbf": int(now.timestamp()), "exp": int(expires.timestamp()), "appid": client_id,
                  "idtyp": "app", "oid": oid, "sub": oid, "tid": tenant, "ver": "1.0",
                  "uti": secrets.token_urlsafe(16)}
        token = IssuedToken(self._sign(claims), tenant, client_id, scope, now, expires)
        with self._lock:
            self._tokens[token.value] = token
        return token

    def _sign(self, claims: dict[str, object]) -> str:
        def part(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).decode().rstrip("=")

        head = part(json.dumps({"typ": "JWT", "alg": "HS256", "kid": "restorekit-emulator"}).encode())
        body = part(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self._secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}.{part(signature)}"

    def find(self, value: str) -> IssuedToken | None:
        """The issued token with this value, or None."""
        with self._lock:
            return self._tokens.get(value)

    def expire_all(self) -> int:
        """Make every issued token expired now (they expired a second ago); returns how many."""
        past = self._clock.now() - timedelta(seconds=1)
        with self._lock:
            for value, token in self._tokens.items():
                self._tokens[value] = replace(token, expires_at=min(token.expires_at, past))
            return len(self._tokens)

    def __len__(self) -> int:
        with self._lock:
            return len(self._tokens)


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


def _refuse(code: str, message: str, description: str) -> ApiError:
    return ApiError(401, code, message, headers={
        "WWW-Authenticate": (f'Bearer authorization_uri="{AUTHORIZATION_URI}", error="invalid_token", '
                             f'error_description="{description}"'),
        "x-ms-failure-cause": "gateway"})


def authenticate(request: Request, state: State) -> None:
    """Check the bearer token as ARM does; raises a 401 ``ApiError`` when it is refused."""
    auth = request.headers.get("Authorization", "")
    value = auth[7:].strip() if auth.startswith("Bearer ") else ""
    if not value:
        missing = "The authentication failed because of missing 'Authorization' header."
        if not auth:
            raise _refuse("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                          missing)
        raise _refuse("InvalidAuthenticationToken", "The access token is invalid.", missing)
    if state.settings.token_lifetime is None:
        return
    token = state.tokens.find(value)
    if token is None:
        raise _refuse("InvalidAuthenticationToken", "The access token is invalid.",
                      "The access token is invalid.")
    now = state.clock.now()
    if token.expires_at <= now:
        # ARM's exact wording; the challenge's description is our guess (ARM's is not documented).
        raise _refuse("ExpiredAuthenticationToken",
                      f"The access token expiry UTC time '{us_datetime(token.expires_at)}' is earlier than "
                      f"current UTC time '{us_datetime(now)}'.", "The access token has expired.")
