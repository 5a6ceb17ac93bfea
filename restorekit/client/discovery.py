"""Finding Azure the way Azure's own tools do: which subscription, and whether any credential exists at all.

``rk.connect()`` asks this module, in order, for the subscription to use:

1. ``AZURE_SUBSCRIPTION_ID``;
2. the Azure CLI's default subscription, read from its profile as ``az account show`` reads it
   (``$AZURE_CONFIG_DIR/azureProfile.json``, by default ``~/.azure/azureProfile.json``);
3. the one subscription the credential can list (``GET /subscriptions``); several and none chosen is an error
   that lists them.

:func:`credential_sources` says which Azure credentials exist on this machine without using any of them (no
network): environment variables of a service principal or a managed identity, an Azure CLI login, an Azure
Developer CLI login. When there is none at all, ``connect()`` falls back to the local emulator, and says so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import RestorekitError

#: api-version of ``GET /subscriptions`` (Microsoft.Resources).
SUBSCRIPTIONS_API_VERSION = "2022-12-01"


class SubscriptionNotChosen(RestorekitError):
    """The credential can read several subscriptions and nothing says which one to use."""


@dataclass(frozen=True)
class Subscription:
    """A subscription as the Azure CLI or ``GET /subscriptions`` describe it."""

    id: str
    name: str = ""
    tenant_id: str = ""
    state: str = ""
    is_default: bool = False
    cloud: str = "AzureCloud"

    def __str__(self) -> str:
        label = f"{self.name} ({self.id})" if self.name else self.id
        return label + (f", {self.state}" if self.state and self.state != "Enabled" else "")


def azure_config_dir(env: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """The Azure CLI's configuration folder: ``$AZURE_CONFIG_DIR``, else ``~/.azure``."""
    env = os.environ if env is None else env
    configured = env.get("AZURE_CONFIG_DIR")
    if configured:
        return Path(configured).expanduser()
    return (home or Path(env.get("HOME") or Path.home())) / ".azure"


def cli_subscriptions(config_dir: Path) -> list[Subscription]:
    """The subscriptions of the Azure CLI's profile (empty when there is no profile or no login)."""
    path = config_dir / "azureProfile.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))  # the CLI writes a byte-order mark
    except (OSError, ValueError):
        return []
    out = []
    for entry in data.get("subscriptions") or [] if isinstance(data, dict) else []:
        if isinstance(entry, dict) and entry.get("id"):
            out.append(Subscription(str(entry["id"]), str(entry.get("name") or ""), str(entry.get("tenantId") or ""),
                                    str(entry.get("state") or ""), bool(entry.get("isDefault")),
                                    str(entry.get("environmentName") or "AzureCloud")))
    return out


def cli_default_subscription(config_dir: Path, cloud: str = "AzureCloud") -> Subscription | None:
    """The subscription ``az account show`` would show in ``cloud`` (the profile's default), if any."""
    for sub in cli_subscriptions(config_dir):
        if sub.is_default and sub.cloud == cloud:
            return sub
    return None


def credential_sources(env: Mapping[str, str] | None = None, home: Path | None = None) -> list[str]:
    """Which Azure credentials exist here, as short descriptions (empty: none at all). Nothing is sent.

    Looks at what ``DefaultAzureCredential`` would use: a service principal or workload identity in the
    environment, a managed identity endpoint, an Azure CLI login (its profile or token cache), an Azure Developer
    CLI login. A managed identity that only the VM's metadata endpoint knows about cannot be seen offline: set
    ``AZURE_SUBSCRIPTION_ID`` (or pass ``credential=``) on such a VM.
    """
    env = os.environ if env is None else env
    found = []
    if env.get("AZURE_CLIENT_ID") and env.get("AZURE_TENANT_ID") and (
            env.get("AZURE_CLIENT_SECRET") or env.get("AZURE_CLIENT_CERTIFICATE_PATH")
            or env.get("AZURE_FEDERATED_TOKEN_FILE")):
        found.append("a service principal or workload identity in AZURE_CLIENT_ID/AZURE_TENANT_ID")
    if env.get("AZURE_USERNAME") and env.get("AZURE_PASSWORD"):
        found.append("a user in AZURE_USERNAME")
    if env.get("IDENTITY_ENDPOINT") or env.get("MSI_ENDPOINT"):
        found.append("a managed identity (IDENTITY_ENDPOINT)")
    config_dir = azure_config_dir(env, home)
    if cli_subscriptions(config_dir) or any((config_dir / name).exists()
                                            for name in ("msal_token_cache.json", "msal_token_cache.bin")):
        found.append(f"an Azure CLI login ({config_dir})")
    azd = (home or Path(env.get("HOME") or Path.home())) / ".azd" / "auth"
    if azd.is_dir() and any(azd.iterdir()):
        found.append("an Azure Developer CLI login (~/.azd)")
    return found


def listed_subscriptions(arm: Any) -> list[Subscription]:
    """The subscriptions the credential can read (``GET /subscriptions``), every page."""
    subs = []
    for raw in arm.list("/subscriptions", api_version=SUBSCRIPTIONS_API_VERSION):
        if isinstance(raw, dict) and raw.get("subscriptionId"):
            subs.append(Subscription(str(raw["subscriptionId"]), str(raw.get("displayName") or ""),
                                     str(raw.get("tenantId") or ""), str(raw.get("state") or "")))
    return subs


def only_subscription(subs: list[Subscription], where: str) -> Subscription:
    """The one enabled subscription of ``subs``; a clear error listing them when there are none or several."""
    enabled = [s for s in subs if s.state in ("", "Enabled")]
    if len(enabled) == 1:
        return enabled[0]
    if not enabled:
        raise SubscriptionNotChosen(
            f"the credential can read no enabled subscription at {where}: check that you are signed in to the "
            "right tenant (az login --tenant …), or pass subscription_id=")
    listing = "\n".join(f"  - {s}" for s in enabled)
    raise SubscriptionNotChosen(
        f"the credential can read {len(enabled)} subscriptions at {where} and nothing says which one to use:\n"
        f"{listing}\nChoose one: rk.connect(subscription_id='…'), export AZURE_SUBSCRIPTION_ID=…, or "
        "az account set --subscription …")
