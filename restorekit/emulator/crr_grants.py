"""Cross-region restore access tokens: what each one grants, and for how long.

``POST …/recoveryPoints/{rp}/accessToken`` grants access to one recovery point of one VM for
``Settings.crr_token_lifetime`` seconds of the emulator's clock; ``backupCrossRegionRestore``
redeems the token's ``accessTokenString`` and refuses a forged or an expired one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .errors import bad_request

if TYPE_CHECKING:
    from .estate import ProtectedVM
    from .state import State


@dataclass(frozen=True)
class CrrGrant:
    """Access to ``point_name`` of ``vm`` until ``expires_at``."""

    vm: ProtectedVM
    point_name: str
    expires_at: datetime


def grant(state: State, vm: ProtectedVM, point_name: str) -> str:
    """A new access token string for the point, valid ``crr_token_lifetime`` seconds."""
    token = secrets.token_urlsafe(48)
    expires = state.clock.now() + timedelta(seconds=state.settings.crr_token_lifetime)
    with state.lock:
        state.crr_tokens[token] = CrrGrant(vm, point_name, expires)
    return token


def redeem(state: State, token: str | None) -> CrrGrant:
    """The grant of ``token``; 400 when it is unknown or expired.

    ``UserErrorCrrAccessTokenInvalid`` and ``UserErrorCrrAccessTokenExpired`` are our guesses: the
    service's real codes for these cases are not documented anywhere we could find.
    """
    with state.lock:
        found = state.crr_tokens.get(token or "")
    if found is None:
        raise bad_request("UserErrorCrrAccessTokenInvalid",
                          "The cross region restore access token is invalid or expired. Get a new access token.")
    if found.expires_at <= state.clock.now():
        raise bad_request("UserErrorCrrAccessTokenExpired",
                          "The cross region restore access token has expired. Get a new access token from the "
                          "recovery point's accessToken API and retry.")
    return found
