"""OperationProgress without a browser: drive a fake operation, assert the widget's traits; the headless rule."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import ipywidgets
import pytest
from scripted_server import Reply

import restorekit as rk
from restorekit.client.resources import Vault
from restorekit.core.environment import Frontend
from restorekit.model.jobs import Job
from restorekit.widgets import progress
from restorekit.widgets.progress import OperationProgress, is_headless, show_operation


class FakeOp:
    """The attributes OperationProgress reads, set by hand."""

    def __init__(self, phase="submitted", job=None, job_id=None, done=False, error=None):
        self.phase, self.job, self.job_id, self.done, self.error = phase, job, job_id, done, error
        self.current_job = job
        self.elapsed = timedelta(seconds=5)
        self.vm_name = "testVM"
        self.on_emulator = False
        self.connection = SimpleNamespace(portal_url=lambda resource_id: None)
        self.frontend = Frontend(headless=False)
        self.listeners = []
        self.cancels = 0
        self.starts = 0

    def add_listener(self, callback):
        self.listeners.append(callback)

    def start(self):
        self.starts += 1
        return self

    def cancel(self):
        self.cancels += 1

    def status_line(self):
        return f"restore job {self.job_id}: {self.job.summary() if self.job else self.phase}"

    def fire(self):
        for callback in self.listeners:
            callback(self)


def job(status="InProgress", progress=None, remaining=None, bag=None):
    extended = {"propertyBag": bag or {}}
    if progress is not None:
        extended["progressPercentage"] = progress
    if remaining is not None:
        extended["estimatedRemainingDuration"] = remaining
    raw = {"name": "job-1", "properties": {"status": status, "operation": "Restore", "entityFriendlyName": "testVM",
                                           "duration": "PT12S", "extendedInfo": extended}}
    return Job(raw)


def test_unfinished_operation_updates_live():
    op = FakeOp()
    w = OperationProgress(op)
    assert op.starts == 1 and op.listeners == [w.update]
    assert "<b>submitted</b>" in w.phase_label.value and w.bar.value == 0.0
    assert "waiting for the job id" in w.status_label.value
    op.phase = "operation"
    op.fire()
    assert "<b>operation</b>" in w.phase_label.value
    op.phase, op.job_id, op.job = "job", "job-1", job(progress=40.0, remaining="PT30S")
    op.current_job = op.job
    op.fire()
    assert w.bar.value == 40.0 and "job job-1: InProgress" in w.status_label.value
    assert w.times.value == "elapsed 5 s, about 30 s left"
    assert w.summary.value == "" and not w.cancel_button.disabled


def test_finished_operation_shows_the_summary_and_where_the_disks_went():
    bag = {"Target Storage Account Name": "testAccount", "Config Blob Uri": "https://a/c/vmconfig.json",
           "Target resource group": "testRG"}
    op = FakeOp("done", job(status="Completed", bag=bag), "job-1", done=True)
    w = OperationProgress(op, start=False)
    assert w.bar.value == 100.0 and w.bar.bar_style == "success" and w.cancel_button.disabled
    assert "Completed in 12 s; disks in storage account testAccount" in w.summary.value
    assert "vmconfig.json" in w.summary.value and "Target resource group: testRG" in w.summary.value


def test_failed_operation_is_red_and_lists_recommendations():
    op = FakeOp("failed", job(status="Failed", progress=30.0), "job-1", done=True,
                error=RuntimeError("job failed: 320010\n  recommendation: allow trusted services"))
    w = OperationProgress(op, start=False)
    assert w.bar.bar_style == "danger" and w.bar.value == 30.0
    assert "allow trusted services" in w.summary.value


def test_cancel_button_calls_cancel_once():
    op = FakeOp("job", job(progress=10.0), "job-1")
    w = OperationProgress(op, start=False)
    w.cancel_button.click()
    w.cancel_button.click()
    assert op.cancels == 1 and w.cancel_button.disabled and w.cancel_button.description == "Cancelling…"


def test_cancel_button_does_nothing_once_done():
    op = FakeOp("done", job(status="Completed"), "job-1", done=True)
    OperationProgress(op, start=False).cancel_button.click()
    assert op.cancels == 0


def test_is_headless_env_var_and_plain_python(monkeypatch):
    monkeypatch.setenv("RESTOREKIT_HEADLESS", "1")
    assert is_headless()
    monkeypatch.setenv("RESTOREKIT_HEADLESS", "0")
    assert not is_headless()
    monkeypatch.delenv("RESTOREKIT_HEADLESS")
    assert is_headless()            # pytest is not an IPython kernel


def _fake_kernel(monkeypatch, metadata):
    kernel = SimpleNamespace(get_parent=lambda channel=None: {"metadata": metadata})
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: SimpleNamespace(kernel=kernel))
    monkeypatch.delenv("RESTOREKIT_HEADLESS", raising=False)


def test_kernel_without_widget_frontend_is_headless(monkeypatch):
    _fake_kernel(monkeypatch, {"cellId": "abc"})                     # what nbclient sends
    monkeypatch.setattr(ipywidgets.Widget, "_control_comm", None)
    assert is_headless()


def test_control_comm_means_a_widget_frontend(monkeypatch):
    _fake_kernel(monkeypatch, {})
    monkeypatch.setattr(ipywidgets.Widget, "_control_comm", object())
    assert not is_headless()


def test_jupyterlab_execute_metadata_means_a_widget_frontend(monkeypatch):
    _fake_kernel(monkeypatch, {"cellId": "abc", "deletedCells": [], "recordTiming": False})
    monkeypatch.setattr(ipywidgets.Widget, "_control_comm", None)
    assert not is_headless()


def test_headless_display_blocks_and_prints_status_lines(scripted, monkeypatch, capsys):
    monkeypatch.setenv("RESTOREKIT_HEADLESS", "1")
    scripted.replies = [
        Reply(200, {"name": "job-1234abcd", "properties": {"status": "InProgress", "entityFriendlyName": "testVM",
                                                           "extendedInfo": {"progressPercentage": 40.0}}}),
        Reply(200, {"name": "job-1234abcd", "properties": {
            "status": "Completed", "entityFriendlyName": "testVM", "duration": "PT12S",
            "extendedInfo": {"propertyBag": {"Target Storage Account Name": "testAccount"}}}})]
    with rk.connect(scripted.url, retries=0) as conn:
        op = Vault(conn, "rg", "v").restore_job("job-1234abcd", poll_interval=0.01)
        show_operation(op)
    out = capsys.readouterr().out.splitlines()
    assert op.done
    assert "restore job job-1234…: InProgress 40% [local emulator, not Azure]" in out
    assert out[-1] == ("restore job job-1234abcd: Completed in 12 s; disks in storage account testAccount "
                       "[local emulator, not Azure]")


def test_live_display_shows_the_widget(monkeypatch):
    monkeypatch.setenv("RESTOREKIT_HEADLESS", "0")
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    op = FakeOp()                    # no polling in this test
    show_operation(op)
    assert len(shown) == 1 and isinstance(shown[0], OperationProgress) and shown[0].op is op


@pytest.mark.parametrize("phase", ["done", "cancelled", "failed"])
def test_bar_style_per_outcome(phase):
    op = FakeOp(phase, job(status="Completed"), "job-1", done=True)
    assert OperationProgress(op, start=False).bar.bar_style == progress._BAR_STYLES[phase]
