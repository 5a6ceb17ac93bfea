"""The ``restorekit`` command: ``restorekit demo`` and ``restorekit emulator``."""

from __future__ import annotations

import argparse
import sys

from .._version import __version__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``restorekit`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="restorekit", description="Azure VM backups and restores from Jupyter.")
    parser.add_argument("--version", action="version", version=f"restorekit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("emulator", help="run the local Azure Backup API emulator", add_help=False)
    demo = sub.add_parser("demo", help="run every notebook headless against an in-process emulator")
    demo.add_argument("--out", default="restorekit-demo", help="folder for executed notebooks and figures")
    demo.add_argument("--notebooks", default=None, help="folder of notebooks (default: the shipped ones)")
    demo.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    if argv and argv[0] == "emulator":
        from ..emulator.cli import main as emulator_main

        return emulator_main(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.out, notebooks=args.notebooks, timeout=args.timeout)
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
