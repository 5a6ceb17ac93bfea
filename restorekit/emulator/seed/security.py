"""The Resource Guard vaults of the demo estate may link to: ``securityRG/contosoResourceGuard``.

It lives in another tenant and subscription (``estate.security.GUARD_TENANT_ID``), owned by a security team, as
Azure's documentation advises; it protects every critical operation. No vault is linked to it at first: a
``PUT {vault}/backupResourceGuardProxies/VaultProxy`` naming it turns multi-user authorization on, as in Azure.
"""

from __future__ import annotations

from ..estate import Estate
from ..estate.security import GUARD_SUBSCRIPTION_ID, GUARD_TENANT_ID, ResourceGuard

#: The demo Resource Guard's id.
GUARD_ID = (f"/subscriptions/{GUARD_SUBSCRIPTION_ID}/resourceGroups/securityRG/providers/"
            "Microsoft.DataProtection/resourceGuards/contosoResourceGuard")


def add_resource_guards(estate: Estate) -> None:
    """Add the demo Resource Guard."""
    guard = ResourceGuard(GUARD_ID, GUARD_TENANT_ID)
    estate.resource_guards[guard.id.lower()] = guard
