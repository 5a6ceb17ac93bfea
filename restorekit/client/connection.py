"""Connecting: decide where to talk (an endpoint, real Azure, or the local emulator) and with which token.

``rk.connect()`` picks, in this order:

1. ``endpoint=`` or the ``RESTOREKIT_ENDPOINT`` environment variable: that URL, with any credential
   (a loopback emulator accepts the built-in dev token);
2. ``AZURE_SUBSCRIPTION_ID`` set: real Azure with ``DefaultAzureCredential`` in the chosen cloud;
3. otherwise: an in-process emulator on 127.0.0.1, announced by one printed line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core import api_versions
from ..transport.arm import ArmSession, TokenCredential, is_loopback

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .resources import Vault

EMULATOR_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEV_TOKEN = "restorekit-dev-token"


@dataclass(frozen=True)
class Cloud:
    """An Azure cloud: its Resource Manager endpoint and its Entra ID authority host."""

    name: str
    resource_manager: str
    authority: str


CLOUDS = {
    "AzureCloud": Cloud("AzureCloud", "https://management.azure.com", "login.microsoftonline.com"),
    "AzureUSGovernment": Cloud("AzureUSGovernment", "https://management.usgovcloudapi.net", "login.microsoftonline.us"),
    "AzureChinaCloud": Cloud("AzureChinaCloud", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
}


class DevTokenCredential:
    """A ``TokenCredential`` that hands out a fixed token: only for a loopback emulator."""

    def __init__(self, token: str = DEV_TOKEN) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """Return the fixed token, valid for an hour."""
        import time

        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + 3600)

    def __repr__(self) -> str:
        return "<DevTokenCredential>"


class Connection:
    """Where restorekit talks and how: an endpoint, a subscription and an authenticated ARM session.

    Use :func:`connect` to make one. ``vault(resource_group, name)`` is the way in.
    """

    def __init__(
        self,
        arm: ArmSession,
        subscription_id: str,
        *,
        kind: str,
        cloud: Cloud | None = None,
        emulator: Any = None,
    ) -> None:
        self.arm = arm
        self.subscription_id = subscription_id
        self.kind = kind
        self.cloud = cloud
        self.emulator = emulator

    @property
    def endpoint(self) -> str:
        """The Resource Manager endpoint, e.g. ``https://management.azure.com``."""
        return self.arm.endpoint

    @property
    def api_version(self) -> str:
        """The Backup api-version used for calls that do not say otherwise."""
        return self.arm.api_version

    @property
    def is_emulator(self) -> bool:
        """True when talking to a local emulator (started here, or any endpoint on loopback)."""
        from urllib.parse import urlsplit

        return self.kind == "emulator" or (self.kind == "endpoint" and is_loopback(urlsplit(self.endpoint).hostname))

    def __repr__(self) -> str:
        where = {"emulator": "local emulator", "endpoint": "endpoint", "azure": self.cloud.name if self.cloud else "Azure"}
        return (f"<restorekit connection: {where.get(self.kind, self.kind)} {self.endpoint}, "
                f"subscription {self.subscription_id}, api-version {self.api_version}>")

    def _repr_html_(self) -> str:
        from ..core.html import fields_table

        kind = {"emulator": "local emulator (started here)", "endpoint": "endpoint", "azure": "Azure"}
        return fields_table([("talks to", kind.get(self.kind, self.kind)), ("cloud", self.cloud.name if self.cloud else None),
                             ("endpoint", self.endpoint), ("subscription", self.subscription_id),
                             ("api-version", self.api_version)], "restorekit-connection", "restorekit connection")

    def vault(self, resource_group: str, name: str) -> Vault:
        """The Recovery Services vault ``name`` of ``resource_group`` (checked: the error lists what exists)."""
        from .resources import Vault

        return Vault.fetch(self, resource_group, name)

    def vaults(self) -> list[Vault]:
        """Every Recovery Services vault of the subscription."""
        from .resources import Vault

        return Vault.list(self)

    def inventory(self, start: Any = None, end: Any = None, **kwargs: Any) -> pd.DataFrame:
        """Recovery points of every protected VM of every vault of the subscription, as one DataFrame."""
        from .inventory import collect

        items = (item for vault in self.vaults() for item in vault.iter_protected_items())
        return collect(items, start=start, end=end, label="inventory", **kwargs)

    def close(self) -> None:
        """Close the HTTP session, and stop the emulator this connection started."""
        self.arm.close()
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(
    endpoint: str | None = None,
    *,
    subscription_id: str | None = None,
    credential: TokenCredential | None = None,
    api_version: str | None = None,
    cloud: str = "AzureCloud",
    quiet: bool = False,
    **session_options: Any,
) -> Connection:
    """Connect to an ARM endpoint, to real Azure, or to a freshly started local emulator.

    >>> az = connect()                                  # no settings: starts the emulator, says so
    >>> az = connect("http://127.0.0.1:8765")           # an emulator already running
    >>> az = connect(subscription_id="…", credential=DefaultAzureCredential())   # real Azure
    """
    api_version = api_version or api_versions.BACKUP
    endpoint = endpoint or os.environ.get("RESTOREKIT_ENDPOINT") or None
    subscription_id = subscription_id or os.environ.get("AZURE_SUBSCRIPTION_ID") or None
    if cloud not in CLOUDS:
        raise ValueError(f"unknown cloud {cloud!r}; choose one of {', '.join(CLOUDS)}")
    if endpoint:
        from urllib.parse import urlsplit

        host = urlsplit(endpoint).hostname
        if credential is None:
            if not is_loopback(host):
                credential = _default_credential(CLOUDS[cloud])
            else:
                credential = DevTokenCredential()
        arm = ArmSession(endpoint, credential, api_version=api_version, **session_options)
        return Connection(arm, subscription_id or EMULATOR_SUBSCRIPTION, kind="endpoint")
    if subscription_id:
        chosen = CLOUDS[cloud]
        arm = ArmSession(
            chosen.resource_manager,
            credential or _default_credential(chosen),
            api_version=api_version,
            scope=f"{chosen.resource_manager}/.default",
            **session_options,
        )
        return Connection(arm, subscription_id, kind="azure", cloud=chosen)
    from .. import emulator

    server = emulator.start()
    if not quiet:
        print(f"restorekit: no Azure settings found; started the local emulator at {server.url} "
              "(set AZURE_SUBSCRIPTION_ID for real Azure)", flush=True)
    arm = ArmSession(server.url, credential or DevTokenCredential(), api_version=api_version, **session_options)
    return Connection(arm, server.subscription_id, kind="emulator", emulator=server)


def _default_credential(cloud: Cloud) -> TokenCredential:
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(authority=cloud.authority)
