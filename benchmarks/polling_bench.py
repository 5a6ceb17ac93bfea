"""Restore polling: status requests and notice latency, restorekit vs the official SDK's LROPoller.

For each scenario (job length T seconds, ``Retry-After`` R seconds) on the in-process emulator:

* restorekit triggers a restore and waits; every GET is logged (time, URL) by wrapping the connection's
  ``ArmSession.request``. Per phase it reports the status requests (operation: ``operationsStatus``/
  ``operationResults``; job: ``backupJobs/{id}``) against the bound ``ceil(T/R) + 2``, and the notice
  latency (the moment restorekit saw the end − the ``endTime`` the service reports) against ``R + 0.5 s``;
* the SDK (``azure-mgmt-recoveryservicesbackup``, ``restores.begin_trigger(...)`` with its default
  ARMPolling) does the same restore; a pipeline policy counts its GETs. The SDK's poller only covers the
  operation phase (it returns no job id), so the ratio is printed for that phase.

``python -m benchmarks polling [--scenarios 10:2,6:1] [--no-sdk]``
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import UTC, datetime
from typing import Any

SUB = "00000000-0000-0000-0000-000000000000"


def _restorekit_run(srv: Any, seconds: float, retry_after: float) -> dict[str, Any]:
    import restorekit as rk
    from restorekit.core.times import parse_time

    az = rk.connect(srv.url, quiet=True)
    log: list[tuple[float, str, str]] = []
    original = az.arm.request

    def logged(method: str, path_or_url: str, **kwargs: Any):
        response = original(method, path_or_url, **kwargs)
        log.append((time.monotonic(), method, path_or_url))
        return response

    az.arm.request = logged  # type: ignore[method-assign]
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    point = item.recovery_points().latest()
    seen: dict[str, datetime] = {}

    def listen(op: Any) -> None:
        if op.job_id and "operation" not in seen:
            seen["operation"] = datetime.now(UTC)
        if op.done and "job" not in seen:
            seen["job"] = datetime.now(UTC)

    log.clear()
    t0 = time.monotonic()
    op = item.restore(rk.RestoreDisks(point, storage_account="testAccount"), display=False, allow_duplicate=True)
    op.add_listener(listen)
    job = op.wait(timeout=seconds * 4 + 60)
    wall = time.monotonic() - t0
    az.arm.request = original  # type: ignore[method-assign]
    op_body = az.arm.get(op.operation_url)       # not counted: read after the end
    az.close()
    gets = [u for _, m, u in log if m == "GET"]
    op_requests = sum(1 for u in gets if "/operationsStatus/" in u or "/operationResults/" in u)
    job_requests = sum(1 for u in gets if f"/backupJobs/{job.id}" in u)
    return {
        "wall": wall, "op_requests": op_requests, "job_requests": job_requests,
        "other_requests": len(log) - op_requests - job_requests,
        "op_latency": (seen["operation"] - parse_time(op_body["endTime"])).total_seconds(),
        "job_latency": (seen["job"] - job.end_time).total_seconds(), "status": job.status,
    }


def _sdk_run(srv: Any) -> dict[str, Any]:
    from azure.core.pipeline.policies import SansIOHTTPPolicy
    from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient

    import restorekit as rk
    from restorekit.client.connection import DEV_TOKEN
    from restorekit.core.times import parse_time

    class DevAuth(SansIOHTTPPolicy):
        def on_request(self, request: Any) -> None:
            request.http_request.headers["Authorization"] = f"Bearer {DEV_TOKEN}"

    class Count(SansIOHTTPPolicy):
        def __init__(self) -> None:
            self.urls: list[str] = []
            self.done_at: datetime | None = None

        def on_request(self, request: Any) -> None:
            self.urls.append(f"{request.http_request.method} {request.http_request.url}")

    counter = Count()
    client = RecoveryServicesBackupClient(credential=rk.DevTokenCredential(), subscription_id=SUB,
                                          base_url=srv.url, api_version="2026-02-01",
                                          authentication_policy=DevAuth(), per_retry_policies=[counter])
    az = rk.connect(srv.url, quiet=True)
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    point = item.recovery_points().latest()
    body = rk.RestoreDisks(point, storage_account="testAccount").to_body()
    t0 = time.monotonic()
    poller = client.restores.begin_trigger("testVault", "testVaultRG", "Azure", item.ref.container, item.ref.item,
                                           point.name, body)
    poller.result()
    noticed = datetime.now(UTC)
    wall = time.monotonic() - t0
    status_urls = [u for u in counter.urls if u.startswith("GET") and ("/operationsStatus/" in u
                                                                       or "/operationResults/" in u)]
    status_url = next(u for u in status_urls if "/operationsStatus/" in u).split(" ", 1)[1]
    op_body = az.arm.get(status_url)
    az.close()
    client.close()
    return {"wall": wall, "op_requests": len(status_urls),
            "op_latency": (noticed - parse_time(op_body["endTime"])).total_seconds()}


def run(seconds: float, retry_after: int, sdk: bool = True) -> dict[str, Any]:
    """One scenario: restorekit (and the SDK) on a fresh emulator; returns the figures."""
    from restorekit import emulator

    bound = math.ceil(seconds / retry_after) + 2
    with emulator.start(job_seconds=seconds, retry_after=retry_after) as srv:
        ours = _restorekit_run(srv, seconds, retry_after)
    theirs = None
    if sdk:
        with emulator.start(job_seconds=seconds, retry_after=retry_after) as srv:
            theirs = _sdk_run(srv)
    return {"T": seconds, "R": retry_after, "bound": bound, "restorekit": ours, "sdk": theirs}


def report(result: dict[str, Any]) -> list[str]:
    """Text lines for one scenario."""
    t, r, bound, ours, theirs = result["T"], result["R"], result["bound"], result["restorekit"], result["sdk"]
    ok = "ok" if ours["op_requests"] <= bound and ours["job_requests"] <= bound else "OVER"
    late = "ok" if ours["op_latency"] <= r + 0.5 and ours["job_latency"] <= r + 0.5 else "LATE"
    lines = [
        f"T={t:g}s R={r}s  (bound: <= {bound} status requests per phase, notice <= {r + 0.5:g}s)",
        f"  restorekit: operation {ours['op_requests']} req, noticed +{ours['op_latency']:.2f}s | "
        f"job {ours['job_requests']} req, noticed +{ours['job_latency']:.2f}s | other {ours['other_requests']} req "
        f"| total {ours['wall']:.2f}s, job {ours['status']}  [{ok}, {late}]",
    ]
    if theirs:
        lines.append(f"  SDK LROPoller: operation {theirs['op_requests']} req, noticed +{theirs['op_latency']:.2f}s "
                     f"| {theirs['wall']:.2f}s (no job tracking)")
        req_ratio = ours["op_requests"] / theirs["op_requests"] if theirs["op_requests"] else float("nan")
        lat_ratio = ours["op_latency"] / theirs["op_latency"] if theirs["op_latency"] > 0 else float("nan")
        lines.append(f"  ratios restorekit/SDK (operation phase): requests {req_ratio:.2f}, "
                     f"notice latency {lat_ratio:.2f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print the figures; returns 1 if restorekit missed a bound."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks polling", description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default="10:2,6:1", help="comma-separated T:R pairs (seconds)")
    parser.add_argument("--no-sdk", action="store_true", help="skip the official SDK baseline")
    args = parser.parse_args(argv)
    failed = False
    for pair in args.scenarios.split(","):
        t, r = pair.split(":")
        result = run(float(t), int(r), sdk=not args.no_sdk)
        for line in report(result):
            print(line, flush=True)
        ours = result["restorekit"]
        failed |= max(ours["op_requests"], ours["job_requests"]) > result["bound"]
        failed |= max(ours["op_latency"], ours["job_latency"]) > result["R"] + 0.5
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
