"""Transport: retries honouring Retry-After, paging, errors, the http/loopback rule, no secrets."""

from __future__ import annotations

import logging
import time

import pytest
from scripted_server import Reply

from restorekit.client.connection import DevTokenCredential
from restorekit.core.errors import ArmError, InsecureTransportError, TransportError
from restorekit.transport.arm import ArmSession, is_loopback, redact_url

SECRET = "s3cr3t-token-value-xyz"


class CountingCredential:
    """A credential that counts how often it is asked, with a distinct token each time."""

    def __init__(self) -> None:
        self.calls = 0

    def get_token(self, *scopes, **kwargs):
        self.calls += 1
        self.scopes = scopes
        return DevTokenCredential(f"{SECRET}-{self.calls}").get_token(*scopes)


def session(url: str, credential=None, **kw) -> ArmSession:
    return ArmSession(url, credential or DevTokenCredential(SECRET), api_version="2026-02-01",
                      backoff_factor=0, **kw)


def test_get_sends_token_user_agent_and_api_version(scripted):
    scripted.replies = [Reply(200, {"name": "v"})]
    cred = CountingCredential()
    arm = session(scripted.url, cred)
    assert arm.get("/subscriptions/s/x") == {"name": "v"}
    assert arm.get("/subscriptions/s/x") == {"name": "v"}
    first, second = scripted.received
    assert first.headers["Authorization"] == f"Bearer {SECRET}-1"
    assert second.headers["Authorization"] == f"Bearer {SECRET}-1"  # kept: the credential is asked once
    assert cred.calls == 1
    assert cred.scopes == (f"{scripted.url}/.default",)
    assert first.headers["User-Agent"].startswith("restorekit/")
    assert "api-version=2026-02-01" in first.path


def test_retry_honours_retry_after(scripted):
    scripted.replies = [Reply(429, {"error": {"code": "Throttled", "message": "slow down"}}, {"Retry-After": "1"}),
                        Reply(200, {"ok": True})]
    arm = session(scripted.url)
    started = time.monotonic()
    assert arm.get("/x") == {"ok": True}
    assert time.monotonic() - started >= 0.9
    assert len(scripted.received) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_retry_on_server_errors(scripted, status):
    scripted.replies = [Reply(status, {"error": {"code": "Oops", "message": "m"}}, {"Retry-After": "0"}),
                        Reply(200, {"ok": 1})]
    assert session(scripted.url).get("/x") == {"ok": 1}


def test_gives_up_with_the_service_error(scripted):
    scripted.replies = [Reply(503, {"error": {"code": "ServiceUnavailable", "message": "down"}},
                              {"Retry-After": "0", "x-ms-request-id": "rid-1"})]
    with pytest.raises(ArmError) as info:
        session(scripted.url, retries=2, resends=0).get("/x")
    assert info.value.status == 503 and info.value.code == "ServiceUnavailable"
    assert info.value.request_id == "rid-1"
    assert len(scripted.received) == 3


def test_get_is_sent_again_once_urllib3_gave_up(scripted):
    down = Reply(503, {"error": {"code": "ServiceUnavailable", "message": "down"}}, {"Retry-After": "0"})
    scripted.replies = [down, down, Reply(200, {"ok": 1})]
    assert session(scripted.url, retries=1, resends=1).get("/x") == {"ok": 1}
    assert len(scripted.received) == 3  # two tries (urllib3), then one resend


def test_post_is_not_sent_again_after_a_server_error(scripted):
    down = Reply(503, {"error": {"code": "ServiceUnavailable", "message": "down"}}, {"Retry-After": "0"})
    scripted.replies = [down, Reply(202)]
    with pytest.raises(ArmError):
        session(scripted.url, retries=3, resends=2).post("/restore", {"a": 1})
    assert len(scripted.received) == 1


def test_post_is_never_retried(scripted):
    scripted.replies = [Reply(503, {"error": {"code": "ServiceUnavailable", "message": "down"}}, {"Retry-After": "0"}),
                        Reply(202)]
    with pytest.raises(ArmError):
        session(scripted.url).post("/restore", {"a": 1})
    assert len(scripted.received) == 1


def test_a_throttled_post_is_sent_again_after_retry_after(scripted):
    throttled = Reply(429, {"error": {"code": "SubscriptionRequestsThrottled", "message": "slow down"}},
                      {"Retry-After": "1"})
    scripted.replies = [throttled, Reply(202, None, {"Location": "x"})]
    started = time.monotonic()
    assert session(scripted.url).post("/restore", {"a": 1}).status == 202
    assert time.monotonic() - started >= 0.9  # waited as asked
    assert len(scripted.received) == 2 and scripted.received[0].body == scripted.received[1].body


def test_retry_after_travels_with_the_error(scripted):
    scripted.replies = [Reply(429, {"error": {"code": "Throttled", "message": "m"}}, {"Retry-After": "7"})]
    with pytest.raises(ArmError) as info:
        session(scripted.url, retries=0).get("/x")
    assert info.value.retry_after == 7 and info.value.headers == {"Retry-After": "7"}
    import pickle

    assert pickle.loads(pickle.dumps(info.value)).retry_after == 7


def test_post_dropped_connection_is_not_retried(scripted):
    scripted.replies = [Reply(drop=True), Reply(202)]
    with pytest.raises(TransportError):
        session(scripted.url).post("/restore", {"a": 1})
    assert len(scripted.received) == 1


def test_arm_error_envelope(scripted):
    scripted.replies = [Reply(404, {"error": {"code": "ResourceNotFound", "message": "no vault",
                                              "details": [{"code": "Inner", "message": "deeper"}]}},
                              {"x-ms-request-id": "abc"})]
    with pytest.raises(ArmError) as info:
        session(scripted.url).get("/v")
    err = info.value
    assert (err.status, err.code, err.message, err.request_id) == (404, "ResourceNotFound", "no vault", "abc")
    assert err.details[0]["code"] == "Inner"
    assert "ResourceNotFound" in str(err) and "abc" in str(err) and SECRET not in str(err)


def test_html_error_page_is_a_clear_error(scripted):
    scripted.replies = [Reply(502, raw=b"<html><body>Bad gateway</body></html>", headers={"Content-Type": "text/html"})]
    with pytest.raises(TransportError) as info:
        session(scripted.url, retries=0).get("/v")
    assert "HTTP 502" in str(info.value) and "/v" in str(info.value) and "Bad gateway" in str(info.value)


def test_truncated_json_is_a_clear_error(scripted):
    scripted.replies = [Reply(200, raw=b'{"value": [{"name": "a"')]
    with pytest.raises(TransportError) as info:
        session(scripted.url).get("/v")
    assert "not JSON" in str(info.value) and "/v" in str(info.value)


def test_unreachable_endpoint_names_it():
    arm = ArmSession("http://127.0.0.1:9", DevTokenCredential(), api_version="x", retries=0)
    with pytest.raises(TransportError) as info:
        arm.get("/v")
    assert "http://127.0.0.1:9" in str(info.value)


def test_paging_follows_next_link(scripted):
    scripted.replies = [
        Reply(200, {"value": [1, 2], "nextLink": f"{scripted.url}/items?api-version=2026-02-01&$skipToken=2"}),
        Reply(200, {"value": [3], "nextLink": f"{scripted.url}/items?api-version=2026-02-01&$skipToken=3"}),
        Reply(200, {"value": [4]}),
    ]
    assert session(scripted.url).list("/items", params={"$filter": "a eq 'b'"}) == [1, 2, 3, 4]
    assert "$filter=a%20eq%20'b'" in scripted.received[0].path
    assert "skipToken=3" in scripted.received[2].path


def test_paging_stops_on_a_repeated_next_link(scripted):
    scripted.replies = [Reply(200, {"value": [1], "nextLink": f"{scripted.url}/items?api-version=1"})]
    with pytest.raises(TransportError, match="same nextLink"):
        session(scripted.url).list(f"{scripted.url}/items?api-version=1")


def test_token_never_sent_over_plain_http_to_a_remote_host():
    arm = ArmSession("http://management.example.com", DevTokenCredential(SECRET), api_version="x")
    with pytest.raises(InsecureTransportError) as info:
        arm.get("/v")
    assert "loopback" in str(info.value) and SECRET not in str(info.value)


def test_token_never_sent_to_another_host(scripted):
    arm = session(scripted.url)
    with pytest.raises(InsecureTransportError):
        arm.get("https://evil.example.com/steal")


def test_loopback_rule():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.1.2.3")
    assert not is_loopback("10.0.0.1") and not is_loopback("example.com") and not is_loopback(None)


def test_no_secret_in_repr_or_logs(scripted, caplog):
    scripted.replies = [Reply(200, {"a": 1})]
    arm = session(scripted.url)
    with caplog.at_level(logging.DEBUG):
        arm.get("/x")
    assert SECRET not in repr(arm) and SECRET not in repr(arm._session.auth)
    assert SECRET not in caplog.text


def test_redact_url():
    assert "***" in redact_url("https://x/blob?sig=abc&sv=1") and "abc" not in redact_url("https://x/blob?sig=abc")


def test_rate_limit_header_is_recorded(scripted):
    scripted.replies = [Reply(200, {"a": 1}, {"x-ms-ratelimit-remaining-subscription-reads": "117"})]
    arm = session(scripted.url)
    arm.get("/x")
    assert arm.remaining_reads == 117
