"""What a restore created or changed, by resource ID: read from ARM before the POST and after the job.

Azure's job says what kind of restore ran and where it wrote (a resource group, a storage account, the new VM's
name), but not the IDs of the disks it created: for a restore of selected disks it names the *backed-up* disks
it recreated (``Restored disk(s)``). So restorekit reads, for each kind, the least that shows the rest:

* disks restored into a resource group: that group's disks, before the POST and after the job (the new ones
  are the restored disks);
* disks replaced: the VM, before and after (its disks now, and the previous ones left unattached);
* a new VM: the VM, after the job (its disks and network interfaces are in it);
* disks restored as VHD blobs: nothing (ARM does not show blobs; the job names the account and container).

When a read fails, the outcome says so and keeps to the job's word (:func:`compare`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from ..core.errors import ArmError, RestorekitError
from ..core.ids import name_of, resource_group_of

if TYPE_CHECKING:  # pragma: no cover
    from .arm_resources import ResourceReader
    from .jobs import Job


@dataclass(frozen=True)
class Disk:
    """A VM's disk: its LUN (-1 for the OS disk), name and ARM ID."""

    lun: int
    name: str
    id: str

    def __str__(self) -> str:
        return f"{'OS disk' if self.lun < 0 else f'LUN {self.lun}'}: {self.name}"


def vm_disks(vm: dict[str, Any] | None) -> list[Disk]:
    """The managed disks attached to a VM resource (ARM JSON), OS disk first."""
    profile = ((vm or {}).get("properties") or {}).get("storageProfile") or {}
    out = []
    os_disk = profile.get("osDisk") or {}
    if isinstance(os_disk.get("managedDisk"), dict):
        out.append(Disk(-1, str(os_disk.get("name") or ""), str(os_disk["managedDisk"].get("id") or "")))
    for disk in profile.get("dataDisks") or []:
        if isinstance(disk, dict) and isinstance(disk.get("managedDisk"), dict):
            out.append(Disk(int(disk.get("lun", 0)), str(disk.get("name") or ""), str(disk["managedDisk"].get("id") or "")))
    return sorted(out, key=lambda d: d.lun)


@dataclass(frozen=True)
class Reads:
    """What to read around one restore: the disks of ``groups``; the replaced VM; the new VM (after only)."""

    groups: tuple[str, ...] = ()
    source_vm_id: str | None = None
    new_vm_id: str | None = None
    subnet_id: str | None = None

    def __bool__(self) -> bool:
        return bool(self.groups or self.source_vm_id or self.new_vm_id)

    def __str__(self) -> str:
        what = [f"the disks of resource group {g}" for g in self.groups]
        what += [f"VM {name_of(vm)}" for vm in (self.source_vm_id, self.new_vm_id) if vm]
        return " and ".join(what) or "nothing"


def reads_for(request: Any) -> Reads:
    """The reads that show what ``request`` creates or changes (see the module doc)."""
    props = request.properties()
    kind = props.get("recoveryType")
    if kind == "RestoreDisks":
        group = resource_group_of(props.get("targetResourceGroupId"))
        return Reads(groups=(group,) if group else ())
    if kind == "OriginalLocation":
        return Reads(source_vm_id=request.source_resource_id)
    if kind == "AlternateLocation":
        vm, subnet = props.get("targetVirtualMachineId"), props.get("subnetId")
        return Reads(new_vm_id=vm if isinstance(vm, str) else None, subnet_id=subnet if isinstance(subnet, str) else None)
    return Reads()


@dataclass(frozen=True)
class Snapshot:
    """What :class:`Reads` found at one moment: disks of the groups and the VMs read (IDs in lower case → ARM JSON)."""

    reads: Reads
    disks: dict[str, dict[str, Any]]
    vms: dict[str, dict[str, Any]]
    #: Why the reads failed (then ``disks`` and ``vms`` are empty), None when they succeeded.
    error: str | None = None

    @property
    def source_vm_disks(self) -> list[Disk]:
        """The disks of the backed-up VM at that moment (empty when it was not read)."""
        return vm_disks(self.vms.get((self.reads.source_vm_id or "").lower()))


def take_snapshot(reader: ResourceReader, reads: Reads, *, after: bool = False) -> Snapshot:
    """Read now (bypassing the cache) what ``reads`` names; the new VM only ``after`` the restore.

    A read ARM refuses gives a snapshot whose ``error`` says so (the outcome then keeps to the job's word).
    """
    try:
        return _read(reader, reads, after)
    except RestorekitError as exc:
        error = f"{exc.code}: {exc.message}" if isinstance(exc, ArmError) else str(exc).splitlines()[0]
        return Snapshot(reads, {}, {}, error=error)


def _read(reader: ResourceReader, reads: Reads, after: bool) -> Snapshot:
    disks: dict[str, dict[str, Any]] = {}
    vms: dict[str, dict[str, Any]] = {}
    for group in reads.groups:
        disks.update((d.id.lower(), d.raw) for d in reader.disks(group, fresh=True))
    for vm_id in (reads.source_vm_id, reads.new_vm_id if after else None):
        if vm_id:
            found = reader.get(vm_id, fresh=True)
            if found is not None:
                vms[vm_id.lower()] = found
    return Snapshot(reads, disks, vms)


@dataclass
class RestoreOutcome:
    """What a completed restore created and changed, by resource ID, and what its job says (see the module doc)."""

    created: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    unattached: list[Disk] = field(default_factory=list)
    attached: list[Disk] = field(default_factory=list)
    #: The backed-up disks the job says it restored (their names in the backup), and where to.
    restored_disks: list[str] = field(default_factory=list)
    restored_into: str | None = None
    note: str = ""

    def __str__(self) -> str:
        lines = [f"created {kind}: {rid}" for kind, rid in self.created]
        lines += [f"changed {what}: {rid}" for what, rid in self.changed]
        if self.attached:
            lines.append("disks attached now: " + "; ".join(f"{d} ({d.id})" for d in self.attached))
        if self.unattached:
            lines.append("previous disks, now unattached (delete them once satisfied, or swap them back to roll "
                         "back): " + "; ".join(f"{d} ({d.id})" for d in self.unattached))
        if self.restored_disks or self.restored_into:
            what = f"disks restored from {', '.join(self.restored_disks)}" if self.restored_disks else "disks restored"
            lines.append(what + (f" into {self.restored_into}" if self.restored_into else ""))
        if self.note:
            lines.append(self.note)
        return "\n".join(lines) or "nothing created or changed"

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(line)}</li>" for line in str(self).splitlines())
        return f"<div class='restorekit-outcome'><b>What the restore created or changed</b><ul>{items}</ul></div>"


def _new_vm(outcome: RestoreOutcome, vm: dict[str, Any], subnet_id: str | None) -> None:
    outcome.created.append(("VM", str(vm.get("id"))))
    outcome.created.extend(("disk", d.id) for d in vm_disks(vm) if d.id)
    network = ((vm.get("properties") or {}).get("networkProfile") or {}).get("networkInterfaces") or []
    for nic in network:
        if isinstance(nic, dict) and nic.get("id"):
            outcome.created.append(("network interface", str(nic["id"])))
            if subnet_id:
                outcome.created.append(("… in subnet", subnet_id))


def compare(before: Snapshot | None, after: Snapshot | None, job: Job | None) -> RestoreOutcome:
    """The outcome of a restore from the reads around it and its job (the job's word alone when a read is missing)."""
    note = ""
    if before is None:
        note = "the estate was not read before the restore (online checks skipped): the job's word only"
    elif before.error or (after is not None and after.error):
        when, error = ("before", before.error) if before.error else ("after", after.error if after else "")
        note = f"{before.reads} could not be read {when} the restore ({error}): the job's word only"
    outcome = RestoreOutcome(note=note)
    if before is not None and after is not None and not before.error and not after.error:
        for rid, raw in after.disks.items():
            if rid not in before.disks:
                outcome.created.append(("disk", str(raw.get("id") or rid)))
        new_vm = after.vms.get((after.reads.new_vm_id or "").lower())
        if new_vm is not None:
            _new_vm(outcome, new_vm, after.reads.subnet_id)
        source = (before.reads.source_vm_id or "").lower()
        old, new = vm_disks(before.vms.get(source)), vm_disks(after.vms.get(source))
        if source and source in after.vms and {d.id.lower() for d in old} != {d.id.lower() for d in new}:
            outcome.changed.append(("VM (disks swapped)", str(after.vms[source].get("id") or source)))
            attached = {d.id.lower() for d in new}
            outcome.attached = new
            outcome.unattached = [d for d in old if d.id.lower() not in attached]
    if job is not None:
        outcome.restored_disks = job.restored_disks
        if job.restore_kind == "RestoreDisks":
            outcome.restored_into = _restored_into(job)
        known = {rid.lower() for _, rid in outcome.created + outcome.changed}
        if not (outcome.created or outcome.changed):  # the reads showed nothing: the job's word
            for kind, rid in job.result_ids():
                if rid.lower() in known:
                    continue
                if kind == "new VM":
                    outcome.created.append(("VM", rid))
                elif kind.startswith("VM"):
                    outcome.changed.append(("VM (disks replaced)", rid))
    return outcome


def _restored_into(job: Job) -> str | None:
    if job.target_resource_group:
        return f"resource group {job.target_resource_group}"
    if job.target_storage_account:
        container = job.config_blob_container
        return f"storage account {job.target_storage_account}" + (f", container {container}" if container else "")
    return None


class OutcomeUnknown(RestorekitError):
    """The outcome of a restore cannot be told yet (it has not completed) or at all (it failed)."""
