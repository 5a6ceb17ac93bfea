"""The virtual machines of the estate that no vault protects: what seeding creates their resources from.

A protected VM is described by its protected item (:class:`~restorekit.emulator.estate.vaults.ProtectedVM`);
a VM that was never protected, or whose protection was removed with its data, has no item: :class:`Machine`
says where it is, its size, OS, disks and tags, and ``seed.resources`` creates its compute and network
resources as it does for protected VMs. VMs that restores create as new VMs are unprotected too; they live in
the inventory only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Machine:
    """A VM as seeding creates it: subscription, resource group, name, region, size, OS, disks, tags."""

    subscription_id: str
    resource_group: str
    name: str
    location: str
    size: str = "Standard_B2s"
    os_type: str = "Windows"
    managed: bool = True
    zones: tuple[str, ...] = ()
    #: ``(lun, disk name)``; LUN -1 is the OS disk.
    disks: tuple[tuple[int, str], ...] = ()
    storage_type: str = "NormalStorage"
    tags: dict[str, str] = field(default_factory=dict)
    #: ``(resource group, name)`` of the protected VM a restore made this one from (None: not a restored VM).
    restored_from: tuple[str, str] | None = None
