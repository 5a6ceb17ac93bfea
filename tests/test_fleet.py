"""plot_fleet: one mesh whatever the fleet, worst VMs on top and named, readable labels, blank missed days."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from test_items import protected_item  # noqa: E402

from restorekit.data.fleet import MAX_LABELS, plot_fleet  # noqa: E402
from restorekit.data.frames import recovery_points_frame  # noqa: E402
from restorekit.data.items import protected_items_frame  # noqa: E402

NOW = pd.Timestamp("2026-11-20T06:00:00Z")
ITEM = ("/subscriptions/s/resourceGroups/vrg/providers/Microsoft.RecoveryServices/vaults/v/backupFabrics/Azure/"
        "protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg;{vm}/protectedItems/VM;iaasvmcontainerv2;rg;{vm}")
SNAP_VAULT = [{"type": 1, "status": 1}, {"type": 2, "status": 1}]
VAULT = [{"type": 2, "status": 1}]


def fleet(vms: int, days: int = 60, stale: dict[int, int] | None = None, holes: dict[int, set[int]] | None = None,
          start: dict[int, int] | None = None) -> pd.DataFrame:
    """Daily points at 02:00 UTC for ``days`` days up to NOW; ``stale[v]``: VM v stopped that many days ago;
    ``holes[v]``: days (0 = today) it missed; ``start[v]``: its first day (days before NOW)."""
    stale, holes, start = stale or {}, holes or {}, start or {}
    points = []
    for v in range(vms):
        vm = f"vm{v:04d}"
        for d in range(stale.get(v, 0), start.get(v, days)):
            if d in holes.get(v, ()):
                continue
            when = (NOW.floor("D") + pd.Timedelta("2h") - pd.Timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ")
            points.append({"id": ITEM.format(vm=vm) + f"/recoveryPoints/{v}-{d}", "name": f"{v}-{d}",
                           "properties": {"recoveryPointTime": when, "recoveryPointType": "CrashConsistent",
                                          "recoveryPointTierDetails": SNAP_VAULT if d < 5 else VAULT}})
    return recovery_points_frame(points)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("vms", [5, 50, 500])
def test_artists_do_not_grow_with_vms(vms):
    ax = plot_fleet(fleet(vms, days=20, stale={vms - 1: 6}), days=20, now=NOW)
    assert [type(c).__name__ for c in ax.collections] == ["QuadMesh"]
    assert len(ax.lines) == (1 if vms > MAX_LABELS else 0) and not ax.patches and not ax.images
    assert ax.collections[0].get_array().shape == (vms, 20)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == min(vms, MAX_LABELS) + (vms > MAX_LABELS)
    assert labels[0] == f"vm{vms - 1:04d}"  # the stale VM, first
    small = plot_fleet(fleet(5, days=20), days=20, now=NOW)
    assert len(ax.get_children()) == len(small.get_children()) + (vms > MAX_LABELS)  # + the band's separator


@pytest.mark.parametrize("vms", [5, 50, 500, 5000])
def test_labels_stay_readable(vms):
    df = fleet(vms, days=3) if vms < 5000 else None
    if df is None:  # a large fleet without building 15,000 points: one point per VM
        df = recovery_points_frame([{"id": ITEM.format(vm=f"vm{v:04d}") + "/recoveryPoints/1", "name": "1",
                                     "properties": {"recoveryPointTime": "2026-11-19T02:00:00Z",
                                                    "recoveryPointTierDetails": VAULT}} for v in range(vms)])
    ax = plot_fleet(df, days=3, now=NOW)
    fig = ax.figure
    fig.canvas.draw()
    ticks = ax.get_yticklabels()
    boxes = [t.get_window_extent() for t in ticks]
    font_px = ticks[0].get_fontsize() * fig.dpi / 72
    gaps = np.diff(sorted(b.y0 for b in boxes[:min(vms, MAX_LABELS)]))
    assert len(ticks) <= MAX_LABELS + 1 and (gaps >= font_px * 0.95).all()  # no two labels overlap
    assert fig.get_size_inches()[1] <= 16


def test_rows_ranked_by_risk_and_missed_days_blank():
    df = fleet(4, days=30, stale={2: 5}, holes={1: {3, 4}}, start={3: 10})
    ax = plot_fleet(df, days=30, now=NOW)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:2] == ["vm0002", "vm0001"]  # stopped 5 days ago, then two missed days
    cells = ax.collections[0].get_array().reshape(4, 30)
    assert (cells[0, -5:] == 0).all() and (cells[0, :-5] > 0).all()  # blank since it stopped
    assert (cells[1, [-4, -5]] == 0).all() and cells[1, -3] == 4  # two blank days, snapshot tier recently
    vm3 = labels.index("vm0003")
    assert (cells[vm3, :20] == -1).all() and (cells[vm3, 20:] > 0).all()  # before its first point: grey
    assert cells[vm3, 20] == 3  # vault only, 9 days ago


def test_items_without_points_show_as_blank_rows_on_top():
    df = fleet(3, days=10)
    items = protected_items_frame([protected_item(f"vm{v:04d}", sub="s", lastRecoveryPoint="2026-11-20T02:00:00Z")
                                   for v in range(3)] + [protected_item("ghost", sub="s", lastRecoveryPoint=None)])
    ax = plot_fleet(df, items, days=10, now=NOW)
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "ghost"
    assert (ax.collections[0].get_array().reshape(4, 10)[0] == 0).all()


def test_consistency_colours_given_axes_and_title():
    fig, ax = plt.subplots()
    out = plot_fleet(fleet(3, days=5), ax=ax, days=5, now=NOW, colour="consistency", title="mine")
    assert out is ax and ax.get_title() == "mine"
    assert set(np.unique(ax.collections[0].get_array())) == {2}  # CrashConsistent every day
    with pytest.raises(ValueError):
        plot_fleet(fleet(1, days=2), colour="rainbow")


def test_empty_fleet():
    ax = plot_fleet(recovery_points_frame([]), days=5, now=NOW)
    assert not ax.collections and "0 VM(s)" in ax.get_title()


def test_today_is_not_missed_before_the_vms_usual_backup_time():
    """Points at 02:00 each day; at 06:00 a VM without today's point has missed it, at 01:00 it is not due yet."""
    df = fleet(2, days=10, holes={0: {0}})  # vm0000 has no point today
    cells = plot_fleet(df, days=10, now=NOW).collections[0].get_array().reshape(2, 10)
    assert cells[0, -1] == 0 and cells[1, -1] == 4  # 06:00: missed (02:00 + 2 h tolerance has passed)
    early = NOW.floor("D") + pd.Timedelta("1h")
    before = df[df["time"] <= early]  # at 01:00 neither VM has today's point
    ax = plot_fleet(before, days=10, now=early)
    cells = ax.collections[0].get_array().reshape(2, 10)
    assert (cells[:, -1] == -2).all() and (cells[:, -2] > 0).all()
    assert "not due yet today" in [t.get_text() for t in ax.get_legend().get_texts()]
    late = plot_fleet(before, days=10, now=NOW.floor("D") + pd.Timedelta("4h30min"))
    assert (late.collections[0].get_array().reshape(2, 10)[:, -1] == 0).all()  # due at 04:00 at the latest
