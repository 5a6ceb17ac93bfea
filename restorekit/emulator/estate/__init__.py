"""The estate: everything the emulator's subscriptions hold, as data (no HTTP, no seeding).

``vaults`` (vaults, protected VMs, their recovery points), ``machines`` (the VMs no vault protects),
``resources`` (storage accounts, virtual networks), ``inventory`` (VMs, disks, NICs, disk encryption sets,
blobs: what restores add to), ``health`` (what happened to a VM's backups), ``protection`` (what requests changed
since: stopped, soft-deleted, file recovery sessions), ``security`` (soft delete settings, Resource Guards),
``jobs`` (backup jobs and long-running operations on the
clock) and ``tenancy`` (the tenant and the subscription ids). :class:`Estate` holds them together;
:mod:`~restorekit.emulator.seed` builds the demo estate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .inventory import Inventory
from .machines import Machine
from .resources import StorageAccount, VirtualNetwork
from .security import ResourceGuard
from .vaults import ProtectedVM, Vault


@dataclass
class Estate:
    """All resources of the emulator's subscriptions (the demo one, and the fleet vaults of the others)."""

    today: date
    vaults: dict[tuple[str, str], Vault] = field(default_factory=dict)
    storage_accounts: dict[tuple[str, str], StorageAccount] = field(default_factory=dict)
    networks: dict[tuple[str, str], VirtualNetwork] = field(default_factory=dict)
    resource_groups: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: VMs, disks, NICs, network security groups and disk encryption sets (see ``seed.resources``), which
    #: restores add to.
    inventory: Inventory = field(default_factory=Inventory)
    #: The tags of resource groups that have some, by lower-case name.
    group_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Resource Guards vaults may link to (by lower-case id); they live in another tenant.
    resource_guards: dict[str, ResourceGuard] = field(default_factory=dict)
    #: The VMs no vault protects, as seeded (their resources are in ``inventory``).
    unprotected: list[Machine] = field(default_factory=list)

    def add_vault(self, vault: Vault) -> Vault:
        """Register a vault."""
        self.vaults[(vault.resource_group.lower(), vault.name.lower())] = vault
        return vault

    def vault(self, resource_group: str, name: str) -> Vault | None:
        """Look up a vault (case-insensitive)."""
        return self.vaults.get((resource_group.lower(), name.lower()))

    def storage_account(self, resource_group: str, name: str) -> StorageAccount | None:
        """Look up a storage account (case-insensitive)."""
        return self.storage_accounts.get((resource_group.lower(), name.lower()))

    def network(self, resource_group: str, name: str) -> VirtualNetwork | None:
        """Look up a virtual network (case-insensitive)."""
        return self.networks.get((resource_group.lower(), name.lower()))

    def protected_vm(self, resource_group: str, name: str) -> ProtectedVM | None:
        """The protected VM with this resource group and name, in whichever vault."""
        for vault in self.vaults.values():
            vm = vault.items.get((resource_group.lower(), name.lower()))
            if vm:
                return vm
        return None

    def add_resource_group(self, name: str, location: str, tags: dict[str, str] | None = None) -> tuple[str, str]:
        """Create (or update the tags of) a resource group; an existing group keeps its name and location."""
        with self.inventory.lock:
            group = self.resource_groups.setdefault(name.lower(), (name, location))
            if tags is not None:
                self.group_tags[name.lower()] = dict(tags)
            return group

    def remove_resource_group(self, name: str) -> None:
        """Delete a resource group with everything in it: inventory, virtual networks, storage accounts."""
        key = name.lower()
        with self.inventory.lock:
            self.inventory.remove_group(name)
            for mapping in (self.networks, self.storage_accounts):
                for found in [k for k in mapping if k[0] == key]:
                    del mapping[found]
            self.resource_groups.pop(key, None)
            self.group_tags.pop(key, None)

    def set_network(self, network: VirtualNetwork) -> None:
        """Create or replace a virtual network."""
        with self.inventory.lock:
            self.networks[(network.resource_group.lower(), network.name.lower())] = network

    def remove_network(self, resource_group: str, name: str) -> None:
        """Delete a virtual network."""
        with self.inventory.lock:
            self.networks.pop((resource_group.lower(), name.lower()), None)
