"""Several subscriptions: listing and reading them, unknown ones, the fleet spread over them."""

from __future__ import annotations

import pytest
import requests

from restorekit.emulator.estate.tenancy import subscription_ids
from restorekit.emulator.seed.fleet import fleet_vault_names

from .conftest import AUTH, SUB

VERSIONS = ("2016-06-01", "2020-01-01", "2021-01-01", "2022-12-01")


@pytest.fixture(scope="module")
def three(request):
    from restorekit import emulator

    server = emulator.start(subscriptions=3, fleet=10, throttle=False, job_seconds=1, retry_after=0)
    request.addfinalizer(server.stop)
    return server


def test_ids_are_the_demo_one_then_stable_guids(three):
    assert three.subscription_id == SUB
    assert three.subscription_ids == subscription_ids(3)
    assert three.subscription_ids[0] == SUB and len(set(three.subscription_ids)) == 3
    assert subscription_ids(3) == subscription_ids(3)  # the same on every run
    assert subscription_ids(2) == subscription_ids(3)[:2]


@pytest.mark.parametrize("version", VERSIONS)
def test_list(three, version):
    r = requests.get(f"{three.url}/subscriptions?api-version={version}", headers=AUTH)
    assert r.status_code == 200
    subs = r.json()["value"]
    assert [s["subscriptionId"] for s in subs] == list(three.subscription_ids)
    for s in subs:
        assert s["id"] == f"/subscriptions/{s['subscriptionId']}"
        assert s["state"] == "Enabled" and s["displayName"] and s["authorizationSource"] == "RoleBased"
        assert ("tenantId" in s) == (version >= "2020-01-01")


def test_get_one_and_unknown(three):
    second = three.subscription_ids[1]
    r = requests.get(f"{three.url}/subscriptions/{second}?api-version=2022-12-01", headers=AUTH)
    assert r.status_code == 200 and r.json()["subscriptionId"] == second
    assert r.json()["tenantId"] == "00000000-0000-0000-0000-000000000000"
    other = "11111111-1111-1111-1111-111111111111"
    r = requests.get(f"{three.url}/subscriptions/{other}?api-version=2022-12-01", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "SubscriptionNotFound"
    r = requests.get(f"{three.url}/subscriptions?api-version=2015-01-01", headers=AUTH)
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_default_is_one_subscription(srv):
    r = requests.get(f"{srv.url}/subscriptions?api-version=2022-12-01", headers=AUTH).json()
    assert [s["subscriptionId"] for s in r["value"]] == [SUB] and r["count"] == {"type": "Total", "value": 1}
    assert srv.subscription_ids == (SUB,)


def test_fleet_spread_one_vault_per_subscription(three):
    seen = {}
    for index, sub in enumerate(three.subscription_ids):
        r = requests.get(f"{three.url}/subscriptions/{sub}/providers/Microsoft.RecoveryServices/vaults"
                         "?api-version=2023-04-01", headers=AUTH).json()
        names = {v["name"] for v in r["value"]}
        rg, vault = fleet_vault_names(index)
        assert vault in names
        if index:
            assert names == {vault}  # the other subscriptions hold their fleet vault only
            assert all(v["id"].startswith(f"/subscriptions/{sub}/") for v in r["value"])
        items = requests.get(f"{three.url}/subscriptions/{sub}/resourceGroups/{rg}/providers/"
                             f"Microsoft.RecoveryServices/vaults/{vault}/backupProtectedItems?api-version=2026-02-01",
                             headers=AUTH).json()["value"]
        seen[sub] = sorted(i["properties"]["friendlyName"] for i in items)
        assert all(i["properties"]["virtualMachineId"].startswith(f"/subscriptions/{sub}/") for i in items)
    assert seen[three.subscription_ids[0]] == ["fleet-vm-0001", "fleet-vm-0004", "fleet-vm-0007", "fleet-vm-0010"]
    assert seen[three.subscription_ids[1]] == ["fleet-vm-0002", "fleet-vm-0005", "fleet-vm-0008"]
    assert sum(len(v) for v in seen.values()) == 10


def test_a_vault_answers_only_in_its_subscription(three):
    first, second = three.subscription_ids[:2]
    path = "resourceGroups/fleetRG-2/providers/Microsoft.RecoveryServices/vaults/fleetVault-2?api-version=2023-04-01"
    assert requests.get(f"{three.url}/subscriptions/{second}/{path}", headers=AUTH).status_code == 200
    r = requests.get(f"{three.url}/subscriptions/{first}/{path}", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "ResourceNotFound"


def test_read_throttle_is_per_subscription(make_srv):
    server = make_srv(subscriptions=2, read_bucket=2, read_refill=0.01)
    first, second = server.subscription_ids
    for sub in (first, second):
        url = f"{server.url}/subscriptions/{sub}/providers/Microsoft.RecoveryServices/vaults?api-version=2023-04-01"
        assert [requests.get(url, headers=AUTH).status_code for _ in range(3)] == [200, 200, 429]
