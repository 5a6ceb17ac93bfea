"""The long-running-operation state machine, driven by a fake session and a fake clock (no HTTP, no waiting)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restorekit.core.errors import ArmError, OperationFailed, TransportError
from restorekit.transport import polling as lro
from restorekit.transport.arm import ArmResponse

STATUS_URL = "https://management.azure.com/x/operationsStatus/op1"
RESULT_URL = "https://management.azure.com/x/operationResults/op1"


class FakeSession:
    """Answers GETs from a script: each entry an ArmResponse or an exception to raise."""

    def __init__(self, script):
        self.script = list(script)
        self.urls: list[str] = []

    def request(self, method, url, **kwargs):
        assert method == "GET"
        self.urls.append(url)
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item


class FakeTime:
    """A clock that only moves when ``sleep`` is called."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


def status(value, retry_after=None, **extra):
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ArmResponse(200, headers, {"id": "op1", "name": "op1", "status": value, **extra}, STATUS_URL)


def accepted(**headers):
    return ArmResponse(202, headers, None, "post-url")


def make(session, initial, t, **kw):
    return lro.LongRunningOperation.from_response(session, initial, sleep=t.sleep, clock=t.clock, **kw)


def test_async_operation_polls_until_succeeded_and_returns_the_job_id():
    t = FakeTime()
    session = FakeSession([status("InProgress", 2), status("InProgress", 2),
                           status("Succeeded", properties={"objectType": "OperationStatusJobExtendedInfo",
                                                           "jobId": "job-42"})])
    op = make(session, accepted(**{"Azure-AsyncOperation": STATUS_URL, "Location": RESULT_URL,
                                   "Retry-After": "3"}), t)
    result = op.run()
    assert result.status == "Succeeded"
    assert result.job_id == "job-42" and op.job_id == "job-42"
    assert result.polls == 3
    assert session.urls == [STATUS_URL] * 3          # Azure-AsyncOperation wins over Location
    assert t.sleeps == [3.0, 2.0, 2.0]               # the 202's Retry-After is honoured first


@pytest.mark.parametrize(("header", "expected"), [("0", 0.5), ("1000", 120.0), (None, 15.0), ("7", 7.0),
                                                  ("nonsense", 15.0)])
def test_retry_after_is_clamped_and_defaults_to_15_seconds(header, expected):
    t = FakeTime()
    headers = {"Azure-AsyncOperation": STATUS_URL}
    if header is not None:
        headers["Retry-After"] = header
    op = make(FakeSession([status("Succeeded")]), accepted(**headers), t)
    op.run()
    assert t.sleeps == [expected]


def test_poll_interval_overrides_retry_after():
    t = FakeTime()
    op = make(FakeSession([status("InProgress", 60), status("Succeeded")]),
              accepted(**{"Azure-AsyncOperation": STATUS_URL, "Retry-After": "60"}), t, poll_interval=0.25)
    op.run()
    assert t.sleeps == [0.25, 0.25]


def test_retry_after_as_http_date():
    when = datetime.now(UTC) + timedelta(seconds=30)
    seconds = lro.parse_retry_after({"retry-after": format_datetime(when, usegmt=True)})
    assert 25 <= seconds <= 30


def test_missing_retry_after_keeps_the_last_server_suggestion():
    t = FakeTime()
    op = make(FakeSession([status("InProgress"), status("Succeeded")]),
              accepted(**{"Azure-AsyncOperation": STATUS_URL, "Retry-After": "4"}), t)
    op.run()
    assert t.sleeps == [4.0, 4.0]


def test_location_polling_202_then_204():
    t = FakeTime()
    session = FakeSession([ArmResponse(202, {"Retry-After": "1"}, None, RESULT_URL),
                           ArmResponse(204, {}, None, RESULT_URL)])
    op = make(session, accepted(Location=f"location: {RESULT_URL}", **{"Retry-After": "1"}), t)
    result = op.run()
    assert result.status == "Succeeded" and result.job_id is None
    assert session.urls == [RESULT_URL, RESULT_URL]   # the "location: " prefix of the examples is dropped


def test_transient_errors_are_retried_with_backoff():
    t = FakeTime()
    session = FakeSession([TransportError("reset"), ArmError(503, "ServiceUnavailable", "busy"),
                           ArmError(429, "TooManyRequests", "slow down"), status("Succeeded")])
    op = make(session, accepted(**{"Azure-AsyncOperation": STATUS_URL, "Retry-After": "1"}), t)
    assert op.run().status == "Succeeded"
    assert t.sleeps == [1.0, 1.0, 2.0, 4.0]
    assert op.transient_failures == 0


def test_persistent_transient_errors_end_with_the_last_error():
    t = FakeTime()
    session = FakeSession([TransportError(f"reset {i}") for i in range(lro.MAX_TRANSIENT + 1)])
    op = make(session, accepted(**{"Azure-AsyncOperation": STATUS_URL}), t)
    with pytest.raises(TransportError, match=f"reset {lro.MAX_TRANSIENT}"):
        op.run()


def test_a_client_error_while_polling_is_fatal():
    t = FakeTime()
    op = make(FakeSession([ArmError(404, "NotFound", "no such operation")]),
              accepted(**{"Azure-AsyncOperation": STATUS_URL}), t)
    with pytest.raises(ArmError, match="NotFound"):
        op.run()


def test_failed_operation_raises_with_the_service_error():
    t = FakeTime()
    failed = status("Failed", error={"code": "UserErrorStorageAccountIsBlocked", "message": "blocked by firewall",
                                     "details": [{"recommendations": ["Allow trusted services"]}]})
    op = make(FakeSession([failed]), accepted(**{"Azure-AsyncOperation": STATUS_URL}), t)
    with pytest.raises(OperationFailed) as info:
        op.run()
    assert info.value.code == "UserErrorStorageAccountIsBlocked"
    assert "blocked by firewall" in str(info.value) and "Allow trusted services" in str(info.value)


def test_canceled_operation_ends_without_error():
    t = FakeTime()
    op = make(FakeSession([status("Canceled")]), accepted(**{"Azure-AsyncOperation": STATUS_URL}), t)
    assert op.run().status == "Canceled"


def test_timeout_uses_the_injected_clock():
    t = FakeTime()
    op = make(FakeSession([status("InProgress", 10)] * 10), accepted(**{"Azure-AsyncOperation": STATUS_URL,
                                                                       "Retry-After": "10"}), t)
    with pytest.raises(TimeoutError, match="still InProgress after 25 s"):
        op.run(timeout=25)
    assert sum(t.sleeps) == pytest.approx(25)


def test_should_stop_ends_the_loop_early():
    t = FakeTime()
    op = make(FakeSession([status("InProgress")] * 5), accepted(**{"Azure-AsyncOperation": STATUS_URL}), t)
    calls = []
    result = op.run(should_stop=lambda: len(calls) >= 2, on_update=calls.append)
    assert result.status == "InProgress" and op.polls == 2


def test_synchronous_answer_without_headers_is_final():
    op = lro.LongRunningOperation(FakeSession([]), 200, {}, None)
    assert op.done and not op.can_poll
    assert op.run().status == "Succeeded"


def test_arun_on_an_asyncio_loop():
    session = FakeSession([status("InProgress"), status("Succeeded", properties={"jobId": "j"})])
    op = lro.LongRunningOperation.from_response(session, accepted(**{"Azure-AsyncOperation": STATUS_URL}),
                                                poll_interval=0)
    assert asyncio.run(op.arun(timeout=5)).job_id == "j"


@given(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**9, 10**9),
                 st.text(max_size=20)))
def test_clamped_interval_is_always_within_bounds(value):
    headers = {} if value is None else {"Retry-After": str(value)}
    interval = lro.clamp_interval(lro.parse_retry_after(headers))
    assert lro.MIN_INTERVAL <= interval <= lro.MAX_INTERVAL


def test_is_transient():
    assert lro.is_transient(TransportError("x"))
    assert lro.is_transient(ArmError(500, "c", "m")) and lro.is_transient(ArmError(429, "c", "m"))
    assert not lro.is_transient(ArmError(400, "c", "m")) and not lro.is_transient(ValueError())
