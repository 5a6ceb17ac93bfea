"""plot_timeline: lanes, markers, colours, gaps, and a constant number of artists."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402

from restorekit.data.frames import recovery_points_frame  # noqa: E402
from restorekit.data.timeline import MAX_LANE_LABELS, TooManyLanesWarning, plot_timeline  # noqa: E402

ITEM = ("/subscriptions/s/resourceGroups/vrg/providers/Microsoft.RecoveryServices/vaults/{vault}/backupFabrics/Azure/"
        "protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg;{vm}/protectedItems/VM;iaasvmcontainerv2;rg;{vm}")
KINDS = ("AppConsistent", "CrashConsistent")
TIERS = ([{"type": 1, "status": 1}, {"type": 2, "status": 1}], [{"type": 2, "status": 1}])


def fleet(vms: int, days: int, skip_every: int = 0, vault=lambda v: "v") -> pd.DataFrame:
    """``vms`` VMs with a daily point for ``days`` days (every ``skip_every``-th day missing)."""
    start = pd.Timestamp("2026-01-01T22:00:00Z")
    points = []
    for v in range(vms):
        for d in range(days):
            if skip_every and d % skip_every == skip_every - 1:
                continue
            when = (start + pd.Timedelta(days=d, minutes=v)).strftime("%Y-%m-%dT%H:%M:%SZ")
            points.append({"id": ITEM.format(vm=f"vm{v:03d}", vault=vault(v)) + f"/recoveryPoints/{v}-{d}",
                           "properties": {"recoveryPointTime": when, "recoveryPointType": KINDS[d % 2],
                                          "recoveryPointTierDetails": TIERS[(d // 2) % 2]}})
    return recovery_points_frame(points)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_artists_do_not_grow_with_points_or_vms():
    small = plot_timeline(fleet(3, 40, skip_every=5))
    large = plot_timeline(fleet(60, 40, skip_every=5))
    for ax in (small, large):
        scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
        gaps = [c for c in ax.collections if isinstance(c, PolyCollection) and not isinstance(c, PathCollection)]
        assert len(scatters) == 4  # 2 consistencies x 2 tiers
        assert len(gaps) == 1
        assert not ax.lines and len(ax.patches) == 1  # the band of the thinned history (older than 30 days)
    assert len(small.collections) == len(large.collections)
    assert len(large.get_children()) == len(small.get_children())
    offsets = sum(len(c.get_offsets()) for c in large.collections if isinstance(c, PathCollection))
    assert offsets == len(fleet(60, 40, skip_every=5))


def test_lanes_per_vm_and_subset_of_labels():
    ax = plot_timeline(fleet(80, 3))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert 0 < len(labels) <= MAX_LANE_LABELS and labels[0] == "vm000"
    low, high = sorted(ax.get_ylim())
    assert high - low == 80
    few = plot_timeline(fleet(3, 3))
    assert [t.get_text() for t in few.get_yticklabels()] == ["vm000", "vm001", "vm002"]


def test_too_many_lanes_draw_the_heatmap_instead():
    df = fleet(150, 10, skip_every=4)
    with pytest.warns(TooManyLanesWarning, match="150 VMs"):
        ax = plot_timeline(df)
    assert len(ax.collections) == 1 and type(ax.collections[0]).__name__ == "QuadMesh"
    assert ax.collections[0].get_array().shape == (150, 10)
    forced = plot_timeline(df, max_lanes=None)  # lanes on request
    assert [type(c).__name__ for c in forced.collections].count("QuadMesh") == 0
    assert sum(len(c.get_offsets()) for c in forced.collections if isinstance(c, PathCollection)) == len(df)


def test_vms_of_the_same_name_get_lanes_of_their_own():
    df = fleet(2, 4, vault=lambda v: "a").assign()
    other = fleet(2, 4, vault=lambda v: "b")
    ax = plot_timeline(pd.concat([df, other], ignore_index=True))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a/vm000", "a/vm001", "b/vm000", "b/vm001"]


def test_single_vm_lanes_are_tiers_and_gaps_shaded():
    df = fleet(1, 12, skip_every=4)
    ax = plot_timeline(df)
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["snapshot+vault", "vault"]
    gaps = [c for c in ax.collections if type(c) is PolyCollection]
    assert len(gaps) == 1 and len(gaps[0].get_paths()) > 0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"AppConsistent", "CrashConsistent", "snapshot+vault", "vault"} <= set(legend)
    assert any(text.startswith("missed backups (gap >") for text in legend)


def test_no_gaps_option_and_given_axes():
    fig, ax = plt.subplots()
    out = plot_timeline(fleet(2, 8, skip_every=3), ax=ax, gaps=False, title="mine", by="vm_name")
    assert out is ax and ax.get_title() == "mine"
    assert not [c for c in ax.collections if type(c) is PolyCollection]


def test_dates_are_utc_and_concise():
    from matplotlib.dates import ConciseDateFormatter

    ax = plot_timeline(fleet(2, 5))
    assert isinstance(ax.xaxis.get_major_formatter(), ConciseDateFormatter)
    assert "UTC" in ax.get_xlabel()
    left, right = ax.get_xlim()
    assert left < matplotlib.dates.date2num(pd.Timestamp("2026-01-01T22:00").to_datetime64()) < right


def test_renders_to_png(tmp_path):
    ax = plot_timeline(fleet(30, 20, skip_every=5))
    path = tmp_path / "timeline.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 1000


def test_empty_frame_plots_nothing():
    ax = plot_timeline(recovery_points_frame([]))
    assert not ax.collections


def thinned_history(missing_day: int | None = 5, newest_days_ago: int = 0) -> list[dict]:
    """A year of monthly points (retention thinning), then daily points over the last 30 days, as a policy keeps."""
    now = pd.Timestamp("2026-11-20T12:00:00Z")
    times = [now - pd.Timedelta(days=30 + 30 * m, hours=6) for m in range(12, 0, -1)]  # kept daily backups
    times += [now - pd.Timedelta(days=d, hours=6) for d in range(29, newest_days_ago - 1, -1) if d != missing_day]
    return [{"id": ITEM.format(vm="vm1", vault="v") + f"/recoveryPoints/{k}",
             "properties": {"recoveryPointTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "recoveryPointType": "AppConsistent",
                            "recoveryPointTierDetails": TIERS[1]}} for k, t in enumerate(times)]


def _gap_boxes(ax) -> list:
    return [path.vertices for gaps in ax.collections if type(gaps) is PolyCollection for path in gaps.get_paths()]


def test_retention_thinning_is_not_a_gap():
    ax = plot_timeline(recovery_points_frame(thinned_history(missing_day=5)), now="2026-11-20T12:00Z")
    boxes = _gap_boxes(ax)
    assert len(boxes) == 1  # the one missed day, not the eleven monthly intervals
    assert ax.get_title().endswith("1 gap(s) with missed backups in the last 30 days")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "before the last 30 days: retention thinning, gaps not shaded" in legend
    start = matplotlib.dates.date2num(pd.Timestamp("2026-11-14T06:00").to_datetime64())
    assert abs(boxes[0][:, 0].min() - start) < 0.01  # the gap from the point before the missed day


def test_now_draws_the_gap_up_to_now():
    now = pd.Timestamp("2026-11-20T12:00:00Z")
    points = recovery_points_frame(thinned_history(missing_day=None, newest_days_ago=10))
    newest = matplotlib.dates.date2num(points["time"].max().tz_localize(None).to_datetime64())
    without = plot_timeline(points)  # without now, the newest point ends the plot
    assert all(box[:, 0].max() <= newest + 1e-6 for box in _gap_boxes(without))
    ax = plot_timeline(points, now=now)
    (box,) = _gap_boxes(ax)
    end = matplotlib.dates.date2num(now.tz_localize(None).to_datetime64())
    assert abs(box[:, 0].max() - end) < 1e-6 and ax.get_xlim()[1] > end
    assert _gap_boxes(plot_timeline(points, until=now))[0][:, 0].max() == box[:, 0].max()


def test_typed_points_plot_as_their_frame():
    from restorekit.model.points import RecoveryPoint, RecoveryPoints

    typed = RecoveryPoints(RecoveryPoint.from_resource(raw) for raw in thinned_history())
    ax = plot_timeline(typed, now="2026-11-20T12:00Z")
    assert ax.get_title() == plot_timeline(typed.to_frame(), now="2026-11-20T12:00Z").get_title()
    assert ax.get_title().startswith(f"{len(typed)} recovery point(s)")
    assert plot_timeline(list(typed), now="2026-11-20T12:00Z").get_title() == ax.get_title()
