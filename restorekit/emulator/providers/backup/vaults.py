"""Recovery Services vaults: the list per subscription or resource group, and one vault."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ...arm import versions
from ...arm.paths import RESOURCE_GROUP, SUBSCRIPTION
from ...arm.responses import json_response
from ...call import Call, Route, paged_response
from . import shapes
from .lookups import VAULT, vault


def list_vaults(call: Call) -> Response:
    """GET vaults of the subscription or of a resource group."""
    rg, sub = call.groups.get("rg"), call.groups["sub"].lower()
    vaults = [v for v in call.state.estate.vaults.values() if v.subscription_id.lower() == sub
              and (rg is None or v.resource_group.lower() == rg.lower())]
    return paged_response(call, [shapes.vault(v, call.api_version) for v in vaults])


def get_vault(call: Call) -> Response:
    """GET one vault."""
    return json_response(shapes.vault(vault(call), call.api_version))


ROUTES: list[Route] = [
    ("GET", SUBSCRIPTION + r"/providers/Microsoft\.RecoveryServices/vaults", list_vaults, versions.VAULT_VERSIONS),
    ("GET", RESOURCE_GROUP + r"/providers/Microsoft\.RecoveryServices/vaults", list_vaults, versions.VAULT_VERSIONS),
    ("GET", VAULT, get_vault, versions.VAULT_VERSIONS),
]
