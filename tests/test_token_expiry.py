"""Tokens that expire: one fresh token and one retry on ARM's ExpiredAuthenticationToken, clear errors otherwise,
and the emulator's expiring tokens used end to end by the development credential."""

from __future__ import annotations

import base64
import json
import logging
import time

import pytest
from scripted_server import Reply

import restorekit as rk
from restorekit import emulator
from restorekit.client.dev_credential import DevTokenCredential
from restorekit.core.errors import ArmError, AuthenticationError
from restorekit.transport.arm import ArmSession
from restorekit.transport.token_claims import claims_of, identity_of

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def jwt(n: int, **claims) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'tid': TENANT, 'upn': 'alice@contoso.com', 'n': n, **claims})}.sig{n}"


class RotatingCredential:
    """Hands out a new JWT each time it is asked (as a credential whose cache was dropped would)."""

    def __init__(self, rotate: bool = True) -> None:
        self.calls = 0
        self.rotate = rotate

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        self.calls += 1
        return AccessToken(jwt(self.calls if self.rotate else 1), int(time.time()) + 3600)


def expired(message: str = "The access token expiry UTC time '11/20/2026 1:00:00 PM' is earlier than current "
            "UTC time '11/20/2026 1:01:00 PM'.") -> Reply:
    return Reply(401, {"error": {"code": "ExpiredAuthenticationToken", "message": message}},
                 {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def session(url: str, credential) -> ArmSession:
    return ArmSession(url, credential, api_version="2026-02-01", backoff_factor=0)


def bearer_of(received) -> str:
    return received.headers["Authorization"].removeprefix("Bearer ")


def test_claims_name_the_tenant_and_principal_never_the_token():
    token = jwt(1)
    assert claims_of(token)["tid"] == TENANT
    who = identity_of(token)
    assert (who.tenant, who.principal) == (TENANT, "alice@contoso.com") and token not in str(who)
    assert identity_of(jwt(2, upn=None, unique_name=None, appid="1b2c")).principal == "app 1b2c"
    assert identity_of("not-a-jwt").tenant_text == "unknown" and claims_of("a.b.c") == {}


def test_expired_token_gets_one_fresh_token_and_one_retry(scripted, caplog):
    scripted.replies = [expired(), Reply(200, {"name": "v"})]
    cred = RotatingCredential()
    with caplog.at_level(logging.INFO, logger="restorekit"):
        assert session(scripted.url, cred).get("/subscriptions/s/x") == {"name": "v"}
    first, second = scripted.received
    assert bearer_of(first) == jwt(1) and bearer_of(second) == jwt(2)  # asked again: a new token
    assert "expired" in caplog.text and jwt(1) not in caplog.text and jwt(2) not in caplog.text


def test_a_post_is_sent_once_more_after_an_expired_token(scripted):
    scripted.replies = [expired(), Reply(202, None, {"Location": f"{scripted.url}/op"})]
    answer = session(scripted.url, RotatingCredential()).post("/restore", {"a": 1})
    assert answer.status == 202
    assert [r.method for r in scripted.received] == ["POST", "POST"]
    assert scripted.received[0].body == scripted.received[1].body


def test_a_second_refusal_names_the_credential_the_tenant_and_what_to_do(scripted):
    scripted.replies = [expired(), expired()]
    with pytest.raises(AuthenticationError) as info:
        session(scripted.url, RotatingCredential()).get("/x")
    text = str(info.value)
    assert len(scripted.received) == 2
    assert "RotatingCredential" in text and TENANT in text and "az login" in text and "clock" in text
    assert info.value.status == 401 and info.value.code == "ExpiredAuthenticationToken"
    assert isinstance(info.value, ArmError) and jwt(1) not in text and jwt(3) not in text


def test_the_same_token_again_is_not_sent_again(scripted):
    scripted.replies = [expired(), Reply(200, {})]
    with pytest.raises(AuthenticationError, match="same token again"):
        session(scripted.url, RotatingCredential(rotate=False)).get("/x")
    assert len(scripted.received) == 1


@pytest.mark.parametrize("code", ["InvalidAuthenticationTokenTenant", "InvalidAuthenticationToken",
                                  "AuthenticationFailed"])
def test_other_401s_are_not_retried(scripted, code):
    scripted.replies = [Reply(401, {"error": {"code": code, "message": "nope"}}), Reply(200, {})]
    with pytest.raises(AuthenticationError) as info:
        session(scripted.url, RotatingCredential()).get("/x")
    assert len(scripted.received) == 1 and info.value.code == code
    assert TENANT in str(info.value) and "az login" in str(info.value)


def test_a_token_that_is_not_a_jwt_has_an_unknown_tenant(scripted):
    scripted.replies = [Reply(401, {"error": {"code": "InvalidAuthenticationToken", "message": "nope"}})]
    with pytest.raises(AuthenticationError) as info:
        session(scripted.url, rk.DevTokenCredential("opaque")).get("/x")
    assert "tenant unknown" in str(info.value) and "DevTokenCredential" in str(info.value)
    assert "opaque" not in str(info.value)


def test_dev_credential_falls_back_to_a_fixed_token_without_a_token_endpoint(scripted):
    scripted.replies = [Reply(200, {"ok": 1})]
    cred = DevTokenCredential(endpoint=scripted.url)
    assert session(scripted.url, cred).get("/x") == {"ok": 1}
    assert bearer_of(scripted.received[0]) == "restorekit-dev-token" and cred.issues_tokens is False


def test_dev_credential_is_for_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        DevTokenCredential(endpoint="https://management.azure.com")


def test_dev_credential_takes_expiring_tokens_and_renews_them_before_expiry():
    with emulator.start(token_lifetime=2, throttle=False) as srv:
        cred = DevTokenCredential(endpoint=srv.url)
        first = cred.get_token(f"{srv.url}/.default").token
        assert first.count(".") == 2 and cred.issues_tokens is True
        assert cred.get_token(f"{srv.url}/.default").token == first  # kept while fresh
        time.sleep(1.7)  # less than a fifth of its lifetime left: renewed before it expires
        assert cred.get_token(f"{srv.url}/.default").token != first and cred.fetched == 2
        assert "ey" not in repr(cred)


def test_an_emulator_with_expiring_tokens_works_end_to_end(caplog):
    with emulator.start(token_lifetime=600, throttle=False, job_seconds=1, retry_after=0) as srv, \
            rk.connect(srv.url) as az:
        vault = az.vault("testVaultRG", "testVault")
        assert az.arm.identity.tenant == "restorekit-dev"
        srv.state.tokens.expire_all()  # every issued token expires now, as ARM would see it an hour later
        with caplog.at_level(logging.INFO, logger="restorekit"):
            item = vault.vm("testRG", "testVM")
        assert item.vm_name == "testVM" and "expired" in caplog.text
        srv.state.clock.advance(601)  # past the lifetime on the emulator's clock only: the client cannot know
        assert len(item.recovery_points()) > 0


class CliLikeCredential:
    """Like azure-identity's AzureCliCredential: no cache, a new token per call, ``expires_on`` ahead."""

    def __init__(self, lifetime: float) -> None:
        self.calls = 0
        self.lifetime = lifetime
        self.now = 1_000_000.0

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        self.calls += 1
        return AccessToken(jwt(self.calls), int(self.now + self.lifetime))


def test_the_token_is_kept_until_it_nears_its_expiry():
    """A credential without a cache (AzureCliCredential runs `az` per call) is asked once per token, not per
    request: renewed 5 minutes before expiry, or at half the lifetime of a short-lived token."""
    from restorekit.transport.bearer import BearerAuth

    cred = CliLikeCredential(lifetime=3600)
    auth = BearerAuth(cred, "https://management.azure.com/.default", clock=lambda: cred.now)
    assert {auth.token() for _ in range(50)} == {jwt(1)} and cred.calls == 1
    cred.now += 3600 - 301
    assert auth.token() == jwt(1)
    cred.now += 2  # inside the last 5 minutes
    assert auth.token() == jwt(2) and cred.calls == 2
    short = CliLikeCredential(lifetime=60)
    auth = BearerAuth(short, "scope", clock=lambda: short.now)
    auth.token()
    short.now += 29
    assert auth.token() == jwt(1)
    short.now += 2
    assert auth.token() == jwt(2)


def test_threads_share_one_fetch():
    import threading

    from restorekit.transport.bearer import BearerAuth

    class Slow(CliLikeCredential):
        def get_token(self, *scopes, **kwargs):
            time.sleep(0.2)  # `az account get-access-token` takes a while
            return super().get_token(*scopes, **kwargs)

    cred = Slow(lifetime=3600)
    auth = BearerAuth(cred, "scope", clock=lambda: cred.now)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(auth.token())) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cred.calls == 1 and set(seen) == {jwt(1)}
