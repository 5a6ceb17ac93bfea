"""The compute and network resources of the subscription that restores create or change.

Virtual machines, managed disks, network interfaces, network security groups and disk encryption sets live
here, with the blobs restores write to storage accounts. Storage accounts, virtual networks and resource
groups stay in the estate. Everything is keyed case-insensitively by ``(resource group, name)`` and guarded
by one lock, since restores complete (and deletes end) while other threads read.
"""

from __future__ import annotations

import ipaddress
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from ..arm.ids import resource_id
from .network_security import SecurityGroup

VM_TYPE = "Microsoft.Compute/virtualMachines"
DISK_TYPE = "Microsoft.Compute/disks"
DES_TYPE = "Microsoft.Compute/diskEncryptionSets"
NIC_TYPE = "Microsoft.Network/networkInterfaces"


@dataclass
class DiskSlot:
    """One disk in a VM's storage profile: the OS disk (``lun == -1``) or a data disk."""

    lun: int
    name: str
    size_gb: int
    managed_disk_id: str | None = None
    vhd_uri: str | None = None
    sku: str | None = None
    create_option: str = "Attach"
    caching: str = "ReadWrite"


@dataclass
class ComputeVM:
    """A Microsoft.Compute virtual machine."""

    subscription: str
    resource_group: str
    name: str
    location: str
    size: str
    os_type: str
    created: datetime
    vm_uuid: str
    slots: list[DiskSlot] = field(default_factory=list)
    nic_ids: list[str] = field(default_factory=list)
    zones: tuple[str, ...] = ()
    image: dict[str, str] | None = None
    #: ``(resource group, name)`` of the protected VM a restore made this one from; None for the estate's own.
    restored_from: tuple[str, str] | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Its ARM id."""
        return resource_id(self.subscription, self.resource_group, VM_TYPE, self.name)

    @property
    def os_disk(self) -> DiskSlot | None:
        """The OS disk slot."""
        return next((s for s in self.slots if s.lun < 0), None)

    @property
    def data_disks(self) -> list[DiskSlot]:
        """The data disk slots by LUN."""
        return sorted((s for s in self.slots if s.lun >= 0), key=lambda s: s.lun)


@dataclass
class ManagedDisk:
    """A Microsoft.Compute managed disk; ``managed_by`` is the id of the VM it is attached to."""

    subscription: str
    resource_group: str
    name: str
    location: str
    size_gb: int
    sku: str
    created: datetime
    unique_id: str
    creation_data: dict[str, Any]
    os_type: str | None = None
    zones: tuple[str, ...] = ()
    managed_by: str | None = None
    encryption_set_id: str | None = None

    @property
    def id(self) -> str:
        """Its ARM id."""
        return resource_id(self.subscription, self.resource_group, DISK_TYPE, self.name)

    @property
    def state(self) -> str:
        """``Attached`` or ``Unattached`` (the disk's ``diskState``)."""
        return "Attached" if self.managed_by else "Unattached"


@dataclass
class NetworkInterface:
    """A Microsoft.Network network interface with one IP configuration in a subnet."""

    subscription: str
    resource_group: str
    name: str
    location: str
    subnet_id: str
    private_ip: str
    mac_address: str
    resource_guid: str
    vm_id: str | None = None

    @property
    def id(self) -> str:
        """Its ARM id."""
        return resource_id(self.subscription, self.resource_group, NIC_TYPE, self.name)


@dataclass
class DiskEncryptionSet:
    """A Microsoft.Compute disk encryption set (customer-managed keys for managed disks)."""

    subscription: str
    resource_group: str
    name: str
    location: str
    key_url: str
    key_vault_id: str
    principal_id: str
    tenant_id: str
    encryption_type: str = "EncryptionAtRestWithCustomerKey"

    @property
    def id(self) -> str:
        """Its ARM id."""
        return resource_id(self.subscription, self.resource_group, DES_TYPE, self.name)


Resource = ComputeVM | ManagedDisk | NetworkInterface | DiskEncryptionSet | SecurityGroup
R = TypeVar("R", ComputeVM, ManagedDisk, NetworkInterface, DiskEncryptionSet, SecurityGroup)
#: Every kind of resource the inventory holds.
KINDS: tuple[type, ...] = (ComputeVM, ManagedDisk, NetworkInterface, DiskEncryptionSet, SecurityGroup)


class _Watched(dict):  # type: ignore[type-arg]
    """A dict of one kind of resource that tells its inventory of every change, whichever method makes it."""

    def __init__(self, changed: Callable[[], None]) -> None:
        super().__init__()
        self._changed = changed

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self._changed()

    def pop(self, *args: Any) -> Any:
        """``dict.pop``, counted as a change."""
        value = super().pop(*args)
        self._changed()
        return value

    def popitem(self) -> Any:
        """``dict.popitem``, counted as a change."""
        item = super().popitem()
        self._changed()
        return item

    def clear(self) -> None:
        """``dict.clear``, counted as a change."""
        super().clear()
        self._changed()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """``dict.setdefault``, counted as a change."""
        value = super().setdefault(key, default)
        self._changed()
        return value

    def update(self, *args: Any, **kwargs: Any) -> None:
        """``dict.update``, counted as a change."""
        super().update(*args, **kwargs)
        self._changed()


class Inventory:
    """The mutable ARM resources of the subscriptions; every method is thread-safe.

    ``version`` changes whenever a resource is stored, replaced or removed, so readers may keep what they
    derived from the inventory (Resource Graph's rows) until it changes.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.version = 0
        self._items: dict[type, dict[tuple[str, str], Resource]] = {kind: _Watched(self._changed) for kind in KINDS}
        self._blobs: dict[str, list[str]] = {}
        self._reserved_vms: dict[tuple[str, str], str] = {}
        #: NICs per subnet (lower-case id), as of ``_nics_counted_at`` (a version); recounted when older.
        self._nics_per_subnet: Counter[str] = Counter()
        self._nics_counted_at = 0

    def _changed(self) -> None:
        self.version += 1

    def add(self, resource: R) -> R:
        """Store (or replace) a resource."""
        with self.lock:
            items = self._items[type(resource)]
            key = (resource.resource_group.lower(), resource.name.lower())
            replaced = items.get(key)
            counted = self._nics_counted_at == self.version
            items[key] = resource
            if counted:  # keep the count current as resources come, rather than count again
                if isinstance(replaced, NetworkInterface):
                    self._nics_per_subnet[replaced.subnet_id.lower()] -= 1
                if isinstance(resource, NetworkInterface):
                    self._nics_per_subnet[resource.subnet_id.lower()] += 1
                self._nics_counted_at = self.version
        return resource

    def get(self, kind: type[R], resource_group: str, name: str) -> R | None:
        """The resource of ``kind`` named ``name`` in ``resource_group`` (case-insensitive), or None."""
        with self.lock:
            return self._items[kind].get((resource_group.lower(), name.lower()))  # type: ignore[return-value]

    def find(self, kind: type[R], rid: str) -> R | None:
        """The resource of ``kind`` whose ARM id is ``rid`` (case-insensitive), or None."""
        with self.lock:
            found = (r for r in self._items[kind].values() if r.id.lower() == rid.lower())
            return next(found, None)  # type: ignore[arg-type]

    def list(self, kind: type[R], resource_group: str | None = None) -> list[R]:
        """Resources of ``kind``, of one resource group or all, sorted by resource group and name."""
        with self.lock:
            found = [r for (rg, _), r in self._items[kind].items()
                     if resource_group is None or rg == resource_group.lower()]
        return sorted(found, key=lambda r: (r.resource_group.lower(), r.name.lower()))  # type: ignore[return-value]

    def remove(self, kind: type[R], resource_group: str, name: str) -> R | None:
        """Take a resource out; returns it (None when there was none)."""
        with self.lock:
            return self._items[kind].pop((resource_group.lower(), name.lower()), None)  # type: ignore[return-value]

    def in_group(self, resource_group: str) -> list[Resource]:
        """Every resource of ``resource_group``, of every kind."""
        with self.lock:
            return [r for items in self._items.values() for (rg, _), r in items.items() if rg == resource_group.lower()]

    def remove_group(self, resource_group: str) -> list[Resource]:
        """Take every resource of ``resource_group`` out (its deletion); returns them."""
        with self.lock:
            gone = []
            for items in self._items.values():
                for key in [k for k in items if k[0] == resource_group.lower()]:
                    gone.append(items.pop(key))
            return gone

    def free_name(self, kind: type[R], resource_group: str, name: str) -> str:
        """``name``, or ``name-1``, ``name-2`` … when a resource of ``kind`` already has it."""
        with self.lock:
            candidate, n = name, 0
            while self.get(kind, resource_group, candidate) is not None:
                n += 1
                candidate = f"{name}-{n}"
            return candidate

    def next_private_ip(self, subnet_id: str, prefix: str) -> str:
        """The next address of the subnet (Azure keeps the first four for itself); wraps when it is full."""
        with self.lock:
            if self._nics_counted_at != self.version:  # something was removed or replaced: count again
                self._nics_per_subnet = Counter(nic.subnet_id.lower()  # type: ignore[union-attr]
                                                for nic in self._items[NetworkInterface].values())
                self._nics_counted_at = self.version
            used = self._nics_per_subnet[subnet_id.lower()]
        network = ipaddress.ip_network(prefix)
        return str(network[4 + used % (network.num_addresses - 5)])

    # --- blobs written by restores ----------------------------------------------------------------

    def add_blobs(self, account: str, uris: list[str]) -> None:
        """Record blobs written to storage account ``account``."""
        with self.lock:
            self._blobs.setdefault(account.lower(), []).extend(uris)

    def blobs(self, account: str) -> list[str]:
        """URIs of the blobs restores wrote to ``account``."""
        with self.lock:
            return list(self._blobs.get(account.lower(), []))

    # --- VM names promised to running restores ----------------------------------------------------

    def reserve_vm(self, resource_group: str, name: str, job_id: str) -> bool:
        """Hold a VM name for a running restore that will create it; False when a VM has it or another holds it.

        Checking and holding happen under one lock, so two restores racing for a name cannot both win.
        """
        key = (resource_group.lower(), name.lower())
        with self.lock:
            if key in self._reserved_vms or self.get(ComputeVM, resource_group, name) is not None:
                return False
            self._reserved_vms[key] = job_id
            return True

    def release_vm(self, job_id: str) -> None:
        """Drop the VM name a restore held (it ended, created or not)."""
        with self.lock:
            for key in [k for k, v in self._reserved_vms.items() if v == job_id]:
                del self._reserved_vms[key]

    def vm_reservation(self, resource_group: str, name: str) -> str | None:
        """The id of the running restore that will create this VM, if any."""
        with self.lock:
            return self._reserved_vms.get((resource_group.lower(), name.lower()))
