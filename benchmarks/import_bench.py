"""``import restorekit`` vs ``import azure.mgmt.recoveryservicesbackup``: cold import time, fresh interpreters."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys


def import_seconds(module: str, runs: int) -> float:
    """Median cold import time of ``module`` over ``runs`` fresh interpreters."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return statistics.median(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    )


def main(argv: list[str] | None = None) -> int:
    """Print both import times and their ratio (target: restorekit ≤ 0.5 × the SDK)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks import")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    ours = import_seconds("restorekit", args.runs)
    sdk = import_seconds("azure.mgmt.recoveryservicesbackup", args.runs)
    print(f"import restorekit: {ours * 1000:.1f} ms; import azure.mgmt.recoveryservicesbackup: {sdk * 1000:.1f} ms; "
          f"ratio {ours / sdk:.3f} (target <= 0.5)")
    return 0
