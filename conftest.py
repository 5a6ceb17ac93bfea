"""Root pytest configuration: notebooks run against one shared demo emulator, headless.

nbval starts a kernel per notebook; the kernels inherit ``RESTOREKIT_ENDPOINT`` and
``RESTOREKIT_HEADLESS`` set here, so every notebook talks to the same emulator the demo uses.
"""

from __future__ import annotations

import os

_server = None


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
    """Stop the shared emulator."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None
        os.environ.pop("RESTOREKIT_ENDPOINT", None)
        os.environ.pop("RESTOREKIT_HEADLESS", None)
