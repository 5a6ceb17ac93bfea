"""Protected items: the vault's list (with ``$filter``) and one item."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ...arm.filters import parse_filter
from ...arm.responses import json_response
from ...call import Call, Route, paged_response
from . import shapes
from .lookups import BACKUP, BOTH, ITEM, VAULT, item, vault

_ITEM_FILTER = ("healthState", "backupManagementType", "itemType", "policyName", "containerName", "backupEngineName",
                "friendlyName", "fabricName", "backupSetName")


def list_items(call: Call) -> Response:
    """GET {vault}/backupProtectedItems with an optional $filter."""
    found = vault(call)
    flt = parse_filter(call.request.args.get("$filter"), _ITEM_FILTER)
    out = []
    for vm in sorted(found.items.values(), key=lambda v: (v.resource_group.lower(), v.name.lower())):
        body = shapes.protected_item(vm, call.api_version, call.now)
        p = body["properties"]
        values = {"backupManagementType": "AzureIaasVM", "itemType": "VM", "policyName": vm.policy,
                  "containerName": p["containerName"], "friendlyName": vm.name, "fabricName": "Azure",
                  "healthState": p["healthStatus"]}
        if all(str(values.get(k, "")).lower() == v.lower() for k, v in flt.items()):
            out.append(body)
    return paged_response(call, out)


def get_item(call: Call) -> Response:
    """GET {item}."""
    _, vm = item(call)
    return json_response(shapes.protected_item(vm, call.api_version, call.now))


ROUTES: list[Route] = [
    ("GET", VAULT + r"/backupProtectedItems", list_items, BOTH),
    ("GET", ITEM, get_item, BACKUP),
]
