"""Flows only a browser proves: the form renders in JupyterLab, replace-disks arms only after the VM's
name is typed, a double click triggers one restore, and the live progress widget updates while the
cell has already returned."""

from __future__ import annotations

import pytest

import restorekit as rk

from .conftest import readme_screenshot

pytestmark = pytest.mark.browser

CONNECT = """
import restorekit as rk
az = rk.connect()
item = az.vault("testVaultRG", "testVault").vm("testRG", "{vm}")
point = item.recovery_points().select("latest AppConsistent")
"""


def restore_jobs(server, vm: str) -> list[str]:
    with rk.connect(server.url) as az:
        jobs = az.vault("testVaultRG", "testVault").jobs(operation="Restore")
    return list(jobs.loc[jobs["vm"] == vm, "job_id"])


def test_replace_disks_needs_the_vm_name_and_a_double_click_restores_once(open_notebook, lab_emulator):
    before = restore_jobs(lab_emulator, "testVM")
    lab = open_notebook("replace.ipynb", [
        CONNECT.format(vm="testVM"),
        "form = rk.RestoreForm(item, request=rk.ReplaceDisks(point, storage_account='testAccount'))\nform",
    ])
    lab.run_all()
    page = lab.page
    button = page.locator("button.rk-restore-button")
    button.wait_for(timeout=60_000)
    page.locator(".rk-preview", has_text="OriginalLocation").wait_for(timeout=30_000)
    assert button.is_disabled(), "replace disks must not arm before the confirmation"

    confirm = page.locator(".rk-confirm input")
    confirm.fill("wrongVM")
    confirm.press("Tab")
    page.wait_for_timeout(500)
    assert button.is_disabled(), "a wrong name must not arm the button"
    confirm.fill("testVM")
    confirm.press("Tab")
    page.wait_for_function(
        "() => { const b = document.querySelector('button.rk-restore-button'); return b && !b.disabled; }",
        timeout=30_000)
    readme_screenshot(page.locator(".rk-restore-form").first, "restore-form.png", until=button)  # armed

    button.dblclick()
    lab.wait_text("Completed", timeout_ms=90_000)
    lab.wait_kernel_idle()
    after = restore_jobs(lab_emulator, "testVM")
    assert len(after) - len(before) == 1, f"expected one new restore job, got {set(after) - set(before)}"
    page.screenshot(path=str(lab_emulator_screenshot_dir() / "replace-disks.png"))


def test_live_progress_updates_after_the_cell_returned(open_notebook, lab_emulator):
    lab = open_notebook("progress.ipynb", [
        CONNECT.format(vm="multiDiskVM"),
        "op = item.restore(rk.RestoreDisks(point, storage_account='testAccount', luns=[0]))",
        "print('cell returned; phase at that moment:', op.phase)",
    ])
    lab.run_all()
    lab.wait_text("cell returned", timeout_ms=60_000)
    returned = lab.page.locator(".jp-OutputArea-output", has_text="cell returned").first.inner_text()
    assert "phase at that moment: done" not in returned  # the restore was still running
    widget = lab.page.locator(".rk-progress").first
    widget.wait_for(timeout=30_000)  # a live widget, not headless text
    widget.locator("text=InProgress").first.wait_for(timeout=60_000)
    readme_screenshot(widget, "live-progress.png")  # while the restore runs
    widget.locator("text=Completed").first.wait_for(timeout=90_000)
    assert "Restore of VM multiDiskVM" in widget.inner_text()
    assert widget.locator(".rk-progress-cancel").is_disabled() or "Completed" in widget.inner_text()
    lab.page.screenshot(path=str(lab_emulator_screenshot_dir() / "live-progress.png"))


def lab_emulator_screenshot_dir():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / ".pytest-screenshots"
    folder.mkdir(exist_ok=True)
    return folder


def test_the_form_offers_the_estates_resources_in_the_browser(open_notebook):
    lab = open_notebook("pickers.ipynb", [CONNECT.format(vm="testVM"), "form = rk.RestoreForm(item)\nform"])
    lab.run_all()
    page = lab.page
    page.locator(".rk-restore-form").first.wait_for(timeout=60_000)
    options = page.locator(".rk-input-storage_account datalist option")
    options.first.wait_for(state="attached", timeout=30_000)
    values = {options.nth(i).get_attribute("value") for i in range(options.count())}
    assert "testRG/testAccount" in values and "testRG/zrsAccount" not in values
    listed = page.locator(".rk-choices-storage_account").inner_text()
    assert "zrsAccount" in listed and "zone-redundant" in listed  # shown, disabled, with the reason
    box = page.locator(".rk-input-storage_account input")
    box.fill("crrRG/eastAccount")
    box.press("Tab")
    page.locator(".rk-message-storage_account", has_text="in eastus").wait_for(timeout=30_000)
    assert page.locator("button.rk-restore-button").is_disabled()
