"""Microsoft.Network: virtual networks (subnets inline), subnets, and network interfaces (reads and shapes).

Creating and deleting them is ``network_writes``'s; network security groups are ``security_groups``'.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import not_found, resource_not_found
from ..arm.ids import as_referenced, stable_guid
from ..arm.paths import RESOURCE_GROUP, SUBSCRIPTION
from ..arm.responses import json_response
from ..call import Call, Route, paged_response
from ..estate.inventory import NIC_TYPE, Inventory, NetworkInterface
from ..estate.resources import VirtualNetwork
from .arm_async import provisioning_state
from .resources import resource_group_name

VNET_TYPE = "Microsoft.Network/virtualNetworks"
IP_CONFIGURATION = "ipconfig1"


def etag(*parts: str) -> str:
    """A weak etag, stable for the same parts."""
    return f'W/"{stable_guid("etag", *parts)}"'


def ip_configuration_id(nic: NetworkInterface) -> str:
    """The id of the NIC's (only) IP configuration."""
    return f"{nic.id}/ipConfigurations/{IP_CONFIGURATION}"


def subnet(net: VirtualNetwork, name: str, inventory: Inventory, provisioning_state: str = "Succeeded") -> dict[str, Any]:
    """A subnet of ``net``, with its network security group and the IP configurations of the NICs in it."""
    sid = f"{net.id}/subnets/{name}"
    props: dict[str, Any] = {"provisioningState": provisioning_state, "addressPrefix": net.subnet_prefix(name)}
    nsg = net.subnet_security_group(name)
    if nsg:
        props["networkSecurityGroup"] = {"id": nsg}
    users = [n for n in inventory.list(NetworkInterface) if n.subnet_id.lower() == sid.lower()]
    if users:
        props["ipConfigurations"] = [{"id": as_referenced(ip_configuration_id(n))} for n in users]
    props.update(delegations=[], privateEndpointNetworkPolicies="Disabled",
                 privateLinkServiceNetworkPolicies="Enabled")
    return {"id": sid, "name": name, "etag": etag(sid.lower()), "type": f"{VNET_TYPE}/subnets", "properties": props}


def virtual_network(net: VirtualNetwork, inventory: Inventory, provisioning_state: str = "Succeeded") -> dict[str, Any]:
    """A Microsoft.Network/virtualNetworks resource with its subnets."""
    return {"id": net.id, "name": net.name, "type": VNET_TYPE, "location": net.location,
            "etag": etag(net.id.lower()), "tags": dict(net.tags),
            "properties": {"provisioningState": provisioning_state,
                           "resourceGuid": stable_guid("vnet", net.id.lower()),
                           "addressSpace": {"addressPrefixes": [net.address_prefix]},
                           "subnets": [subnet(net, s, inventory, provisioning_state) for s in net.subnets],
                           "virtualNetworkPeerings": [], "enableDdosProtection": False}}


def network_interface(nic: NetworkInterface) -> dict[str, Any]:
    """A Microsoft.Network/networkInterfaces resource (one dynamic IPv4 configuration)."""
    ipc = {"id": ip_configuration_id(nic), "name": IP_CONFIGURATION, "etag": etag(nic.id.lower()),
           "type": f"{NIC_TYPE}/ipConfigurations",
           "properties": {"provisioningState": "Succeeded", "privateIPAddress": nic.private_ip,
                          "privateIPAllocationMethod": "Dynamic", "subnet": {"id": nic.subnet_id}, "primary": True,
                          "privateIPAddressVersion": "IPv4"}}
    props: dict[str, Any] = {"provisioningState": "Succeeded", "resourceGuid": nic.resource_guid,
                             "ipConfigurations": [ipc], "dnsSettings": {"dnsServers": [], "appliedDnsServers": []},
                             "enableAcceleratedNetworking": False, "enableIPForwarding": False,
                             "disableTcpStateTracking": False, "nicType": "Standard"}
    if nic.vm_id:
        props.update(macAddress=nic.mac_address, primary=True, virtualMachine={"id": as_referenced(nic.vm_id)})
    return {"id": nic.id, "name": nic.name, "type": NIC_TYPE, "location": nic.location, "etag": etag(nic.id.lower()),
            "tags": {}, "properties": props}


def requested_network(call: Call) -> VirtualNetwork:
    """The virtual network the call's path names (404 ``ResourceNotFound`` when there is none)."""
    rg = resource_group_name(call)
    net = call.state.estate.network(rg, call.groups["name"])
    if net is None:
        raise resource_not_found(VNET_TYPE, call.groups["name"], rg)
    return net


def get_network(call: Call) -> Response:
    """GET a virtual network."""
    net = requested_network(call)
    return json_response(virtual_network(net, call.state.estate.inventory, provisioning_state(call.state, net.id, call.now)))


def list_networks(call: Call) -> Response:
    """GET the virtual networks of the subscription, or of the resource group in the path."""
    rg = resource_group_name(call) if "rg" in call.groups else None
    nets = sorted((n for n in list(call.state.estate.networks.values())
                   if rg is None or n.resource_group.lower() == rg.lower()),
                  key=lambda n: (n.resource_group.lower(), n.name.lower()))
    return paged_response(call, [virtual_network(n, call.state.estate.inventory, provisioning_state(call.state, n.id, call.now))
                                 for n in nets])


def get_subnet(call: Call) -> Response:
    """GET a subnet; a missing one is the network provider's own 404 ``NotFound``."""
    net = requested_network(call)
    name = net.subnet_name(call.groups["subnet"])
    if name is None:
        raise not_found("NotFound", f"Resource {net.id}/subnets/{call.groups['subnet']} not found.")
    return json_response(subnet(net, name, call.state.estate.inventory))


def list_subnets(call: Call) -> Response:
    """GET the subnets of a virtual network."""
    net = requested_network(call)
    return paged_response(call, [subnet(net, s, call.state.estate.inventory) for s in net.subnets])


def get_network_interface(call: Call) -> Response:
    """GET a network interface."""
    rg = resource_group_name(call)
    nic = call.state.estate.inventory.get(NetworkInterface, rg, call.groups["name"])
    if nic is None:
        raise resource_not_found(NIC_TYPE, call.groups["name"], rg)
    return json_response(network_interface(nic))


def list_network_interfaces(call: Call) -> Response:
    """GET the network interfaces of the subscription, or of the resource group in the path."""
    rg = resource_group_name(call) if "rg" in call.groups else None
    return paged_response(call, [network_interface(n) for n in call.state.estate.inventory.list(NetworkInterface, rg)])


_VNETS = r"/providers/Microsoft\.Network/virtualNetworks"
_NICS = r"/providers/Microsoft\.Network/networkInterfaces"
_V = versions.NETWORK_VERSIONS

ROUTES: list[Route] = [
    ("GET", SUBSCRIPTION + _VNETS, list_networks, _V),
    ("GET", RESOURCE_GROUP + _VNETS, list_networks, _V),
    ("GET", RESOURCE_GROUP + _VNETS + r"/(?P<name>[^/]+)", get_network, _V),
    ("GET", RESOURCE_GROUP + _VNETS + r"/(?P<name>[^/]+)/subnets", list_subnets, _V),
    ("GET", RESOURCE_GROUP + _VNETS + r"/(?P<name>[^/]+)/subnets/(?P<subnet>[^/]+)", get_subnet, _V),
    ("GET", SUBSCRIPTION + _NICS, list_network_interfaces, _V),
    ("GET", RESOURCE_GROUP + _NICS, list_network_interfaces, _V),
    ("GET", RESOURCE_GROUP + _NICS + r"/(?P<name>[^/]+)", get_network_interface, _V),
]
