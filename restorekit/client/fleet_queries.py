"""The Resource Graph queries behind ``az.coverage()``, ``az.at_risk()`` and ``az.fleet()``: KQL texts.

Resource Graph filters, joins and ranks, so only the rows asked for cross the wire:

* :func:`coverage_query`: every VM (``Resources``, ``microsoft.compute/virtualmachines``) joined with the
  protected items of ``RecoveryServicesResources`` on the item's ``properties.sourceResourceId`` (a
  ``fullouter`` join: VMs without an item are *not protected*, items without a VM have their *VM missing*);
  ``tags=`` filters the VMs first (then a ``leftouter`` join: an item without a VM has no tags), ``only=``
  keeps some kinds of coverage.
* :func:`at_risk_query`: the same rows, scored in the query by the rules of :mod:`restorekit.data.risk`
  (its ``WEIGHTS``, states and RPO), the rows without a reason dropped, worst first.
* :func:`fleet_query`: the protected VMs, optionally only those whose VM has some tags.

Every query orders its rows by a unique key last, so that pages never overlap (Resource Graph documents that
paging over a non-unique order may repeat or skip rows). The rows' fields are :data:`restorekit.data.coverage
.VM_FIELDS` and :data:`~restorekit.data.coverage.ITEM_FIELDS`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ..data.coverage import COVERAGE, ITEM_FIELDS, VM_FIELDS, tag_filters
from ..data.risk import FAILED, STOPPED, WEIGHTS

VM_TYPE = "microsoft.compute/virtualmachines"
ITEM_TYPE = "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"


def kql_string(text: str) -> str:
    """A KQL string literal: ``'it\\'s'``."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def kql_datetime(moment: datetime) -> str:
    """A KQL datetime literal in UTC: ``datetime(2026-11-20T12:00:00.0000000Z)``."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"datetime({utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond:06d}0Z)"


def kql_timespan(span: timedelta) -> str:
    """A KQL timespan literal: ``86400s``, or microseconds when it has a fraction of a second."""
    if span.microseconds:
        return f"{span // timedelta(microseconds=1)}microseconds"
    return f"{int(span.total_seconds())}s"


def _vms(tags: Any) -> str:
    lines = ["Resources", f"| where type =~ {kql_string(VM_TYPE)}"]
    for name, value in tag_filters(tags):
        tag = f"tags[{kql_string(name)}]"
        lines.append(f"| where isnotempty({tag})" if value is None else f"| where {tag} =~ {kql_string(value)}")
    vm_id, vm_name, vm_rg, vm_sub, vm_location, vm_tags = VM_FIELDS
    lines.append(f"| project vmKey = tolower(id), {vm_id} = id, {vm_name} = name, "
                 f"{vm_rg} = tostring(split(id, '/')[4]), {vm_sub} = subscriptionId, {vm_location} = location, "
                 f"{vm_tags} = tags")
    return "\n".join(lines)


def _protected_items() -> str:
    return "\n".join([
        "RecoveryServicesResources",
        f"| where type =~ {kql_string(ITEM_TYPE)}",
        "| where properties.backupManagementType =~ 'AzureIaasVM'",
        "| extend itemKey = tolower(coalesce(tostring(properties.sourceResourceId), "
        "tostring(properties.virtualMachineId)))",
        f"| project itemKey, {', '.join(ITEM_FIELDS)}",
    ])


def _indented(query: str) -> str:
    return "\n".join("    " + line for line in query.splitlines())


def _covered(tags: Any) -> str:
    """Every VM joined with its protected items (and, without ``tags``, items without a VM), with ``coverage``."""
    kind = "leftouter" if tag_filters(tags) else "fullouter"
    not_protected, vm_missing, protected = COVERAGE
    return "\n".join([
        _vms(tags),
        f"| join kind={kind} (",
        _indented(_protected_items()),
        "    ) on $left.vmKey == $right.itemKey",
        f"| extend coverage = case(isempty(id), {kql_string(not_protected)}, isempty(vmKey), "
        f"{kql_string(vm_missing)}, {kql_string(protected)})",
        "| extend rowKey = iff(isempty(id), vmKey, tolower(id))",
    ])


def _projected(*extra: str) -> str:
    return f"| project rowKey, coverage, {', '.join(VM_FIELDS)}, {', '.join(ITEM_FIELDS)}" + \
        "".join(f", {name}" for name in extra)


def coverage_query(tags: Any = None, only: Any = None) -> str:
    """Every VM and protected item of the subscriptions, with its ``coverage``; uncovered VMs first.

    ``tags``: only the VMs with these tags (see :func:`restorekit.data.coverage.tag_filters`); ``only``: one
    kind of coverage or several (:data:`~restorekit.data.coverage.COVERAGE`).
    """
    lines = [_covered(tags)]
    kinds = coverage_kinds(only)
    if kinds is not None:
        lines.append(f"| where coverage in ({', '.join(map(kql_string, kinds))})")
    ranks = ", ".join(f"coverage == {kql_string(kind)}, {rank}" for rank, kind in enumerate(COVERAGE[:-1]))
    lines += [f"| extend coverageRank = case({ranks}, {len(COVERAGE) - 1})",
              "| order by coverageRank asc, rowKey asc", _projected()]
    return "\n".join(lines)


def coverage_kinds(only: Any) -> list[str] | None:
    """``only=`` read as a list of kinds of coverage (None: all); an unknown kind is refused, naming the known."""
    from ..core.errors import ValidationError

    if only is None:
        return None
    kinds = [only] if isinstance(only, str) else list(only)
    unknown = [k for k in kinds if k not in COVERAGE]
    if unknown:
        raise ValidationError([f"only={unknown[0]!r}: choose among {', '.join(map(repr, COVERAGE))}"],
                              "coverage filter")
    return kinds


def score_kql(rpo: timedelta, tolerance: timedelta) -> str:
    """The risk score of a coverage row in KQL: :func:`restorekit.data.risk.at_risk`'s rules, term by term."""
    w = {name: float(weight) for name, weight in WEIGHTS.items()}
    stopped = ", ".join(map(kql_string, STOPPED))
    failed = ", ".join(map(kql_string, FAILED))
    stale = f"{w['stale']} * min_of(6.0, floor(age / {kql_timespan(rpo)}, 1.0))"
    terms = [  # (weight, when): a term adds its weight when its condition holds
        ("no point", "isnull(newestPoint)"),
        ("soft deleted", "softDeleted"),
        ("stopped", f"protectionState in ({stopped})"),
        ("error", "protectionState == 'ProtectionError'"),
        ("pending", "protectionState == 'IRPending'"),
        ("stale", f"age > {kql_timespan(rpo + tolerance)}"),
        ("failed", f"lastBackupStatus in ({failed})"),
        ("action required", "health == 'ActionRequired'"),
        ("action suggested", "health == 'ActionSuggested'"),
        ("unhealthy", "isnotempty(protectionStatus) and protectionStatus != 'Healthy'"),
        ("VM missing", f"coverage == {kql_string(COVERAGE[1])}"),
    ]
    joined = "\n        + ".join(f"iff({when}, {stale if name == 'stale' else w[name]}, 0.0)"
                                 for name, when in terms if w[name])
    return f"iff(coverage == {kql_string(COVERAGE[0])}, {w['not protected']},\n        {joined})"


def at_risk_query(now: datetime, rpo: timedelta, tolerance: timedelta, tags: Any = None,
                  include_healthy: bool = False) -> str:
    """The VMs and protected items at risk as of ``now``, scored in the query, worst first.

    Scored as :func:`restorekit.data.risk.at_risk` scores them from the items' states (no points: no missed
    backups); unprotected VMs score ``WEIGHTS["not protected"]``. Rows without a reason are dropped unless
    ``include_healthy``.
    """
    lines = [
        _covered(tags),
        "| extend protectionState = tostring(properties.protectionState), "
        "protectionStatus = tostring(properties.protectionStatus), health = tostring(properties.healthStatus), "
        "lastBackupStatus = tostring(properties.lastBackupStatus), "
        "newestPoint = todatetime(properties.lastRecoveryPoint), "
        "softDeleted = tobool(properties.isScheduledForDeferredDelete)",
        f"| extend age = {kql_datetime(now)} - newestPoint",
        f"| extend score = {score_kql(rpo, tolerance)}",
    ]
    if not include_healthy:
        lines.append("| where score > 0")
    lines += ["| order by score desc, age desc nulls first, rowKey asc", _projected("score")]
    return "\n".join(lines)


def fleet_query(tags: Any = None) -> str:
    """Every protected VM (``AzureIaasVM`` items), by item id; with ``tags``, only those whose VM has them."""
    lines = [_protected_items()]
    if tag_filters(tags):
        lines += ["| join kind=inner (", _indented(_vms(tags)), "    ) on $left.itemKey == $right.vmKey"]
    lines += ["| extend rowKey = tolower(id)", "| order by rowKey asc", f"| project {', '.join(ITEM_FIELDS)}"]
    return "\n".join(lines)
