"""Bearer tokens on every request, one renewal when ARM says a token expired, and clear errors when it refuses one.

:class:`BearerAuth` keeps the token it got and asks the ``TokenCredential`` again only when that token nears its
expiry (as azure-core's ``BearerTokenCredentialPolicy`` does): azure-identity's ``AzureCliCredential``, which
``DefaultAzureCredential`` uses after ``az login``, does not cache and runs ``az account get-access-token`` on
every call, a second or so each. It notes who the token is for (:mod:`restorekit.transport.token_claims`), never
the token itself.

When ARM answers 401 ``ExpiredAuthenticationToken``, :meth:`BearerAuth.renew` asks for a fresh token once:
a credential that can drop a cached token (``forget_token(token)``, as ``DevTokenCredential`` can) is told to,
then ``get_token`` is asked again. azure-identity's credentials have no "force refresh": they hand out a new
token once theirs has expired on this machine's clock, so a second refusal usually means a wrong clock or a
login that must be renewed; :func:`authentication_error` says so, naming the credential and the tenant.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

import requests

from ..core.errors import ArmError, AuthenticationError
from .no_token import asking
from .token_claims import Identity, identity_of

#: ARM's code for a token past its expiry: worth one fresh token and one retry.
EXPIRED = "ExpiredAuthenticationToken"
#: A kept token is renewed this many seconds before it expires (azure-core's margin), or at half its lifetime
#: when it lives less than twice that.
REFRESH_MARGIN = 300.0


class BearerAuth(requests.auth.AuthBase):
    """Adds ``Authorization: Bearer …``: the kept token, renewed from the credential before it expires."""

    def __init__(self, credential: Any, scope: str, *, clock: Any = time.time) -> None:
        self._credential = credential
        self._scope = scope
        self._clock = clock
        self._lock = threading.Lock()
        self._fetch_lock = threading.Lock()  # one request to the credential at a time
        self._kept: Any = None  # the AccessToken in use
        self._renew_at = 0.0
        self._digest: bytes | None = None
        self._identity = Identity()
        #: How many times the credential was asked for a token.
        self.fetched = 0

    def token(self) -> str:
        """The token for the scope: the kept one, or a new one from the credential when it nears its expiry."""
        kept = self._kept
        if kept is not None and self._clock() < self._renew_at:
            return str(kept.token)
        with self._fetch_lock:
            if self._kept is not None and self._clock() < self._renew_at:  # another thread renewed it
                return str(self._kept.token)
            return self._fetch()

    def _fetch(self) -> str:
        asked = self._clock()
        with asking(self.credential_name):  # no token at all: one AuthenticationError saying what was tried
            fresh = self._credential.get_token(self._scope)
        self.fetched += 1
        value = str(fresh.token)
        expires_on = float(getattr(fresh, "expires_on", 0) or 0)
        lifetime = max(expires_on - asked, 0.0)
        self._renew_at = expires_on - min(REFRESH_MARGIN, lifetime / 2)
        self._kept = fresh
        digest = hashlib.sha256(value.encode()).digest()
        with self._lock:
            if digest != self._digest:
                self._digest = digest
                self._identity = identity_of(value)
        return value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        return request

    @property
    def identity(self) -> Identity:
        """Tenant and principal of the last token used (unknowns before the first request)."""
        with self._lock:
            return self._identity

    @property
    def credential_name(self) -> str:
        """The credential's type, e.g. ``AzureCliCredential``."""
        return type(self._credential).__name__

    def renew(self, rejected: str) -> bool:
        """Get a fresh token after ARM said ``rejected`` had expired; True when the credential gave another one."""
        with self._fetch_lock:
            if self._kept is not None and str(self._kept.token) != rejected:
                return True  # another request renewed it meanwhile
            forget = getattr(self._credential, "forget_token", None)
            if callable(forget):
                forget(rejected)
            return self._fetch() != rejected

    def __repr__(self) -> str:
        return f"<bearer token of {self.credential_name} for {self._scope}>"


def used_token(request: requests.PreparedRequest | None) -> str:
    """The bearer token a sent request carried ("" when none)."""
    value = (request.headers.get("Authorization", "") if request is not None else "") or ""
    return value[7:] if value.startswith("Bearer ") else ""


def advice(code: str, credential: str, tenant: str, *, renewed: bool) -> str:
    """What to do about a refused token, for a user of ``credential``."""
    if credential == "DevTokenCredential":
        return ("the local emulator refused restorekit's development token: reconnect with rk.connect(<emulator url>) "
                "so that the credential asks the emulator's token endpoint again, and check that the emulator still "
                "runs (restart it if it was restarted with other settings)")
    login = "az login" if tenant == "unknown" else f"az login --tenant {tenant}"
    if code == "InvalidAuthenticationTokenTenant":
        return (f"the token is for tenant {tenant}, not the subscription's: run az login --tenant <the subscription's "
                "tenant>, or pass subscription_id= of a subscription of that tenant, then call it again")
    if code == EXPIRED:
        again = ("a fresh token was asked for and refused too" if renewed else
                 "the credential handed out the same token again (its cache thinks it is still valid)")
        return (f"{again}: check that this machine's clock is right, run {login} to renew the login "
                f"({credential}), then call it again")
    return (f"run {login} (or check the {credential} settings: client id, secret, managed identity), check that "
            f"tenant {tenant} is the subscription's, then call it again")


def authentication_error(error: ArmError, auth: BearerAuth, *, renewed: bool = False) -> AuthenticationError:
    """The :class:`~restorekit.core.errors.AuthenticationError` for a 401, naming the credential and the tenant."""
    tenant = auth.identity.tenant_text
    return AuthenticationError(error, credential=auth.credential_name, tenant=tenant,
                               advice=advice(error.code, auth.credential_name, tenant, renewed=renewed))
