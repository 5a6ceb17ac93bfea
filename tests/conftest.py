"""Shared fixtures: a scripted HTTP server for transport tests, an emulator, a journal of each test's own."""

from __future__ import annotations

import pytest
from scripted_server import ScriptedServer


@pytest.fixture(autouse=True)
def journal_file(tmp_path, monkeypatch):
    """Each test's restores go to a journal of its own (``RESTOREKIT_JOURNAL``), never the user's."""
    path = tmp_path / "journal.jsonl"
    monkeypatch.setenv("RESTOREKIT_JOURNAL", str(path))
    return path


@pytest.fixture
def scripted():
    """A scripted HTTP server on loopback."""
    server = ScriptedServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def emulator_server():
    """One emulator for the client tests: small fleet, short jobs, no read throttle."""
    from restorekit import emulator

    with emulator.start(fleet=6, job_seconds=2, retry_after=1, throttle=False) as server:
        yield server
        left = server.state.file_recoveries.open_sessions(server.state.clock.now())
        assert not left, f"tests left {len(left)} file recovery session(s) open: revoke them"


@pytest.fixture
def az(emulator_server, monkeypatch):
    """A connection to the shared emulator."""
    import restorekit as rk

    monkeypatch.delenv("RESTOREKIT_ENDPOINT", raising=False)
    with rk.connect(emulator_server.url) as connection:
        yield connection


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory):
    """restorekit's wheel, built once for the session from this checkout (``pip wheel``, as a release would)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    folder = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(root)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = folder.glob("restorekit-*.whl")
    return wheel
