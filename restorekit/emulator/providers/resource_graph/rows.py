"""The rows of Resource Graph's tables, from the emulator's estate: :data:`TABLES`, each made of kinds of rows.

* ``RecoveryServicesResources``: protected items
  (``microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems``), whose
  ``properties`` are the item's properties at the newest api-version (every one of them: a view that needs
  soft-delete state or anything else finds it there), and backup jobs of the last 14 days
  (``microsoft.recoveryservices/vaults/backupjobs``).
* ``Resources``: every ARM resource of the subscriptions (``catalog``), its ``properties`` as its provider answers
  a GET of it; among them the virtual machines (``microsoft.compute/virtualmachines``), protected or not,
  restored ones included, with their ``tags``.
* ``ResourceContainers``: the subscriptions and their resource groups (``tags``, ``properties.provisioningState``).

Every row has Resource Graph's columns (:data:`~.query.COLUMNS`); types, locations and resource groups are
lower case, as Resource Graph writes them. The protected items' rows are built once per version of the
vaults, the VMs' once per version of the inventory (``State.graph_cache``), and kept as a frame of every
subscription; a query takes the rows of its subscriptions. The other kinds of rows move with the clock (jobs,
deletions under way) and are built for every query that reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import timedelta
from itertools import compress
from typing import Any

from ...arm import versions
from ...estate.inventory import ComputeVM
from ...estate.tenancy import TENANT_ID
from ...estate.vaults import Vault
from ...state import State
from ..arm_async import provisioning_state
from ..backup import shapes
from ..catalog import arm_resources
from ..compute import resource_body
from ..resources import resource_group_id
from .engine import Frame
from .query import COLUMNS, GraphQueryError, Pipeline

ITEM_TYPE = "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"
JOB_TYPE = "microsoft.recoveryservices/vaults/backupjobs"
VM_TYPE = "microsoft.compute/virtualmachines"
#: Resource Graph keeps backup jobs this many days.
JOB_DAYS = 14
_NEWEST = versions.BACKUP_VERSIONS[-1]
#: The KQL type of each column (the others, objects, are ``dynamic``).
COLUMN_TYPES: dict[str, str | None] = {c: "string" for c in ("id", "name", "type", "tenantId", "kind", "location",
                                                             "resourceGroup", "subscriptionId", "managedBy")}
COLUMN_TYPES.update({c: "dynamic" for c in COLUMNS if c not in COLUMN_TYPES})


@dataclass(frozen=True)
class Kind:
    """One resource type's rows in a table (``type`` None: every type the table's other kinds have not), how
    to build them all, and the version they are built from (None: they move with the clock, built for every
    query)."""

    type: str | None
    build: Callable[[State], list[dict[str, Any]]]
    version: Callable[[State], Hashable] | None = None


def _vault_row(vault: Vault, rid: str, name: str, kind: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"id": rid, "name": name, "type": kind, "tenantId": TENANT_ID, "kind": "",
            "location": vault.location.lower(), "resourceGroup": vault.resource_group.lower(),
            "subscriptionId": vault.subscription_id, "managedBy": "", "sku": None, "plan": None,
            "properties": properties, "tags": None, "identity": None, "zones": None, "extendedLocation": None}


def _vaults(state: State) -> list[Vault]:
    return sorted(state.estate.vaults.values(), key=lambda v: v.id.lower())


def protected_item_rows(state: State) -> list[dict[str, Any]]:
    """Every protected item of every vault, vault by vault, as of now (a soft-deleted item's time left)."""
    now = state.clock.now()
    rows = []
    for vault in _vaults(state):
        for vm in sorted(vault.items.values(), key=lambda v: (v.resource_group.lower(), v.name.lower())):
            item = shapes.protected_item(vm, _NEWEST, now)
            rows.append(_vault_row(vault, item["id"], item["name"], ITEM_TYPE, item["properties"]))
    return rows


def _item_version(state: State) -> Hashable:
    """What the items' rows depend on: the vaults and their items, and the items whose protection requests changed
    (stopped, soft-deleted, file recovery sessions); with any such item, the time too (a soft-deleted item's time
    left and the backups a session made fail move with the clock)."""
    changed = tuple((vm.vm_id, p.state, p.soft_deleted_at, len(p.blocked_backups), len(p.open_file_recoveries))
                    for vault in state.estate.vaults.values() for vm in vault.items.values()
                    if (p := vm.protection).state is not None or p.soft_deleted_at is not None or p.blocked_backups
                    or p.open_file_recoveries)
    return (tuple((vault.id, len(vault.items)) for vault in state.estate.vaults.values()), changed,
            state.clock.now() if changed else None)


def backup_job_rows(state: State) -> list[dict[str, Any]]:
    """The backup jobs of the last :data:`JOB_DAYS` days, vault by vault, as of now."""
    now = state.clock.now()
    since = now - timedelta(days=JOB_DAYS)
    rows = []
    for vault in _vaults(state):
        for job in state.vault_jobs(vault):
            if job.start >= since:
                body = shapes.job(job, vault.id, now, _NEWEST)
                rows.append(_vault_row(vault, body["id"], body["name"], JOB_TYPE, body["properties"]))
    return rows


def _arm_row(resource: dict[str, Any], subscription: str, resource_group: str) -> dict[str, Any]:
    return {"id": resource["id"], "name": resource["name"], "type": resource["type"].lower(), "tenantId": TENANT_ID,
            "kind": resource.get("kind", ""), "location": resource.get("location", "").lower(),
            "resourceGroup": resource_group.lower(), "subscriptionId": subscription,
            "managedBy": resource.get("managedBy", ""), "sku": resource.get("sku"), "plan": None,
            "properties": resource.get("properties"), "tags": resource.get("tags") or {},
            "identity": resource.get("identity"), "zones": resource.get("zones"), "extendedLocation": None}


def virtual_machine_rows(state: State) -> list[dict[str, Any]]:
    """Every VM of the inventory, as the compute provider answers a GET of it, in Resource Graph's columns."""
    now = state.clock.now()
    return [_arm_row(resource_body(state, vm, now), vm.subscription, vm.resource_group)
            for vm in state.estate.inventory.list(ComputeVM)]


def _vm_version(state: State) -> Hashable:
    """What the VMs' rows depend on: the inventory, and which VMs are being deleted (``Deleting``) now."""
    return state.estate.inventory.version, state.arm_operations.in_progress(state.clock.now())


def other_resource_rows(state: State) -> list[dict[str, Any]]:
    """Every resource of every subscription but the VMs: disks, NICs, networks, storage accounts, vaults…"""
    subscriptions = {s.lower() for s in state.subscription_ids}
    return [_arm_row(r, r["id"].split("/")[2], r["id"].split("/")[4])
            for r in arm_resources(state, subscriptions) if r["type"].lower() != VM_TYPE]


def container_rows(state: State) -> list[dict[str, Any]]:
    """The ``ResourceContainers`` table: the subscriptions, then their resource groups."""
    rows = [{**_arm_row({"id": f"/subscriptions/{sub}", "name": sub, "type": "microsoft.resources/subscriptions",
                         "properties": {"state": "Enabled"}}, sub, ""), "resourceGroup": ""}
            for sub in sorted(state.subscription_ids)]
    now = state.clock.now()
    estate = state.estate
    for key, (name, location) in sorted(list(estate.resource_groups.items())):
        rid = resource_group_id(name)
        deleting = provisioning_state(state, rid, now) == "Deleting"
        rows.append(_arm_row({"id": rid, "name": name, "type": "microsoft.resources/subscriptions/resourcegroups",
                              "location": location, "tags": estate.group_tags.get(key) or {},
                              "properties": {"provisioningState": "Deleting" if deleting else "Succeeded"}},
                             rid.split("/")[2], name))
    return rows


#: Every table: its kinds of rows, in the order a query reads them.
TABLES: dict[str, tuple[Kind, ...]] = {
    "RecoveryServicesResources": (Kind(ITEM_TYPE, protected_item_rows, _item_version),
                                  Kind(JOB_TYPE, backup_job_rows)),
    "Resources": (Kind(VM_TYPE, virtual_machine_rows, _vm_version), Kind(None, other_resource_rows)),
    "ResourceContainers": (Kind(None, container_rows),),
}


def _frame(rows: list[dict[str, Any]]) -> Frame:
    return Frame({c: [row.get(c) for row in rows] for c in COLUMNS}, dict(COLUMN_TYPES), len(rows))


def _scoped(frame: Frame, subscriptions: set[str]) -> Frame:
    keep = [str(s).lower() in subscriptions for s in frame.columns["subscriptionId"]]
    if all(keep):
        return frame
    return Frame({c: list(compress(col, keep)) for c, col in frame.columns.items()}, dict(frame.types), sum(keep))


def table_reader(state: State, subscriptions: set[str]) -> Callable[[Pipeline, set[str] | None], Frame]:
    """``tables(pipeline, types)`` for the engine: a table's rows of ``subscriptions`` (lower-case ids), only the
    kinds in ``types`` when the query names them; an unknown table is refused where the query names it."""
    def read(pipeline: Pipeline, types: set[str] | None) -> Frame:
        name = pipeline.table
        table = next((t for t in TABLES if t.lower() == name.lower()), None)
        if table is None:
            raise GraphQueryError(*pipeline.at, name, f"no table {name!r} (the emulator has {', '.join(TABLES)})")
        parts = []
        named = {kind.type for kind in TABLES[table] if kind.type is not None}
        for kind in TABLES[table]:
            if types is not None and (kind.type not in types if kind.type is not None else types <= named):
                continue  # the query keeps none of these rows
            if kind.version is None:
                frame = _frame(kind.build(state))
            else:
                frame = state.graph_cache.rows(table, kind.type, kind.version(state),
                                               lambda kind=kind: _frame(kind.build(state)))
            parts.append(_scoped(frame, subscriptions))
        if len(parts) == 1:
            return parts[0]
        return Frame({c: [v for part in parts for v in part.columns[c]] for c in COLUMNS}, dict(COLUMN_TYPES),
                     sum(p.length for p in parts))
    return read
