"""Recovery points on a timeline: one lane per VM, marker by consistency, colour by tier, missed backups shaded.

Only the gaps that miss a backup inside the daily window (the last ``daily_window`` before ``now``, 30 days as in
Azure's default policy) are shaded: older history keeps weekly, monthly and yearly points only, and its long
intervals are retention thinning, drawn as a light band of their own, not as gaps (the rule of
:func:`restorekit.data.analysis.summary`). ``now``/``until`` draw the gap from the newest point to the present.

matplotlib is imported when :func:`plot_timeline` runs. The plot stays fast: one scatter per
(consistency, tier) combination and one collection for all gaps, never an artist per point or per VM.
Lanes are for a few VMs: past ``max_lanes`` they would blur into moiré, so the fleet is drawn as
:func:`restorekit.data.fleet.plot_fleet`'s VM × day heatmap instead, with a :class:`TooManyLanesWarning`.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .analysis import DAILY_WINDOW

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

#: Marker of each consistency; other values get :data:`OTHER_MARKER`.
MARKERS = {"AppConsistent": "o", "FileSystemConsistent": "s", "CrashConsistent": "^"}
OTHER_MARKER = "D"
#: Colour of each tier label; other labels get :data:`OTHER_COLOUR`.
COLOURS = {"snapshot+vault": "tab:blue", "snapshot": "tab:cyan", "vault": "tab:green",
           "vault+archive": "tab:olive", "archive": "tab:purple", "snapshot+archive": "tab:pink",
           "snapshot+vault+archive": "tab:brown", "none": "tab:gray"}
OTHER_COLOUR = "black"
GAP_COLOUR = "tab:red"
THINNING_COLOUR = "tab:gray"
#: Lane columns that name one VM's backup schedule (gaps are shaded per lane for these).
_VM_KEYS = ("item_id", "vm_name", "protected_item", "vm_id")
#: At most this many lane labels are written on the y axis; the others are skipped evenly.
MAX_LANE_LABELS = 40
#: Past this many VM lanes, the heatmap is drawn instead.
MAX_LANES = 100


class TooManyLanesWarning(UserWarning):
    """Too many VMs for one lane each: the VM × day heatmap (``plot_fleet``) was drawn instead."""


def plot_timeline(df: pd.DataFrame | Any, ax: Axes | None = None, *, by: str | None = None, gaps: bool = True,
                  expected: str | Any = "1D", tolerance: str | Any = "2h", now: Any = None, until: Any = None,
                  daily_window: str | Any | None = DAILY_WINDOW, title: str | None = None,
                  max_lanes: int | None = MAX_LANES) -> Axes:
    """Plot recovery points on a UTC timeline and return the matplotlib ``Axes``.

    ``df`` is a points frame, or typed points (``item.recovery_points()``). One lane per VM (``by="item_id"``,
    labelled by VM name, with its resource group or vault where names collide) or, when the frame holds a single
    VM, one lane per tier (``by="tier"``); pass ``by`` to choose another column. Markers show the consistency,
    colours the usable tiers. Shaded: the gaps longer than ``expected + tolerance`` that miss a backup inside the
    daily window (``daily_window`` before ``now``; ``gaps=False`` to skip); the history before it is retention
    thinning, a light band (``daily_window=None`` shades every long interval instead). ``now`` (e.g. ``az.now()``;
    default: the newest point) also draws the gap from each lane's newest point to it, as ``until`` does alone (the
    time axis reaches it). Draws on ``ax`` when given, else on a new figure. With more than ``max_lanes`` VMs
    (None: no limit), it warns (:class:`TooManyLanesWarning`) and draws
    :func:`~restorekit.data.fleet.plot_fleet`'s heatmap of the frame's days instead.

    >>> ax = plot_timeline(item.recovery_points(), now=az.now())   # doctest: +SKIP
    >>> ax.figure.savefig("points.png")                            # doctest: +SKIP
    """
    import matplotlib.dates as mdates
    import numpy as np
    import pandas as pd
    from matplotlib.collections import PolyCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .analysis import rpo_gaps, utc_moment
    from .identity import labels

    if not isinstance(df, pd.DataFrame):  # typed points: RecoveryPoints, or any iterable of RecoveryPoint
        from .frames import points_to_frame

        df = df.to_frame() if hasattr(df, "to_frame") else points_to_frame(df)
    rows = df[df["time"].notna()]
    end = utc_moment(until) if until is not None else utc_moment(now) if now is not None else None
    reference = utc_moment(now) if now is not None else end if end is not None else (
        rows["time"].max() if len(rows) else None)
    window_start = (reference - pd.Timedelta(daily_window)
                    if daily_window is not None and reference is not None else None)
    if by is None:
        by = "tier" if rows["item_id"].nunique(dropna=False) <= 1 else "item_id"
    lanes_values = rows[by].astype("object").where(rows[by].notna(), "(unknown)").astype(str)
    if by == "item_id":  # named by the VM, ordered by name
        firsts = rows.drop_duplicates("item_id")
        names = dict(zip(firsts["item_id"].astype(object).where(firsts["item_id"].notna(), "(unknown)").astype(str),
                         labels(firsts), strict=True))
        lanes_values = lanes_values.map(names)
    codes, lanes = pd.factorize(lanes_values, sort=True)
    lane_count = len(lanes)
    if max_lanes is not None and lane_count > max_lanes and by in _VM_KEYS:
        from .fleet import plot_fleet

        warnings.warn(TooManyLanesWarning(
            f"{lane_count} VMs are too many lanes to read (max_lanes={max_lanes}): drawing plot_fleet's VM x day "
            "heatmap instead; pass max_lanes=None to force the lanes"), stacklevel=2)
        newest, oldest = rows["time"].max(), rows["time"].min()
        return plot_fleet(df, ax=ax, now=newest, days=max(1, int((newest - oldest) / pd.Timedelta("1D")) + 1),
                          title=title, rpo=expected, tolerance=tolerance)

    if ax is None:
        import matplotlib.pyplot as plt

        height = min(max(2.5, 0.22 * lane_count + 1.6), 14)
        _, ax = plt.subplots(figsize=(11, height), layout="constrained")

    x = mdates.date2num(rows["time"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
    y = codes.astype(float)
    consistency = rows["consistency"].astype("object").where(rows["consistency"].notna(), "unknown")
    tier = rows["tier"].astype("object").where(rows["tier"].notna(), "none")
    combos = pd.DataFrame({"c": consistency.to_numpy(), "t": tier.to_numpy()})
    group_codes, uniques = pd.factorize(pd.MultiIndex.from_frame(combos), sort=True)
    size = 36 if len(rows) < 2000 else (14 if len(rows) < 20000 else 6)
    for k, (kind, label) in enumerate(uniques):
        mask = group_codes == k
        ax.scatter(x[mask], y[mask], s=size, marker=MARKERS.get(kind, OTHER_MARKER),
                   color=COLOURS.get(label, OTHER_COLOUR), linewidths=0, zorder=3)

    gap_count = 0
    thinning = window_start is not None and len(rows) and rows["time"].min() < window_start
    if thinning:  # the thinned history: one light band, behind everything
        ax.axvspan(mdates.date2num(rows["time"].min().tz_convert("UTC").tz_localize(None)),
                   mdates.date2num(window_start.tz_convert("UTC").tz_localize(None)), color=THINNING_COLOUR,
                   alpha=0.08, zorder=0, linewidth=0)
    if gaps and len(rows):
        options = {"expected": expected, "tolerance": tolerance, "until": end, "since": window_start}
        if by in _VM_KEYS:  # a lane is a VM's schedule: shade each lane's own gaps
            holes = rpo_gaps(rows.assign(_lane=lanes_values), by="_lane", **options)
            lane_of = pd.Index(lanes).get_indexer(holes["_lane"])
            y0, y1 = lane_of - 0.4, lane_of + 0.4
        else:  # lanes split a VM's points (by tier, ...): its gaps span every lane
            holes = rpo_gaps(rows, by="item_id", **options)
            y0 = np.full(len(holes), -0.45)
            y1 = np.full(len(holes), lane_count - 0.55)
        gap_count = len(holes)
        if gap_count:
            if window_start is not None:  # what lies before the daily window is thinning, not the gap
                holes = holes.assign(gap_start=holes["gap_start"].clip(lower=window_start))
            x0 = mdates.date2num(holes["gap_start"].dt.tz_localize(None).to_numpy())
            x1 = mdates.date2num(holes["gap_end"].dt.tz_localize(None).to_numpy())
            verts = np.stack([np.column_stack([x0, y0]), np.column_stack([x0, y1]),
                              np.column_stack([x1, y1]), np.column_stack([x1, y0])], axis=1)
            ax.add_collection(PolyCollection(verts, facecolors=GAP_COLOUR, edgecolors="none", alpha=0.25,
                                             zorder=1), autolim=True)

    # axes: UTC dates, lane labels (a subset when there are many)
    locator = mdates.AutoDateLocator(tz="UTC")
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz="UTC"))
    ax.set_xlabel("time (UTC)")
    if len(rows):
        right = max(x.max(), mdates.date2num(end.tz_convert("UTC").tz_localize(None))) if end is not None else x.max()
        pad = max((right - x.min()) * 0.02, 0.5)
        ax.set_xlim(x.min() - pad, right + pad)
    step = max(1, int(np.ceil(lane_count / MAX_LANE_LABELS)))
    ticks = np.arange(0, lane_count, step)
    ax.set_yticks(ticks, [str(lanes[t]) for t in ticks])
    ax.set_ylim(lane_count - 0.5 if lane_count else 0.5, -0.5)
    name = "VM" if by == "item_id" else by
    ax.set_ylabel(name if step == 1 else f"{name} (every {step}th label shown)")
    ax.grid(axis="x", alpha=0.3)

    # legend: shapes for consistencies, colours for tiers, the gap shading
    handles: list[Any] = []
    for kind in dict.fromkeys(kind for kind, _ in uniques):
        handles.append(Line2D([], [], linestyle="", marker=MARKERS.get(kind, OTHER_MARKER), color="0.3",
                              label=str(kind)))
    for label in dict.fromkeys(label for _, label in uniques):
        handles.append(Patch(color=COLOURS.get(label, OTHER_COLOUR), label=str(label)))
    if gap_count:
        handles.append(Patch(color=GAP_COLOUR, alpha=0.25, label=f"missed backups (gap > {expected} + {tolerance})"))
    if thinning:
        handles.append(Patch(color=THINNING_COLOUR, alpha=0.2,
                             label=f"before the last {_words(daily_window)}: retention thinning, gaps not shaded"))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                  frameon=False, borderaxespad=0)
    if title is None:
        what = f"{lane_count} VM(s)" if by in _VM_KEYS else f"{lane_count} lane(s) by {by}"
        title = f"{len(rows)} recovery point(s), {what}" + (
            f", {gap_count} gap(s) with missed backups" if gap_count else "") + (
            f" in the last {_words(daily_window)}" if gap_count and window_start is not None else "")
    ax.set_title(title)
    return ax


def _words(duration: Any) -> str:
    """A duration in words (``"30 days"``)."""
    import pandas as pd

    from ..core.times import format_duration

    return format_duration(pd.Timedelta(duration).to_pytimedelta())
