"""Microsoft.Resources: resource groups, and the subscription's locations (Subscriptions_ListLocations)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import resource_group_not_found
from ..arm.paths import RESOURCE_GROUP, SUBSCRIPTION
from ..arm.responses import json_response
from ..call import Call, Route, paged_response
from ..estate.tenancy import SUBSCRIPTION_ID
from ..regions import REGIONS, Region, physical_zone

#: Before this subscriptions api-version a location has ``latitude``/``longitude`` at the top level
#: and no ``regionalDisplayName`` or ``metadata`` (the 2016-06-01 ``Location`` model).
LOCATION_METADATA_SINCE = "2019-11-01"


def resource_group_name(call: Call) -> str:
    """The resource group of the call's path as it was created; 404 ``ResourceGroupNotFound`` if none."""
    found = call.state.estate.resource_groups.get(call.groups["rg"].lower())
    if found is None:
        raise resource_group_not_found(call.groups["rg"])
    return found[0]


def resource_group(name: str, location: str) -> dict[str, Any]:
    """A Microsoft.Resources/resourceGroups resource."""
    return {"id": f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{name}", "name": name,
            "type": "Microsoft.Resources/resourceGroups", "location": location,
            "properties": {"provisioningState": "Succeeded"}}


def location(region: Region, api_version: str) -> dict[str, Any]:
    """A ``Location`` of Subscriptions_ListLocations, shaped for ``api_version``."""
    rid = f"/subscriptions/{SUBSCRIPTION_ID}/locations/{region.name}"
    if api_version < LOCATION_METADATA_SINCE:
        old: dict[str, Any] = {"id": rid, "subscriptionId": SUBSCRIPTION_ID, "name": region.name,
                               "displayName": region.display_name}
        if region.latitude:
            old.update(latitude=region.latitude, longitude=region.longitude)
        return old
    metadata: dict[str, Any] = {"regionType": region.region_type, "regionCategory": region.category,
                                "geography": region.geography, "geographyGroup": region.geography_group}
    if region.region_type == "Physical":
        metadata.update(longitude=region.longitude, latitude=region.latitude,
                        physicalLocation=region.physical_location,
                        pairedRegion=[{"name": region.paired,
                                       "id": f"/subscriptions/{SUBSCRIPTION_ID}/locations/{region.paired}"}]
                        if region.paired else [])
    out: dict[str, Any] = {"id": rid, "name": region.name, "type": "Region", "displayName": region.display_name,
                           "regionalDisplayName": region.regional_display_name, "metadata": metadata}
    if region.zones and api_version >= versions.ZONE_MAPPINGS_SINCE:
        out["availabilityZoneMappings"] = [{"logicalZone": z, "physicalZone": physical_zone(SUBSCRIPTION_ID,
                                                                                            region.name, z)}
                                           for z in region.zones]
    return out


def get_resource_group(call: Call) -> Response:
    """GET a resource group."""
    name = resource_group_name(call)
    return json_response(resource_group(*call.state.estate.resource_groups[name.lower()]))


def list_resource_groups(call: Call) -> Response:
    """GET the subscription's resource groups (paged)."""
    groups = sorted(call.state.estate.resource_groups.values(), key=lambda g: g[0].lower())
    return paged_response(call, [resource_group(name, loc) for name, loc in groups])


def list_locations(call: Call) -> Response:
    """GET the subscription's locations: one page, no ``nextLink`` (the operation does not page)."""
    return json_response({"value": [location(r, call.api_version) for r in REGIONS]})


ROUTES: list[Route] = [
    ("GET", SUBSCRIPTION + r"/resourcegroups", list_resource_groups, versions.RESOURCE_GROUP_VERSIONS),
    ("GET", RESOURCE_GROUP, get_resource_group, versions.RESOURCE_GROUP_VERSIONS),
    ("GET", SUBSCRIPTION + r"/locations", list_locations, versions.SUBSCRIPTION_VERSIONS),
]
