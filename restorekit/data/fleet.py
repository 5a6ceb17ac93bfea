"""A fleet on one picture: a VM × day heatmap, worst VMs on top, readable from 5 to 5,000 VMs.

One ``pcolormesh`` draws every cell, so the number of artists does not grow with the fleet. Rows are the
protected VMs ranked by :func:`restorekit.data.risk.at_risk` (worst first); a cell is the best point of
the day: its usable tier (snapshot, vault, archive) or its consistency; a blank cell is a day without a
point, a grey one a day before the VM's first point. The worst VMs (``max_labels``, 40 by default) get
rows of their own height and their names; the others share a band below, one thin row each, still in
risk order. matplotlib is imported when :func:`plot_fleet` runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .analysis import DAILY_WINDOW, utc_moment
from .identity import labels
from .risk import at_risk

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes

#: Cell values and their colours, per ``colour`` mode (``-2``: today, the VM's backup not due yet; ``-1``: before
#: the first point; ``0``: no point).
SCALES: dict[str, tuple[tuple[int, str, str], ...]] = {
    "tier": ((-2, "#dce6f0", "not due yet today"), (-1, "0.72", "before the first point"),
             (0, "white", "no point (missed)"),
             (1, "tab:gray", "no usable tier"), (2, "tab:purple", "archive"), (3, "tab:green", "vault"),
             (4, "tab:blue", "snapshot")),
    "consistency": ((-2, "#dce6f0", "not due yet today"), (-1, "0.72", "before the first point"),
                    (0, "white", "no point (missed)"),
                    (1, "tab:gray", "other"), (2, "tab:orange", "CrashConsistent"),
                    (3, "tab:olive", "FileSystemConsistent"), (4, "tab:blue", "AppConsistent")),
}
MAX_LABELS = 40
_CONSISTENCY_VALUE = {"CrashConsistent": 2, "FileSystemConsistent": 3, "AppConsistent": 4}


def plot_fleet(points: pd.DataFrame, items: Any = None, ax: Axes | None = None, *, days: int = 60, now: Any = None,
               colour: str = "tier", max_labels: int = MAX_LABELS, rpo: str | Any = "1D", tolerance: str | Any = "2h",
               daily_window: str | Any = DAILY_WINDOW, title: str | None = None) -> Axes:
    """Draw the fleet's last ``days`` days as a VM × day heatmap, worst VMs on top; return the ``Axes``.

    ``points`` is a points frame, ``items`` an optional items frame (its protection states rank the rows
    too, and its VMs without any point show as blank rows); ``now`` ends the picture (default: the current
    time); ``colour`` is ``"tier"`` (best usable tier of the day) or ``"consistency"``. At most
    ``max_labels`` VMs are named, the worst; ``rpo``, ``tolerance`` and ``daily_window`` rank them as
    :func:`~restorekit.data.risk.at_risk` does.

    >>> ax = plot_fleet(fleet, items, days=60)                 # doctest: +SKIP
    >>> ax.figure.savefig("fleet.png")                         # doctest: +SKIP
    """
    import matplotlib.dates as mdates
    import numpy as np
    import pandas as pd
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    if colour not in SCALES:
        raise ValueError(f"colour must be one of {sorted(SCALES)}, got {colour!r}")
    end = utc_moment("now" if now is None else now)
    first_day = end.floor("D") - pd.Timedelta(days=days - 1)
    ranked = at_risk(items, points, rpo=rpo, tolerance=tolerance, now=end, daily_window=daily_window,
                     include_healthy=True)
    cells = _cells(points, ranked["item_id"].tolist(), first_day, days, colour, end, pd.Timedelta(tolerance))
    n = len(ranked)
    shown = min(n, max_labels)

    if ax is None:
        import matplotlib.pyplot as plt

        band = shown / 2 if n > shown else 0
        height = min(max(2.5, 0.2 * (shown + band) + 1.8), 16)
        _, ax = plt.subplots(figsize=(11, height), layout="constrained")

    y_edges = _row_edges(n, shown)
    x_edges = mdates.date2num((first_day + pd.to_timedelta(np.arange(days + 1), unit="D")).tz_localize(None)
                              .to_numpy())
    scale = SCALES[colour]
    cmap = ListedColormap([c for _, c, _ in scale])
    norm = BoundaryNorm([v - 0.5 for v, _, _ in scale] + [scale[-1][0] + 0.5], cmap.N)
    if n:
        ax.pcolormesh(x_edges, y_edges, cells, cmap=cmap, norm=norm, shading="flat", rasterized=n > 200)
    ax.set_xlim(x_edges[0], x_edges[-1])
    ax.set_ylim(y_edges[-1] if n else 1, 0)

    names = labels(ranked.iloc[:shown].rename(columns={"vm_resource_group": "resource_group"}))
    ticks, tick_labels = list(np.arange(shown) + 0.5), names
    if n > shown:
        ax.axhline(shown, color="0.25", linewidth=0.8)
        ticks.append((y_edges[shown] + y_edges[-1]) / 2)
        tick_labels = [*names, f"{n - shown:,} more VMs,\nworst first"]
    ax.set_yticks(ticks, tick_labels, fontsize="small")
    locator = mdates.AutoDateLocator(tz="UTC")
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz="UTC"))
    ax.set_xlabel("day (UTC)")
    handles = [Patch(facecolor=c, edgecolor="0.6", label=label) for _, c, label in scale]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False,
              borderaxespad=0, title=colour)
    if title is None:
        risky = int((ranked["score"] > 0).sum())
        title = (f"{n:,} VM(s) × {days} days to {end:%Y-%m-%d %H:%M} UTC, worst first: {risky:,} at risk"
                 + (f", {shown} named" if n > shown else ""))
    ax.set_title(title)
    return ax


def _cells(points: pd.DataFrame, order: list[str], first_day: pd.Timestamp, days: int, colour: str,
           end: pd.Timestamp, tolerance: pd.Timedelta) -> np.ndarray:
    """The best value of each (VM, day); -1 before the VM's first point; -2 today when the VM's backup is not due.

    A VM whose last point was taken at 22:00 has not missed today's backup at noon: today's empty cell is "not
    due yet" while ``end`` is before the time of day of the VM's last point plus ``tolerance``.
    """
    import numpy as np
    import pandas as pd

    cells = np.zeros((len(order), days), dtype=np.int8)
    if not len(order):
        return cells
    timed = points[points["time"].notna() & points["item_id"].notna()]
    row_of = pd.Index(order).get_indexer(timed["item_id"].astype(str))
    timed, row_of = timed[row_of >= 0], row_of[row_of >= 0]
    oldest = timed.groupby(row_of)["time"].min()
    first = np.zeros(len(order), dtype=np.int64)  # rows without any point: blank, not grey
    first[oldest.index.to_numpy()] = ((oldest - first_day) // pd.Timedelta("1D")).to_numpy()
    cells[np.arange(days)[None, :] < first[:, None]] = -1
    day = ((timed["time"] - first_day) // pd.Timedelta("1D")).to_numpy()
    inside = (day >= 0) & (day < days)
    if colour == "tier":
        value = np.select([timed["snapshot"], timed["vault_tier"], timed["archive"]], [4, 3, 2], 1)
    else:
        value = timed["consistency"].astype(object).map(_CONSISTENCY_VALUE).fillna(1).to_numpy()
    np.maximum.at(cells, (row_of[inside], day[inside]), value[inside].astype(np.int8))
    today = days - 1
    if first_day + pd.Timedelta(days=today) <= end:
        newest = timed.groupby(row_of)["time"].max()
        due = newest - newest.dt.floor("D") + tolerance  # the usual time of day, plus the tolerance
        not_due = newest.index.to_numpy()[(end - end.floor("D") < due).to_numpy()]
        column = cells[:, today]
        column[not_due] = np.where(column[not_due] == 0, -2, column[not_due])
    return cells


def _row_edges(n: int, shown: int) -> np.ndarray:
    """Row boundaries: the ``shown`` worst rows one unit high, the others sharing a band half as high."""
    import numpy as np

    edges = np.arange(shown + 1, dtype=float)
    if n > shown:
        edges = np.concatenate([edges, shown + np.arange(1, n - shown + 1) * (shown / 2) / (n - shown)])
    return edges
