"""Where a restore goes and how it is followed: the strategy plugged into the one restore path.

:func:`~restorekit.restore.run.trigger.trigger` runs check → confirm → duplicate check → journal → one POST →
operation for every restore; what differs between a restore in the vault's region and a cross-region restore is
a :class:`RestoreRoute`:

* which checks the request must pass (``check``),
* the one POST (``post``: the item's ``/restore``, or token + ``backupCrossRegionRestore``),
* the session and polling methods that follow the operation, and the job API that reads and lists the job,
* what a continuation token keeps of it (``continuation``), to rebuild it in another process.

A route is built from the connection and the item's ID (values): :class:`PrimaryRoute` is the vault's own Backup
API; :class:`~restorekit.restore.run.cross_region.CrossRegionRoute` the secondary region's.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ...core.errors import ArmError, CheckUnavailable, NotFoundError, TransportError
from ...core.filters import job_filter
from ...core.ids import ItemRef, vm_of_item_name
from ...model.job_api import JobApi, VaultJobs
from ...model.jobs import Job, job_matches_item, job_matches_point
from ...transport.polling import DEFAULT_METHODS, PollingMethod
from ..checking.verify import verify

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import JsonObject
    from ...core.protocols import ArmAnswer, ArmApi
    from ...model.points import PointRef, RecoveryPoint
    from ..approval import GuardedCall
    from ..context import RestoreConnection
    from ..request.builders import RestoreRequestBuilder

#: What ``kind`` a primary restore says it is (journal, continuation token).
PRIMARY = "restore"


class RestoreRoute(Protocol):
    """What the restore path needs to know about where a restore is sent and followed."""

    connection: RestoreConnection
    item: ItemRef
    #: How a user calls this kind of restore ("restore", "cross-region restore"); also its kind in tokens.
    kind_label: str
    #: The job ``operation`` of such restores ("Restore", "CrossRegionRestore").
    job_operation: str
    #: The job API and class of its jobs.
    jobs: JobApi
    job_class: type[Job]
    #: Whether its jobs can be cancelled.
    can_cancel: bool
    #: How a user lists such jobs, e.g. ``vault.jobs()``.
    jobs_hint: str
    #: Where the restore lands: the vault's region or the secondary region (None when unknown).
    region: str | None
    #: What the user should know about this restore besides its status (e.g. an access token renewed).
    notes: list[str]

    @property
    def session(self) -> ArmApi:
        """The session polling goes through."""
        ...

    def attach_hint(self, job_id: str) -> str:
        """The call that follows job ``job_id`` again, e.g. ``vault.restore_job('…')``."""
        ...

    def check(self, request: RestoreRequestBuilder, *, online: bool = True) -> RestoreRequestBuilder:
        """Check the request (raise ``ValidationError`` with every problem); return the request to send."""
        ...

    def post(self, request: RestoreRequestBuilder) -> ArmAnswer:
        """Send the one POST; return its answer."""
        ...

    def polling_methods(self) -> tuple[PollingMethod, ...]:
        """How to follow the POST's operation."""
        ...

    def point_gone(self, point: RecoveryPoint, exc: ArmError) -> NotFoundError | None:
        """What a 404 on the POST means for this point (None: let the service's error through)."""
        ...

    def continuation(self) -> JsonObject:
        """What rebuilds this route in another process (kind, item, regions; no secret)."""
        ...


def running_restores(route: RestoreRoute, point: PointRef) -> list[Job]:
    """In-progress restores of the route's VM from ``point`` (``$filter`` on the operation and InProgress).

    A job list says neither which point a restore restores nor where to (Azure leaves ``extendedInfo`` out of
    lists): a running restore of the same VM is read alone to tell (one read, and only then). A read that fails
    raises :class:`~restorekit.core.errors.CheckUnavailable` saying what could not be read and how to go on.
    """
    item = route.item
    try:
        jobs = [route.job_class(raw, route.jobs) for raw in route.jobs.list(job_filter(route.job_operation,
                                                                                        "InProgress"))]
        same_vm = [j for j in jobs if job_matches_item(j, item.vm_name, item.container)]
        for job in same_vm:
            if not job.extended_info:
                job.refresh()
    except (ArmError, TransportError) as exc:
        raise CheckUnavailable(
            f"could not list the {route.kind_label}s running in vault {item.vault_name!r} to check that VM "
            f"{item.vm_name} is not being restored from point {point.name} already: "
            f"{str(exc).splitlines()[0]}. Nothing was sent. Grant the Backup Reader role on the vault (it reads its "
            "jobs), or pass allow_duplicate=True to skip this check", exc) from None
    return [j for j in same_vm if job_matches_point(j, point)]


def item_of_job(job: Job) -> ItemRef:
    """The protected item a restore job of a vault is about (its ``containerName``, else its VM's name)."""
    if job.api is None:
        raise ValueError(f"job {job.id} was made by hand: it says no vault")
    vault = job.api.vault
    container = job.properties.get("containerName")
    group, vm = vm_of_item_name(container) if isinstance(container, str) and container.count(";") >= 2 \
        else ("", job.vm_name or "")
    return ItemRef.for_vm(vault.subscription_id, vault.resource_group, vault.name, group, vm)


def restores_since(route: RestoreRoute, since: datetime) -> list[Job]:
    """Restores of the route's kind started since ``since`` (where a restore with a lost answer shows)."""
    return [route.job_class(raw, route.jobs) for raw in route.jobs.list(job_filter(route.job_operation, None, since))]


class PrimaryRoute:
    """Restores through the vault's own Backup API: ``POST {item}/recoveryPoints/{rp}/restore``."""

    kind_label = PRIMARY
    job_operation = "Restore"
    job_class = Job
    can_cancel = True
    jobs_hint = "vault.jobs()"

    def __init__(self, connection: RestoreConnection, item: ItemRef, vault_location: str | None = None) -> None:
        self.connection = connection
        self.item = item
        #: The vault's region (where the restore lands), when known.
        self.region = vault_location
        self.jobs: JobApi = VaultJobs(connection, item.vault_id)
        self.notes: list[str] = []
        #: What the vault's Resource Guard wants sent with the restore (``item.restore(approval=…)``; None: nothing).
        self.guard: GuardedCall | None = None

    @property
    def session(self) -> ArmApi:
        """The connection's ARM session."""
        return self.connection.arm

    def attach_hint(self, job_id: str) -> str:
        """``vault.restore_job('…')`` (``rk.resume('…')`` finds it from the journal too)."""
        return f"vault.restore_job({job_id!r})"

    def check(self, request: RestoreRequestBuilder, *, online: bool = True) -> RestoreRequestBuilder:
        """The request's own checks, offline and (``online``) against the live estate through the connection."""
        verify(request, self.connection, item=self.item, online=online).raise_for_problems(request.what)
        return request

    def post(self, request: RestoreRequestBuilder) -> ArmAnswer:
        """``POST {item}/recoveryPoints/{rp}/restore`` with the request's body."""
        body = request.to_body()
        if self.guard is not None and self.guard.requests:  # the Resource Guard's operation request, once
            props = body.setdefault("properties", {})
            named = [r for r in props.get("resourceGuardOperationRequests") or [] if isinstance(r, str)]
            props["resourceGuardOperationRequests"] = named + [r for r in self.guard.requests if r not in named]
        return self.session.request("POST", f"{self.item.path}/recoveryPoints/{request.point.name}/restore",
                                    json_body=body, headers=self.guard.headers() if self.guard else None)

    def polling_methods(self) -> tuple[PollingMethod, ...]:
        """``Azure-AsyncOperation``, then ``Location``."""
        return DEFAULT_METHODS

    def point_gone(self, point: RecoveryPoint, exc: ArmError) -> NotFoundError | None:
        """The service's 404 for a restore, explained: the point expired (or was deleted) since it was listed."""
        when = point.time.strftime("%Y-%m-%d %H:%M UTC") if point.time else "time unknown"
        return NotFoundError(
            f"recovery point {point.name} ({when}) of VM {self.item.vm_name} is no longer there: the service answered "
            f"{exc.code}: {exc.message} (HTTP 404, x-ms-request-id {exc.request_id}). Points expire under the "
            "backup policy's retention, so it probably expired or was deleted after it was listed. Nothing was "
            "restored: list the points again (item.recovery_points()) and choose another one")

    def continuation(self) -> JsonObject:
        """The kind, the item's ID and the vault's region."""
        return {"kind": self.kind_label, "item": self.item.id, "vault_location": self.region}

    @classmethod
    def from_continuation(cls, connection: RestoreConnection, data: JsonObject) -> PrimaryRoute:
        """The route :meth:`continuation` described, through ``connection``."""
        location = data.get("vault_location")
        return cls(connection, ItemRef.from_id(str(data["item"])), location if isinstance(location, str) else None)

    def __repr__(self) -> str:
        return f"<restore route: vault {self.item.vault_name}>"
