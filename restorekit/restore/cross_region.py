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
import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from ..core.api_versions import PASSIVE_STAMP as CRR_API_VERSION
from ..core.errors import (
    ArmError,
    ConfirmationRequired,
    NotFoundError,
    RestorekitError,
    TransportError,
    ValidationError,
)
from ..core.filters import IAAS_FILTER, job_filter, points_filter
from ..core.ids import PROVIDER
from ..core.regions import PAIRED_REGIONS, norm_region, paired_region
from ..model.jobs import Job, job_matches_item, job_matches_point, jobs_frame
from ..model.points import RecoveryPoint, RecoveryPoints
from ..transport import polling as lro
from ..transport.arm import ArmResponse
from .checks import Problem
from .operation import RestoreOperation

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.protocols import ProtectedItemLike as ProtectedItem

log = logging.getLogger("restorekit.restore.cross_region")

__all__ = ["CrossRegion", "CrossRegionOperation", "CrrJob", "CrrAccessToken", "CrossRegionRestoreNotEnabled",
           "PAIRED_REGIONS", "paired_region", "SUPPORTED_RECOVERY_TYPES"]

#: Restores the secondary region performs: new disks or a new VM, never replacing the original VM's disks.
SUPPORTED_RECOVERY_TYPES = ("RestoreDisks", "AlternateLocation")
#: Restore request properties that api-version 2018-12-20 does not have.
UNSUPPORTED_PROPERTIES = {
    "extendedLocation": "extra", "securedVMDetails": "secured_vm_disk_encryption_set",
    "targetDiskNetworkAccessSettings": "disk_network_access", "resourceGuardOperationRequests":
    "resource_guard_operation_requests", "recoveryPointRehydrationInfo": "rehydration_priority"}
_NOT_ENABLED_CODE = "BMSUserErrorCrossRegionRestoreNotEnabled"
_REDACTED = "***"


class CrossRegionRestoreNotEnabled(RestorekitError):
    """The vault does not replicate its backups to a secondary region (Cross Region Restore is off)."""


# -- the secret ------------------------------------------------------------------------------------------------
class _Scrubber:
    """Replaces a secret in text and JSON by ``***``; keeps only the secret's first characters, never all of it."""

    __slots__ = ("_patterns",)
    _TAIL = r"[A-Za-z0-9_\-.~+/=%]*"

    def __init__(self, secret: str) -> None:
        prefix = secret[:12] if len(secret) >= 24 else secret
        forms = {prefix, quote(prefix, safe="")}
        self._patterns = [re.compile(re.escape(f) + self._TAIL) for f in sorted(forms, key=len, reverse=True) if f]

    def text(self, value: str) -> str:
        """``value`` with every occurrence of the secret (or of a truncated copy of it) replaced."""
        for pattern in self._patterns:
            value = pattern.sub(_REDACTED, value)
        return value

    def data(self, value: Any) -> Any:
        """A copy of a JSON value with the secret scrubbed from every string."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        return value

    def error(self, exc: ArmError | TransportError) -> ArmError | TransportError:
        """A new exception like ``exc`` with the secret scrubbed from everything it says."""
        if isinstance(exc, ArmError):
            return ArmError(exc.status, exc.code, self.text(exc.message), url=self.text(exc.url),
                            request_id=exc.request_id, details=self.data(exc.details),
                            target=self.data(exc.target), recommendations=self.data(exc.recommendations),
                            method=exc.method)
        return type(exc)(self.text(str(exc)))

    def __repr__(self) -> str:
        return "<secret scrubber>"


class _ScrubbedSession:
    """An ArmSession stand-in whose answers and errors have the secret scrubbed (what polling uses)."""

    __slots__ = ("_arm", "_scrub")

    def __init__(self, arm: Any, scrubber: _Scrubber | None) -> None:
        self._arm = arm
        self._scrub = scrubber

    @property
    def endpoint(self) -> str:
        """The wrapped session's endpoint."""
        return self._arm.endpoint

    def request(self, method: str, path_or_url: str, **kwargs: Any) -> ArmResponse:
        """``ArmSession.request`` with the secret scrubbed from the answer or the error."""
        if self._scrub is None:
            return self._arm.request(method, path_or_url, **kwargs)
        try:
            response = self._arm.request(method, path_or_url, **kwargs)
        except (ArmError, TransportError) as exc:
            failure = self._scrub.error(exc)
        else:
            return dataclasses.replace(response, body=self._scrub.data(response.body))
        raise failure  # raised outside the except block: the original (unscrubbed) error is not chained

    def __repr__(self) -> str:
        return f"<scrubbed {self._arm!r}>"


class CrrAccessToken:
    """A CRR access token for one recovery point (the ``accessToken`` answer's ``properties``).

    ``repr``/``str`` and :meth:`redacted` hide ``accessTokenString``; only :meth:`access_details` returns it,
    for the body of the cross-region restore request. Not picklable, no ``__dict__``.
    """

    __slots__ = ("_properties",)

    def __init__(self, properties: Mapping[str, Any]) -> None:
        if not isinstance(properties, Mapping) or not properties.get("accessTokenString"):
            raise TransportError("the accessToken answer carries no accessTokenString")
        self._properties = dict(properties)

    @property
    def object_type(self) -> str:
        """``CrrAccessToken`` or ``WorkloadCrrAccessToken``."""
        return str(self._properties.get("objectType") or "CrrAccessToken")

    @property
    def recovery_point_id(self) -> str | None:
        """The recovery point the token opens."""
        return self._properties.get("recoveryPointId")

    @property
    def datasource_name(self) -> str | None:
        """The backed-up VM's name as the service knows it."""
        return self._properties.get("datasourceName")

    @property
    def active_region(self) -> str | None:
        """The vault's (primary) region, ``bMSActiveRegion``."""
        return self._properties.get("bMSActiveRegion")

    def access_details(self) -> dict[str, Any]:
        """The properties, secret included: the ``crossRegionRestoreAccessDetails`` to send. Never print it."""
        return dict(self._properties)

    def redacted(self) -> dict[str, Any]:
        """The properties with ``accessTokenString`` replaced by ``***`` (safe to show)."""
        return {**self._properties, "accessTokenString": _REDACTED}

    def scrubber(self) -> _Scrubber:
        """Something that removes this token from text and JSON."""
        return _Scrubber(str(self._properties["accessTokenString"]))

    def __repr__(self) -> str:
        return (f"<{self.object_type} for recovery point {self.recovery_point_id} of "
                f"{self.datasource_name or '?'} (token redacted)>")

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a CRR access token is a secret and cannot be pickled")


# -- jobs of the secondary region ------------------------------------------------------------------------------
class CrrJob(Job):
    """A cross-region restore job, read from the secondary region with ``POST {loc}/backupCrrJob``.

    Everything :class:`~restorekit.model.jobs.Job` offers (status, progress, tasks, ``wait()``, ``to_frame()``),
    except ``cancel()``: the passive stamp has no cancel operation.
    """

    def __init__(self, crr: CrossRegion, raw: dict[str, Any], *, session: Any = None, **kwargs: Any) -> None:
        super().__init__(crr.vault, raw, **kwargs)
        self.crr = crr
        self.region = crr.secondary_region
        self._session = session if session is not None else crr.connection.arm

    @classmethod
    def fetch(cls, crr: CrossRegion, job_id: str, *, session: Any = None, **kwargs: Any) -> CrrJob:  # type: ignore[override]
        """Read CRR job ``job_id``; an unknown id raises ``NotFoundError`` saying where to look."""
        job_id = str(job_id).strip().rsplit("/", 1)[-1]
        session = session if session is not None else crr.connection.arm
        try:
            response = _read_crr_job(session, crr, job_id)
        except ArmError as exc:
            if exc.status != 404:
                raise
            raise NotFoundError(
                f"the secondary region {crr.secondary_region} has no cross-region restore job {job_id!r} of vault "
                f"{crr.vault.name!r} ({exc.code}); list them with crr.jobs()") from None
        return cls(crr, response.body if isinstance(response.body, dict) else {"name": job_id}, session=session,
                   **kwargs)

    def refresh(self) -> CrrJob:
        """Read the job again (``POST {loc}/backupCrrJob``); returns self."""
        response = _read_crr_job(self._session, self.crr, self.id)
        self.polls += 1
        if isinstance(response.body, dict):
            self.raw = response.body
        self.fetched_at = datetime.now(UTC)
        suggested = lro.parse_retry_after(response.headers)
        self._retry_after = lro.clamp_interval(suggested) if suggested is not None else None
        return self

    def cancel(self, *, wait: bool = True, timeout: float | None = None) -> CrrJob:
        """Refused: cross-region restore jobs cannot be cancelled through the API (a finished job is returned)."""
        if self.done:
            return self
        raise RestorekitError(
            f"cross-region restore job {self.id} cannot be cancelled: api-version {CRR_API_VERSION} of the "
            f"secondary region has no cancel operation; the job goes on in {self.region}")

    def __repr__(self) -> str:
        return f"<CrrJob {self.id} {self.vm_name or ''} in {self.region}: {self.summary()}>".replace("  ", " ")


def _read_crr_job(session: Any, crr: CrossRegion, job_id: str) -> ArmResponse:
    return session.request("POST", f"{crr.location_path()}/backupCrrJob", api_version=CRR_API_VERSION,
                           json_body={"resourceId": crr.vault.id, "jobName": job_id}, ok=(200,))


# -- following the operation -----------------------------------------------------------------------------------
class _CrrPolling:
    """Polls a CRR operation URL on the connection's own endpoint with api-version 2018-12-20.

    The service's examples answer with regional hosts and ``api-version=2018-12-20-preview``; only the path
    is kept (the bearer token is never sent to another host).
    """

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")

    def polling_url(self, headers: Mapping[str, str]) -> str:
        """The header's URL, moved onto the connection's endpoint."""
        url = super().polling_url(headers)  # type: ignore[misc]
        path = urlsplit(url).path if url.startswith(("http://", "https://")) else url.split("?", 1)[0]
        return f"{self.endpoint}{path}?api-version={CRR_API_VERSION}"


class _CrrAsyncOperationPolling(_CrrPolling, lro.AsyncOperationPolling):
    """``Azure-AsyncOperation`` → ``backupCrrOperationsStatus/{id}``."""


class _CrrLocationPolling(_CrrPolling, lro.LocationPolling):
    """``Location`` → ``backupCrrOperationResults/{id}``."""


class CrossRegionOperation(RestoreOperation):
    """A cross-region restore in flight: the CRR operation, then the :class:`CrrJob` it created.

    Same interface as :class:`~restorekit.restore.operation.RestoreOperation` (``phase``, ``job_id``, ``job``, ``wait()``,
    ``watch()``, ``await op``, status lines, the live widget), except that :meth:`cancel` cannot cancel.
    """

    def __init__(self, crr: CrossRegion, *, initial: Any = None, point: Any = None, job_id: str | None = None,
                 scrubber: _Scrubber | None = None, **kwargs: Any) -> None:
        super().__init__(crr.vault, item=crr.item, point=point, job_id=job_id, **kwargs)
        self.crr = crr
        self.region = crr.secondary_region
        self.cancel_note: str | None = None
        self._session = _ScrubbedSession(crr.connection.arm, scrubber)
        if initial is not None:
            strategies = (_CrrAsyncOperationPolling(crr.connection.endpoint),
                          _CrrLocationPolling(crr.connection.endpoint))
            self._lro = lro.LongRunningOperation(self._session, initial.status, initial.headers, None,
                                                 poll_interval=self.poll_interval, sleep=self.sleep,
                                                 clock=self.clock, strategies=strategies)

    @classmethod
    def from_job_id(cls, crr: CrossRegion, job_id: str, **kwargs: Any) -> CrossRegionOperation:  # type: ignore[override]
        """Re-attach to a cross-region restore by its job id (e.g. after a kernel restart)."""
        return cls(crr, job_id=str(job_id), **kwargs)

    def _fetch_job(self) -> CrrJob:
        failures = 0
        while True:
            try:
                return CrrJob.fetch(self.crr, str(self.job_id), session=self._session,
                                    poll_interval=self._job_interval(), sleep=self.sleep, clock=self.clock)
            except (ArmError, TransportError) as exc:
                failures += 1
                if not lro.is_transient(exc) or failures > lro.MAX_TRANSIENT:
                    raise
                self.sleep(min(lro.BACKOFF_MAX, lro.BACKOFF_BASE * 2 ** (failures - 1)))

    kind_label = "cross-region restore"
    attach_hint = "crr.attach(job_id)"
    jobs_hint = "crr.jobs()"

    def _recent_jobs(self, since: datetime) -> list[Job]:
        """Cross-region restore jobs started since ``since``, read in the secondary region."""
        return [CrrJob(self.crr, raw, session=self._session)
                for raw in self.crr.job_resources(start=since, session=self._session)]

    def cancel(self) -> None:
        """Cross-region restore jobs cannot be cancelled through the API: notes it (status line) and returns."""
        if self.done:
            return
        self.cancel_note = (f"cancellation is not available for cross-region restore (api-version "
                            f"{CRR_API_VERSION}); the job goes on in {self.region}")
        log.warning("%s", self.cancel_note)
        self._notify()

    def status_line(self) -> str:
        """One plain-text line, e.g. ``cross-region restore job 1234…: InProgress 40%``."""
        line = "cross-region " + super().status_line()
        if self.cancel_note and not self.done:
            line += f" ({self.cancel_note})"
        return line

    def watch(self, out: Callable[[str], Any] = print, timeout: float | None = None) -> Job | None:
        """Block until done, printing status lines (see ``RestoreOperation.watch``); re-attach with ``crr.attach``."""
        return super().watch(lambda line: out(line.replace("RestoreOperation.from_job_id(vault, ", "crr.attach(")),
                             timeout)

    def __repr__(self) -> str:
        return (f"<CrossRegionOperation VM {self.vm_name or '?'} → {self.region} phase={self.phase} "
                f"job={self.job_id or '-'}>")


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
        return (f"/subscriptions/{self.connection.subscription_id}/providers/{PROVIDER}/locations/"
                f"{quote(region or self.secondary_region, safe='')}")

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
                             owner=self.item)

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

    # -- the token ----------------------------------------------------------------------------------------------
    def aad_properties(self) -> dict[str, Any]:
        """The secondary region's AAD properties (``GET {loc}/backupAadProperties``), as the service returns them."""
        body = self._call("GET", f"{self.location_path()}/backupAadProperties",
                          params={"$filter": IAAS_FILTER}, ok=(200,)).body
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

    def validate(self, request: Any) -> Any:
        """Raise :class:`~restorekit.core.errors.ValidationError` listing every problem; return the request to send.

        The returned request has ``region`` set to the secondary region when it had none.
        """
        problems = self.problems(request)
        if problems:
            raise ValidationError(problems, what="cross-region restore request")
        request = self._restore_request(request)
        request.validate()
        return request

    def restore(self, request: Any, *, confirm: bool = False, allow_duplicate: bool = False,
                display: bool | None = None) -> CrossRegionOperation:
        """Validate, get an access token, POST the cross-region restore once; return the operation at once.

        ``request`` is a ``RestoreDisks`` or ``RestoreAsNewVM`` of a point from :meth:`recovery_points`
        (``region`` defaults to the secondary region). ``ReplaceDisks`` is refused (``ValidationError``) whatever
        ``confirm`` says: the secondary region cannot replace the original VM's disks (``confirm`` exists for
        symmetry with ``item.restore``). An in-progress cross-region restore of the same VM and point is refused
        unless ``allow_duplicate=True``. ``display`` (default: inside a kernel) shows live progress, or status
        lines when headless.
        """
        self.require_enabled()
        request = self.validate(request)
        point = request.point
        if not allow_duplicate:
            self._refuse_duplicates(point)
        options: dict[str, Any] = {"poll_interval": self.poll_interval, "clock": self.clock, "request": request,
                                   "point": point}
        if self.sleep is not None:
            options["sleep"] = self.sleep
        token = self.access_token(point)
        scrubber = token.scrubber()
        body = {"crossRegionRestoreAccessDetails": token.access_details(), "restoreRequest": request.properties()}
        del token
        posted_at = datetime.now(UTC)
        log.debug("POST %s/backupCrossRegionRestore for VM %s, point %s (access token redacted)",
                  self.location_path(), self.item.vm_name, point.name)
        session = _ScrubbedSession(self.connection.arm, scrubber)
        lost: str | None = None
        try:
            response = session.request("POST", f"{self.location_path()}/backupCrossRegionRestore",
                                       api_version=CRR_API_VERSION, json_body=body, ok=(200, 202))
        except TransportError as exc:
            response, lost = None, str(exc)
        except ArmError as exc:
            if exc.status < 500:
                raise
            response, lost = None, str(exc)
        finally:
            body.clear()
        op = CrossRegionOperation(self, initial=response, posted_at=posted_at, lost_answer=lost, scrubber=scrubber,
                                  **options)
        if display is None:
            from ..core.environment import in_kernel

            display = in_kernel()
        if display:
            from IPython.display import display as show

            show(op)
        return op

    def _refuse_duplicates(self, point: RecoveryPoint) -> None:
        jobs = [CrrJob(self, raw) for raw in self.job_resources(status="InProgress")]
        same = [j for j in jobs if job_matches_item(j, self.item.vm_name, self.item.ref.container)
                and job_matches_point(j, point)]
        if same:
            exc = ConfirmationRequired(
                f"a cross-region restore of VM {self.item.vm_name} from recovery point {point.name} is already in "
                f"progress: job {same[0].id} ({same[0].summary()}). Follow it with crr.attach({same[0].id!r}), or "
                "pass allow_duplicate=True to start another one")
            exc.job_id = same[0].id  # type: ignore[attr-defined]
            raise exc

    # -- jobs ---------------------------------------------------------------------------------------------------
    def job(self, job_id: str) -> CrrJob:
        """A cross-region restore job of this vault by id."""
        return CrrJob.fetch(self, job_id)

    def attach(self, job_id: str, **kwargs: Any) -> CrossRegionOperation:
        """Follow an existing cross-region restore by its job id (e.g. after a kernel restart)."""
        options = {"poll_interval": self.poll_interval, "clock": self.clock, **kwargs}
        if self.sleep is not None:
            options.setdefault("sleep", self.sleep)
        return CrossRegionOperation.from_job_id(self, job_id, **options)

    def job_resources(self, status: str | None = None, start: Any = None, end: Any = None,
                      session: Any = None) -> list[dict[str, Any]]:
        """The vault's cross-region restore jobs (``POST {loc}/backupCrrJobs``, ``$filter``), every page."""
        return list(self._job_pages(job_filter("CrossRegionRestore", status, start, end), session))

    def _job_pages(self, flt: str | None, session: Any) -> Iterator[dict[str, Any]]:
        session = session if session is not None else self.connection.arm
        body = {"resourceId": self.vault.id}
        url: str | None = self.connection.arm.url(f"{self.location_path()}/backupCrrJobs",
                                                  {"$filter": flt} if flt else None, CRR_API_VERSION)
        seen: set[str] = set()
        while url and url not in seen:
            seen.add(url)
            page = session.request("POST", url, json_body=body, ok=(200,)).body
            values = page.get("value") if isinstance(page, dict) else None
            yield from (v for v in values or [] if isinstance(v, dict))
            url = page.get("nextLink") if isinstance(page, dict) else None

    def jobs(self, status: str | None = None, start: Any = None, end: Any = None) -> pd.DataFrame:
        """The vault's cross-region restore jobs as a DataFrame (columns of ``vault.jobs()``), newest first."""
        return jobs_frame(CrrJob(self, raw) for raw in self.job_resources(status, start, end))

    def __repr__(self) -> str:
        try:
            secondary = self.secondary_region
        except RestorekitError:
            secondary = "secondary region unknown"
        state = {True: "CRR enabled", False: "CRR disabled", None: "CRR not checked"}[self._enabled]
        return (f"<CrossRegion VM {self.item.vm_resource_group}/{self.item.vm_name}: vault {self.vault.name} "
                f"{self.primary_region or '?'} → {secondary} ({state})>")


def _describe(kind: Any) -> str:
    if kind == "OriginalLocation":
        return "replace the disks of the original VM (OriginalLocation)"
    return f"perform recoveryType {kind!r}"


def _newest_first(point: RecoveryPoint) -> float:
    return -(point.time.timestamp() if point.time else 0.0)
