"""Fleet inventory: restorekit vs the official SDK listing each item's points one after the other.

Runs ``restorekit emulator --fleet N --latency-ms L`` as a subprocess (as a user would), once with
``--no-throttle`` and once with ARM's read throttle on, and prints:

* the SDK baseline time and restorekit's time (identical rows checked), and their ratio;
* restorekit against the latency bound (requests × latency / workers);
* with the throttle on, restorekit against the throttle bound ((requests − bucket) / refill) and the
  number of failed requests.
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
        proc.wait(timeout=10)


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
    return set(df["id"].str.lower()), elapsed, len(responses), len(df.attrs["failures"])


def main(argv: list[str] | None = None) -> int:
    """Run both cases and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks inventory")
    parser.add_argument("--fleet", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args(argv)
    subscription = "00000000-0000-0000-0000-000000000000"
    common = ("--fleet", str(args.fleet), "--latency-ms", str(args.latency_ms))
    latency = args.latency_ms / 1000
    print(f"inventory of {args.fleet} VMs, {args.latency_ms} ms latency, {args.workers} workers")

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
    return 0
