"""Checks against the live estate, before anything is sent: what the request names exists, where it must be.

:func:`online_check` reads, through the connection's resource reader (cached briefly, see
:mod:`restorekit.model.arm_resources`), every resource a restore request names and reports every problem at once,
each with its field and its fix:

* the staging storage account exists, is in the restore region, and is of an allowed kind, SKU and redundancy;
* the target resource group exists (a group in another region is only a note: Azure accepts resources of any
  region in a group, whose region only holds its metadata);
* the virtual network exists in the restore region and the subnet belongs to it;
* the disk encryption set exists in the restore region; the zone is one the region offers;
* no VM already has the name of the VM to create.

A name that is not found says where restorekit looked and lists the candidates it found in the subscription.
Cross-region requests are checked against the secondary region (the request's restore region).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core.errors import RestorekitError
from ...core.ids import name_of, resource_group_of
from ...core.regions import norm_region
from ...model.arm_resources import Located, ResourceReader
from ..request.rules import Problem, check_storage_account, storage_account_facts

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

    from ..request.builders import RestoreRequestBuilder


@dataclass
class OnlineReport:
    """What the live estate says of a request: ``problems`` stop the restore, ``notes`` are worth reading."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.problems or self.notes)


def _name_of(resource_id: str) -> tuple[str, str]:
    """(resource group, name) of an ARM ID."""
    return resource_group_of(resource_id) or "?", name_of(resource_id)


def _existing(reader: ResourceReader, resource_id: str, field: str, kind: str, fix: Callable[[str], str],
              report: OnlineReport) -> dict[str, Any] | None:
    """The resource ``resource_id`` read from ARM, or None with a problem naming what is missing and where.

    ``fix(name)`` says what to do instead; it is asked only when the resource is missing (it may list others).
    """
    found = reader.get(resource_id)
    if found is None:
        group, name = _name_of(resource_id)
        report.problems.append(Problem(
            field, f"no {kind} {name!r} in resource group {group!r} (looked for {resource_id})", fix(name)))
    return found


def _candidates(found: list[Located], name: str, region: str | None,
                eligible: Callable[[Located], bool] | None = None) -> str:
    same_name = [f"{r.label} ({r.location})" for r in found if r.name.lower() == name.lower()]
    if same_name:
        return "with that name elsewhere in the subscription: " + ", ".join(same_name)
    usable = [r for r in found if (region is None or r.location == norm_region(region)) and (eligible is None
                                                                                               or eligible(r))]
    if not usable:
        return f"none usable in {region} in the subscription" if region else "none in the subscription"
    names = ", ".join(r.label for r in usable[:8])
    more = f" and {len(usable) - 8} more" if len(usable) > 8 else ""
    return f"usable ones{f' in {region}' if region else ''}: {names}{more}"


def _eligible_account(region: str | None) -> Callable[[Located], bool]:
    return lambda r: not check_storage_account(r.raw, region)


def _check_storage(props: Mapping[str, Any], region: str | None, reader: ResourceReader,
                   report: OnlineReport) -> None:
    details = props.get("identityBasedRestoreDetails")
    account_id = (details.get("targetStorageAccountId") if isinstance(details, dict) else None) \
        or props.get("storageAccountId")
    if not isinstance(account_id, str) or not account_id.startswith("/subscriptions/"):
        return
    account = _existing(reader, account_id, "storage_account", "storage account", lambda name: (
        "name an existing account as 'resource-group/name'; "
        f"{_candidates(reader.storage_accounts(), name, region, _eligible_account(region))}"), report)
    if account is None:
        return
    problems = check_storage_account(account, region)
    if problems:
        others = _candidates(reader.storage_accounts(), "", region, _eligible_account(region))
        facts = storage_account_facts(account)
        report.problems.extend(Problem(p.field, p.message, f"{p.fix}; {others}") for p in problems)
        if not facts["location"]:
            report.notes.append(Problem("storage_account", "ARM did not say where the account is", "check it"))


def _check_group(props: Mapping[str, Any], region: str | None, reader: ResourceReader, report: OnlineReport) -> None:
    group_id = props.get("targetResourceGroupId")
    if not isinstance(group_id, str) or not group_id.startswith("/subscriptions/"):
        return
    group = reader.get(group_id)
    name = name_of(group_id)
    if group is None:
        report.problems.append(Problem(
            "target_resource_group", f"no resource group {name!r} in subscription {reader.subscription_id}",
            f"create it first, or name another; {_candidates(reader.resource_groups(), name, region)}"))
        return
    where = norm_region(group.get("location"))
    if region and where and where != norm_region(region):
        report.notes.append(Problem(
            "target_resource_group", f"resource group {name!r} is in {where}, the restored resources will be in "
            f"{norm_region(region)}", "fine for Azure (a group's region only holds its metadata); choose a group in "
            f"{norm_region(region)} to keep resources where a reader expects them"))


def _check_network(props: Mapping[str, Any], region: str | None, reader: ResourceReader,
                   report: OnlineReport) -> None:
    vnet_id, subnet_id = props.get("virtualNetworkId"), props.get("subnetId")
    if not isinstance(vnet_id, str) or not vnet_id.startswith("/subscriptions/"):
        return
    vnet = _existing(reader, vnet_id, "virtual_network", "virtual network", lambda name: (
        f"name an existing network; {_candidates(reader.virtual_networks(), name, region)}"), report)
    if vnet is None:
        return
    name = _name_of(vnet_id)[1]
    where = norm_region(vnet.get("location"))
    if region and where and where != norm_region(region):
        report.problems.append(Problem(
            "virtual_network", f"virtual network {name!r} is in {where}, the new VM will be in {norm_region(region)}",
            f"a VM joins a network of its own region; {_candidates(reader.virtual_networks(), '', region)}"))
    if isinstance(subnet_id, str) and subnet_id.startswith("/subscriptions/"):
        subnets = [s.get("name") for s in (vnet.get("properties") or {}).get("subnets") or [] if isinstance(s, dict)]
        wanted = name_of(subnet_id)
        if subnet_id.lower().startswith(vnet_id.lower().rstrip("/") + "/subnets/") and \
                wanted.lower() not in {str(s).lower() for s in subnets}:
            report.problems.append(Problem("subnet", f"virtual network {name!r} has no subnet {wanted!r}",
                                           f"choose one of its subnets: {', '.join(map(str, subnets)) or 'none'}"))


def _check_encryption_set(props: Mapping[str, Any], region: str | None, reader: ResourceReader,
                          report: OnlineReport) -> None:
    des_id = props.get("diskEncryptionSetId")
    if not isinstance(des_id, str) or not des_id.startswith("/subscriptions/"):
        return
    name = _name_of(des_id)[1]
    des = _existing(reader, des_id, "disk_encryption_set", "disk encryption set",
                    lambda _: "name an existing one, or leave it out", report)
    if des is None:
        return
    if region and norm_region(des.get("location")) not in ("", norm_region(region)):
        report.problems.append(Problem("disk_encryption_set", f"disk encryption set {name!r} is in "
                                       f"{norm_region(des.get('location'))}, the restore in {norm_region(region)}",
                                       f"use a disk encryption set in {norm_region(region)}"))


def _check_zone(props: Mapping[str, Any], region: str | None, reader: ResourceReader, report: OnlineReport) -> None:
    zones = props.get("zones")
    if not region or not isinstance(zones, list) or not zones:
        return
    offered = reader.zones(region)
    if offered is None:
        return
    bad = [z for z in zones if str(z) not in offered]
    if bad:
        report.problems.append(Problem("zone", f"{norm_region(region)} offers "
                                       f"{'zones ' + ', '.join(offered) if offered else 'no availability zone'}, "
                                       f"not {', '.join(map(str, bad))}", "pass a zone the region offers, or none"))


def _check_new_vm(props: Mapping[str, Any], reader: ResourceReader, report: OnlineReport) -> None:
    vm_id = props.get("targetVirtualMachineId")
    if props.get("recoveryType") != "AlternateLocation" or not isinstance(vm_id, str) \
            or not vm_id.startswith("/subscriptions/"):
        return
    if reader.get(vm_id, fresh=True) is not None:
        group, name = _name_of(vm_id)
        report.problems.append(Problem("target_vm_name", f"a VM named {name!r} already exists in resource group "
                                       f"{group!r}", "choose another name (the restore creates a new VM)"))


def online_check(request: RestoreRequestBuilder, reader: ResourceReader) -> OnlineReport:
    """Every problem (and note) the live estate, read through ``reader``, shows for ``request`` (see the module doc).
    """
    report = OnlineReport()
    props = request.properties()
    region = request.target_region if isinstance(request.target_region, str) else None
    try:
        _check_storage(props, region, reader, report)
        _check_group(props, region, reader, report)
        _check_network(props, region, reader, report)
        _check_encryption_set(props, region, reader, report)
        _check_zone(props, region, reader, report)
        _check_new_vm(props, reader, report)
    except RestorekitError as exc:  # ARM said no (rights, throttling): say so, as a problem with its fix
        report.problems.append(Problem("connection", f"could not read the estate: {str(exc).splitlines()[0]}",
                                       "check your access (Reader on the target resources), or skip the online "
                                       "checks with online=False"))
    return report


@dataclass(frozen=True)
class Candidate:
    """A resource a form may offer for a field: its value (``rg/name``), and why it cannot be used (or None)."""

    value: str
    why_not: str | None = None

    @property
    def eligible(self) -> bool:
        """True when the restore can use it."""
        return self.why_not is None


def candidates(kind: str, reader: ResourceReader, region: str | None, *, virtual_network: str | None = None
               ) -> list[Candidate]:
    """What a form offers for a field ``kind`` (``storage_account``, ``resource_group``, ``virtual_network``,
    ``subnet``) in the restore region: eligible ones first, then the others with the reason, from the same cached
    reads as the checks."""
    region = norm_region(region) if region else None
    out: list[Candidate] = []
    if kind == "storage_account":
        for acc in reader.storage_accounts():
            problems = check_storage_account(acc.raw, region)
            out.append(Candidate(f"{acc.resource_group}/{acc.name}", problems[0].message if problems else None))
    elif kind == "resource_group":
        for group in reader.resource_groups():
            other = region and group.location and group.location != region
            out.append(Candidate(group.name, f"in {group.location} (allowed, but not the restore region)"
                                 if other else None))
    elif kind == "virtual_network":
        for net in reader.virtual_networks():
            other = region and net.location != region
            out.append(Candidate(f"{net.resource_group}/{net.name}", f"in {net.location}, not {region}"
                                 if other else None))
    elif kind == "subnet" and virtual_network:
        net = next((n for n in reader.virtual_networks() if f"{n.resource_group}/{n.name}".lower()
                    == virtual_network.lower() or n.id.lower() == virtual_network.lower()
                    or n.name.lower() == virtual_network.lower()), None)
        for subnet in ((net.raw.get("properties") or {}).get("subnets") or []) if net else []:
            if isinstance(subnet, dict) and subnet.get("name"):
                out.append(Candidate(str(subnet["name"])))
    return sorted(out, key=lambda c: (not c.eligible, c.value.lower()))
