"""Shared fixtures: a scripted HTTP server for transport tests."""

from __future__ import annotations

import pytest
from scripted_server import ScriptedServer


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
