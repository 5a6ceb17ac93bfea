"""Gateway boundaries: the request size limit, the write throttle, binding beyond loopback, the CLI's flags."""

from __future__ import annotations

import pytest
import requests

from restorekit import emulator
from restorekit.emulator.cli import build_parser
from restorekit.emulator.gateway.body_limit import MAX_REQUEST_BYTES

from .conftest import API, AUTH, ITEM, VAULT

RESTORE = f"{ITEM}/recoveryPoints/20982486783671/restore?api-version={API}"


def test_body_over_4_mb_is_refused_as_arm_does(srv, restore_body):
    body = restore_body()
    body["properties"]["padding"] = "x" * MAX_REQUEST_BYTES
    r = requests.post(f"{srv.url}{RESTORE}", json=body, headers=AUTH)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "RequestContentTooLarge"
    assert r.json()["error"]["message"] == "The request content size exceeds the maximum size of 4 MB."
    jobs_before = len(srv.state.jobs)
    assert requests.post(f"{srv.url}{RESTORE}", json=restore_body(), headers=AUTH).status_code == 202
    assert len(srv.state.jobs) == jobs_before + 1


def test_body_just_under_the_limit_is_read(srv):
    r = requests.post(f"{srv.url}{VAULT}/backupJobs/nope/cancel?api-version={API}", headers=AUTH,
                      data=b" " * (MAX_REQUEST_BYTES - 10))
    assert r.status_code == 404  # went through to the route


def test_chunked_body_over_the_limit(srv):
    def chunks():
        for _ in range(5):
            yield b"x" * (1024 * 1024)

    r = requests.post(f"{srv.url}{RESTORE}", data=chunks(), headers=AUTH)
    assert r.status_code == 413


def test_write_throttle(make_srv):
    server = make_srv(write_bucket=3, write_refill=0.5)
    url = f"{server.url}{VAULT}/backupJobs/nope/cancel?api-version={API}"
    answers = [requests.post(url, headers=AUTH) for _ in range(3)]
    assert [int(a.headers["x-ms-ratelimit-remaining-subscription-writes"]) for a in answers] == [2, 1, 0]
    r = requests.post(url, headers=AUTH)
    assert r.status_code == 429 and r.json()["error"]["code"] == "SubscriptionRequestsThrottled"
    assert "'write' requests" in r.json()["error"]["message"]
    assert int(r.headers["Retry-After"]) >= 1 and r.headers["x-ms-ratelimit-remaining-subscription-writes"] == "0"
    assert requests.get(f"{server.url}{ITEM}?api-version={API}", headers=AUTH).status_code == 200  # reads apart
    server.state.clock.advance(int(r.headers["Retry-After"]))
    assert requests.post(url, headers=AUTH).status_code == 404


def test_write_throttle_defaults_are_arms_and_per_subscription(make_srv):
    server = make_srv(subscriptions=2, write_bucket=1, write_refill=0.01)
    assert emulator.start.__kwdefaults__["write_bucket"] == 200 and emulator.start.__kwdefaults__["write_refill"] == 10
    for sub in server.subscription_ids:
        url = f"{server.url}{VAULT.replace('00000000-0000-0000-0000-000000000000', sub)}/backupJobs/x/cancel"
        codes = [requests.post(f"{url}?api-version={API}", headers=AUTH).status_code for _ in range(2)]
        assert codes[1] == 429, sub


def test_no_throttle_turns_writes_off_too(make_srv):
    server = make_srv(throttle=False, write_bucket=1)
    url = f"{server.url}{VAULT}/backupJobs/nope/cancel?api-version={API}"
    assert [requests.post(url, headers=AUTH).status_code for _ in range(3)] == [404, 404, 404]


def test_remote_host_needs_allow_remote_and_warns():
    with pytest.raises(ValueError, match="allow_remote"):
        emulator.start(host="0.0.0.0")
    with pytest.warns(RuntimeWarning, match="accepts any bearer token.*never expose"):
        server = emulator.start(host="0.0.0.0", allow_remote=True)
    try:
        assert requests.get(f"http://127.0.0.1:{server.port}{ITEM}?api-version={API}", headers=AUTH).status_code == 200
    finally:
        server.stop()


def test_cli_documents_every_new_option(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    text = capsys.readouterr().out
    for flag in ("--subscriptions", "--token-lifetime", "--crr-token-lifetime", "--allow-remote", "--write-bucket",
                 "--write-refill", "--graph-quota"):
        assert flag in text, flag
    args = build_parser().parse_args(["--subscriptions", "3", "--token-lifetime", "90", "--allow-remote",
                                      "--host", "0.0.0.0", "--write-bucket", "5", "--graph-quota", "0"])
    assert (args.subscriptions, args.token_lifetime, args.allow_remote, args.write_bucket, args.graph_quota) == \
        (3, 90.0, True, 5, 0)


def test_cli_warns_when_remote(capsys, monkeypatch):
    from restorekit.emulator import cli

    served = []
    monkeypatch.setattr(emulator.EmulatorServer, "serve_forever", lambda self: served.append(self.url))
    monkeypatch.setattr(cli.signal, "signal", lambda *args: None)  # leave the test process's handlers alone
    assert cli.main(["--host", "0.0.0.0", "--port", "0", "--allow-remote"]) == 0
    err = capsys.readouterr().err
    assert "WARNING" in err and "never expose" in err and served
