"""Timeline of a fleet: ``plot_timeline`` against one ``scatter`` per VM, both saved to PNG.

``python -m benchmarks timeline [--points 50000] [--vms 500]`` prints the time of each and the ratio.
"""

from __future__ import annotations

import argparse
import io
import time
from typing import Any


def _frame(points: int, vms: int) -> Any:
    import warnings

    from benchmarks.frames_bench import make_points
    from restorekit.data.frames import recovery_points_frame

    raw = make_points(points, vms)
    for index in range(7, len(raw), 97):  # some missed backups, so there are gaps to shade
        raw[index] = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return recovery_points_frame([p for p in raw if p is not None])


def baseline(df: Any) -> Any:
    """One scatter per VM, coloured by tier: what a notebook user writes first."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 14), layout="constrained")
    colours = {"snapshot+vault": "tab:blue", "vault": "tab:green"}
    for lane, (_vm, rows) in enumerate(df.groupby("vm_name", sort=True, observed=True)):
        ax.scatter(rows["time"], [lane] * len(rows), s=6, c=[colours.get(t, "k") for t in rows["tier"]])
    ax.set_yticks(range(df["vm_name"].nunique()), sorted(df["vm_name"].unique()))
    return ax


def _save(ax: Any) -> int:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=100)
    plt.close(ax.figure)
    return buffer.tell()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    import matplotlib

    matplotlib.use("Agg")
    from functools import partial

    from restorekit.data.timeline import plot_timeline

    lanes = partial(plot_timeline, max_lanes=None)  # the lanes themselves (past 100 VMs it draws plot_fleet)

    parser = argparse.ArgumentParser(prog="python -m benchmarks timeline", description=__doc__)
    parser.add_argument("--points", type=int, default=50_000)
    parser.add_argument("--vms", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    df = _frame(args.points, args.vms)
    print(f"{len(df):,} points over {df['item_id'].nunique()} VMs")
    _save(lanes(df))  # warm up fonts and caches for both
    results: dict[str, list[float]] = {"baseline": [], "restorekit": []}
    artists: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, draw in (("baseline", baseline), ("restorekit", lanes)):
            start = time.perf_counter()
            ax = draw(df)
            artists[name] = len(ax.collections)
            _save(ax)
            results[name].append(time.perf_counter() - start)
    base, ours = min(results["baseline"]), min(results["restorekit"])
    print(f"one scatter per VM + PNG   {base:6.2f} s  ({artists['baseline']} collections)")
    print(f"plot_timeline + PNG        {ours:6.2f} s  ({artists['restorekit']} collections) "
          f"-> {base / ours:.1f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
