"""The gateway's check of ``Authorization``, as ARM makes it.

With ``Settings.token_lifetime`` set, the gateway accepts only tokens the emulator issued
(``providers.entra``) and refuses an expired one exactly as ARM does (401 ``ExpiredAuthenticationToken``);
without it, any bearer token is accepted (issued ones too).
"""

from __future__ import annotations

from werkzeug.wrappers import Request

from ..arm.errors import ApiError
from ..clock import us_datetime
from ..state import State

#: ARM's challenge: where to get a token (the real ARM names this authority, not the emulator).
AUTHORIZATION_URI = "https://login.windows.net/"


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
