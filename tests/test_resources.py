"""Connecting, vaults, protected VMs and recovery points against the emulator; clear errors."""

from __future__ import annotations

import pytest

import restorekit as rk
from restorekit.core.errors import ArmError, NotFoundError, TransportError

SUB = "00000000-0000-0000-0000-000000000000"


def test_connect_to_an_endpoint_has_a_readable_repr(az, emulator_server):
    assert emulator_server.url in repr(az) and SUB in repr(az)
    assert "Bearer" not in repr(az) and "token" not in repr(az).lower()


def test_connect_uses_the_env_endpoint(monkeypatch, emulator_server):
    monkeypatch.setenv("RESTOREKIT_ENDPOINT", emulator_server.url)
    with rk.connect() as az:
        assert az.kind == "endpoint" and az.endpoint == emulator_server.url


def test_connect_to_real_azure_picks_the_cloud(monkeypatch):
    monkeypatch.delenv("RESTOREKIT_ENDPOINT", raising=False)
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "11111111-1111-1111-1111-111111111111")
    az = rk.connect(credential=rk.DevTokenCredential(), cloud="AzureUSGovernment")
    assert az.endpoint == "https://management.usgovcloudapi.net" and az.kind == "azure"
    assert az.arm.scope == "https://management.usgovcloudapi.net/.default"
    assert "AzureUSGovernment" in repr(az)
    with pytest.raises(ValueError, match="AzureChinaCloud"):
        rk.connect(cloud="Mars")


def test_vault_and_protected_items(az):
    vault = az.vault("testVaultRG", "testVault")
    items = vault.protected_items()
    names = {i.vm_name for i in items}
    assert "testVM" in names and len(items) >= 4
    assert all(i.ref.item.lower().startswith("vm;iaasvmcontainerv2;") for i in items)


def test_unknown_vault_names_what_exists(az):
    with pytest.raises(NotFoundError) as info:
        az.vault("testVaultRG", "nope")
    assert "testVault" in str(info.value) and "nope" in str(info.value)


def test_unknown_vm_names_what_exists(az):
    with pytest.raises(NotFoundError) as info:
        az.vault("testVaultRG", "testVault").vm("testRG", "ghost")
    assert "testVM" in str(info.value) and "ghost" in str(info.value)


def test_recovery_points_across_pages(az):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    pages = list(az.arm.pages(f"{item.ref.path}/recoveryPoints"))
    assert len(pages) >= 3
    points = item.recovery_points()
    assert len(points) == sum(len(p["value"]) for p in pages)
    assert len({p.name for p in points}) == len(points)
    documented = points.get("20982486783671")
    assert documented.consistency == "AppConsistent" and documented.vm_size == "Standard_A1_v2"


def test_recovery_points_date_filter(az):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    everything = item.recovery_points()
    times = sorted(p.time for p in everything if p.time)
    middle = times[len(times) // 2]
    recent = item.recovery_points(start=middle)
    assert 0 < len(recent) < len(everything)
    assert all(p.time >= middle.replace(microsecond=0) for p in recent)
    with pytest.raises(ValueError, match="before start"):
        item.recovery_points(start="2026-10-02", end="2026-10-01")


def test_one_recovery_point_and_unknown_point(az):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    point = item.recovery_point("20982486783671")
    assert point.name == "20982486783671" and point.item == item.ref and point.vault_location == "westus"
    assert point.endpoint == az.endpoint and point.source_vm_id == item.source_vm_id  # where it comes from, as values
    with pytest.raises(NotFoundError) as info:
        item.recovery_point("99999999999999")
    assert "99999999999999" in str(info.value) and "newest" in str(info.value)


def test_arm_errors_carry_code_and_request_id(az):
    with pytest.raises(ArmError) as info:
        az.arm.get(f"/subscriptions/{SUB}/resourceGroups/x/providers/Microsoft.RecoveryServices/vaults/y"
                   "/backupProtectedItems", api_version="1999-01-01")
    assert info.value.status == 400 and info.value.code and info.value.request_id


def test_unreachable_endpoint_is_named():
    with rk.connect("http://127.0.0.1:9", retries=0) as az, pytest.raises(TransportError) as info:
        az.vault("rg", "v")
    assert "127.0.0.1:9" in str(info.value)


def test_notebook_renderings_are_tables_without_secrets(az):
    vault = az.vault("testVaultRG", "testVault")
    item = vault.vm("testRG", "testVM")
    point = item.recovery_point("20982486783671")
    for obj, expected in ((az, "subscription"), (vault, "westus"), (item, "testVM"), (point, "AppConsistent")):
        html = obj._repr_html_()
        assert "<table" in html and expected in html  # the connection opens with the emulator banner
        assert "Bearer" not in html and "restorekit-dev-token" not in html
