"""Flows only a browser proves for file recovery: the "Recover files" tab renders in JupyterLab, a double click on
Mount opens one session, the password shows only after a click, Unmount revokes; nothing is left open."""

from __future__ import annotations

import pytest

from .conftest import readme_screenshot

pytestmark = pytest.mark.browser


def _open_sessions(server) -> list:
    return server.state.file_recoveries.open_sessions(server.state.clock.now())


def test_the_recover_files_tab_mounts_once_shows_the_password_on_click_and_revokes(open_notebook, lab_emulator):
    before = len(lab_emulator.state.file_recoveries)
    lab = open_notebook("files.ipynb", [
        "import restorekit as rk\naz = rk.connect()\nitem = az.vault('testVaultRG', 'testVault').vm('testRG', 'testVM')",
        "form = rk.RestoreForm(item)\nform.tabs.selected_index = 1\nform",
    ])
    lab.run_all()
    page = lab.page
    mount = page.locator("button.rk-file-recovery-mount")
    mount.wait_for(timeout=60_000)
    mount.dblclick()
    lab.wait_text("Mounted: open until", timeout_ms=60_000)
    assert len(lab_emulator.state.file_recoveries) - before == 1, "a double click must open one session"
    (session,) = _open_sessions(lab_emulator)
    assert session.password not in page.content(), "the password must stay hidden until asked for"
    readme_screenshot(page.locator(".rk-file-recovery").first, "file-recovery.png")
    page.locator("button.rk-file-recovery-show-password").click()
    page.locator(".rk-file-recovery-password", has_text=session.password).wait_for(timeout=30_000)
    page.locator("button.rk-file-recovery-revoke").click()
    lab.wait_text("Session revoked", timeout_ms=60_000)
    assert _open_sessions(lab_emulator) == []
