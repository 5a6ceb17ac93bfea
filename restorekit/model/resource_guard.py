"""A vault's Resource Guard (multi-user authorization), as its proxy names it, and the tenant it lives in.

``GET {vault}/backupResourceGuardProxies`` lists the vault's proxy (Azure names it ``VaultProxy``; a vault without
multi-user authorization answers ``{"value": []}``): the guard's ARM id and, for each critical operation it
protects (``vaultCriticalOperation``, the vault's action as the Azure CLI compares it), the operation request to
name in ``resourceGuardOperationRequests`` (``defaultResourceRequest``). The guard usually lives in another
tenant; :func:`read_guard` finds which from ARM's challenge (:func:`~restorekit.transport.anonymous.subscription_tenant`).

>>> guard = read_guard(az.arm, vault.id)          # doctest: +SKIP
>>> guard.protects(RESTORE), guard.tenant_id      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.ids import name_of, resource_group_of, subscription_of
from ..transport.anonymous import subscription_tenant

if TYPE_CHECKING:  # pragma: no cover
    from ..core.protocols import ArmApi

_VAULTS = "Microsoft.RecoveryServices/vaults"
#: The vault's critical operations restorekit sends (``vaultCriticalOperation``).
RESTORE = f"{_VAULTS}/backupFabrics/protectionContainers/protectedItems/recoveryPoints/restore/action"
DELETE_PROTECTION = f"{_VAULTS}/backupFabrics/protectionContainers/protectedItems/delete"
UPDATE_PROTECTION = f"{_VAULTS}/backupFabrics/protectionContainers/protectedItems/write"
DISABLE_SOFT_DELETE = f"{_VAULTS}/backupconfig/write"
#: The same, in words (what a message says the operation is).
OPERATION_NAMES = {RESTORE: "a restore", DELETE_PROTECTION: "deleting a protected item's backup data",
                   UPDATE_PROTECTION: "changing a protected item's protection",
                   DISABLE_SOFT_DELETE: "turning soft delete off"}


@dataclass(frozen=True)
class ResourceGuard:
    """The Resource Guard a vault is linked to: its id, tenant and the operation request of each protected operation.

    ``tenant_id`` is None when ARM did not say (then the user must know it).
    """

    id: str
    proxy_name: str
    requests: Mapping[str, str] = field(default_factory=dict)
    tenant_id: str | None = None
    description: str = ""

    @property
    def name(self) -> str:
        """The guard's name."""
        return name_of(self.id)

    @property
    def subscription_id(self) -> str:
        """The guard's subscription."""
        return subscription_of(self.id) or ""

    @property
    def resource_group(self) -> str:
        """The guard's resource group."""
        return resource_group_of(self.id) or ""

    def protects(self, operation: str) -> bool:
        """True when the guard protects the vault's critical ``operation``."""
        return operation.lower() in self.requests

    def request_for(self, operation: str) -> str:
        """The operation request to name in ``resourceGuardOperationRequests`` for ``operation``."""
        return self.requests[operation.lower()]

    def __repr__(self) -> str:
        return (f"<ResourceGuard {self.name} (tenant {self.tenant_id or 'unknown'}), protecting "
                f"{len(self.requests)} operation(s)>")


def guard_from_proxy(raw: Mapping[str, Any], tenant_id: str | None = None) -> ResourceGuard:
    """A :class:`ResourceGuard` from a ``ResourceGuardProxyBaseResource``."""
    props = raw.get("properties") if isinstance(raw.get("properties"), Mapping) else {}
    details = props.get("resourceGuardOperationDetails") or []
    requests = {str(d.get("vaultCriticalOperation", "")).lower(): str(d.get("defaultResourceRequest", ""))
                for d in details if isinstance(d, Mapping) and d.get("vaultCriticalOperation")}
    return ResourceGuard(id=str(props.get("resourceGuardResourceId") or ""), proxy_name=str(raw.get("name") or ""),
                         requests=requests, tenant_id=tenant_id, description=str(props.get("description") or ""))


def read_guard(arm: ArmApi, vault_id: str, *, find_tenant: bool = True) -> ResourceGuard | None:
    """The Resource Guard ``vault_id`` is linked to (None: no multi-user authorization on that vault).

    ``find_tenant`` asks ARM which tenant the guard's subscription belongs to (one request without a token).
    """
    from ..core.api_versions import BACKUP

    answer = arm.request("GET", f"{vault_id}/backupResourceGuardProxies", api_version=BACKUP)
    proxies = [p for p in (answer.body or {}).get("value") or [] if isinstance(p, Mapping)]
    if not proxies:
        return None
    guard = guard_from_proxy(proxies[0])
    if find_tenant and guard.subscription_id:
        tenant = subscription_tenant(arm.endpoint, guard.subscription_id)
        guard = ResourceGuard(guard.id, guard.proxy_name, guard.requests, tenant, guard.description)
    return guard
