"""The bearer tokens the emulator's Entra-like endpoint issued (``providers.entra``), by value.

A token is a JWT signed by the emulator (HS256 with a secret of its own, so only the emulator can check
it). Token times follow the emulator's clock; tests expire tokens at once with ``state.tokens.expire_all()``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..clock import Clock


@dataclass(frozen=True)
class IssuedToken:
    """A token the endpoint handed out."""

    value: str
    tenant: str
    client_id: str
    scope: str
    issued_at: datetime
    expires_at: datetime
    #: The ``oid`` claim: the object id of the application the token was issued to.
    object_id: str = ""


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
        token = IssuedToken(self._sign(claims), tenant, client_id, scope, now, expires, oid)
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
