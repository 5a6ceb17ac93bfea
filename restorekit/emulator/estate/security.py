"""A vault's security settings: soft delete, and multi-user authorization through a Resource Guard.

Soft delete (``backupconfig/vaultconfig``): a protected item deleted with its data stays soft-deleted for
``soft_delete_days`` days, then is purged. Multi-user authorization: a vault linked to a Resource Guard (its
proxy ``backupResourceGuardProxies/VaultProxy``) refuses the guard's critical operations unless the request
names the guard's operation request (``resourceGuardOperationRequests``) and carries a token of the guard's
tenant (``x-ms-authorization-auxiliary``) for a principal holding a role on the guard.

The Resource Guard itself (``Microsoft.DataProtection/resourceGuards``) lives in another tenant, as Azure's
documentation advises; the emulator knows it but serves none of its routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: The Resource Guard's tenant and subscription: another organisation's, not the emulator's.
GUARD_TENANT_ID = "72f988bf-0000-4000-a000-5ec0de7e9a4d"
GUARD_SUBSCRIPTION_ID = "c999d45b-944f-418c-a0d8-c3fcfd1802c8"

_VAULTS = "Microsoft.RecoveryServices/vaults"
#: The vault's critical operations a Resource Guard protects (``vaultCriticalOperation``, as the Azure CLI names
#: them), each with the kind of operation request the guard answers it with (``{guard}/{kind}/default``).
CRITICAL_OPERATIONS: dict[str, str] = {
    f"{_VAULTS}/backupconfig/write": "disableSoftDeleteRequests",
    f"{_VAULTS}/backupResourceGuardProxies/delete": "deleteResourceGuardProxyRequests",
    f"{_VAULTS}/backupFabrics/protectionContainers/protectedItems/delete": "deleteProtectedItemRequests",
    f"{_VAULTS}/backupFabrics/protectionContainers/protectedItems/write": "updateProtectedItemRequests",
    f"{_VAULTS}/backupPolicies/write": "updateProtectionPolicyRequests",
    f"{_VAULTS}/backupSecurityPIN/action": "getBackupSecurityPINRequests",
    f"{_VAULTS}/backupFabrics/protectionContainers/protectedItems/recoveryPoints/restore/action":
        "triggerRestoreRequests",
}
#: Short names of the critical operations the emulator's routes check.
DISABLE_SOFT_DELETE = f"{_VAULTS}/backupconfig/write"
DELETE_PROXY = f"{_VAULTS}/backupResourceGuardProxies/delete"
DELETE_PROTECTION = f"{_VAULTS}/backupFabrics/protectionContainers/protectedItems/delete"
RESTORE = f"{_VAULTS}/backupFabrics/protectionContainers/protectedItems/recoveryPoints/restore/action"


@dataclass
class ResourceGuard:
    """A Resource Guard: its id, tenant, the critical operations it protects and who holds a role on it.

    ``roles`` maps a principal (object id) to when its role (Backup MUA Operator, through PIM) ends; ``None``
    means every principal of the guard's tenant holds one (the emulator's default).
    """

    id: str
    tenant_id: str
    description: str = "Please take JIT access before performing any of the critical operation"
    operations: tuple[str, ...] = tuple(CRITICAL_OPERATIONS)
    roles: dict[str, datetime] | None = None

    @property
    def name(self) -> str:
        """The guard's name (the last segment of its id)."""
        return self.id.rsplit("/", 1)[-1]

    def request(self, operation: str) -> str:
        """The default operation request of ``operation``: ``{guard}/{kind}/default``."""
        return f"{self.id}/{CRITICAL_OPERATIONS[operation]}/default"

    def holds_role(self, principal: str, now: datetime) -> bool:
        """True when ``principal`` holds a role on the guard at ``now``."""
        if self.roles is None:
            return True
        until = self.roles.get(principal.lower())
        return until is not None and until > now

    def grant(self, principal: str, until: datetime) -> None:
        """Give ``principal`` a role on the guard until ``until`` (what a PIM activation does)."""
        if self.roles is None:
            self.roles = {}
        self.roles[principal.lower()] = until


@dataclass
class GuardProxy:
    """A vault's link to a Resource Guard (``backupResourceGuardProxies/{name}``) and its unlocked deletions."""

    name: str
    guard: ResourceGuard
    updated_at: datetime
    #: Resources whose deletion ``unlockDelete`` allowed (lower-case id -> until when).
    unlocked: dict[str, datetime] = field(default_factory=dict)

    def protects(self, operation: str) -> bool:
        """True when the guard protects the vault's critical ``operation``."""
        return operation in self.guard.operations


@dataclass
class VaultSecurity:
    """A vault's soft delete settings (``backupconfig/vaultconfig``) and its Resource Guard proxy, if any."""

    soft_delete_state: str = "Enabled"
    soft_delete_days: int = 14
    enhanced_security_state: str = "Enabled"
    proxy: GuardProxy | None = None

    @property
    def soft_delete(self) -> bool:
        """True when a deleted item is soft-deleted rather than purged."""
        return self.soft_delete_state in ("Enabled", "AlwaysON")
