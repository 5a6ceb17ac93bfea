"""JupyterLab in headless Chromium (Playwright, Debian's /usr/bin/chromium; never `playwright install`).

Outside CI the browser tests skip when Chromium is absent; with ``CI=true`` they are mandatory and fail.
Waits are bounded and watch the kernel object (``sessionContext.session.kernel.status``), never the
toolbar's idle indicator; JupyterLab commands are fired without awaiting their promises.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
#: The README's pictures: written here by the browser tests on every run (``readme_screenshot``), so they show
#: what the current code draws; ``tests/test_packaging.py`` checks the README shows each and only these.
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TOKEN = "restorekit-browser-tests"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests are mandatory in CI: {message}")
    pytest.skip(message)


def readme_screenshot(locator, name: str, *, until=None) -> Path:
    """Screenshot one element (a form, a widget, a figure) for the README into ``docs/screenshots/name``.

    ``until``: another element; the picture then runs from the top of ``locator`` to the bottom of ``until``
    (a tall form down to its button). The element is scrolled to the top of JupyterLab's notebook panel first.
    """
    README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = README_SCREENSHOTS / name
    page = locator.page
    viewport = page.viewport_size
    page.set_viewport_size({"width": viewport["width"], "height": 2400})  # room for a tall form, then back
    try:
        locator.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)
        top = locator.bounding_box()
        bottom = (until or locator).bounding_box()
        clip = {"x": top["x"], "y": max(top["y"], 0), "width": top["width"],
                "height": bottom["y"] + bottom["height"] - max(top["y"], 0) + 8}
        page.screenshot(path=str(target), clip=clip, animations="disabled")
    finally:
        page.set_viewport_size(viewport)
    return target


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="package")
def lab_emulator():
    """The emulator the browser's kernels talk to: the demo estate, short jobs so flows finish quickly."""
    from restorekit import emulator
    from restorekit.commands.demo import DEMO_EMULATOR

    # the demo's estate (what Binder and `restorekit lab` serve), with shorter jobs
    with emulator.start(**{**DEMO_EMULATOR, "job_seconds": 4, "throttle": False}) as server:
        yield server


@pytest.fixture(scope="package")
def jupyterlab(tmp_path_factory, lab_emulator):
    """A JupyterLab server on loopback whose kernels reach the emulator; yields (base_url, root_dir)."""
    _require_chromium()
    root = tmp_path_factory.mktemp("lab")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "RESTOREKIT_HEADLESS"}
    env["RESTOREKIT_ENDPOINT"] = lab_emulator.url  # the kernels find out by themselves that a frontend watches
    settings = root / ".lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    env["JUPYTERLAB_SETTINGS_DIR"] = str(root / ".lab-settings")  # no "news?" popup over the screenshots
    log = open(root / "jupyterlab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--JupyterNotebookApp.expose_app_in_browser=True",
         "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.terminate()
                pytest.fail(f"JupyterLab did not start; see {root / 'jupyterlab.log'}")
            time.sleep(0.3)
    yield base, root
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="package")
def browser():
    """Headless Debian Chromium driven by Playwright (package scope: its event loop must not outlive these tests)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class LabNotebook:
    """A notebook opened in JupyterLab: run cells, wait on the kernel, query the page."""

    KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"

    def __init__(self, page, timeout_ms: int = 90_000) -> None:
        self.page = page
        self.timeout_ms = timeout_ms

    def wait_kernel_idle(self) -> None:
        """Wait (bounded) until the notebook's kernel exists and says idle."""
        self.page.wait_for_function(
            f"() => {{ try {{ return {self.KERNEL}.status === 'idle'; }} catch (e) {{ return false; }} }}",
            timeout=self.timeout_ms)

    def run_all(self) -> None:
        """Fire 'run all cells' without awaiting the command's promise."""
        self.page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

    def wait_text(self, text: str, timeout_ms: int | None = None) -> None:
        """Wait until ``text`` shows somewhere in the outputs."""
        self.page.locator(".jp-OutputArea-output", has_text=text).first.wait_for(
            timeout=timeout_ms or self.timeout_ms)


@pytest.fixture
def open_notebook(jupyterlab, browser):
    """Write cells into a notebook, open it in JupyterLab and return a :class:`LabNotebook`."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    base, root = jupyterlab
    contexts = []

    def opener(name: str, cells: list[str]) -> LabNotebook:
        notebook = new_notebook(cells=[new_code_cell(source) for source in cells])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, root / name)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{base}/lab/tree/{name}?token={TOKEN}&reset")
        lab = LabNotebook(page)
        lab.wait_kernel_idle()
        return lab

    yield opener
    for context in contexts:
        context.close()
