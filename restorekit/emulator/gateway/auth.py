"""The gateway's check of ``Authorization``, as ARM makes it.

With ``Settings.token_lifetime`` set, the gateway accepts only tokens the emulator issued
(``providers.entra``) and refuses an expired one exactly as ARM does (401 ``ExpiredAuthenticationToken``);
without it, any bearer token is accepted (issued ones too). The challenge of a refusal names the tenant of the
subscription the path names, as ARM's does (``authorization_uri="https://login.windows.net/{tenant}"``: how a
client finds the tenant of another organisation's subscription, a Resource Guard's).
"""

from __future__ import annotations

import re

from werkzeug.wrappers import Request

from ..arm.errors import ApiError
from ..clock import us_datetime
from ..estate.tenancy import TENANT_ID
from ..state import State

#: ARM's challenge: where to get a token (the real ARM names this authority, not the emulator).
AUTHORIZATION_URI = "https://login.windows.net/"
_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)", re.I)


def subscription_tenant(state: State, path: str) -> str:
    """The tenant of the subscription ``path`` names ('' when it names none the emulator knows)."""
    m = _SUBSCRIPTION.match(path)
    if m is None:
        return ""
    sub = m.group(1).lower()
    if sub in state.subscription_ids:
        return TENANT_ID
    for guard in state.estate.resource_guards.values():
        if guard.id.lower().startswith(f"/subscriptions/{sub}/"):
            return guard.tenant_id
    return ""


def _refuse(code: str, message: str, description: str, tenant: str) -> ApiError:
    return ApiError(401, code, message, headers={
        "WWW-Authenticate": (f'Bearer authorization_uri="{AUTHORIZATION_URI}{tenant}", error="invalid_token", '
                             f'error_description="{description}"'),
        "x-ms-failure-cause": "gateway"})


def authenticate(request: Request, state: State) -> None:
    """Check the bearer token as ARM does; raises a 401 ``ApiError`` when it is refused."""
    auth = request.headers.get("Authorization", "")
    value = auth[7:].strip() if auth.startswith("Bearer ") else ""
    tenant = subscription_tenant(state, request.path)
    if not value:
        missing = "The authentication failed because of missing 'Authorization' header."
        if not auth:
            raise _refuse("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                          missing, tenant)
        raise _refuse("InvalidAuthenticationToken", "The access token is invalid.", missing, tenant)
    if state.settings.token_lifetime is None:
        return
    token = state.tokens.find(value)
    if token is None:
        raise _refuse("InvalidAuthenticationToken", "The access token is invalid.",
                      "The access token is invalid.", tenant)
    now = state.clock.now()
    if token.expires_at <= now:
        # ARM's exact wording; the challenge's description is our guess (ARM's is not documented).
        raise _refuse("ExpiredAuthenticationToken",
                      f"The access token expiry UTC time '{us_datetime(token.expires_at)}' is earlier than "
                      f"current UTC time '{us_datetime(now)}'.", "The access token has expired.", tenant)
