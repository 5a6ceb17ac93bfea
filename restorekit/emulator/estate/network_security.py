"""Network security groups: the rules a subnet's or a NIC's traffic passes through.

A group is a value (frozen, replaced whole by a PUT) kept in the inventory
(:mod:`~restorekit.emulator.estate.inventory`) beside the NICs whose subnets it guards.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..arm.ids import resource_id

NSG_TYPE = "Microsoft.Network/networkSecurityGroups"


@dataclass(frozen=True)
class SecurityRule:
    """One security rule, as ``SecurityRulePropertiesFormat`` names its fields (single prefixes and ports)."""

    name: str
    priority: int
    direction: str
    access: str
    protocol: str
    source_address_prefix: str = "*"
    source_port_range: str = "*"
    destination_address_prefix: str = "*"
    destination_port_range: str = "*"
    description: str = ""
    #: The plural forms (a rule gives a field either alone or as a list; a list leaves the single one empty).
    source_address_prefixes: tuple[str, ...] = ()
    source_port_ranges: tuple[str, ...] = ()
    destination_address_prefixes: tuple[str, ...] = ()
    destination_port_ranges: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecurityGroup:
    """A Microsoft.Network network security group and its own rules (the default rules are Azure's, always)."""

    subscription: str
    resource_group: str
    name: str
    location: str
    rules: tuple[SecurityRule, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        """Its ARM id."""
        return resource_id(self.subscription, self.resource_group, NSG_TYPE, self.name)


#: The rules every group has after its own (priorities 65000 and up), as Azure lists ``defaultSecurityRules``.
DEFAULT_RULES: tuple[SecurityRule, ...] = (
    SecurityRule("AllowVnetInBound", 65000, "Inbound", "Allow", "*", "VirtualNetwork", "*", "VirtualNetwork", "*",
                 "Allow inbound traffic from all VMs in VNET"),
    SecurityRule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "*", "AzureLoadBalancer", "*", "*", "*",
                 "Allow inbound traffic from azure load balancer"),
    SecurityRule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*", "*", "*", "*", "Deny all inbound traffic"),
    SecurityRule("AllowVnetOutBound", 65000, "Outbound", "Allow", "*", "VirtualNetwork", "*", "VirtualNetwork", "*",
                 "Allow outbound traffic from all VMs to all VMs in VNET"),
    SecurityRule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "*", "*", "Internet", "*",
                 "Allow outbound traffic from all VMs to Internet"),
    SecurityRule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*", "*", "*", "*", "Deny all outbound traffic"),
)
