"""Where a Backup request points: the path patterns, api-version sets, and the vault, item and point a path names.

Each lookup answers as the service does when the thing is missing (404 with the Backup service's code,
or ARM's ``ResourceNotFound`` for a vault), so that every route family reads the path the same way.
"""

from __future__ import annotations

from ...arm import versions
from ...arm.errors import bad_request, not_found, resource_not_found
from ...arm.paths import SUBSCRIPTION
from ...call import Call
from ...estate.vaults import ProtectedVM, RecoveryPoint, Vault

#: ``{vault}``: ``…/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{vault}``.
VAULT = SUBSCRIPTION + r"/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.RecoveryServices/vaults/(?P<vault>[^/]+)"
#: ``{item}``: a protected item of the vault, by fabric, container and item name.
ITEM = VAULT + (r"/backupFabrics/(?P<fabric>[^/]+)/protectionContainers/(?P<container>[^/]+)"
                r"/protectedItems/(?P<item>[^/]+)")
#: ``{loc}``: the Recovery Services provider of a region (the passive stamp's cross-region calls).
LOCATION = SUBSCRIPTION + r"/providers/Microsoft\.RecoveryServices/locations/(?P<region>[^/]+)"

#: The active stamp's api-versions.
BACKUP = versions.BACKUP_VERSIONS
#: The passive stamp's api-versions (the secondary region's copy: cross-region restore).
PASSIVE = versions.PASSIVE_VERSIONS
#: Routes both stamps serve.
BOTH = versions.BACKUP_VERSIONS + versions.PASSIVE_VERSIONS


def vault(call: Call) -> Vault:
    """The vault of the path; 404 when none, 400 on the passive stamp when it has no cross-region restore."""
    found = call.state.estate.vault(call.groups["rg"], call.groups["vault"])
    if found is not None and found.subscription_id.lower() != call.groups["sub"].lower():
        found = None
    if found is None:
        raise resource_not_found("Microsoft.RecoveryServices/vaults", call.groups["vault"], call.groups["rg"])
    if call.api_version in PASSIVE and not found.crr:
        raise bad_request("BMSUserErrorCrossRegionRestoreNotEnabled",
                          f"Cross region restore is not enabled on vault '{found.name}'.")
    return found


def item(call: Call) -> tuple[Vault, ProtectedVM]:
    """The vault and the protected VM of the path."""
    found = vault(call)
    return found, item_in(found, call.groups)


#: The code of an operation refused because the item is soft-deleted (our guess: no public source names it).
SOFT_DELETED = "BMSUserErrorOperationNotAllowedOnSoftDeletedItem"


def live_item(call: Call) -> tuple[Vault, ProtectedVM]:
    """The vault and the protected VM of the path; 400 when the item is soft-deleted (undelete it first)."""
    found, vm = item(call)
    refuse_soft_deleted(vm)
    return found, vm


def refuse_soft_deleted(vm: ProtectedVM) -> None:
    """Raise 400 :data:`SOFT_DELETED` when ``vm``'s item is soft-deleted."""
    purge = vm.protection.purge_at
    if vm.protection.soft_deleted and purge is not None:
        raise bad_request(SOFT_DELETED,
                          f"The protected item '{vm.item}' is soft-deleted: its backup data is kept until "
                          f"{purge.strftime('%Y-%m-%d %H:%M')} UTC, then purged. Undelete it first (PUT the item with "
                          "properties.isRehydrate true, as 'az backup protection undelete' does), then retry.")


def item_in(in_vault: Vault, g: dict[str, str]) -> ProtectedVM:
    """The protected VM named by path parts ``fabric``, ``container`` and ``item``; 404 when none."""
    container, named = g["container"].split(";"), g["item"].split(";")
    ok = (g["fabric"].lower() == "azure" and len(container) >= 3 and len(named) >= 3
          and container[-3].lower() in ("iaasvmcontainerv2", "iaasvmcontainer")
          and (container[0].lower() == "iaasvmcontainer" or len(container) == 3)
          and named[0].lower() == "vm"
          and [c.lower() for c in container[-2:]] == [i.lower() for i in named[-2:]])
    vm = in_vault.items.get((container[-2].lower(), container[-1].lower())) if ok else None
    if vm is None:
        raise not_found("BMSUserErrorObjectNotFound",
                        f"Item not found: the protected item '{g['item']}' in container '{g['container']}' does not "
                        f"exist in vault '{in_vault.name}'.")
    return vm


def point(call: Call, vm: ProtectedVM) -> RecoveryPoint:
    """The recovery point the path names (``rp``)."""
    return point_named(vm, call.groups["rp"])


def point_named(vm: ProtectedVM, name: str) -> RecoveryPoint:
    """``vm``'s recovery point ``name``; 404 ``UserErrorRecoveryPointNotFound`` when none."""
    found = vm.point(name)
    if found is None:
        raise not_found("UserErrorRecoveryPointNotFound", f"Recovery point '{name}' was not found for item '{vm.item}'.")
    return found
