"""The fleet across subscriptions from a connection: Resource Graph discovery, the VMs at risk, points on demand."""

from __future__ import annotations

import pytest

import restorekit as rk

AS_OF = "2026-11-20T12:00:00Z"


@pytest.fixture(scope="module")
def az():
    from restorekit import emulator

    with emulator.start(subscriptions=3, fleet=60, throttle=False, as_of=AS_OF) as srv, rk.connect(srv.url) as conn:
        yield conn


def test_one_query_gives_the_fleets_backup_state_over_every_subscription(az):
    fleet = az.fleet()
    assert fleet.attrs["requests"] == 1 and len(fleet.attrs["subscriptions"]) == 3
    assert fleet["subscription_id"].nunique() == 3 and fleet["item_id"].is_unique
    assert {"protection_state", "health", "last_backup_status", "last_backup_time", "last_recovery_point",
            "policy"} <= set(fleet.columns)
    same_name = fleet[fleet["vm_name"] == "testVM"]
    assert len(same_name) == 3 and same_name["item_id"].nunique() == 3  # never merged by name


def test_the_vms_at_risk_ranked_with_their_reasons(az):
    risk = az.at_risk(now=AS_OF)
    reasons = dict(zip(risk["vm_name"].astype(str), risk["reasons"], strict=False))
    assert "protection stopped" in reasons["retiredVM"]
    assert "newest point 5 days" in reasons["stalledVM"] and "last backup Failed" in reasons["stalledVM"]
    assert "last backup Failed" in reasons["flakyVM"]
    assert "testVM" not in reasons  # healthy VMs are not listed
    assert list(risk["score"]) == sorted(risk["score"], reverse=True)


def test_points_on_demand_for_the_items_chosen(az):
    risk = az.at_risk(now=AS_OF)
    chosen = risk.head(8)  # VMs no vault protects come first: they have no points to list
    assert chosen["item_id"].isna().any() and chosen["item_id"].notna().any()
    inventory = az.inventory(items=chosen, progress=False)
    assert set(inventory["item_id"].astype(str)) == set(chosen["item_id"].dropna().astype(str))
    everything = az.inventory(subscriptions="all", progress=False)
    assert everything["subscription_id"].nunique() == 3 and len(everything.attrs["failures"]) == 0


def test_a_fleet_snapshot_round_trips_through_parquet(az, tmp_path):
    fleet = az.fleet()
    rk.to_parquet(fleet, tmp_path / "fleet.parquet")
    again = rk.read_parquet(tmp_path / "fleet.parquet")
    assert again.equals(fleet) and list(again.dtypes) == list(fleet.dtypes)
