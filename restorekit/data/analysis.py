"""Questions about a recovery-points frame: latest point per VM, RPO gaps, per-VM summary.

Plain functions over the frame of :func:`restorekit.data.frames.recovery_points_frame`; each returns a new
frame and leaves its input untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.tiers import TIER_LABELS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

_TIER_FLAGS = {"snapshot": "snapshot", "vault": "vault_tier", "archive": "archive"}


def _keys(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _timed(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["time"].notna()]


def latest_points(df: pd.DataFrame, by: str | Sequence[str] = ("vm_name",), consistency: str | None = None,
                  tier: str | None = None) -> pd.DataFrame:
    """The newest point of each VM (or of each group of ``by``), optionally of one consistency or tier.

    ``consistency`` is a ``recoveryPointType`` such as ``"AppConsistent"`` (any case); ``tier`` is a
    usable tier (``"snapshot"``, ``"vault"``, ``"archive"`` or the API's ``"InstantRP"``…) or a tier
    label such as ``"snapshot+vault"``. Points without a time are ignored. Add ``"consistency"`` or
    ``"tier"`` to ``by`` for the latest point of each kind. Rows keep their index in ``df``.

    >>> latest_points(df, consistency="AppConsistent")        # doctest: +SKIP
    """
    keys = _keys(by)
    rows = _timed(df)
    if consistency is not None:
        rows = rows[rows["consistency"].astype("string").str.lower() == consistency.lower()]
    if tier is not None:
        label = TIER_LABELS.get(tier, tier)
        if label in _TIER_FLAGS:
            rows = rows[rows[_TIER_FLAGS[label]]]
        else:
            rows = rows[rows["tier"] == label]
    latest = rows.sort_values("time", kind="stable").drop_duplicates(subset=keys, keep="last")
    return latest.sort_values(keys, kind="stable")


def rpo_gaps(df: pd.DataFrame, expected: str | Any = "1D", tolerance: str | Any = "2h",
             by: str | Sequence[str] = "vm_name", until: Any = None) -> pd.DataFrame:
    """Intervals between consecutive points longer than ``expected + tolerance``, per VM.

    Columns: the ``by`` columns, ``gap_start`` and ``gap_end`` (the points around the gap, UTC),
    ``gap`` (Timedelta) and ``missed`` (about how many scheduled backups are missing:
    ``ceil((gap - tolerance) / expected) - 1``, at least 1). With ``until`` (a time, or ``"now"``), the
    gap from each VM's newest point to ``until`` is reported too when it is too long.

    >>> rpo_gaps(df, expected="1D", tolerance="2h")           # doctest: +SKIP
    """
    import numpy as np
    import pandas as pd

    keys = _keys(by)
    step = pd.Timedelta(expected)
    slack = pd.Timedelta(tolerance)
    if step <= pd.Timedelta(0):
        raise ValueError(f"expected must be a positive duration, got {expected!r}")
    rows = _timed(df)[[*keys, "time"]].sort_values([*keys, "time"], kind="stable")
    start = rows.groupby(keys, observed=True, sort=False, dropna=False)["time"].shift()
    frame = pd.DataFrame({**{k: rows[k] for k in keys}, "gap_start": start, "gap_end": rows["time"]})
    if until is not None:
        end = pd.Timestamp.now(tz="UTC") if isinstance(until, str) and until.lower() == "now" else until
        end = pd.Timestamp(end)
        end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
        last = rows.drop_duplicates(subset=keys, keep="last")
        tail = pd.DataFrame({**{k: last[k] for k in keys}, "gap_start": last["time"],
                             "gap_end": pd.Series(end, index=last.index).astype(rows["time"].dtype)})
        frame = pd.concat([frame, tail], ignore_index=True)
    frame["gap"] = frame["gap_end"] - frame["gap_start"]
    frame = frame[frame["gap"] > step + slack].reset_index(drop=True)
    missed = np.ceil((frame["gap"] - slack) / step).astype("int64") - 1
    frame["missed"] = missed.clip(lower=1)
    return frame.sort_values([*keys, "gap_start"], kind="stable").reset_index(drop=True)


def summary(df: pd.DataFrame, by: str | Sequence[str] = "vm_name") -> pd.DataFrame:
    """Per VM: number of points, usable points per tier and per consistency, oldest, newest, largest gap.

    Columns: ``points``, ``snapshot``, ``vault``, ``archive`` (points usable in each tier), one column
    per consistency seen (``AppConsistent``…), ``oldest``, ``newest``, ``largest_gap`` (Timedelta, NaT
    for a single point). Indexed by ``by``.
    """
    import pandas as pd

    keys = _keys(by)
    groups = df.groupby(keys, observed=True, sort=True, dropna=False)
    out = groups.agg(points=("time", "size"), snapshot=("snapshot", "sum"), vault=("vault_tier", "sum"),
                     archive=("archive", "sum"), oldest=("time", "min"), newest=("time", "max"))
    kinds = df.groupby([*keys, "consistency"], observed=True, dropna=False).size().unstack(fill_value=0)
    kinds.columns = [str(c) for c in kinds.columns]
    out = out.join(kinds, how="left")
    rows = _timed(df)[[*keys, "time"]].sort_values([*keys, "time"], kind="stable")
    gaps = rows["time"] - rows.groupby(keys, observed=True, sort=False, dropna=False)["time"].shift()
    largest = gaps.groupby([rows[k] for k in keys], observed=True, dropna=False).max()
    out["largest_gap"] = largest.reindex(out.index) if len(largest) else pd.NaT
    counts = [c for c in kinds.columns]
    out[counts] = out[counts].fillna(0).astype("int64")
    order = ["points", "snapshot", "vault", "archive", *counts, "oldest", "newest", "largest_gap"]
    return out[order]
