"""Cross-region restore (CRR): restore a VM from the copy of its backups kept in the vault's secondary region.

The passive stamp (api-version ``2018-12-20``) serves the secondary region. A restore there takes four steps,
which :meth:`CrossRegion.restore` runs in order:

1. ``GET {loc}/backupAadProperties`` — the secondary region's AAD properties;
2. ``POST {item}/recoveryPoints/{rp}/accessToken`` with them — a CRR access token for the point;
3. ``POST {loc}/backupCrossRegionRestore`` with ``{crossRegionRestoreAccessDetails: <token>, restoreRequest:
   <IaasVMRestoreRequest>}`` — 202 with ``Azure-AsyncOperation`` (``backupCrrOperationsStatus/{id}``) and
   ``Location`` (``backupCrrOperationResults/{id}``);
4. the operation ends with a job id, read with ``POST {loc}/backupCrrJob {resourceId: <vault id>, jobName}``.

``{loc}`` is ``/subscriptions/{sub}/providers/Microsoft.RecoveryServices/locations/{secondary region}``.

>>> crr = CrossRegion(item)                       # secondary region: the vault region's pair
>>> points = crr.recovery_points(start="2026-10-01")   # region="secondary"
>>> op = crr.restore(rk.RestoreDisks(points.latest(), storage_account="westRG/westAccount"))
>>> op.wait()                                     # the CrrJob, Completed

Cross-region restore creates new disks or a new VM (``RestoreDisks``, ``RestoreAsNewVM``); it cannot replace the
disks of the original VM. The access token (``accessTokenString``) is a secret: it never appears in a repr, a log
line or an exception (errors that echo it are scrubbed), and it is not kept once the restore is posted.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..core.api_versions import PASSIVE_STAMP as CRR_API_VERSION
from ..core.errors import (
    ArmError,
    NotFoundError,
    RestorekitError,
    RestoreNotStarted,
    TransportError,
    ValidationError,
)
from ..core.filters import IAAS_FILTER, job_filter, points_filter
from ..core.ids import location_path
from ..core.redaction import remember
from ..core.regions import PAIRED_REGIONS, norm_region, paired_region
from ..core.times import format_duration, format_moment
from ..model.job_api import CrossRegionJobs, JobApi
from ..model.jobs import CrrJob, jobs_frame
from ..model.points import RecoveryPoint, RecoveryPoints
from ..restore.request.rules import Problem
from ..restore.run.operation import RestoreOperation
from ..restore.run.secrets import CrrAccessToken, ScrubbedSession
from ..restore.run.trigger import trigger
from ..transport.polling import PollingMethod, rehosted_methods

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.protocols import ArmApi
    from ..core.protocols import ProtectedItemLike as ProtectedItem

log = logging.getLogger(__name__)

__all__ = ["CrossRegion", "CrossRegionOperation", "CrossRegionRoute", "CrrJob", "CrrAccessToken",
           "CrossRegionRestoreNotEnabled", "PAIRED_REGIONS", "paired_region", "SUPPORTED_RECOVERY_TYPES"]

#: Restores the secondary region performs: new disks or a new VM, never replacing the original VM's disks.
SUPPORTED_RECOVERY_TYPES = ("RestoreDisks", "AlternateLocation")
#: Restore request properties that api-version 2018-12-20 does not have.
UNSUPPORTED_PROPERTIES = {
    "extendedLocation": "extra", "securedVMDetails": "secured_vm_disk_encryption_set",
    "targetDiskNetworkAccessSettings": "disk_network_access", "resourceGuardOperationRequests":
    "resource_guard_operation_requests", "recoveryPointRehydrationInfo": "rehydration_priority"}
_NOT_ENABLED_CODE = "BMSUserErrorCrossRegionRestoreNotEnabled"
#: The service's answer to an expired access token (the emulator's guess of the code).
CRR_TOKEN_EXPIRED = "UserErrorCrrAccessTokenExpired"


class CrossRegionRestoreNotEnabled(RestorekitError):
    """The vault does not replicate its backups to a secondary region (Cross Region Restore is off)."""


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


class CrossRegionOperation(RestoreOperation):
    """A cross-region restore in flight: the CRR operation, then the :class:`~restorekit.model.jobs.CrrJob` it created.

    The same :class:`~restorekit.restore.run.operation.RestoreOperation` (``phase``, ``job_id``, ``job``, ``wait()``,
    ``watch()``, ``await op``, status lines, the live widget), followed through the secondary region;
    :meth:`cancel` cannot cancel (the API has no cancellation) and says so.
    """

    def __repr__(self) -> str:
        return (f"<CrossRegionOperation VM {self.vm_name or '?'} → {self.region} phase={self.phase} "
                f"job={self.job_id or '-'}>")


class CrossRegionRoute:
    """The route of a cross-region restore: checks, token and POST, operation and jobs in the secondary region.

    One route serves one restore: after :meth:`post`, its :attr:`session` scrubs that restore's access token
    from every answer and error polling sees.
    """

    kind_label = "cross-region restore"
    job_operation = "CrossRegionRestore"
    job_class = CrrJob
    can_cancel = False
    jobs_hint = "crr.jobs()"
    operation_class = CrossRegionOperation

    def __init__(self, crr: CrossRegion) -> None:
        self.crr = crr
        self.vault = crr.vault
        self.item = crr.item
        self.region = crr.secondary_region
        self.session: ArmApi | ScrubbedSession = crr.connection.arm
        self.jobs: JobApi = CrossRegionJobs(crr.vault, self.region, self.session)
        #: What the user should know about this restore (e.g. an access token renewed), shown in its status.
        self.notes: list[str] = []

    def attach_hint(self, job_id: str) -> str:
        """``crr.attach('…')``."""
        return f"crr.attach({job_id!r})"

    def prepare(self, request: Any, *, online: bool = True) -> Any:
        """The cross-region checks and the builder's own (see :meth:`CrossRegion.validate`)."""
        self.crr.require_enabled()
        return self.crr.validate(request, online=online)

    def post(self, request: Any) -> Any:
        """Get an access token for the point, then ``POST {loc}/backupCrossRegionRestore`` once.

        The token goes into the body and nowhere else: the body is cleared after sending, and the session
        polling uses from now on scrubs it from answers and errors (logs and the journal too). When the service
        answers that the token expired (400 ``UserErrorCrrAccessTokenExpired``: it refused the restore, no job
        was made), a new token is asked for once (AAD properties, then access token) and the restore sent once
        more; the user is told (a WARNING log line and a note in the operation's status). A second expiry raises
        :class:`~restorekit.core.errors.RestoreNotStarted`.
        """
        try:
            return self._post_with_new_token(request)
        except ArmError as exc:
            if exc.code != CRR_TOKEN_EXPIRED:
                raise
            first = exc
        note = (f"the cross-region restore access token had expired ({first.code}); restorekit got a new one and "
                "sent the restore once more")
        self.notes.append(note)
        log.warning("VM %s, point %s: %s", self.crr.item.vm_name, request.point.name, note)
        try:
            return self._post_with_new_token(request)
        except ArmError as exc:
            if exc.code != CRR_TOKEN_EXPIRED:
                raise
            raise RestoreNotStarted(
                f"the cross-region restore of VM {self.crr.item.vm_name} was refused twice because its access token "
                f"had expired ({exc.code}: {exc.message}); nothing was restored. Check this machine's clock and the "
                f"health of {self.region}, then trigger the restore again (crr.restore(request))",
                code=exc.code, service_message=exc.message) from None

    def _post_with_new_token(self, request: Any) -> Any:
        point = request.point
        token = self.crr.access_token(point)
        scrubber = remember(token.scrubber())
        body = {"crossRegionRestoreAccessDetails": token.access_details(), "restoreRequest": request.properties()}
        del token
        self.session = ScrubbedSession(self.crr.connection.arm, scrubber)
        self.jobs = CrossRegionJobs(self.vault, self.region, self.session)
        log.debug("POST %s/backupCrossRegionRestore for VM %s, point %s (access token redacted)",
                  self.crr.location_path(), self.crr.item.vm_name, point.name)
        try:
            return self.session.request("POST", f"{self.crr.location_path()}/backupCrossRegionRestore",
                                        api_version=CRR_API_VERSION, json_body=body, ok=(200, 202))
        finally:
            body.clear()

    def polling_methods(self) -> tuple[PollingMethod, ...]:
        """``backupCrrOperationsStatus`` / ``backupCrrOperationResults``, kept on the connection's endpoint."""
        return rehosted_methods(self.crr.connection.endpoint, CRR_API_VERSION)

    def point_gone(self, point: Any, exc: ArmError) -> NotFoundError | None:
        """A 404 is passed on as the service said it."""
        return None

    def __repr__(self) -> str:
        return f"<cross-region restore route: vault {self.vault.name} → {self.region}>"


# -- the entry point -------------------------------------------------------------------------------------------
class CrossRegion:
    """Cross-region restore of one protected VM: its points in the secondary region, and restores from them.

    ``secondary_region`` defaults to the pair of the vault's region (:data:`PAIRED_REGIONS`). ``poll_interval``,
    ``sleep`` and ``clock`` are passed to the operations it starts (tests make them fast).
    """

    def __init__(self, item: ProtectedItem, *, secondary_region: str | None = None,
                 poll_interval: float | None = None, sleep: Callable[[float], Any] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.item = item
        self._secondary = norm_region(secondary_region) if secondary_region else None
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock
        self._enabled: bool | None = None

    @classmethod
    def from_secondary(cls, item: ProtectedItem, *, secondary_region: str, **options: Any) -> CrossRegion:
        """Cross-region restore of ``item`` read entirely from the secondary region (no call to the primary).

        The item's resource comes from the secondary region's list of protected items
        (``GET {vault}/backupProtectedItems/?api-version=2018-12-20``); an item it does not list raises
        ``NotFoundError`` naming the items it does.
        """
        crr = cls(item, secondary_region=secondary_region, **options)
        raws = crr._call("GET", f"{item.vault.id}/backupProtectedItems/",
                         params={"$filter": IAAS_FILTER + " and itemType eq 'VM'"}, pages=True)
        wanted = item.ref.item.lower()
        for raw in raws:
            if isinstance(raw, dict) and str(raw.get("name", "")).lower() == wanted:
                item.raw = raw
                crr._enabled = True  # the secondary region answered for this vault
                return crr
        listed = ", ".join(sorted(str(r.get("properties", {}).get("friendlyName") or r.get("name")) for r in raws
                                  if isinstance(r, dict))) or "none"
        raise NotFoundError(f"the secondary region {crr.secondary_region} has no copy of VM "
                            f"{item.vm_resource_group}/{item.vm_name} of vault {item.vault.name!r}; it holds: {listed}")

    # -- where --------------------------------------------------------------------------------------------------
    @property
    def vault(self) -> Any:
        """The item's vault."""
        return self.item.vault

    @property
    def connection(self) -> Any:
        """The connection the item was read through."""
        return self.item.connection

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

    def location_path(self, region: str | None = None) -> str:
        """``/subscriptions/{sub}/providers/Microsoft.RecoveryServices/locations/{region}`` (secondary by default)."""
        return location_path(self.connection.subscription_id, region or self.secondary_region)

    # -- is it on -----------------------------------------------------------------------------------------------
    @property
    def enabled(self) -> bool | None:
        """The vault's Cross Region Restore setting (None when the service does not say); read once."""
        if self._enabled is None:
            self._enabled = self._read_enabled()
        return self._enabled

    def _read_enabled(self) -> bool | None:
        props = self.vault.raw.get("properties") if isinstance(self.vault.raw, dict) else None
        redundancy = props.get("redundancySettings") if isinstance(props, dict) else None
        setting = redundancy.get("crossRegionRestore") if isinstance(redundancy, dict) else None
        if isinstance(setting, str) and setting:
            return setting.lower() == "enabled"
        try:
            config = self.connection.arm.get(f"{self.vault.id}/backupstorageconfig/vaultstorageconfig",
                                             api_version=CRR_API_VERSION)
        except ArmError as exc:
            if exc.code == _NOT_ENABLED_CODE:
                return False
            if exc.status in (400, 404):
                return None
            raise
        config_props = config.get("properties") if isinstance(config, dict) else None
        flag = config_props.get("crossRegionRestoreFlag") if isinstance(config_props, dict) else None
        return flag if isinstance(flag, bool) else None

    def _not_enabled(self, detail: str = "") -> CrossRegionRestoreNotEnabled:
        return CrossRegionRestoreNotEnabled(
            f"vault {self.vault.name!r} ({self.primary_region or 'region unknown'}) does not have Cross Region "
            f"Restore enabled{detail}, so it has no copy of VM {self.item.vm_name}'s backups in a secondary region. "
            "Enable it in the vault's Backup properties (geo-redundant storage, Cross Region Restore: Enable; it "
            "cannot be turned off again), then wait for points to replicate; meanwhile restore in the primary "
            "region with item.restore(...)")

    def require_enabled(self) -> CrossRegion:
        """Raise :class:`CrossRegionRestoreNotEnabled` when the vault says CRR is off; return self otherwise."""
        if self.enabled is False:
            raise self._not_enabled()
        return self

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One passive-stamp request (``GET`` returns every page's resources when ``pages=True``).

        The service's "CRR not enabled" answer becomes :class:`CrossRegionRestoreNotEnabled`.
        """
        try:
            if kwargs.pop("pages", False):
                return self.connection.arm.list(path, kwargs.get("params"), api_version=CRR_API_VERSION)
            return self.connection.arm.request(method, path, api_version=CRR_API_VERSION, **kwargs)
        except ArmError as exc:
            if exc.code != _NOT_ENABLED_CODE:
                raise
            self._enabled = False
            failure = self._not_enabled(f" (the service answered {exc.code})")
        raise failure

    # -- points -------------------------------------------------------------------------------------------------
    def recovery_points(self, start: Any = None, end: Any = None) -> RecoveryPoints:
        """The item's recovery points in the secondary region (``region="secondary"``), every page.

        ``GET {item}/recoveryPoints/?api-version=2018-12-20``, optionally between ``start`` and ``end``.
        """
        self.require_enabled()
        raws = self._call("GET", f"{self.item.ref.path}/recoveryPoints/", params=points_filter(start, end), pages=True)
        return RecoveryPoints(self.point(raw) for raw in raws if isinstance(raw, dict))

    def point(self, raw: dict[str, Any]) -> RecoveryPoint:
        """Wrap a recovery point resource of the secondary region."""
        return RecoveryPoint(raw=raw, item=self.item.ref, region="secondary", vault_location=self.primary_region,
                             owner=self.item, copy_region=self.secondary_region)

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
        probe = self.connection.arm.probe()
        try:
            raws = probe.list(f"{self.item.ref.path}/recoveryPoints")
            primary = [RecoveryPoint(raw=raw, item=self.item.ref, owner=self.item) for raw in raws]
            error = None
        except ArmError as exc:
            primary, error = [], f"{exc.code}: {exc.message} (HTTP {exc.status})"
        except TransportError as exc:
            primary, error = [], str(exc).splitlines()[0]
        finally:
            probe.close()
        return ReplicationLag(_newest(primary), _newest(secondary), error)

    # -- the token ----------------------------------------------------------------------------------------------
    def aad_properties(self) -> dict[str, Any]:
        """The secondary region's AAD properties (``GET {loc}/backupAadProperties``), as the service returns them."""
        body = self._call("GET", f"{self.location_path()}/backupAadProperties", ok=(200,)).body
        if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
            raise TransportError(f"GET {self.location_path()}/backupAadProperties: the answer has no 'properties'")
        return body

    def access_token(self, point: RecoveryPoint, aad: Mapping[str, Any] | None = None) -> CrrAccessToken:
        """A CRR access token for ``point`` (``POST …/recoveryPoints/{rp}/accessToken`` with the AAD properties)."""
        aad = dict(aad) if aad is not None else self.aad_properties()
        path = f"{self.item.ref.path}/recoveryPoints/{quote(point.name, safe='')}/accessToken"
        body = self._call("POST", path, json_body=aad, ok=(200,)).body
        return CrrAccessToken(body.get("properties") if isinstance(body, dict) else None)  # type: ignore[arg-type]

    # -- restore ------------------------------------------------------------------------------------------------
    def problems(self, request: Any) -> list[Problem]:
        """Why ``request`` cannot be restored cross-region (offline), on top of the builder's own problems."""
        point = getattr(request, "point", None)
        out: list[Problem] = []
        if not isinstance(point, RecoveryPoint) or point.region != "secondary":
            out.append(Problem("point", "is not a point of the secondary region",
                               "take it from crr.recovery_points() (item.recovery_points() lists the primary region)"))
        elif point.item.id.lower() != self.item.ref.id.lower():
            out.append(Problem("point", f"belongs to VM {point.item.vm_name} of vault {point.item.vault_name}, not "
                               f"to {self.item.vm_name}", "use a point of this item"))
        kind = getattr(request, "recovery_type", None)
        if kind not in SUPPORTED_RECOVERY_TYPES:
            out.append(Problem("scenario", f"cross-region restore cannot {_describe(kind)}",
                               "use RestoreDisks or RestoreAsNewVM: the secondary region creates new disks or a "
                               "new VM"))
        region = getattr(request, "region", None)
        if region is not None and norm_region(region) != self.secondary_region:
            out.append(Problem("region", f"a cross-region restore lands in the secondary region "
                               f"{self.secondary_region}, not {region!r}",
                               f"pass region={self.secondary_region!r} or leave it out"))
        if isinstance(point, RecoveryPoint) and point.is_archived_only:
            out.append(Problem("point", "lives only in the archive tier; the secondary region cannot rehydrate it",
                               "pick a point with a vault tier copy"))
        if kind in SUPPORTED_RECOVERY_TYPES and isinstance(point, RecoveryPoint):
            props = self._restore_request(request).properties()
            for key, keyword in UNSUPPORTED_PROPERTIES.items():
                if props.get(key) is not None:
                    out.append(Problem(keyword, f"{key} does not exist in api-version {CRR_API_VERSION}",
                                       "leave it out of a cross-region restore"))
        return out

    def _restore_request(self, request: Any) -> Any:
        """The request with its region set to the secondary region when it had none."""
        if getattr(request, "region", "") is None and dataclasses.is_dataclass(request):
            return dataclasses.replace(request, region=self.secondary_region)
        return request

    def validate(self, request: Any, *, online: bool = False) -> Any:
        """Raise :class:`~restorekit.core.errors.ValidationError` listing every problem; return the request to send.

        The returned request has ``region`` set to the secondary region when it had none. ``online=True`` also
        checks what it names against the live estate, in the secondary region.
        """
        problems = self.problems(request)
        if problems:
            raise ValidationError(problems, what="cross-region restore request")
        request = self._restore_request(request)
        request.validate(online=online)
        return request

    def restore(self, request: Any, *, confirm: bool = False, allow_duplicate: bool = False,
                display: bool | None = None, online_checks: bool = True) -> CrossRegionOperation:
        """Check, get an access token, POST the cross-region restore once; return the operation at once.

        ``request`` is a ``RestoreDisks`` or ``RestoreAsNewVM`` of a point from :meth:`recovery_points`
        (``region`` defaults to the secondary region). ``ReplaceDisks`` is refused (``ValidationError``) whatever
        ``confirm`` says: the secondary region cannot replace the original VM's disks. An in-progress
        cross-region restore of the same VM and point is refused (``DuplicateRestore``) unless
        ``allow_duplicate=True``. ``display`` (default: inside a kernel) shows live progress, or status lines
        when headless. What the request names is checked in the secondary region first (``online_checks=False``
        skips that, with a warning). The same path as ``item.restore`` (:func:`~restorekit.restore.run.trigger.trigger`).
        """
        op = trigger(request, route=CrossRegionRoute(self), confirm=confirm, allow_duplicate=allow_duplicate,
                     display=display, online_checks=online_checks, **self._operation_options())
        assert isinstance(op, CrossRegionOperation)
        return op

    def _operation_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"poll_interval": self.poll_interval, "clock": self.clock}
        if self.sleep is not None:
            options["sleep"] = self.sleep
        return options

    # -- jobs ---------------------------------------------------------------------------------------------------
    def job(self, job_id: str) -> CrrJob:
        """A cross-region restore job of this vault by id."""
        return CrrJob.fetch(self.vault, job_id, api=CrossRegionJobs(self.vault, self.secondary_region))

    def attach(self, job_id: str, **kwargs: Any) -> CrossRegionOperation:
        """Follow an existing cross-region restore by its job id (e.g. after a kernel restart)."""
        return CrossRegionOperation(CrossRegionRoute(self), job_id=str(job_id), **{**self._operation_options(),
                                                                                   **kwargs})

    def job_resources(self, status: str | None = None, start: Any = None, end: Any = None) -> list[dict[str, Any]]:
        """The vault's cross-region restore jobs (``POST {loc}/backupCrrJobs``, ``$filter``), every page."""
        return CrossRegionJobs(self.vault, self.secondary_region).list(
            job_filter("CrossRegionRestore", status, start, end))

    def jobs(self, status: str | None = None, start: Any = None, end: Any = None) -> pd.DataFrame:
        """The vault's cross-region restore jobs as a DataFrame (columns of ``vault.jobs()``), newest first."""
        api = CrossRegionJobs(self.vault, self.secondary_region)
        return jobs_frame(CrrJob(self.vault, raw, api=api) for raw in self.job_resources(status, start, end))

    def __repr__(self) -> str:
        try:
            secondary = self.secondary_region
        except RestorekitError:
            secondary = "secondary region unknown"
        state = {True: "CRR enabled", False: "CRR disabled", None: "CRR not checked"}[self._enabled]
        return (f"<CrossRegion VM {self.item.vm_resource_group}/{self.item.vm_name}: vault {self.vault.name} "
                f"{self.primary_region or '(primary region not read)'} → {secondary} ({state})>")


def _describe(kind: Any) -> str:
    if kind == "OriginalLocation":
        return "replace the disks of the original VM (OriginalLocation)"
    return f"perform recoveryType {kind!r}"


def _newest(points: list[RecoveryPoint]) -> RecoveryPoint | None:
    timed = [p for p in points if p.time is not None]
    return max(timed, key=lambda p: p.time) if timed else None  # type: ignore[arg-type,return-value]


def _newest_first(point: RecoveryPoint) -> float:
    return -(point.time.timestamp() if point.time else 0.0)
