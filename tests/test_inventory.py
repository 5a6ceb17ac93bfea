"""Fleet inventory: every VM's points in one frame, concurrent, under the read throttle, failures reported."""

from __future__ import annotations

import pytest

import restorekit as rk
from restorekit import emulator
from restorekit.client.inventory import ReadPacer


@pytest.fixture
def fleet_server():
    with emulator.start(fleet=12, throttle=False) as server:
        yield server


def test_vault_inventory_matches_per_item_listing(fleet_server, capsys):
    with rk.connect(fleet_server.url) as az:
        vault = az.vault("fleetRG", "fleetVault")
        df = vault.inventory(workers=4)
        expected = {p.id.lower() for item in vault.protected_items() for p in item.recovery_points()}
    assert set(rk.point_ids(df).str.lower()) == expected
    assert df["vm_name"].nunique() == 12 and len(df.attrs["failures"]) == 0
    assert df["time"].dt.tz is not None
    assert list(df[["vault", "vm_name", "time"]].itertuples(index=False)) == sorted(
        df[["vault", "vm_name", "time"]].itertuples(index=False))
    out = capsys.readouterr().out
    assert "12 VM(s)" in out and "0 failed" in out


def test_an_inventory_reuses_its_connections(fleet_server):
    with rk.connect(fleet_server.url) as az:
        sent = []
        az.arm._session.hooks["response"].append(lambda r, *a, **k: sent.append(r))
        before = fleet_server.connections
        df = az.vault("fleetRG", "fleetVault").inventory(workers=4, progress=False)
        opened = fleet_server.connections - before
    assert len(df) and len(sent) >= 20
    # one connection per worker, one for the item list (its pages stream while the workers start) and one for
    # the vault's read (an interactive read: a session of its own), whatever the number of requests
    assert 1 <= opened <= 4 + 2


def test_the_streamed_inventory_equals_one_build_of_every_point(monkeypatch):
    from test_frame_parts import ORDER, assert_same_points

    from restorekit.data import frame_parts
    from restorekit.data.frames import recovery_points_frame

    monkeypatch.setattr(frame_parts, "BATCH", 150)  # many parts, joined at the end
    with emulator.start(fleet=60, subscriptions=3, throttle=False, as_of="2026-11-20T12:00:00Z") as server, \
            rk.connect(server.url) as az:
        streamed = az.inventory(subscriptions="all", progress=False)
        points = [p for item_id in az.fleet()["item_id"].astype(str)
                  for page in az.arm.pages(f"{item_id}/recoveryPoints") for p in page["value"]]
    whole = recovery_points_frame(points).sort_values(ORDER, kind="stable", ignore_index=True)
    assert len(streamed) == len(whole) > 150 * 5
    assert_same_points(streamed, whole)


def test_subscription_inventory_covers_every_vault(fleet_server):
    with rk.connect(fleet_server.url) as az:
        df = az.inventory(progress=False)
    assert {"testVault", "crrVault", "fleetVault"} <= set(df["vault"])


def test_failing_item_is_reported_not_dropped(fleet_server):
    fleet_server.state.faults.fail_next(50, status=500, retry_after=0, path_contains="fleet-vm-0003")
    with rk.connect(fleet_server.url, retries=1) as az, pytest.warns(RuntimeWarning, match="fleet-vm-0003"):
        df = az.vault("fleetRG", "fleetVault").inventory(progress=False)
    failures = rk.failures(df)
    assert list(failures["vm_name"]) == ["fleet-vm-0003"]
    assert df.attrs["failures"] == failures.to_dict("records")  # JSON records: pandas can compare and save them
    assert "500" in failures["error"].iloc[0] or "Internal" in failures["error"].iloc[0]
    assert "fleet-vm-0003" not in set(df["vm_name"]) and df["vm_name"].nunique() == 11


def test_inventory_under_the_read_throttle_loses_nothing():
    with emulator.start(fleet=30, read_bucket=15, read_refill=60) as server, rk.connect(server.url) as az:
        vault = az.vault("fleetRG", "fleetVault")
        df = vault.inventory(progress=False, workers=8)
    assert df["vm_name"].nunique() == 30 and len(df.attrs["failures"]) == 0


class FakeArm:
    remaining_reads: int | None = None


def test_pacer_spaces_requests_once_the_bucket_is_spent():
    now = [0.0]
    slept: list[float] = []
    arm = FakeArm()
    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = ReadPacer(arm, default_rate=10.0, clock=lambda: now[0], sleep=sleep)
    arm.remaining_reads = 100
    for _ in range(5):
        pacer.wait()
        pacer.observe()
    assert slept == []  # plenty left: no waiting
    arm.remaining_reads = 0
    for _ in range(3):
        pacer.wait()
    assert slept == pytest.approx([0.1, 0.1])  # the first goes at once, then 1 / default rate apart


def test_pacer_learns_the_refill_rate():
    now = [0.0]
    arm = FakeArm()
    pacer = ReadPacer(arm, clock=lambda: now[0], sleep=lambda s: None)
    remaining = 50
    for _ in range(40):  # 40 requests in 2 s while the bucket refills at 25/s
        now[0] += 0.05
        remaining = remaining - 1 + 1.25
        arm.remaining_reads = int(remaining)
        pacer.observe()
    assert 20 <= pacer.rate() <= 30


def test_an_inventory_runs_with_the_collector_paused_and_restores_it(fleet_server, monkeypatch):
    """The points held until they become parts are not walked by the cyclic collector; it is back on after,
    failures included."""
    import gc

    from restorekit.client import inventory

    fetched = inventory._fetch_points
    enabled_while_fetching: list[bool] = []

    def watched(*args, **kwargs):
        enabled_while_fetching.append(gc.isenabled())
        return fetched(*args, **kwargs)

    monkeypatch.setattr(inventory, "_fetch_points", watched)
    gc.enable()
    fleet_server.state.faults.fail_next(50, status=500, retry_after=0, path_contains="fleet-vm-0003")
    with rk.connect(fleet_server.url, retries=1) as az, pytest.warns(RuntimeWarning, match="fleet-vm-0003"):
        df = az.vault("fleetRG", "fleetVault").inventory(progress=False, workers=4)
    assert df["vm_name"].nunique() == 11
    assert enabled_while_fetching and not any(enabled_while_fetching)
    assert gc.isenabled()
