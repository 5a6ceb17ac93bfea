"""Run a benchmark: ``python -m benchmarks {import,inventory,frames,timeline,fleet,polling,scale}``.

Each one measures a baseline and restorekit in the same run and prints the ratios.
"""

from __future__ import annotations

import importlib
import sys

CASES = {
    "import": "benchmarks.import_bench",
    "inventory": "benchmarks.inventory_bench",
    "frames": "benchmarks.frames_bench",
    "timeline": "benchmarks.timeline_bench",
    "fleet": "benchmarks.fleet_bench",
    "polling": "benchmarks.polling_bench",
    "scale": "benchmarks.scale_bench",
}


def main(argv: list[str]) -> int:
    """Dispatch to one benchmark module's ``main``."""
    if not argv or argv[0] not in CASES:
        print(f"usage: python -m benchmarks {{{','.join(CASES)}}} [options]", file=sys.stderr)
        return 2
    return importlib.import_module(CASES[argv[0]]).main(argv[1:]) or 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
