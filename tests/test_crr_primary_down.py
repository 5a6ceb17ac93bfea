"""Cross-region restore while the primary region is down: no call to it is needed, and the runbook completes."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

import restorekit as rk

ROOT = Path(__file__).resolve().parents[1]


def westus_down(retry_after: int):
    """An emulator whose westus (testVault's region) is down: its active stamp answers 503 with ``Retry-After``."""
    from restorekit import emulator

    with emulator.start(job_seconds=2, retry_after=retry_after, throttle=False) as srv:
        srv.state.faults.region_outage("westus")
        yield srv


@pytest.fixture
def outage():
    """westus down, its 503s asking to retry after 1 s."""
    yield from westus_down(1)


def test_the_vm_and_its_points_come_from_the_secondary_region(outage):
    with rk.connect(outage.url) as az:
        with pytest.raises(rk.ArmError, match="ServiceUnavailable"):
            az.arm.probe().get(f"/subscriptions/{az.subscription_id}/resourceGroups/"
                               "testVaultRG/providers/Microsoft.RecoveryServices/vaults/testVault",
                               api_version="2024-04-01")  # the primary region really is down
        crr = az.cross_region("testVaultRG", "testVault", "testRG1", "testVM", secondary_region="eastus")
        lag = crr.replication_lag()
        assert lag.primary_error and "ServiceUnavailable" in lag.primary_error and lag.lag is None
        assert "does not answer" in str(lag) and lag.secondary_newest is not None
        point = crr.recovery_points().select("best")
        assert point.region == "secondary" and point.copy_region == "eastus"
        request = crr.validate(rk.RestoreDisks(point, storage_account="testRG1/testStorageAccount",
                                               target_resource_group="testRG1"))
        job = crr.restore(request, display=False).wait(timeout=60)
        assert job.status == "Completed" and job.region == "eastus"


def test_the_exports_show_the_four_calls_without_the_token(outage):
    with rk.connect(outage.url) as az:
        crr = az.cross_region("testVaultRG", "testVault", "testRG1", "testVM", secondary_region="eastus")
        point = crr.recovery_points().select("latest")
        request = rk.RestoreDisks(point, storage_account="testRG1/testStorageAccount")
        curl, az_rest = request.to_curl(), request.to_az_rest()
    for text in (curl, az_rest):
        assert [line.split(".")[0] for line in text.splitlines() if line.startswith("# ")] == ["# 1", "# 2", "# 3",
                                                                                            "# 4"]
        assert "locations/eastus/backupAadProperties" in text and "/accessToken?api-version=2018-12-20" in text
        assert "locations/eastus/backupCrossRegionRestore" in text and "locations/eastus/backupCrrJob" in text
        assert "accessTokenString" not in text and "crr-token.json" in text
    assert '"region": "eastus"' in curl and "/restore?" not in curl


def test_the_cross_region_runbook_completes_with_the_primary_region_down(outage, tmp_path, monkeypatch):
    import papermill

    monkeypatch.setenv("RESTOREKIT_ENDPOINT", outage.url)
    monkeypatch.setenv("RESTOREKIT_HEADLESS", "1")
    out = tmp_path / "05.ipynb"
    papermill.execute_notebook(str(ROOT / "restorekit" / "notebooks" / "05-cross-region-restore.ipynb"), str(out),
                               cwd=str(ROOT / "restorekit" / "notebooks"), progress_bar=False, kernel_name="python3",
                               execution_timeout=120)
    text = "\n".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells
                     for o in c.get("outputs", []) if isinstance(o.get("text"), str))
    assert "the primary region does not answer (ServiceUnavailable" in text
    assert "Completed in" in text and "[local emulator, not Azure]" in text
    assert outage.state.faults.outage_regions and os.environ["RESTOREKIT_ENDPOINT"] == outage.url


@pytest.fixture
def slow_outage():
    """westus down, its 503s asking to retry after 30 s (the kind of answer that stalled a session for 40 s)."""
    yield from westus_down(30)


def test_an_unreachable_region_is_said_within_seconds_with_the_cross_region_call(slow_outage):
    import time

    with rk.connect(slow_outage.url) as az:
        started = time.monotonic()
        with pytest.raises(rk.RegionUnavailable) as caught:
            az.vault("testVaultRG", "testVault")
        assert time.monotonic() - started < 10
        error = caught.value
        assert "its region westus is not answering (ServiceUnavailable" in str(error)
        assert error.region == "westus" and error.secondary_region == "eastus"
        assert ('az.cross_region("testVaultRG", "testVault", "<VM resource group>", "<VM name>", '
                'secondary_region="eastus")') in str(error)
        # the call it names works while the region is down
        crr = az.cross_region("testVaultRG", "testVault", "testRG1", "testVM", secondary_region="eastus")
        assert crr.recovery_points().select("latest").region == "secondary"


def test_a_vm_read_once_the_region_is_down_names_its_own_arguments(slow_outage):
    import time

    slow_outage.state.faults.end_outage()
    with rk.connect(slow_outage.url) as az:
        vault = az.vault("testVaultRG", "testVault")
        slow_outage.state.faults.region_outage("westus")
        started = time.monotonic()
        with pytest.raises(rk.RegionUnavailable, match=r'az.cross_region\("testVaultRG", "testVault", "testRG1", '
                                                      r'"testVM", secondary_region="eastus"\)'):
            vault.vm("testRG1", "testVM")
        assert time.monotonic() - started < 10
