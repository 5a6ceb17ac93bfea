"""``restorekit demo``: run every shipped notebook headless (papermill) against an in-process emulator.

The emulator runs in this process; the notebooks' kernels reach it through ``RESTOREKIT_ENDPOINT``
and print plain-text progress (``RESTOREKIT_HEADLESS=1``). Executed notebooks, the figures they
save and the restore journal of their restores (``RESTOREKIT_JOURNAL``: never the user's own) land in the
output folder, with ``index.html`` (:mod:`restorekit.commands.report`), the page to open; its path is the
last line printed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: How the demo (and the notebook tests) start the emulator: a small fleet, short restore jobs.
#: ``as_of`` pins the estate to one day so the notebooks' committed outputs stay true on any later day.
#: The restore drill (runbook 06) meets a VM that never boots and a deletion that fails once.
DEMO_EMULATOR: dict[str, Any] = {"fleet": 24, "subscriptions": 3, "job_seconds": 8, "retry_after": 1,
                                 "as_of": "2026-11-20T12:00:00Z",
                                 "machine_faults": {"never_boots": ["linuxDb"], "delete_fails_once": ["rk-drill-"]}}


def shipped_notebooks() -> Path:
    """The notebooks that ship inside the package (``restorekit/notebooks/``), wherever it is installed."""
    return Path(__file__).resolve().parents[1] / "notebooks"


def notebooks_folder(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder of notebooks to run: ``explicit`` when given, else the shipped ones (:func:`shipped_notebooks`)."""
    folder = Path(explicit) if explicit else shipped_notebooks()
    if not (folder.is_dir() and any(folder.glob("*.ipynb"))):
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {folder}" + ("" if explicit else
                                ": this installation of restorekit lacks its notebooks; reinstall it"))
    return folder


@contextmanager
def demo_environment(journal: str | os.PathLike[str] | None = None, **emulator_options: Any) -> Iterator[Any]:
    """Start the demo emulator and point kernels at it (``RESTOREKIT_ENDPOINT``, headless); undo after.

    The kernels' restores are journaled to ``journal`` (``RESTOREKIT_JOURNAL``), by default a temporary file
    removed afterwards: a demo never writes to the user's restore journal.
    """
    from .. import emulator

    options = {**DEMO_EMULATOR, **emulator_options}
    keys = ("RESTOREKIT_ENDPOINT", "RESTOREKIT_HEADLESS", "RESTOREKIT_JOURNAL")
    saved = {key: os.environ.get(key) for key in keys}
    scratch = tempfile.mkdtemp(prefix="restorekit-demo-journal-") if journal is None else None
    with emulator.start(**options) as server:
        os.environ["RESTOREKIT_ENDPOINT"] = server.url
        os.environ["RESTOREKIT_HEADLESS"] = "1"
        os.environ["RESTOREKIT_JOURNAL"] = str(Path(scratch, "journal.jsonl") if scratch else Path(journal))
        try:
            yield server
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)


def run_demo(out: str | os.PathLike[str] = "restorekit-demo", *, notebooks: str | None = None,
             timeout: int = 600) -> int:
    """Execute every notebook into ``out`` (figures under ``out/figures``) and write ``out/index.html``.

    The notebooks are the shipped ones unless ``notebooks`` names a folder. Notebooks of a named folder run in that
    folder; the shipped ones run in ``out`` (the installation may be read-only). Prints a line per notebook, a summary, and last
    the report's path; returns 0 if every notebook ran.
    """
    import papermill

    from .report import NotebookRun, write_report

    source = notebooks_folder(notebooks)
    target = Path(out).resolve()
    figures = target / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    results: list[NotebookRun] = []
    with demo_environment(journal=target / "journal.jsonl") as server:
        print(f"restorekit demo: emulator at {server.url}; running {source}/*.ipynb into {target}", flush=True)
        for notebook in sorted(source.glob("*.ipynb")):
            started = time.monotonic()
            try:
                papermill.execute_notebook(
                    str(notebook), str(target / notebook.name), parameters={"figures_dir": str(figures)},
                    cwd=str(source if notebooks else target), execution_timeout=timeout, progress_bar=False, kernel_name="python3",
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no transport warnings in the summary
                )
                status = "ok"
            except Exception as exc:  # a failing notebook is reported, the others still run
                status = f"FAILED: {type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else ''}"
            elapsed = time.monotonic() - started
            results.append(NotebookRun(notebook.name, status, elapsed))
            print(f"  {notebook.name:<40} {status} ({elapsed:.1f} s)", flush=True)
    failed = [run.name for run in results if not run.ok]
    pictures = sorted(p.name for p in figures.glob("*.png"))
    print(f"restorekit demo: {len(results) - len(failed)}/{len(results)} notebooks ran; "
          f"{len(pictures)} figure(s) in {figures}; executed notebooks in {target}", flush=True)
    index = write_report(target, results, figures)
    print(f"restorekit demo: open {index}", flush=True)
    return 1 if failed or not results else 0
