"""Which protected VMs are at risk, ranked, and why in words.

:func:`at_risk` reads an items frame (:func:`restorekit.data.items.protected_items_frame`: protection
state, health, last backup) and, optionally, a points frame (real point times: the newest point of each
item, the backups missed in its daily window). Each reason adds to a score (:data:`WEIGHTS`); the score
ranks the items and names a severity (:data:`SEVERITIES`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..core.times import format_duration
from .analysis import DAILY_WINDOW, summary, utc_moment
from .identity import FIELDS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Score of each reason. ``stale`` counts per RPO period the newest point is late (at most 6 periods);
#: ``missed`` per backup missed in the daily window (at most 10).
WEIGHTS = {"no point": 60, "soft deleted": 60, "stopped": 50, "error": 40, "failed": 30, "action required": 20, "unhealthy": 10,
           "pending": 10, "action suggested": 5, "stale": 10, "missed": 2}
#: Severity of a score: the first whose threshold it reaches.
SEVERITIES = (("critical", 50), ("high", 30), ("medium", 10), ("low", 0))
#: Protection states where no backup runs any more.
STOPPED = {"ProtectionStopped": "protection stopped", "ProtectionPaused": "protection paused",
           "BackupsSuspended": "backups suspended"}
#: Last-backup statuses that are failures.
FAILED = ("Failed", "Cancelled")
#: Columns of :func:`at_risk`'s frame, in order.
COLUMNS = ("item_id", "vm_name", "vm_resource_group", "vault", "subscription_id", "severity", "score", "reasons",
           "newest_point", "age", "missed", "protection_state", "health", "last_backup_status", "last_backup_time")


def at_risk(items: Any, points: pd.DataFrame | None = None, *, rpo: str | Any = "1D", tolerance: str | Any = "2h",
            now: Any = None, daily_window: str | Any = DAILY_WINDOW, include_healthy: bool = False) -> pd.DataFrame:
    """The protected VMs at risk, worst first: one row per protected item, with its reasons in words.

    ``items`` is an items frame (or what :func:`~restorekit.data.items.protected_items_frame` accepts; None
    to judge the items of ``points`` by their points alone); ``points`` a points frame whose times refine
    the items' ``last_recovery_point``. Reasons: no recovery point; the newest point older than ``rpo`` +
    ``tolerance`` (``"newest point 5 days 3 h old (RPO 1 day)"``); backups missed in the daily window;
    the last backup failed (``"last backup Failed on 2026-11-19 02:13 UTC"``); protection stopped, paused
    or in error; soft-deleted (``"soft-deleted: purged in 9 days 4 h unless undeleted"``); health or protection
    status asking for action. Columns: :data:`COLUMNS`; ``reasons`` joins
    them with ``"; "``. ``include_healthy`` keeps the items without a reason (score 0) at the end.

    >>> rk.at_risk(rk.protected_items_frame(rows), fleet, rpo="1D")[["vm_name", "severity", "reasons"]]  # doctest: +SKIP
    """
    import numpy as np
    import pandas as pd

    end = utc_moment("now" if now is None else now)
    period, slack = pd.Timedelta(rpo), pd.Timedelta(tolerance)
    table = _items_table(items, points)
    if points is not None and len(points):
        seen = summary(points, now=end, expected=period, tolerance=slack, daily_window=daily_window)
        seen = seen.reset_index()[["item_id", "newest", "missed"]].dropna(subset=["item_id"])
        seen["item_id"] = seen["item_id"].astype(str)
        table = table.merge(seen, on="item_id", how="left")
    else:
        table["newest"], table["missed"] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns, UTC]"), 0
    seen_at, listed_at = table["newest"], table["last_recovery_point"]
    table["newest_point"] = seen_at.where(listed_at.isna() | (seen_at >= listed_at), listed_at)
    table["age"] = end - table["newest_point"]
    table["missed"] = table["missed"].fillna(0).astype("int64")

    n = len(table)
    score = np.zeros(n)
    reasons: list[list[str]] = [[] for _ in range(n)]

    def flag(mask: Any, weight: float | np.ndarray, words: Any) -> None:
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        score[rows] += weight if np.isscalar(weight) else np.asarray(weight)[rows]
        for row in rows:
            reasons[row].append(words(row) if callable(words) else words)

    state = table["protection_state"].astype(object)
    status = table["last_backup_status"].astype(object)
    no_point = table["newest_point"].isna()
    flag(no_point, WEIGHTS["no point"], "no recovery point")
    for name, words in STOPPED.items():
        flag(state == name, WEIGHTS["stopped"], words)
    deleted = table["soft_deleted"].fillna(False).astype(bool) if "soft_deleted" in table else np.zeros(n, bool)
    flag(deleted, WEIGHTS["soft deleted"], lambda r: "soft-deleted: " + (
        f"purged in {span(table['purge_in'].iat[r])}" if pd.notna(table["purge_in"].iat[r]) else "purge time unknown")
        + " unless undeleted (item.undelete())")
    flag(state == "ProtectionError", WEIGHTS["error"], "protection error")
    flag(state == "IRPending", WEIGHTS["pending"], "initial backup pending")
    late = (table["age"] > period + slack).to_numpy()
    periods = (table["age"] / period).to_numpy(dtype=float, na_value=0.0)
    flag(late, WEIGHTS["stale"] * np.minimum(6, np.floor(periods)),
         lambda r: f"newest point {span(table['age'].iat[r])} old (RPO {span(period)})")
    flag(table["missed"] > 0, WEIGHTS["missed"] * np.minimum(10, table["missed"].to_numpy()),
         lambda r: f"{table['missed'].iat[r]} missed backup{'s' if table['missed'].iat[r] > 1 else ''} "
                   f"in the last {span(pd.Timedelta(daily_window))}")
    flag(status.isin(FAILED), WEIGHTS["failed"],
         lambda r: f"last backup {status.iat[r]}" + (
             f" on {table['last_backup_time'].iat[r]:%Y-%m-%d %H:%M} UTC"
             if pd.notna(table["last_backup_time"].iat[r]) else ""))
    health = table["health"].astype(object)
    flag(health == "ActionRequired", WEIGHTS["action required"], "health: action required")
    flag(health == "ActionSuggested", WEIGHTS["action suggested"], "health: action suggested")
    protection = table["protection_status"].astype(object)
    flag(protection.notna() & ~protection.isin(["Healthy"]), WEIGHTS["unhealthy"],
         lambda r: f"protection status {protection.iat[r]}")

    table["score"] = score
    table["reasons"] = ["; ".join(r) for r in reasons]
    table["severity"] = pd.Categorical([_severity(s) if s > 0 else None for s in score],
                                       categories=[name for name, _ in SEVERITIES], ordered=True)
    if not include_healthy:
        table = table[table["score"] > 0]
    table = table.sort_values(["score", "age"], ascending=False, kind="stable", na_position="first")
    return table.reset_index(drop=True)[list(COLUMNS)]


def span(duration: pd.Timedelta) -> str:
    """A duration in words, to the minute: ``"5 days 3 h"``, ``"1 day"``, ``"20 h 5 min"``, ``"45 min"``."""
    minutes = int(duration.total_seconds() // 60)
    return format_duration(timedelta(minutes=minutes)) if minutes else "0 min"


def _severity(score: float) -> str:
    return next(name for name, threshold in SEVERITIES if score >= threshold)


def _items_table(items: Any, points: pd.DataFrame | None) -> pd.DataFrame:
    """One row per item (text columns): the items frame's, plus the items of ``points`` it lacks."""
    import pandas as pd

    from .items import COLUMNS as ITEM_COLUMNS
    from .items import protected_items_frame

    state_columns = ["protection_state", "protection_status", "health", "last_backup_status", "last_backup_time",
                     "last_recovery_point"]
    wanted = ["item_id", "vm_name", "vm_resource_group", "vault", "subscription_id", *state_columns]
    if items is None:
        table = pd.DataFrame(columns=wanted)
    else:
        frame = items if isinstance(items, pd.DataFrame) else protected_items_frame(items)
        missing = [c for c in ("item_id", *state_columns) if c not in frame.columns]
        if missing:
            raise ValueError(f"items lacks {missing}: expected a frame of protected_items_frame() ({list(ITEM_COLUMNS)})")
        table = frame.reindex(columns=wanted + [c for c in ("soft_deleted", "purge_in") if c in frame.columns])
    table = _as_text(table.dropna(subset=["item_id"]).drop_duplicates("item_id"))
    if points is not None and len(points):
        known = set(table["item_id"])
        extra = points.dropna(subset=["item_id"]).drop_duplicates("item_id")
        extra = extra[~extra["item_id"].astype(str).isin(known)]
        extra = extra[[c for c in FIELDS if c in extra.columns]].rename(columns={"resource_group": "vm_resource_group"})
        table = pd.concat([table, _as_text(extra.reindex(columns=wanted))], ignore_index=True)
    for column in ("last_backup_time", "last_recovery_point"):
        table[column] = pd.to_datetime(table[column], utc=True).astype("datetime64[ns, UTC]")
    return table.reset_index(drop=True)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain objects, so frames with other categories concatenate and merge."""
    return frame.assign(**{c: frame[c].astype(object) for c in frame.columns if str(frame[c].dtype) == "category"})
