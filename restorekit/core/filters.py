"""The OData ``$filter`` texts the Backup API understands: protected VMs, recovery points between dates, jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeAlias

from .times import filter_time, to_utc

if TYPE_CHECKING:  # pragma: no cover
    from .times import TimeLike

#: One end of a time range: a moment (see :data:`~restorekit.core.times.TimeLike`) or None (open).
TimeBound: TypeAlias = "TimeLike | None"

#: Selects Azure VMs among a vault's protected items.
IAAS_VM_FILTER = "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"
#: The passive stamp's filter for Azure VM items and AAD properties.
IAAS_FILTER = "backupManagementType eq 'AzureIaasVM'"
_EARLIEST_JOB = datetime(2015, 1, 1, tzinfo=UTC)


def _bounds(start: TimeBound, end: TimeBound, earliest: datetime) -> tuple[datetime, datetime]:
    """Both ends of a time range (the service wants both): a missing start is ``earliest``, a missing end tomorrow."""
    begin = to_utc(start) if start is not None else earliest
    finish = to_utc(end) if end is not None else datetime.now(UTC) + timedelta(days=1)
    if finish < begin:
        raise ValueError(f"end ({finish:%Y-%m-%d %H:%M}) is before start ({begin:%Y-%m-%d %H:%M})")
    return begin, finish


def points_filter(start: TimeBound = None, end: TimeBound = None) -> dict[str, str]:
    """Query parameters selecting recovery points between ``start`` and ``end`` (both optional).

    The service wants both bounds when one is given: a missing start is the epoch, a missing end is
    tomorrow.
    """
    if start is None and end is None:
        return {}
    begin, finish = _bounds(start, end, datetime(1970, 1, 1, tzinfo=UTC))
    return {"$filter": f"startDate eq '{filter_time(begin)}' and endDate eq '{filter_time(finish)}'"}


def job_filter(operation: str | None = "Restore", status: str | None = None, start: TimeBound = None,
               end: TimeBound = None) -> str | None:
    """The jobs ``$filter``: ``operation eq 'Restore' and status eq '…' and startTime eq '…' and endTime eq '…'``.

    The service wants both times when one is given: a missing start is 2015-01-01, a missing end is
    tomorrow (UTC).
    """
    clauses = []
    if operation:
        clauses.append(f"operation eq '{operation}'")
    if status:
        clauses.append(f"status eq '{status}'")
    if start is not None or end is not None:
        begin, finish = _bounds(start, end, _EARLIEST_JOB)
        clauses.append(f"startTime eq '{filter_time(begin)}' and endTime eq '{filter_time(finish)}'")
    return " and ".join(clauses) or None
