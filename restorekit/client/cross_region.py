"""Cross-region restore (CRR): a protected VM's points in its vault's secondary region, and restores there.

:class:`CrossRegion` is navigation beside :class:`~restorekit.client.resources.ProtectedItem` (``item.cross_region()``,
or ``az.cross_region(...)`` when the primary region does not answer): the secondary region's points and jobs, the
replication lag, whether the vault replicates at all. It hands restores down to the one restore path with a
:class:`~restorekit.restore.run.cross_region.CrossRegionRoute` (the access token, the POST, the secondary region's
operation and jobs live there).

>>> crr = item.cross_region()                              # secondary region: the vault region's pair
>>> points = crr.recovery_points(start="2026-10-01")       # region="secondary"
>>> request = rk.RestoreDisks(points.latest(), storage_account="westRG/westAccount")
>>> crr.check(request)                                     # the cross-region rules, then the live estate there
>>> op = crr.restore(request); op.wait()                   # the CrrJob, Completed

Cross-region restore creates new disks or a new VM (``RestoreDisks``, ``RestoreAsNewVM``); it cannot replace the
disks of the original VM. The access token (``accessTokenString``) is a secret: it never appears in a repr, a log
line, an exception, the journal or a continuation token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..core.errors import (
    ArmError,
    CrossRegionRestoreNotEnabled,
    NotFoundError,
    RestorekitError,
    TransportError,
    ValidationError,
)
from ..core.filters import IAAS_FILTER, job_filter, points_filter
from ..core.regions import PAIRED_REGIONS, norm_region, paired_region
from ..core.times import format_duration, format_moment
from ..model.job_api import CrossRegionJobs
from ..model.jobs import CrrJob, jobs_frame
from ..model.points import RecoveryPoint, RecoveryPoints
from ..restore.run.cross_region import (
    CRR_API_VERSION,
    NOT_ENABLED_CODE,
    SUPPORTED_RECOVERY_TYPES,
    CrossRegionRoute,
    PassiveStamp,
    in_secondary_region,
    not_enabled,
    problems,
)
from ..restore.run.operation import CrossRegionOperation, RestoreOperation
from ..restore.run.secrets import CrrAccessToken
from ..restore.run.trigger import trigger

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.filters import TimeBound
    from ..core.ids import ItemRef
    from ..core.json_values import JsonObject
    from ..restore.checking.report import CheckReport
    from ..restore.context import RestoreConnection
    from ..restore.request.builders import RestoreRequestBuilder
    from ..restore.request.rules import Problem

T = TypeVar("T")


class VaultOfItem(Protocol):
    """What :class:`CrossRegion` reads of the item's vault (the client's ``Vault``)."""

    name: str
    resource_group: str
    raw: JsonObject

    @property
    def id(self) -> str:
        """The vault's ARM ID."""
        ...

    @property
    def location(self) -> str | None:
        """The vault's region."""
        ...


class ProtectedItem(Protocol):
    """What :class:`CrossRegion` needs of a protected item (the client's ``ProtectedItem``, which makes one)."""

    ref: ItemRef
    raw: JsonObject
    vault: VaultOfItem

    @property
    def connection(self) -> RestoreConnection:
        """The connection the item was read through."""
        ...

    @property
    def vm_name(self) -> str:
        """The protected VM's name."""
        ...

    @property
    def vm_resource_group(self) -> str:
        """The protected VM's resource group."""
        ...

__all__ = ["CrossRegion", "CrossRegionOperation", "CrossRegionRoute", "CrrJob", "CrrAccessToken",
           "CrossRegionRestoreNotEnabled", "PAIRED_REGIONS", "paired_region", "SUPPORTED_RECOVERY_TYPES",
           "ReplicationLag"]


@dataclass(frozen=True)
class ReplicationLag:
    """How far the secondary region's copy is behind the primary: the newest point of each, and why one is unknown.

    ``lag`` is the time between the two newest points: changes made in it are in the primary region's backups but
    not in the secondary's, so a cross-region restore loses them (on top of what any restore loses after its
    point).
    """

    primary_newest: RecoveryPoint | None
    secondary_newest: RecoveryPoint | None
    primary_error: str | None = None

    @property
    def lag(self) -> timedelta | None:
        """Primary newest − secondary newest (None when either is unknown)."""
        p, s = self.primary_newest, self.secondary_newest
        if p is None or s is None or p.time is None or s.time is None:
            return None
        return max(timedelta(0), p.time - s.time)

    def __str__(self) -> str:
        sec = self.secondary_newest
        lines = [f"newest point in the secondary region: "
                 f"{f'{sec.name} ({format_moment(sec.time)})' if sec else 'none'}"]
        if self.primary_error:
            lines.append(f"the primary region does not answer ({self.primary_error}): its newest point, and so the "
                         "replication lag, are unknown")
            return "\n".join(lines)
        prim = self.primary_newest
        lines.append(f"newest point in the primary region:   "
                     f"{f'{prim.name} ({format_moment(prim.time)})' if prim else 'none'}")
        lag = self.lag
        if lag is not None and lag > timedelta(0):
            lines.append(f"replication lag: {format_duration(lag)}. Restoring in the secondary region loses the changes "
                         f"made between {format_moment(sec.time)} and {format_moment(prim.time)} as well")  # type: ignore[union-attr]
        elif lag is not None:
            lines.append("replication lag: none, the secondary region has the newest point")
        return "\n".join(lines)


class CrossRegion:
    """Cross-region restore of one protected VM: its points in the secondary region, and restores from them.

    ``secondary_region`` defaults to the Azure pair of the vault's region. ``poll_interval``, ``sleep`` and ``clock``
    go to the operations it starts.
    """

    def __init__(self, item: ProtectedItem, *, secondary_region: str | None = None,
                 poll_interval: float | None = None, sleep: Callable[[float], object] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.item = item
        self._secondary = norm_region(secondary_region) if secondary_region else None
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock
        self._enabled: bool | None = None

    @classmethod
    def from_secondary(cls, item: ProtectedItem, *, secondary_region: str, poll_interval: float | None = None,
                       sleep: Callable[[float], object] | None = None,
                       clock: Callable[[], float] = time.monotonic) -> CrossRegion:
        """Cross-region restore of ``item`` read entirely from the secondary region (no call to the primary).

        The item's resource comes from the secondary region's list of protected items
        (``GET {vault}/backupProtectedItems/?api-version=2018-12-20``); an item it does not list raises
        ``NotFoundError`` naming the items it does.
        """
        crr = cls(item, secondary_region=secondary_region, poll_interval=poll_interval, sleep=sleep, clock=clock)
        raws = crr._stamp().list(f"{item.vault.id}/backupProtectedItems/",
                                 {"$filter": IAAS_FILTER + " and itemType eq 'VM'"})
        wanted = item.ref.item.lower()
        for raw in raws:
            if str(raw.get("name", "")).lower() == wanted:
                item.raw = raw
                crr._enabled = True  # the secondary region answered for this vault
                return crr
        listed = ", ".join(sorted(str(_friendly_name(r)) for r in raws)) or "none"
        raise NotFoundError(f"the secondary region {crr.secondary_region} has no copy of VM "
                            f"{item.vm_resource_group}/{item.vm_name} of vault {item.vault.name!r}; it holds: {listed}")

    # -- where --------------------------------------------------------------------------------------------------
    @property
    def vault(self) -> VaultOfItem:
        """The item's vault."""
        return self.item.vault

    @property
    def primary_region(self) -> str | None:
        """The vault's region."""
        return self.vault.location

    @property
    def secondary_region(self) -> str:
        """Where the secondary copy lives: ``secondary_region=`` or the pair of the vault's region."""
        region = self._secondary or paired_region(self.primary_region)
        if not region:
            raise RestorekitError(
                f"cannot tell the secondary region of vault {self.vault.name!r} (region "
                f"{self.primary_region or 'unknown'}): pass CrossRegion(item, secondary_region='<paired region>')")
        return region

    def _stamp(self) -> PassiveStamp:
        return PassiveStamp(self.item.connection.arm, self.item.ref, self.secondary_region, self.primary_region)

    def location_path(self, region: str | None = None) -> str:
        """``/subscriptions/{sub}/providers/Microsoft.RecoveryServices/locations/{region}`` (secondary by default)."""
        return self._stamp().location_path(region)

    def route(self) -> CrossRegionRoute:
        """Where this VM's cross-region restores go: the secondary region, through the item's connection."""
        return CrossRegionRoute(self.item.connection, self.item.ref, secondary_region=self.secondary_region,
                                primary_region=self.primary_region)

    # -- is it on -----------------------------------------------------------------------------------------------
    @property
    def enabled(self) -> bool | None:
        """The vault's Cross Region Restore setting (None when the service does not say); read once."""
        if self._enabled is None:
            self._enabled = self._read_enabled()
        return self._enabled

    def _read_enabled(self) -> bool | None:
        props = self.vault.raw.get("properties")
        redundancy = props.get("redundancySettings") if isinstance(props, dict) else None
        setting = redundancy.get("crossRegionRestore") if isinstance(redundancy, dict) else None
        if isinstance(setting, str) and setting:
            return setting.lower() == "enabled"
        try:
            config = self.item.connection.arm.get(f"{self.vault.id}/backupstorageconfig/vaultstorageconfig",
                                                  api_version=CRR_API_VERSION)
        except ArmError as exc:
            if exc.code == NOT_ENABLED_CODE:
                return False
            if exc.status in (400, 404):
                return None
            raise
        config_props = config.get("properties") if isinstance(config, dict) else None
        flag = config_props.get("crossRegionRestoreFlag") if isinstance(config_props, dict) else None
        return flag if isinstance(flag, bool) else None

    def require_enabled(self) -> CrossRegion:
        """Raise :class:`~restorekit.core.errors.CrossRegionRestoreNotEnabled` when the vault says CRR is off;
        return self otherwise."""
        if self.enabled is False:
            raise not_enabled(self.item.ref, self.primary_region)
        return self

    def _read(self, read: Callable[[PassiveStamp], T]) -> T:
        """One passive-stamp read; the service saying CRR is off is remembered."""
        try:
            return read(self._stamp())
        except CrossRegionRestoreNotEnabled:
            self._enabled = False
            raise

    # -- points -------------------------------------------------------------------------------------------------
    def recovery_points(self, start: TimeBound = None, end: TimeBound = None) -> RecoveryPoints:
        """The item's recovery points in the secondary region (``region="secondary"``), every page.

        ``GET {item}/recoveryPoints/?api-version=2018-12-20``, optionally between ``start`` and ``end``.
        """
        self.require_enabled()
        params = points_filter(start, end)
        return self._read(lambda stamp: RecoveryPoints(self.point(raw) for raw in stamp.list(
            f"{self.item.ref.path}/recoveryPoints/", params)))

    def point(self, raw: JsonObject) -> RecoveryPoint:
        """Wrap a recovery point resource of the secondary region."""
        connection = self.item.connection
        return RecoveryPoint(raw=raw, item=self.item.ref, region="secondary", vault_location=self.primary_region,
                             copy_region=self.secondary_region, endpoint=connection.endpoint,
                             api_version=connection.api_version)

    def recovery_point(self, name: str) -> RecoveryPoint:
        """One point of the secondary region by name (2018-12-20 has no GET of one point: the list is read)."""
        points = self.recovery_points()
        try:
            return points.get(name)
        except NotFoundError:
            raise NotFoundError(f"VM {self.item.vm_name!r} has no recovery point {name!r} in the secondary region "
                                f"{self.secondary_region} ({len(points)} there; the newest: "
                                f"{', '.join(p.name for p in sorted(points, key=_newest_first)[:5]) or 'none'})"
                                ) from None

    def replication_lag(self) -> ReplicationLag:
        """The newest point of each region, and the gap between them.

        The primary region is asked once, quickly (no retries): when it does not answer, the lag is unknown and
        :attr:`ReplicationLag.primary_error` says why; the secondary region's answer is always needed.
        """
        secondary = self.recovery_points()
        probe = self.item.connection.arm.probe()
        try:
            raws = probe.list(f"{self.item.ref.path}/recoveryPoints")
            primary = [RecoveryPoint(raw=raw, item=self.item.ref) for raw in raws]
            error = None
        except ArmError as exc:
            primary, error = [], f"{exc.code}: {exc.message} (HTTP {exc.status})"
        except TransportError as exc:
            primary, error = [], str(exc).splitlines()[0]
        finally:
            probe.close()
        return ReplicationLag(_newest(primary), _newest(secondary), error)

    # -- the token ----------------------------------------------------------------------------------------------
    def aad_properties(self) -> JsonObject:
        """The secondary region's AAD properties (``GET {loc}/backupAadProperties``), as the service returns them."""
        return self._read(lambda stamp: stamp.aad_properties())

    def access_token(self, point: RecoveryPoint, aad: JsonObject | None = None) -> CrrAccessToken:
        """A CRR access token for ``point`` (``POST …/recoveryPoints/{rp}/accessToken`` with the AAD properties)."""
        return self._read(lambda stamp: stamp.access_token(point.name, aad))

    # -- restore ------------------------------------------------------------------------------------------------
    def problems(self, request: RestoreRequestBuilder) -> list[Problem]:
        """Why ``request`` cannot be restored cross-region (offline), on top of the builder's own problems."""
        return problems(request, self.item.ref, self.secondary_region)

    def validate(self, request: RestoreRequestBuilder, *, online: bool = False) -> RestoreRequestBuilder:
        """Raise :class:`~restorekit.core.errors.ValidationError` listing every problem; return the request to send.

        The returned request has ``region`` set to the secondary region when it had none. ``online=True`` also
        checks what it names against the live estate, in the secondary region.
        """
        found = self.problems(request)
        if found:
            raise ValidationError(found, what="cross-region restore request")
        request = in_secondary_region(request, self.secondary_region)
        self.check(request, online=online).raise_for_problems(request.what)
        return request

    def check(self, request: RestoreRequestBuilder, *, online: bool = True) -> CheckReport:
        """Every problem and note of ``request`` in the secondary region: the cross-region rules, the request's own,
        and (``online``) the live estate there. Nothing is restored; the secondary region has no validate
        operation of its own."""
        from ..restore.checking.verify import verify

        report = verify(in_secondary_region(request, self.secondary_region), self.item.connection, online=online)
        report.problems[:0] = self.problems(request)
        return report

    def restore(self, request: RestoreRequestBuilder, *, confirm: bool = False, allow_duplicate: bool = False,
                display: bool | None = None, online_checks: bool = True) -> CrossRegionOperation:
        """Check, get an access token, POST the cross-region restore once; return the operation at once.

        ``request`` is a ``RestoreDisks`` or ``RestoreAsNewVM`` of a point from :meth:`recovery_points`
        (``region`` defaults to the secondary region). ``ReplaceDisks`` is refused (``ValidationError``) whatever
        ``confirm`` says: the secondary region cannot replace the original VM's disks. An in-progress
        cross-region restore of the same VM and point is refused (``DuplicateRestore``) unless
        ``allow_duplicate=True``. ``display`` (default: the connection's frontend) shows live progress, or status
        lines when headless. What the request names is checked in the secondary region first (``online_checks=False``
        skips that, with a warning). The same path as ``item.restore`` (:func:`~restorekit.restore.run.trigger.trigger`).
        """
        self.require_enabled()
        op = trigger(request, self.route(), confirm=confirm, allow_duplicate=allow_duplicate, display=display,
                     online_checks=online_checks, poll_interval=self.poll_interval, sleep=self.sleep, clock=self.clock)
        assert isinstance(op, CrossRegionOperation)
        return op

    # -- jobs ---------------------------------------------------------------------------------------------------
    def _jobs(self) -> CrossRegionJobs:
        return CrossRegionJobs(self.item.connection, self.vault.id, self.secondary_region)

    def job(self, job_id: str) -> CrrJob:
        """A cross-region restore job of this vault by id."""
        job = CrrJob.fetch(self._jobs(), job_id)
        assert isinstance(job, CrrJob)
        return job

    def attach(self, job_id: str, *, poll_interval: float | None = None,
               sleep: Callable[[float], object] | None = None) -> RestoreOperation:
        """Follow an existing cross-region restore by its job id (e.g. after a kernel restart)."""
        return RestoreOperation.following(self.route(), job_id, sleep=sleep or self.sleep, clock=self.clock,
                                          poll_interval=poll_interval if poll_interval is not None
                                          else self.poll_interval)

    def job_resources(self, status: str | None = None, start: TimeBound = None,
                      end: TimeBound = None) -> list[JsonObject]:
        """The vault's cross-region restore jobs (``POST {loc}/backupCrrJobs``, ``$filter``), every page."""
        return self._jobs().list(job_filter("CrossRegionRestore", status, start, end))

    def jobs(self, status: str | None = None, start: TimeBound = None, end: TimeBound = None) -> pd.DataFrame:
        """The vault's cross-region restore jobs as a DataFrame (columns of ``vault.jobs()``), newest first."""
        api = self._jobs()
        return jobs_frame(CrrJob(raw, api) for raw in self.job_resources(status, start, end))

    def __repr__(self) -> str:
        try:
            secondary = self.secondary_region
        except RestorekitError:
            secondary = "secondary region unknown"
        state = {True: "CRR enabled", False: "CRR disabled", None: "CRR not checked"}[self._enabled]
        return (f"<CrossRegion VM {self.item.vm_resource_group}/{self.item.vm_name}: vault {self.vault.name} "
                f"{self.primary_region or '(primary region not read)'} → {secondary} ({state})>")


def _friendly_name(raw: JsonObject) -> str:
    props = raw.get("properties")
    name = props.get("friendlyName") if isinstance(props, dict) else None
    return str(name or raw.get("name"))


def _newest(points: list[RecoveryPoint]) -> RecoveryPoint | None:
    timed = [p for p in points if p.time is not None]
    return max(timed, key=lambda p: p.time) if timed else None  # type: ignore[arg-type,return-value]


def _newest_first(point: RecoveryPoint) -> float:
    return -(point.time.timestamp() if point.time else 0.0)
