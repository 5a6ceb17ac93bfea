"""The rows of Resource Graph's tables (:data:`TABLES`), from the emulator's estate and jobs.

``Resources``: every ARM resource (``catalog``), its ``properties`` as its provider answers them.
``ResourceContainers``: the subscriptions and their resource groups (``tags``, ``properties.provisioningState``).
``RecoveryServicesResources``, two kinds of rows, as Resource Graph gives them: protected items
(``microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems``), whose
``properties`` are the item's properties at the newest api-version, and backup jobs of the last
14 days (``microsoft.recoveryservices/vaults/backupjobs``). Types, locations and resource groups
are lower case, as Resource Graph writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ...arm import versions
from ...estate.tenancy import TENANT_ID
from ...estate.vaults import Vault
from ...state import State
from ..arm_async import provisioning_state
from ..backup import shapes
from ..catalog import arm_resources
from ..resources import resource_group_id

ITEM_TYPE = "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"
JOB_TYPE = "microsoft.recoveryservices/vaults/backupjobs"
#: Resource Graph keeps backup jobs this many days.
JOB_DAYS = 14
_NEWEST = versions.BACKUP_VERSIONS[-1]


def _row(vault: Vault, rid: str, name: str, kind: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"id": rid, "name": name, "type": kind, "tenantId": TENANT_ID, "kind": "",
            "location": vault.location.lower(), "resourceGroup": vault.resource_group.lower(),
            "subscriptionId": vault.subscription_id, "managedBy": "", "sku": None, "plan": None,
            "properties": properties, "tags": None, "identity": None, "zones": None, "extendedLocation": None}


def recovery_services_rows(state: State, subscriptions: set[str]) -> list[dict[str, Any]]:
    """Every row of the table for the given subscriptions (lower-case ids): items first, then jobs."""
    now = state.clock.now()
    vaults = sorted((v for v in state.estate.vaults.values() if v.subscription_id.lower() in subscriptions),
                    key=lambda v: v.id.lower())
    rows = []
    for vault in vaults:
        for vm in sorted(vault.items.values(), key=lambda v: (v.resource_group.lower(), v.name.lower())):
            item = shapes.protected_item(vm, _NEWEST, now)
            rows.append(_row(vault, item["id"], item["name"], ITEM_TYPE, item["properties"]))
    since = now - timedelta(days=JOB_DAYS)
    for vault in vaults:
        for job in state.vault_jobs(vault):
            if job.start >= since:
                body = shapes.job(job, vault.id, now, _NEWEST)
                rows.append(_row(vault, body["id"], body["name"], JOB_TYPE, body["properties"]))
    return rows


def _arm_row(resource: dict[str, Any], subscription: str, resource_group: str) -> dict[str, Any]:
    return {"id": resource["id"], "name": resource["name"], "type": resource["type"].lower(), "tenantId": TENANT_ID,
            "kind": resource.get("kind", ""), "location": resource.get("location", "").lower(),
            "resourceGroup": resource_group.lower(), "subscriptionId": subscription,
            "managedBy": resource.get("managedBy", ""), "sku": resource.get("sku"), "plan": None,
            "properties": resource.get("properties"), "tags": resource.get("tags") or {},
            "identity": resource.get("identity"), "zones": resource.get("zones"), "extendedLocation": None}


def resource_rows(state: State, subscriptions: set[str]) -> list[dict[str, Any]]:
    """The ``Resources`` table: every resource of the subscriptions."""
    rows = []
    for resource in arm_resources(state, subscriptions):
        parts = resource["id"].split("/")
        rows.append(_arm_row(resource, parts[2], parts[4]))
    return rows


def container_rows(state: State, subscriptions: set[str]) -> list[dict[str, Any]]:
    """The ``ResourceContainers`` table: the subscriptions, then their resource groups (only the demo one has any)."""
    rows = []
    for sub in sorted(subscriptions):
        rows.append({**_arm_row({"id": f"/subscriptions/{sub}", "name": sub, "type": "microsoft.resources/subscriptions",
                                 "properties": {"state": "Enabled"}}, sub, ""), "resourceGroup": ""})
    now = state.clock.now()
    estate = state.estate
    for key, (name, location) in sorted(list(estate.resource_groups.items())):
        rid = resource_group_id(name)
        sub = rid.split("/")[2]
        if sub.lower() not in subscriptions:
            continue
        state_now = provisioning_state(state, rid, now)
        rows.append(_arm_row({"id": rid, "name": name, "type": "microsoft.resources/subscriptions/resourcegroups",
                              "location": location, "tags": estate.group_tags.get(key) or {},
                              "properties": {"provisioningState": "Deleting" if state_now == "Deleting"
                                             else "Succeeded"}}, sub, name))
    return rows


#: The rows of each table, by name.
TABLES: dict[str, Callable[[State, set[str]], list[dict[str, Any]]]] = {
    "RecoveryServicesResources": recovery_services_rows, "Resources": resource_rows,
    "ResourceContainers": container_rows}
