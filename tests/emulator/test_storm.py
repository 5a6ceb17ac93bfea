"""Storm faults: seeded rates of 5xx, resets, lost answers and slow answers, counted per kind."""

from __future__ import annotations

import time

import pytest
import requests

from restorekit.emulator.state.storm import KINDS

from .conftest import API, AUTH, ITEM, VAULT
from .entra import token_url

RESTORE = f"{ITEM}/recoveryPoints/20982486783671/restore?api-version={API}"


def outcome(server, **kw) -> str:
    """What the client saw: a status code as text, or "connection"."""
    try:
        return str(requests.get(f"{server.url}{ITEM}?api-version={API}", headers=AUTH, timeout=10, **kw).status_code)
    except requests.ConnectionError:
        return "connection"


def test_counts_add_up_and_match_what_clients_saw(make_srv):
    server = make_srv(throttle=False)
    server.state.faults.storm(error_rate=0.2, reset_rate=0.2, slow_rate=0.1, slow_seconds=0.2, seed=3,
                              methods=("GET",))
    seen = [outcome(server) for _ in range(80)]
    counts = server.state.faults.counts
    print("\n" + "\n".join(f"{kind:>12} {counts[kind]:>4}" for kind in ("requests", *KINDS, "passed")))
    assert counts["requests"] == 80
    assert sum(counts[k] for k in (*KINDS, "passed")) == 80
    assert all(counts[k] > 0 for k in KINDS)
    assert sum(1 for s in seen if s.startswith("5")) == counts["error"]
    assert seen.count("connection") == counts["reset"] + counts["lost_answer"]
    assert seen.count("200") == counts["passed"] + counts["slow"]
    server.state.faults.calm()
    assert outcome(server) == "200" and server.state.faults.counts == counts  # calm: counts stay readable


def test_errors_use_the_arm_envelope(make_srv):
    server = make_srv(throttle=False)
    server.state.faults.storm(error_rate=1.0, seed=1)
    statuses, retry_after = set(), set()
    for _ in range(30):
        r = requests.get(f"{server.url}{ITEM}?api-version={API}", headers=AUTH)
        statuses.add(r.status_code)
        retry_after.add("Retry-After" in r.headers)
        assert r.json()["error"]["code"] in ("InternalServerError", "BadGateway", "ServiceUnavailable",
                                             "GatewayTimeout")
    assert statuses <= {500, 502, 503, 504} and len(statuses) > 1
    assert retry_after == {True, False}  # some with Retry-After


def test_same_seed_same_storm(make_srv):
    runs = []
    for _ in range(2):
        server = make_srv(throttle=False)
        server.state.faults.storm(error_rate=0.3, reset_rate=0.2, seed=11)
        runs.append([outcome(server) for _ in range(25)])
    assert runs[0] == runs[1]


def test_lost_answer_still_created_the_job(make_srv, restore_body):
    server = make_srv(throttle=False)
    restores = lambda: [j for j in server.state.jobs.values() if j.operation == "Restore"]  # noqa: E731
    server.state.faults.storm(reset_rate=1.0, reset_after_share=1.0, methods=("POST",), path_contains="/restore")
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{server.url}{RESTORE}", json=restore_body(), headers=AUTH, timeout=10)
    assert server.state.faults.counts["lost_answer"] == 1
    assert len(restores()) == 1  # processed in full: the job exists though the client got no answer
    server.state.faults.calm()
    jobs = requests.get(f"{server.url}{VAULT}/backupJobs", params={"api-version": API,
                                                                   "$filter": "operation eq 'Restore'"},
                        headers=AUTH).json()["value"]
    assert [j["name"] for j in jobs] == [restores()[0].id]


def test_reset_before_processing_creates_nothing(make_srv, restore_body):
    server = make_srv(throttle=False)
    server.state.faults.storm(reset_rate=1.0, reset_after_share=0.0, methods=("POST",))
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{server.url}{RESTORE}", json=restore_body(), headers=AUTH, timeout=10)
    assert server.state.faults.counts["reset"] == 1
    assert not [j for j in server.state.jobs.values() if j.operation == "Restore"]


def test_slow_answers_are_slow(make_srv):
    server = make_srv(throttle=False)
    server.state.faults.storm(slow_rate=1.0, slow_seconds=1.0, methods=("GET",))
    with pytest.raises(requests.ReadTimeout):
        requests.get(f"{server.url}{ITEM}?api-version={API}", headers=AUTH, timeout=0.3)
    t0 = time.monotonic()
    r = requests.get(f"{server.url}{ITEM}?api-version={API}", headers=AUTH, timeout=10)
    assert r.status_code == 200 and time.monotonic() - t0 >= 1.0
    assert server.state.faults.counts["slow"] == 2


def test_token_endpoint_is_exempt_and_queue_still_works(make_srv):
    server = make_srv(throttle=False)
    server.state.faults.storm(error_rate=1.0)
    r = requests.post(token_url(server.url), data={"grant_type": "client_credentials", "client_id": "a",
                                                   "client_secret": "b",
                                                   "scope": "https://management.azure.com/.default"})
    assert r.status_code == 200 and server.state.faults.counts["requests"] == 0
    server.state.faults.fail_next(1, status=502, retry_after=7)
    r = requests.get(f"{server.url}{ITEM}?api-version={API}", headers=AUTH)
    assert r.status_code == 502 and r.headers["Retry-After"] == "7"  # the queue goes first
    server.state.faults.clear()
    assert outcome(server) == "200"


def test_bad_rates_are_refused(srv):
    with pytest.raises(ValueError):
        srv.state.faults.storm(error_rate=0.7, reset_rate=0.5)
