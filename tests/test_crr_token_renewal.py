"""An expired cross-region restore access token is renewed once (AAD properties → access token), and said so."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest

import restorekit as rk
from restorekit import emulator
from restorekit.client.cross_region import CrossRegion
from restorekit.core.errors import RestoreNotStarted
from restorekit.restore.run.cross_region import PassiveStamp

STAGING = "testRG/testAccount"  # westus: the secondary region of crrVault (eastus)


@pytest.fixture
def crr_env():
    with emulator.start(job_seconds=1, retry_after=0, throttle=False, crr_token_lifetime=60) as srv, \
            rk.connect(srv.url) as az:
        crr = CrossRegion(az.vault("crrRG", "crrVault").vm("crrRG", "crrVM"), poll_interval=0.05)
        yield srv, crr, crr.recovery_points().latest()


def expiring_grants(srv, crr, monkeypatch, how_many: int) -> list[str]:
    """The first ``how_many`` access tokens expire between their grant and the trigger (the clock moves on)."""
    calls: list[str] = []
    real = PassiveStamp.access_token

    def grant(stamp, point_name, aad=None):
        token = real(stamp, point_name, aad)
        calls.append("grant")
        if len(calls) <= how_many:
            srv.state.clock.advance(61)
        return token

    monkeypatch.setattr(PassiveStamp, "access_token", grant)  # where the route asks for each token
    return calls


def test_an_expired_access_token_is_renewed_once_and_the_user_told(crr_env, monkeypatch, caplog):
    srv, crr, latest = crr_env
    grants = expiring_grants(srv, crr, monkeypatch, 1)
    sent: list[tuple[str, str]] = []
    real = crr.item.connection.arm.request

    def record(method, path_or_url, **kwargs):
        sent.append((method, urlsplit(path_or_url).path.rsplit("/", 1)[-1]))
        return real(method, path_or_url, **kwargs)

    monkeypatch.setattr(crr.item.connection.arm, "request", record)
    with caplog.at_level(logging.WARNING, logger="restorekit"):
        op = crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False)
    assert grants == ["grant", "grant"]
    steps = [step for step in sent if step[1] in ("backupAadProperties", "accessToken", "backupCrossRegionRestore")]
    assert steps == [("GET", "backupAadProperties"), ("POST", "accessToken"), ("POST", "backupCrossRegionRestore"),
                     ("GET", "backupAadProperties"), ("POST", "accessToken"), ("POST", "backupCrossRegionRestore")]
    assert "access token had expired" in caplog.text
    assert any("access token had expired" in note for note in op.notes)
    assert "note: the cross-region restore access token had expired" in op.status_line()
    assert op.wait(timeout=30).status == "Completed"
    with srv.state.lock:
        jobs = [j for j in srv.state.jobs.values() if j.operation == "CrossRegionRestore"]
    assert len(jobs) == 1  # the refused POST made no job; the second one did


def test_a_second_expiry_gives_up_with_what_to_do(crr_env, monkeypatch):
    srv, crr, latest = crr_env
    grants = expiring_grants(srv, crr, monkeypatch, 2)
    with pytest.raises(RestoreNotStarted) as info:
        crr.restore(rk.RestoreDisks(latest, storage_account=STAGING), display=False)
    assert len(grants) == 2
    text = str(info.value)
    assert "crrVM" in text and "trigger the restore again" in text and "clock" in text
    with srv.state.lock:
        assert not [j for j in srv.state.jobs.values() if j.operation == "CrossRegionRestore"]
