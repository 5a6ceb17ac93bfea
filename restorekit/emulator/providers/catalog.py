"""Every ARM resource of the emulator's subscriptions, as its own provider answers a GET of it.

What ARM's generic listing (``generic_resources``: Resources_List, Resources_ListByResourceGroup) and Resource
Graph's ``Resources`` table read: VMs, disks, disk encryption sets, NICs and network security groups (the
inventory), virtual networks and storage accounts (the estate's), and Recovery Services vaults. Resource groups
are containers, not resources (``ResourceContainers`` in Resource Graph).
"""

from __future__ import annotations

from typing import Any

from ..estate.inventory import ComputeVM, DiskEncryptionSet, ManagedDisk, NetworkInterface
from ..estate.network_security import SecurityGroup
from ..estate.tenancy import SUBSCRIPTION_ID
from ..state import State
from .arm_async import provisioning_state
from .backup.shapes import vault
from .compute import resource_body
from .network import network_interface, virtual_network
from .security_groups import security_group
from .storage import storage_account


def arm_resources(state: State, subscriptions: set[str], resource_group: str | None = None) -> list[dict[str, Any]]:
    """The resources of ``subscriptions`` (lower-case ids), of one resource group or all, sorted by id."""
    group = resource_group.lower() if resource_group else None

    def wanted(rg: str) -> bool:
        return group is None or rg.lower() == group

    now = state.clock.now()
    estate = state.estate
    out: list[dict[str, Any]] = []
    inventory = estate.inventory

    def mine(resource: ComputeVM | ManagedDisk | DiskEncryptionSet | NetworkInterface | SecurityGroup) -> bool:
        return resource.subscription.lower() in subscriptions and wanted(resource.resource_group)

    for kind in (ComputeVM, ManagedDisk, DiskEncryptionSet):
        out += [resource_body(state, r, now) for r in inventory.list(kind) if mine(r)]
    out += [network_interface(n) for n in inventory.list(NetworkInterface) if mine(n)]
    out += [security_group(state, g, now) for g in inventory.list(SecurityGroup) if mine(g)]
    if SUBSCRIPTION_ID in subscriptions:  # networks and storage accounts live in the demo subscription
        out += [virtual_network(n, inventory, provisioning_state(state, n.id, now))
                for n in list(estate.networks.values()) if wanted(n.resource_group)]
        out += [storage_account(a) for a in list(estate.storage_accounts.values()) if wanted(a.resource_group)]
    out += [vault(v) for v in estate.vaults.values()
            if v.subscription_id.lower() in subscriptions and wanted(v.resource_group)]
    return sorted(out, key=lambda r: r["id"].lower())


def generic(resource: dict[str, Any]) -> dict[str, Any]:
    """The ``GenericResourceExpanded`` ARM's resource lists answer: the resource's envelope, no properties."""
    out = {key: resource[key] for key in ("id", "name", "type", "sku", "kind", "managedBy", "identity", "zones")
           if resource.get(key) is not None}
    out["location"] = resource["location"]
    if resource.get("tags"):
        out["tags"] = resource["tags"]
    return out
