"""Questions about a recovery-points frame: latest point per VM, RPO gaps, per-VM summary, vaults side by side.

Plain functions over the frame of :func:`restorekit.data.frames.recovery_points_frame`; each returns a new
frame and leaves its input untouched. They group by ``item_id`` (one protected VM, whatever its name:
two ``testVM`` in different vaults or resource groups stay apart) and show ``vm_name``,
``resource_group`` and ``vault`` beside it; ``by`` chooses other groups.

Missed backups and retention thinning: a policy keeps a point a day for its daily retention (30 days in
Azure's default policy), then only its weekly, monthly and yearly points. The long gaps of that older
history are thinning, not failures; :func:`summary` counts missed backups inside the daily window only
(``daily_window`` up to ``now``) and reports the thinned history apart.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.tiers import TIER_LABELS
from .readable import for_people

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Columns shown beside the key of a protected VM.
DISPLAY = ("vm_name", "resource_group", "vault")
#: Default daily retention window: Azure's default VM policy keeps daily points 30 days.
DAILY_WINDOW = "30D"
_TIER_FLAGS = {"snapshot": "snapshot", "vault": "vault_tier", "archive": "archive"}


class VMsLeftOutWarning(UserWarning):
    """Some VMs have no point of the kind asked for and are not in the result; the message names them and why."""


def latest_points(df: pd.DataFrame, by: str | Sequence[str] = "item_id", consistency: str | None = None,
                  tier: str | None = None) -> pd.DataFrame:
    """The newest point of each VM (or of each group of ``by``), optionally of one consistency or tier.

    ``consistency`` is a ``recoveryPointType`` such as ``"AppConsistent"`` (any case); ``tier`` is a
    usable tier (``"snapshot"``, ``"vault"``, ``"archive"`` or the API's ``"InstantRP"``…) or a tier
    label such as ``"snapshot+vault"``. Points without a time are ignored. Add ``"consistency"`` or
    ``"tier"`` to ``by`` for the latest point of each kind. Rows keep their index in ``df`` and are ordered
    by VM name, resource group and vault.

    Nothing is left out silently: the VMs (groups) that have no such point are counted and named, with what they
    have instead, in a :class:`VMsLeftOutWarning` and in ``result.attrs["left_out"]`` (JSON records: the group's
    key, ``vm_name`` when known, and ``why``).

    >>> latest_points(df, consistency="AppConsistent")        # doctest: +SKIP
    """
    keys = _keys(by)
    rows = _timed(df)
    if consistency is not None:
        rows = rows[rows["consistency"].astype("string").str.lower() == consistency.lower()]
    if tier is not None:
        label = TIER_LABELS.get(tier, tier)
        rows = rows[rows[_TIER_FLAGS[label]]] if label in _TIER_FLAGS else rows[rows["tier"] == label]
    latest = rows.sort_values("time", kind="stable").drop_duplicates(subset=keys, keep="last")
    latest = latest.sort_values(_order(latest, keys), kind="stable")
    left_out = _left_out(df, latest, keys, consistency=consistency, tier=tier)
    latest.attrs["left_out"] = left_out
    if left_out:
        groups = df.drop_duplicates(subset=keys).shape[0]
        wanted = " ".join(w for w in (consistency, tier and f"{tier}-tier") if w) or "timed"
        listing = "; ".join(f"{r.get('vm_name') or r['key']}: {r['why']}" for r in left_out)
        warnings.warn(VMsLeftOutWarning(
            f"{len(left_out)} of {groups} VM(s) have no {wanted} point and are not in the result: {listing} "
            "(result.attrs['left_out'] lists them)"), stacklevel=2)
    return for_people(latest)


def rpo_gaps(df: pd.DataFrame, expected: str | Any = "1D", tolerance: str | Any = "2h",
             by: str | Sequence[str] = "item_id", until: Any = "now", since: Any = None) -> pd.DataFrame:
    """Intervals longer than ``expected + tolerance`` between a VM's points, and from its newest point to ``until``.

    Columns: the ``by`` columns, the VM's name, resource group and vault, ``gap_start`` and ``gap_end``
    (UTC), ``gap`` (Timedelta), ``missed`` (scheduled backups missing: one every ``expected`` after
    ``gap_start``, missed once ``tolerance`` has passed with no point) and ``open`` (True for the gap
    from the newest point to ``until``, which no point ends yet). ``until`` is ``"now"`` (the default), a
    time (reproducible notebooks), or None to leave the trailing gaps out. ``since`` (the start of the daily
    window, e.g. ``now - 30 days``) counts only the backups due from then on and keeps only the gaps that miss
    one: older intervals are retention thinning, not missed backups.

    >>> rpo_gaps(df, expected="1D", tolerance="2h", until="2026-11-20T00:00Z")   # doctest: +SKIP
    """
    keys = _keys(by)
    step, slack = _durations(expected, tolerance)
    intervals = _intervals(df, keys, None if until is None else utc_moment(until))
    gaps = intervals[intervals["gap"] > step + slack].copy()
    first_due = None if since is None else utc_moment(since)
    gaps["missed"] = _missed_slots(gaps["gap_start"], gaps["gap_end"], step, slack, first_due)
    if first_due is not None:
        gaps = gaps[gaps["missed"] > 0]
    gaps = gaps.sort_values([*keys, "gap_start"], kind="stable").reset_index(drop=True)
    return for_people(_with_display(gaps, df, keys)[[*keys, *_display_of(keys), "gap_start", "gap_end", "gap", "missed",
                                                      "open"]])


def summary(df: pd.DataFrame, by: str | Sequence[str] = "item_id", *, now: Any = None,
            expected: str | Any = "1D", tolerance: str | Any = "2h",
            daily_window: str | Any = DAILY_WINDOW) -> pd.DataFrame:
    """Per VM: points, tiers, consistencies, age of the newest point, missed backups, gaps; worst VMs first.

    Columns: the VM's name, resource group and vault; ``points``; ``in_snapshot``, ``in_vault``,
    ``in_archive`` (points usable in each tier); one column per consistency seen (``AppConsistent``…);
    ``oldest``, ``newest``; ``age`` (``now`` − newest); ``missed`` (scheduled backups missing inside
    the daily window, the time since the newest point included); ``largest_gap`` (the longest interval
    between points ending inside the window, the time since the newest point included: a VM whose backups
    stopped has that as its largest gap) and ``thinning_gap`` (the longest one before it: retention
    thinning, not failures). Indexed by ``by``; ordered by missed backups, then age, most first.
    ``now`` defaults to the current time; pass a time for reproducible notebooks.
    """
    import pandas as pd

    keys = _keys(by)
    step, slack = _durations(expected, tolerance)
    end = utc_moment("now" if now is None else now)
    window_start = end - pd.Timedelta(daily_window)
    groups = df.groupby(keys, observed=True, sort=False, dropna=False)
    out = groups.agg(points=("time", "size"), in_snapshot=("snapshot", "sum"), in_vault=("vault_tier", "sum"),
                     in_archive=("archive", "sum"), oldest=("time", "min"), newest=("time", "max"))
    kinds = df.groupby([*keys, "consistency"], observed=True, dropna=False).size().unstack(fill_value=0)
    kinds.columns = [str(c) for c in kinds.columns]
    out = out.join(kinds, how="left")
    counts = list(kinds.columns)
    out[counts] = out[counts].fillna(0).astype("int64")
    out["age"] = end - out["newest"]

    intervals = _intervals(df, keys, end)
    intervals["missed"] = _missed_slots(intervals["gap_start"], intervals["gap_end"], step, slack, window_start)
    inside = intervals["gap_end"] > window_start  # the open interval (newest point to now) ends at now: inside
    out["missed"] = _per_key(intervals, keys, "missed", "sum", out.index).fillna(0).astype("int64")
    out["largest_gap"] = _per_key(intervals[inside], keys, "gap", "max", out.index)
    out["thinning_gap"] = _per_key(intervals[~inside & ~intervals["open"]], keys, "gap", "max", out.index)
    out = _with_display(out.reset_index(), df, keys).set_index(keys)
    order = [*_display_of(keys), "points", "in_snapshot", "in_vault", "in_archive", *counts, "oldest", "newest",
             "age", "missed", "largest_gap", "thinning_gap"]
    return for_people(out[order].sort_values(["missed", "age"], ascending=False, kind="stable", na_position="first"))


def compare_vaults(*frames: pd.DataFrame, now: Any = None, expected: str | Any = "1D", tolerance: str | Any = "2h",
                   daily_window: str | Any = DAILY_WINDOW) -> pd.DataFrame:
    """Vaults side by side, one row per VM: what each vault holds of it, and which holds the newest point.

    ``frames`` are points frames, e.g. ``vault_a.inventory(), vault_b.inventory()`` (or one frame of several
    vaults). A VM is its source VM (``vm_id``), whichever vault or protected item backs it up. Columns:
    ``vm_name``, ``resource_group``; per vault, in the order given, ``points (vault)``, ``newest (vault)`` and
    ``missed (vault)`` (as in :func:`summary`, measured at ``now``; missing where the vault holds none); ``held_by`` (the vaults with points of it, ``"only …"`` when one) and
    ``newest_in``. A vault name found in two resource groups is written ``group/name``.

    >>> rk.compare_vaults(prod.inventory(), dr.inventory(), now=az.now())   # doctest: +SKIP
    """
    import pandas as pd

    if not frames:
        raise TypeError("compare_vaults needs points frames: compare_vaults(vault_a.inventory(), vault_b.inventory())")
    both = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    triples = both[["subscription_id", "vault_resource_group", "vault"]].astype(object).fillna("?").astype(str)
    clash = triples.drop_duplicates().duplicated(subset=["vault"], keep=False)
    clashing = set(triples.drop_duplicates()[clash]["vault"])
    vault = triples["vault"].where(~triples["vault"].isin(clashing),
                                   triples["vault_resource_group"] + "/" + triples["vault"])
    per = summary(both.assign(_vault=vault.to_numpy()), by=["vm_id", "_vault"], now=now, expected=expected,
                  tolerance=tolerance, daily_window=daily_window)
    vaults = list(dict.fromkeys(vault))  # in the order the frames name them
    side = per[["points", "newest", "missed"]].unstack("_vault")
    held = side["points"].reindex(columns=vaults).fillna(0) > 0
    out = pd.DataFrame(index=side.index)
    for name in vaults:  # a vault that holds no point of a VM has 0 points of it, and no newest point or missed one
        out[f"points ({name})"] = side[("points", name)].fillna(0).astype("int64")
        out[f"newest ({name})"] = side[("newest", name)]
        out[f"missed ({name})"] = side[("missed", name)].astype("Int64").where(held[name])
    out["held_by"] = [", ".join(v for v in vaults if row[v]) for _, row in held.iterrows()]
    out.loc[held.sum(axis=1) == 1, "held_by"] = "only " + out["held_by"]
    out["newest_in"] = side["newest"].reindex(columns=vaults).idxmax(axis=1, skipna=True)
    names = both[["vm_id", "vm_name", "resource_group"]].dropna(subset=["vm_id"]).drop_duplicates("vm_id")
    out = names.astype(object).set_index("vm_id").reindex(out.index).join(out)
    return for_people(out.sort_values(["vm_name", "resource_group"], kind="stable"))


# --- shared steps -------------------------------------------------------------------------------------------


def _left_out(df: pd.DataFrame, latest: pd.DataFrame, keys: list[str], *, consistency: str | None,
              tier: str | None) -> list[dict[str, Any]]:
    """JSON records of the groups of ``df`` that ``latest`` lacks, each with what it has instead (``why``)."""
    import pandas as pd

    present = set(latest[keys].astype(str).itertuples(index=False, name=None))
    row_keys = pd.Series(list(df[keys].astype(str).itertuples(index=False, name=None)), index=df.index)
    missing = df[~row_keys.isin(present)]
    out = []
    for key, group in missing.groupby(keys, observed=True, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        timed = _timed(group)
        if not len(timed):
            why = "no point with a time"
        else:
            has = []
            if consistency is not None:
                kinds = sorted(map(str, timed["consistency"].dropna().unique()))
                has.append(f"its points are {', '.join(kinds) or 'of no known consistency'}")
            if tier is not None:
                tiers = sorted(map(str, timed["tier"].dropna().unique()))
                has.append(f"its tiers are {', '.join(tiers) or 'none'}")
            wanted = " ".join(w for w in (consistency, tier and f"{tier}-tier") if w)
            why = f"no {wanted} point ({'; '.join(has)})"
        record = {"key": " / ".join(map(str, key)), "why": why}
        if "vm_name" in group.columns and group["vm_name"].notna().any():
            record["vm_name"] = str(group["vm_name"].dropna().iloc[0])
        out.append(record)
    return sorted(out, key=lambda r: (r.get("vm_name") or "", r["key"]))


def _keys(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _timed(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["time"].notna()]


def _display_of(keys: list[str]) -> list[str]:
    """The display columns shown beside ``keys`` (those not already keys), when the keys name a VM."""
    return [c for c in DISPLAY if c not in keys] if "item_id" in keys else []


def _order(frame: pd.DataFrame, keys: list[str]) -> list[str]:
    """Sort columns for readable output: VM name, resource group, vault before the (opaque) item id."""
    return [*_display_of(keys), *keys] if "item_id" in keys else keys


def _with_display(frame: pd.DataFrame, df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` with the display columns of each key (from ``df``'s first row of that key)."""
    shown = [c for c in _display_of(keys) if c in df.columns]
    if not shown:
        return frame
    names = df[[*keys, *shown]].drop_duplicates(subset=keys)
    return frame.merge(names, on=keys, how="left", sort=False)


def _durations(expected: Any, tolerance: Any) -> tuple[pd.Timedelta, pd.Timedelta]:
    import pandas as pd

    step, slack = pd.Timedelta(expected), pd.Timedelta(tolerance)
    if step <= pd.Timedelta(0):
        raise ValueError(f"expected must be a positive duration, got {expected!r}")
    return step, slack


def utc_moment(when: Any) -> pd.Timestamp:
    """A UTC Timestamp from ``"now"`` (the current time), a text or a time.

    A time without a zone is read in this kernel's local zone, and a warning says so
    (:func:`restorekit.core.times.local_moment`).
    """
    import pandas as pd

    from ..core.times import local_moment

    if isinstance(when, str) and when.lower() == "now":
        return pd.Timestamp.now(tz="UTC")
    stamp = pd.Timestamp(when)
    if stamp.tzinfo is None:
        return pd.Timestamp(local_moment(stamp.to_pydatetime(warn=False), when)).tz_convert("UTC")
    return stamp.tz_convert("UTC")


def _intervals(df: pd.DataFrame, keys: list[str], until: pd.Timestamp | None) -> pd.DataFrame:
    """Every interval between consecutive points of a group, and (``open``) from its newest point to ``until``."""
    import pandas as pd

    rows = _timed(df)[[*keys, "time"]].sort_values([*keys, "time"], kind="stable")
    start = rows.groupby(keys, observed=True, sort=False, dropna=False)["time"].shift()
    closed = pd.DataFrame({**{k: rows[k] for k in keys}, "gap_start": start, "gap_end": rows["time"], "open": False})
    parts = [closed[closed["gap_start"].notna()]]
    if until is not None:
        last = rows.drop_duplicates(subset=keys, keep="last")
        parts.append(pd.DataFrame({**{k: last[k] for k in keys}, "gap_start": last["time"],
                                   "gap_end": pd.Series(until, index=last.index).astype(rows["time"].dtype),
                                   "open": True}))
    intervals = pd.concat(parts, ignore_index=True)
    intervals["gap"] = intervals["gap_end"] - intervals["gap_start"]
    return intervals


def _per_key(frame: pd.DataFrame, keys: list[str], column: str, how: str, index: pd.Index) -> pd.Series:
    """``frame[column]`` aggregated (``how``) per key, aligned on ``index`` (missing where no row)."""
    import pandas as pd

    if not len(frame):
        return pd.Series(pd.NaT if column == "gap" else 0, index=index,
                         dtype="timedelta64[ns]" if column == "gap" else "int64")
    grouped = frame.groupby([frame[k] for k in keys], observed=True, dropna=False)[column].agg(how)
    return grouped.reindex(index)


def _missed_slots(start: pd.Series, end: pd.Series, step: pd.Timedelta, slack: pd.Timedelta,
                  window_start: pd.Timestamp | None = None) -> pd.Series:
    """Scheduled backups missed in each interval: one is due every ``step`` after ``start``, missed when no
    point came within ``slack`` of it before ``end``; with ``window_start``, only those due from then on."""
    import numpy as np
    import pandas as pd

    s = start.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    e = end.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    due_last = np.ceil((e - slack.value - s) / step.value).astype(np.int64) - 1  # s + k*step + slack < e
    due_first = np.ones_like(s)
    if window_start is not None:
        due_first = np.maximum(1, np.ceil((window_start.value - s) / step.value).astype(np.int64))
    return pd.Series(np.maximum(0, due_last - due_first + 1), index=start.index, dtype="int64")
