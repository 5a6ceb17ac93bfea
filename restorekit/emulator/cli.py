"""``restorekit emulator``: run the emulator in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``restorekit emulator``."""
    p = argparse.ArgumentParser(prog="restorekit emulator",
                                description="Local emulator of the Azure Backup REST API (loopback only).")
    p.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="TCP port; 0 picks a free one (default 8765)")
    p.add_argument("--latency-ms", type=float, default=0, help="delay added to every answer")
    p.add_argument("--job-seconds", type=float, default=20, help="how long a restore job runs")
    p.add_argument("--fleet", type=int, default=0, help="add fleetVault with N protected VMs")
    p.add_argument("--page-size", type=int, default=None, help="items per list page (default 50)")
    p.add_argument("--retry-after", type=int, default=2, help="Retry-After seconds on long-running operations")
    p.add_argument("--read-bucket", type=int, default=250, help="read throttle bucket size per subscription")
    p.add_argument("--read-refill", type=float, default=25.0, help="read throttle refill, tokens per second")
    p.add_argument("--no-throttle", action="store_true", help="disable the read throttle")
    p.add_argument("--fail-rate", type=float, default=0.0, help="share of restore jobs that fail (0..1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the failure draws")
    p.add_argument("--as-of", default=None, help="ISO date/time the demo estate's points run up to (default now)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the emulator; prints ``listening on http://HOST:PORT`` once ready; returns 0 on a clean stop."""
    args = build_parser().parse_args(argv)
    from . import start

    try:
        srv = start(host=args.host, port=args.port, latency_ms=args.latency_ms, job_seconds=args.job_seconds,
                    fleet=args.fleet, page_size=args.page_size, throttle=not args.no_throttle,
                    read_bucket=args.read_bucket, read_refill=args.read_refill, retry_after=args.retry_after,
                    fail_rate=args.fail_rate, seed=args.seed, as_of=args.as_of,
                    background=False)
    except (ValueError, OSError) as err:  # bad option values, port in use
        print(f"restorekit emulator: {err}", file=sys.stderr, flush=True)
        return 2

    def _stop(signum: int, frame: object) -> None:
        srv.request_stop()

    signal.signal(signal.SIGTERM, _stop)
    print(f"restorekit emulator: listening on {srv.url} (subscription {srv.subscription_id}); Ctrl-C to stop",
          flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    print("restorekit emulator: stopped", flush=True)
    return 0
