"""A TokenCredential that gets its tokens from the emulator's Entra-like endpoint (client credentials)."""

from __future__ import annotations

import time

import requests
from azure.core.credentials import AccessToken

TENANT = "00000000-0000-0000-0000-000000000000"


def token_url(base_url: str, tenant: str = TENANT) -> str:
    """The emulator's token endpoint for ``tenant``."""
    return f"{base_url}/{tenant}/oauth2/v2.0/token"


class EmulatorCredential:
    """Client-credentials flow against the emulator; counts the tokens it fetched."""

    def __init__(self, base_url: str, client_id: str = "app-1", secret: str = "s3cret") -> None:
        self.base_url = base_url
        self.client_id = client_id
        self.secret = secret
        self.fetched = 0

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        r = requests.post(token_url(self.base_url), data={
            "grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.secret,
            "scope": scopes[0] if scopes else "https://management.azure.com/.default"}, timeout=10)
        r.raise_for_status()
        body = r.json()
        self.fetched += 1
        return AccessToken(body["access_token"], int(time.time()) + int(body["expires_in"]))
