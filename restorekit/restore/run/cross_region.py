"""Cross-region restore (CRR) as the restore path sees it: its rules, its access token, its route.

The passive stamp (api-version ``2018-12-20``) serves the vault's secondary region. A restore there takes four
steps, which :meth:`CrossRegionRoute.post` and the operation run in order:

1. ``GET {loc}/backupAadProperties`` — the secondary region's AAD properties;
2. ``POST {item}/recoveryPoints/{rp}/accessToken`` with them — a CRR access token for the point;
3. ``POST {loc}/backupCrossRegionRestore`` with ``{crossRegionRestoreAccessDetails: <token>, restoreRequest:
   <IaasVMRestoreRequest>}`` — 202 with ``Azure-AsyncOperation`` (``backupCrrOperationsStatus/{id}``) and
   ``Location`` (``backupCrrOperationResults/{id}``);
4. the operation ends with a job id, read with ``POST {loc}/backupCrrJob {resourceId: <vault id>, jobName}``.

``{loc}`` is ``/subscriptions/{sub}/providers/Microsoft.RecoveryServices/locations/{secondary region}``. Only the
POST needs the access token: following the operation and reading the job do not, so a cross-region operation
rebuilt from its continuation token in another process follows it without one. The token is a secret: it never
appears in a repr, a log line, an exception, the journal or a continuation token.

Navigation (the secondary region's points, its jobs, the replication lag) is the client's
:class:`~restorekit.client.cross_region.CrossRegion`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote

from ...core.api_versions import PASSIVE_STAMP as CRR_API_VERSION
from ...core.errors import (
    ArmError,
    CrossRegionRestoreNotEnabled,
    NotFoundError,
    RestoreNotStarted,
    TransportError,
    ValidationError,
)
from ...core.ids import ItemRef, location_path
from ...core.redaction import remember
from ...core.regions import norm_region
from ...model.job_api import CrossRegionJobs, JobApi
from ...model.jobs import CrrJob
from ...model.points import RecoveryPoint
from ...transport.polling import PollingMethod, rehosted_methods
from ..checking.verify import verify
from ..request.rules import Problem, point_of_another_item
from .secrets import CrrAccessToken, ScrubbedSession

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import Json, JsonObject
    from ...core.protocols import ArmAnswer, ArmApi
    from ..context import RestoreConnection
    from ..request.builders import RestoreRequestBuilder

log = logging.getLogger(__name__)

#: What ``kind`` a cross-region restore says it is (journal, continuation token).
CROSS_REGION = "cross-region restore"
#: Restores the secondary region performs: new disks or a new VM, never replacing the original VM's disks.
SUPPORTED_RECOVERY_TYPES = ("RestoreDisks", "AlternateLocation")
#: Restore request properties that api-version 2018-12-20 does not have.
UNSUPPORTED_PROPERTIES = {
    "extendedLocation": "extra", "securedVMDetails": "secured_vm_disk_encryption_set",
    "targetDiskNetworkAccessSettings": "disk_network_access", "resourceGuardOperationRequests":
    "resource_guard_operation_requests", "recoveryPointRehydrationInfo": "rehydration_priority"}
#: The service's answer when the vault has no secondary copy.
NOT_ENABLED_CODE = "BMSUserErrorCrossRegionRestoreNotEnabled"
#: The service's answer to an expired access token (the emulator's guess of the code).
CRR_TOKEN_EXPIRED = "UserErrorCrrAccessTokenExpired"


def not_enabled(item: ItemRef, primary_region: str | None, detail: str = "") -> CrossRegionRestoreNotEnabled:
    """The error of a vault without Cross Region Restore, saying how to turn it on and what to do meanwhile."""
    return CrossRegionRestoreNotEnabled(
        f"vault {item.vault_name!r} ({primary_region or 'region unknown'}) does not have Cross Region "
        f"Restore enabled{detail}, so it has no copy of VM {item.vm_name}'s backups in a secondary region. "
        "Enable it in the vault's Backup properties (geo-redundant storage, Cross Region Restore: Enable; it "
        "cannot be turned off again), then wait for points to replicate; meanwhile restore in the primary "
        "region with item.restore(...)")


class PassiveStamp:
    """One protected item in its vault's secondary region: requests at api-version 2018-12-20.

    The service's "CRR not enabled" answer becomes :class:`~restorekit.core.errors.CrossRegionRestoreNotEnabled`.
    """

    def __init__(self, arm: ArmApi, item: ItemRef, secondary_region: str, primary_region: str | None = None) -> None:
        self.arm = arm
        self.item = item
        self.secondary_region = secondary_region
        self.primary_region = primary_region

    def location_path(self, region: str | None = None) -> str:
        """``/subscriptions/{sub}/providers/Microsoft.RecoveryServices/locations/{region}`` (secondary by default)."""
        return location_path(self.item.subscription_id, region or self.secondary_region)

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None, json_body: Json = None,
                ok: tuple[int, ...] = (200,)) -> ArmAnswer:
        """One request at the passive stamp's api-version."""
        try:
            return self.arm.request(method, path, params=params, json_body=json_body, api_version=CRR_API_VERSION,
                                    ok=ok)
        except ArmError as exc:
            if exc.code != NOT_ENABLED_CODE:
                raise
            failure = not_enabled(self.item, self.primary_region, f" (the service answered {exc.code})")
        raise failure

    def list(self, path: str, params: Mapping[str, str] | None = None) -> list[JsonObject]:
        """Every resource of a list call, every page."""
        try:
            return self.arm.list(path, params, api_version=CRR_API_VERSION)
        except ArmError as exc:
            if exc.code != NOT_ENABLED_CODE:
                raise
            failure = not_enabled(self.item, self.primary_region, f" (the service answered {exc.code})")
        raise failure

    def aad_properties(self) -> JsonObject:
        """The secondary region's AAD properties (``GET {loc}/backupAadProperties``), as the service returns them."""
        body = self.request("GET", f"{self.location_path()}/backupAadProperties").body
        if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
            raise TransportError(f"GET {self.location_path()}/backupAadProperties: the answer has no 'properties'")
        return body

    def access_token(self, point_name: str, aad: JsonObject | None = None) -> CrrAccessToken:
        """A CRR access token for a point (``POST …/recoveryPoints/{rp}/accessToken`` with the AAD properties)."""
        aad = dict(aad) if aad is not None else self.aad_properties()
        path = f"{self.item.path}/recoveryPoints/{quote(point_name, safe='')}/accessToken"
        body = self.request("POST", path, json_body=aad).body
        properties = body.get("properties") if isinstance(body, dict) else None
        return CrrAccessToken(properties if isinstance(properties, dict) else {})


def problems(request: RestoreRequestBuilder, item: ItemRef, secondary_region: str) -> list[Problem]:
    """Why ``request`` cannot be restored cross-region (offline), on top of the builder's own problems."""
    point = request.point
    out: list[Problem] = []
    if not isinstance(point, RecoveryPoint) or point.region != "secondary":
        out.append(Problem("point", "is not a point of the secondary region",
                           "take it from crr.recovery_points() (item.recovery_points() lists the primary region)"))
    elif (other := point_of_another_item(point, item, cross_region=True)) is not None:
        out.append(other)
    kind = request.recovery_type
    if kind not in SUPPORTED_RECOVERY_TYPES:
        out.append(Problem("scenario", f"cross-region restore cannot {_describe(kind)}",
                           "use RestoreDisks or RestoreAsNewVM: the secondary region creates new disks or a new VM"))
    region = request.region
    if region is not None and norm_region(region) != secondary_region:
        out.append(Problem("region", f"a cross-region restore lands in the secondary region {secondary_region}, "
                           f"not {region!r}", f"pass region={secondary_region!r} or leave it out"))
    if isinstance(point, RecoveryPoint) and point.is_archived_only:
        out.append(Problem("point", "lives only in the archive tier; the secondary region cannot rehydrate it",
                           "pick a point with a vault tier copy"))
    if kind in SUPPORTED_RECOVERY_TYPES and isinstance(point, RecoveryPoint):
        props = in_secondary_region(request, secondary_region).properties()
        for key, keyword in UNSUPPORTED_PROPERTIES.items():
            if props.get(key) is not None:
                out.append(Problem(keyword, f"{key} does not exist in api-version {CRR_API_VERSION}",
                                   "leave it out of a cross-region restore"))
    return out


def in_secondary_region(request: RestoreRequestBuilder, secondary_region: str) -> RestoreRequestBuilder:
    """The request with its region set to the secondary region when it had none."""
    return dataclasses.replace(request, region=secondary_region) if request.region is None else request


def _describe(kind: str) -> str:
    if kind == "OriginalLocation":
        return "replace the disks of the original VM (OriginalLocation)"
    return f"perform recoveryType {kind!r}"


class CrossRegionRoute:
    """The route of a cross-region restore: checks, token and POST, operation and jobs in the secondary region.

    One route serves one restore: after :meth:`post`, its :attr:`session` scrubs that restore's access token
    from every answer and error polling sees.
    """

    kind_label = CROSS_REGION
    job_operation = "CrossRegionRestore"
    job_class = CrrJob
    can_cancel = False
    jobs_hint = "crr.jobs()"

    def __init__(self, connection: RestoreConnection, item: ItemRef, *, secondary_region: str,
                 primary_region: str | None = None) -> None:
        self.connection = connection
        self.item = item
        self.region = secondary_region
        self.primary_region = primary_region
        self.stamp = PassiveStamp(connection.arm, item, secondary_region, primary_region)
        self._session: ArmApi | ScrubbedSession = connection.arm
        self.jobs: JobApi = CrossRegionJobs(connection, item.vault_id, secondary_region)
        self.notes: list[str] = []

    @property
    def session(self) -> ArmApi:
        """The session polling goes through (scrubbing this restore's access token once it was sent)."""
        return self._session  # type: ignore[return-value]

    def attach_hint(self, job_id: str) -> str:
        """``crr.attach('…')``."""
        return f"crr.attach({job_id!r})"

    def check(self, request: RestoreRequestBuilder, *, online: bool = True) -> RestoreRequestBuilder:
        """The cross-region rules, then the request's own checks in the secondary region; the request to send.

        The returned request has ``region`` set to the secondary region when it had none.
        """
        found = problems(request, self.item, self.region)
        if found:
            raise ValidationError(found, what="cross-region restore request")
        request = in_secondary_region(request, self.region)
        verify(request, self.connection, online=online).raise_for_problems(request.what)
        return request

    def post(self, request: RestoreRequestBuilder) -> ArmAnswer:
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
        log.warning("VM %s, point %s: %s", self.item.vm_name, request.point.name, note)
        try:
            return self._post_with_new_token(request)
        except ArmError as exc:
            if exc.code != CRR_TOKEN_EXPIRED:
                raise
            raise RestoreNotStarted(
                f"the cross-region restore of VM {self.item.vm_name} was refused twice because its access token "
                f"had expired ({exc.code}: {exc.message}); nothing was restored. Check this machine's clock and the "
                f"health of {self.region}, then trigger the restore again (crr.restore(request))",
                code=exc.code, service_message=exc.message) from None

    def _post_with_new_token(self, request: RestoreRequestBuilder) -> ArmAnswer:
        point = request.point
        token = self.stamp.access_token(point.name)
        scrubber = remember(token.scrubber())
        body: JsonObject = {"crossRegionRestoreAccessDetails": token.access_details(),
                            "restoreRequest": request.properties()}
        del token
        self._session = ScrubbedSession(self.connection.arm, scrubber)
        self.jobs = CrossRegionJobs(self.connection, self.item.vault_id, self.region, self.session)
        log.debug("POST %s/backupCrossRegionRestore for VM %s, point %s (access token redacted)",
                  self.stamp.location_path(), self.item.vm_name, point.name)
        try:
            return self.session.request("POST", f"{self.stamp.location_path()}/backupCrossRegionRestore",
                                        api_version=CRR_API_VERSION, json_body=body, ok=(200, 202))
        finally:
            body.clear()

    def polling_methods(self) -> tuple[PollingMethod, ...]:
        """``backupCrrOperationsStatus`` / ``backupCrrOperationResults``, kept on the connection's endpoint."""
        return rehosted_methods(self.connection.endpoint, CRR_API_VERSION)

    def point_gone(self, point: RecoveryPoint, exc: ArmError) -> NotFoundError | None:
        """A 404 is passed on as the service said it."""
        return None

    def continuation(self) -> JsonObject:
        """The kind, the item's ID, both regions (no access token: following the restore needs none)."""
        return {"kind": self.kind_label, "item": self.item.id, "vault_location": self.primary_region,
                "secondary_region": self.region}

    @classmethod
    def from_continuation(cls, connection: RestoreConnection, data: JsonObject) -> CrossRegionRoute:
        """The route :meth:`continuation` described, through ``connection``."""
        primary = data.get("vault_location")
        return cls(connection, ItemRef.from_id(str(data["item"])), secondary_region=str(data["secondary_region"]),
                   primary_region=primary if isinstance(primary, str) else None)

    def __repr__(self) -> str:
        return f"<cross-region restore route: vault {self.item.vault_name} → {self.region}>"
