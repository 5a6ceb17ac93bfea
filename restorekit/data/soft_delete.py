"""Soft-deleted protected items in a frame: whether an item is soft-deleted and how long before it is purged.

A protected item deleted with its data on a vault with soft delete stays ``isScheduledForDeferredDelete`` for
the vault's retention (14 days or more), ``deferredDeleteTimeRemaining`` (a .NET ``TimeSpan`` text such as
``13.23:59:07``, or ISO 8601) before it is purged; it must be undeleted before its points can be restored.
:func:`soft_delete_columns` turns both properties into the items frame's ``soft_deleted`` and ``purge_in``
columns; :func:`soft_deleted` keeps the soft-deleted rows, soonest purge first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.times import parse_duration

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The item properties read into columns.
FLAG, REMAINING = "isScheduledForDeferredDelete", "deferredDeleteTimeRemaining"


def soft_delete_columns(flags: Any, remaining: Any) -> tuple[Any, Any, list[Any]]:
    """``(soft_deleted, purge_in, unread)`` from Arrow arrays of the two properties.

    ``soft_deleted`` is a nullable boolean array (False where the property is absent: Azure writes it only on
    soft-deleted items); ``purge_in`` a ``timedelta64[ns]`` index (NaT where not soft-deleted or unreadable);
    ``unread`` the remaining-time texts that are no duration (None elsewhere), to keep aside.
    """
    import pandas as pd

    flag_values = flags.to_pylist()
    texts = remaining.to_pylist()
    durations = [parse_duration(t) if isinstance(t, str) else None for t in texts]
    unread = [t if t is not None and d is None else None for t, d in zip(texts, durations, strict=True)]
    deleted = pd.array([bool(f) for f in flag_values], dtype="boolean")
    purge_in = pd.to_timedelta([d if f else None for f, d in zip(flag_values, durations, strict=True)]).as_unit("ns")
    return deleted, purge_in, unread


def soft_deleted(items: pd.DataFrame) -> pd.DataFrame:
    """The soft-deleted rows of an items frame (``az.fleet()``), soonest purge first."""
    rows = items[items["soft_deleted"].fillna(False).astype(bool)]
    return rows.sort_values("purge_in", kind="stable")
