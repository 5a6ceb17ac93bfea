"""Microsoft.Resources: creating, checking and deleting resource groups (ResourceGroups_CreateOrUpdate,
_CheckExistence, _Delete).

A deletion is a long-running operation, as ARM runs it: 202 with ``Location`` (``{sub}/operationresults/{id}``)
and ``Retry-After``; the group reads ``provisioningState: Deleting`` meanwhile and refuses writes (409
``ResourceGroupBeingDeleted``); when it ends, the group and everything in it are gone, and restores still
creating resources in it fail. A deletion can fail (``machine_faults.delete_fails_once``, or a group that holds
a Recovery Services vault): the operation's result is then 409 ``ResourceGroupDeletionBlocked`` and the group is
rolled back, whole.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import ApiError, bad_request
from ..arm.paths import RESOURCE_GROUP
from ..arm.responses import empty_response, json_response
from ..call import Call, Route
from ..regions import REGIONS, region
from .arm_async import RESOURCES, accepted
from .resources import group_answer, resource_group_id, resource_group_name, writable_resource_group

#: Resource group names: 1-90 letters, digits, ``._-()`` and Unicode letters, not ending with a period.
_NAME = re.compile(r"^[-\w._()]{1,90}$")
#: ARM's limits on tags: 50 per resource, names up to 512 characters, values up to 256.
MAX_TAGS, MAX_TAG_NAME, MAX_TAG_VALUE = 50, 512, 256


def check_tags(tags: Any) -> dict[str, str] | None:
    """The body's ``tags`` as a dict of text, or None when absent; 400 ``InvalidTag`` for what ARM refuses."""
    if tags is None:
        return None
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise bad_request("InvalidRequestContent", "The tags must be an object of text values.", "tags")
    if len(tags) > MAX_TAGS:
        raise bad_request("InvalidTag", f"The number of tags ({len(tags)}) exceeds the limit of {MAX_TAGS}.", "tags")
    for name, value in tags.items():
        if not name or len(name) > MAX_TAG_NAME or len(value) > MAX_TAG_VALUE or set(name) & set("<>%&\\?/"):
            raise bad_request("InvalidTag", f"The tag name '{name}' or its value is invalid: names have 1 to "
                                            f"{MAX_TAG_NAME} characters without <>%&\\?/, values up to {MAX_TAG_VALUE}.",
                              "tags")
    return dict(tags)


def create_or_update(call: Call) -> Response:
    """PUT a resource group: 201 when created, 200 when it existed (its tags replaced)."""
    name = call.groups["rg"]
    if not _NAME.match(name) or name.endswith("."):
        raise bad_request("InvalidResourceGroup",
                          f"The provided resource group name '{name}' has these invalid characters or length: resource "
                          "group names have 1 to 90 letters, digits, periods, underscores, hyphens and parentheses, "
                          "and do not end in a period.")
    body = call.json_body()
    if not isinstance(body, dict):
        raise bad_request("InvalidRequestContent", "The request content was invalid and could not be deserialized.")
    location = body.get("location")
    if not isinstance(location, str) or not location:
        raise bad_request("LocationRequired", "The location property is required for this definition.", "location")
    found = region(location.lower().replace(" ", ""))
    if found is None or found.region_type != "Physical":
        available = ",".join(r.name for r in REGIONS if r.region_type == "Physical")
        raise bad_request("LocationNotAvailableForResourceGroup",
                          f"The provided location '{location}' is not available for resource group. List of available "
                          f"regions is '{available}'.", "location")
    tags = check_tags(body.get("tags"))
    existing = call.state.estate.resource_groups.get(name.lower())
    if existing is not None:
        writable_resource_group(call)
        if existing[1] != found.name:
            raise ApiError(409, "InvalidResourceGroupLocation",
                           f"Invalid resource group location '{location}'. The Resource group already exists in "
                           f"location '{existing[1]}'.")
    call.state.estate.add_resource_group(name, found.name, tags if tags is not None else {})
    return json_response(group_answer(call, name.lower()), 200 if existing else 201)


def check_existence(call: Call) -> Response:
    """HEAD a resource group: 204 when it exists, 404 when not (no body either way)."""
    if call.groups["rg"].lower() not in call.state.estate.resource_groups:
        return empty_response(404)
    return empty_response(204)


def _blocked(name: str, blockers: list[str]) -> dict[str, Any]:
    listed = ",".join(blockers)
    return {"status": 409, "code": "ResourceGroupDeletionBlocked",
            "message": f"Deletion of resource group '{name}' failed as resources with identifiers '{listed}' could not "
                       "be deleted. The provisioning state of the resource group will be rolled back. The tracking Id "
                       f"is '{uuid.uuid4()}'. Please check audit logs for more details.",
            "details": [{"code": "InternalServerError",
                         "message": f"The resource '{blockers[0]}' could not be deleted; retry the deletion."}]}


def delete(call: Call) -> Response:
    """DELETE a resource group: 202 with ``Location``; the deletion runs on the clock (see the module)."""
    name = resource_group_name(call)
    rid = resource_group_id(name)
    ops = call.state.arm_operations
    running = ops.running(rid, call.now, "delete")
    if running is not None:
        return accepted(call, running, RESOURCES)
    state = call.state
    holds_vault = [v.id for v in state.estate.vaults.values() if v.resource_group.lower() == name.lower()]
    error = None
    if holds_vault:
        error = _blocked(name, [f"Microsoft.RecoveryServices/vaults/{v.rsplit('/', 1)[1]}" for v in holds_vault])
    elif state.machine_faults.take_delete_failure(name):
        error = _blocked(name, [_first_resource(call, name)])

    def gone() -> None:
        state.outcomes.abandon(name, op.end)
        state.estate.remove_resource_group(name)

    op = ops.start("delete", rid, call.state.estate.resource_groups[name.lower()][1], call.now,
                   2 * state.settings.operation_seconds, error=error, on_success=gone)
    return accepted(call, op, RESOURCES)


def _first_resource(call: Call, group: str) -> str:
    """``Namespace/type/name`` of one resource of the group (what a blocked deletion names), or the group's."""
    nets = [n for n in list(call.state.estate.networks.values()) if n.resource_group.lower() == group.lower()]
    if nets:
        return f"Microsoft.Network/virtualNetworks/{nets[0].name}"
    inside = call.state.estate.inventory.in_group(group)
    return inside[0].id.split("/providers/", 1)[1] if inside else f"Microsoft.Resources/resourceGroups/{group}"


ROUTES: list[Route] = [
    ("PUT", RESOURCE_GROUP, create_or_update, versions.RESOURCE_GROUP_VERSIONS),
    ("HEAD", RESOURCE_GROUP, check_existence, versions.RESOURCE_GROUP_VERSIONS),
    ("DELETE", RESOURCE_GROUP, delete, versions.RESOURCE_GROUP_VERSIONS),
]
