"""Microsoft.Storage: storage accounts (GET one; list per subscription and per resource group)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import resource_not_found
from ..arm.paths import RESOURCE_GROUP, SUBSCRIPTION
from ..arm.responses import json_response
from ..call import Call, Route, paged_response
from ..clock import iso
from ..estate.resources import StorageAccount
from ..regions import PAIRED_REGION
from .resources import resource_group_name

ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
#: The services a kind of account offers endpoints for.
KIND_SERVICES = {"StorageV2": ("blob", "dfs", "file", "queue", "table", "web"),
                 "Storage": ("blob", "file", "queue", "table"),
                 "BlobStorage": ("blob", "dfs", "web"),
                 "BlockBlobStorage": ("blob", "dfs", "web"),
                 "FileStorage": ("file",)}
_GEO_REDUNDANT = ("GRS", "RAGRS", "GZRS", "RAGZRS")


def _endpoints(name: str, kind: str, suffix: str = "") -> dict[str, str]:
    return {s: f"https://{name.lower()}{suffix}.{s}.core.windows.net/" for s in KIND_SERVICES.get(kind, ("blob",))}


def storage_account(acc: StorageAccount) -> dict[str, Any]:
    """A Microsoft.Storage/storageAccounts resource."""
    tier = "Premium" if acc.sku.startswith("Premium") else "Standard"
    redundancy = acc.sku.split("_", 1)[-1]
    created = datetime(2022, 1, 3, tzinfo=UTC) + timedelta(
        minutes=int(hashlib.sha256(acc.name.lower().encode()).hexdigest()[:8], 16) % 700_000)
    props: dict[str, Any] = {
        "provisioningState": "Succeeded", "creationTime": iso(created),
        "primaryEndpoints": _endpoints(acc.name, acc.kind), "primaryLocation": acc.location,
        "statusOfPrimary": "available", "supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2",
        "allowBlobPublicAccess": False, "allowSharedKeyAccess": True,
        "networkAcls": {"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [], "defaultAction": "Allow"},
        "encryption": {"keySource": "Microsoft.Storage", "requireInfrastructureEncryption": False,
                       "services": {s: {"enabled": True, "keyType": "Account", "lastEnabledTime": iso(created)}
                                    for s in ("blob", "file")}},
    }
    if tier == "Standard" and acc.kind != "Storage":
        props["accessTier"] = "Hot"
    if redundancy in _GEO_REDUNDANT and acc.location in PAIRED_REGION:
        props.update(secondaryLocation=PAIRED_REGION[acc.location], statusOfSecondary="available")
        if redundancy.startswith("RA"):
            props["secondaryEndpoints"] = _endpoints(acc.name, acc.kind, "-secondary")
    return {"id": acc.id, "name": acc.name, "type": ACCOUNT_TYPE, "location": acc.location, "tags": {},
            "kind": acc.kind, "sku": {"name": acc.sku, "tier": tier}, "properties": props}


def get_storage_account(call: Call) -> Response:
    """GET a storage account."""
    rg = resource_group_name(call)
    acc = call.state.estate.storage_account(rg, call.groups["name"])
    if acc is None:
        raise resource_not_found(ACCOUNT_TYPE, call.groups["name"], rg)
    return json_response(storage_account(acc))


def list_storage_accounts(call: Call) -> Response:
    """GET the storage accounts of the subscription, or of the resource group in the path."""
    rg = resource_group_name(call) if "rg" in call.groups else None
    accounts = sorted((a for a in call.state.estate.storage_accounts.values()
                       if rg is None or a.resource_group.lower() == rg.lower()),
                      key=lambda a: (a.resource_group.lower(), a.name.lower()))
    return paged_response(call, [storage_account(a) for a in accounts])


_ACCOUNTS = r"/providers/Microsoft\.Storage/storageAccounts"

ROUTES: list[Route] = [
    ("GET", SUBSCRIPTION + _ACCOUNTS, list_storage_accounts, versions.STORAGE_VERSIONS),
    ("GET", RESOURCE_GROUP + _ACCOUNTS, list_storage_accounts, versions.STORAGE_VERSIONS),
    ("GET", RESOURCE_GROUP + _ACCOUNTS + r"/(?P<name>[^/]+)", get_storage_account, versions.STORAGE_VERSIONS),
]
