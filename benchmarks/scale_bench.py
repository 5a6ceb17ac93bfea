"""Scale: a fleet of thousands of VMs over tens of subscriptions, against the bare-fetch bound measured in the same run.

``python -m benchmarks scale [--subscriptions 40] [--fleet 10000] [--cases bare,inventory,at_risk,fleet]``
starts ``restorekit emulator --subscriptions S --fleet F --no-throttle`` (``--throttle`` keeps ARM's throttles)
and runs each case in a child process of its own, which reports its time, peak RSS (``getrusage``), CPU time
and requests:

* ``bare``: the bound: the same pages fetched by a minimal client, plain ``requests`` GETs and JSON decoding with
  as many requests in flight as restorekit allows (its session's pool), no restorekit: the subscriptions, the
  Resource Graph pages of protected VMs, then every VM's recovery-point pages;
* ``inventory``: ``az.inventory(subscriptions="all")``;
* ``at_risk``, ``fleet``: ``az.at_risk()`` and ``az.fleet()`` (one Resource Graph query, ranked on the client).

``--repeat N`` interleaves the cases N times and keeps each one's best time (and its lowest peak). A case is a
function ``(url, args) -> dict`` in ``CASES``: add one there (and to ``--cases``) to measure another question.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from .inventory_bench import emulator_process

#: Resource Graph's query of protected Azure VMs, as restorekit sends it.
GRAPH_API = "2021-03-01"
POINTS_API = "2026-02-01"


def _counting(session: Any) -> list[int]:
    """A list that grows by one per answer the ``requests`` session gets."""
    answers: list[int] = []
    session.hooks["response"].append(lambda r, *a, **k: answers.append(r.status_code))
    return answers


def bare(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """The bound: plain requests + JSON decoding, the same pages, as many in flight as restorekit allows."""
    from concurrent.futures import ThreadPoolExecutor

    import requests
    from requests.adapters import HTTPAdapter

    from restorekit.client.resource_graph import PAGE_SIZE, PROTECTED_VMS
    from restorekit.transport.arm import DEFAULT_POOL_SIZE

    threads = args.inflight or DEFAULT_POOL_SIZE
    session = requests.Session()
    session.mount("http://", HTTPAdapter(pool_maxsize=threads))
    session.headers["Authorization"] = "Bearer bench"
    answers = _counting(session)
    started = time.perf_counter()
    subscriptions = [s["subscriptionId"] for s in session.get(f"{url}/subscriptions?api-version=2022-12-01").json()["value"]]
    items: list[str] = []
    token = None
    while True:
        options: dict[str, Any] = {"$top": PAGE_SIZE, "resultFormat": "objectArray"}
        if token:
            options["$skipToken"] = token
        body = session.post(f"{url}/providers/Microsoft.ResourceGraph/resources?api-version={GRAPH_API}",
                            json={"subscriptions": subscriptions, "query": PROTECTED_VMS, "options": options}).json()
        items += [row["id"] for row in body["data"]]
        token = body.get("$skipToken")
        if not token:
            break

    def points(item: str) -> int:
        count, link = 0, f"{url}{item}/recoveryPoints?api-version={POINTS_API}"
        while link:
            page = session.get(link).json()
            count += len(page["value"])
            link = page.get("nextLink")
        return count

    with ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(points, items))
    return {"seconds": time.perf_counter() - started, "points": total, "vms": len(items), "requests": len(answers),
            "in_flight": threads}


def inventory(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """restorekit's inventory of every subscription."""
    import restorekit as rk

    az = rk.connect(url)
    answers = _counting(az.arm._session)
    started = time.perf_counter()
    df = az.inventory(subscriptions="all", workers=args.workers, progress=False)
    return {"seconds": time.perf_counter() - started, "points": len(df), "vms": int(df["item_id"].nunique()),
            "requests": len(answers), "failed": len(df.attrs["failures"]),
            "frame_mib": df.memory_usage(deep=True).sum() / 2**20}


def at_risk(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """``az.at_risk()`` over every subscription."""
    import restorekit as rk

    az = rk.connect(url)
    answers = _counting(az.arm._session)
    started = time.perf_counter()
    risky = az.at_risk()
    return {"seconds": time.perf_counter() - started, "rows": len(risky), "requests": len(answers)}


def fleet(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """``az.fleet()`` over every subscription."""
    import restorekit as rk

    az = rk.connect(url)
    answers = _counting(az.arm._session)
    started = time.perf_counter()
    rows = az.fleet()
    return {"seconds": time.perf_counter() - started, "rows": len(rows), "requests": len(answers)}


CASES: dict[str, Callable[[str, argparse.Namespace], dict[str, Any]]] = {
    "bare": bare, "inventory": inventory, "at_risk": at_risk, "fleet": fleet}


def child(case: str, url: str, args: argparse.Namespace) -> None:
    """Run one case in this (child) process and print its figures as one JSON line."""
    figures = CASES[case](url, args)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures.update(peak_rss_mib=usage.ru_maxrss / 1024, cpu_seconds=usage.ru_utime + usage.ru_stime)
    print(json.dumps(figures), flush=True)


def run_case(case: str, url: str, argv: list[str]) -> dict[str, Any]:
    """One case in a child process (its own peak RSS); its figures."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.scale_bench", "--child", case, "--url", url, *argv],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"case {case} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscriptions", type=int, default=40)
    parser.add_argument("--fleet", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=16, help="inventory workers per subscription")
    parser.add_argument("--inflight", type=int, default=0,
                        help="the bare client's threads (default: restorekit's requests in flight)")
    parser.add_argument("--cases", default="bare,inventory,at_risk,fleet")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs of every case (best kept)")
    parser.add_argument("--throttle", action="store_true", help="keep ARM's read and write throttles on")
    parser.add_argument("--child", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Start the emulator, run the cases (interleaved, each in its own process) and print the figures."""
    args = _parser().parse_args(argv)
    if args.child:
        child(args.child, args.url, args)
        return 0
    cases = [c for c in args.cases.split(",") if c]
    passed = ["--workers", str(args.workers), "--inflight", str(args.inflight)]
    options = ["--subscriptions", str(args.subscriptions), "--fleet", str(args.fleet)]
    print(f"scale: {args.fleet:,} VMs over {args.subscriptions} subscriptions, throttle "
          f"{'on' if args.throttle else 'off'}; load average {os.getloadavg()[0]:.2f}", flush=True)
    best: dict[str, dict[str, Any]] = {}
    with emulator_process(*options, *([] if args.throttle else ["--no-throttle"])) as url:
        for run in range(args.repeat):
            for case in cases:
                figures = run_case(case, url, passed)
                print(f"  run {run + 1} {case:10s} {figures['seconds']:7.2f} s, peak RSS {figures['peak_rss_mib']:6.0f} MiB,"
                      f" CPU {figures['cpu_seconds']:6.1f} s, {json.dumps({k: v for k, v in figures.items() if k not in ('seconds', 'peak_rss_mib', 'cpu_seconds')})}",
                      flush=True)
                kept = best.setdefault(case, figures)
                if figures["seconds"] < kept["seconds"]:
                    best[case] = {**figures, "peak_rss_mib": min(figures["peak_rss_mib"], kept["peak_rss_mib"])}
                else:
                    kept["peak_rss_mib"] = min(figures["peak_rss_mib"], kept["peak_rss_mib"])
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    if "bare" in best and "inventory" in best:
        b, i = best["bare"], best["inventory"]
        requests_per = 1e6 / max(i["requests"], 1)
        print(f"inventory: {i['seconds']:.1f} s = {i['seconds'] / b['seconds']:.2f}x the bare-fetch bound "
              f"({b['seconds']:.1f} s; target <= 1.25); peak RSS {i['peak_rss_mib']:.0f} MiB (target <= 1024; bare "
              f"client {b['peak_rss_mib']:.0f} MiB); {i['points']:,} points ({b['points']:,} fetched bare), "
              f"{i['failed']} failed; client CPU {i['cpu_seconds'] * requests_per:.0f} us/request "
              f"(bare {b['cpu_seconds'] * 1e6 / max(b['requests'], 1):.0f})")
    for case in ("at_risk", "fleet"):
        if case in best:
            print(f"{case}: {best[case]['seconds']:.2f} s, {best[case]['rows']:,} rows, {best[case]['requests']} requests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
