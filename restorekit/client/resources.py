"""Vaults and protected VMs: the Backup API's resources as objects, and the way in to restores.

>>> vault = az.vault("testVaultRG", "testVault")
>>> item = vault.vm("testRG", "testVM")
>>> points = item.recovery_points(start="2026-10-01")
>>> request = rk.RestoreDisks(points.latest(), storage_account="testAccount")   # a value: nothing sent
>>> item.check(request, online=True, service=True)     # the item reads the estate and asks the service
>>> op = item.restore(request)                          # the item sends it (restore/run/trigger.py)

Navigation hands work down: a request is a value, and what needs ARM takes the item (and through it the
connection) explicitly.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core.api_versions import VAULTS as VAULT_API_VERSION
from ..core.errors import ArmError, NotFoundError, RestorekitError, TransportError
from ..core.filters import IAAS_VM_FILTER, points_filter
from ..core.ids import (
    ItemRef,
    container_name,
    name_of,
    protected_item_name,
    resource_group_of,
    vault_id,
    vaults_path,
)
from ..model.points import RecoveryPoint, RecoveryPoints
from .region_outage import is_region_down, region_unavailable

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.filters import TimeBound
    from ..core.json_values import JsonObject
    from ..model.jobs import Job
    from ..model.outcome import Disk
    from ..restore.approval import Approval
    from ..restore.checking.report import CheckReport
    from ..restore.context import RestoreConnection as Connection
    from ..restore.file_recovery.session import FileRecovery
    from ..restore.request.builders import RestoreRequestBuilder
    from ..restore.run.operation import RestoreOperation
    from ..restore.run.routes import PrimaryRoute
    from .cross_region import CrossRegion

def _is_not_found(exc: ArmError) -> bool:
    return exc.status == 404


def _names(values: list[str], limit: int = 10) -> str:
    if not values:
        return "none"
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _listed(what: str, read: Callable[[], list[str]]) -> str:
    """Names from ``read()`` for an error message; when the list itself cannot be read, say so instead of failing."""
    try:
        return _names(read())
    except (ArmError, TransportError) as exc:
        return f"unknown (the {what} could not be listed: {str(exc).splitlines()[0]})"


def _vaults_or_no_subscription(connection: Connection, exc: ArmError) -> str:
    """The subscription's vaults, in words; a subscription the endpoint does not know is said so, with what to do."""
    if exc.code != "SubscriptionNotFound":
        return _listed("vaults", lambda: [f"{v.resource_group}/{v.name}" for v in Vault.list(connection)])
    raise NotFoundError(
        f"subscription {connection.subscription_id} is not known at {connection.arm.endpoint} ({connection.where}): "
        f"{exc.message} Pass subscription_id= of a subscription your credential can read (az account list shows "
        "them), or leave it out to use the default one") from None


class Vault:
    """A Recovery Services vault: its protected VMs, recovery points, restore jobs."""

    def __init__(self, connection: Connection, resource_group: str, name: str, raw: dict[str, Any] | None = None,
                 *, subscription_id: str | None = None):
        self.connection = connection
        self.resource_group = resource_group
        self.name = name
        self.raw = raw or {}
        #: The vault's subscription (the connection's unless it lives in another one).
        self.subscription_id = subscription_id or connection.subscription_id

    @classmethod
    def fetch(cls, connection: Connection, resource_group: str, name: str) -> Vault:
        """Get the vault; if it does not exist, the error lists the vaults that do.

        An interactive read: when the vault's region does not answer, :class:`~restorekit.RegionUnavailable` says
        so within seconds and names the ``az.cross_region(...)`` call that still works.
        """
        path = vault_id(connection.subscription_id, resource_group, name)
        try:
            raw = connection.arm.get(path, api_version=VAULT_API_VERSION, interactive=True)
        except (ArmError, TransportError) as exc:
            down = region_unavailable(connection, exc, resource_group, name) if is_region_down(exc) else None
            if down is not None:
                raise down from None
            if not isinstance(exc, ArmError) or not _is_not_found(exc):
                raise
            existing = _vaults_or_no_subscription(connection, exc)
            where = (f" on the {connection.where} at {connection.arm.endpoint} (not your Azure subscription: connect to "
                     "Azure with rk.connect() after az login)" if connection.is_emulator else "")
            raise NotFoundError(
                f"no Recovery Services vault {name!r} in resource group {resource_group!r} of subscription "
                f"{connection.subscription_id}{where}; vaults that exist there: {existing}"
            ) from None
        return cls(connection, resource_group, raw.get("name", name), raw)

    @classmethod
    def list(cls, connection: Connection) -> list[Vault]:
        """Every vault of the connection's subscription."""
        return [cls(connection, resource_group_of(raw.get("id")) or "", raw.get("name", ""), raw)
                for raw in connection.arm.list(vaults_path(connection.subscription_id), api_version=VAULT_API_VERSION)]

    @property
    def id(self) -> str:
        """ARM ID of the vault."""
        return vault_id(self.subscription_id, self.resource_group, self.name)

    @property
    def location(self) -> str | None:
        """The vault's Azure region (e.g. ``westus``)."""
        return self.raw.get("location")

    def __repr__(self) -> str:
        return f"<Vault {self.resource_group}/{self.name} ({self.location or 'region unknown'})>"

    def _repr_html_(self) -> str:
        from ..core.html import fields_table

        props = self.raw.get("properties") or {}
        return fields_table([("resource group", self.resource_group), ("region", self.location),
                             ("SKU", (self.raw.get("sku") or {}).get("name")),
                             ("state", props.get("provisioningState")), ("id", self.id)],
                            "restorekit-vault", f"Recovery Services vault {self.name}")

    def protected_items(self) -> list[ProtectedItem]:
        """The vault's protected Azure VMs (``$filter`` on AzureIaasVM / VM), every page."""
        return list(self.iter_protected_items())

    def iter_protected_items(self) -> Iterator[ProtectedItem]:
        """The vault's protected Azure VMs, yielded page by page as they arrive."""
        for page in self.connection.arm.pages(f"{self.id}/backupProtectedItems", params={"$filter": IAAS_VM_FILTER}):
            for raw in page.get("value", []):
                yield ProtectedItem.from_resource(self, raw)

    def vm(self, resource_group: str, vm_name: str) -> ProtectedItem:
        """The protected item of VM ``resource_group/vm_name``; the error lists the VMs the vault protects."""
        ref = ItemRef.for_vm(self.connection.subscription_id, self.resource_group, self.name, resource_group, vm_name)
        try:
            raw = self.connection.arm.get(ref.path, interactive=True)
        except (ArmError, TransportError) as exc:
            down = region_unavailable(self.connection, exc, self.resource_group, self.name, region=self.location,
                                      vm_resource_group=resource_group, vm_name=vm_name) if is_region_down(exc) else None
            if down is not None:
                raise down from None
            if not isinstance(exc, ArmError) or not _is_not_found(exc):
                raise
            protected = _listed("protected items", lambda: [f"{i.vm_resource_group}/{i.vm_name}"
                                                              for i in self.protected_items()])
            raise NotFoundError(
                f"vault {self.name!r} does not protect VM {vm_name!r} of resource group {resource_group!r} "
                f"(container {container_name(resource_group, vm_name)!r}, item "
                f"{protected_item_name(resource_group, vm_name)!r}); it protects: {protected}"
            ) from None
        return ProtectedItem(self, ref, raw)

    def inventory(self, start: TimeBound = None, end: TimeBound = None, **kwargs: Any) -> pd.DataFrame:
        """Recovery points of every protected VM of this vault as one DataFrame (see ``restorekit.client.inventory``)."""
        from .inventory import collect

        return collect(self.iter_protected_items(), start=start, end=end, label=f"inventory of {self.name}", **kwargs)

    def job(self, job_id: str) -> Job:
        """A backup job by id, read once (``job.wait()`` follows it); see :meth:`restore_job` for a restore."""
        from ..model.job_api import VaultJobs
        from ..model.jobs import Job

        return Job.fetch(VaultJobs(self.connection, self.id), job_id)

    def restore_job(self, job_id: str, *, poll_interval: float | None = None,
                    sleep: Callable[[float], object] | None = None,
                    clock: Callable[[], float] = time.monotonic) -> RestoreOperation:
        """Follow a restore of this vault again by its job id (e.g. after a kernel restart): live progress.

        Reads the job once (an unknown id raises ``NotFoundError`` at once) and returns a
        :class:`~restorekit.restore.run.operation.RestoreOperation` following it (its live widget when it is a
        cell's value; ``.wait()`` for the final job). A cross-region restore is followed with ``crr.attach(job_id)``;
        ``rk.resume(job_id)`` finds either from the restore journal.
        """
        from ..restore.run.operation import RestoreOperation

        return RestoreOperation.for_job(self.connection, self.id, job_id, vault_location=self.location,
                                        poll_interval=poll_interval, sleep=sleep, clock=clock)

    def jobs(self, operation: str | None = "Restore", status: str | None = None,
             start: TimeBound = None, end: TimeBound = None) -> pd.DataFrame:
        """The vault's backup jobs as a DataFrame, filtered by the API (``$filter``)."""
        from ..model.job_api import VaultJobs
        from ..model.jobs import list_jobs

        return list_jobs(VaultJobs(self.connection, self.id), operation=operation, status=status, start=start,
                         end=end)


class ProtectedItem:
    """A VM protected by a vault: its recovery points, and restores from them."""

    def __init__(self, vault: Vault, ref: ItemRef, raw: JsonObject | None = None):
        self.vault = vault
        self.ref = ref
        self.raw = raw or {}
        self._read_alone: dict[str, RecoveryPoint] = {}

    @classmethod
    def from_resource(cls, vault: Vault, raw: dict[str, Any]) -> ProtectedItem:
        """Wrap a ``ProtectedItemResource`` of ``vault``."""
        return cls(vault, ItemRef.from_id(str(raw.get("id", ""))), raw)

    @classmethod
    def unchecked(cls, vault: Vault, vm_resource_group: str, vm_name: str) -> ProtectedItem:
        """The item of VM ``vm_resource_group/vm_name`` from names alone, without reading anything.

        For when the vault's region does not answer (cross-region restore); nothing is known of it but its
        names until something reads it.
        """
        conn = vault.connection
        return cls(vault, ItemRef.for_vm(conn.subscription_id, vault.resource_group, vault.name,
                                         vm_resource_group, vm_name))

    @property
    def connection(self) -> Connection:
        """The connection this item was read through."""
        return self.vault.connection

    @property
    def vm_name(self) -> str:
        """Name of the protected VM."""
        return self.ref.vm_name

    @property
    def vm_resource_group(self) -> str:
        """Resource group of the protected VM."""
        return self.ref.vm_resource_group

    @property
    def properties(self) -> dict[str, Any]:
        """The item's ``properties`` as the API returned them."""
        props = self.raw.get("properties")
        return props if isinstance(props, dict) else {}

    @property
    def soft_deleted(self) -> bool:
        """True when the item was deleted with its data and is soft-deleted (as last read): undelete it to restore."""
        from ..restore.undelete import soft_delete_state

        return soft_delete_state(self.properties)[0]

    @property
    def purge_in(self) -> timedelta | None:
        """How long a soft-deleted item has before its backup data is purged (as last read; None otherwise)."""
        from ..restore.undelete import soft_delete_state

        return soft_delete_state(self.properties)[1]

    def __repr__(self) -> str:
        state = self.properties.get("protectionState") or self.properties.get("protectionStatus") or ""
        if self.soft_deleted:
            from ..core.times import format_duration

            state += f", SOFT-DELETED (purged in {format_duration(self.purge_in)})"
        return f"<ProtectedItem VM {self.vm_resource_group}/{self.vm_name} in vault {self.vault.name} {state}>".replace(" >", ">")

    def _repr_html_(self) -> str:
        from ..core.html import fields_table

        props = self.properties
        from ..core.times import format_duration

        deleted = f"yes: purged in {format_duration(self.purge_in)} unless undeleted" if self.soft_deleted else None
        return fields_table([("vault", self.vault.name), ("protection", props.get("protectionState")),
                             ("soft-deleted", deleted),
                             ("health", props.get("healthStatus")), ("last backup", props.get("lastBackupTime")),
                             ("last backup status", props.get("lastBackupStatus")),
                             ("policy", name_of(str(props.get("policyId") or "")) or None),
                             ("VM", props.get("sourceResourceId") or self.ref.source_vm_id)],
                            "restorekit-item", f"Protected VM {self.vm_resource_group}/{self.vm_name}")

    def _point(self, raw: JsonObject) -> RecoveryPoint:
        source = self.properties.get("sourceResourceId")
        return RecoveryPoint(raw=raw, item=self.ref, vault_location=self.vault.location,
                             source_vm_id=source if isinstance(source, str) and source else None,
                             endpoint=self.connection.endpoint, api_version=self.connection.api_version)

    def recovery_points(self, start: TimeBound = None, end: TimeBound = None) -> RecoveryPoints:
        """Every recovery point (all pages), optionally between ``start`` and ``end`` (API ``$filter``)."""
        params = points_filter(start, end)
        raws = self.connection.arm.list(f"{self.ref.path}/recoveryPoints", params=params)
        return RecoveryPoints(self._point(raw) for raw in raws)

    def recovery_point(self, name: str) -> RecoveryPoint:
        """One recovery point with its details; the error names a few points that do exist."""
        try:
            raw = self.connection.arm.get(f"{self.ref.path}/recoveryPoints/{name}")
        except ArmError as exc:
            if not _is_not_found(exc):
                raise
            newest = _listed("recovery points", lambda: [p.name for p in sorted(
                self.recovery_points(), key=lambda p: p.time or datetime.min.replace(tzinfo=UTC), reverse=True)][:5])
            raise NotFoundError(
                f"VM {self.vm_name!r} has no recovery point {name!r} ({exc.code}); the newest it has: {newest}"
            ) from None
        return self._point(raw)

    def with_disk_list(self, point: RecoveryPoint) -> RecoveryPoint:
        """``point`` with its disk list: itself when it has one, else the point read alone (once per item).

        Azure's list of points gives only the disk counts (``numberOfDisksIncludedInBackup``); the GET of one point
        adds ``includedDiskList`` and ``excludedDiskList``, as the Azure CLI reads it before a restore of chosen
        disks. A copy in the secondary region, or a point whose read fails, is returned as it is (the checks then
        say its disks cannot be chosen).
        """
        if point.disk_luns is not None or point.region != "primary" or point.item != self.ref:
            return point
        if point.name not in self._read_alone:
            try:
                self._read_alone[point.name] = self.recovery_point(point.name)
            except RestorekitError as exc:
                log.warning("recovery point %s: its disk list could not be read (%s)", point.name,
                            str(exc).splitlines()[0])
                return point
        return self._read_alone[point.name]

    def _as_sent(self, request: RestoreRequestBuilder) -> RestoreRequestBuilder:
        """The request with its point read alone when it picks disks from a listed point."""
        if request.picks_disks:
            detailed = self.with_disk_list(request.point)
            if detailed is not request.point:
                return dataclasses.replace(request, point=detailed)
        return request

    def check(self, request: RestoreRequestBuilder, *, online: bool = True, service: bool = False) -> CheckReport:
        """Every problem and note of ``request``: offline, against the live estate (``online``, through this item's
        connection) and, with ``service=True``, the service's own verdict (``backupValidateOperation``).

        A point of another VM is refused offline (nothing is read or asked). Nothing is restored.
        ``check(...).raise_for_problems()`` raises ``ValidationError`` listing them.
        """
        from ..restore.checking.verify import verify

        return verify(self._as_sent(request), self.connection, item=self.ref, online=online, service=service)

    @property
    def source_vm_id(self) -> str:
        """ARM ID of the backed-up VM (the item's ``sourceResourceId``, else derived from its name)."""
        return str(self.properties.get("sourceResourceId") or self.ref.source_vm_id)

    def vm_disks(self) -> list[Disk]:
        """The disks attached to the backed-up VM now, read from ARM (OS disk first): what replacing disks swaps."""
        from ..model.outcome import vm_disks

        vm = self.connection.resources().get(self.source_vm_id, fresh=True)
        if vm is None:
            raise NotFoundError(f"VM {self.vm_resource_group}/{self.vm_name} does not exist any more "
                                f"({self.source_vm_id}); restore it as a new VM or restore its disks")
        return vm_disks(vm)

    def cross_region(self, *, secondary_region: str | None = None, poll_interval: float | None = None,
                     sleep: Callable[[float], object] | None = None,
                     clock: Callable[[], float] = time.monotonic) -> CrossRegion:
        """Cross-region restore of this VM: its points in the secondary region and restores there."""
        from .cross_region import CrossRegion

        return CrossRegion(self, secondary_region=secondary_region, poll_interval=poll_interval, sleep=sleep,
                           clock=clock)

    def route(self) -> PrimaryRoute:
        """Where this item's restores go: the vault's own Backup API, through this item's connection."""
        from ..restore.run.routes import PrimaryRoute

        return PrimaryRoute(self.connection, self.ref, self.vault.location)

    def restore(self, request: RestoreRequestBuilder, *, confirm: bool = False, allow_duplicate: bool = False,
                approval: Approval | None = None, display: bool | None = None, online_checks: bool = True,
                poll_interval: float | None = None, sleep: Callable[[float], object] | None = None,
                clock: Callable[[], float] = time.monotonic) -> RestoreOperation:
        """Check and trigger a restore built by a restore builder; returns a live ``RestoreOperation`` at once.

        The one restore path (:func:`~restorekit.restore.run.trigger.trigger`): every check through this item's
        connection (``online_checks=False`` skips the live estate, with a warning), ``confirm=True`` to replace
        disks, a running restore of the same point refused unless ``allow_duplicate=True``, journaled, one POST.
        A listed point is read alone first when the request picks disks. ``display`` (default: the connection's
        frontend) shows live progress, or status lines when headless.

        Refused before anything is sent: a soft-deleted item (:meth:`undelete` it first, ``SoftDeletedItem``); a
        vault whose Resource Guard protects restores without ``approval=rk.Approval(...)`` (a credential or token of
        the guard's tenant): ``ApprovalRequired`` names the guard, its tenant and what to ask for. With it, the
        guard's operation request and the auxiliary token go with the POST (the token never shown).
        """
        from ..model.resource_guard import RESTORE
        from ..restore.approval import explain_refusal, restore_guard
        from ..restore.run.trigger import trigger
        from ..restore.undelete import refuse_if_soft_deleted

        refuse_if_soft_deleted(self.ref, self.properties)
        route = self.route()
        what = f"the restore of VM {self.vm_resource_group}/{self.vm_name}"
        route.guard = restore_guard(self.connection.arm, self.vault.id, self.vault.name, self.vault.raw, approval,
                                    what=what, operation=RESTORE)
        try:
            return trigger(self._as_sent(request), route, confirm=confirm, allow_duplicate=allow_duplicate,
                           display=display, online_checks=online_checks, poll_interval=poll_interval, sleep=sleep,
                           clock=clock)
        except ArmError as exc:
            refused = explain_refusal(exc, self.connection.arm, self.vault.id, self.vault.name, RESTORE, what=what)
            if refused is None:
                raise
            raise refused from None

    def refresh(self) -> ProtectedItem:
        """Read the item again (its protection state, soft delete, last backup); returns it."""
        self.raw = self.connection.arm.get(self.ref.path, interactive=True)
        return self

    def undelete(self, **options: Any) -> Job | None:
        """Bring a soft-deleted item back (``isRehydrate``), wait for the ``Undelete`` job, read the item again.

        Then its points can be listed and restored as usual (protection stays stopped: resume it in the portal or
        with ``az backup protection resume``). ``options``: ``poll_interval``, ``timeout``, ``sleep``. Returns the
        job (None when the service named none).
        """
        from ..restore.undelete import undelete

        job_id = undelete(self.connection, self.ref, self.properties, **options)
        self.refresh()
        return self.vault.job(job_id) if job_id else None

    def file_recovery(self, point: Any, **options: Any) -> FileRecovery:
        """Mount ``point`` for file recovery: a session, the script for the VM's OS (mode 0600), its password (hidden).

        Archived points, encrypted VMs and soft-deleted items are refused before anything is sent; the session is
        journaled before it is provisioned (``az.open_file_recoveries()`` finds it from any kernel). ``options``:
        ``folder`` (where the script goes), ``api_version`` (from 2026-08-01 the scripts come from their own
        action), ``poll_interval``, ``timeout``. Revoke it when done: ``session.revoke()``.
        """
        from ..restore.file_recovery.session import provision

        return provision(self.connection, self.ref, point, item_properties=self.properties,
                         vault_location=self.vault.location, **options)
