"""at_risk: stale, failed, stopped, healthy, ranking, with and without a points frame."""

from __future__ import annotations

import pandas as pd
import pytest
from test_items import graph_row, item_id, protected_item

from restorekit.data.frames import recovery_points_frame
from restorekit.data.items import protected_items_frame
from restorekit.data.risk import COLUMNS, at_risk, span

NOW = pd.Timestamp("2026-11-20T00:00:00Z")
TIERS = [{"type": "InstantRP", "status": "Valid"}, {"type": "HardenedRP", "status": "Valid"}]


def iso(when: pd.Timestamp) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def daily_points(vm: str, newest: pd.Timestamp, days: int = 30, **where) -> list[dict]:
    head = item_id(vm, **where)
    return [{"id": f"{head}/recoveryPoints/{vm}{d}", "name": f"{vm}{d}",
             "properties": {"recoveryPointTime": iso(newest - pd.Timedelta(days=d)), "recoveryPointType": "CrashConsistent",
                            "recoveryPointTierDetails": TIERS}} for d in range(days)]


def fleet_item(vm: str, newest: pd.Timestamp, **props) -> dict:
    return protected_item(vm, **{"lastRecoveryPoint": iso(newest), "lastBackupTime": iso(newest), **props})


@pytest.fixture
def estate() -> tuple[pd.DataFrame, pd.DataFrame]:
    fresh = NOW - pd.Timedelta("2h")
    stale = NOW - pd.Timedelta("5D3h")  # backups stopped 5 days ago, nobody stopped protection
    items = protected_items_frame([
        fleet_item("healthy", fresh),
        fleet_item("stale", stale),
        fleet_item("failed", fresh, lastBackupStatus="Failed", lastBackupTime="2026-11-19T02:13:44Z"),
        fleet_item("stopped", NOW - pd.Timedelta("20D"), protectionState="ProtectionStopped"),
        fleet_item("warned", fresh, healthStatus="ActionSuggested"),
    ])
    points = recovery_points_frame(daily_points("healthy", fresh) + daily_points("stale", stale)
                                   + daily_points("failed", fresh) + daily_points("stopped", NOW - pd.Timedelta("20D"))
                                   + daily_points("warned", fresh))
    return items, points


def reasons_of(risk: pd.DataFrame) -> dict[str, str]:
    return dict(zip(risk.vm_name, risk.reasons, strict=True))


def test_stale_backups_failed_backup_and_stopped_protection_are_at_risk(estate):
    items, points = estate
    risk = at_risk(items, points, rpo="1D", now=NOW)
    assert list(risk.columns) == list(COLUMNS)
    why = reasons_of(risk)
    assert "newest point 5 days 3 h old (RPO 1 day)" in why["stale"]
    assert "5 missed backups in the last 30 days" in why["stale"]
    assert why["failed"] == "last backup Failed on 2026-11-19 02:13 UTC"
    assert why["stopped"].startswith("protection stopped; newest point 20 days old")
    assert why["warned"] == "health: action suggested"
    assert "healthy" not in why


def test_ranking_order_and_severity(estate):
    items, points = estate
    risk = at_risk(items, points, now=NOW)
    assert risk.vm_name.tolist() == ["stopped", "stale", "failed", "warned"]
    assert risk.severity.tolist() == ["critical", "critical", "high", "low"]
    assert risk.score.is_monotonic_decreasing
    everyone = at_risk(items, points, now=NOW, include_healthy=True)
    assert everyone.vm_name.tolist()[-1] == "healthy" and everyone.score.iloc[-1] == 0
    assert pd.isna(everyone.severity.iloc[-1]) and everyone.reasons.iloc[-1] == ""


def test_items_alone_judge_by_their_last_recovery_point(estate):
    items, _ = estate
    risk = at_risk(items, now=NOW)
    assert "newest point 5 days 3 h old (RPO 1 day)" in reasons_of(risk)["stale"]
    assert (risk.missed == 0).all()


def test_points_refine_the_items_last_recovery_point(estate):
    items, points = estate
    # the items snapshot is older than the points: the VM backed up since
    older = protected_items_frame([fleet_item("stale", NOW - pd.Timedelta("9D"))])
    fresh_points = recovery_points_frame(daily_points("stale", NOW - pd.Timedelta("2h")))
    assert len(at_risk(older, fresh_points, now=NOW)) == 0
    assert len(at_risk(older, now=NOW)) == 1


def test_points_alone_and_items_missing_from_the_items_frame(estate):
    _, points = estate
    risk = at_risk(None, points, now=NOW)
    assert set(risk.vm_name) == {"stale", "stopped"}  # the points say nothing of failures or protection
    lonely = recovery_points_frame(daily_points("orphan", NOW - pd.Timedelta("3D"), rg="other"))
    risk = at_risk(protected_items_frame([fleet_item("healthy", NOW - pd.Timedelta("1h"))]), lonely, now=NOW)
    assert risk.vm_name.tolist() == ["orphan"] and risk.vm_resource_group.tolist() == ["other"]


def test_no_recovery_point_and_protection_states():
    items = protected_items_frame([
        protected_item("never", lastRecoveryPoint=None, lastBackupTime=None, protectionState="IRPending"),
        protected_item("broken", lastRecoveryPoint=iso(NOW), protectionState="ProtectionError",
                       protectionStatus="Unhealthy"),
    ])
    why = reasons_of(at_risk(items, now=NOW))
    assert why["never"] == "no recovery point; initial backup pending"
    assert why["broken"] == "protection error; protection status Unhealthy"


def test_same_names_in_two_vaults_are_two_rows():
    items = protected_items_frame([graph_row("testVM", vault="a"), graph_row("testVM", vault="b")])
    risk = at_risk(items, now=NOW, include_healthy=True)
    assert len(risk) == 2 and risk.item_id.nunique() == 2 and set(risk.vault) == {"a", "b"}


def test_items_must_be_an_items_frame(estate):
    _, points = estate
    with pytest.raises(ValueError, match="protected_items_frame"):
        at_risk(points, now=NOW)


@pytest.mark.parametrize("text, expected", [("5D3h", "5 days 3 h"), ("1D", "1 day"), ("20h5min", "20 h 5 min"),
                                            ("45min", "45 min"), ("2D", "2 days")])
def test_spans_in_words(text, expected):
    assert span(pd.Timedelta(text)) == expected
