"""Recovery Services vaults, the VMs they protect and the recovery points of each VM.

Everything is deterministic: point names and times come from hashes of the VM name and the day, so two
emulators seeded the same day serve the same points. Recovery points are generated lazily, the first time
a VM's points are asked for, so a fleet of thousands of VMs seeds at once.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ..regions import PAIRED_REGION
from .health import HEALTHY, BackupHistory
from .protection import ItemProtection
from .security import VaultSecurity
from .tenancy import SUBSCRIPTION_ID


def _digest(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from ``parts``."""
    return _digest(*parts) / 2**64


@dataclass
class RecoveryPoint:
    """One recovery point as the service stores it (rendered per api-version by ``providers.backup.shapes``)."""

    name: str
    time: datetime
    rp_type: str
    tiers: list[tuple[str, str]]
    included_luns: tuple[int, ...]
    excluded_luns: tuple[int, ...] = ()
    rule_name: str | None = "Daily"
    expiry: datetime | None = None
    move_ready: bool | None = None
    time_text: str | None = None
    id_override: str | None = None
    verbatim: bool = False

    @property
    def archived_only(self) -> bool:
        """True when the point lives in the archive tier only (needs rehydration to restore)."""
        return [t for t, _ in self.tiers] == ["ArchivedRP"]


@dataclass
class ProtectedVM:
    """An Azure VM protected in a vault, with its backup history settings."""

    vault: Vault
    resource_group: str
    name: str
    size: str = "Standard_A1_v2"
    os_type: str = "Windows"
    managed: bool = True
    encrypted: bool = False
    zones: tuple[str, ...] = ()
    disks: tuple[tuple[int, str], ...] = ()
    excluded_recently: tuple[int, ...] = ()
    daily_days: int = 120
    long_term: bool = True
    instant_days: int = 5
    hour: int = 6
    minute: int = 6
    storage_type: str = "NormalStorage"
    policy: str = "DefaultPolicy"
    extra_points: list[RecoveryPoint] = field(default_factory=list)
    renamed: dict[date, str] = field(default_factory=dict)
    history: BackupHistory = HEALTHY
    #: The tags of the VM itself (its compute resource).
    tags: dict[str, str] = field(default_factory=dict)
    #: What requests changed since the seed (stopped, soft-deleted, file recovery sessions).
    protection: ItemProtection = field(default_factory=ItemProtection)
    #: The VM itself was deleted after its protection stopped: its item and retained points remain.
    vm_deleted: bool = False
    _points: list[RecoveryPoint] | None = field(default=None, repr=False)
    _by_name: dict[str, RecoveryPoint] = field(default_factory=dict, repr=False)
    #: The newest point found without the whole history, for the seed moment it was found for.
    _latest: tuple[datetime, RecoveryPoint | None] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def vm_id(self) -> str:
        """The VM's ARM id."""
        return (f"/subscriptions/{self.vault.subscription_id}/resourceGroups/{self.resource_group}"
                f"/providers/Microsoft.Compute/virtualMachines/{self.name}")

    @property
    def container(self) -> str:
        """Container name as the service writes it."""
        return f"IaasVMContainer;iaasvmcontainerv2;{self.resource_group};{self.name}"

    @property
    def item(self) -> str:
        """Protected item name as the service writes it."""
        return f"VM;iaasvmcontainerv2;{self.resource_group};{self.name}"

    @property
    def item_path(self) -> str:
        """ARM id of the protected item."""
        return (f"{self.vault.id}/backupFabrics/Azure/protectionContainers/{self.container}"
                f"/protectedItems/{self.item}")

    @property
    def disk_luns(self) -> tuple[int, ...]:
        """LUNs of the VM's disks (``-1`` is the OS disk)."""
        return tuple(lun for lun, _ in self.disks)

    def points(self) -> list[RecoveryPoint]:
        """All recovery points, newest first (generated on first use)."""
        with self._lock:
            if self._points is None:
                self._points = _generate(self)
                self._by_name = {p.name: p for p in self._points}
            return self._points

    def point(self, name: str) -> RecoveryPoint | None:
        """The recovery point named ``name`` or None."""
        self.points()
        return self._by_name.get(name)

    def latest_point(self) -> RecoveryPoint | None:
        """The newest recovery point, found without generating the whole history when it is not yet.

        Found once per seed moment: a fleet's protected items (Resource Graph rows) each name it on every query.
        """
        with self._lock:
            if self._points is not None:
                return self._points[0] if self._points else None
            if self._latest is not None and self._latest[0] == self.vault.seeded_at:
                return self._latest[1]
        newest = _latest(self)
        with self._lock:
            self._latest = (self.vault.seeded_at, newest)
        return newest

    def missed_backup_times(self) -> list[datetime]:
        """When the scheduled backups that made no recovery point ran (``history.missed_backups``), newest first."""
        now = self.vault.seeded_at
        out: list[datetime] = []
        age = 0
        while len(out) < self.history.missed_backups:
            moment = backup_time(self, now.date() - timedelta(days=age))
            if moment <= now:
                out.append(moment)
            age += 1
        return out


@dataclass
class Vault:
    """A Recovery Services vault and the VMs it protects."""

    name: str
    resource_group: str
    location: str
    crr: bool = False
    sku: str = "Standard"
    seeded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    items: dict[tuple[str, str], ProtectedVM] = field(default_factory=dict)
    subscription_id: str = SUBSCRIPTION_ID
    #: Soft delete settings and the Resource Guard proxy (multi-user authorization).
    security: VaultSecurity = field(default_factory=VaultSecurity)

    @property
    def id(self) -> str:
        """Its ARM id."""
        return (f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
                f"/providers/Microsoft.RecoveryServices/vaults/{self.name}")

    @property
    def key(self) -> tuple[str, str]:
        """``(resource group, name)`` in lower case: how the estate and the jobs refer to it."""
        return (self.resource_group.lower(), self.name.lower())

    @property
    def secondary_region(self) -> str | None:
        """The paired region when cross-region restore is on."""
        return PAIRED_REGION.get(self.location) if self.crr else None

    def protect(self, resource_group: str, name: str, **kw: object) -> ProtectedVM:
        """Add a protected VM."""
        vm = ProtectedVM(self, resource_group, name, **kw)  # type: ignore[arg-type]
        self.items[(resource_group.lower(), name.lower())] = vm
        return vm


# --- recovery point generation -------------------------------------------------------------------

_RETENTION = {"Daily": 120, "Weekly": 7 * 52, "Monthly": 31 * 36, "Yearly": 366 * 5}
_ARCHIVE_AFTER_DAYS = 180


def point_name(vm: ProtectedVM, day: date) -> str:
    """The 14-digit recovery point name of ``vm``'s backup on ``day``."""
    return str(10**13 + _digest(vm.vault.name, vm.resource_group, vm.name, day) % (9 * 10**13))


def _rule(vm: ProtectedVM, day: date, age: int) -> str | None:
    """The retention rule that keeps ``day``'s point at ``age`` days (the longest one wins)."""
    if vm.long_term and day.weekday() == 6:
        first_sunday = day.day <= 7
        if first_sunday and day.month == 1 and age < _RETENTION["Yearly"]:
            return "Yearly"
        if first_sunday and age < _RETENTION["Monthly"]:
            return "Monthly"
        if age < _RETENTION["Weekly"]:
            return "Weekly"
    return "Daily" if age < vm.daily_days else None


def backup_time(vm: ProtectedVM, day: date) -> datetime:
    """When ``vm``'s scheduled backup of ``day`` takes its snapshot (a few minutes after the schedule)."""
    seconds = int(_unit(vm.name, day, "t") * 900)
    return datetime.combine(day, time(vm.hour, vm.minute), UTC) + timedelta(
        seconds=seconds, microseconds=int(_unit(vm.name, day, "us") * 1e6))


def _consistency(vm: ProtectedVM, day: date) -> str:
    """The point's consistency: about one in ten is crash-consistent; Linux never app-consistent."""
    if _unit(vm.name, day, "k") < 0.1:
        return "CrashConsistent"
    return "FileSystemConsistent" if vm.os_type == "Linux" else "AppConsistent"


def _horizon(vm: ProtectedVM) -> int:
    return _RETENTION["Yearly"] if vm.long_term else vm.daily_days


def _day_point(vm: ProtectedVM, age: int, cutoff: datetime | None) -> RecoveryPoint | None:
    """The point ``vm``'s backup made ``age`` days before the seed, or None (no backup, not kept, missed)."""
    now = vm.vault.seeded_at
    day = now.date() - timedelta(days=age)
    rule = _rule(vm, day, age)
    if rule is None:
        return None
    if age > 1 and _unit(vm.name, day, "gap") < 0.03:
        return None  # the odd missed backup
    t = backup_time(vm, day)
    if t > now or (cutoff is not None and t >= cutoff):
        return None
    if age < vm.instant_days:
        tiers = [("InstantRP", "Valid"), ("HardenedRP", "Valid")]
    elif rule in ("Monthly", "Yearly") and age > _ARCHIVE_AFTER_DAYS:
        tiers = [("ArchivedRP", "Valid")]
    else:
        tiers = [("HardenedRP", "Valid")]
    excluded = vm.excluded_recently if age < 30 else ()
    included = tuple(lun for lun in vm.disk_luns if lun not in excluded)
    move_ready = None
    if rule in ("Monthly", "Yearly") and tiers == [("HardenedRP", "Valid")]:
        move_ready = age > 90
    return RecoveryPoint(
        name=vm.renamed.get(day) or point_name(vm, day), time=t, rp_type=_consistency(vm, day), tiers=tiers,
        included_luns=included, excluded_luns=excluded, rule_name=rule,
        expiry=t + timedelta(days=_RETENTION[rule]), move_ready=move_ready)


def _cutoff(vm: ProtectedVM) -> datetime | None:
    """Scheduled backups from this moment on made no point (see ``BackupHistory.missed_backups``)."""
    missed = vm.missed_backup_times()
    return missed[-1] if missed else None


def _generate(vm: ProtectedVM) -> list[RecoveryPoint]:
    cutoff = _cutoff(vm)
    out = [p for age in range(_horizon(vm)) if (p := _day_point(vm, age, cutoff)) is not None]
    out.extend(vm.extra_points)
    out.sort(key=lambda p: p.time, reverse=True)
    return out


def _latest(vm: ProtectedVM) -> RecoveryPoint | None:
    """The newest point, scanning back day by day from the seed (cheap for a fleet of thousands)."""
    cutoff = _cutoff(vm)
    newest = next((p for age in range(_horizon(vm)) if (p := _day_point(vm, age, cutoff)) is not None), None)
    candidates = [p for p in [newest, *vm.extra_points] if p is not None]
    return max(candidates, key=lambda p: p.time) if candidates else None
