"""Microsoft.Network: network security groups (NetworkSecurityGroups_CreateOrUpdate, _Get, _List, _ListAll, _Delete).

A PUT answers 201 (200 when it existed) with the group, ``provisioningState: Updating`` and
``Azure-AsyncOperation`` while the operation runs; its rules are checked as the network provider checks them
(priority 100-4096, one priority per direction, known protocol, access and direction). Every group lists Azure's
six default rules, and the subnets and NICs it guards. A group in use cannot be deleted (400
``InUseNetworkSecurityGroupCannotBeDeleted``); deleting a missing one answers 204.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import ApiError, bad_request, resource_not_found
from ..arm.ids import stable_guid
from ..arm.paths import RESOURCE_GROUP, SUBSCRIPTION
from ..arm.responses import empty_response, json_response
from ..call import Call, Route, paged_response
from ..estate.network_security import DEFAULT_RULES, NSG_TYPE, SecurityGroup, SecurityRule
from ..estate.tenancy import SUBSCRIPTION_ID
from ..state import State
from .arm_async import NETWORK, accepted, provisioning_state, start_delete
from .network import etag
from .resource_groups import check_tags
from .resources import check_location, resource_group_name, writable_resource_group

PROTOCOLS = ("Tcp", "Udp", "Icmp", "Esp", "Ah", "*")
ACCESS = ("Allow", "Deny")
DIRECTIONS = ("Inbound", "Outbound")
PRIORITIES = range(100, 4097)
_SINGLE_AND_PLURAL = (("sourceAddressPrefix", "sourceAddressPrefixes"), ("sourcePortRange", "sourcePortRanges"),
                      ("destinationAddressPrefix", "destinationAddressPrefixes"),
                      ("destinationPortRange", "destinationPortRanges"))


def _rule_shape(group: SecurityGroup, rule: SecurityRule, collection: str, state: str) -> dict[str, Any]:
    rid = f"{group.id}/{collection}/{rule.name}"
    props: dict[str, Any] = {"provisioningState": state}
    if rule.description:
        props["description"] = rule.description
    props["protocol"] = rule.protocol
    for (single, plural), (one, many) in zip(_SINGLE_AND_PLURAL, (
            (rule.source_address_prefix, rule.source_address_prefixes), (rule.source_port_range, rule.source_port_ranges),
            (rule.destination_address_prefix, rule.destination_address_prefixes),
            (rule.destination_port_range, rule.destination_port_ranges)), strict=True):
        if not many:
            props[single] = one
        props[plural] = list(many)
    props.update(access=rule.access, priority=rule.priority, direction=rule.direction)
    return {"id": rid, "name": rule.name, "etag": etag(rid.lower()), "type": f"{NSG_TYPE}/{collection}",
            "properties": props}


def security_group(state: State, group: SecurityGroup, now: datetime) -> dict[str, Any]:
    """A Microsoft.Network/networkSecurityGroups resource: its rules, the default ones, what it guards."""
    provisioning = provisioning_state(state, group.id, now)
    props: dict[str, Any] = {
        "provisioningState": provisioning, "resourceGuid": stable_guid("nsg", group.id.lower()),
        "securityRules": [_rule_shape(group, r, "securityRules", provisioning) for r in group.rules],
        "defaultSecurityRules": [_rule_shape(group, r, "defaultSecurityRules", "Succeeded") for r in DEFAULT_RULES]}
    subnets = guarded_subnets(state, group)
    if subnets:
        props["subnets"] = [{"id": sid} for sid in subnets]
    return {"id": group.id, "name": group.name, "type": NSG_TYPE, "location": group.location,
            "etag": etag(group.id.lower()), "tags": dict(group.tags), "properties": props}


def guarded_subnets(state: State, group: SecurityGroup) -> list[str]:
    """The ids of the subnets associated with ``group``."""
    return [f"{net.id}/subnets/{name}" for net in list(state.estate.networks.values())
            for name in net.subnets if (net.subnet_security_group(name) or "").lower() == group.id.lower()]


def _text(props: dict[str, Any], key: str, rule: str, choices: tuple[str, ...] | None = None) -> str:
    value = props.get(key)
    if not isinstance(value, str) or not value:
        raise bad_request("InvalidRequestFormat", f"Security rule '{rule}' has no '{key}'.", f"properties.{key}")
    if choices is not None:
        match = next((c for c in choices if c.lower() == value.lower()), None)
        if match is None:
            raise bad_request("InvalidRequestFormat", f"Security rule '{rule}' has an invalid {key} '{value}'; use one "
                                                      f"of {', '.join(choices)}.", f"properties.{key}")
        return match
    return value


def parse_rule(raw: Any, group_id: str) -> SecurityRule:
    """One rule of a PUT's ``securityRules``; 400 for what the network provider refuses."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise bad_request("InvalidRequestFormat", "Every security rule needs a 'name'.", "properties.securityRules")
    name = raw["name"]
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
    priority = props.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int) or priority not in PRIORITIES:
        raise bad_request("SecurityRuleInvalidPriority",
                          f"Security rule has invalid Priority. Value provided: {priority} Allowed range "
                          f"{PRIORITIES.start}-{PRIORITIES.stop - 1}.", f"{group_id}/securityRules/{name}")
    values: dict[str, Any] = {}
    for single, plural in _SINGLE_AND_PLURAL:
        many = props.get(plural) or []
        if not isinstance(many, list) or not all(isinstance(v, str) and v for v in many):
            raise bad_request("InvalidRequestFormat", f"Security rule '{name}': '{plural}' must be a list of text.")
        if many and props.get(single):
            raise bad_request("InvalidRequestFormat",
                              f"Security rule '{name}' gives both '{single}' and '{plural}'; give one of them.")
        values[single] = "" if many else _text(props, single, name)
        values[plural] = tuple(many)
    return SecurityRule(name, priority, _text(props, "direction", name, DIRECTIONS),
                        _text(props, "access", name, ACCESS), _text(props, "protocol", name, PROTOCOLS),
                        values["sourceAddressPrefix"], values["sourcePortRange"], values["destinationAddressPrefix"],
                        values["destinationPortRange"], str(props.get("description") or ""),
                        values["sourceAddressPrefixes"], values["sourcePortRanges"],
                        values["destinationAddressPrefixes"], values["destinationPortRanges"])


def _check_priorities(rules: list[SecurityRule]) -> None:
    seen: dict[tuple[int, str], str] = {}
    names: set[str] = set()
    for rule in rules:
        if rule.name.lower() in names:
            raise bad_request("InvalidRequestFormat", f"Security rule name '{rule.name}' is given twice.")
        names.add(rule.name.lower())
        other = seen.get((rule.priority, rule.direction))
        if other is not None:
            raise bad_request("SecurityRuleConflict",
                              f"Security rule {rule.name} conflicts with rule {other}. Rules cannot have the same "
                              "Priority and Direction. To learn more, see aka.ms/nsgrules.")
        seen[(rule.priority, rule.direction)] = rule.name


def _group(call: Call) -> tuple[str, SecurityGroup | None]:
    rg = resource_group_name(call)
    return rg, call.state.estate.inventory.get(SecurityGroup, rg, call.groups["name"])


def get_group(call: Call) -> Response:
    """GET a network security group."""
    rg, group = _group(call)
    if group is None:
        raise resource_not_found(NSG_TYPE, call.groups["name"], rg)
    return json_response(security_group(call.state, group, call.now))


def list_groups(call: Call) -> Response:
    """GET the network security groups of the subscription, or of the path's resource group."""
    rg = resource_group_name(call) if "rg" in call.groups else None
    return paged_response(call, [security_group(call.state, g, call.now) for g in call.state.estate.inventory.list(SecurityGroup, rg)])


def create_or_update(call: Call) -> Response:
    """PUT a network security group (its own rules replaced whole)."""
    rg = writable_resource_group(call)
    body = call.json_body()
    if not isinstance(body, dict):
        raise bad_request("InvalidRequestContent", "The request content was invalid and could not be deserialized.")
    name = call.groups["name"]
    existing = call.state.estate.inventory.get(SecurityGroup, rg, name)
    location = check_location(body, NSG_TYPE, name, rg, existing.location if existing else None)
    props = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    raw_rules = props.get("securityRules") or []
    if not isinstance(raw_rules, list):
        raise bad_request("InvalidRequestFormat", "'securityRules' must be a list.", "properties.securityRules")
    group_id = SecurityGroup(SUBSCRIPTION_ID, rg, existing.name if existing else name, location).id
    rules = [parse_rule(r, group_id) for r in raw_rules]
    _check_priorities(rules)
    tags = check_tags(body.get("tags")) or {}
    group = SecurityGroup(SUBSCRIPTION_ID, rg, existing.name if existing else name, location, tuple(rules),
                          tuple(tags.items()))
    call.state.estate.inventory.add(group)
    op = call.state.arm_operations.start("put", group.id, location, call.now, call.state.settings.operation_seconds)
    return accepted(call, op, NETWORK, 200 if existing else 201, security_group(call.state, group, call.now))


def delete(call: Call) -> Response:
    """DELETE a network security group: 202 while it goes, 204 when there was none, 400 while in use."""
    rg, group = _group(call)
    if group is None:
        return empty_response(204)
    users = guarded_subnets(call.state, group)
    if users:
        raise ApiError(400, "InUseNetworkSecurityGroupCannotBeDeleted",
                       f"Network security group {group.id} cannot be deleted because it is in use by the following "
                       f"resources: {', '.join(users)}. In order to delete the Network security group, remove the "
                       "association with the resource(s). To learn how to do this, see aka.ms/deletensg.")
    inventory = call.state.estate.inventory
    return start_delete(call, group.id, group.location, NETWORK,
                        lambda: inventory.remove(SecurityGroup, group.resource_group, group.name))


_NSGS = r"/providers/Microsoft\.Network/networkSecurityGroups"
_V = versions.NETWORK_VERSIONS

ROUTES: list[Route] = [
    ("GET", SUBSCRIPTION + _NSGS, list_groups, _V),
    ("GET", RESOURCE_GROUP + _NSGS, list_groups, _V),
    ("GET", RESOURCE_GROUP + _NSGS + r"/(?P<name>[^/]+)", get_group, _V),
    ("PUT", RESOURCE_GROUP + _NSGS + r"/(?P<name>[^/]+)", create_or_update, _V),
    ("DELETE", RESOURCE_GROUP + _NSGS + r"/(?P<name>[^/]+)", delete, _V),
]
