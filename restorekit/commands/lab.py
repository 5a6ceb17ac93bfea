"""``restorekit lab``: JupyterLab on the notebooks, talking to a local emulator, in one command.

The shipped notebooks live inside the installed package, which may be read-only and is no place for a user's
edits: the lab copies them into a working folder (``./restorekit-notebooks`` unless ``--dir`` names another),
keeps any copy already there (the user's edits win) and says where they are. ``--notebooks`` serves a folder of
your own as it is.
The emulator runs in this process with the demo's settings (the documentation's estate, pinned to one day, so the
notebooks show what their committed outputs show); JupyterLab runs as a child process with ``RESTOREKIT_ENDPOINT``
pointing at it, so every notebook works with no settings. Ctrl-C (or SIGTERM) stops both. JupyterLab comes from
the ``lab`` extra: when it is missing, the command prints the exact line that installs it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from .demo import DEMO_EMULATOR, notebooks_folder, shipped_notebooks

#: What installs JupyterLab next to restorekit.
INSTALL_LINE = "pip install 'restorekit[lab]'"
#: Where the lab copies the shipped notebooks by default (relative to the current folder).
WORKING_FOLDER = "restorekit-notebooks"


def jupyterlab_missing() -> bool:
    """True when JupyterLab cannot be imported here."""
    return importlib.util.find_spec("jupyterlab") is None


def working_copy(folder: str | os.PathLike[str] = WORKING_FOLDER) -> tuple[Path, list[str], list[str]]:
    """Copy the shipped notebooks into ``folder`` (created if needed); return it, the names copied and those kept.

    A notebook already in ``folder`` is kept as it is: it may hold the user's edits.
    """
    target = Path(folder).resolve()
    target.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for notebook in sorted(notebooks_folder().glob("*.ipynb")):
        if (target / notebook.name).exists():
            kept.append(notebook.name)
        else:
            shutil.copyfile(notebook, target / notebook.name)
            copied.append(notebook.name)
    return target, copied, kept


def run_lab(notebooks: str | None = None, *, folder: str | os.PathLike[str] = WORKING_FOLDER, port: int = 8888,
            open_browser: bool = True, extra: list[str] | None = None) -> int:
    """Start the emulator and JupyterLab; return JupyterLab's exit status once both stopped.

    JupyterLab opens on ``notebooks`` (a folder of your own, served as it is) or, by default, on ``folder``, where
    the shipped notebooks are copied first (:func:`working_copy`).
    """
    if jupyterlab_missing():
        print(f"restorekit lab needs JupyterLab, which is not installed in this Python ({sys.executable}). "
              f"Install it with:\n  {INSTALL_LINE}", file=sys.stderr)
        return 1
    from .. import emulator

    if notebooks:
        source = notebooks_folder(notebooks)
    else:
        source, copied, kept = working_copy(folder)
        print(f"restorekit lab: the notebooks shipped with restorekit ({shipped_notebooks()}) are in {source}: "
              f"{len(copied)} copied" + (f", {len(kept)} already there kept as they are" if kept else ""),
              flush=True)
    with emulator.start(**DEMO_EMULATOR) as server:
        env = {key: value for key, value in os.environ.items() if key != "RESTOREKIT_HEADLESS"}
        env["RESTOREKIT_ENDPOINT"] = server.url
        command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={source}", f"--port={port}",
                   "--ServerApp.ip=127.0.0.1", *([] if open_browser else ["--no-browser"]), *(extra or [])]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container's root: JupyterLab refuses without this
            command.append("--allow-root")
        print(f"restorekit lab: emulator at {server.url} (local, not Azure); JupyterLab on {source} — Ctrl-C stops "
              "both", flush=True)
        lab = subprocess.Popen(command, env=env)
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            return lab.wait()
        except KeyboardInterrupt:
            lab.send_signal(signal.SIGINT)
            lab.send_signal(signal.SIGINT)  # JupyterLab asks for a second Ctrl-C to shut down
            try:
                lab.wait(timeout=20)
            except subprocess.TimeoutExpired:
                lab.kill()
                lab.wait()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt
