"""The ``restorekit`` command: ``restorekit demo``, ``restorekit lab`` and ``restorekit emulator``."""

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
    sub.add_parser("emulator", help="run the local Azure Backup API emulator (--demo: the demo's settings)",
                   add_help=False)
    demo = sub.add_parser("demo", help="run every notebook headless against an in-process emulator, from any folder")
    demo.add_argument("--out", default="restorekit-demo",
                      help="folder for executed notebooks, figures and index.html (default: ./restorekit-demo)")
    demo.add_argument("--notebooks", default=None,
                      help="a folder of your own notebooks (default: those shipped inside the restorekit package)")
    demo.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    lab = sub.add_parser("lab", help="JupyterLab on a working copy of the shipped notebooks, with a local emulator "
                                     "(needs restorekit[lab])")
    lab.add_argument("--dir", default="restorekit-notebooks", dest="folder",
                     help="working folder the shipped notebooks are copied into, existing copies kept "
                          "(default: ./restorekit-notebooks)")
    lab.add_argument("--notebooks", default=None, help="serve a folder of your own notebooks instead, as it is")
    lab.add_argument("--port", type=int, default=8888, help="JupyterLab's port (default 8888)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    if argv and argv[0] == "emulator":
        from ..emulator.cli import main as emulator_main

        return emulator_main(demo_preset(argv[1:]))
    args, extra = parser.parse_known_args(argv)
    if args.command == "lab":
        from .lab import run_lab

        return run_lab(args.notebooks, folder=args.folder, port=args.port, open_browser=not args.no_browser, extra=extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.out, notebooks=args.notebooks, timeout=args.timeout)
    parser.print_help()
    return 2


def demo_preset(argv: list[str]) -> list[str]:
    """``restorekit emulator --demo``: the demo's settings (those of ``restorekit demo``) before any other flag."""
    if "--demo" not in argv:
        return argv
    from .demo import DEMO_EMULATOR

    flags = {"fleet": "--fleet", "subscriptions": "--subscriptions", "job_seconds": "--job-seconds",
             "retry_after": "--retry-after", "as_of": "--as-of"}
    preset = [part for key, flag in flags.items() if key in DEMO_EMULATOR for part in (flag, str(DEMO_EMULATOR[key]))]
    for fault, names in DEMO_EMULATOR.get("machine_faults", {}).items():
        preset += [part for name in names for part in (f"--{fault.replace('_', '-')}", name)]
    return [*preset, *(a for a in argv if a != "--demo")]


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
