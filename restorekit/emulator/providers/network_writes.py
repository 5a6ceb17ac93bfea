"""Microsoft.Network writes: virtual networks and subnets (create, update, delete), network interfaces (delete).

A PUT answers 201 (200 when the resource existed) with the resource, ``provisioningState: Updating`` and
``Azure-AsyncOperation`` while its operation runs. What the network provider refuses is refused: a subnet
outside the address space or overlapping another (``NetcfgSubnetRangeOutsideVnet``,
``NetcfgSubnetRangesOverlap``), a prefix that is not CIDR (``InvalidAddressPrefixFormat``), a network security
group that does not exist or lives in another region (``InvalidResourceReference``), a subnet in use that an
update or a delete would remove (``InUseSubnetCannotBeDeleted``), a NIC attached to a VM (``NicInUse``).
Deleting a missing resource answers 204; a deletion is a long-running operation (202, ``Azure-AsyncOperation``
and ``Location``). A virtual network has one address prefix here, and no peering.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import ApiError, bad_request
from ..arm.ids import split_resource_id
from ..arm.paths import RESOURCE_GROUP
from ..arm.responses import empty_response
from ..call import Call, Route
from ..estate.inventory import NetworkInterface
from ..estate.network_security import NSG_TYPE, SecurityGroup
from ..estate.resources import VirtualNetwork
from .arm_async import NETWORK, accepted, start_delete
from .network import VNET_TYPE, ip_configuration_id, requested_network, subnet, virtual_network
from .resource_groups import check_tags
from .resources import check_location, requested_resource, resource_group_name, writable_resource_group


def _prefix(value: Any, owner: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError:
        raise bad_request("InvalidAddressPrefixFormat",
                          f"Address prefix {value} of resource {owner} is not formatted correctly. It should follow "
                          "CIDR notation, for example 10.0.0.0/24.") from None


def _security_group(call: Call, raw: Any, subnet_id: str, location: str) -> str | None:
    """The id of the subnet's ``networkSecurityGroup``, checked to exist in the network's region."""
    if raw is None:
        return None
    nsg_id = raw.get("id") if isinstance(raw, dict) else None
    parts = split_resource_id(nsg_id)
    group = None
    if parts is not None and parts[2].lower() == NSG_TYPE.lower():
        group = call.state.estate.inventory.get(SecurityGroup, parts[1], parts[3])
    if group is None or group.location != location:
        raise bad_request("InvalidResourceReference",
                          f"Resource {nsg_id} referenced by resource {subnet_id} was not found. Please make sure that "
                          "the referenced resource exists, and that both resources are in the same region.")
    return group.id


def _users(call: Call, subnet_id: str) -> list[str]:
    """The IP configurations (ids) of the NICs in a subnet."""
    return [ip_configuration_id(n) for n in call.state.estate.inventory.list(NetworkInterface)
            if n.subnet_id.lower() == subnet_id.lower()]


def _in_use(subnet_id: str, users: list[str]) -> ApiError:
    name = subnet_id.rsplit("/", 1)[1]
    return bad_request("InUseSubnetCannotBeDeleted",
                       f"Subnet {name} is in use by {', '.join(users)} and cannot be deleted. In order to delete the "
                       "subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.")


def _check_subnets(net_id: str, space: ipaddress.IPv4Network, subnets: list[tuple[str, ipaddress.IPv4Network]]) -> None:
    for index, (name, prefix) in enumerate(subnets):
        if not prefix.subnet_of(space):
            raise bad_request("NetcfgSubnetRangeOutsideVnet",
                              f"Subnet '{name}' is not valid because its IP address range is outside the IP address "
                              f"range of virtual network '{net_id.rsplit('/', 1)[1]}'.")
        for other, other_prefix in subnets[:index]:
            if other.lower() == name.lower():
                raise bad_request("InvalidRequestFormat", f"Subnet '{name}' is given twice.")
            if prefix.overlaps(other_prefix):
                raise bad_request("NetcfgSubnetRangesOverlap",
                                  f"Subnet '{name}' is not valid because its IP address range overlaps with that of "
                                  f"an existing subnet '{other}' in virtual network '{net_id.rsplit('/', 1)[1]}'.")


def create_or_update_network(call: Call) -> Response:
    """PUT a virtual network with its subnets (the subnets are replaced whole, as the provider does)."""
    rg = writable_resource_group(call)
    body = call.json_body()
    if not isinstance(body, dict):
        raise bad_request("InvalidRequestContent", "The request content was invalid and could not be deserialized.")
    estate = call.state.estate
    existing = estate.network(rg, call.groups["name"])
    name = existing.name if existing else call.groups["name"]
    location = check_location(body, VNET_TYPE, name, rg, existing.location if existing else None)
    net_id = VirtualNetwork(name, rg, location).id
    props = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    prefixes = (props.get("addressSpace") or {}).get("addressPrefixes") if isinstance(props.get("addressSpace"), dict) \
        else None
    if not isinstance(prefixes, list) or len(prefixes) != 1:
        raise bad_request("InvalidRequestFormat", "The emulator's virtual networks have exactly one address prefix: "
                                                  "give 'properties.addressSpace.addressPrefixes' one CIDR block.")
    space = _prefix(prefixes[0], net_id)
    raw_subnets = props.get("subnets") or []
    if not isinstance(raw_subnets, list) or not all(isinstance(s, dict) and s.get("name") for s in raw_subnets):
        raise bad_request("InvalidRequestFormat", "Every subnet needs a 'name'.", "properties.subnets")
    subnets = []
    for raw in raw_subnets:
        sid = f"{net_id}/subnets/{raw['name']}"
        sprops = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
        subnets.append((raw["name"], _prefix(sprops.get("addressPrefix"), sid),
                        _security_group(call, sprops.get("networkSecurityGroup"), sid, location)))
    _check_subnets(net_id, space, [(n, p) for n, p, _ in subnets])
    if existing is not None:
        kept = {n.lower() for n, _, _ in subnets}
        for old in existing.subnets:
            users = _users(call, f"{existing.id}/subnets/{old}")
            if old.lower() not in kept and users:
                raise _in_use(f"{existing.id}/subnets/{old}", users)
    tags = check_tags(body.get("tags")) or {}
    net = VirtualNetwork(name, rg, location, tuple(n for n, _, _ in subnets), str(space),
                         prefixes=tuple(str(p) for _, p, _ in subnets), security_groups=tuple(g for _, _, g in subnets),
                         tags=tuple(tags.items()))
    estate.set_network(net)
    op = call.state.arm_operations.start("put", net.id, location, call.now, call.state.settings.operation_seconds)
    return accepted(call, op, NETWORK, 200 if existing else 201, virtual_network(net, estate.inventory, "Updating"))


def delete_network(call: Call) -> Response:
    """DELETE a virtual network (refused while a NIC uses one of its subnets)."""
    rg = resource_group_name(call)
    estate = call.state.estate
    net = estate.network(rg, call.groups["name"])
    if net is None:
        return empty_response(204)
    for name in net.subnets:
        users = _users(call, f"{net.id}/subnets/{name}")
        if users:
            raise _in_use(f"{net.id}/subnets/{name}", users)
    return start_delete(call, net.id, net.location, NETWORK, lambda: estate.remove_network(net.resource_group, net.name))


def create_or_update_subnet(call: Call) -> Response:
    """PUT one subnet of a virtual network (its prefix and network security group)."""
    writable_resource_group(call)
    net = requested_network(call)
    body = call.json_body()
    if not isinstance(body, dict):
        raise bad_request("InvalidRequestContent", "The request content was invalid and could not be deserialized.")
    found = net.subnet_name(call.groups["subnet"])
    name = found or call.groups["subnet"]
    sid = f"{net.id}/subnets/{name}"
    props = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    prefix = _prefix(props.get("addressPrefix"), sid)
    group = _security_group(call, props.get("networkSecurityGroup"), sid, net.location)
    entries = [(s, ipaddress.IPv4Network(net.subnet_prefix(s)), net.subnet_security_group(s)) for s in net.subnets]
    entries = [(s, p, g) for s, p, g in entries if s.lower() != name.lower()] + [(name, prefix, group)]
    _check_subnets(net.id, ipaddress.IPv4Network(net.address_prefix), [(s, p) for s, p, _ in entries])
    order = list(net.subnets) + ([] if found else [name])
    by_name = {s.lower(): (s, p, g) for s, p, g in entries}
    rows = [by_name[s.lower()] for s in order]
    updated = replace(net, subnets=tuple(s for s, _, _ in rows), prefixes=tuple(str(p) for _, p, _ in rows),
                      security_groups=tuple(g for _, _, g in rows))
    call.state.estate.set_network(updated)
    op = call.state.arm_operations.start("put", sid, net.location, call.now, call.state.settings.operation_seconds)
    return accepted(call, op, NETWORK, 200 if found else 201,
                    subnet(updated, name, call.state.estate.inventory, "Updating"))


def delete_subnet(call: Call) -> Response:
    """DELETE a subnet (refused while a NIC is in it)."""
    net = requested_network(call)
    name = net.subnet_name(call.groups["subnet"])
    if name is None:
        return empty_response(204)
    sid = f"{net.id}/subnets/{name}"
    users = _users(call, sid)
    if users:
        raise _in_use(sid, users)
    estate = call.state.estate

    def remove() -> None:
        current = estate.network(net.resource_group, net.name)
        if current is None or current.subnet_name(name) is None:
            return
        keep = [i for i, s in enumerate(current.subnets) if s.lower() != name.lower()]
        estate.set_network(replace(current, subnets=tuple(current.subnets[i] for i in keep),
                                   prefixes=tuple(current.subnet_prefix(current.subnets[i]) for i in keep),
                                   security_groups=tuple(current.subnet_security_group(current.subnets[i])
                                                         for i in keep)))

    return start_delete(call, sid, net.location, NETWORK, remove)


def delete_network_interface(call: Call) -> Response:
    """DELETE a network interface (refused while a VM uses it: 400 ``NicInUse``)."""
    inventory = call.state.estate.inventory
    nic = requested_resource(call, NetworkInterface)
    if nic is None:
        return empty_response(204)
    if nic.vm_id:
        raise bad_request("NicInUse",
                          f"Network Interface {nic.id} is used by existing resource {nic.vm_id}. In order to delete "
                          "the network interface, it must be dissociated from the resource. To learn more, see "
                          "aka.ms/deletenic.")
    return start_delete(call, nic.id, nic.location, NETWORK,
                        lambda: inventory.remove(NetworkInterface, nic.resource_group, nic.name))


_VNET = RESOURCE_GROUP + r"/providers/Microsoft\.Network/virtualNetworks/(?P<name>[^/]+)"
_NIC = RESOURCE_GROUP + r"/providers/Microsoft\.Network/networkInterfaces/(?P<name>[^/]+)"
_V = versions.NETWORK_VERSIONS

ROUTES: list[Route] = [
    ("PUT", _VNET, create_or_update_network, _V),
    ("DELETE", _VNET, delete_network, _V),
    ("PUT", _VNET + r"/subnets/(?P<subnet>[^/]+)", create_or_update_subnet, _V),
    ("DELETE", _VNET + r"/subnets/(?P<subnet>[^/]+)", delete_subnet, _V),
    ("DELETE", _NIC, delete_network_interface, _V),
]


