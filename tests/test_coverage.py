"""What has no backup: az.coverage() lists every VM and protected item; az.at_risk() ranks unprotected VMs too,
filters by tag, and Resource Graph ranks as the client would (same rows, order and reasons)."""

from __future__ import annotations

import pandas as pd
import pytest

import restorekit as rk
from restorekit.client import resource_graph
from restorekit.data.coverage import COVERAGE
from restorekit.data.readable import as_text
from restorekit.data.risk import NOT_PROTECTED, VM_MISSING, at_risk

AS_OF = "2026-11-20T12:00:00Z"


@pytest.fixture(scope="module")
def srv():
    from restorekit import emulator

    with emulator.start(subscriptions=3, fleet=60, throttle=False, as_of=AS_OF, job_seconds=1,
                        retry_after=0) as server:
        yield server


@pytest.fixture(scope="module")
def az(srv):
    with rk.connect(srv.url) as conn:
        yield conn


def names(frame, coverage=None):
    if coverage is not None:
        frame = frame[frame["coverage"] == coverage]
    return set(frame["vm_name"].astype(str))


def test_coverage_lists_every_vm_protected_or_not_and_items_whose_vm_is_gone(az):
    cov = az.coverage()
    assert cov.attrs["requests"] == 1 and len(cov.attrs["subscriptions"]) == 3
    assert {"payrollVM", "buildVM", "linuxWeb-dr", "fleet-nobackup-0001", "fleet-nobackup-0002"} <= names(
        cov, "not protected")
    assert names(cov, "VM missing") == {"oldAppVM"}
    assert {"testVM", "stalledVM", "retiredVM"} <= names(cov, "protected")
    assert len(cov) == len(az.fleet()) + (cov["coverage"] == "not protected").sum()  # every item, every VM
    payroll = cov[cov["vm_name"] == "payrollVM"].iloc[0]
    assert payroll["vm_resource_group"] == "opsRG" and payroll["location"] == "westus"
    assert dict(payroll["tags"]) == {"environment": "production", "owner": "finance"}
    assert rk.tag_values(cov, "owner")[cov["vm_name"] == "payrollVM"].tolist() == ["finance"]
    shown = as_text(cov[cov["vm_name"] == "payrollVM"][["tags"]])  # as rk.readable shows them
    assert shown.iloc[0, 0] == "environment=production, owner=finance"
    assert as_text(cov[cov["vm_name"] == "payrollVM"][["vault", "policy"]]).iloc[0].tolist() == ["", ""]  # not NaN
    protected = cov[(cov["vm_name"] == "stalledVM")].iloc[0]
    assert protected["vault"] == "opsVault" and protected["policy"] and pd.notna(protected["last_backup_time"])
    gone = cov[cov["coverage"] == "VM missing"].iloc[0]
    assert gone["vault"] == "opsVault" and gone["protection_state"] == "ProtectionStopped"
    order = list(cov["coverage"].astype(str))
    assert order == sorted(order, key=COVERAGE.index)  # not protected first, then VM missing, then protected


def test_coverage_filters_by_tag_and_kind_in_the_query(az):
    prod = az.coverage(tags={"environment": "production"}, only="not protected")
    assert "payrollVM" in names(prod) and not {"buildVM", "linuxWeb-dr", "testVM"} & names(prod)
    assert set(prod["coverage"].astype(str)) == {"not protected"}
    assert set(rk.tag_values(prod, "environment")) == {"production"}
    assert "environment" in prod.attrs["query"] and "not protected" in prod.attrs["query"]
    assert set(az.coverage(tags="owner")["vm_name"].astype(str)) == {"payrollVM"}  # the tag is there
    with pytest.raises(rk.ValidationError, match="only='nothing'"):
        az.coverage(only="nothing")
    with pytest.raises(rk.ValidationError, match="tag name"):
        az.coverage(tags="=production")


def test_at_risk_ranks_vms_without_a_backup_first_with_the_reason(az):
    risk = az.at_risk(now=AS_OF)
    unprotected = risk[risk["coverage"] == "not protected"]
    assert {"payrollVM", "buildVM", "linuxWeb-dr"} <= names(unprotected)
    assert list(risk.index[risk["coverage"] == "not protected"]) == list(range(len(unprotected)))  # worst first
    assert set(unprotected["reasons"]) == {NOT_PROTECTED} and set(unprotected["severity"]) == {"critical"}
    assert unprotected["item_id"].isna().all() and unprotected["vm_id"].notna().all()
    reasons = dict(zip(risk["vm_name"].astype(str), risk["reasons"], strict=False))
    assert VM_MISSING in reasons["oldAppVM"] and "protection stopped" in reasons["oldAppVM"]
    assert "testVM" not in reasons
    assert list(risk["score"]) == sorted(risk["score"], reverse=True)


def test_production_vms_with_no_backup(az):
    risk = az.at_risk(now=AS_OF, tags={"environment": "production"})
    assert "payrollVM" in names(risk, "not protected") and "buildVM" not in names(risk)
    assert {"flakyVM", "pausedVM"}.isdisjoint(names(risk))  # tagged test
    assert "retiredVM" in names(risk)


@pytest.mark.parametrize("options", [{}, {"tags": {"environment": "production"}}, {"rpo": "12h"},
                                     {"tags": "environment=test", "rpo": "3D"}, {"include_healthy": True}])
def test_resource_graph_ranks_as_the_client_does(az, options):
    """The score computed in the query keeps, orders and words the same rows as rk.at_risk over coverage."""
    server = az.at_risk(now=AS_OF, **options)
    tags = options.get("tags")
    client = at_risk(az.coverage(), None, now=AS_OF, **options)
    assert server.attrs["requests"] == 1
    for column in ("item_id", "vm_id", "coverage", "severity", "reasons"):
        assert list(server[column].astype(str)) == list(client[column].astype(str)), column
    assert list(server["score"]) == list(client["score"])
    if tags is None and not options.get("include_healthy"):
        assert len(server) < len(az.coverage())  # only the rows at risk crossed the wire


def test_top_asks_for_the_worst_only(az):
    everything = az.at_risk(now=AS_OF)
    top = az.at_risk(now=AS_OF, top=3)
    assert list(top["vm_id"].astype(str)) == list(everything.head(3)["vm_id"].astype(str))
    with pytest.raises(rk.ValidationError, match="top=0"):
        az.at_risk(now=AS_OF, top=0)


def test_subscriptions_are_queried_in_batches_with_the_same_rows(az, monkeypatch):
    whole = az.at_risk(now=AS_OF)
    whole_cov = az.coverage()
    monkeypatch.setattr(resource_graph, "SUBSCRIPTIONS_PER_QUERY", 2)
    batched = az.at_risk(now=AS_OF)
    assert batched.attrs["batches"] == 2 and batched.attrs["requests"] == 2
    assert list(batched["vm_id"].astype(str)) == list(whole["vm_id"].astype(str))
    assert list(batched["reasons"]) == list(whole["reasons"])
    cov = az.coverage()
    assert cov.attrs["batches"] == 2
    assert list(cov["vm_id"].astype(str)) == list(whole_cov["vm_id"].astype(str))
    fleet = az.fleet()
    assert fleet.attrs["batches"] == 2 and list(fleet["item_id"]) == sorted(fleet["item_id"].astype(str))


def test_a_vm_restored_as_a_new_vm_has_no_backup(srv, az):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    point = item.recovery_points().select("best")
    op = item.restore(rk.RestoreAsNewVM(point, target_vm_name="restored-cov", target_resource_group="targetRG",
                                        virtual_network="testNet", subnet="backend", storage_account="testingAccount"),
                      display=False)
    op.wait()
    cov = az.coverage(only="not protected")
    assert "restored-cov" in names(cov)
    assert "restored-cov" in names(az.at_risk(now=AS_OF), "not protected")


def test_the_points_refine_the_ranking_over_coverage(az):
    risk = az.at_risk(now=AS_OF)
    chosen = risk[risk["item_id"].notna()].head(3)
    points = az.inventory(items=chosen, progress=False)
    refined = az.at_risk(now=AS_OF, points=points)
    assert "payrollVM" in names(refined, "not protected")  # still there: coverage is read, ranked here
    assert set(chosen["vm_name"].astype(str)) <= names(refined)


def test_the_official_resource_graph_client_runs_the_ranked_query(srv, az):
    """azure-mgmt-resourcegraph sends restorekit's at-risk query (a join, a score, an order) and pages it."""
    from azure.mgmt.resourcegraph import ResourceGraphClient
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    from restorekit.client.dev_credential import DevTokenCredential
    from restorekit.client.fleet_queries import at_risk_query

    query = at_risk_query(pd.Timestamp(AS_OF).to_pydatetime(), pd.Timedelta("1D").to_pytimedelta(),
                          pd.Timedelta("2h").to_pytimedelta())
    client = ResourceGraphClient(DevTokenCredential(endpoint=srv.url), base_url=srv.url)
    rows, token = [], None
    while True:
        answer = client.resources(QueryRequest(subscriptions=list(srv.subscription_ids), query=query,
                                               options=QueryRequestOptions(top=5, skip_token=token)),
                                  enforce_https=False)
        rows.extend(answer.data)
        token = answer.skip_token
        if not token:
            break
    client.close()
    ranked = az.at_risk(now=AS_OF)
    assert len(rows) == answer.total_records == len(ranked) > 5
    assert [r["rowKey"] for r in rows] == [
        (i if isinstance(i, str) else v).lower() for i, v in zip(ranked["item_id"].astype(object),
                                                                ranked["vm_id"].astype(object), strict=True)]
