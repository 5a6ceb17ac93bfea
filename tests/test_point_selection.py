"""Points chosen the way an incident is described, and what a miss says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from restorekit.core.ids import ItemRef
from restorekit.model.point_selection import NoMatchingPoint, Selection
from restorekit.model.points import RecoveryPoint, RecoveryPoints

REF = ItemRef.for_vm("00000000-0000-0000-0000-000000000000", "vrg", "vault", "rg", "web01")
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
TIERS = {"snapshot": [{"type": "InstantRP", "status": "Valid"}, {"type": "HardenedRP", "status": "Valid"}],
         "vault": [{"type": "HardenedRP", "status": "Valid"}],
         "archive": [{"type": "ArchivedRP", "status": "Valid"}]}


def point(name, when, kind="CrashConsistent", tier="vault"):
    return RecoveryPoint(raw={"name": name, "properties": {
        "recoveryPointTime": when.isoformat().replace("+00:00", "Z"), "recoveryPointType": kind,
        "recoveryPointTierDetails": TIERS[tier]}}, item=REF)


@pytest.fixture
def linux_vm():
    """A Linux VM: file-system- and crash-consistent points, never app-consistent; snapshots for 2 days."""
    points = [point(f"p{d}", T0 - timedelta(days=d), "FileSystemConsistent" if d % 2 else "CrashConsistent",
                    "snapshot" if d < 2 else ("archive" if d > 20 else "vault")) for d in range(30)]
    return RecoveryPoints(points)


@pytest.fixture
def windows_vm():
    return RecoveryPoints([point("old-app", T0 - timedelta(days=9), "AppConsistent"),
                           point("new-crash", T0 - timedelta(hours=1), "CrashConsistent", "snapshot"),
                           point("app", T0 - timedelta(days=1), "AppConsistent", "snapshot")])


def test_latest(linux_vm):
    assert linux_vm.select("latest").name == "p0"


def test_best_takes_the_best_consistency_the_vm_has(linux_vm, windows_vm):
    assert windows_vm.select("best").name == "app"              # app-consistent beats a newer crash point
    assert linux_vm.select("best").name == "p1"                 # no app point: file system, then crash


def test_a_consistency(linux_vm, windows_vm):
    assert windows_vm.select("latest AppConsistent").name == "app"
    assert linux_vm.select("latest crash").name == "p0"
    assert linux_vm.select("latest fs").name == "p1"


def test_a_tier(linux_vm):
    assert linux_vm.select("latest snapshot").name == "p0"
    assert linux_vm.select("latest archive").name == "p21"
    assert linux_vm.select("latest vault").name == "p0"         # the snapshot points are in the vault too


def test_a_time_bound(linux_vm):
    assert linux_vm.select("latest before 2026-11-18T12:00Z").name == "p2"
    assert linux_vm.select("latest after 2026-11-19").name == "p0"
    assert linux_vm.select("closest to 2026-11-10T20:00Z").name == "p9"
    assert linux_vm.select("closest to 2026-11-10 03:00").name == "p10"


def test_combinations(linux_vm):
    assert linux_vm.select("latest FileSystemConsistent vault before 2026-11-15").name == "p7"
    assert linux_vm.select("best before 2026-11-15T03:00Z").name == "p5"


def test_a_name(linux_vm):
    assert linux_vm.select("p7").name == "p7"


def test_a_miss_lists_what_the_vm_has_and_suggests_the_nearest_selection(linux_vm):
    with pytest.raises(NoMatchingPoint) as info:
        linux_vm.select("latest AppConsistent")
    text = str(info.value)
    assert "FileSystemConsistent: newest p1" in text and "CrashConsistent: newest p0" in text
    assert "snapshot tier: 2 point(s), newest p0" in text and "archive tier" in text
    assert info.value.suggestion == "best" and "'best' → p1" in text


def test_a_miss_with_a_time_bound_suggests_dropping_it(linux_vm):
    with pytest.raises(NoMatchingPoint) as info:
        linux_vm.select("latest snapshot before 2026-11-01")
    assert info.value.suggestion == "latest before 2026-11-01T00:00:00Z"


def test_a_miss_of_a_name_lists_the_newest(linux_vm):
    with pytest.raises(NoMatchingPoint, match="no recovery point named 'nope'.*p0, p1"):
        linux_vm.select("nope")


def test_a_vm_without_points():
    with pytest.raises(NoMatchingPoint, match="no recovery point") as info:
        RecoveryPoints([]).select("best")
    assert info.value.suggestion is None


@pytest.mark.parametrize("text, why", [("latest sometimes", "'sometimes' is not a word"),
                                       ("latest before yesterday", "cannot read 'yesterday'"),
                                       ("closest", "needs a time"), ("", "empty")])
def test_words_it_does_not_understand(linux_vm, text, why):
    with pytest.raises(ValueError, match=why):
        linux_vm.select(text)


def test_a_selection_writes_itself_back():
    assert str(Selection.parse("latest app snapshot before 2026-11-20T02:00Z")) == \
        "latest AppConsistent snapshot before 2026-11-20T02:00:00Z"


def test_restore_speed_says_what_a_tier_costs(linux_vm):
    assert "fastest" in linux_vm.select("p0").restore_speed
    assert "slower" in linux_vm.select("p5").restore_speed
    assert "rehydrated" in linux_vm.select("p25").restore_speed


def test_the_demo_linux_vm_restores_with_the_runbooks_default(az):
    points = az.vault("opsVaultRG", "opsVault").vm("opsRG", "linuxWeb").recovery_points()
    assert points.select("best").consistency in ("FileSystemConsistent", "CrashConsistent")
    with pytest.raises(NoMatchingPoint, match="Nearest selection that matches: 'best'"):
        points.select("latest AppConsistent")


@pytest.mark.parametrize("word", ["oldest", "earliest", "first"])
def test_the_oldest_point(linux_vm, word):
    assert linux_vm.select(word).name == "p29"
    assert linux_vm.select(f"{word} FileSystemConsistent").name == "p29"
    assert linux_vm.select(f"{word} snapshot").name == "p1"
    assert str(Selection.parse(f"{word} app")) == "oldest AppConsistent"


@pytest.fixture
def in_paris(monkeypatch):
    """This kernel's local zone is Paris (UTC+1 in November)."""
    import time

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_time_without_a_zone_is_read_in_the_local_zone_and_said(linux_vm, in_paris):
    from restorekit.core.times import NaiveTimeWarning

    with pytest.warns(NaiveTimeWarning, match=r"'2026-11-15 02:30' has no time zone: read in this kernel's local "
                                              r"zone, CET \(UTC\+01:00\), as 2026-11-15 01:30:00 UTC"):
        chosen = linux_vm.select("latest before 2026-11-15 02:30")
    assert chosen.name == "p6"  # p5 (2026-11-15 02:00 UTC) is after 01:30 UTC: the point of the day before
    with pytest.warns(NaiveTimeWarning):
        assert linux_vm.select("latest before 2026-11-15T03:30").name == "p5"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert linux_vm.select("latest before 2026-11-15T02:30Z").name == "p5"  # a zone: nothing to say
        assert linux_vm.select("latest before 2026-11-15T03:30+01:00").name == "p5"
