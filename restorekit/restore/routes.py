"""Where a restore goes and how it is followed: the strategy plugged into the one restore path.

:func:`~restorekit.restore.trigger.trigger` runs validate → confirm → duplicate check → one POST → operation
for every restore; what differs between a restore in the vault's region and a cross-region restore is a
:class:`RestoreRoute`:

* which checks the request must pass (``prepare``),
* which running restores count as duplicates (``running``),
* the one POST (``post``: the item's ``/restore``, or token + ``backupCrossRegionRestore``),
* the session and polling methods that follow the operation, and the job API that reads and lists the job.

:class:`PrimaryRoute` is the vault's own Backup API; the cross-region route lives with
:class:`~restorekit.restore.cross_region.CrossRegion`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..core.errors import ArmError, CheckUnavailable, NotFoundError, TransportError
from ..core.filters import job_filter
from ..model.job_api import JobApi, VaultJobs
from ..model.jobs import Job, job_matches_item, job_matches_point
from ..transport.polling import DEFAULT_METHODS, PollingMethod

if TYPE_CHECKING:  # pragma: no cover
    from ..core.protocols import ArmApi, ProtectedItemLike, VaultLike
    from .approval import GuardedCall


class RestoreRoute(Protocol):
    """What the restore path needs to know about where a restore is sent and followed."""

    vault: VaultLike
    item: ProtectedItemLike | None
    #: How a user calls this kind of restore ("restore", "cross-region restore").
    kind_label: str
    #: The job ``operation`` of such restores ("Restore", "CrossRegionRestore").
    job_operation: str
    #: The session polling goes through, the job API and class of its jobs.
    session: ArmApi
    jobs: JobApi
    job_class: type[Job]
    #: Whether its jobs can be cancelled.
    can_cancel: bool
    #: How a user lists such jobs, e.g. ``vault.jobs()``.
    jobs_hint: str
    #: The operation class that follows such restores (None: ``RestoreOperation``).
    operation_class: type | None
    #: Where the restore lands: the vault's region or the secondary region (None when unknown).
    region: str | None

    def attach_hint(self, job_id: str) -> str:
        """The call that follows job ``job_id`` again, e.g. ``vault.restore_job('…')``."""
        ...

    def prepare(self, request: Any, *, online: bool = True) -> Any:
        """Check the request (raise ``ValidationError`` with every problem); return the request to send.

        ``online`` also checks what it names against the live estate.
        """
        ...

    def post(self, request: Any) -> Any:
        """Send the one POST; return its answer (an ``ArmResponse``)."""
        ...

    def polling_methods(self) -> tuple[PollingMethod, ...]:
        """How to follow the POST's operation."""
        ...

    def point_gone(self, point: Any, exc: ArmError) -> NotFoundError | None:
        """What a 404 on the POST means for this point (None: let the service's error through)."""
        ...


def running_restores(route: RestoreRoute, point: Any) -> list[Job]:
    """In-progress restores of the route's VM from ``point`` (``$filter`` on the operation and InProgress).

    A job list says neither which point a restore restores nor where to (Azure leaves ``extendedInfo`` out of
    lists): a running restore of the same VM is read alone to tell (one read, and only then). A read that fails
    raises :class:`~restorekit.core.errors.CheckUnavailable` saying what could not be read and how to go on.
    """
    item = route.item
    if item is None:
        return []
    try:
        jobs = [route.job_class(route.vault, raw, api=route.jobs)
                for raw in route.jobs.list(job_filter(route.job_operation, "InProgress"))]
        same_vm = [j for j in jobs if job_matches_item(j, item.vm_name, item.ref.container)]
        for job in same_vm:
            if not job.extended_info:
                job.refresh()
    except (ArmError, TransportError) as exc:
        raise CheckUnavailable(
            f"could not list the {route.kind_label}s running in vault {route.vault.name!r} to check that VM "
            f"{item.vm_name} is not being restored from point {getattr(point, 'name', '?')} already: "
            f"{str(exc).splitlines()[0]}. Nothing was sent. Grant the Backup Reader role on the vault (it reads its "
            "jobs), or pass allow_duplicate=True to skip this check", exc) from None
    return [j for j in same_vm if job_matches_point(j, point)]


def restores_since(route: RestoreRoute, since: datetime) -> list[Job]:
    """Restores of the route's kind started since ``since`` (where a restore with a lost answer shows)."""
    return [route.job_class(route.vault, raw, api=route.jobs)
            for raw in route.jobs.list(job_filter(route.job_operation, None, since))]


class PrimaryRoute:
    """Restores through the vault's own Backup API: ``POST {item}/recoveryPoints/{rp}/restore``."""

    kind_label = "restore"
    job_operation = "Restore"
    job_class = Job
    can_cancel = True
    jobs_hint = "vault.jobs()"
    operation_class = None

    def __init__(self, vault: VaultLike, item: ProtectedItemLike | None = None) -> None:
        self.vault = vault
        self.item = item
        self.jobs: JobApi = VaultJobs(vault)
        #: What a vault's Resource Guard wants sent with the restore (set by the restore path; None: nothing).
        self.guard: GuardedCall | None = None

    @property
    def session(self) -> ArmApi:
        """The connection's ARM session."""
        return self.vault.connection.arm

    @property
    def region(self) -> str | None:
        """The vault's region."""
        return self.vault.location

    def attach_hint(self, job_id: str) -> str:
        """``vault.restore_job('…')`` (``rk.resume('…')`` finds it from the journal too)."""
        return f"vault.restore_job({job_id!r})"

    def prepare(self, request: Any, *, online: bool = True) -> Any:
        """The builder's own checks, offline and (``online``) against the live estate."""
        request.validate(online=online)
        return request

    def post(self, request: Any) -> Any:
        """``POST {item}/recoveryPoints/{rp}/restore`` with the request's body."""
        assert self.item is not None
        body = request.to_body()
        if self.guard is not None and self.guard.requests:  # the Resource Guard's operation request, once
            props = body.setdefault("properties", {})
            named = list(props.get("resourceGuardOperationRequests") or [])
            props["resourceGuardOperationRequests"] = named + [r for r in self.guard.requests if r not in named]
        return self.session.request("POST", f"{self.item.ref.path}/recoveryPoints/{request.point.name}/restore",
                                    json_body=body, headers=self.guard.headers() if self.guard else None)

    def polling_methods(self) -> tuple[PollingMethod, ...]:
        """``Azure-AsyncOperation``, then ``Location``."""
        return DEFAULT_METHODS

    def point_gone(self, point: Any, exc: ArmError) -> NotFoundError | None:
        """The service's 404 for a restore, explained: the point expired (or was deleted) since it was listed."""
        when = point.time.strftime("%Y-%m-%d %H:%M UTC") if getattr(point, "time", None) else "time unknown"
        vm = self.item.vm_name if self.item is not None else "?"
        return NotFoundError(
            f"recovery point {point.name} ({when}) of VM {vm} is no longer there: the service answered "
            f"{exc.code}: {exc.message} (HTTP 404, x-ms-request-id {exc.request_id}). Points expire under the "
            "backup policy's retention, so it probably expired or was deleted after it was listed. Nothing was "
            "restored: list the points again (item.recovery_points()) and choose another one")

    def __repr__(self) -> str:
        return f"<restore route: vault {self.vault.name}>"
