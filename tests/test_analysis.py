"""latest_points, rpo_gaps, summary over small hand-made frames: keyed by item, trailing gaps, missed vs thinned."""

from __future__ import annotations

import pandas as pd
import pytest

from restorekit.data.analysis import latest_points, rpo_gaps, summary
from restorekit.data.frames import recovery_points_frame

ITEM = ("/subscriptions/s/resourceGroups/{vrg}/providers/Microsoft.RecoveryServices/vaults/{vault}/backupFabrics/Azure/"
        "protectionContainers/iaasvmcontainer;iaasvmcontainerv2;{rg};{vm}/protectedItems/VM;iaasvmcontainerv2;{rg};{vm}")
TIERS = {"snapshot+vault": [{"type": "InstantRP", "status": "Valid"}, {"type": "HardenedRP", "status": "Valid"}],
         "vault": [{"type": "HardenedRP", "status": "Valid"}],
         "archive": [{"type": "ArchivedRP", "status": "Valid"}]}
NOW = pd.Timestamp("2026-01-10T00:00:00Z")


def point(vm: str, when: str | pd.Timestamp, kind: str = "CrashConsistent", tier: str = "snapshot+vault",
          name: str = "", vault: str = "v", rg: str = "rg", vrg: str = "vrg", rule: str | None = None) -> dict:
    when = pd.Timestamp(when).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = name or f"{vault}-{rg}-{vm}-{when}"
    props = {"objectType": "IaasVMRecoveryPoint", "recoveryPointType": kind, "recoveryPointTime": when,
             "recoveryPointTierDetails": TIERS[tier]}
    if rule:
        props["recoveryPointProperties"] = {"ruleName": rule}
    return {"id": ITEM.format(vault=vault, rg=rg, vrg=vrg, vm=vm) + f"/recoveryPoints/{name}", "name": name,
            "properties": props}


@pytest.fixture
def df() -> pd.DataFrame:
    return recovery_points_frame([
        point("a", "2026-01-01T22:00:00Z", "AppConsistent", "vault"),
        point("a", "2026-01-02T22:30:00Z"),
        point("a", "2026-01-03T23:59:00Z", "AppConsistent"),          # 25.5 h: late but within tolerance
        point("a", "2026-01-07T22:00:00Z"),                           # ~4 days: 3 missed
        point("b", "2026-01-05T10:00:00Z", tier="archive"),
        point("b", "2026-01-06T10:00:00Z", "AppConsistent", "vault"),
        point("b", "2026-01-08T13:00:00Z"),                           # 51 h: ceil(49/24)-1 = 2 missed
    ])


def test_latest_per_vm(df):
    latest = latest_points(df)
    assert latest.vm_name.tolist() == ["a", "b"]
    assert latest.time.tolist() == [pd.Timestamp("2026-01-07T22:00:00Z"), pd.Timestamp("2026-01-08T13:00:00Z")]


def test_latest_by_consistency_and_tier(df):
    app = latest_points(df, consistency="appconsistent")
    assert app.time.tolist() == [pd.Timestamp("2026-01-03T23:59:00Z"), pd.Timestamp("2026-01-06T10:00:00Z")]
    with pytest.warns(UserWarning, match=r"1 of 2 VM\(s\) have no ArchivedRP-tier point .* a: no ArchivedRP-tier "
                                         r"point \(its tiers are snapshot\+vault, vault\)"):
        archived = latest_points(df, tier="ArchivedRP")
    assert archived.vm_name.tolist() == ["b"] and archived.tier.tolist() == ["archive"]
    only_vault = latest_points(df, tier="vault")  # every point usable in the vault tier
    assert len(only_vault) == 2
    per_kind = latest_points(df, by=("item_id", "consistency"))
    assert len(per_kind) == 4


def test_latest_ignores_points_without_time(df):
    with pytest.warns(UserWarning):
        more = recovery_points_frame([point("a", "2026-01-01")] + [dict(point("a", "2026-01-09"), properties={
            "recoveryPointTime": "garbage", "recoveryPointTierDetails": TIERS["vault"]})])
    combined = pd.concat([df, more], ignore_index=True)
    assert latest_points(combined).time.notna().all()


def test_rpo_gaps_between_points(df):
    gaps = rpo_gaps(df, expected="1D", tolerance="2h", until=None)
    assert list(gaps.columns) == ["item_id", "vm_name", "resource_group", "vault", "gap_start", "gap_end", "gap",
                                  "missed", "open"]
    assert gaps.vm_name.tolist() == ["a", "b"]
    assert gaps.gap.tolist() == [pd.Timedelta("3D22h01min"), pd.Timedelta("2D3h")]
    assert gaps.missed.tolist() == [3, 2] and not gaps.open.any()
    assert gaps.gap_start[0] == pd.Timestamp("2026-01-03T23:59:00Z")


def test_rpo_gaps_include_the_trailing_gap_up_to_until(df):
    tail = rpo_gaps(df, until=NOW)
    assert len(tail) == 4  # both VMs are late at the end too
    trailing = tail[tail.open]
    assert trailing.vm_name.tolist() == ["a", "b"] and (trailing.gap_end == NOW).all()
    # a: newest 01-07 22:00, 50 h before NOW: the backup due 01-08 22:00 is missed; the one due 01-09 22:00
    # is 2 h late exactly at NOW, not yet missed. b: newest 01-08 13:00: the one due 01-09 13:00 is missed
    assert trailing.missed.tolist() == [1, 1]
    later = rpo_gaps(df, until=NOW + pd.Timedelta("1min"))
    assert later[later.open].missed.tolist() == [2, 1]
    assert len(rpo_gaps(df, expected="1D", tolerance="4D", until=None)) == 0
    with pytest.raises(ValueError):
        rpo_gaps(df, expected="0s")


def test_rpo_gaps_until_now_is_the_default(df):
    gaps = rpo_gaps(df)  # the points are in January 2026; now is later
    trailing = gaps[gaps.open]
    assert len(trailing) == 2 and (trailing.gap_end > pd.Timestamp("2026-01-10T00:00:00Z")).all()
    assert (trailing.gap_end - pd.Timestamp.now(tz="UTC")).abs().max() < pd.Timedelta("1min")


def test_two_vms_with_the_same_name_never_merge():
    df = recovery_points_frame([
        point("testVM", "2026-01-08T22:00:00Z", vault="vaultA", rg="rg1"),
        point("testVM", "2026-01-09T22:00:00Z", vault="vaultA", rg="rg1"),
        point("testVM", "2026-01-01T22:00:00Z", vault="vaultB", rg="rg1"),   # same RG and name, other vault
        point("testVM", "2026-01-09T21:00:00Z", vault="vaultA", rg="rg2"),   # same vault and name, other RG
        point("testVM", "2026-01-09T20:00:00Z", vault="vaultA", rg="rg1", vrg="other"),  # other vault RG
    ])
    assert df.item_id.nunique() == 4 and df.vm_id.nunique() == 2  # the source VMs: rg1/testVM and rg2/testVM
    latest = latest_points(df)
    assert len(latest) == 4 and set(latest.vm_name) == {"testVM"}
    s = summary(df, now=NOW)
    assert len(s) == 4 and s.points.sum() == 5
    assert s.iloc[0].vault == "vaultB" and s.iloc[0].missed == 7  # the stale one, first (the 8th is due at NOW)
    assert len(rpo_gaps(df, until=NOW).drop_duplicates("item_id")) == 1  # only vaultB's testVM is late


def test_summary(df):
    s = summary(df, now=NOW).reset_index().set_index("vm_name")
    assert s.loc["a", "points"] == 4 and s.loc["b", "points"] == 3
    assert s.loc["a", "in_snapshot"] == 3 and s.loc["a", "in_vault"] == 4 and s.loc["b", "in_archive"] == 1
    assert s.loc["a", "AppConsistent"] == 2 and s.loc["b", "CrashConsistent"] == 2
    assert s.loc["a", "oldest"] == pd.Timestamp("2026-01-01T22:00:00Z")
    assert s.loc["b", "newest"] == pd.Timestamp("2026-01-08T13:00:00Z")
    assert s.loc["a", "largest_gap"] == pd.Timedelta("3D22h01min")
    assert s.loc["a", "age"] == pd.Timedelta("2D2h") and s.loc["a", "missed"] == 3 + 1
    assert s.loc["b", "missed"] == 2 + 1
    assert list(s.index) == ["a", "b"]  # most missed backups first


def _history(vm: str, newest: pd.Timestamp, *, stop_days: int = 0, skip: tuple[int, ...] = ()) -> list[dict]:
    """A realistic retention: daily points for 30 days, then weekly for 12 weeks, then monthly for a year.

    ``stop_days``: the last backups did not happen; ``skip``: days (0 = newest) whose daily backup failed.
    """
    points = [point(vm, newest - pd.Timedelta(days=d), rule="DailyRule") for d in range(stop_days, 30) if d not in skip]
    points += [point(vm, newest - pd.Timedelta(days=30 + 7 * w), rule="WeeklyRule") for w in range(12)]
    points += [point(vm, newest - pd.Timedelta(days=120 + 30 * m), rule="MonthlyRule") for m in range(12)]
    return points


def test_missed_backups_are_told_apart_from_retention_thinning():
    newest = NOW - pd.Timedelta("3h")
    df = recovery_points_frame(_history("healthy", newest) + _history("skipped", newest, skip=(3, 4, 10))
                               + _history("stopped", newest, stop_days=5))
    s = summary(df, now=NOW).reset_index().set_index("vm_name")
    assert s.loc["healthy", "missed"] == 0
    assert s.loc["skipped", "missed"] == 3
    assert s.loc["stopped", "missed"] == 5 and s.loc["stopped", "age"] == pd.Timedelta("5D3h")
    # the weekly and monthly history is thinning, not failure
    assert s.loc["healthy", "thinning_gap"] == pd.Timedelta("30D") and s.loc["healthy", "largest_gap"] == pd.Timedelta("1D")
    assert s.loc["skipped", "largest_gap"] == pd.Timedelta("3D")
    # ranked by missed backups and staleness, not by the largest (thinning) gap
    assert list(s.index) == ["stopped", "skipped", "healthy"]
    # the whole history without a window counts the thinned history as missed: the window matters
    everything = summary(df, now=NOW, daily_window="3650D").reset_index().set_index("vm_name")
    assert everything.loc["healthy", "missed"] > 300


def test_functions_do_not_modify_input(df):
    before = df.copy()
    latest_points(df), rpo_gaps(df, until="now"), summary(df)
    pd.testing.assert_frame_equal(df, before)


def test_empty_frame():
    empty = recovery_points_frame([])
    assert len(latest_points(empty)) == 0 and len(rpo_gaps(empty)) == 0 and len(summary(empty)) == 0


def test_latest_points_name_the_vms_they_leave_out(df):
    linux = recovery_points_frame([point("linux1", "2026-01-05T10:00:00Z", "FileSystemConsistent"),
                                   point("linux2", "2026-01-06T10:00:00Z", "CrashConsistent")])
    both = pd.concat([df, linux], ignore_index=True)
    with pytest.warns(UserWarning, match=r"2 of 4 VM\(s\) have no AppConsistent point and are not in the result: "
                                         r"linux1: no AppConsistent point \(its points are FileSystemConsistent\)"):
        app = latest_points(both, consistency="AppConsistent")
    assert app.vm_name.tolist() == ["a", "b"]
    assert [r["vm_name"] for r in app.attrs["left_out"]] == ["linux1", "linux2"]
    assert app.attrs["left_out"][1]["why"] == "no AppConsistent point (its points are CrashConsistent)"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert latest_points(both).attrs["left_out"] == []  # none left out: nothing said
