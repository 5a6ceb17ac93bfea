"""What a drill will create, where, and for how long: a value, decided before anything is sent.

A drill owns one new resource group (``rk-drill-{when}-{id}``, tagged ``restorekit-drill: {id}``), and in it, per
region of the VMs it restores, one virtual network without peering, one subnet and one network security group that
denies all traffic in and out, except, when a probe runs, HTTPS out to Azure (``AzureCloud``), which the VM agent
needs to run it. No public IP is created. Each VM is restored as a new VM named ``{vm}-drill`` into that subnet.
Nothing of the source VM or of its network is named anywhere in the plan but as the restore's source.

:meth:`DrillPlan.describe` says it in words (what ``az.drill()`` prints before starting).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from ...core.ids import name_of
from ...core.times import format_duration, format_moment
from .probe import Probe

#: The tag that marks everything a drill creates (its value: the drill's id), and its groups' name prefix.
MARKER_TAG = "restorekit-drill"
GROUP_PREFIX = "rk-drill-"
#: The address space of a drill's networks (the same in every drill: they are never peered).
ADDRESS_SPACE = "10.250.0.0/16"
SUBNET = "drill"
SUBNET_PREFIX = "10.250.0.0/20"
#: VM names: 1-64 letters, digits, '_', '.', '-'.
_VM_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def new_drill_id() -> str:
    """A short random id (8 hex digits)."""
    return uuid.uuid4().hex[:8]


def group_name(drill_id: str, when: datetime) -> str:
    """``rk-drill-20261120-1200-1a2b3c4d``."""
    return f"{GROUP_PREFIX}{when.astimezone(UTC):%Y%m%d-%H%M}-{drill_id}"


def drill_vm_name(vm_name: str, taken: set[str]) -> str:
    """``{vm}-drill`` (64 characters at most), ``-drill2``… when several sources share a name."""
    base = _VM_NAME.sub("-", vm_name)[:58] + "-drill"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name.lower())
    return name


def security_rules(probe: bool) -> list[dict[str, Any]]:
    """The drill's rules: deny everything in and out; with a probe, allow HTTPS out to Azure first."""
    def rule(name: str, priority: int, direction: str, access: str, protocol: str, destination: str, port: str,
             description: str) -> dict[str, Any]:
        return {"name": name, "properties": {
            "description": description, "priority": priority, "direction": direction, "access": access,
            "protocol": protocol, "sourceAddressPrefix": "*", "sourcePortRange": "*",
            "destinationAddressPrefix": destination, "destinationPortRange": port}}

    rules = [rule("deny-all-inbound", 4096, "Inbound", "Deny", "*", "*", "*", "restore drill: nothing comes in"),
             rule("deny-all-outbound", 4096, "Outbound", "Deny", "*", "*", "*", "restore drill: nothing goes out")]
    if probe:
        rules.insert(0, rule("allow-azure-https-outbound", 100, "Outbound", "Allow", "Tcp", "AzureCloud", "443",
                             "restore drill: the VM agent reaches Azure to run the probe (Run Command)"))
    return rules


@dataclass(frozen=True)
class MachinePlan:
    """One VM of the drill: its protected item, the point chosen, and the new VM it becomes."""

    item_id: str
    vm_name: str
    vm_resource_group: str
    vault: str
    region: str
    point_name: str
    point_time: datetime | None
    os_type: str | None
    target_vm_name: str
    staging_account: str

    @property
    def label(self) -> str:
        """``rg/vm``."""
        return f"{self.vm_resource_group}/{self.vm_name}"


@dataclass(frozen=True)
class NetworkPlan:
    """The isolated network of one region: a virtual network, its subnet and its security group."""

    region: str
    network: str
    security_group: str

    @property
    def subnet(self) -> str:
        """The subnet's name."""
        return SUBNET


@dataclass(frozen=True)
class DrillPlan:
    """Everything a drill will do before it does any of it (see the module doc)."""

    drill_id: str
    subscription: str
    resource_group: str
    location: str
    machines: tuple[MachinePlan, ...]
    networks: tuple[NetworkPlan, ...]
    probe: Probe | None = None
    keep_for: float = 0.0
    boot_timeout: float = 900.0
    parallel: int = 4
    dry_run: bool = True
    where: str = "Azure"
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def tags(self) -> dict[str, str]:
        """The tags on everything the drill creates."""
        return {MARKER_TAG: self.drill_id}

    @property
    def group_id(self) -> str:
        """The ARM id of the drill's resource group."""
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"

    def network_for(self, region: str) -> NetworkPlan:
        """The isolated network of ``region``."""
        return next(n for n in self.networks if n.region == region)

    def rules(self) -> list[dict[str, Any]]:
        """The security rules of the drill's networks."""
        return security_rules(self.probe is not None)

    def describe(self) -> str:
        """What the drill will create, where and for how long, in words."""
        regions = ", ".join(n.region for n in self.networks)
        lines = [f"Restore drill {self.drill_id} on {self.where}{' (dry run: nothing is created)' if self.dry_run else ''}:",
                 f"  creates resource group {self.resource_group} in {self.location} (subscription {self.subscription}),"
                 f" tagged {MARKER_TAG}={self.drill_id};",
                 f"  in it, per region ({regions}): a virtual network {ADDRESS_SPACE} without peering, subnet "
                 f"{SUBNET} {SUBNET_PREFIX}, and a network security group denying all inbound and outbound traffic"
                 + (" except HTTPS out to AzureCloud for the probe" if self.probe else "") + "; no public IP;",
                 f"  restores {len(self.machines)} VM(s) as new VMs there, {self.parallel} at a time:"]
        for m in self.machines:
            when = format_moment(m.point_time) if m.point_time else "time unknown"
            lines.append(f"    {m.label} (vault {m.vault}) → {self.resource_group}/{m.target_vm_name}, point "
                         f"{m.point_name} ({when}), staging {name_of(m.staging_account)}")
        probe = f"then runs the probe {self.probe!r}, " if self.probe else ""
        keep = f"keeps them {format_duration(timedelta(seconds=self.keep_for))}, " if self.keep_for else ""
        lines.append(f"  waits up to {format_duration(timedelta(seconds=self.boot_timeout))} per VM for its agent to be ready, {probe}"
                     f"{keep}then deletes the resource group and everything in it, and proves it through ARM.")
        lines.append("  The source VMs and their networks are only read.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre class='rk-drill-plan'>{escape(self.describe())}</pre>"

    def __repr__(self) -> str:
        return (f"<DrillPlan {self.drill_id}: {len(self.machines)} VM(s) into {self.resource_group}"
                f"{' (dry run)' if self.dry_run else ''}>")
