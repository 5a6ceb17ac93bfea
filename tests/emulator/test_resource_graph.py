"""Resource Graph over RecoveryServicesResources: query subset, paging, scope, quota, the official client."""

from __future__ import annotations

import pytest
import requests
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from .conftest import AUTH, SUB, in_process
from .entra import EmulatorCredential

ITEMS = "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"
JOBS = "microsoft.recoveryservices/vaults/backupjobs"
ITEM_QUERY = f"RecoveryServicesResources | where type =~ '{ITEMS}'"
DEMO_ITEMS = 15  # testVault 5, crrVault 2, opsVault 8 (oldAppVM: its VM deleted)


@pytest.fixture(scope="module")
def big(request):
    """5,000 protected items over two subscriptions, no quota (paging tests), answered in-process (no socket)."""
    from restorekit import emulator

    server = emulator.start(fleet=5000 - DEMO_ITEMS, subscriptions=2, throttle=False, graph_quota=0,
                            job_seconds=1, retry_after=0)
    request.addfinalizer(server.stop)
    return server, in_process(server)


@pytest.fixture(scope="module")
def demo(request):
    """The demo estate without the per-user quota (these tests send many queries in a few seconds)."""
    from restorekit import emulator

    server = emulator.start(throttle=False, graph_quota=0, job_seconds=1, retry_after=0)
    request.addfinalizer(server.stop)
    return server


def graph(server, body, version="2021-03-01", headers=AUTH, session=requests):
    return session.post(f"{server.url}/providers/Microsoft.ResourceGraph/resources?api-version={version}",
                        json=body, headers=headers)


def test_paging_5000_items_by_1000(big):
    server, session = big
    pages, names, token = 0, [], None
    while True:
        options = {"$top": 1000} if token is None else {"$top": 1000, "$skipToken": token}
        body = graph(server, {"subscriptions": list(server.subscription_ids), "query": ITEM_QUERY, "options": options},
                     session=session).json()
        pages += 1
        assert body["totalRecords"] == 5000 and body["resultTruncated"] == "false" and body["facets"] == []
        assert body["count"] == len(body["data"]) == 1000
        names.extend(row["id"] for row in body["data"])
        token = body.get("$skipToken")
        if token is None:
            break
    assert pages == 5 and len(set(names)) == 5000


def test_default_top_is_1000_and_top_limits_pages(big):
    server, session = big
    body = graph(server, {"query": ITEM_QUERY}, session=session).json()
    assert body["count"] == 1000 and "$skipToken" in body
    pages, token = 0, None
    while True:
        options = {"$top": 700, **({"$skipToken": token} if token else {})}
        body = graph(server, {"query": ITEM_QUERY, "options": options}, session=session).json()
        pages += 1
        token = body.get("$skipToken")
        if not token:
            assert body["count"] == 5000 - 7 * 700
            break
    assert pages == 8
    r = graph(server, {"query": ITEM_QUERY, "options": {"$top": 1001}}, session=session)
    assert r.status_code == 400 and r.json()["error"]["code"] == "BadRequest"
    skipped = graph(server, {"query": ITEM_QUERY, "options": {"$skip": 4990, "$top": 50}}, session=session).json()
    assert skipped["count"] == 10 and "$skipToken" not in skipped


def test_subscription_scope(big):
    server, session = big
    first, second = server.subscription_ids
    one = graph(server, {"subscriptions": [second], "query": ITEM_QUERY}, session=session).json()
    assert one["totalRecords"] == (5000 - DEMO_ITEMS) // 2
    assert {row["subscriptionId"] for row in one["data"]} == {second}
    assert graph(server, {"subscriptions": ["11111111-1111-1111-1111-111111111111"], "query": ITEM_QUERY},
                 session=session).json()["totalRecords"] == 0
    both = graph(server, {"subscriptions": [first.upper(), second], "query": ITEM_QUERY}, session=session).json()
    assert both["totalRecords"] == 5000


def test_rows_have_resource_graph_fields(demo):
    body = graph(demo, {"subscriptions": [SUB], "query": ITEM_QUERY + " | where properties.friendlyName == 'stalledVM'"})
    row = body.json()["data"][0]
    assert set(row) == {"id", "name", "type", "tenantId", "kind", "location", "resourceGroup", "subscriptionId",
                        "managedBy", "sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation"}
    assert row["type"] == ITEMS and row["resourceGroup"] == "opsvaultrg" and row["location"] == "westus"
    assert row["name"] == "VM;iaasvmcontainerv2;opsRG;stalledVM"
    p = row["properties"]
    for key in ("lastRecoveryPoint", "healthStatus", "protectionState", "lastBackupStatus", "lastBackupTime",
                "policyName", "sourceResourceId", "friendlyName", "backupManagementType", "workloadType",
                "protectedItemType", "vaultId"):
        assert key in p, key
    assert (p["healthStatus"], p["lastBackupStatus"]) == ("ActionRequired", "Failed")


def test_where_and_order_by(demo):
    q = (f"RecoveryServicesResources\n| where type == '{ITEMS}' and properties.lastBackupStatus == 'Failed'\n"
         "| order by properties.friendlyName asc")
    rows = graph(demo, {"query": q}).json()["data"]
    assert [r["properties"]["friendlyName"] for r in rows] == ["flakyVM", "stalledVM"]
    rows = graph(demo, {"query": f"RecoveryServicesResources | where type =~ '{ITEMS.upper()}' "
                                "| where properties.protectionState != 'Protected' | sort by name"}).json()["data"]
    assert [r["properties"]["friendlyName"] for r in rows] == ["retiredVM", "pausedVM", "oldAppVM"]  # descending
    case = graph(demo, {"query": f"RecoveryServicesResources | where type == '{ITEMS.upper()}'"}).json()
    assert case["totalRecords"] == 0  # == is case-sensitive
    take = graph(demo, {"query": ITEM_QUERY + " | take 3"}).json()
    assert take["totalRecords"] == 3


def test_jobs_of_the_last_14_days(demo):
    rows = graph(demo, {"query": f"RecoveryServicesResources | where type == '{JOBS}' "
                                "| where properties.status == 'Failed' | where properties.operation == 'Backup'"}
                 ).json()["data"]
    assert {r["properties"]["entityFriendlyName"] for r in rows} == {"stalledVM", "flakyVM"}
    everything = graph(demo, {"query": f"RecoveryServicesResources | where type == '{JOBS}'"}).json()
    assert everything["totalRecords"] > 50
    assert all(r["id"].lower().startswith(f"/subscriptions/{SUB}/resourcegroups/") for r in everything["data"])


def test_table_format(demo):
    body = graph(demo, {"query": ITEM_QUERY + " | take 2", "options": {"resultFormat": "table"}}).json()
    columns = [c["name"] for c in body["data"]["columns"]]
    assert columns[:3] == ["id", "name", "type"] and len(body["data"]["rows"]) == 2
    assert {c["name"]: c["type"] for c in body["data"]["columns"]}["properties"] == "object"


@pytest.mark.parametrize("query", ["SecurityResources | where type == 'x'",
                                   "RecoveryServicesResources | mv-expand properties",
                                   "RecoveryServicesResources | where colour == 'red'",
                                   "RecoveryServicesResources | where name['x'] == 'y'",
                                   "RecoveryServicesResources | extend x = nosuchfunction(name)",
                                   "RecoveryServicesResources | join kind=leftanti (Resources) on id",
                                   "RecoveryServicesResources | where"])
def test_unsupported_queries_get_resource_graphs_error(demo, query):
    r = graph(demo, {"query": query})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "BadRequest" and err["message"].startswith("Please provide below info when asking for support")
    assert [d["code"] for d in err["details"]] == ["InvalidQuery", "ParserFailure"]
    assert err["details"][1]["line"] == 1 and err["details"][1]["characterPositionInLine"] >= 1


def test_versions(demo):
    for version in ("2021-03-01", "2022-10-01", "2024-04-01"):
        assert graph(demo, {"query": ITEM_QUERY}, version=version).status_code == 200
    assert graph(demo, {"query": ITEM_QUERY}, version="2019-04-01").status_code == 400


def test_quota_headers_and_429(make_srv):
    server = make_srv(graph_quota=3)
    answers = [graph(server, {"query": ITEM_QUERY}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-ms-user-quota-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert all(a.headers["x-ms-user-quota-resets-after"] in ("00:00:05", "00:00:04") for a in answers)
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) >= 1
    err = refused.json()["error"]
    assert err["code"] == "RateLimiting" and err["details"][0]["code"] == "RateLimiting"
    other_user = {"Authorization": "Bearer someone-else"}
    assert graph(server, {"query": ITEM_QUERY}, headers=other_user).status_code == 200  # per user
    server.state.clock.advance(5)
    again = graph(server, {"query": ITEM_QUERY})
    assert again.status_code == 200 and again.headers["x-ms-user-quota-remaining"] == "2"


def test_paging_5000_does_not_trip_the_default_quota(make_srv):
    server = make_srv(fleet=5000 - DEMO_ITEMS, throttle=False)
    session = in_process(server)
    token, pages = None, 0
    while True:
        r = graph(server, {"query": ITEM_QUERY, "options": {"$skipToken": token} if token else {}}, session=session)
        assert r.status_code == 200
        pages += 1
        token = r.json().get("$skipToken")
        if not token:
            break
    assert pages == 5 and r.headers["x-ms-user-quota-remaining"] == "10"


def test_official_client_pages_with_skip_token(make_srv):
    server = make_srv(fleet=2500 - DEMO_ITEMS, token_lifetime=600, throttle=False)
    credential = EmulatorCredential(server.url)
    client = ResourceGraphClient(credential, base_url=server.url)
    rows, pages, token = [], 0, None
    while True:
        answer = client.resources(QueryRequest(subscriptions=[SUB], query=ITEM_QUERY,
                                               options=QueryRequestOptions(top=1000, skip_token=token)),
                                  enforce_https=False)  # the emulator speaks plain http on loopback
        pages += 1
        assert answer.total_records == 2500 and answer.result_truncated == "false"
        rows.extend(answer.data)
        token = answer.skip_token
        if not token:
            break
    assert pages == 3 and answer.count == 500 and len({r["id"] for r in rows}) == 2500
    assert credential.fetched == 1  # one issued token, reused by the client's bearer policy
    with pytest.raises(Exception, match="InvalidQuery|BadRequest"):
        client.resources(QueryRequest(subscriptions=[SUB], query="Resources | mv-expand tags"), enforce_https=False)
    client.close()


VMS = "Resources | where type =~ 'microsoft.compute/virtualmachines'"


def rows_of(server, query, **options):
    answer = graph(server, {"query": query, "options": options})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_joins_as_kql_joins(demo):
    """VMs and protected items: inner keeps matches, leftouter keeps VMs alone, fullouter items alone too."""
    left = f"{VMS} | project vmKey = tolower(id), vmName = name"
    right = (f"RecoveryServicesResources | where type =~ '{ITEMS}' "
             "| project itemKey = tolower(tostring(properties.sourceResourceId)), item = name")
    counts = {}
    for kind in ("inner", "leftouter", "fullouter"):
        body = rows_of(demo, f"{left} | join kind={kind} ({right}) on $left.vmKey == $right.itemKey")
        counts[kind] = body["totalRecords"]
        names = {r["vmName"] for r in body["data"]}
        if kind == "inner":
            assert "payrollVM" not in names and "testVM" in names
        else:
            assert {"payrollVM", "buildVM", "linuxWeb-dr"} <= names  # VMs no vault protects
        if kind == "fullouter":  # the item whose VM is gone: empty on the left (KQL's strings are never null)
            assert [r["item"] for r in body["data"] if not r["vmName"]] == ["VM;iaasvmcontainerv2;opsRG;oldAppVM"]
    assert counts["inner"] < counts["leftouter"] < counts["fullouter"]


def test_extend_case_and_ordering_with_nulls(demo):
    body = rows_of(demo, f"RecoveryServicesResources | where type =~ '{ITEMS}' "
                         "| extend stopped = iff(properties.protectionState == 'ProtectionStopped', 1, 0), "
                         "last = todatetime(properties.lastRecoveryPoint) "
                         "| extend age = datetime(2026-12-01) - last "
                         "| order by stopped desc, age desc nulls first, name asc "
                         "| project name, stopped, age")
    first = body["data"][0]
    assert first["stopped"] == 1 and isinstance(first["age"], str)  # a timespan written as Kusto's text
    assert [r["stopped"] for r in body["data"]] == sorted((r["stopped"] for r in body["data"]), reverse=True)
    table = rows_of(demo, f"RecoveryServicesResources | where type =~ '{ITEMS}' | summarize n = count() by "
                          "state = tostring(properties.protectionState) | order by n desc", resultFormat="table")
    assert [c["name"] for c in table["data"]["columns"]] == ["state", "n"]
    assert {c["name"]: c["type"] for c in table["data"]["columns"]}["n"] == "integer"
    assert sum(row[1] for row in table["data"]["rows"]) == DEMO_ITEMS


def test_a_query_with_take_is_not_paged(demo):
    """As Resource Graph documents it: take/limit/top results carry no skip token, and say they were cut."""
    body = rows_of(demo, f"{ITEM_QUERY} | take 10", **{"$top": 4})
    assert body["count"] == 4 and "$skipToken" not in body and body["resultTruncated"] == "true"
    paged = rows_of(demo, ITEM_QUERY, **{"$top": 4})
    assert "$skipToken" in paged and paged["resultTruncated"] == "false"


def test_more_than_three_joins_are_refused(demo):
    sub = f"({VMS} | project id)"
    r = graph(demo, {"query": f"{VMS} | project id " + " ".join(f"| join kind=inner {sub} on id" for _ in range(4))})
    assert r.status_code == 400 and [d["code"] for d in r.json()["error"]["details"]] == ["InvalidQuery",
                                                                                           "ParserFailure"]
