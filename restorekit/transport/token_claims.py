"""Who a bearer token speaks for: its tenant and principal, read from the JWT's claims (never the token itself).

Entra ID access tokens are JWTs; their payload names the tenant (``tid``) and the principal (``upn`` or
``unique_name`` for a user, ``appid``/``azp`` for an application, ``oid`` for either). restorekit reads them,
unverified, only to say who acted (the restore journal) and which tenant a refused token was for (errors).
A token that is not a JWT gives an :class:`Identity` of unknowns.

>>> identity_of(token).principal        # "alice@contoso.com", "app 1b2c…", or None
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

UNKNOWN = "unknown"


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a JWT as a dict (unverified); an empty dict when ``token`` is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


@dataclass(frozen=True)
class Identity:
    """The tenant and principal a token was issued for, when its claims say so (no secret in it)."""

    tenant: str | None = None
    principal: str | None = None
    expires: int | None = None

    @property
    def tenant_text(self) -> str:
        """The tenant, or ``"unknown"``."""
        return self.tenant or UNKNOWN

    def __str__(self) -> str:
        return f"{self.principal or 'principal unknown'} (tenant {self.tenant_text})"


def identity_of(token: str) -> Identity:
    """The :class:`Identity` in a token's claims: ``upn``, ``unique_name``, ``appid``/``azp`` or ``oid``; ``tid``."""
    claims = claims_of(token)
    principal = None
    for key, label in (("upn", ""), ("unique_name", ""), ("preferred_username", ""), ("appid", "app "),
                       ("azp", "app "), ("oid", "object ")):
        value = claims.get(key)
        if isinstance(value, str) and value:
            principal = f"{label}{value}"
            break
    tenant = claims.get("tid") if isinstance(claims.get("tid"), str) else None
    expires = claims.get("exp") if isinstance(claims.get("exp"), int) else None
    return Identity(tenant or None, principal, expires)
