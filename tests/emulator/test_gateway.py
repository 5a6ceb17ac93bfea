"""ARM gateway behaviour: auth, api-versions, error envelope, headers, throttle, latency, faults."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from restorekit import emulator

from .conftest import API, AUTH, ITEM, SUB, VAULT


def test_missing_token_is_401_with_challenge(srv):
    r = requests.get(f"{srv.url}{VAULT}?api-version=2023-04-01")
    assert r.status_code == 401
    # ARM's own challenge names login.windows.net (as azure-core's CAE test fixtures record it) and the tenant of the
    # subscription the path names
    assert r.headers["WWW-Authenticate"].startswith(f'Bearer authorization_uri="https://login.windows.net/{SUB}"')
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert r.json()["error"]["code"] == "AuthenticationFailed"
    r = requests.get(f"{srv.url}{VAULT}?api-version=2023-04-01", headers={"Authorization": "Bearer  "})
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationToken"


@pytest.mark.parametrize("version", ["2019-05-13", "2016-12-01", "2021-12-01", "2026-02-01", "2026-10-01"])
def test_backup_versions_accepted(srv, version):
    assert requests.get(f"{srv.url}{ITEM}?api-version={version}", headers=AUTH).status_code == 200


@pytest.mark.parametrize("version", ["2099-01-01", "2022-09-01-preview", "2016-06-01", "latest"])
def test_other_versions_refused_with_list(srv, version):
    r = requests.get(f"{srv.url}{ITEM}?api-version={version}", headers=AUTH)
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "InvalidApiVersionParameter"
    assert "2026-02-01" in err["message"] and "2019-05-13" in err["message"]


def test_api_version_required(srv):
    r = requests.get(f"{srv.url}{ITEM}", headers=AUTH)
    assert r.status_code == 400 and r.json()["error"]["code"] == "MissingApiVersionParameter"


def test_vault_versions(srv):
    assert requests.get(f"{srv.url}{VAULT}?api-version=2016-06-01", headers=AUTH).status_code == 200
    assert requests.get(f"{srv.url}{VAULT}?api-version=2019-05-13", headers=AUTH).status_code == 400
    r = requests.get(f"{srv.url}/subscriptions/{SUB}/providers/Microsoft.RecoveryServices/vaults?api-version=2023-04-01",
                     headers=AUTH)
    vaults = {v["name"]: v for v in r.json()["value"]}
    assert {"testVault", "crrVault"} <= set(vaults)
    assert vaults["testVault"]["location"] == "westus"
    assert vaults["testVault"]["type"] == "Microsoft.RecoveryServices/vaults"
    assert vaults["testVault"]["properties"]["provisioningState"] == "Succeeded"


def test_error_envelope_and_headers(srv):
    r = requests.get(f"{srv.url}{VAULT.replace('testVault', 'nope')}/backupJobs?api-version={API}",
                     headers={**AUTH, "x-ms-correlation-request-id": "corr-1", "x-ms-client-request-id": "cli-1"})
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["error"]["code"] == "ResourceNotFound"
    assert isinstance(r.json()["error"]["details"], list)
    assert r.headers["x-ms-correlation-request-id"] == "corr-1"
    assert r.headers["x-ms-client-request-id"] == "cli-1"
    assert r.headers["x-ms-request-id"] and r.headers["Date"]
    assert "x-ms-ratelimit-remaining-subscription-reads" in r.headers


def test_unknown_things(srv):
    r = requests.get(f"{srv.url}{VAULT}/backupWidgets?api-version={API}", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "InvalidResourceType"
    r = requests.get(f"{srv.url}{ITEM.replace('testVM', 'ghostVM')}?api-version={API}", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "BMSUserErrorObjectNotFound"
    r = requests.get(f"{srv.url}{ITEM}/recoveryPoints/123?api-version={API}", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "UserErrorRecoveryPointNotFound"
    r = requests.get(f"{srv.url}{ITEM.replace(SUB, '11111111-1111-1111-1111-111111111111')}?api-version={API}",
                     headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "SubscriptionNotFound"


def test_names_case_insensitive_and_quoted(srv):
    lower = ITEM.replace("/subscriptions/", "/Subscriptions/").replace("Microsoft.RecoveryServices",
                                                                        "microsoft.recoveryservices")
    quoted = lower.replace(";", "%3B").replace("IaasVMContainer", "iaasvmcontainer").replace("testVM", "TESTVM")
    for path in (lower, quoted, ITEM.replace("IaasVMContainer;iaasvmcontainerv2;", "iaasvmcontainerv2;")):
        r = requests.get(f"{srv.url}{path}?api-version={API}", headers=AUTH)
        assert r.status_code == 200, path
        assert r.json()["properties"]["friendlyName"] == "testVM"


def test_write_headers(srv, restore_body):
    r = requests.post(f"{srv.url}{ITEM}/recoveryPoints/20982486783671/restore?api-version={API}",
                      json=restore_body(), headers=AUTH)
    assert r.status_code == 202
    assert int(r.headers["x-ms-ratelimit-remaining-subscription-writes"]) > 0


def test_throttle_429_then_recovers(make_srv):
    srv = make_srv(read_bucket=5, read_refill=0.5)
    url = f"{srv.url}{ITEM}?api-version={API}"
    remaining = [int(requests.get(url, headers=AUTH).headers["x-ms-ratelimit-remaining-subscription-reads"])
                 for _ in range(5)]
    assert remaining == [4, 3, 2, 1, 0]
    r = requests.get(url, headers=AUTH)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "SubscriptionRequestsThrottled"
    assert int(r.headers["Retry-After"]) >= 1
    srv.state.clock.advance(int(r.headers["Retry-After"]))
    assert requests.get(url, headers=AUTH).status_code == 200


def test_throttle_off(make_srv):
    srv = make_srv(read_bucket=1, throttle=False)
    assert all(requests.get(f"{srv.url}{ITEM}?api-version={API}", headers=AUTH).status_code == 200 for _ in range(4))


def test_latency_does_not_serialize(make_srv):
    srv = make_srv(latency_ms=300, throttle=False)
    codes: list[int] = []
    threads = [threading.Thread(target=lambda: codes.append(
        requests.get(f"{srv.url}{ITEM}?api-version={API}", headers=AUTH).status_code)) for _ in range(8)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    assert codes == [200] * 8
    assert 0.3 <= elapsed < 1.5


def test_faults(make_srv):
    srv = make_srv()
    url = f"{srv.url}{ITEM}?api-version={API}"
    srv.state.faults.fail_next(2, status=503, retry_after=3)
    for _ in range(2):
        r = requests.get(url, headers=AUTH)
        assert r.status_code == 503 and r.headers["Retry-After"] == "3"
        assert r.json()["error"]["code"] == "ServiceUnavailable"
    assert requests.get(url, headers=AUTH).status_code == 200
    srv.state.faults.html_next(1, status=502)
    r = requests.get(url, headers=AUTH)
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")
    srv.state.faults.drop_next(1, path_contains="recoveryPoints")
    assert requests.get(url, headers=AUTH).status_code == 200  # path does not match
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{srv.url}{ITEM}/recoveryPoints?api-version={API}", headers=AUTH)
    assert srv.state.faults.pending == []
    assert requests.get(url, headers=AUTH).status_code == 200


def test_start_refuses_non_loopback():
    with pytest.raises(ValueError, match="allow_remote"):
        emulator.start(host="0.0.0.0")


def test_fleet_seeds_fast(make_srv):
    t0 = time.monotonic()
    srv = make_srv(fleet=200, throttle=False)
    assert time.monotonic() - t0 < 2.0
    vault = VAULT.replace("testVaultRG", "fleetRG").replace("testVault", "fleetVault")
    r = requests.get(f"{srv.url}{vault}/backupProtectedItems?api-version={API}", headers=AUTH).json()
    assert len(r["value"]) == 50 and "nextLink" in r
    item = (f"{vault}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;fleetRG;fleet-vm-0200"
            "/protectedItems/VM;iaasvmcontainerv2;fleetRG;fleet-vm-0200/recoveryPoints")
    srv.state.settings.page_size = 500
    points = requests.get(f"{srv.url}{item}?api-version={API}", headers=AUTH).json()["value"]
    assert 80 <= len(points) <= 90


def test_as_of_pins_the_estate_to_one_day():
    import requests

    from restorekit import emulator

    path = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testVaultRG/providers/"
            "Microsoft.RecoveryServices/vaults/testVault/backupFabrics/Azure/protectionContainers/"
            "iaasvmcontainer;iaasvmcontainerv2;testRG;testVM/protectedItems/VM;iaasvmcontainerv2;testRG;testVM/"
            "recoveryPoints?api-version=2026-02-01")
    names = []
    for _ in range(2):
        with emulator.start(as_of="2026-11-20T12:00:00Z", throttle=False) as srv:
            page = requests.get(srv.url + path, headers={"Authorization": "Bearer x"}, timeout=10).json()
            names.append([p["name"] for p in page["value"]])
            assert max(p["properties"]["recoveryPointTime"] for p in page["value"]) < "2026-11-20T12"
    assert names[0] == names[1]
