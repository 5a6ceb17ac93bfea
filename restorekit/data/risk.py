"""Which VMs are at risk, ranked, and why in words.

:func:`at_risk` reads an items frame (:func:`restorekit.data.items.protected_items_frame`: protection
state, health, last backup) or a coverage frame (:func:`restorekit.data.coverage.coverage_frame`: every VM,
the ones no vault protects included) and, optionally, a points frame (real point times: the newest point of
each item, the backups missed in its daily window). Each reason adds to a score (:data:`WEIGHTS`); the score
ranks the rows and names a severity (:data:`SEVERITIES`). A VM that no vault protects has one reason, and
the heaviest weight: nothing of it can be restored. Resource Graph computes the same score in its query
(:func:`restorekit.client.fleet_queries.score_kql`, from these weights), so that only the rows at risk cross
the wire; tests hold the two to the same rows, order and reasons.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..core.times import format_duration
from .analysis import DAILY_WINDOW, summary, utc_moment
from .coverage import COVERAGE, tagged
from .identity import FIELDS
from .readable import for_people

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Score of each reason. ``stale`` counts per RPO period the newest point is late (at most 6 periods);
#: ``missed`` per backup missed in the daily window (at most 10). A VM that no vault protects scores
#: ``not protected`` alone, more than any protected VM can (nothing of it can be restored); an item whose VM
#: no longer exists says so, without weight.
WEIGHTS = {"not protected": 200, "no point": 60, "soft deleted": 60, "stopped": 50, "error": 40, "failed": 30,
           "action required": 20, "unhealthy": 10, "pending": 10, "action suggested": 5, "stale": 10, "missed": 2,
           "VM missing": 0}
#: The reason of a VM that no vault protects, and of an item whose VM is gone.
NOT_PROTECTED = "not protected: no vault backs this VM up"
VM_MISSING = "its VM no longer exists (the retained points remain)"
#: Severity of a score: the first whose threshold it reaches.
SEVERITIES = (("critical", 50), ("high", 30), ("medium", 10), ("low", 0))
#: Protection states where no backup runs any more.
STOPPED = {"ProtectionStopped": "protection stopped", "ProtectionPaused": "protection paused",
           "BackupsSuspended": "backups suspended"}
#: Last-backup statuses that are failures.
FAILED = ("Failed", "Cancelled")
#: Columns of :func:`at_risk`'s frame, in order.
COLUMNS = ("item_id", "vm_id", "vm_name", "vm_resource_group", "vault", "subscription_id", "coverage", "severity",
           "score", "reasons", "newest_point", "age", "missed", "protection_state", "health", "last_backup_status",
           "last_backup_time")


def at_risk(items: Any, points: pd.DataFrame | None = None, *, rpo: str | Any = "1D", tolerance: str | Any = "2h",
            now: Any = None, daily_window: str | Any = DAILY_WINDOW, include_healthy: bool = False,
            tags: Any = None) -> pd.DataFrame:
    """The VMs at risk, worst first: one row per protected item (and per VM no vault protects), with reasons.

    ``items`` is an items frame (or what :func:`~restorekit.data.items.protected_items_frame` accepts), or a
    coverage frame (:func:`~restorekit.data.coverage.coverage_frame`, whose VMs without a backup rank too);
    None to judge the items of ``points`` by their points alone. ``points`` is a points frame whose times
    refine the items' ``last_recovery_point``. Reasons: not protected by any vault; no recovery point; the
    newest point older than ``rpo`` + ``tolerance`` (``"newest point 5 days 3 h old (RPO 1 day)"``); backups
    missed in the daily window; the last backup failed (``"last backup Failed on 2026-11-19 02:13 UTC"``);
    protection stopped, paused or in error; soft-deleted (``"soft-deleted: purged in 9 days 4 h unless
    undeleted"``); health or protection status asking for action; the item's VM gone.
    Columns: :data:`COLUMNS`; ``reasons`` joins them with ``"; "``. ``include_healthy`` keeps the rows without a
    reason (score 0) at the end. ``tags`` (a coverage frame's) keeps the VMs with these tags (see
    :func:`~restorekit.data.coverage.tag_filters`). Ties rank by item id (else VM id), so the order is one.

    >>> rk.at_risk(rk.protected_items_frame(rows), fleet, rpo="1D")[["vm_name", "severity", "reasons"]]  # doctest: +SKIP
    >>> rk.at_risk(az.coverage(), tags={"environment": "production"})                            # doctest: +SKIP
    """
    import numpy as np
    import pandas as pd

    end = utc_moment("now" if now is None else now)
    period, slack = pd.Timedelta(rpo), pd.Timedelta(tolerance)
    table = _items_table(items, points)
    if tags is not None:
        if "tags" not in table.columns:
            raise ValueError("tags= needs a coverage frame (az.coverage()), whose rows carry their VM's tags")
        table = table[tagged(table, tags).to_numpy()].reset_index(drop=True)
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

    unprotected = (table["coverage"] == "not protected").to_numpy()
    backed = ~unprotected  # a VM without a backup has one reason: the others are about backups
    flag(unprotected, WEIGHTS["not protected"], NOT_PROTECTED)
    state = table["protection_state"].astype(object).where(backed)
    status = table["last_backup_status"].astype(object).where(backed)
    no_point = table["newest_point"].isna() & backed
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
    health = table["health"].astype(object).where(backed)
    flag(health == "ActionRequired", WEIGHTS["action required"], "health: action required")
    flag(health == "ActionSuggested", WEIGHTS["action suggested"], "health: action suggested")
    protection = table["protection_status"].astype(object).where(backed)
    flag(protection.notna() & (protection != "") & ~protection.isin(["Healthy"]), WEIGHTS["unhealthy"],
         lambda r: f"protection status {protection.iat[r]}")
    flag(table["coverage"] == "VM missing", WEIGHTS["VM missing"], VM_MISSING)

    table["score"] = score
    table["reasons"] = ["; ".join(r) for r in reasons]
    table["severity"] = pd.Categorical([_severity(s) if s > 0 else None for s in score],
                                       categories=[name for name, _ in SEVERITIES], ordered=True)
    if not include_healthy:
        table = table[table["score"] > 0]
    table = table.assign(_key=table["item_id"].where(table["item_id"].notna(), table["vm_id"]).astype(object))
    table = table.sort_values(["score", "age", "_key"], ascending=[False, False, True], kind="stable",
                              na_position="first")
    frame = table.reset_index(drop=True)[list(COLUMNS)]
    frame["coverage"] = pd.Categorical(frame["coverage"], categories=list(COVERAGE))
    return for_people(frame)


def span(duration: pd.Timedelta) -> str:
    """A duration in words, to the minute: ``"5 days 3 h"``, ``"1 day"``, ``"20 h 5 min"``, ``"45 min"``."""
    minutes = int(duration.total_seconds() // 60)
    return format_duration(timedelta(minutes=minutes)) if minutes else "0 min"


def _severity(score: float) -> str:
    return next(name for name, threshold in SEVERITIES if score >= threshold)


def _items_table(items: Any, points: pd.DataFrame | None) -> pd.DataFrame:
    """One row per item or unprotected VM (text columns): the frame's, plus the items of ``points`` it lacks."""
    import pandas as pd

    from .items import COLUMNS as ITEM_COLUMNS
    from .items import protected_items_frame

    state_columns = ["protection_state", "protection_status", "health", "last_backup_status", "last_backup_time",
                     "last_recovery_point"]
    wanted = ["item_id", "vm_id", "vm_name", "vm_resource_group", "vault", "subscription_id", "coverage",
              *state_columns]
    if items is None:
        table = pd.DataFrame(columns=wanted)
    else:
        frame = items if isinstance(items, pd.DataFrame) else protected_items_frame(items)
        missing = [c for c in ("item_id", *state_columns) if c not in frame.columns]
        if missing:
            raise ValueError(f"items lacks {missing}: expected a frame of protected_items_frame() ({list(ITEM_COLUMNS)})"
                             " or of coverage_frame()")
        table = frame.reindex(columns=[*wanted, *[c for c in ("soft_deleted", "purge_in", "tags")
                                                  if c in frame.columns]])
        if "coverage" not in frame.columns:  # an items frame lists protected items
            table["coverage"] = "protected"
    table = _as_text(table.dropna(subset=["item_id", "vm_id"], how="all"))
    keyed = table["item_id"].notna()
    table = pd.concat([table[keyed].drop_duplicates("item_id"), table[~keyed].drop_duplicates("vm_id")])
    if points is not None and len(points):
        known = set(table["item_id"].dropna())
        extra = points.dropna(subset=["item_id"]).drop_duplicates("item_id")
        extra = extra[~extra["item_id"].astype(str).isin(known)]
        extra = extra[[c for c in FIELDS if c in extra.columns]].rename(columns={"resource_group": "vm_resource_group"})
        extra = _as_text(extra.reindex(columns=list(table.columns))).assign(coverage="protected")
        table = pd.concat([table, extra], ignore_index=True)
    for column in ("last_backup_time", "last_recovery_point"):
        table[column] = pd.to_datetime(table[column], utc=True).astype("datetime64[ns, UTC]")
    return table.reset_index(drop=True)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain objects, so frames with other categories concatenate and merge."""
    return frame.assign(**{c: frame[c].astype(object) for c in frame.columns if str(frame[c].dtype) == "category"})
