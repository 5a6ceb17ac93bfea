"""``restorekit lab``: the emulator and JupyterLab on the notebooks, started and stopped together."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "restorekit-lab-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> bytes:
    return urllib.request.urlopen(url, timeout=5).read()


def test_lab_serves_the_notebooks_with_the_emulator_and_stops_cleanly(tmp_path):
    port = _free_port()
    log = tmp_path / "lab.log"
    anywhere = tmp_path / "anywhere"  # not the repository: the shipped notebooks are copied here
    anywhere.mkdir()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "restorekit", "lab", "--no-browser", "--port", str(port),
                                 f"--IdentityProvider.token={TOKEN}", "--LabApp.news_url=None"],
                                cwd=anywhere, stdout=out, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not (emulator := re.search(r"emulator at (http://\S+)", log.read_text())):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        while True:
            try:
                _get(f"{base}/api/status?token={TOKEN}")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "JupyterLab did not start"
                time.sleep(0.3)
        names = {item["name"] for item in json.loads(_get(f"{base}/api/contents?token={TOKEN}"))["content"]}
        assert {"02-restore-disks.ipynb", "05-cross-region-restore.ipynb"} <= names
        working = anywhere / "restorekit-notebooks"
        shipped = len(list((ROOT / "restorekit" / "notebooks").glob("*.ipynb")))
        assert f"are in {working}: {shipped} copied" in log.read_text()  # it says where the notebooks are
        assert sorted(p.name for p in working.glob("*.ipynb")) == sorted(names)
        request = urllib.request.Request(f"{emulator.group(1)}/subscriptions/00000000-0000-0000-0000-000000000000/"
                                         "providers/Microsoft.RecoveryServices/vaults?api-version=2024-04-01",
                                         headers={"Authorization": "Bearer dev"})
        assert "testVault" in urllib.request.urlopen(request, timeout=5).read().decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    with pytest.raises(OSError):
        _get(f"{base}/api/status?token={TOKEN}")  # JupyterLab went with it


def test_the_working_copy_keeps_the_users_notebooks(tmp_path):
    from restorekit.commands.lab import working_copy

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "01-explore-recovery-points.ipynb").write_text("my edits")
    target, copied, kept = working_copy(folder)
    shipped = len(list((ROOT / "restorekit" / "notebooks").glob("*.ipynb")))
    assert target == folder and kept == ["01-explore-recovery-points.ipynb"] and len(copied) == shipped - 1
    assert (folder / "01-explore-recovery-points.ipynb").read_text() == "my edits"
    assert (folder / "00-quickstart.ipynb").read_bytes() == (ROOT / "restorekit" / "notebooks" /
                                                           "00-quickstart.ipynb").read_bytes()


def test_the_help_says_where_the_notebooks_come_from():
    for command, words in (("demo", "shipped inside the restorekit package"),
                           ("lab", "working folder the shipped notebooks are copied into")):
        shown = subprocess.run([sys.executable, "-m", "restorekit", command, "--help"], capture_output=True, text=True,
                               check=True).stdout
        assert words in " ".join(shown.split()), shown


def test_without_jupyterlab_it_prints_the_install_line(monkeypatch, capsys):
    from restorekit.commands import lab

    monkeypatch.setattr(lab, "jupyterlab_missing", lambda: True)
    assert lab.run_lab() == 1
    assert "pip install 'restorekit[lab]'" in capsys.readouterr().err


def test_emulator_demo_preset():
    from restorekit.commands.cli import demo_preset

    argv = demo_preset(["--demo", "--port", "0", "--fleet", "3"])
    assert argv[:2] == ["--fleet", "24"] and argv[-2:] == ["--fleet", "3"] and "--as-of" in argv
    assert demo_preset(["--port", "0"]) == ["--port", "0"]
