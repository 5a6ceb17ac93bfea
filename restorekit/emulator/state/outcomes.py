"""What a restore leaves behind once its job completes: disks, a VM and its NIC, swapped disks, blobs.

Jobs run on the clock and nothing runs in the background, so outcomes are settled lazily: before the
app answers any request it calls :meth:`Outcomes.settle`, which applies every restore job that has
completed by then, in order of completion (then start, then id), under one lock. Failed and cancelled
jobs change nothing. The result is the same whatever the order and timing of the reads.

* **RestoreDisks**, managed VM (or ``restoreWithManagedDisks``) with ``targetResourceGroupId``: one
  unattached managed disk per restored LUN in the target resource group, named like Azure's restored
  disks (``testVM-osdisk-20260101-120000``, ``testVM-datadisk-000-20260101-120000``). Otherwise an
  unmanaged restore: VHD blobs in the staging account's job container. Both write the VM configuration
  and the template blobs whose URIs the job's property bag already gives.
* **AlternateLocation**: the VM ``targetVirtualMachineId`` names, in the target resource group, the
  restore region and the zone asked for (else the source's zone when restored in its own region), with
  its disks and a NIC in the chosen subnet.
* **OriginalLocation**: new disks from the point replace the source VM's disks at the same LUNs; the
  old disks stay in the VM's resource group, unattached.

The job's property bag names none of it (Azure's does not): what a restore made is read from the resources.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..arm.errors import bad_request
from ..arm.ids import stable_guid
from ..estate.inventory import ComputeVM, DiskSlot, Inventory, ManagedDisk, NetworkInterface
from ..estate.jobs import Job
from ..estate.resources import StorageAccount
from ..estate.tenancy import SUBSCRIPTION_ID
from ..estate.vaults import ProtectedVM
from ..seed.resources import add_nic, disk_size_gb, disk_sku
from .restore_plan import RestorePlan, restored_luns


@dataclass
class PendingOutcome:
    """A restore job whose outcome is applied when it completes."""

    job: Job
    vm: ProtectedVM
    plan: RestorePlan


#: How a restore fails when its target resource group is deleted while it runs (errorCode, code, title,
#: message, recommendations); the code is the validation's own for a missing group.
GROUP_DELETED = (320004, "UserErrorTargetResourceGroupNotFound", "Restore failed: the target resource group was deleted",
                 "The target resource group of the restore was deleted while the restore ran.",
                 ("Create the resource group again, or choose another one, then retry the restore.",))


def restored_disk_name(vm_name: str, lun: int, stamp: str) -> str:
    """Azure's name for a restored disk: ``{vm}-osdisk-{stamp}`` or ``{vm}-datadisk-{lun:03d}-{stamp}``."""
    return f"{vm_name}-osdisk-{stamp}" if lun < 0 else f"{vm_name}-datadisk-{lun:03d}-{stamp}"


class Outcomes:
    """The restore jobs still running, and what their completion does to the inventory."""

    def __init__(self, inventory: Inventory) -> None:
        self._inventory = inventory
        self._pending: list[PendingOutcome] = []
        self._lock = threading.Lock()

    def expect(self, job: Job, vm: ProtectedVM, plan: RestorePlan) -> None:
        """Remember a restore being started; a new VM's name is held until the job ends.

        Raises 400 ``UserErrorTargetVmAlreadyExists`` when another request took the name since the
        validation passed (the caller then starts nothing).
        """
        if plan.recovery_type == "AlternateLocation" and plan.target_vm and plan.target_resource_group:
            if not self._inventory.reserve_vm(plan.target_resource_group, plan.target_vm, job.id):
                raise bad_request("UserErrorTargetVmAlreadyExists",
                                  f"A virtual machine named '{plan.target_vm}' already exists in "
                                  f"'{plan.target_resource_group}', or a running restore creates one.",
                                  "properties.targetVirtualMachineId")
        with self._lock:
            self._pending.append(PendingOutcome(job, vm, plan))

    def abandon(self, resource_group: str, when: datetime) -> None:
        """Fail, at ``when``, the running restores that create resources in ``resource_group`` (it was deleted)."""
        with self._lock:
            for pending in self._pending:
                job, group = pending.job, pending.plan.target_resource_group
                if (group or "").lower() != resource_group.lower() or pending.plan.recovery_type == "OriginalLocation":
                    continue
                if job.state(when)[0] != "InProgress" or job.seconds <= 0:
                    continue
                job.failure = GROUP_DELETED
                job.fail_fraction = max(0.0, (when - job.start).total_seconds() / job.seconds)

    def settle(self, now: datetime) -> None:
        """Apply every restore that has ended by ``now`` (completed ones only change resources)."""
        with self._lock:
            ended = [(p.job.state(now), p) for p in self._pending]
            ended = [(s, p) for s, p in ended if s[0] in ("Completed", "Failed", "Cancelled")]
            if not ended:
                return
            done = {id(p) for _, p in ended}
            self._pending = [p for p in self._pending if id(p) not in done]
            for (status, _, end), pending in sorted(ended, key=lambda e: (e[0][2], e[1].job.start, e[1].job.id)):
                if status == "Completed" and end is not None:
                    _Restore(self._inventory, pending, end).apply()
                self._inventory.release_vm(pending.job.id)


class _Restore:
    """One completed restore being applied."""

    def __init__(self, inventory: Inventory, pending: PendingOutcome, end: datetime) -> None:
        self.inv = inventory
        self.job, self.vm, self.plan = pending.job, pending.vm, pending.plan
        self.end = end
        self.stamp = self.job.start.strftime("%Y%m%d-%H%M%S")
        assert self.plan.storage_account is not None
        self.account: StorageAccount = self.plan.storage_account
        self.container = str(self.job.property_bag.get("Config Blob Container Name")
                             or f"{self.vm.name.lower()}-{self.job.id[:8]}")

    def apply(self) -> None:
        """Create and change resources for the restore's recovery type."""
        bag = self.job.property_bag
        self.inv.add_blobs(self.account.name, [str(bag[k]) for k in ("Config Blob Uri", "Template Blob Uri")
                                               if bag.get(k)])
        {"RestoreDisks": self._restore_disks, "AlternateLocation": self._new_vm,
         "OriginalLocation": self._replace_disks}[self.plan.recovery_type]()

    # --- what each recovery type does -------------------------------------------------------------

    def _restore_disks(self) -> None:
        luns = restored_luns(self.plan)
        group = self.plan.target_resource_group
        if group is not None and (self.vm.managed or self.plan.restore_with_managed_disks):
            for lun in luns:
                self._disk(group, self.vm.name, lun, self._zones(), None)
        else:
            for lun in luns:
                self._vhd(self.vm.name, lun)

    def _new_vm(self) -> None:
        group, name = self.plan.target_resource_group, self.plan.target_vm
        assert group is not None and name is not None and self.plan.network and self.plan.subnet
        zones = self._zones()
        machine = ComputeVM(SUBSCRIPTION_ID, group, name, self.plan.region, self.vm.size, self.vm.os_type, self.end,
                            stable_guid("vm", group.lower(), name.lower(), self.job.id), zones=zones,
                            restored_from=(self.vm.resource_group, self.vm.name))
        managed = self.vm.managed or self.plan.restore_with_managed_disks
        for lun in self.plan.point.included_luns:
            machine.slots.append(self._slot(group, name, lun, zones, machine.id) if managed else
                                 DiskSlot(lun, restored_disk_name(name, lun, self.stamp), disk_size_gb(self.vm, lun),
                                          vhd_uri=self._vhd(name, lun), caching=_caching(lun)))
        nic = add_nic(self.inv, self.inv.free_name(NetworkInterface, group, f"{name.lower()}-nic-{self.stamp}"),
                      group, self.plan.network, self.plan.subnet, machine.id)
        machine.nic_ids.append(nic.id)
        self.inv.add(machine)

    def _replace_disks(self) -> None:
        source = self.inv.get(ComputeVM, self.vm.resource_group, self.vm.name)
        if source is None:
            return
        slots = {s.lun: s for s in source.slots}
        for lun in self.plan.point.included_luns:
            old = slots.get(lun)
            if old is None:  # a disk the VM no longer has
                continue
            if old.managed_disk_id:
                disk = self.inv.find(ManagedDisk, old.managed_disk_id)
                if disk is not None:
                    self.inv.add(replace(disk, managed_by=None))
                slots[lun] = self._slot(source.resource_group, source.name, lun, source.zones, source.id)
            else:
                slots[lun] = replace(old, name=restored_disk_name(source.name, lun, self.stamp),
                                     vhd_uri=self._vhd(source.name, lun))
        self.inv.add(replace(source, slots=[slots[lun] for lun in sorted(slots)]))

    # --- building blocks --------------------------------------------------------------------------

    def _zones(self) -> tuple[str, ...]:
        if self.plan.zones:
            return tuple(self.plan.zones)
        return self.vm.zones if self.plan.region == self.vm.vault.location else ()

    def _disk(self, group: str, vm_name: str, lun: int, zones: tuple[str, ...], managed_by: str | None) -> ManagedDisk:
        name = self.inv.free_name(ManagedDisk, group, restored_disk_name(vm_name, lun, self.stamp))
        disk = ManagedDisk(SUBSCRIPTION_ID, group, name, self.plan.region, disk_size_gb(self.vm, lun),
                           disk_sku(self.vm), self.end, stable_guid("disk", group.lower(), name.lower(), self.job.id),
                           self._creation_data(lun), self.vm.os_type if lun < 0 else None, zones,
                           managed_by=managed_by, encryption_set_id=self.plan.disk_encryption_set_id)
        return self.inv.add(disk)

    def _slot(self, group: str, vm_name: str, lun: int, zones: tuple[str, ...], vm_id: str) -> DiskSlot:
        disk = self._disk(group, vm_name, lun, zones, vm_id)
        return DiskSlot(lun, disk.name, disk.size_gb, managed_disk_id=disk.id, sku=disk.sku, caching=_caching(lun))

    def _vhd(self, vm_name: str, lun: int) -> str:
        uri = (f"https://{self.account.name.lower()}.blob.core.windows.net/{self.container}/"
               f"{restored_disk_name(vm_name, lun, self.stamp)}.vhd")
        self.inv.add_blobs(self.account.name, [uri])
        return uri

    def _creation_data(self, lun: int) -> dict[str, Any]:
        """Where a restored disk comes from: the point's snapshot while it has the instant tier (guessed
        ``Restore`` from a disk restore point), else a VHD imported through the staging account."""
        disk_name = dict(self.vm.disks).get(lun, f"disk{lun}")
        if any(tier == "InstantRP" for tier, _ in self.plan.point.tiers):
            collection = (f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/AzureBackupRG_{self.vm.vault.location}_1"
                          f"/providers/Microsoft.Compute/restorePointCollections/AzureBackup_{self.vm.name}_"
                          f"{stable_guid('rpc', self.vm.vm_id.lower())}")
            return {"createOption": "Restore", "sourceResourceId": f"{collection}/restorePoints/"
                    f"{stable_guid('rp', self.plan.point.name)}/diskRestorePoints/{disk_name}"}
        return {"createOption": "Import", "storageAccountId": self.account.id,
                "sourceUri": f"https://{self.account.name.lower()}.blob.core.windows.net/{self.container}/"
                             f"{disk_name}.vhd"}


def _caching(lun: int) -> str:
    return "ReadWrite" if lun < 0 else "None"
