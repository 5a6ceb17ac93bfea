"""Root pytest configuration: notebooks run against one shared demo emulator, headless.

nbval starts a kernel per notebook; the kernels inherit ``RESTOREKIT_ENDPOINT`` and
``RESTOREKIT_HEADLESS`` set here, so every notebook talks to the same emulator the demo uses.
``RESTOREKIT_JOURNAL`` points the restore journal at a temporary file for the whole session (kernels and
JupyterLab included): no test writes to the user's real journal (``tests/conftest.py`` gives each test its own).
"""

from __future__ import annotations

import os
import shutil
import tempfile

_server = None
_journal_dir: str | None = None


def pytest_configure(config):
    """Point the restore journal at a temporary file before anything runs."""
    global _journal_dir
    _journal_dir = tempfile.mkdtemp(prefix="restorekit-journal-")
    os.environ["RESTOREKIT_JOURNAL"] = os.path.join(_journal_dir, "journal.jsonl")


def pytest_collection_modifyitems(session, config, items):
    """Start the demo emulator when notebooks were collected, before their kernels start."""
    global _server
    if os.environ.get("RESTOREKIT_ENDPOINT") or not any(str(i.path).endswith(".ipynb") for i in items):
        return
    from restorekit import emulator
    from restorekit.commands.demo import DEMO_EMULATOR

    _server = emulator.start(**DEMO_EMULATOR)
    os.environ["RESTOREKIT_ENDPOINT"] = _server.url
    os.environ["RESTOREKIT_HEADLESS"] = "1"


def pytest_unconfigure(config):
    """Stop the shared emulator; remove the session's journal."""
    global _server, _journal_dir
    if _journal_dir is not None:
        shutil.rmtree(_journal_dir, ignore_errors=True)
        _journal_dir = None
        os.environ.pop("RESTOREKIT_JOURNAL", None)
    if _server is not None:
        _server.stop()
        _server = None
        os.environ.pop("RESTOREKIT_ENDPOINT", None)
        os.environ.pop("RESTOREKIT_HEADLESS", None)
