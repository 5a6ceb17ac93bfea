"""Microsoft.Compute deletes: virtual machines (VirtualMachines_Delete) and managed disks (Disks_Delete).

A deletion is a long-running operation (202, ``Azure-AsyncOperation`` and ``Location``; disks under
``DiskOperations`` with the disk api-version); the resource reads ``provisioningState: Deleting`` meanwhile and
is gone when it ends. Deleting a VM detaches its disks and NICs (their ``deleteOption`` is ``Detach``): they stay,
unattached. A disk attached to a VM cannot be deleted (409 ``OperationNotAllowed``). Deleting a missing resource
answers 204. ``machine_faults.delete_fails_once`` makes a deletion fail once (``InternalExecutionError``).
"""

from __future__ import annotations

from dataclasses import replace

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import ApiError
from ..arm.ids import as_referenced
from ..arm.paths import RESOURCE_GROUP
from ..arm.responses import empty_response
from ..call import Call, Route
from ..estate.inventory import ComputeVM, Inventory, ManagedDisk, NetworkInterface
from .arm_async import COMPUTE, DISKS, start_delete
from .resources import requested_resource


def _detach_and_remove(inventory: Inventory, vm: ComputeVM) -> None:
    """What the end of a VM's deletion does: its disks and NICs stay, detached; the VM goes."""
    with inventory.lock:
        for slot in vm.slots:
            disk = inventory.find(ManagedDisk, slot.managed_disk_id) if slot.managed_disk_id else None
            if disk is not None and (disk.managed_by or "").lower() == vm.id.lower():
                inventory.add(replace(disk, managed_by=None))
        for nic in inventory.list(NetworkInterface):
            if (nic.vm_id or "").lower() == vm.id.lower():
                inventory.add(replace(nic, vm_id=None))
        inventory.remove(ComputeVM, vm.resource_group, vm.name)


def delete_vm(call: Call) -> Response:
    """DELETE a virtual machine (``forceDeletion`` is accepted and changes nothing here)."""
    inventory = call.state.estate.inventory
    vm = requested_resource(call, ComputeVM)
    if vm is None:
        return empty_response(204)
    return start_delete(call, vm.id, vm.location, COMPUTE, lambda: _detach_and_remove(inventory, vm),
                        "InternalExecutionError")


def delete_disk(call: Call) -> Response:
    """DELETE a managed disk (refused while attached)."""
    inventory = call.state.estate.inventory
    disk = requested_resource(call, ManagedDisk)
    if disk is None:
        return empty_response(204)
    if disk.managed_by:
        raise ApiError(409, "OperationNotAllowed",
                       f"Disk {disk.name} is attached to VM {as_referenced(disk.managed_by)}.")
    return start_delete(call, disk.id, disk.location, DISKS,
                        lambda: inventory.remove(ManagedDisk, disk.resource_group, disk.name), "InternalExecutionError")


_COMPUTE = RESOURCE_GROUP + r"/providers/Microsoft\.Compute"

ROUTES: list[Route] = [
    ("DELETE", _COMPUTE + r"/virtualMachines/(?P<name>[^/]+)", delete_vm, versions.COMPUTE_VERSIONS),
    ("DELETE", _COMPUTE + r"/disks/(?P<name>[^/]+)", delete_disk, versions.DISK_VERSIONS),
]
