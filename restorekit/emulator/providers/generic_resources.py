"""Microsoft.Resources: the resources of a subscription or of a resource group (Resources_List,
Resources_ListByResourceGroup), as ARM lists them: generic envelopes (id, name, type, sku, kind, managedBy,
identity, zones, location, tags), paged, filtered by ``$filter`` on ``resourceType``, ``location``, ``name``,
or a tag (``tagName eq 'x' and tagValue eq 'y'``). ``$top`` caps the list. Listing what is left in a resource
group is how a client proves a cleanup through ARM.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import ApiError
from ..arm.paths import RESOURCE_GROUP, SUBSCRIPTION
from ..call import Call, Route, paged_response
from .catalog import arm_resources, generic
from .resources import arm_filter, has_tag, resource_group_name, tag_filter

_FIELDS = ("resourceType", "location", "name", "tagName", "tagValue")


def _matches(resource: dict[str, Any], terms: dict[str, str]) -> bool:
    for field, key in (("resourcetype", "type"), ("location", "location"), ("name", "name")):
        if field in terms and str(resource.get(key, "")).lower() != terms[field].lower():
            return False
    return has_tag(resource.get("tags"), tag_filter(terms))


def list_resources(call: Call) -> Response:
    """GET ``{sub}/resources`` or ``{rg}/resources``."""
    rg = resource_group_name(call) if "rg" in call.groups else None
    terms = arm_filter(call, _FIELDS)
    found = [generic(r) for r in arm_resources(call.state, {call.groups["sub"].lower()}, rg) if _matches(r, terms)]
    top = call.request.args.get("$top")
    if top is not None:
        if not top.isdigit() or int(top) < 1:
            raise ApiError(400, "InvalidTopInQueryString",
                           f"The value '{top}' of $top is not valid; use a positive integer.")
        found = found[:int(top)]
    return paged_response(call, found)


ROUTES: list[Route] = [
    ("GET", SUBSCRIPTION + r"/resources", list_resources, versions.RESOURCE_GROUP_VERSIONS),
    ("GET", RESOURCE_GROUP + r"/resources", list_resources, versions.RESOURCE_GROUP_VERSIONS),
]
