"""Fleet inventory: restorekit vs the official SDK listing each item's points one after the other.

Runs ``restorekit emulator --fleet N --latency-ms L`` as a subprocess (as a user would), once with
``--no-throttle`` and once with ARM's read throttle on, and prints:

* the SDK baseline time and restorekit's time (identical rows checked), and their ratio;
* restorekit against the latency bound (requests × latency / workers);
* with the throttle on, restorekit against the throttle bound ((requests − bucket) / refill) and the
  number of failed requests;
* across subscriptions (``--subscriptions 4``, 200 VMs each, throttle on): restorekit (Resource Graph discovery,
  then points paced per subscription) against the per-subscription bound, subscriptions in parallel;
* Resource Graph discovery of 5,000 protected items: requests against pages.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Any

BUCKET, REFILL = 250, 25.0


@contextmanager
def emulator_process(*options: str):
    """Start ``restorekit emulator --port 0 …`` and yield its URL."""
    proc = subprocess.Popen([sys.executable, "-m", "restorekit", "emulator", "--port", "0", *options],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            raise RuntimeError(f"emulator did not start: {line!r}")
        yield match.group(1)
    finally:
        proc.terminate()
        stopping = time.perf_counter()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
            print(f"(the emulator did not stop within {time.perf_counter() - stopping:.0f} s of SIGTERM: killed)")


def sdk_inventory(url: str, subscription: str) -> tuple[set[str], float]:
    """The baseline: the official SDK, every item's recovery points listed sequentially."""
    from azure.core.pipeline.policies import SansIOHTTPPolicy
    from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient

    class DevToken(SansIOHTTPPolicy):
        def on_request(self, request: Any) -> None:
            request.http_request.headers["Authorization"] = "Bearer dev"

    from restorekit.client.connection import DevTokenCredential

    client = RecoveryServicesBackupClient(DevTokenCredential(), subscription, base_url=url,
                                          authentication_policy=DevToken())
    started = time.perf_counter()
    ids: set[str] = set()
    items = client.backup_protected_items.list("fleetVault", "fleetRG",
                                               filter="backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'")
    for item in items:
        parts = item.id.split("/")
        container, name = parts[parts.index("protectionContainers") + 1], parts[parts.index("protectedItems") + 1]
        for point in client.recovery_points.list("fleetVault", "fleetRG", "Azure", container, name):
            ids.add(point.id.lower())
    return ids, time.perf_counter() - started


def restorekit_inventory(url: str, workers: int) -> tuple[set[str], float, int, int]:
    """restorekit's inventory of the fleet vault: ids, seconds, requests made, failed items."""
    import restorekit as rk

    az = rk.connect(url)
    responses = []
    az.arm._session.hooks["response"].append(lambda r, *a, **k: responses.append(r.status_code))
    started = time.perf_counter()
    df = az.vault("fleetRG", "fleetVault").inventory(workers=workers, progress=False)
    elapsed = time.perf_counter() - started
    return set(rk.point_ids(df).str.lower()), elapsed, len(responses), len(df.attrs["failures"])


def fleet_inventory(url: str, workers: int) -> tuple[float, dict[str, int], int, int]:
    """restorekit's inventory of every subscription: seconds, ARM reads per subscription, rows, failed items."""
    from collections import Counter
    from urllib.parse import urlsplit

    import restorekit as rk

    az = rk.connect(url)
    reads: Counter[str] = Counter()

    def count(response: Any, *args: Any, **kwargs: Any) -> None:
        parts = urlsplit(response.url).path.split("/")
        if response.request.method == "GET" and len(parts) > 2 and parts[1] == "subscriptions":
            reads[parts[2]] += 1

    az.arm._session.hooks["response"].append(count)
    started = time.perf_counter()
    df = az.inventory(subscriptions="all", workers=workers, progress=False)
    return time.perf_counter() - started, dict(reads), len(df), len(df.attrs["failures"])


def graph_discovery(url: str) -> tuple[int, int, int, float]:
    """Resource Graph over every subscription: items found, pages needed, requests sent, seconds."""
    import math

    import restorekit as rk
    from restorekit.client.resource_graph import PAGE_SIZE, PROTECTED_VMS, ResourceGraph

    az = rk.connect(url)
    subscriptions = [s.id for s in az.subscriptions()]
    graph = ResourceGraph(az.arm)
    started = time.perf_counter()
    rows = graph.query(PROTECTED_VMS, subscriptions)
    return len(rows), math.ceil(len(rows) / PAGE_SIZE), graph.requests, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run both cases and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks inventory")
    parser.add_argument("--fleet", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--subscriptions", type=int, default=4, help="subscriptions of the multi-subscription case")
    parser.add_argument("--graph-items", type=int, default=5000, help="fleet of the Resource Graph case")
    parser.add_argument("--only", choices=("single", "multi", "graph"), default=None, help="run one case")
    args = parser.parse_args(argv)
    subscription = "00000000-0000-0000-0000-000000000000"
    common = ("--fleet", str(args.fleet), "--latency-ms", str(args.latency_ms))
    latency = args.latency_ms / 1000
    print(f"inventory of {args.fleet} VMs, {args.latency_ms} ms latency, {args.workers} workers")

    if args.only in (None, "single"):
        single(args, common, subscription, latency)
    if args.only in (None, "multi"):
        multi(args)
    if args.only in (None, "graph"):
        with emulator_process("--fleet", str(args.graph_items), "--subscriptions", str(args.subscriptions),
                              "--no-throttle") as url:
            found, pages, requests, seconds = graph_discovery(url)
        print(f"[resource graph] {found} protected items over {args.subscriptions} subscriptions: {requests} "
              f"requests for {pages} pages (target: equal), {seconds:.2f} s")
    return 0


def multi(args: argparse.Namespace) -> None:
    """Several subscriptions, throttle on: restorekit against the per-subscription throttle bound."""
    fleet = 200 * args.subscriptions
    with emulator_process("--fleet", str(fleet), "--subscriptions", str(args.subscriptions),
                          "--latency-ms", str(args.latency_ms), "--read-bucket", str(BUCKET),
                          "--read-refill", str(REFILL)) as url:
        seconds, reads, rows, failed = fleet_inventory(url, args.workers)
    bound = max(max(n - BUCKET, 0) / REFILL for n in reads.values())
    sequential = sum(max(n - BUCKET, 0) / REFILL for n in reads.values())
    print(f"[{args.subscriptions} subscriptions x 200 VMs, throttle {BUCKET} @ {REFILL:g}/s each] restorekit: "
          f"{seconds:.2f} s; reads per subscription {sorted(reads.values())}; per-subscription bound "
          f"{bound:.2f} s (subscriptions in parallel; one after the other it would be {sequential:.2f} s), ratio "
          f"{seconds / max(bound, 1e-9):.2f} (target <= 1.2); {rows} points; failed items {failed}")


def single(args: argparse.Namespace, common: tuple[str, ...], subscription: str, latency: float) -> None:
    """One subscription's fleet vault, without and with the throttle, against the SDK."""
    with emulator_process(*common, "--no-throttle") as url:
        sdk_ids, sdk_s = sdk_inventory(url, subscription)
        ours_ids, ours_s, requests, failed = restorekit_inventory(url, args.workers)
    latency_bound = requests * latency / args.workers
    print(f"[no throttle] SDK sequential: {sdk_s:.2f} s; restorekit: {ours_s:.2f} s; "
          f"speed-up {sdk_s / ours_s:.1f}x (target >= 10x); rows identical: {sdk_ids == ours_ids} "
          f"({len(ours_ids)} points); {requests} requests, latency bound {latency_bound:.2f} s, "
          f"ratio to it {ours_s / latency_bound:.2f}; failed items {failed}")

    with emulator_process(*common, "--read-bucket", str(BUCKET), "--read-refill", str(REFILL)) as url:
        ours_ids_t, ours_t, requests_t, failed_t = restorekit_inventory(url, args.workers)
    throttle_bound = max(requests_t - BUCKET, 0) / REFILL
    print(f"[throttle {BUCKET} @ {REFILL:g}/s] restorekit: {ours_t:.2f} s; {requests_t} requests; "
          f"throttle bound {throttle_bound:.2f} s, ratio {ours_t / max(throttle_bound, 1e-9):.2f} (target <= 1.2); "
          f"latency bound {requests_t * latency / args.workers:.2f} s; failed items {failed_t}; "
          f"rows identical to SDK: {ours_ids_t == sdk_ids}")
