"""A regional outage: the active stamp of a region answers 503, its passive stamp keeps working.

While ``state.faults.region_outage("westus")`` lasts, every request served by westus answers 503
``ServiceUnavailable`` (ARM envelope, ``Retry-After``):

* a vault path (the vault, its items, points, restores, jobs, operations) with an active-stamp
  api-version, for a vault located in westus;
* a vault path with a passive-stamp api-version (2018-12-20 …) for a vault whose *secondary*
  region is westus (the passive stamp serves the secondary region's copy);
* a ``…/locations/westus/…`` path (AAD properties, cross-region restore, CRR operations and jobs).

So during a westus outage, testVault (westus, secondary eastus) refuses its primary calls while
the cross-region restore calls keep working.
"""

from __future__ import annotations

import re

from werkzeug.wrappers import Request

from ..arm import versions
from ..arm.errors import ApiError
from ..state import State

_VAULT = re.compile(r"^/subscriptions/[^/]+/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.RecoveryServices/"
                    r"vaults/(?P<vault>[^/]+)(?:/|$)", re.I)
_LOCATION = re.compile(r"^/subscriptions/[^/]+/providers/Microsoft\.RecoveryServices/locations/(?P<region>[^/]+)/",
                       re.I)


def serving_region(state: State, request: Request) -> str | None:
    """The region whose stamp serves this request, or None (not a regional Recovery Services call)."""
    location = _LOCATION.match(request.path)
    if location:
        return location.group("region").lower()
    m = _VAULT.match(request.path)
    vault = state.estate.vault(m.group("rg"), m.group("vault")) if m else None
    if vault is None:
        return None
    if request.args.get("api-version") in versions.PASSIVE_VERSIONS:
        return vault.secondary_region
    return vault.location.lower()


def check_outage(state: State, request: Request) -> None:
    """503 ``ServiceUnavailable`` when the serving region is out."""
    regions = state.faults.outage_regions
    if not regions:
        return
    region = serving_region(state, request)
    if region in regions:
        raise ApiError(503, "ServiceUnavailable",
                       f"The service is temporarily unavailable in region '{region}'. Please retry later.",
                       headers={"Retry-After": str(max(1, state.settings.retry_after))})
