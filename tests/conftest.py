"""Shared fixtures: a scripted HTTP server for transport tests, an emulator, a connection with its own journal."""

from __future__ import annotations

import os
import tempfile

import pytest
from scripted_server import ScriptedServer


def pytest_configure(config):
    """The suite never writes to the user's restore journal: connections made without ``journal=`` (and the kernels
    the notebook tests start) journal to a scratch file, as ``RESTOREKIT_JOURNAL`` tells ``rk.connect()``. A test
    that reads a journal gives its connection a journal of its own (``rk.connect(..., journal=path)``)."""
    os.environ["RESTOREKIT_JOURNAL"] = os.path.join(tempfile.mkdtemp(prefix="restorekit-tests-"), "journal.jsonl")


@pytest.fixture
def scripted():
    """A scripted HTTP server on loopback."""
    server = ScriptedServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def emulator_server():
    """One emulator per test module for the client tests: small fleet, short jobs, no read throttle.

    Per module, not per session: each module starts from the estate as seeded, whichever worker runs it and
    after whichever modules (the suite runs on two workers, a file at a time)."""
    from restorekit import emulator

    with emulator.start(fleet=6, job_seconds=2, retry_after=1, throttle=False) as server:
        yield server
        left = server.state.file_recoveries.open_sessions(server.state.clock.now())
        assert not left, f"tests left {len(left)} file recovery session(s) open: revoke them"


@pytest.fixture
def az(emulator_server, monkeypatch, tmp_path):
    """A connection to the shared emulator, journaling to a file of the test's own."""
    import restorekit as rk

    monkeypatch.delenv("RESTOREKIT_ENDPOINT", raising=False)
    with rk.connect(emulator_server.url, journal=tmp_path / "journal.jsonl") as connection:
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
