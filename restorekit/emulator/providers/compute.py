"""Microsoft.Compute: virtual machines, managed disks and disk encryption sets (GET one; list per RG/subscription).

VMs use the compute api-versions, disks and disk encryption sets the disk resource provider's own line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import resource_not_found
from ..arm.ids import as_referenced
from ..arm.paths import RESOURCE_GROUP, SUBSCRIPTION
from ..arm.responses import json_response
from ..call import Call, Route, paged_response
from ..clock import iso
from ..estate.inventory import (
    DES_TYPE,
    DISK_TYPE,
    VM_TYPE,
    ComputeVM,
    DiskEncryptionSet,
    DiskSlot,
    ManagedDisk,
)
from ..state import State
from .arm_async import provisioning_state
from .guest import guest
from .resources import resource_group_name
from .vm_guest import instance_view

#: Premium SSD (P) and Standard SSD (E) performance tiers: (size GiB, tier number, IOPS, MBps).
_TIERS = ((4, 1, 120, 25), (8, 2, 120, 25), (16, 3, 120, 25), (32, 4, 120, 25), (64, 6, 240, 50),
          (128, 10, 500, 100), (256, 15, 1100, 125), (512, 20, 2300, 150), (1024, 30, 5000, 200),
          (2048, 40, 7500, 250), (4096, 50, 7500, 250))


def _performance(sku: str, size_gb: int) -> tuple[str, int, int]:
    """``(tier, IOPS, MBps)`` of a disk: ``P10`` 500/100 for premium; Standard SSD gives 500/60."""
    size, number, iops, mbps = next((t for t in _TIERS if t[0] >= size_gb), _TIERS[-1])
    if sku.startswith("Premium"):
        return f"P{number}", iops, mbps
    return (f"E{number}" if sku.startswith("StandardSSD") else f"S{number}"), 500, 60


def _slot(slot: DiskSlot, os_type: str) -> dict[str, Any]:
    out: dict[str, Any] = {} if slot.lun < 0 else {"lun": slot.lun}
    if slot.lun < 0:
        out["osType"] = os_type
    out.update(name=slot.name, createOption=slot.create_option, caching=slot.caching)
    if slot.managed_disk_id:
        out["managedDisk"] = {"storageAccountType": slot.sku, "id": as_referenced(slot.managed_disk_id)}
    else:
        out["vhd"] = {"uri": slot.vhd_uri}
    out.update(deleteOption="Detach", diskSizeGB=slot.size_gb)
    if slot.lun >= 0:
        out["toBeDetached"] = False
    return out


def virtual_machine(vm: ComputeVM, provisioning_state: str = "Succeeded",
                    instance_view: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Microsoft.Compute/virtualMachines resource (its model view, and ``instanceView`` when given)."""
    storage: dict[str, Any] = {}
    if vm.image:
        storage["imageReference"] = dict(vm.image)
    os_disk = vm.os_disk
    if os_disk is not None:
        storage["osDisk"] = _slot(os_disk, vm.os_type)
    storage["dataDisks"] = [_slot(s, vm.os_type) for s in vm.data_disks]
    storage["diskControllerType"] = "SCSI"
    props: dict[str, Any] = {"vmId": vm.vm_uuid, "hardwareProfile": {"vmSize": vm.size}, "storageProfile": storage}
    if vm.image:  # created from an image: it has an OS profile; VMs restored from disks have none
        os_config = ({"provisionVMAgent": True, "enableAutomaticUpdates": True, "patchSettings": {
            "patchMode": "AutomaticByOS", "assessmentMode": "ImageDefault"}} if vm.os_type == "Windows" else
            {"disablePasswordAuthentication": False, "provisionVMAgent": True, "patchSettings": {
                "patchMode": "ImageDefault", "assessmentMode": "ImageDefault"}})
        props["osProfile"] = {"computerName": vm.name[:15], "adminUsername": "azureuser",
                              f"{vm.os_type.lower()}Configuration": os_config, "secrets": [],
                              "allowExtensionOperations": True, "requireGuestProvisionSignal": True}
    props["networkProfile"] = {"networkInterfaces": [{"id": n, "properties": {"primary": i == 0}}
                                                     for i, n in enumerate(vm.nic_ids)]}
    props.update(diagnosticsProfile={"bootDiagnostics": {"enabled": True}}, provisioningState=provisioning_state)
    if instance_view is not None:
        props["instanceView"] = instance_view
    props["timeCreated"] = iso(vm.created)
    out: dict[str, Any] = {"id": vm.id, "name": vm.name, "type": VM_TYPE, "location": vm.location,
                           "tags": dict(vm.tags)}
    if vm.zones:
        out["zones"] = list(vm.zones)
    out["properties"] = props
    return out


def managed_disk(disk: ManagedDisk, provisioning_state: str = "Succeeded") -> dict[str, Any]:
    """A Microsoft.Compute/disks resource."""
    tier, iops, mbps = _performance(disk.sku, disk.size_gb)
    encryption: dict[str, Any] = ({"type": "EncryptionAtRestWithCustomerKey",
                                   "diskEncryptionSetId": disk.encryption_set_id}
                                  if disk.encryption_set_id else {"type": "EncryptionAtRestWithPlatformKey"})
    props: dict[str, Any] = {}
    if disk.os_type:
        props.update(osType=disk.os_type, hyperVGeneration="V2")
    props.update(creationData=dict(disk.creation_data), diskSizeGB=disk.size_gb, diskIOPSReadWrite=iops,
                 diskMBpsReadWrite=mbps, encryption=encryption, networkAccessPolicy="AllowAll",
                 publicNetworkAccess="Enabled", timeCreated=iso(disk.created), provisioningState=provisioning_state,
                 diskState=disk.state, diskSizeBytes=disk.size_gb * 1024**3, uniqueId=disk.unique_id, tier=tier)
    out: dict[str, Any] = {"id": disk.id, "name": disk.name, "type": DISK_TYPE, "location": disk.location, "tags": {}}
    if disk.managed_by:
        out["managedBy"] = as_referenced(disk.managed_by)
    out["sku"] = {"name": disk.sku, "tier": "Premium" if disk.sku.startswith("Premium") else "Standard"}
    if disk.zones:
        out["zones"] = list(disk.zones)
    out["properties"] = props
    return out


def disk_encryption_set(des: DiskEncryptionSet) -> dict[str, Any]:
    """A Microsoft.Compute/diskEncryptionSets resource (system-assigned identity, one active key)."""
    return {"id": des.id, "name": des.name, "type": DES_TYPE, "location": des.location, "tags": {},
            "identity": {"type": "SystemAssigned", "principalId": des.principal_id, "tenantId": des.tenant_id},
            "properties": {"activeKey": {"sourceVault": {"id": des.key_vault_id}, "keyUrl": des.key_url},
                           "encryptionType": des.encryption_type, "previousKeys": [],
                           "rotationToLatestKeyVersionEnabled": False, "provisioningState": "Succeeded"}}


#: The path's resource type (lower case) → (inventory class, ARM type, shape).
_KINDS: dict[str, tuple[type, str, Any]] = {
    "virtualmachines": (ComputeVM, VM_TYPE, virtual_machine),
    "disks": (ManagedDisk, DISK_TYPE, managed_disk),
    "diskencryptionsets": (DiskEncryptionSet, DES_TYPE, disk_encryption_set)}


def resource_body(state: State, resource: ComputeVM | ManagedDisk | DiskEncryptionSet, now: datetime,
                  expand: bool = False) -> dict[str, Any]:
    """A VM, disk or disk encryption set as ARM answers it now (``Deleting`` while deleted)."""
    if isinstance(resource, DiskEncryptionSet):
        return disk_encryption_set(resource)
    provisioning = provisioning_state(state, resource.id, now)
    if isinstance(resource, ManagedDisk):
        return managed_disk(resource, provisioning)
    view = instance_view(guest(state, resource, now), now) if expand else None
    return virtual_machine(resource, provisioning, view)


def get_resource(call: Call) -> Response:
    """GET a VM (``$expand=instanceView`` adds its instance view), a disk or a disk encryption set."""
    kind, arm_type, _ = _KINDS[call.groups["type"].lower()]
    rg = resource_group_name(call)
    found = call.state.estate.inventory.get(kind, rg, call.groups["name"])
    if found is None:
        raise resource_not_found(arm_type, call.groups["name"], rg)
    expand = (call.request.args.get("$expand") or "").lower() == "instanceview" and kind is ComputeVM
    return json_response(resource_body(call.state, found, call.now, expand))


def list_resources(call: Call) -> Response:
    """GET the VMs, disks or disk encryption sets of the subscription or of the resource group in the path."""
    kind, _, _ = _KINDS[call.groups["type"].lower()]
    rg = resource_group_name(call) if "rg" in call.groups else None
    return paged_response(call, [resource_body(call.state, r, call.now) for r in call.state.estate.inventory.list(kind, rg)])


_VMS = r"/providers/Microsoft\.Compute/(?P<type>virtualMachines)"
_DISKS = r"/providers/Microsoft\.Compute/(?P<type>disks|diskEncryptionSets)"

ROUTES: list[Route] = [
    ("GET", SUBSCRIPTION + _VMS, list_resources, versions.COMPUTE_VERSIONS),
    ("GET", RESOURCE_GROUP + _VMS, list_resources, versions.COMPUTE_VERSIONS),
    ("GET", RESOURCE_GROUP + _VMS + r"/(?P<name>[^/]+)", get_resource, versions.COMPUTE_VERSIONS),
    ("GET", SUBSCRIPTION + _DISKS, list_resources, versions.DISK_VERSIONS),
    ("GET", RESOURCE_GROUP + _DISKS, list_resources, versions.DISK_VERSIONS),
    ("GET", RESOURCE_GROUP + _DISKS + r"/(?P<name>[^/]+)", get_resource, versions.DISK_VERSIONS),
]
