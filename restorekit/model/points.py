"""Recovery points of a protected VM: typed values over the API's resources.

A :class:`RecoveryPoint` wraps one ``RecoveryPointResource`` as the API returned it (``raw``) and
exposes what a restore needs: time, consistency, tiers, disk LUNs, zones, encryption. It is a value: it knows
where it comes from (its item's and vault's IDs, the endpoint it was read at), not the objects that read it, so
whatever needs ARM takes the item or the connection explicitly (``item.with_disk_list(point)``). The list type
:class:`RecoveryPoints` keeps API order and adds ``latest()`` and ``to_frame()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, overload

from ..core.ids import ItemRef, name_of
from ..core.tiers import TIER_LABELS, USABLE_STATUSES, usable_tiers
from ..core.times import format_moment, parse_time
from .point_selection import select

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.json_values import JsonObject


@dataclass(frozen=True)
class PointRef:
    """A recovery point by name and time: what a job says it restores, and what the journal keeps of a point."""

    name: str
    time: datetime | None = None


@dataclass(frozen=True, repr=False)
class RecoveryPoint:
    """One recovery point of a protected VM.

    ``raw`` is the resource exactly as the API returned it; ``item`` says which vault and VM it
    belongs to; ``region`` is ``"primary"`` or ``"secondary"`` (cross-region listing);
    ``vault_location`` is the vault's Azure region when known; ``copy_region`` the region of this copy
    (the secondary region for a cross-region point). ``source_vm_id`` is the backed-up VM's ID as its protected item
    says it (None: derived from the item's name); ``endpoint`` and ``api_version`` say where it was read, so that a
    dry-run export names the same service.
    """

    raw: JsonObject
    item: ItemRef
    region: str = "primary"
    vault_location: str | None = None
    #: The Azure region this copy of the point lives in, when known (the secondary region's name for a
    #: cross-region point; restores from it land there).
    copy_region: str | None = None
    source_vm_id: str | None = field(default=None, compare=False)
    endpoint: str | None = field(default=None, compare=False)
    api_version: str | None = field(default=None, compare=False)

    @classmethod
    def from_resource(cls, raw: JsonObject, item: ItemRef | None = None, *, region: str = "primary",
                      vault_location: str | None = None, copy_region: str | None = None) -> RecoveryPoint:
        """Wrap an API resource; the item reference is parsed from its ``id`` when not given."""
        if item is None:
            item = ItemRef.from_id(str(raw.get("id", "")))
        return cls(raw=raw, item=item, region=region, vault_location=vault_location, copy_region=copy_region)

    @property
    def ref(self) -> PointRef:
        """The point by name and time."""
        return PointRef(self.name, self.time)

    @property
    def properties(self) -> JsonObject:
        """The resource's ``properties`` (an empty dict if absent)."""
        props = self.raw.get("properties")
        return props if isinstance(props, dict) else {}

    @property
    def name(self) -> str:
        """The recovery point's name, which is also its ``recoveryPointId`` in a restore request."""
        return str(self.raw.get("name") or name_of(str(self.raw.get("id", ""))))

    @property
    def id(self) -> str:
        """ARM ID of the recovery point."""
        return str(self.raw.get("id") or self.item.recovery_point_id(self.name))

    @property
    def time(self) -> datetime | None:
        """When the point was taken (UTC), or None if the service did not say."""
        return parse_time(self.properties.get("recoveryPointTime"))

    @property
    def consistency(self) -> str | None:
        """AppConsistent, CrashConsistent, FileSystemConsistent, … (``recoveryPointType``)."""
        return self.properties.get("recoveryPointType")

    @property
    def tiers(self) -> dict[str, str]:
        """``{tier: status}``, e.g. ``{"InstantRP": "Valid", "HardenedRP": "Valid"}``."""
        return usable_tiers(self.properties.get("recoveryPointTierDetails"))

    @property
    def tier_labels(self) -> list[str]:
        """Usable tiers as short labels: ``snapshot``, ``vault``, ``archive``."""
        return [TIER_LABELS.get(t, t) for t, s in self.tiers.items() if s in USABLE_STATUSES]

    @property
    def is_archived_only(self) -> bool:
        """True when the point lives only in the archive tier (a restore needs rehydration)."""
        usable = {t for t, s in self.tiers.items() if s in USABLE_STATUSES}
        return "ArchivedRP" in usable and not usable & {"InstantRP", "HardenedRP"}

    @property
    def disk_luns(self) -> list[int] | None:
        """LUNs of the disks included in the backup (OS disk is -1), or None if the point has no list.

        A point from a list has none (Azure lists only the counts): ``item.with_disk_list(point)`` reads it alone.
        """
        config = self.properties.get("recoveryPointDiskConfiguration") or self.properties.get("rpDiskConfiguration")
        if not isinstance(config, dict) or not isinstance(config.get("includedDiskList"), list):
            return None
        luns = []
        for disk in config["includedDiskList"]:
            if isinstance(disk, dict) and isinstance(disk.get("lun"), int):
                luns.append(disk["lun"])
        return luns

    @property
    def zones(self) -> list[str]:
        """Availability zones of the VM at backup time (empty for a regional VM)."""
        zones = self.properties.get("zones")
        return [str(z) for z in zones] if isinstance(zones, list) else []

    @property
    def encrypted(self) -> bool:
        """Whether the source VM was encrypted (Azure Disk Encryption)."""
        return bool(self.properties.get("isSourceVMEncrypted"))

    @property
    def managed(self) -> bool | None:
        """Whether the source VM used managed disks (None if unknown)."""
        value = self.properties.get("isManagedVirtualMachine")
        return value if isinstance(value, bool) else None

    @property
    def vm_size(self) -> str | None:
        """VM size at backup time, e.g. ``Standard_A1_v2``."""
        return self.properties.get("virtualMachineSize")

    @property
    def os_type(self) -> str | None:
        """Windows or Linux, when the service says."""
        return self.properties.get("osType")

    @property
    def restore_speed(self) -> str:
        """What restoring this point costs in time, in words: snapshot (fastest), vault (slower), archive (hours).

        The snapshot tier restores from the VM's own snapshots (Instant Restore): the fastest. A point only in the
        vault tier is copied from the vault: slower, hours for large disks. A point only in the archive tier
        must first be rehydrated (Standard priority up to 48 h, High sooner) before it restores like a vault
        point.
        """
        labels = self.tier_labels
        if "snapshot" in labels:
            return "snapshot tier: the fastest restore (Instant Restore from the VM's snapshots)"
        if "vault" in labels:
            return "vault tier only: slower, the disks are copied from the vault (hours for large disks)"
        if "archive" in labels:
            return ("archive tier only: it must be rehydrated first, for hours (Standard priority up to 48 h, "
                    "High sooner), then it restores like a vault point")
        return "no usable tier: this point cannot be restored"

    def __repr__(self) -> str:
        when = format_moment(self.time) if self.time else "time unknown"
        tiers = "+".join(self.tier_labels) or "no usable tier"
        return f"<RecoveryPoint {self.name} {self.item.vm_name} {when} {self.consistency} [{tiers}]>"

    def _repr_html_(self) -> str:
        from ..core.html import fields_table

        luns = self.disk_luns
        return fields_table([
            ("VM", f"{self.item.vm_resource_group}/{self.item.vm_name}"), ("vault", self.item.vault_name),
            ("time", format_moment(self.time) if self.time else None),
            ("consistency", self.consistency), ("tiers", ", ".join(self.tier_labels) or "no usable tier"),
            ("restore speed", self.restore_speed),
            ("disks (LUN, OS = -1)", ", ".join(map(str, luns)) if luns is not None else None),
            ("VM size", self.vm_size), ("zones", ", ".join(self.zones)), ("encrypted", self.encrypted or None),
            ("region", self.region if self.region != "primary" else None),
        ], "restorekit-point", f"Recovery point {self.name}")


class RecoveryPoints(list):
    """A list of :class:`RecoveryPoint` in API order, with ``latest()`` and ``to_frame()``."""

    def __init__(self, points: Iterable[RecoveryPoint] = ()) -> None:
        super().__init__(points)

    @overload
    def __getitem__(self, index: int) -> RecoveryPoint: ...
    @overload
    def __getitem__(self, index: slice) -> RecoveryPoints: ...
    def __getitem__(self, index):  # type: ignore[override]
        result = super().__getitem__(index)
        return RecoveryPoints(result) if isinstance(index, slice) else result

    def __iter__(self) -> Iterator[RecoveryPoint]:
        return super().__iter__()

    def latest(self, consistency: str | None = None, tier: str | None = None) -> RecoveryPoint:
        """The newest point, optionally of one consistency (``"AppConsistent"``) or usable tier (``"vault"``)."""
        candidates = [p for p in self if p.time is not None]
        if consistency:
            candidates = [p for p in candidates if (p.consistency or "").lower() == consistency.lower()]
        if tier:
            candidates = [p for p in candidates if tier in p.tier_labels or tier in p.tiers]
        if not candidates:
            from ..core.errors import NotFoundError

            raise NotFoundError(f"no recovery point matches consistency={consistency!r} tier={tier!r} "
                                f"among {len(self)} point(s)")
        return max(candidates, key=lambda p: p.time)  # type: ignore[arg-type,return-value]

    def select(self, spec: str) -> RecoveryPoint:
        """A point chosen the way an incident is described (see :mod:`restorekit.model.point_selection`).

        ``"latest"``, ``"best"`` (the best consistency the VM has: application, file system, then crash),
        ``"latest AppConsistent"``, ``"latest snapshot"`` (the fastest restore), ``"latest before
        2026-11-20T02:00Z"``, ``"closest to 2026-11-20T02:00Z"``, combinations of these, or a point's name.
        When nothing matches, the error lists what the VM has and the nearest selection that matches.
        """
        vm = self[0].item.vm_name if self else "the VM"
        return select(self, spec, vm=f"VM {vm}" if self else vm)

    def get(self, name: str) -> RecoveryPoint:
        """The point named ``name``; the error lists a few names that exist."""
        for point in self:
            if point.name == name:
                return point
        from ..core.errors import NotFoundError

        names = ", ".join(p.name for p in self[:5])
        raise NotFoundError(f"no recovery point {name!r}; {len(self)} exist, e.g. {names}")

    def to_frame(self) -> pd.DataFrame:
        """One typed row per point (see :func:`restorekit.recovery_points_frame`)."""
        from ..data.frames import points_to_frame

        return points_to_frame(self)

    def __repr__(self) -> str:
        if not self:
            return "<RecoveryPoints: none>"
        times = [p.time for p in self if p.time]
        span = f" from {min(times):%Y-%m-%d} to {max(times):%Y-%m-%d}" if times else ""
        return f"<RecoveryPoints: {len(self)} point(s){span}>"

    def _repr_html_(self) -> str:
        from ..data.readable import readable

        return readable(self.to_frame()[["vm_name", "recovery_point", "time", "consistency", "tier"]]).to_html()
