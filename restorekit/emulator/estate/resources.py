"""Storage accounts and virtual networks: the places a restore stages to and connects to.

Restores only read them; virtual networks may also be created and deleted (``providers.network_writes``),
each replaced whole (they are frozen values). What restores create (VMs, disks, NICs) lives in
:mod:`~restorekit.emulator.estate.inventory`.
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
    #: Explicit subnet prefixes, in the order of ``subnets`` (a network created by a PUT); empty: derived.
    prefixes: tuple[str, ...] = ()
    #: The network security group id of each subnet, in the order of ``subnets`` (None: none); empty: none.
    security_groups: tuple[str | None, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        """Its ARM id."""
        return (f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{self.resource_group}"
                f"/providers/Microsoft.Network/virtualNetworks/{self.name}")

    def subnet_name(self, name: str) -> str | None:
        """The subnet's name as created (``name`` matched case-insensitively), or None."""
        return next((s for s in self.subnets if s.lower() == name.lower()), None)

    def subnet_prefix(self, name: str) -> str:
        """The subnet's address prefix: as created, or the n-th ``/subnet_bits`` block of the address space."""
        index = [s.lower() for s in self.subnets].index(name.lower())
        if self.prefixes:
            return self.prefixes[index]
        network = ipaddress.ip_network(self.address_prefix)
        return str(next(itertools.islice(network.subnets(new_prefix=self.subnet_bits), index, None)))

    def subnet_security_group(self, name: str) -> str | None:
        """The id of the network security group associated with subnet ``name``, if any."""
        if not self.security_groups:
            return None
        return self.security_groups[[s.lower() for s in self.subnets].index(name.lower())]
