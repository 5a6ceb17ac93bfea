"""Storage accounts and virtual networks: the places a restore stages to and connects to.

They are fixed once the estate is seeded (restores read them); what restores create (VMs, disks, NICs)
lives in :mod:`~restorekit.emulator.estate.inventory`.
"""

from __future__ import annotations

import ipaddress
import itertools
from dataclasses import dataclass

from .tenancy import SUBSCRIPTION_ID


@dataclass(frozen=True)
class StorageAccount:
    """A storage account a restore may stage to."""

    name: str
    resource_group: str
    location: str
    sku: str = "Standard_LRS"
    kind: str = "StorageV2"

    @property
    def id(self) -> str:
        """Its ARM id."""
        return (f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{self.resource_group}"
                f"/providers/Microsoft.Storage/storageAccounts/{self.name}")


@dataclass(frozen=True)
class VirtualNetwork:
    """A virtual network and its subnets' names."""

    name: str
    resource_group: str
    location: str
    subnets: tuple[str, ...] = ("default",)
    address_prefix: str = "10.0.0.0/16"
    subnet_bits: int = 24

    @property
    def id(self) -> str:
        """Its ARM id."""
        return (f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{self.resource_group}"
                f"/providers/Microsoft.Network/virtualNetworks/{self.name}")

    def subnet_name(self, name: str) -> str | None:
        """The subnet's name as created (``name`` matched case-insensitively), or None."""
        return next((s for s in self.subnets if s.lower() == name.lower()), None)

    def subnet_prefix(self, name: str) -> str:
        """The subnet's address prefix: the n-th ``/subnet_bits`` block of the network's address space."""
        index = [s.lower() for s in self.subnets].index(name.lower())
        network = ipaddress.ip_network(self.address_prefix)
        return str(next(itertools.islice(network.subnets(new_prefix=self.subnet_bits), index, None)))
