"""Who may do what: the emulator's role-based access control, as far as tests need it (denials only).

Every principal may do everything unless a test denies an action (``srv.state.access.deny(action)``); a denied
action answers ARM's 403 ``AuthorizationFailed``. A principal is the object id of the bearer token's
application when the emulator's token endpoint issued it, else :data:`~restorekit.emulator.estate.tenancy.OPERATOR_ID`.
"""

from __future__ import annotations

import threading

from ..estate.tenancy import OPERATOR_ID
from .tokens import TokenRegistry

#: Every principal.
ANYONE = "*"


class AccessControl:
    """The actions denied to principals (``"*"``: to everyone); thread-safe."""

    def __init__(self) -> None:
        self._denied: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def deny(self, action: str, principal: str = ANYONE) -> None:
        """Deny ``action`` (an ARM action name, case-insensitive) to ``principal``."""
        with self._lock:
            self._denied.add((principal.lower(), action.lower()))

    def allow(self, action: str, principal: str = ANYONE) -> None:
        """Lift a denial made with :meth:`deny`."""
        with self._lock:
            self._denied.discard((principal.lower(), action.lower()))

    def denied(self, principal: str, action: str) -> bool:
        """True when ``principal`` may not perform ``action``."""
        with self._lock:
            return any((who, action.lower()) in self._denied for who in (principal.lower(), ANYONE))


def principal_of(tokens: TokenRegistry, authorization: str) -> str:
    """The object id behind an ``Authorization: Bearer …`` value (an issued token's, else the operator's)."""
    value = authorization[7:].strip() if authorization.startswith("Bearer ") else ""
    token = tokens.find(value) if value else None
    return token.object_id if token is not None and token.object_id else OPERATOR_ID
