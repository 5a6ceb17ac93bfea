"""The emulator's boundaries as restorekit's client meets them: loopback only, its own subscriptions only, and
ARM's refusal of a body over 4 MB."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

import restorekit as rk
from restorekit import emulator
from restorekit.core.errors import ArmError, NotFoundError
from restorekit.transport.arm import is_loopback


@pytest.fixture(scope="module")
def srv():
    with emulator.start(throttle=False, subscriptions=2) as server:
        yield server


def test_the_emulator_connect_starts_listens_on_loopback_only(monkeypatch, capsys):
    monkeypatch.delenv("RESTOREKIT_ENDPOINT", raising=False)
    with rk.connect("emulator") as az:
        assert is_loopback(urlsplit(az.endpoint).hostname) and az.is_emulator
    with pytest.raises(ValueError, match="allow_remote"):
        emulator.start(host="0.0.0.0")


def test_a_subscription_the_emulator_does_not_have_is_said_so(srv):
    with rk.connect(srv.url, subscription_id="11111111-2222-3333-4444-555555555555") as az:
        with pytest.raises(NotFoundError) as info:
            az.vault("testVaultRG", "testVault")
    text = str(info.value)
    assert "11111111-2222-3333-4444-555555555555" in text and "could not be found" in text
    assert "Pass subscription_id=" in text


def test_a_vault_answers_only_in_its_own_subscription(srv):
    with rk.connect(srv.url, subscription_id=srv.subscription_ids[1]) as az:
        with pytest.raises(NotFoundError, match="no Recovery Services vault 'testVault'"):
            az.vault("testVaultRG", "testVault")


def test_a_body_over_4_mb_is_refused_with_arms_error_and_not_sent_again(srv):
    with rk.connect(srv.url) as az:
        sent = []
        real = az.arm._session.send
        az.arm._session.send = lambda prepared, **k: sent.append(prepared.method) or real(prepared, **k)
        with pytest.raises(ArmError) as info:
            az.arm.post(f"/subscriptions/{srv.subscription_id}/x", json_body={"pad": "x" * 4_200_000})
    assert (info.value.status, info.value.code) == (413, "RequestContentTooLarge")
    assert "4 MB" in info.value.message and sent == ["POST"]
