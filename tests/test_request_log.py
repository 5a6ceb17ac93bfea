"""Debug logs worth reading: every request with its method, URL, status, ids, retries and time; no secret in them."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from scripted_server import Reply

import restorekit as rk
from restorekit import emulator
from restorekit.client.cross_region import CrossRegion
from restorekit.core.errors import TransportError
from restorekit.transport.arm import ArmSession

FIELDS = ("rk_method", "rk_url", "rk_status", "rk_request_id", "rk_correlation_id", "rk_retries", "rk_elapsed_ms")
SAS = "sv=2022-11-02&se=2026-12-01T00%3A00%3A00Z&sr=b&sp=r&sig=Zm9vYmFyc2VjcmV0c2lnbmF0dXJl"


def request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "restorekit.transport.request_log"]


def test_every_restorekit_logger_is_a_module_logger_under_restorekit():
    root = Path(rk.__file__).parent
    calls = [(path, m.group(1)) for path in root.rglob("*.py")
             for m in re.finditer(r"(?m)^\w+ = logging\.getLogger\(([^)]*)\)$", path.read_text())]
    assert calls and all(arg == "__name__" for _, arg in calls), calls


@pytest.fixture(scope="module")
def srv():
    with emulator.start(job_seconds=1, retry_after=0, throttle=False, token_lifetime=3600) as server:
        yield server


def test_a_restore_and_a_cross_region_restore_logged_without_secrets(srv, caplog):
    srv.state.faults.fail_next(1, status=503, retry_after=0, method="GET", path_contains="recoveryPoints")
    with caplog.at_level(logging.DEBUG, logger="restorekit"), rk.connect(srv.url) as az:
        item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
        op = item.restore(rk.RestoreDisks(item.recovery_points().latest(), storage_account="testAccount"),
                          display=False, poll_interval=0.1)
        assert op.wait(timeout=60).status == "Completed"
        crr = CrossRegion(az.vault("crrRG", "crrVault").vm("crrRG", "crrVM"), poll_interval=0.1)
        crr_op = crr.restore(rk.RestoreDisks(crr.recovery_points().latest(), storage_account="testRG/testAccount"),
                             display=False)
        assert crr_op.wait(timeout=60).status == "Completed"
        bearer = az.arm._auth.token()
    records = request_records(caplog)
    methods = {r.rk_method for r in records}
    assert methods == {"GET", "POST"} and len(records) >= 15
    for record in records:
        assert all(hasattr(record, f) for f in FIELDS)
        assert record.rk_status and record.rk_request_id and record.rk_correlation_id
        message = record.getMessage()
        assert f"-> {record.rk_status} in " in message and " ms " in message
        assert f"x-ms-request-id {record.rk_request_id}" in message and record.rk_url in message
        assert f"retries {record.rk_retries}" in message
    retried = [r for r in records if r.rk_retries]
    assert retried and "retries 1: 503" in retried[0].getMessage()  # urllib3's history of the answer
    assert any("backupCrossRegionRestore" in r.rk_url for r in records)
    with srv.state.lock:
        crr_tokens = list(srv.state.crr_tokens)
    assert crr_tokens
    text = caplog.text
    assert bearer not in text and bearer[:16] not in text and "Bearer" not in text
    for token in crr_tokens:
        assert token not in text and token[:16] not in text


def test_sas_signatures_are_redacted_from_logged_urls_and_errors(scripted, caplog):
    scripted.replies = [Reply(200, {"value": [1], "nextLink": f"{scripted.url}/blobs?api-version=1&{SAS}"}),
                        Reply(200, {"value": [2]})]
    arm = ArmSession(scripted.url, rk.DevTokenCredential("s3cr3t-bearer"), api_version="1", backoff_factor=0)
    with caplog.at_level(logging.DEBUG, logger="restorekit"):
        assert arm.list("/blobs") == [1, 2]
    assert "sig=Zm9v" in scripted.received[1].path  # sent as given
    logged = request_records(caplog)[1].getMessage()
    assert "sig=***" in logged and "se=***" in logged and "Zm9vYmFy" not in caplog.text
    assert "s3cr3t-bearer" not in caplog.text
    scripted.replies = [Reply(drop=True)]
    with pytest.raises(TransportError) as info:
        ArmSession(scripted.url, rk.DevTokenCredential(), api_version="1", retries=0).get(f"/blobs?{SAS}")
    assert "Zm9vYmFy" not in str(info.value) and "sig=***" in str(info.value)


def test_a_request_without_an_answer_is_logged_with_its_error(caplog):
    with caplog.at_level(logging.DEBUG, logger="restorekit"), pytest.raises(TransportError):
        ArmSession("http://127.0.0.1:9", rk.DevTokenCredential(), api_version="1", retries=0).get("/x")
    record = request_records(caplog)[-1]
    assert record.rk_status is None and "no answer after" in record.getMessage()
    assert "ConnectionError" in record.getMessage()
