"""``restorekit emulator``: run the emulator in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import warnings


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``restorekit emulator``."""
    p = argparse.ArgumentParser(prog="restorekit emulator",
                                description="Local emulator of the Azure Backup REST API (loopback unless told "
                                            "otherwise).")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1); a non-loopback one needs --allow-remote")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --host (warns: the emulator must not be exposed)")
    p.add_argument("--port", type=int, default=8765, help="TCP port; 0 picks a free one (default 8765)")
    p.add_argument("--latency-ms", type=float, default=0, help="delay added to every answer")
    p.add_argument("--job-seconds", type=float, default=20, help="how long a restore job runs")
    p.add_argument("--fleet", type=int, default=0,
                   help="add N generated VMs, spread over the subscriptions' fleet vaults (fleetVault, fleetVault-2…)")
    p.add_argument("--subscriptions", type=int, default=1,
                   help="number of subscriptions (default 1: the demo subscription 00000000-…)")
    p.add_argument("--page-size", type=int, default=None, help="items per list page (default 50)")
    p.add_argument("--retry-after", type=int, default=2, help="Retry-After seconds on long-running operations")
    p.add_argument("--read-bucket", type=int, default=250, help="read throttle bucket size per subscription")
    p.add_argument("--read-refill", type=float, default=25.0, help="read throttle refill, tokens per second")
    p.add_argument("--write-bucket", type=int, default=200, help="write throttle bucket size per subscription")
    p.add_argument("--write-refill", type=float, default=10.0, help="write throttle refill, tokens per second")
    p.add_argument("--no-throttle", action="store_true", help="disable the read and write throttles")
    p.add_argument("--token-lifetime", type=float, default=None,
                   help="seconds an issued bearer token lives; when set, only tokens from the emulator's "
                        "/{tenant}/oauth2/v2.0/token endpoint are accepted (default: any bearer token)")
    p.add_argument("--crr-token-lifetime", type=float, default=3600.0,
                   help="seconds a cross-region restore access token lives (default 3600)")
    p.add_argument("--graph-quota", type=int, default=15,
                   help="Resource Graph queries per user and 5 seconds (default 15; 0: no quota)")
    p.add_argument("--fail-rate", type=float, default=0.0, help="share of restore jobs that fail (0..1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the failure draws")
    p.add_argument("--as-of", default=None, help="ISO date/time the demo estate's points run up to (default now)")
    p.add_argument("--boot-seconds", type=float, default=None,
                   help="seconds a new VM takes until its VM agent is ready (default: half of --job-seconds)")
    p.add_argument("--never-boots", action="append", default=[], metavar="VM",
                   help="a VM (or VMs restored from it) that never boots; repeatable")
    p.add_argument("--agent-never-ready", action="append", default=[], metavar="VM",
                   help="a VM (or VMs restored from it) whose VM agent never gets ready; repeatable")
    p.add_argument("--probe-fails", action="append", default=[], metavar="VM",
                   help="a VM (or VMs restored from it) on which Run Command exits with 1; repeatable")
    p.add_argument("--delete-fails-once", action="append", default=[], metavar="TEXT",
                   help="the next delete of a resource or resource group whose name contains TEXT fails; repeatable")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the emulator; prints ``listening on http://HOST:PORT`` once ready; returns 0 on a clean stop."""
    args = build_parser().parse_args(argv)
    from . import start

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            srv = start(host=args.host, port=args.port, latency_ms=args.latency_ms, job_seconds=args.job_seconds,
                        fleet=args.fleet, page_size=args.page_size, throttle=not args.no_throttle,
                        read_bucket=args.read_bucket, read_refill=args.read_refill, retry_after=args.retry_after,
                        fail_rate=args.fail_rate, seed=args.seed, as_of=args.as_of,
                        background=False, subscriptions=args.subscriptions, write_bucket=args.write_bucket,
                        write_refill=args.write_refill, token_lifetime=args.token_lifetime,
                        crr_token_lifetime=args.crr_token_lifetime, graph_quota=args.graph_quota,
                        allow_remote=args.allow_remote, boot_seconds=args.boot_seconds,
                        machine_faults={"never_boots": args.never_boots, "agent_never_ready": args.agent_never_ready,
                                        "probe_fails": args.probe_fails, "delete_fails_once": args.delete_fails_once})
    except (ValueError, OSError) as err:  # bad option values, port in use
        print(f"restorekit emulator: {err}", file=sys.stderr, flush=True)
        return 2
    for warning in caught:
        print(f"restorekit emulator: WARNING: {warning.message}", file=sys.stderr, flush=True)

    def _stop(signum: int, frame: object) -> None:
        srv.request_stop()

    signal.signal(signal.SIGTERM, _stop)
    subscriptions = srv.subscription_id + (f" and {len(srv.subscription_ids) - 1} more"
                                           if len(srv.subscription_ids) > 1 else "")
    print(f"restorekit emulator: listening on {srv.url} (subscription {subscriptions}); Ctrl-C to stop",
          flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    print("restorekit emulator: stopped", flush=True)
    return 0
