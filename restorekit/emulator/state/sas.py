"""Shared access signatures for the blobs the emulator serves (boot diagnostics), signed with its own secret.

A SAS URL carries ``sv``, ``sr=b``, ``sp=r``, ``se`` (its expiry, by the emulator's clock) and ``sig`` (an HMAC of
the blob's path and the expiry): only the emulator can sign one, and it refuses one that expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from ..clock import Clock

#: The storage service version the signed URLs name (what Azure's boot diagnostics links carry).
SIGNED_VERSION = "2018-03-28"


class SasSigner:
    """Signs and checks read-only blob SAS query strings."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._secret = secrets.token_bytes(32)

    def _signature(self, path: str, expiry: str) -> str:
        digest = hmac.new(self._secret, f"{path.lower()}|{expiry}".encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def sign(self, path: str, minutes: float) -> str:
        """The query string (without ``?``) that lets anyone read the blob at ``path`` for ``minutes``."""
        expiry = (self._clock.now() + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return urlencode({"sv": SIGNED_VERSION, "sr": "b", "sp": "r", "se": expiry,
                          "sig": self._signature(path, expiry)})

    def check(self, path: str, args: dict[str, str]) -> str | None:
        """None when ``args`` grant reading ``path`` now; else why not (``"signature"`` or ``"expired: …"``)."""
        expiry, sig = args.get("se", ""), args.get("sig", "")
        if not sig or not hmac.compare_digest(sig, self._signature(path, expiry)) or args.get("sp") != "r":
            return "signature"
        try:
            ends = datetime.strptime(expiry, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=self._clock.now().tzinfo)
        except ValueError:
            return "signature"
        now = self._clock.now()
        if now > ends:
            return f"expired: Expiry [{ends:%a, %d %b %Y %H:%M:%S} GMT] - Current [{now:%a, %d %b %Y %H:%M:%S} GMT]"
        return None
