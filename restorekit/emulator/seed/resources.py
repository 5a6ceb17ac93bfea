"""The compute and network resources behind the demo estate.

Every protected VM exists as a Microsoft.Compute VM in its subscription, its resource group and its vault's
region, with the disks its recovery points list (OS disk at LUN -1, data disks at their LUNs; managed disks,
or VHD blobs for an unmanaged VM), its tags, and one NIC in a subnet of a virtual network of its region (its
own resource group's network when there is one); so does every VM no vault protects (``Estate.unprotected``),
but not the VM of a protected item marked ``vm_deleted``. ``testRG/testDES`` is a disk encryption set restores
may name. Names, sizes and dates derive from the VM's name and the estate's day, so seeding is deterministic.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ..arm.ids import stable_guid
from ..estate import Estate
from ..estate.inventory import (
    ComputeVM,
    DiskEncryptionSet,
    DiskSlot,
    Inventory,
    ManagedDisk,
    NetworkInterface,
)
from ..estate.machines import Machine
from ..estate.resources import StorageAccount, VirtualNetwork
from ..estate.tenancy import SUBSCRIPTION_ID, TENANT_ID
from ..estate.vaults import ProtectedVM

#: Data disk sizes, chosen by LUN.
DATA_DISK_SIZES_GB = (128, 256, 512, 1024)

#: The marketplace images the seeded VMs were created from, per OS.
IMAGES: dict[str, dict[str, str]] = {
    "Windows": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                "sku": "2022-datacenter-azure-edition", "version": "latest", "exactVersion": "20348.2340.240303"},
    "Linux": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2",
              "version": "latest", "exactVersion": "22.04.202403010"},
}


def _number(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def disk_sku(vm: ProtectedVM | Machine) -> str:
    """The managed disk SKU of a protected VM's disks (premium when its backups say premium storage)."""
    return "Premium_LRS" if vm.storage_type.startswith("Premium") else "StandardSSD_LRS"


def disk_size_gb(vm: ProtectedVM | Machine, lun: int) -> int:
    """Size of the VM's disk at ``lun``: 127 GiB Windows / 30 GiB Linux OS disks, data disks by LUN."""
    if lun < 0:
        return 127 if vm.os_type == "Windows" else 30
    return DATA_DISK_SIZES_GB[lun % len(DATA_DISK_SIZES_GB)]


def image_reference_id(location: str, os_type: str) -> str:
    """The platform image id a seeded OS disk's ``creationData.imageReference`` names."""
    img = IMAGES[os_type]
    return (f"/Subscriptions/{SUBSCRIPTION_ID}/Providers/Microsoft.Compute/Locations/{location}/Publishers/"
            f"{img['publisher']}/ArtifactTypes/VMImage/Offers/{img['offer']}/Skus/{img['sku']}/Versions/"
            f"{img['exactVersion']}")


def home_subnet(estate: Estate, resource_group: str, location: str) -> tuple[VirtualNetwork, str] | None:
    """The network and subnet a VM of ``resource_group`` in ``location`` sits in (``default`` preferred)."""
    nets = sorted((n for n in estate.networks.values() if n.location == location),
                  key=lambda n: (n.resource_group.lower() != resource_group.lower(), n.name.lower()))
    if not nets:
        return None
    net = nets[0]
    return net, net.subnet_name("default") or net.subnets[0]


def vhd_account(estate: Estate, resource_group: str, location: str) -> StorageAccount | None:
    """The standard general-purpose account of the region holding an unmanaged VM's VHDs."""
    accounts = sorted((a for a in estate.storage_accounts.values() if a.location == location
                       and a.kind in ("Storage", "StorageV2") and a.sku.startswith("Standard")),
                      key=lambda a: (a.resource_group.lower() != resource_group.lower(), a.name.lower()))
    return accounts[0] if accounts else None


def add_nic(inv: Inventory, name: str, resource_group: str, net: VirtualNetwork, subnet: str,
            vm_id: str | None, subscription: str = SUBSCRIPTION_ID) -> NetworkInterface:
    """Create a NIC with the next free address of ``net``/``subnet``."""
    subnet_id = f"{net.id}/subnets/{subnet}"
    mac = f"{_number(resource_group.lower(), name.lower(), 'mac'):012X}"[-6:]
    nic = NetworkInterface(subscription, resource_group, name, net.location, subnet_id,
                           inv.next_private_ip(subnet_id, net.subnet_prefix(subnet)),
                           "00-0D-3A-" + "-".join(mac[i:i + 2] for i in (0, 2, 4)),
                           stable_guid("nic", resource_group.lower(), name.lower()), vm_id)
    return inv.add(nic)


def seed_resources(estate: Estate) -> None:
    """Add the compute and network resources of every protected VM, and the disk encryption set."""
    inv = estate.inventory
    kv = (f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/testRG/providers/Microsoft.KeyVault/vaults/"
          "testKeyVault")
    inv.add(DiskEncryptionSet(SUBSCRIPTION_ID, "testRG", "testDES", "westus",
                              "https://testkeyvault.vault.azure.net/keys/testKey/6e8fbd1b2a0c4f7e9d3c5b7a9e1f2d4c",
                              kv, stable_guid("des", "testDES"), TENANT_ID))
    for vault in estate.vaults.values():
        for protected in vault.items.values():
            if not protected.vm_deleted:
                _seed_vm(estate, inv, machine_of(protected), vault.seeded_at.date())
    for vm in estate.unprotected:
        _seed_vm(estate, inv, vm, estate.today)


def machine_of(vm: ProtectedVM) -> Machine:
    """The VM a protected item protects, as seeding creates it (in its vault's subscription and region)."""
    return Machine(vm.vault.subscription_id, vm.resource_group, vm.name, vm.vault.location, vm.size, vm.os_type,
                   vm.managed, vm.zones, vm.disks, vm.storage_type, vm.tags)


def _seed_vm(estate: Estate, inv: Inventory, vm: Machine, today: date) -> None:
    location = vm.location
    created = datetime.combine(today - timedelta(days=400 + _number(vm.name) % 300),
                               time(9, _number(vm.name, "m") % 60), UTC)
    machine = ComputeVM(vm.subscription_id, vm.resource_group, vm.name, location, vm.size, vm.os_type, created,
                        stable_guid("vm", vm.resource_group.lower(), vm.name.lower()), zones=vm.zones,
                        image=IMAGES[vm.os_type], tags=dict(vm.tags), restored_from=vm.restored_from)
    account = None if vm.managed else vhd_account(estate, vm.resource_group, location)
    for lun, disk_name in vm.disks:
        size = disk_size_gb(vm, lun)
        caching = "ReadWrite" if lun < 0 else "ReadOnly"
        create_option = "FromImage" if lun < 0 else "Empty"
        if vm.managed:
            disk = inv.add(ManagedDisk(
                vm.subscription_id, vm.resource_group, disk_name, location, size, disk_sku(vm), created,
                stable_guid("disk", vm.resource_group.lower(), disk_name.lower()),
                _creation_data(location, vm.os_type, lun), vm.os_type if lun < 0 else None, vm.zones,
                managed_by=machine.id))
            machine.slots.append(DiskSlot(lun, disk_name, size, managed_disk_id=disk.id, sku=disk.sku,
                                          create_option=create_option, caching=caching))
        elif account is not None:
            uri = f"https://{account.name.lower()}.blob.core.windows.net/vhds/{disk_name}"
            inv.add_blobs(account.name, [uri])
            machine.slots.append(DiskSlot(lun, disk_name.removesuffix(".vhd"), size, vhd_uri=uri,
                                          create_option=create_option, caching=caching))
    home = home_subnet(estate, vm.resource_group, location)
    if home is not None:
        nic = add_nic(inv, f"{vm.name.lower()}{_number(vm.name, 'nic') % 1000}", vm.resource_group,
                      home[0], home[1], machine.id, vm.subscription_id)
        machine.nic_ids.append(nic.id)
    inv.add(machine)


def _creation_data(location: str, os_type: str, lun: int) -> dict[str, Any]:
    if lun < 0:
        return {"createOption": "FromImage", "imageReference": {"id": image_reference_id(location, os_type)}}
    return {"createOption": "Empty"}
