"""``restorekit demo``: runs notebooks headless against an in-process emulator, writes them and a summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook


def write(folder, name, cells, parameters=None):
    notebook = new_notebook(cells=[new_code_cell(c) for c in cells])
    if parameters is not None:
        cell = new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        notebook.cells.insert(0, cell)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / name)


def test_demo_runs_notebooks_against_the_emulator_and_reports(tmp_path):
    source = tmp_path / "nbs"
    source.mkdir()
    write(source, "a-ok.ipynb", [
        "import os, restorekit as rk\naz = rk.connect()\nprint(az.kind, os.environ['RESTOREKIT_HEADLESS'])\n"
        "print('journal:', os.environ['RESTOREKIT_JOURNAL'])",
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots(); fig.savefig(os.path.join(figures_dir, 'a.png'))",
        "open(os.path.join(figures_dir, 'a-report.html'), 'w').write('<p>a report</p>')",
    ], parameters="figures_dir = None")
    write(source, "b-broken.ipynb", ["raise RuntimeError('boom')"])
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("RESTOREKIT_ENDPOINT", "RESTOREKIT_HEADLESS")}
    result = subprocess.run([sys.executable, "-m", "restorekit", "demo", "--out", str(out), "--notebooks", str(source)],
                            capture_output=True, text=True, env=env, timeout=240)
    assert result.returncode == 1, result.stderr  # one notebook failed
    assert "a-ok.ipynb" in result.stdout and "ok" in result.stdout
    assert "b-broken.ipynb" in result.stdout and "FAILED" in result.stdout and "boom" in result.stdout
    assert "1/2 notebooks ran" in result.stdout
    executed = nbformat.read(out / "a-ok.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "endpoint 1" in printed  # talked to the demo emulator, headless
    assert f"journal: {out / 'journal.jsonl'}" in printed  # restores journaled in the output folder, not the user's
    assert (out / "figures" / "a.png").exists()
    # the report: the page to open, printed last
    index = out / "index.html"
    assert result.stdout.strip().splitlines()[-1] == f"restorekit demo: open {index}"
    page = index.read_text()
    assert "local emulator" in page and "nothing reached Azure" in page
    assert "href='html/a-ok.html'" in page and "✔ ok" in page
    assert "b-broken.ipynb" in page and "✘ FAILED" in page and "boom" in page
    assert "src='figures/a.png'" in page
    assert "<a href='figures/a-report.html'>a-report</a>" in page  # the reports the notebooks wrote, linked
    rendered = (out / "html" / "a-ok.html").read_text()
    assert "endpoint 1" in rendered  # the executed notebook, outputs included


def test_the_report_says_what_each_notebook_teaches(tmp_path):
    from nbformat.v4 import new_markdown_cell

    from restorekit.commands.report import what_it_shows

    notebook = new_notebook(cells=[new_markdown_cell("# Runbook: a title\n\nThe first paragraph,\nover two lines.\n\n"
                                                     "Another one.")])
    nbformat.write(notebook, tmp_path / "plain.ipynb")
    assert what_it_shows(tmp_path / "plain.ipynb") == ("Runbook: a title", "The first paragraph, over two lines.")
    notebook.metadata["restorekit"] = {"teaches": "What the README's table says."}
    nbformat.write(notebook, tmp_path / "described.ipynb")
    assert what_it_shows(tmp_path / "described.ipynb") == ("Runbook: a title", "What the README's table says.")


@pytest.mark.timeout(1200)
def test_the_wheel_in_a_fresh_venv_runs_the_demo_from_an_empty_folder(tmp_path, built_wheel):
    """A plain ``pip install`` of the wheel, then ``restorekit demo`` in a folder that holds nothing."""
    import zipfile

    shipped = {n for n in zipfile.ZipFile(built_wheel).namelist() if n.startswith("restorekit/notebooks/")}
    assert {"restorekit/notebooks/00-quickstart.ipynb", "restorekit/notebooks/nbval-sanitize.cfg"} <= shipped
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RESTOREKIT_", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-compile", str(built_wheel)],
                             env=env, capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    empty = tmp_path / "empty"
    empty.mkdir()
    demo = subprocess.run([str(venv / "bin" / "restorekit"), "demo"], cwd=empty, env=env, capture_output=True,
                          text=True, timeout=900)
    assert demo.returncode == 0, (demo.stdout + demo.stderr)[-4000:]
    out = empty / "restorekit-demo"
    count = sum(1 for n in shipped if n.endswith(".ipynb"))
    assert f"{count}/{count} notebooks ran" in demo.stdout, demo.stdout
    assert "href='figures/restore-drill.html'" in (out / "index.html").read_text()  # the drill's report, linked
    assert demo.stdout.strip().splitlines()[-1] == f"restorekit demo: open {out / 'index.html'}"
    assert f"running {venv}" in demo.stdout  # the installed notebooks, not a checkout's
    assert sorted(p.name for p in out.glob("*.ipynb")) == sorted(
        Path(n).name for n in shipped if n.endswith(".ipynb"))
