"""Restore drills: a 20-VM drill on the emulator against its lower bound.

The lower bound of a drill is its slowest VM: that VM's restore, boot and cleanup, alone. Both are measured in the
same run, on the same emulator (ARM's read and write throttles on, restore jobs of ``--job-seconds``, VMs booting in
``--boot-seconds``):

* **bound**: ``--singles`` one-VM drills, one after the other; the slowest one's wall time (plan, isolated network,
  restore, boot, boot diagnostics, cleanup and its verification: everything a drill does for one VM);
* **drill**: one drill of ``--vms`` VMs of the fleet vault, all in parallel (``parallel=--vms``).

The ratio drill / bound says what running VMs side by side costs: planning them, ARM's throttles, the shared
network. Target: ≤ 1.3×.

``python -m benchmarks drill [--vms 20] [--job-seconds 8] [--boot-seconds 4] [--singles 3]``
"""

from __future__ import annotations

import argparse
import time
from typing import Any


def _drill(az: Any, rows: Any, parallel: int) -> tuple[float, Any]:
    started = time.monotonic()
    drill = az.drill(rows, parallel=parallel, boot_timeout=120, out=None)
    report = drill.wait(out=None)
    return time.monotonic() - started, report


def main(argv: list[str]) -> int:
    """Measure, print the figures; returns 1 when a VM did not pass or something was left."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks drill")
    parser.add_argument("--vms", type=int, default=20)
    parser.add_argument("--job-seconds", type=float, default=8.0)
    parser.add_argument("--boot-seconds", type=float, default=4.0)
    parser.add_argument("--singles", type=int, default=3)
    args = parser.parse_args(argv)

    import restorekit as rk
    from restorekit import emulator

    with emulator.start(fleet=args.vms, job_seconds=args.job_seconds, boot_seconds=args.boot_seconds,
                        retry_after=1) as srv:
        az = rk.connect(srv.url, quiet=True)
        fleet = az.fleet()
        rows = fleet[fleet["vault"] == "fleetVault"].sort_values("vm_name").head(args.vms)
        singles = []
        for index in range(min(args.singles, len(rows))):
            seconds, report = _drill(az, rows.iloc[[index]], 1)
            singles.append(seconds)
            print(f"  single VM {rows.iloc[index]['vm_name']}: {seconds:.2f} s ({report.summary()})", flush=True)
        bound = max(singles)
        seconds, report = _drill(az, rows, args.vms)
        frame = report.to_frame()
        print(f"  drill of {len(rows)} VMs: {seconds:.2f} s ({report.summary()})", flush=True)
        restore = frame["restore_time"].dt.total_seconds()
        boot = frame["boot_time"].dt.total_seconds()
        print(f"  per VM in the drill: restore {restore.min():.1f}-{restore.max():.1f} s, boot {boot.min():.1f}-"
              f"{boot.max():.1f} s, RTO {frame['rto'].dt.total_seconds().max():.1f} s at most; cleanup "
              f"{report.cleanup.seconds:.1f} s")
        print(f"drill: {len(rows)} VMs in {seconds:.2f} s; bound (slowest single VM of {len(singles)}) "
              f"{bound:.2f} s; ratio {seconds / bound:.2f} (target <= 1.3)")
        az.close()
        return 0 if report.failed == 0 and report.cleanup.clean else 1
