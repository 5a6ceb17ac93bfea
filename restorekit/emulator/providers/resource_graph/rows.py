"""The rows of Resource Graph's ``RecoveryServicesResources`` table, from the emulator's estate and jobs.

Two kinds of rows, as Resource Graph gives them: protected items
(``microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems``), whose
``properties`` are the item's properties at the newest api-version, and backup jobs of the last
14 days (``microsoft.recoveryservices/vaults/backupjobs``). Types, locations and resource groups
are lower case, as Resource Graph writes them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...arm import versions
from ...estate.tenancy import TENANT_ID
from ...estate.vaults import Vault
from ...state import State
from ..backup import shapes

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
