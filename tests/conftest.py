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


@pytest.fixture
def az(emulator_server, monkeypatch):
    """A connection to the shared emulator."""
    import restorekit as rk

    monkeypatch.delenv("RESTOREKIT_ENDPOINT", raising=False)
    with rk.connect(emulator_server.url) as connection:
        yield connection
