"""The credential restorekit uses against a local emulator: real, expiring tokens when the emulator issues them.

:class:`DevTokenCredential` is a ``TokenCredential`` for a loopback endpoint only. Given the emulator's URL it
asks the emulator's Entra-like token endpoint (``POST {url}/{tenant}/oauth2/v2.0/token``, client credentials)
for a token, keeps it, and asks again shortly before it expires (a fifth of its lifetime, at most 5 minutes,
before), so an emulator started with ``token_lifetime`` works end to end. When the endpoint answers that it has
no token endpoint (a plain HTTP server in tests), or when no URL is given, it hands out a fixed token.

``forget_token(token)`` drops a kept token that ARM refused as expired (:mod:`restorekit.transport.bearer`
calls it before asking again), which is how an emulator's ``expire_all()`` is survived.

>>> cred = DevTokenCredential(endpoint="http://127.0.0.1:8765")
>>> cred.get_token("http://127.0.0.1:8765/.default").token   # a JWT issued by the emulator
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from ..core.errors import TransportError
from ..transport.arm import is_loopback

log = logging.getLogger(__name__)

#: The fixed token of the fallback (any bearer token is accepted by an emulator without ``token_lifetime``).
DEV_TOKEN = "restorekit-dev-token"
#: The tenant, client id and (not secret) client secret restorekit presents to an emulator's token endpoint.
DEV_TENANT = "restorekit-dev"
DEV_CLIENT_ID = "restorekit-dev"
DEV_CLIENT_SECRET = "restorekit-dev-not-a-secret"
#: A kept token is renewed when less than this share of its lifetime is left (at most ``MAX_MARGIN`` s).
REFRESH_SHARE = 0.2
MAX_MARGIN = 300.0
#: Answers that mean "this server has no token endpoint" (anything else is a passing failure).
_NO_ENDPOINT = frozenset({400, 401, 403, 404, 405, 501})


class DevTokenCredential:
    """A ``TokenCredential`` for a loopback emulator: its issued tokens, refreshed; else a fixed token.

    ``DevTokenCredential()`` hands out ``token`` (valid an hour); ``DevTokenCredential(endpoint=url)`` asks the
    emulator at ``url`` (see the module doc). Thread-safe; the token never appears in its repr.
    """

    def __init__(self, token: str = DEV_TOKEN, *, endpoint: str | None = None, tenant: str = DEV_TENANT,
                 client_id: str = DEV_CLIENT_ID, timeout: float = 10.0) -> None:
        if endpoint is not None and not is_loopback(urlsplit(endpoint).hostname):
            raise ValueError(f"DevTokenCredential is only for a local emulator on loopback, not {endpoint!r}; "
                             "use an azure-identity credential (DefaultAzureCredential) for Azure")
        self._fixed = token
        self._endpoint = endpoint.rstrip("/") if endpoint else None
        self._tenant = tenant
        self._client_id = client_id
        self._timeout = timeout
        self._kept: dict[str, tuple[Any, float]] = {}  # scope -> (AccessToken, lifetime in s)
        self._offers: bool | None = None if endpoint else False
        self._lock = threading.Lock()
        #: Tokens obtained from the emulator so far.
        self.fetched = 0

    @property
    def issues_tokens(self) -> bool | None:
        """True when the emulator issues tokens, False when it does not (fixed token), None until asked."""
        return self._offers

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """A token for ``scopes[0]``: the emulator's (renewed before it expires) or the fixed one."""
        from azure.core.credentials import AccessToken

        scope = scopes[0] if scopes else f"{self._endpoint}/.default"
        with self._lock:
            if self._offers is False:
                return AccessToken(self._fixed, int(time.time()) + 3600)
            kept = self._kept.get(scope)
            if kept is not None:
                token, lifetime = kept
                if token.expires_on - time.time() > min(MAX_MARGIN, REFRESH_SHARE * lifetime):
                    return token
            fresh = self._fetch(scope)
            if fresh is None:
                return AccessToken(self._fixed, int(time.time()) + 3600)
            self._kept[scope] = fresh
            return fresh[0]

    def forget_token(self, token: str) -> None:
        """Drop ``token`` if it is the one kept (ARM said it expired): the next ``get_token`` asks the emulator."""
        with self._lock:
            for scope, (kept, _) in list(self._kept.items()):
                if kept.token == token:
                    del self._kept[scope]

    def _fetch(self, scope: str) -> tuple[Any, float] | None:
        """A new token from the emulator, or None when it has no token endpoint (then the fixed token is used)."""
        import requests
        from azure.core.credentials import AccessToken

        url = f"{self._endpoint}/{self._tenant}/oauth2/v2.0/token"
        form = {"grant_type": "client_credentials", "client_id": self._client_id,
                "client_secret": DEV_CLIENT_SECRET, "scope": scope}
        try:
            answer = requests.post(url, data=form, timeout=self._timeout)
        except requests.RequestException as exc:
            if self._offers:
                raise TransportError(f"the emulator's token endpoint {url} did not answer ({type(exc).__name__}); "
                                     "check that the emulator still runs, then call it again") from None
            return None  # not known to issue tokens yet: use the fixed token, ask again next time
        body: Any = None
        try:
            body = answer.json()
        except ValueError:
            pass
        token = body.get("access_token") if isinstance(body, dict) else None
        if answer.status_code == 200 and isinstance(token, str) and token:
            lifetime = float(body.get("expires_in") or 3600)
            self._offers = True
            self.fetched += 1
            log.debug("got a token from the emulator's token endpoint %s, valid %g s", url, lifetime)
            return AccessToken(token, int(time.time() + lifetime)), lifetime
        if answer.status_code in _NO_ENDPOINT or answer.status_code == 200:
            if not self._offers:
                self._offers = False
                log.debug("%s answered HTTP %s: no token endpoint, using a fixed development token", url,
                          answer.status_code)
                return None
        raise TransportError(f"the emulator's token endpoint {url} answered HTTP {answer.status_code}; check that "
                             "the emulator still runs, then call it again")

    def __repr__(self) -> str:
        where = f" from {self._endpoint}" if self._endpoint else ""
        mode = {True: "emulator tokens", False: "fixed token", None: "not asked yet"}[self._offers]
        return f"<DevTokenCredential{where} ({mode})>"
