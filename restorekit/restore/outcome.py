"""What a restore created or changed, by resource ID: read from ARM before the POST and after the job.

Before a restore is sent, :func:`take_snapshot` reads the disks and VMs of the resource groups it touches (the
target group, and the VM's own group when its disks are replaced). Once the job has completed,
:func:`compare` reads them again: the disks and VMs that appeared are *created*, a VM whose disks changed is
*changed*, and the disks it had before are *left unattached* (kept by Azure: delete them once satisfied, or swap
them back to roll back). The job's own property bag adds what ARM cannot show (VHD blobs of an unmanaged restore).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from ..core.errors import RestorekitError

if TYPE_CHECKING:  # pragma: no cover
    from ..model.arm_resources import ResourceReader
    from ..model.jobs import Job


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
class Snapshot:
    """The disks and VMs of some resource groups at one moment (IDs in lower case → ARM JSON)."""

    groups: tuple[str, ...]
    disks: dict[str, dict[str, Any]]
    vms: dict[str, dict[str, Any]]
    source_vm_id: str | None = None
    nics: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def source_vm_disks(self) -> list[Disk]:
        """The disks of the backed-up VM at that moment (empty when it was not read)."""
        return vm_disks(self.vms.get((self.source_vm_id or "").lower()))


def _group_of(resource_id: Any) -> str | None:
    parts = str(resource_id or "").strip("/").split("/")
    return parts[3] if len(parts) > 3 and parts[2].lower() == "resourcegroups" else None


def groups_touched(request: Any) -> tuple[str, ...]:
    """The resource groups a restore creates or changes resources in."""
    props = request.properties()
    groups = {_group_of(props.get("targetResourceGroupId"))}
    if props.get("recoveryType") == "OriginalLocation":
        groups.add(request.point.item.vm_resource_group)
    return tuple(sorted(g for g in groups if g))


def take_snapshot(reader: ResourceReader, groups: tuple[str, ...], source_vm_id: str | None = None) -> Snapshot:
    """Read the disks and VMs of ``groups`` (and the source VM) now, bypassing the cache."""
    disks: dict[str, dict[str, Any]] = {}
    vms: dict[str, dict[str, Any]] = {}
    nics: dict[str, dict[str, Any]] = {}
    for group in groups:
        disks.update((d.id.lower(), d.raw) for d in reader.disks(group, fresh=True))
        vms.update((v.id.lower(), v.raw) for v in reader.virtual_machines(group, fresh=True))
        nics.update((n.id.lower(), n.raw) for n in reader.network_interfaces(group, fresh=True))
    if source_vm_id and source_vm_id.lower() not in vms:
        found = reader.get(source_vm_id, fresh=True)
        if found is not None:
            vms[source_vm_id.lower()] = found
    return Snapshot(groups, disks, vms, source_vm_id, nics)


@dataclass
class RestoreOutcome:
    """What a completed restore created and changed, by resource ID (see the module doc)."""

    created: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    unattached: list[Disk] = field(default_factory=list)
    attached: list[Disk] = field(default_factory=list)
    blobs: list[str] = field(default_factory=list)
    note: str = ""

    def __str__(self) -> str:
        lines = [f"created {kind}: {rid}" for kind, rid in self.created]
        lines += [f"changed {what}: {rid}" for what, rid in self.changed]
        if self.attached:
            lines.append("disks attached now: " + "; ".join(f"{d} ({d.id})" for d in self.attached))
        if self.unattached:
            lines.append("previous disks, now unattached (delete them once satisfied, or swap them back to roll "
                         "back): " + "; ".join(f"{d} ({d.id})" for d in self.unattached))
        lines += [f"VHD blob: {uri}" for uri in self.blobs]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines) or "nothing created or changed"

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(line)}</li>" for line in str(self).splitlines())
        return f"<div class='restorekit-outcome'><b>What the restore created or changed</b><ul>{items}</ul></div>"


def compare(before: Snapshot | None, after: Snapshot | None, job: Job | None) -> RestoreOutcome:
    """The outcome of a restore from the snapshots around it and its job's property bag."""
    outcome = RestoreOutcome()
    if before is not None and after is not None:
        for rid, raw in after.vms.items():
            if rid not in before.vms:
                outcome.created.append(("VM", str(raw.get("id") or rid)))
        for rid, raw in after.disks.items():
            if rid not in before.disks:
                outcome.created.append(("disk", str(raw.get("id") or rid)))
        for rid, raw in after.nics.items():
            if rid not in before.nics:
                outcome.created.append(("network interface", str(raw.get("id") or rid)))
                for config in (raw.get("properties") or {}).get("ipConfigurations") or []:
                    subnet = ((config.get("properties") or {}).get("subnet") or {}).get("id")
                    if subnet:
                        outcome.created.append(("… in subnet", str(subnet)))
        source = (before.source_vm_id or "").lower()
        old, new = vm_disks(before.vms.get(source)), vm_disks(after.vms.get(source))
        if source and {d.id.lower() for d in old} != {d.id.lower() for d in new}:
            outcome.changed.append(("VM (disks swapped)", str(after.vms[source].get("id") or source)))
            attached = {d.id.lower() for d in new}
            outcome.attached = new
            outcome.unattached = [d for d in old if d.id.lower() not in attached]
    elif before is None:
        outcome.note = "the estate was not read before the restore (online checks skipped): only the job's word"
    if job is not None:
        bag = job.property_bag
        outcome.blobs = [u.strip() for u in str(bag.get("Restored Disk Blob Uris") or "").split(",") if u.strip()]
        known = {rid.lower() for _, rid in outcome.created}
        for kind, rid in job.result_ids():
            if rid.lower() not in known and kind in ("new VM", "restored disk"):
                outcome.created.append(("VM" if kind == "new VM" else "disk", rid))
    return outcome


class OutcomeUnknown(RestorekitError):
    """The outcome of a restore cannot be told yet (it has not completed) or at all (it failed)."""
