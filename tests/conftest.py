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
