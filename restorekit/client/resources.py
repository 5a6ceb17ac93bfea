"""Vaults and protected VMs: the Backup API's resources as objects.

>>> vault = az.vault("testVaultRG", "testVault")
>>> item = vault.vm("testRG", "testVM")
>>> points = item.recovery_points(start="2026-10-01")
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core.api_versions import VAULTS as VAULT_API_VERSION
from ..core.errors import ArmError, NotFoundError, TransportError
from ..core.filters import IAAS_VM_FILTER, points_filter
from ..core.ids import PROVIDER, ItemRef, container_name, protected_item_name, vault_id
from ..model.points import RecoveryPoint, RecoveryPoints
from .region_outage import is_region_down, region_unavailable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.protocols import ConnectionLike as Connection
    from ..model.jobs import Job
    from ..restore.approval import Approval
    from ..restore.cross_region import CrossRegion
    from ..restore.file_recovery.session import FileRecovery
    from ..restore.operation import RestoreOperation
    from ..restore.outcome import Disk

def _is_not_found(exc: ArmError) -> bool:
    return exc.status == 404


def _names(values: list[str], limit: int = 10) -> str:
    if not values:
        return "none"
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _listed(what: str, read: Any) -> str:
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
        path = f"/subscriptions/{connection.subscription_id}/providers/{PROVIDER}/vaults"
        vaults = []
        for raw in connection.arm.list(path, api_version=VAULT_API_VERSION):
            ref = str(raw.get("id", "")).split("/")
            group = ref[4] if len(ref) > 4 else ""
            vaults.append(cls(connection, group, raw.get("name", ""), raw))
        return vaults

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

    def inventory(self, start: Any = None, end: Any = None, **kwargs: Any) -> pd.DataFrame:
        """Recovery points of every protected VM of this vault as one DataFrame (see ``restorekit.client.inventory``)."""
        from .inventory import collect

        return collect(self.iter_protected_items(), start=start, end=end, label=f"inventory of {self.name}", **kwargs)

    def job(self, job_id: str) -> Job:
        """A backup job by id, read once (``job.wait()`` follows it); see :meth:`restore_job` for a restore."""
        from ..model.jobs import Job

        return Job.fetch(self, job_id)

    def restore_job(self, job_id: str, **options: Any) -> RestoreOperation:
        """Follow a restore of this vault again by its job id (e.g. after a kernel restart): live progress.

        Returns a :class:`~restorekit.restore.operation.RestoreOperation` following job ``job_id`` (its live
        widget when it is a cell's value; ``.wait()`` for the final job). ``options`` go to the operation
        (``poll_interval``, ``sleep``, ``clock``). A cross-region restore is followed with
        ``crr.attach(job_id)``; ``rk.resume(job_id)`` finds either from the restore journal.
        """
        from ..restore.operation import RestoreOperation

        return RestoreOperation.from_job_id(self, job_id, **options)

    def jobs(self, operation: str | None = "Restore", status: str | None = None,
             start: Any = None, end: Any = None) -> pd.DataFrame:
        """The vault's backup jobs as a DataFrame, filtered by the API (``$filter``)."""
        from ..model.jobs import list_jobs

        return list_jobs(self, operation=operation, status=status, start=start, end=end)


class ProtectedItem:
    """A VM protected by a vault: its recovery points, and restores from them."""

    def __init__(self, vault: Vault, ref: ItemRef, raw: dict[str, Any] | None = None):
        self.vault = vault
        self.ref = ref
        self.raw = raw or {}

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
                             ("policy", str(props.get("policyId") or "").rsplit("/", 1)[-1] or None),
                             ("VM", props.get("sourceResourceId") or self.ref.source_vm_id)],
                            "restorekit-item", f"Protected VM {self.vm_resource_group}/{self.vm_name}")

    def _point(self, raw: dict[str, Any]) -> RecoveryPoint:
        return RecoveryPoint(raw=raw, item=self.ref, vault_location=self.vault.location, owner=self)

    def recovery_points(self, start: Any = None, end: Any = None) -> RecoveryPoints:
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

    @property
    def source_vm_id(self) -> str:
        """ARM ID of the backed-up VM (the item's ``sourceResourceId``, else derived from its name)."""
        return str(self.properties.get("sourceResourceId") or self.ref.source_vm_id)

    def vm_disks(self) -> list[Disk]:
        """The disks attached to the backed-up VM now, read from ARM (OS disk first): what replacing disks swaps."""
        from ..model.arm_resources import reader_for
        from ..restore.outcome import vm_disks

        vm = reader_for(self.connection.arm, self.connection.subscription_id).get(self.source_vm_id, fresh=True)
        if vm is None:
            raise NotFoundError(f"VM {self.vm_resource_group}/{self.vm_name} does not exist any more "
                                f"({self.source_vm_id}); restore it as a new VM or restore its disks")
        return vm_disks(vm)

    def cross_region(self, **options: Any) -> CrossRegion:
        """Cross-region restore of this VM: its points in the secondary region and restores there."""
        from ..restore.cross_region import CrossRegion

        return CrossRegion(self, **options)

    def restore(self, request: Any, *, confirm: bool = False, allow_duplicate: bool = False,
                approval: Approval | None = None, **kwargs: Any) -> RestoreOperation:
        """Validate and trigger a restore built by a restore builder; returns a live ``RestoreOperation``.

        A soft-deleted item is refused before anything is sent (:meth:`undelete` it first). A vault guarded by a
        Resource Guard needs ``approval=rk.Approval(...)`` (a credential or token of the guard's tenant): without
        it, ``ApprovalRequired`` says which guard, which tenant and what to ask for, before anything is sent.
        """
        from ..restore.trigger import trigger
        from ..restore.undelete import refuse_if_soft_deleted

        refuse_if_soft_deleted(self)
        return trigger(request, item=self, confirm=confirm, allow_duplicate=allow_duplicate, approval=approval,
                       **kwargs)

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
        from ..model.jobs import Job
        from ..restore.undelete import undelete

        job_id = undelete(self, **options)
        self.refresh()
        return Job.fetch(self.vault, job_id) if job_id else None

    def file_recovery(self, point: Any, **options: Any) -> FileRecovery:
        """Mount ``point`` for file recovery: a session, the script for the VM's OS (mode 0600), its password (hidden).

        Archived points, encrypted VMs and soft-deleted items are refused before anything is sent; the session is
        journaled before it is provisioned (``az.open_file_recoveries()`` finds it from any kernel). ``options``:
        ``folder`` (where the script goes), ``api_version`` (from 2026-08-01 the scripts come from their own
        action), ``poll_interval``, ``timeout``. Revoke it when done: ``session.revoke()``.
        """
        from ..restore.file_recovery.session import provision

        return provision(self, point, **options)
