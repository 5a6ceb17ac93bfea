"""File recovery from restorekit: item.file_recovery(point) on the emulator, the script (mode 0600), the password
kept out of every output, revoke, sessions journaled and found again (a killed kernel's too), refusals offline."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from restorekit.core.errors import FileRecoveryRefused
from restorekit.emulator.providers.backup import file_recovery as emulated
from restorekit.restore.file_recovery.journal import KIND
from restorekit.restore.file_recovery.scripts import split_suffix

FAST = {"poll_interval": 0.05}


@pytest.fixture
def test_vm(az):
    return az.vault("testVaultRG", "testVault").vm("testRG", "testVM")


def _open_on_emulator(server, vm: str = "testVM") -> list:
    return [s for s in server.state.file_recoveries.open_sessions(server.state.clock.now()) if s.vm.name == vm]


def test_a_session_gives_a_private_script_a_hidden_password_and_closes(az, test_vm, emulator_server, caplog):
    caplog.set_level(logging.DEBUG, logger="restorekit")
    point = test_vm.recovery_points()[0]
    session = test_vm.file_recovery(point, **FAST)
    try:
        (opened,) = _open_on_emulator(emulator_server)
        password = opened.password
        assert session.reveal_password() == password
        assert session.os_type == "Windows" and session.script_path.suffix == ".exe"
        assert stat.S_IMODE(session.script_path.stat().st_mode) == 0o600
        assert stat.S_IMODE(session.script_path.parent.stat().st_mode) == 0o700
        assert session.script_path.read_bytes().startswith(b"MZ")
        assert session.is_open and session.expires_at > az.now()
        assert any("nouuid" in step or "drive letter" in step for step in session.instructions)
        shown = [repr(session), str(session), session._repr_html_(), repr(session.password), f"{session.password}",
                 caplog.text, az.journal.path.read_text()]
        assert all(password not in text for text in shown)
        assert "hidden" in repr(session) and str(session.script_path) in repr(session)
        assert "[local emulator, not Azure]" in repr(session) and "local emulator, not Azure" in session._repr_html_()
        with pytest.raises(TypeError):
            __import__("pickle").dumps(session.password)
    finally:
        session.revoke()
    assert not session.script_path.exists()
    assert _open_on_emulator(emulator_server) == []
    assert az.open_file_recoveries() == []
    session.revoke()  # twice is harmless


def test_linux_vm_gets_a_python_script(az, emulator_server):
    item = az.vault("opsVaultRG", "opsVault").vm("opsRG", "linuxWeb")
    with item.file_recovery(item.recovery_points()[0], **FAST) as session:
        assert session.os_type == "Linux" and session.script_path.suffix == ".py"
        compile(session.script_path.read_text(), str(session.script_path), "exec")
        assert any("mount -o nouuid" in step for step in session.instructions)
        assert any("mdadm" in step for step in session.instructions)
    assert _open_on_emulator(emulator_server, "linuxWeb") == []


def test_from_2026_08_01_the_scripts_come_from_their_own_action(test_vm, emulator_server):
    session = test_vm.file_recovery(test_vm.recovery_points()[0], api_version="2026-08-01", **FAST)
    session.revoke()
    emulator_server.state.access.deny(emulated.LIST_RESULT_ACTION)
    try:
        with pytest.raises(FileRecoveryRefused, match="listInstantItemRecoveryOperationResult/action") as refused:
            test_vm.file_recovery(test_vm.recovery_points()[0], api_version="2026-08-01", **FAST)
        assert "nothing is left open" in str(refused.value)
    finally:
        emulator_server.state.access.allow(emulated.LIST_RESULT_ACTION)
    assert _open_on_emulator(emulator_server) == []


def test_archived_points_and_encrypted_vms_are_refused_before_anything_is_sent(az, test_vm, emulator_server):
    archived = next(p for p in test_vm.recovery_points() if p.is_archived_only)
    before = len(emulator_server.state.file_recoveries)
    with pytest.raises(FileRecoveryRefused, match="archive tier"):
        test_vm.file_recovery(archived)
    encrypted = az.vault("testVaultRG", "testVault").vm("testRG", "encryptedVM")
    with pytest.raises(FileRecoveryRefused, match="encrypted VM"):
        encrypted.file_recovery(encrypted.recovery_points()[0])
    assert len(emulator_server.state.file_recoveries) == before
    assert az.open_file_recoveries() == []  # refused offline: not even journaled


def test_the_password_sits_where_the_azure_cli_reads_it():
    name, password = split_suffix("myVM_westus_" + "a" * 32 + "Secret123456789")
    assert name == "myVM_westus_" + "a" * 32 and password.reveal() == "Secret123456789"
    assert "Secret123456789" not in repr(password)


CHILD = textwrap.dedent("""
    import os, signal, sys
    import restorekit as rk
    from restorekit.transport import polling
    az = rk.connect(sys.argv[1])
    item = az.vault("testVaultRG", "testVault").vm("testRG", sys.argv[2])
    if sys.argv[3] == "mid-provisioning":  # killed once the POST was sent, before the session was followed
        polling.LongRunningOperation.run = lambda self, **kw: os.kill(os.getpid(), signal.SIGKILL)
    session = item.file_recovery(item.recovery_points()[0], poll_interval=0.05)
    print("open", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


@pytest.mark.parametrize("when", ["open", "mid-provisioning"])
def test_a_killed_kernels_session_is_found_and_revoked_by_the_next_one(az, emulator_server, when):
    vm = "multiDiskVM"
    env = {**os.environ, "RESTOREKIT_JOURNAL": str(az.journal.path)}  # the same journal as this connection
    env.pop("RESTOREKIT_ENDPOINT", None)
    child = subprocess.run([sys.executable, "-c", CHILD, emulator_server.url, vm, when], env=env,
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -9, child.stderr[-2000:]
    assert len(_open_on_emulator(emulator_server, vm)) == 1
    (left,) = az.open_file_recoveries()
    assert left.record.get("vm") == f"testRG/{vm}" and left.record.get("pid") != os.getpid()
    assert (left.expires_at is None) == (when == "mid-provisioning")
    assert "[local emulator, not Azure]" in repr(left)
    assert "maybe open" in repr(left) or "open until" in repr(left)
    left.revoke(poll_interval=0.05)
    assert _open_on_emulator(emulator_server, vm) == []
    assert az.open_file_recoveries() == []
    events = [json.loads(line) for line in az.journal.path.read_text().splitlines()]
    assert [e["event"] for e in events if e.get("kind") == KIND][-1] == "closed"
    assert az.recent_restores().empty  # sessions are not restores
    script = left.record.get("script")
    assert script is None or not os.path.exists(script)  # the killed kernel's script is gone too
