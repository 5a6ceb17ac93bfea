"""The file recovery panel (the restore form's "Recover files" tab) without a browser: mount, password on click only,
a double click mounts once, revoke; points that cannot be mounted keep the button off."""

from __future__ import annotations

import pytest

import restorekit as rk
from restorekit.widgets import file_recovery as panel_module


@pytest.fixture
def item(az):
    return az.vault("testVaultRG", "testVault").vm("testRG", "testVM")


def _open(emulator_server) -> list:
    return emulator_server.state.file_recoveries.open_sessions(emulator_server.state.clock.now())


def test_mount_show_the_password_on_click_only_then_revoke(item, emulator_server, monkeypatch):
    monkeypatch.setattr(panel_module, "SHOW_SECONDS", 0.2)
    panel = rk.FileRecoveryPanel(item, poll_interval=0.05)
    assert not panel.mount_button.disabled and panel.revoke_button.disabled and panel.show_button.disabled
    panel.mount_button.click()
    panel.mount_button.click()  # a double click mounts once
    panel.wait()
    assert panel.error is None and panel.session is not None and len(_open(emulator_server)) == 1
    password = panel.session.reveal_password()
    assert password not in panel.password.value and password not in panel.details.value
    assert str(panel.session.script_path) in panel.details.value and "open until" in panel.status.value
    assert panel.mount_button.disabled and not panel.revoke_button.disabled
    panel.show_button.click()
    assert password in panel.password.value
    panel._hide_timer.join(2)
    assert password not in panel.password.value  # hidden again
    panel.revoke_button.click()
    panel.wait()
    assert panel.session.revoked and _open(emulator_server) == []
    assert "revoked" in panel.status.value and not panel.mount_button.disabled


def test_an_archived_point_cannot_be_mounted(item, emulator_server):
    archived = next(p for p in item.recovery_points() if p.is_archived_only)
    panel = rk.FileRecoveryPanel(item, archived)
    assert panel.mount_button.disabled and "archive tier" in panel.point_message.value
    panel._on_mount()
    assert panel.session is None and _open(emulator_server) == []


def test_the_restore_form_has_a_recover_files_tab(item, emulator_server):
    form = rk.RestoreForm(item)
    assert form.tabs.titles == ("Restore", "Recover files")
    form.tabs.selected_index = 1
    panel = form.file_recovery()
    assert isinstance(panel, rk.FileRecoveryPanel) and form.files_page.children == (panel,)
    assert panel.picker.value is not None and form.file_recovery() is panel
