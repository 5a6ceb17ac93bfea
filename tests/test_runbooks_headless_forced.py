"""Run All also works where RESTOREKIT_HEADLESS forces the other way: live widgets in a headless kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def test_a_runbook_with_live_widgets_forced_in_a_headless_kernel(emulator_server, tmp_path, monkeypatch):
    """RESTOREKIT_HEADLESS=0: restore() returns at once with a widget; the next cell waits for the result."""
    import papermill

    monkeypatch.setenv("RESTOREKIT_ENDPOINT", emulator_server.url)
    monkeypatch.setenv("RESTOREKIT_HEADLESS", "0")
    out = tmp_path / "03.ipynb"
    papermill.execute_notebook(str(ROOT / "restorekit" / "notebooks" / "03-replace-disks.ipynb"), str(out),
                               cwd=str(ROOT / "restorekit" / "notebooks"), progress_bar=False, kernel_name="python3",
                               execution_timeout=120)
    cells = nbformat.read(out, as_version=4).cells
    outputs = [o for c in cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert any("OperationProgress" in o["data"].get("text/plain", "") for o in widgets)  # live, not status lines
    printed = "".join(o.get("text", "") for o in outputs if isinstance(o.get("text"), str))
    assert "Completed in" in printed and "restore job" not in printed  # waited by operation.wait(), no lines
