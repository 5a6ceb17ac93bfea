"""Microsoft.Resources: resource groups (reads), and the subscription's locations (Subscriptions_ListLocations).

Creating and deleting resource groups is ``resource_groups``'s; listing what they hold, ``generic_resources``'s.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import ApiError, bad_request, resource_group_not_found
from ..arm.filters import parse_filter
from ..arm.paths import RESOURCE_GROUP, SUBSCRIPTION
from ..arm.responses import json_response
from ..call import Call, Route, paged_response
from ..estate.inventory import R
from ..estate.tenancy import SUBSCRIPTION_ID
from ..regions import REGIONS, Region, physical_zone, region

#: Before this subscriptions api-version a location has ``latitude``/``longitude`` at the top level
#: and no ``regionalDisplayName`` or ``metadata`` (the 2016-06-01 ``Location`` model).
LOCATION_METADATA_SINCE = "2019-11-01"


def resource_group_name(call: Call) -> str:
    """The resource group of the call's path as it was created; 404 ``ResourceGroupNotFound`` if none."""
    found = call.state.estate.resource_groups.get(call.groups["rg"].lower())
    if found is None:
        raise resource_group_not_found(call.groups["rg"])
    return found[0]


def requested_resource(call: Call, kind: type[R]) -> R | None:
    """The inventory's resource of ``kind`` that the call's path names (its group and ``name``), or None."""
    return call.state.estate.inventory.get(kind, resource_group_name(call), call.groups["name"])


def resource_group_id(name: str) -> str:
    """A resource group's ARM id."""
    return f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{name}"


def resource_group(name: str, location: str, tags: dict[str, str] | None = None,
                   provisioning_state: str = "Succeeded") -> dict[str, Any]:
    """A Microsoft.Resources/resourceGroups resource (``tags`` only when it has some, as ARM answers)."""
    out: dict[str, Any] = {"id": resource_group_id(name), "name": name, "type": "Microsoft.Resources/resourceGroups",
                           "location": location}
    if tags:
        out["tags"] = dict(tags)
    out["properties"] = {"provisioningState": provisioning_state}
    return out


def group_answer(call: Call, key: str) -> dict[str, Any]:
    """The resource group ``key`` (lower-case name) as ARM answers it now: ``Deleting`` while it is deleted."""
    name, loc = call.state.estate.resource_groups[key]
    deleting = call.state.arm_operations.running(resource_group_id(name), call.now, "delete") is not None
    return resource_group(name, loc, call.state.estate.group_tags.get(key), "Deleting" if deleting else "Succeeded")


def writable_resource_group(call: Call) -> str:
    """The path's resource group, for a write in it: 404 if none, 409 ``ResourceGroupBeingDeleted`` while deleted."""
    name = resource_group_name(call)
    if call.state.arm_operations.running(resource_group_id(name), call.now, "delete") is not None:
        raise ApiError(409, "ResourceGroupBeingDeleted",
                       f"The resource group '{name}' is in deprovisioning state and cannot perform this operation.")
    return name


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


def check_location(body: dict[str, Any], resource_type: str, name: str, resource_group: str,
                   existing: str | None) -> str:
    """The region a PUT's ``location`` names (its canonical name), as ARM checks it for ``resource_type``.

    400 ``LocationRequired`` without one, ``LocationNotAvailableForResourceType`` for a region it does not know,
    ``InvalidResourceLocation`` when the resource exists in another region (``existing``).
    """
    value = body.get("location")
    if not isinstance(value, str) or not value:
        raise bad_request("LocationRequired", "The location property is required for this definition.", "location")
    found = region(value)
    if found is None or found.region_type != "Physical":
        available = ",".join(r.display_name.lower() for r in REGIONS if r.region_type == "Physical")
        raise bad_request("LocationNotAvailableForResourceType",
                          f"The provided location '{value}' is not available for resource type '{resource_type}'. "
                          f"List of available regions for the resource type is '{available}'.", "location")
    if existing is not None and existing.lower() != found.name:
        raise bad_request("InvalidResourceLocation",
                          f"The resource '{name}' already exists in location '{existing}' in resource group "
                          f"'{resource_group}'. A resource with the same name cannot be created in location "
                          f"'{found.name}'. Please select a new resource name.")
    return found.name


def get_resource_group(call: Call) -> Response:
    """GET a resource group."""
    name = resource_group_name(call)
    return json_response(group_answer(call, name.lower()))


def arm_filter(call: Call, allowed: tuple[str, ...]) -> dict[str, str]:
    """``{field (lower case): value}`` of the request's ``$filter`` of ``field eq 'value'`` clauses joined by ``and``.

    A field outside ``allowed``, or a filter of another form, is refused with 400 ``InvalidFilterInQueryString``
    (ARM's code: it applies no filter it cannot read). ``tagValue`` needs ``tagName``.
    """
    text = call.request.args.get("$filter")
    try:
        terms = {field.lower(): value for field, value in parse_filter(text, allowed).items()}
    except ApiError as err:
        raise ApiError(400, "InvalidFilterInQueryString",
                       f"Invalid $filter '{text}' specified in the query string. {err.message}") from None
    if "tagvalue" in terms and "tagname" not in terms:
        raise ApiError(400, "InvalidFilterInQueryString",
                       f"Invalid $filter '{text}' specified in the query string. A filter on tagValue needs tagName.")
    return terms


def tag_filter(terms: dict[str, str]) -> tuple[str, str | None] | None:
    """``(tag name, tag value or None)`` of the terms :func:`arm_filter` read; None when they name no tag."""
    return (terms["tagname"], terms.get("tagvalue")) if "tagname" in terms else None


def has_tag(tags: dict[str, str] | None, wanted: tuple[str, str | None] | None) -> bool:
    """True when ``tags`` has the tag ``wanted`` names (tag names compare case-insensitively, values exactly)."""
    if wanted is None:
        return True
    name, value = wanted
    found = {k.lower(): v for k, v in (tags or {}).items()}
    return name.lower() in found and (value is None or found[name.lower()] == value)


def list_resource_groups(call: Call) -> Response:
    """GET the subscription's resource groups (paged; ``$filter`` by tag, ``$top``)."""
    wanted = tag_filter(arm_filter(call, ("tagName", "tagValue")))
    groups = [group_answer(call, key) for key in sorted(list(call.state.estate.resource_groups),
                                                         key=lambda k: call.state.estate.resource_groups[k][0].lower())]
    groups = [g for g in groups if has_tag(g.get("tags"), wanted)]
    top = call.request.args.get("$top")
    if top is not None:
        if not top.isdigit() or int(top) < 1:
            raise ApiError(400, "InvalidTopInQueryString", f"The value '{top}' of $top is not valid; use a positive integer.")
        groups = groups[:int(top)]
    return paged_response(call, groups)


def list_locations(call: Call) -> Response:
    """GET the subscription's locations: one page, no ``nextLink`` (the operation does not page)."""
    return json_response({"value": [location(r, call.api_version) for r in REGIONS]})


ROUTES: list[Route] = [
    ("GET", SUBSCRIPTION + r"/resourcegroups", list_resource_groups, versions.RESOURCE_GROUP_VERSIONS),
    ("GET", RESOURCE_GROUP, get_resource_group, versions.RESOURCE_GROUP_VERSIONS),
    ("GET", SUBSCRIPTION + r"/locations", list_locations, versions.SUBSCRIPTION_VERSIONS),
]
