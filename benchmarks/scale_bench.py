"""Scale: a fleet of thousands of VMs over tens of subscriptions, against the bare-fetch bound measured in the same run.

``python -m benchmarks scale [--subscriptions 40] [--fleet 10000] [--cases bare,inventory,at_risk,fleet]``
starts ``restorekit emulator --subscriptions S --fleet F --no-throttle`` (``--throttle`` keeps ARM's throttles)
and runs each case in a child process of its own, which reports its time, peak RSS (``getrusage``), CPU time
and requests:

* ``bare``: the bound: the same pages fetched by a minimal client, plain ``requests`` GETs and JSON decoding with
  as many requests in flight as restorekit allows (its session's pool), no restorekit: the subscriptions, the
  Resource Graph pages of protected VMs, then every VM's recovery-point pages;
* ``inventory``: ``az.inventory(subscriptions="all")``;
* ``at_risk``, ``fleet``: ``az.at_risk()`` and ``az.fleet()``: Resource Graph scores, filters and ranks in its
  query, so only the VMs at risk cross the wire (subscriptions in batches of 1,000, the user's quota of 15
  queries per 5 s honoured: the emulator keeps it on unless ``--graph-quota 0``);
* ``at_risk_client``: the same-run baseline of ``at_risk``: every VM's coverage row pulled to the client
  (``az.coverage()``) and ranked there (``rk.at_risk``), as restorekit did before the query ranked.

The emulator makes each VM's recovery points the first time they are read, so an untimed bare fetch warms it
first (``--no-warm`` skips it): otherwise the first case timed pays for that once (a bare run of 56-77 s against
36-52 s after it), which flattered restorekit when the bound ran first. ``--repeat N`` interleaves the cases N
times and keeps each one's best time (and its lowest peak). A case is a
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


def _timed(url: str, question: Callable[[Any], tuple[Any, dict[str, Any]]]) -> dict[str, Any]:
    """Connect, ask ``question(az)`` and time it: its rows, requests and Resource Graph figures.

    ``question`` returns the frame and the ``attrs`` of the Resource Graph frame it was made from."""
    import restorekit as rk

    az = rk.connect(url)
    answers = _counting(az.arm._session)
    started = time.perf_counter()
    frame, made = question(az)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(frame), "requests": len(answers), "graph_requests": made["requests"],
            "batches": made["batches"], "quota_waits": made["quota_waits"]}


def _asked(frame: Any) -> tuple[Any, dict[str, Any]]:
    return frame, frame.attrs


def at_risk(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """``az.at_risk()`` over every subscription: scored and ranked by Resource Graph."""
    return _timed(url, lambda az: _asked(az.at_risk()))


def at_risk_client(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """The baseline: every VM's coverage row to the client, ranked there (``rk.at_risk(az.coverage())``)."""
    import restorekit as rk

    def ranked_here(az: Any) -> tuple[Any, dict[str, Any]]:
        coverage = az.coverage()
        return rk.at_risk(coverage, now=az.now()), coverage.attrs

    return _timed(url, ranked_here)


def fleet(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """``az.fleet()`` over every subscription."""
    return _timed(url, lambda az: _asked(az.fleet()))


CASES: dict[str, Callable[[str, argparse.Namespace], dict[str, Any]]] = {
    "bare": bare, "inventory": inventory, "at_risk": at_risk, "at_risk_client": at_risk_client, "fleet": fleet}


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
    parser.add_argument("--cases", default="bare,inventory,at_risk,at_risk_client,fleet")
    parser.add_argument("--graph-quota", type=int, default=15,
                        help="the emulator's Resource Graph queries per user and 5 s (0: no quota)")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs of every case (best kept)")
    parser.add_argument("--no-warm", dest="warm", action="store_false",
                        help="time the first fetch too (the emulator makes each VM's points on their first read)")
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
    options = ["--subscriptions", str(args.subscriptions), "--fleet", str(args.fleet), "--graph-quota",
               str(args.graph_quota)]
    print(f"scale: {args.fleet:,} VMs over {args.subscriptions} subscriptions, throttle "
          f"{'on' if args.throttle else 'off'}, Resource Graph quota "
          f"{f'{args.graph_quota} per 5 s' if args.graph_quota else 'off'}; load average {os.getloadavg()[0]:.2f}",
          flush=True)
    seeding = time.perf_counter()
    best: dict[str, dict[str, Any]] = {}
    with emulator_process(*options, *([] if args.throttle else ["--no-throttle"])) as url:
        print(f"  the emulator seeded and listening after {time.perf_counter() - seeding:.1f} s", flush=True)
        if args.warm and "bare" in cases:  # the emulator makes each VM's points on their first read: not timed
            warming = run_case("bare", url, passed)
            print(f"  warm-up (untimed) bare {warming['seconds']:7.2f} s: every VM's points made", flush=True)
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
    for case in ("at_risk", "at_risk_client", "fleet"):
        if case in best:
            f = best[case]
            print(f"{case}: {f['seconds']:.2f} s, {f['rows']:,} rows, {f['requests']} requests "
                  f"({f['graph_requests']} Resource Graph pages over {f['batches']} batch(es) of subscriptions, "
                  f"{f['quota_waits']} quota wait(s))")
    if "at_risk" in best:
        f = best["at_risk"]
        bound = -(-f["rows"] // 1000) + f["batches"]
        print(f"at_risk: {f['graph_requests']} Resource Graph requests <= {bound} (pages of at-risk rows + batches of "
              f"subscriptions): {'yes' if f['graph_requests'] <= bound else 'NO'}; plus {f['requests'] - f['graph_requests']}"
              " other request(s): the subscriptions, the service's clock")
        if "at_risk_client" in best:
            print(f"at_risk ranked by Resource Graph: {f['seconds'] / best['at_risk_client']['seconds']:.2f}x the time of "
                  f"pulling every VM's row and ranking on the client ({best['at_risk_client']['seconds']:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
