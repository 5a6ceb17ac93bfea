"""The fleet heatmap: ``plot_fleet`` of 5,000 VMs × 60 days to PNG, against the same points as lanes.

``python -m benchmarks fleet [--vms 5000] [--days 60] [--figure benchmarks/figures/fleet.png]`` builds a fleet
(daily points; some VMs stopped backing up, some miss days, some started late), then times
``plot_fleet`` (ranking by ``at_risk`` included) and ``plot_timeline(max_lanes=None)`` (4 scatters of
every point, one lane per VM), both saved to PNG, prints their artists, and writes the heatmap's figure.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path
from typing import Any

FIGURE = Path(__file__).resolve().parent / "figures" / "fleet.png"


def fleet(vms: int, days: int) -> tuple[Any, Any]:
    """A points frame of ``vms`` VMs × ``days`` days of daily points with trouble here and there, and its now.

    Backups run nightly (22:00 UTC, jittered); the last 5 days' points are also snapshots; a VM in 60
    stopped backing up 2 to 25 days ago, one in 8 misses 6 % of its nights, one in 30 started late.
    """
    import warnings

    import numpy as np
    import pandas as pd

    from benchmarks.frames_bench import RP_TYPE, _item_ids
    from restorekit.data.frames import recovery_points_frame

    now = pd.Timestamp("2026-11-20T06:00:00Z")
    rng = np.random.default_rng(7)
    stopped = dict(zip(rng.choice(vms, vms // 60, replace=False).tolist(), rng.integers(2, 25, vms // 60).tolist(),
                       strict=True))
    skipping = set(rng.choice(vms, vms // 8, replace=False).tolist())
    late = dict(zip(rng.choice(vms, vms // 30, replace=False).tolist(), rng.integers(10, days - 5, vms // 30).tolist(),
                    strict=True))
    heads = _item_ids(vms)
    vault = [{"type": "HardenedRP", "status": "Valid"}]
    both = [{"type": "InstantRP", "status": "Valid"}, *vault]
    points = []
    for v in range(vms):
        for age in range(stopped.get(v, 0), days - late.get(v, 0)):
            if v in skipping and rng.random() < 0.06:
                continue
            when = now.floor("D") - pd.Timedelta(days=age, hours=2, minutes=int(rng.integers(0, 90)))
            name = f"{v:05d}{age:03d}"
            points.append({"id": f"{heads[v]}/recoveryPoints/{name}", "name": name, "type": RP_TYPE, "properties": {
                "objectType": "IaasVMRecoveryPoint", "recoveryPointTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "recoveryPointType": "CrashConsistent" if rng.random() < 0.1 else "AppConsistent",
                "recoveryPointTierDetails": both if age < 5 else vault}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return recovery_points_frame(points), now


def _save(ax: Any, path: Path | None = None) -> int:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=100)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue())
    plt.close(ax.figure)
    return buffer.tell()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    from restorekit.data.fleet import plot_fleet
    from restorekit.data.timeline import plot_timeline

    parser = argparse.ArgumentParser(prog="python -m benchmarks fleet", description=__doc__)
    parser.add_argument("--vms", type=int, default=5000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--figure", type=Path, default=FIGURE)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    df, now = fleet(args.vms, args.days)
    print(f"{len(df):,} points over {df['item_id'].nunique():,} VMs x {args.days} days "
          f"(built in {time.perf_counter() - start:.1f} s)", flush=True)

    def heatmap() -> Any:
        return plot_fleet(df, days=args.days, now=now)

    def lanes() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return plot_timeline(df, max_lanes=None)

    results: dict[str, list[float]] = {"plot_fleet": [], "lanes": []}
    artists: dict[str, str] = {}
    for _ in range(args.repeat):
        for name, draw in (("plot_fleet", heatmap), ("lanes", lanes)):
            began = time.perf_counter()
            ax = draw()
            artists[name] = (f"{len(ax.collections)} collection(s), {len(ax.get_yticklabels())} labels, "
                             f"{len(ax.get_children())} children")
            _save(ax)
            results[name].append(time.perf_counter() - began)
    fleet_t, lanes_t = min(results["plot_fleet"]), min(results["lanes"])
    size = _save(heatmap(), args.figure)
    print(f"plot_fleet (ranking + heatmap) + PNG    {fleet_t:6.2f} s  ({artists['plot_fleet']})")
    print(f"plot_timeline lanes (max_lanes=None)   {lanes_t:6.2f} s  ({artists['lanes']})")
    print(f"figure: {args.figure} ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
