"""Resource Graph from restorekit: one request per page, within the user's quota, errors that say what is wrong."""

from __future__ import annotations

import pytest

import restorekit as rk
from restorekit.client.discovery import listed_subscriptions
from restorekit.client.resource_graph import BACKUP_JOBS, PROTECTED_VMS, ResourceGraph


@pytest.fixture(scope="module")
def fleet():
    from restorekit import emulator

    with emulator.start(subscriptions=3, fleet=2500, throttle=False, graph_quota=0) as srv, \
            rk.connect(srv.url) as az:
        yield srv, az


def test_every_protected_vm_of_every_subscription_one_request_a_page(fleet):
    srv, az = fleet
    waits = []
    graph = ResourceGraph(az.arm, sleep=waits.append)
    pages = list(graph.pages(PROTECTED_VMS, [s.id for s in listed_subscriptions(az.arm)]))
    rows = [row for page in pages for row in page]
    assert graph.requests == len(pages) == 3  # 2,500 fleet VMs + the demo vaults' VMs, 1,000 a page
    assert len({r["id"].lower() for r in rows}) == len(rows) > 2500
    assert {r["subscriptionId"] for r in rows} == set(srv.subscription_ids)
    assert {r["properties"]["backupManagementType"] for r in rows} == {"AzureIaasVM"}


def test_the_quota_window_is_waited_for_not_exceeded():
    import time

    from restorekit import emulator

    with emulator.start(fleet=250, throttle=False, graph_quota=2) as srv, rk.connect(srv.url) as az:
        waits = []
        graph = ResourceGraph(az.arm, page_size=100, sleep=lambda s: (waits.append(s), time.sleep(s)))
        rows = graph.query(PROTECTED_VMS, [srv.subscription_id])
    assert graph.quota_waits >= 1 and waits and all(0 < w <= 5 for w in waits)  # 2 queries per 5 s
    assert graph.requests == 3 and len(rows) > 250  # no 429 drawn, nothing sent twice


def test_backup_jobs_of_the_last_14_days(fleet):
    srv, az = fleet
    jobs = ResourceGraph(az.arm, sleep=lambda s: None).query(BACKUP_JOBS, [srv.subscription_ids[0]])
    assert jobs and {j["type"] for j in jobs} == {"microsoft.recoveryservices/vaults/backupjobs"}


def test_a_query_resource_graph_refuses_is_an_arm_error_naming_it(fleet):
    srv, az = fleet
    with pytest.raises(rk.ArmError) as info:
        ResourceGraph(az.arm).query("Resources | mv-expand tags", [srv.subscription_ids[0]])
    assert info.value.status == 400 and "InvalidQuery" in str(info.value) or "ParserFailure" in str(info.value)
