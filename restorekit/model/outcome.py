"""What a restore did, in one module: what its job says, and what ARM shows before the POST and after the job.

**What the job says** (:class:`RestoreFacts`, read from a job's property bag): what kind of restore ran
(``RestoreDisks``, ``OriginalLocation``, ``AlternateLocation``), where it wrote (a resource group, a storage account
and container, the new VM's name), which backed-up disks it restored (``Restored disk(s)``), and the point it
restored. Azure does not say the IDs of the disks it created, so restorekit reads, for each kind, the least that
shows the rest:

* disks restored into a resource group: that group's disks, before the POST and after the job (the new ones
  are the restored disks);
* disks replaced: the VM, before and after (its disks now, and the previous ones left unattached);
* a new VM: the VM, after the job (its disks and network interfaces are in it);
* disks restored as VHD blobs: nothing (ARM does not show blobs; the job names the account and container).

:func:`restore_outcome` puts the two together (:func:`compare`); when a read fails, the outcome says so and keeps
to the job's word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from ..core.errors import ArmError, RestorekitError
from ..core.ids import name_of, resource_group_id, resource_group_of
from ..core.times import parse_loose_time

if TYPE_CHECKING:  # pragma: no cover
    from ..core.json_values import Json, JsonObject
    from .arm_resources import ResourceReader

#: ``restoreLocationType`` from the property bag's ``Job Type``, for answers without ``internalPropertyBag``.
_RESTORE_KINDS = {"recover disks": "RestoreDisks", "replace disks": "OriginalLocation",
                  "replace existing disks": "OriginalLocation", "recover vm to an alternate location":
                  "AlternateLocation", "recover vm": "AlternateLocation"}


def bag_value(bag: Mapping[str, str], *names: str) -> str | None:
    """The first of ``names`` a job's property bag holds (names compared loosely: case, ``_`` for space)."""
    lowered = {str(k).lower().replace("_", " ").strip(): v for k, v in bag.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return str(value)
    return None


def _disk_names(value: str | None) -> list[str]:
    return [name.strip() for name in str(value or "").split(";") if name.strip()]


@dataclass(frozen=True)
class RestoreFacts:
    """What a restore job says it did, in Azure's words (its ``extendedInfo``), read once.

    ``kind`` is ``RestoreDisks``, ``OriginalLocation`` or ``AlternateLocation`` (None for other jobs);
    ``subscription_id`` is the vault's, where the job's targets are.
    """

    kind: str | None
    vm_name: str | None
    succeeded: bool
    subscription_id: str | None
    bag: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, properties: Mapping[str, Json], *, subscription_id: str | None = None) -> RestoreFacts:
        """The facts of a job's ``properties`` (as the API returned them)."""
        extended = properties.get("extendedInfo")
        extended = extended if isinstance(extended, dict) else {}
        raw_bag = extended.get("propertyBag")  # Azure writes null for what it does not know yet
        bag = {str(k): str(v) for k, v in raw_bag.items() if v is not None} if isinstance(raw_bag, dict) else {}
        internal = extended.get("internalPropertyBag")
        kind = internal.get("restoreLocationType") if isinstance(internal, dict) else None
        if not (isinstance(kind, str) and kind):
            kind = _RESTORE_KINDS.get(str(bag.get("Job Type", "")).strip().lower())
        name = properties.get("entityFriendlyName")
        return cls(kind, name if isinstance(name, str) else None,
                   properties.get("status") in ("Completed", "CompletedWithWarnings"), subscription_id, bag)

    @property
    def target_resource_group(self) -> str | None:
        """The resource group the restore wrote to (``Target resource group``; absent for a VHD restore)."""
        return bag_value(self.bag, "Target resource group")

    @property
    def target_vm_name(self) -> str | None:
        """The VM the restore created (alternate location) or whose disks it replaced; None for a disk restore.

        A disk restore creates no VM: Azure writes the placeholder ``vmName`` as its ``Target VM Name``.
        """
        if self.kind not in ("AlternateLocation", "OriginalLocation"):
            return None
        return bag_value(self.bag, "Target VM Name") or (self.vm_name if self.kind == "OriginalLocation" else None)

    @property
    def target_storage_account(self) -> str | None:
        """The storage account the disks (and ``vmconfig.json``) were restored to."""
        return bag_value(self.bag, "Target Storage Account Name", "Target Storage Account", "Storage Account Name",
                         "TargetStorageAccountName")

    @property
    def config_blob_uri(self) -> str | None:
        """URI of the restored VM configuration (``vmconfig.json``), when the service gives it."""
        return bag_value(self.bag, "Config Blob Uri", "ConfigBlobUri", "Config Blob URI")

    @property
    def template_blob_uri(self) -> str | None:
        """URI of the ARM template to create a VM from the restored disks, when the service gives it."""
        return bag_value(self.bag, "Template Blob Uri", "TemplateBlobUri", "Template Blob URI")

    @property
    def config_blob_container(self) -> str | None:
        """The staging account's container that holds ``vmconfig.json`` (and a VHD restore's disks)."""
        return bag_value(self.bag, "Config Blob Container Name")

    @property
    def restored_disks(self) -> list[str]:
        """The backed-up disks the restore recreated, by their names in the backup (``Restored disk(s)``).

        Azure names them for a restore of selected disks; the new disks' own names are not in the job.
        """
        return _disk_names(self.bag.get("Restored disk(s)"))

    @property
    def backed_up_disks(self) -> list[str]:
        """The disks the restored point holds, by name (``Backed-up disk(s)``, when Azure says)."""
        return _disk_names(self.bag.get("Backed-up disk(s)"))

    @property
    def recovery_point_time(self) -> datetime | None:
        """The restored point's time from the property bag (parsed leniently), if present."""
        return parse_loose_time(bag_value(self.bag, "Recovery point time", "RecoveryPointTime", "Recovery Point Time"))

    @property
    def recovery_point_id(self) -> str | None:
        """The restored point's id/name from the property bag, if present."""
        value = bag_value(self.bag, "Recovery point id", "RecoveryPointId", "Recovery Point Name")
        return name_of(value) if value else None

    def result_ids(self) -> list[tuple[str, str]]:
        """What the restore created or changed, as ``(what, resource ID)``, from what the job says.

        A new VM (alternate location), the VM whose disks were replaced, or the resource group restored disks
        went to. Empty for a job that did not complete, and for disks restored as VHD blobs (see :meth:`sentence`).
        """
        group, sub = self.target_resource_group, self.subscription_id
        if not self.succeeded or not group or not sub:
            return []
        group_id = resource_group_id(sub, group)
        kind, vm = self.kind, self.target_vm_name
        if vm:
            label = "new VM" if kind == "AlternateLocation" else "VM, disks replaced"
            return [(label, f"{group_id}/providers/Microsoft.Compute/virtualMachines/{vm}")]
        if kind == "RestoreDisks":
            return [("resource group of the restored disks", group_id)]
        return []

    def sentence(self) -> str:
        """Where the restore went, in Azure's words: ``; new VM …``, ``; disks of VM … replaced``, restored disks."""
        kind = self.kind
        if kind == "OriginalLocation":
            return f"; disks of VM {self.target_vm_name or self.vm_name} replaced"
        if kind == "AlternateLocation":
            return f"; new VM {dict(self.result_ids()).get('new VM') or self.target_vm_name}"
        disks = self.restored_disks
        what = f"disk(s) {', '.join(disks)}" if disks else "disks"
        if kind == "RestoreDisks" and self.target_resource_group:
            return f"; {what} restored as managed disks in resource group {self.target_resource_group}"
        if self.target_storage_account:
            container = self.config_blob_container
            how = " restored as VHD blobs" if kind == "RestoreDisks" else ""
            return (f"; {what}{how} in storage account {self.target_storage_account}"
                    + (f", container {container}" if container else ""))
        return ""

    @property
    def restored_into(self) -> str | None:
        """Where restored disks went, in words (a resource group, or a storage account and container)."""
        if self.target_resource_group:
            return f"resource group {self.target_resource_group}"
        if self.target_storage_account:
            container = self.config_blob_container
            return f"storage account {self.target_storage_account}" + (f", container {container}" if container else "")
        return None


@dataclass(frozen=True)
class Disk:
    """A VM's disk: its LUN (-1 for the OS disk), name and ARM ID."""

    lun: int
    name: str
    id: str

    def __str__(self) -> str:
        return f"{'OS disk' if self.lun < 0 else f'LUN {self.lun}'}: {self.name}"


def vm_disks(vm: JsonObject | None) -> list[Disk]:
    """The managed disks attached to a VM resource (ARM JSON), OS disk first."""
    props = (vm or {}).get("properties")
    profile = props.get("storageProfile") if isinstance(props, dict) else None
    profile = profile if isinstance(profile, dict) else {}
    out = []
    os_disk = profile.get("osDisk")
    if isinstance(os_disk, dict) and isinstance(os_disk.get("managedDisk"), dict):
        out.append(Disk(-1, str(os_disk.get("name") or ""), str(os_disk["managedDisk"].get("id") or "")))
    for disk in profile.get("dataDisks") or []:
        if isinstance(disk, dict) and isinstance(disk.get("managedDisk"), dict):
            out.append(Disk(int(disk.get("lun") or 0), str(disk.get("name") or ""),
                            str(disk["managedDisk"].get("id") or "")))
    return sorted(out, key=lambda d: d.lun)


@dataclass(frozen=True)
class Reads:
    """What to read around one restore: the disks of ``groups``; the replaced VM; the new VM (after only)."""

    groups: tuple[str, ...] = ()
    source_vm_id: str | None = None
    new_vm_id: str | None = None
    subnet_id: str | None = None

    @classmethod
    def for_request(cls, properties: Mapping[str, Json], source_vm_id: str) -> Reads:
        """The reads that show what a restore request (its ``properties``) creates or changes (see the module doc)."""
        kind = properties.get("recoveryType")
        if kind == "RestoreDisks":
            group = resource_group_of(properties.get("targetResourceGroupId"))
            return cls(groups=(group,) if group else ())
        if kind == "OriginalLocation":
            return cls(source_vm_id=source_vm_id)
        if kind == "AlternateLocation":
            vm, subnet = properties.get("targetVirtualMachineId"), properties.get("subnetId")
            return cls(new_vm_id=vm if isinstance(vm, str) else None,
                       subnet_id=subnet if isinstance(subnet, str) else None)
        return cls()

    def __bool__(self) -> bool:
        return bool(self.groups or self.source_vm_id or self.new_vm_id)

    def __str__(self) -> str:
        what = [f"the disks of resource group {g}" for g in self.groups]
        what += [f"VM {name_of(vm)}" for vm in (self.source_vm_id, self.new_vm_id) if vm]
        return " and ".join(what) or "nothing"


@dataclass(frozen=True)
class Snapshot:
    """What :class:`Reads` found at one moment: disks of the groups and the VMs read (IDs in lower case → ARM JSON)."""

    reads: Reads
    disks: dict[str, JsonObject]
    vms: dict[str, JsonObject]
    #: Why the reads failed (then ``disks`` and ``vms`` are empty), None when they succeeded.
    error: str | None = None

    @property
    def source_vm_disks(self) -> list[Disk]:
        """The disks of the backed-up VM at that moment (empty when it was not read)."""
        return vm_disks(self.vms.get((self.reads.source_vm_id or "").lower()))

    def summary(self) -> JsonObject:
        """What a later comparison needs of this snapshot, as JSON (disk IDs, the VMs' disks; no other field)."""
        return {"reads": {"groups": list(self.reads.groups), "source_vm_id": self.reads.source_vm_id,
                          "new_vm_id": self.reads.new_vm_id, "subnet_id": self.reads.subnet_id},
                "disks": sorted(self.disks), "error": self.error,
                "vms": {vm: [[d.lun, d.name, d.id] for d in vm_disks(raw)] for vm, raw in self.vms.items()}}

    @classmethod
    def from_summary(cls, data: Mapping[str, Json]) -> Snapshot:
        """The snapshot :meth:`summary` described (disks and VMs as much as a comparison needs)."""
        reads = data.get("reads")
        reads = reads if isinstance(reads, dict) else {}
        groups = reads.get("groups")

        def text(value: Json) -> str | None:
            return value if isinstance(value, str) else None

        vms = data.get("vms")
        error = data.get("error")
        return cls(Reads(tuple(str(g) for g in groups) if isinstance(groups, list) else (),
                         text(reads.get("source_vm_id")), text(reads.get("new_vm_id")), text(reads.get("subnet_id"))),
                   {str(d): {"id": str(d)} for d in data.get("disks") or [] if isinstance(data.get("disks"), list)},
                   {str(vm): _vm_with(disks) for vm, disks in vms.items()} if isinstance(vms, dict) else {},
                   error if isinstance(error, str) else None)


def _vm_with(disks: Json) -> JsonObject:
    """A VM resource holding only these ``[lun, name, id]`` disks (what :func:`vm_disks` reads back)."""
    rows = [d for d in disks if isinstance(d, list) and len(d) == 3] if isinstance(disks, list) else []
    os_disk = [{"name": d[1], "managedDisk": {"id": d[2]}} for d in rows if d[0] == -1]
    data = [{"lun": d[0], "name": d[1], "managedDisk": {"id": d[2]}} for d in rows if d[0] != -1]
    return {"properties": {"storageProfile": {"osDisk": os_disk[0] if os_disk else {}, "dataDisks": data}}}


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
    disks: dict[str, JsonObject] = {}
    vms: dict[str, JsonObject] = {}
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
    #: The subnet the new VM's network interface is in (a new VM only; the subnet itself is not created).
    subnet: str | None = None
    note: str = ""

    def __str__(self) -> str:
        lines = [f"created {kind}: {rid}" + (f" (in subnet {self.subnet})"
                                             if kind == "network interface" and self.subnet else "")
                 for kind, rid in self.created]
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


def _new_vm(outcome: RestoreOutcome, vm: JsonObject, subnet_id: str | None) -> None:
    outcome.created.append(("VM", str(vm.get("id"))))
    outcome.created.extend(("disk", d.id) for d in vm_disks(vm) if d.id)
    props = vm.get("properties")
    profile = props.get("networkProfile") if isinstance(props, dict) else None
    network = profile.get("networkInterfaces") if isinstance(profile, dict) else None
    for nic in network if isinstance(network, list) else []:
        if isinstance(nic, dict) and nic.get("id"):
            outcome.created.append(("network interface", str(nic["id"])))
            outcome.subnet = subnet_id or None


def compare(before: Snapshot | None, after: Snapshot | None, facts: RestoreFacts | None) -> RestoreOutcome:
    """The outcome of a restore from the reads around it and its job's facts (the job's word alone when a read is
    missing)."""
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
    if facts is not None:
        outcome.restored_disks = facts.restored_disks
        if facts.kind == "RestoreDisks":
            outcome.restored_into = facts.restored_into
        known = {rid.lower() for _, rid in outcome.created + outcome.changed}
        if not (outcome.created or outcome.changed):  # the reads showed nothing: the job's word
            for kind, rid in facts.result_ids():
                if rid.lower() in known:
                    continue
                if kind == "new VM":
                    outcome.created.append(("VM", rid))
                elif kind.startswith("VM"):
                    outcome.changed.append(("VM (disks replaced)", rid))
    return outcome


def restore_outcome(before: Snapshot | None, reader: ResourceReader, facts: RestoreFacts) -> RestoreOutcome:
    """What a completed restore created or changed: ``before`` (read before its POST) against ARM now, and its job's
    facts; raises :class:`OutcomeUnknown` for a restore that did not complete."""
    if not facts.succeeded:
        raise OutcomeUnknown(f"the restore of VM {facts.vm_name} did not complete: it created nothing to list; see "
                             "operation.job for the service's errors")
    after = None
    if before is not None and before.reads and not before.error:
        after = take_snapshot(reader, before.reads, after=True)
    return compare(before, after, facts)


class OutcomeUnknown(RestorekitError):
    """The outcome of a restore cannot be told yet (it has not completed) or at all (it failed)."""
