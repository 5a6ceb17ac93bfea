"""latest_points, rpo_gaps, summary over small hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from restorekit.data.analysis import latest_points, rpo_gaps, summary
from restorekit.data.frames import recovery_points_frame

VAULT = ("/subscriptions/s/resourceGroups/vrg/providers/Microsoft.RecoveryServices/vaults/v/backupFabrics/Azure/"
         "protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg;{vm}/protectedItems/VM;iaasvmcontainerv2;rg;{vm}")
TIERS = {"snapshot+vault": [{"type": "InstantRP", "status": "Valid"}, {"type": "HardenedRP", "status": "Valid"}],
         "vault": [{"type": "HardenedRP", "status": "Valid"}],
         "archive": [{"type": "ArchivedRP", "status": "Valid"}]}


def point(vm: str, when: str, kind: str = "CrashConsistent", tier: str = "snapshot+vault", name: str = "") -> dict:
    name = name or f"{vm}-{when}"
    return {"id": VAULT.format(vm=vm) + f"/recoveryPoints/{name}", "name": name,
            "properties": {"objectType": "IaasVMRecoveryPoint", "recoveryPointType": kind,
                           "recoveryPointTime": when, "recoveryPointTierDetails": TIERS[tier]}}


@pytest.fixture
def df() -> pd.DataFrame:
    return recovery_points_frame([
        point("a", "2026-01-01T22:00:00Z", "AppConsistent", "vault"),
        point("a", "2026-01-02T22:30:00Z"),
        point("a", "2026-01-03T23:59:00Z", "AppConsistent"),          # 25.5 h: late but within tolerance
        point("a", "2026-01-07T22:00:00Z"),                           # ~4 days: 3 missed
        point("b", "2026-01-05T10:00:00Z", tier="archive"),
        point("b", "2026-01-06T10:00:00Z", "AppConsistent", "vault"),
        point("b", "2026-01-08T13:00:00Z"),                           # 51 h: 2 missed? ceil(49/24)-1 = 2
    ])


def test_latest_per_vm(df):
    latest = latest_points(df)
    assert latest.vm_name.tolist() == ["a", "b"]
    assert latest.time.tolist() == [pd.Timestamp("2026-01-07T22:00:00Z"), pd.Timestamp("2026-01-08T13:00:00Z")]


def test_latest_by_consistency_and_tier(df):
    app = latest_points(df, consistency="appconsistent")
    assert app.time.tolist() == [pd.Timestamp("2026-01-03T23:59:00Z"), pd.Timestamp("2026-01-06T10:00:00Z")]
    archived = latest_points(df, tier="ArchivedRP")
    assert archived.vm_name.tolist() == ["b"] and archived.tier.tolist() == ["archive"]
    only_vault = latest_points(df, tier="vault")  # every point usable in the vault tier
    assert len(only_vault) == 2
    per_kind = latest_points(df, by=("vm_name", "consistency"))
    assert len(per_kind) == 4


def test_latest_ignores_points_without_time(df):
    with pytest.warns(UserWarning):
        more = recovery_points_frame([point("a", "garbage")])
    combined = pd.concat([df, more], ignore_index=True)
    assert latest_points(combined).time.notna().all()


def test_rpo_gaps(df):
    gaps = rpo_gaps(df, expected="1D", tolerance="2h")
    assert list(gaps.columns) == ["vm_name", "gap_start", "gap_end", "gap", "missed"]
    assert gaps.vm_name.tolist() == ["a", "b"]
    assert gaps.gap.tolist() == [pd.Timedelta("3D22h01min"), pd.Timedelta("2D3h")]
    assert gaps.missed.tolist() == [3, 2]
    assert gaps.gap_start[0] == pd.Timestamp("2026-01-03T23:59:00Z")


def test_rpo_gaps_tolerance_and_until(df):
    assert len(rpo_gaps(df, expected="1D", tolerance="4D")) == 0
    tail = rpo_gaps(df, until=pd.Timestamp("2026-01-10T00:00:00Z"))
    assert len(tail) == 4  # both VMs are late at the end too
    assert tail[tail.gap_end == pd.Timestamp("2026-01-10T00:00:00Z")].vm_name.tolist() == ["a", "b"]
    with pytest.raises(ValueError):
        rpo_gaps(df, expected="0s")


def test_summary(df):
    s = summary(df)
    assert s.index.tolist() == ["a", "b"]
    assert s.loc["a", "points"] == 4 and s.loc["b", "points"] == 3
    assert s.loc["a", "snapshot"] == 3 and s.loc["a", "vault"] == 4 and s.loc["b", "archive"] == 1
    assert s.loc["a", "AppConsistent"] == 2 and s.loc["b", "CrashConsistent"] == 2
    assert s.loc["a", "oldest"] == pd.Timestamp("2026-01-01T22:00:00Z")
    assert s.loc["b", "newest"] == pd.Timestamp("2026-01-08T13:00:00Z")
    assert s.loc["a", "largest_gap"] == pd.Timedelta("3D22h01min")


def test_functions_do_not_modify_input(df):
    before = df.copy()
    latest_points(df), rpo_gaps(df, until="now"), summary(df)
    pd.testing.assert_frame_equal(df, before)


def test_empty_frame():
    empty = recovery_points_frame([])
    assert len(latest_points(empty)) == 0 and len(rpo_gaps(empty)) == 0 and len(summary(empty)) == 0
