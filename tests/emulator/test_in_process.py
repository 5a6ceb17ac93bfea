"""The in-process transport: a requests adapter that answers from the emulator's WSGI app, without a socket."""

from __future__ import annotations

import pytest
import requests
from azure.core.pipeline.transport import RequestsTransport
from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient
from urllib3.util.retry import Retry

from .conftest import API, AUTH, ITEM, SUB, VAULT, all_pages, in_process
from .test_sdk_referee import CONTAINER, FakeCredential, PlainBearer

#: Headers that differ from one answer to the next, or that only a socket server writes.
_PER_ANSWER = {"x-ms-request-id", "x-ms-correlation-request-id", "x-ms-routing-request-id", "x-ms-operation-identifier",
               "x-ms-ratelimit-remaining-subscription-reads", "date", "server", "connection"}


def _comparable(r: requests.Response) -> tuple:
    headers = {k.lower(): v for k, v in r.headers.items() if k.lower() not in _PER_ANSWER}
    return r.status_code, headers, r.content


@pytest.mark.parametrize("path", [
    f"{VAULT}?api-version=2023-04-01",
    f"{ITEM}/recoveryPoints?api-version={API}&$filter=startDate eq '2026-01-01 00:00:00 AM'",
    f"{ITEM}/recoveryPoints/20982486783671?api-version={API}",
    f"{VAULT}/backupProtectedItems?api-version={API}&$filter=policyName eq 'EnhancedPolicy'",
    f"{ITEM.replace('testVM', 'ghostVM')}?api-version={API}",  # 404
    f"{VAULT}?api-version=1999-01-01",  # 400
    f"/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines?api-version=2024-03-01",
])
def test_the_same_answer_in_process_as_over_a_socket(srv, path):
    session = in_process(srv)
    over_socket = requests.get(srv.url + path, headers=AUTH)
    answered = session.get(srv.url + path, headers=AUTH)
    assert _comparable(answered) == _comparable(over_socket)
    assert answered.headers["Date"] and answered.url == over_socket.url


def test_pages_follow_next_links_in_process(make_srv):
    server = make_srv(page_size=7, throttle=False)
    session = in_process(server)
    url, names = f"{server.url}{ITEM}/recoveryPoints?api-version={API}", []
    while url:
        body = session.get(url, headers=AUTH).json()
        names += [p["name"] for p in body["value"]]
        url = body.get("nextLink")
    assert names == [p["name"] for p in all_pages(f"{server.url}{ITEM}/recoveryPoints?api-version={API}")]
    assert len(names) > 7 * 10


def test_a_post_body_reaches_the_gateway(srv, restore_body):
    session = in_process(srv)
    r = session.post(f"{srv.url}{ITEM}/recoveryPoints/20982486783671/restore?api-version={API}", json=restore_body(),
                     headers=AUTH)
    assert r.status_code == 202 and r.content == b""
    assert r.headers["Azure-AsyncOperation"].startswith(f"{srv.url}{ITEM}/operationsStatus/")
    bad = session.post(f"{srv.url}{ITEM}/recoveryPoints/20982486783671/restore?api-version={API}",
                       data=b"{not json", headers={**AUTH, "Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "InvalidRequestContent"


def test_a_dropped_connection_raises_connection_error(make_srv):
    server = make_srv(throttle=False)
    session = in_process(server)
    server.state.faults.drop_next(1)
    with pytest.raises(requests.ConnectionError, match="Remote end closed connection without response"):
        session.get(f"{server.url}{VAULT}?api-version=2023-04-01", headers=AUTH)
    assert session.get(f"{server.url}{VAULT}?api-version=2023-04-01", headers=AUTH).status_code == 200


def test_a_lost_answer_raises_after_the_request_was_processed(make_srv, restore_body):
    server = make_srv(throttle=False)
    session = in_process(server)
    before = len(server.state.jobs)
    server.state.faults.storm(reset_rate=1.0, reset_after_share=1.0, methods=["POST"])
    with pytest.raises(requests.ConnectionError):
        session.post(f"{server.url}{ITEM}/recoveryPoints/20982486783671/restore?api-version={API}",
                     json=restore_body(), headers=AUTH)
    assert len(server.state.jobs) == before + 1 and server.state.faults.counts["lost_answer"] == 1


def test_a_slow_answer_is_a_read_timeout(make_srv):
    server = make_srv(throttle=False)
    session = in_process(server)
    server.state.faults.storm(slow_rate=1.0, slow_seconds=0.3)
    with pytest.raises(requests.ReadTimeout):
        session.get(f"{server.url}{VAULT}?api-version=2023-04-01", headers=AUTH, timeout=(1, 0.1))
    server.state.faults.calm()


def test_max_retries_retry_as_urllib3_would(make_srv):
    server = make_srv(throttle=False)
    session = requests.Session()
    session.mount(server.url, server.adapter(max_retries=Retry(total=3, status_forcelist=(503,), backoff_factor=0,
                                                               allowed_methods=("GET",), raise_on_status=False)))
    url = f"{server.url}{VAULT}?api-version=2023-04-01"
    server.state.faults.fail_next(2, status=503, retry_after=0)
    assert session.get(url, headers=AUTH).status_code == 200 and not server.state.faults.pending
    server.state.faults.fail_next(5, status=503, retry_after=0)
    assert session.get(url, headers=AUTH).status_code == 503  # retries spent: the last answer
    assert server.state.faults.pending[0].count == 1  # one try and three retries took four
    server.state.faults.clear()
    server.state.faults.drop_next(1)
    assert session.get(url, headers=AUTH).status_code == 200  # a dropped GET is read again
    server.state.faults.drop_next(1)
    with pytest.raises(requests.ConnectionError):  # a POST is not (not an allowed method)
        session.post(f"{server.url}{VAULT}/backupJobs/nope/cancel?api-version={API}", headers=AUTH)


def test_the_official_client_works_in_process(srv):
    session = in_process(srv)
    client = RecoveryServicesBackupClient(FakeCredential(), SUB, base_url=srv.url, authentication_policy=PlainBearer(),
                                          transport=RequestsTransport(session=session, session_owner=False))
    points = list(client.recovery_points.list("testVault", "testVaultRG", "Azure", CONTAINER,
                                              "VM;iaasvmcontainerv2;testRG;testVM"))
    assert len(points) > 2 * srv.state.settings.effective_page_size
    assert {"20982486783671", "348916168024334"} <= {p.name for p in points}
