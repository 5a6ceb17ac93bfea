"""Every notebook of ``restorekit/notebooks/`` passes Run All where analysts run it: JupyterLab 4 (and Notebook 7).

Each notebook is copied with its outputs cleared into the lab's folder, opened in headless Chromium and run
with "Run All". It passes when every code cell ran, no cell has an error output, the widgets rendered, and
every live restore widget reached its final state. A screenshot of each is kept in ``.pytest-screenshots/``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from .conftest import readme_screenshot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "restorekit" / "notebooks").glob("*.ipynb"))
SCREENSHOTS = ROOT / ".pytest-screenshots"

#: True once every code cell has an execution count and the kernel is idle (fired commands are not awaited).
_ALL_RAN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext.session) { return false; }
  const kernel = panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') { return false; }
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type === 'code' && cell.executionCount === null) { return false; }
  }
  return true;
}"""

#: Per code cell: its execution count, and the error outputs it holds (ename: evalue).
_CELL_REPORT = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const out = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') { continue; }
    const errors = cell.outputs.toJSON().filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue);
    out.push({index: i, count: cell.executionCount, errors: errors});
  }
  return out;
}"""


def _cleared_copy(source: Path, folder: Path) -> tuple[Path, nbformat.NotebookNode]:
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    target = folder / source.name
    nbformat.write(notebook, target)
    return target, notebook


def _run_all(lab_page, name: str, timeout_ms: int = 240_000) -> list[dict]:
    page = lab_page
    page.wait_for_function(
        "() => { try { return window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
        " === 'idle'; } catch (e) { return false; } }", timeout=90_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_timeout(1000)  # let the first cell start before watching for "all ran"
    page.wait_for_function(_ALL_RAN, timeout=timeout_ms, polling=500)
    return page.evaluate(_CELL_REPORT)


def _check(page, report: list[dict], notebook: nbformat.NotebookNode, name: str) -> None:
    not_run = [r["index"] for r in report if r["count"] is None]
    errors = [(r["index"], r["errors"]) for r in report if r["errors"]]
    assert not not_run, f"{name}: cells left unexecuted: {not_run}"
    assert not errors, f"{name}: error outputs: {errors}"
    source = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    if "RestoreForm(" in source:
        page.locator(".rk-restore-form").first.wait_for(timeout=30_000)  # the widget rendered, not its text repr
    if "FileRecoveryPanel(" in source:
        page.locator(".rk-file-recovery").first.wait_for(timeout=30_000)
    progress = page.locator(".rk-progress")
    if "operation = " in source:  # a runbook that restores (never a dry run on the emulator)
        progress.first.wait_for(timeout=30_000)
    for i in range(progress.count()):
        summary = progress.nth(i).locator(".rk-progress-summary")
        text = summary.inner_text(timeout=30_000)
        assert "Completed" in text, f"{name}: restore widget {i} did not reach its final state: {text!r}"
    if "az.drill(" in source:  # the drill's live view: one line per VM, then the verdicts and the cleanup
        drill = page.locator(".rk-drill-progress").first
        drill.wait_for(timeout=30_000)
        text = drill.locator(".rk-drill-summary").inner_text(timeout=30_000)
        assert "2 passed, 1 failed" in text and "0 resource(s) left" in text, f"{name}: drill widget: {text!r}"
        lines = drill.locator(".rk-drill-vm").all_inner_texts()
        assert len(lines) == 3 and lines[2].startswith("opsRG/linuxDb: FAILED: did not boot"), lines


@pytest.mark.parametrize("source", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_run_all_in_jupyterlab(source, jupyterlab, browser):
    base, root = jupyterlab
    _, notebook = _cleared_copy(source, root)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{base}/lab/tree/{source.name}?token=restorekit-browser-tests&reset")
        report = _run_all(page, source.name)
        _check(page, report, notebook, source.name)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"lab-{source.stem}.png"))
        if source.stem == "06-restore-drill":  # the drill's live view, as JupyterLab shows it at the end
            readme_screenshot(page.locator(".rk-drill-progress").first, "drill-progress.png")
        if source.stem == "01-explore-recovery-points":  # the fleet heatmap, as JupyterLab shows it
            readme_screenshot(page.locator(".jp-OutputArea-output img").first, "fleet-heatmap.png")
            # coverage comes first: the VMs with no backup and the item whose VM is gone, in a visible table
            tables = page.locator(".jp-OutputArea-output table")
            coverage = next(t for t in tables.all()  # text_content: JupyterLab renders only the cells in view
                            if "not protected" in t.text_content() and "oldAppVM" in t.text_content())
            coverage.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.wait_for_function("el => el.innerText.includes('payrollVM')", arg=coverage.element_handle(),
                                   timeout=10_000)
            shown_coverage = coverage.inner_text(timeout=10_000)
            assert coverage.is_visible() and "VM missing" in shown_coverage and "payrollVM" in shown_coverage
            assert "environment=production, owner=finance" in shown_coverage and "NaN" not in shown_coverage
            # the at-risk tables show every reason whole (pandas alone cuts them at 50 characters with "...")
            shown = page.locator(".jp-OutputArea-output td").all_inner_texts()
            assert "not protected: no vault backs this VM up" in shown
            assert any(text.endswith("its VM no longer exists (the retained points remain)") for text in shown)
            reasons = [text for text in shown if "newest point" in text or "missed backup" in text]
            assert reasons and not [r for r in reasons if r.rstrip().endswith("...")], reasons
            assert any(r.startswith("protection stopped; newest point") and r.endswith("(RPO 1 day)")
                       for r in reasons), reasons
    finally:
        context.close()


def test_run_all_in_notebook_7(jupyterlab, browser):
    """The destructive runbook in Jupyter Notebook 7's interface (same kernel protocol, another frontend)."""
    base, root = jupyterlab
    source = ROOT / "restorekit" / "notebooks" / "03-replace-disks.ipynb"
    target, notebook = _cleared_copy(source, root)
    renamed = target.with_name("nb7-" + target.name)
    target.rename(renamed)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{base}/notebooks/{renamed.name}?token=restorekit-browser-tests")
        report = _run_all(page, renamed.name)
        _check(page, report, notebook, renamed.name)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "notebook7-03-replace-disks.png"))
    finally:
        context.close()
