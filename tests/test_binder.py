"""Binder's steps, reproduced without Docker: a fresh virtual environment from ``binder/`` only, ``postBuild``, then
every notebook executed through ``binder/start`` (which starts the emulator and exports RESTOREKIT_ENDPOINT)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def test_the_binder_files_alone_give_an_environment_where_every_notebook_runs(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RESTOREKIT_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["RESTOREKIT_JOURNAL"] = str(tmp_path / "journal.jsonl")  # no restore journal in the user's folder
    # --no-compile: Binder byte-compiles, which this test does not need to repeat (~20 s of the 2 cores)
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-compile", "-r", "binder/requirements.txt"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    assert subprocess.run(["bash", "binder/postBuild"], cwd=ROOT, env=env, timeout=120).returncode == 0
    out = tmp_path / "executed"
    notebooks = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "restorekit" / "notebooks").glob("*.ipynb"))
    run = subprocess.Popen(["bash", "binder/start", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                            "--ExecutePreprocessor.timeout=300", "--output-dir", str(out), *notebooks],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)  # its own process group: the emulator is stopped with it
    try:
        log, _ = run.communicate(timeout=900)
    finally:
        try:
            os.killpg(run.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    assert run.returncode == 0, log[-4000:]
    assert "restorekit: emulator at http://127.0.0.1:" in log
    for name in notebooks:
        executed = nbformat.read(out / Path(name).name, as_version=4)
        errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, (name, errors)
        shown = "".join(str(o.get("text") or o.get("data", {}).get("text/plain", ""))
                        for c in executed.cells for o in c.get("outputs", []))
        assert "LOCAL EMULATOR" in shown or "not Azure" in shown, name  # it says where it ran
