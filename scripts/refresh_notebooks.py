"""Run the notebooks in place against the demo emulator, so their committed outputs are what the code prints now.

    python scripts/refresh_notebooks.py                  # every notebook in restorekit/notebooks/
    python scripts/refresh_notebooks.py 03-replace-disks # only those whose name starts so

The emulator and the environment are those of ``restorekit demo`` and of the nbval tests (headless, the demo
estate pinned to one day), so nbval finds the same outputs. Cells run with nbclient; the notebook keeps its own
parameters (nothing is injected).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from restorekit.commands.demo import demo_environment

ROOT = Path(__file__).resolve().parents[1]


def refresh(path: Path) -> None:
    """Execute ``path`` in place (outputs replaced, execution counts renumbered)."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   extra_arguments=["--IPKernelApp.log_level=ERROR"]).execute()
    for cell in notebook.cells:  # timing metadata changes on every run and helps no reader
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)


def main(argv: list[str]) -> int:
    """Refresh the chosen notebooks; print each one's name."""
    chosen = sorted(p for p in (ROOT / "restorekit" / "notebooks").glob("*.ipynb")
                    if not argv or any(p.name.startswith(prefix) for prefix in argv))
    with demo_environment():
        for path in chosen:
            print(f"running {path.name}", flush=True)
            refresh(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
