"""A point of one VM given to another VM's item is refused offline, naming both VMs and the fix, nothing sent.

Azure answers a restore POSTed through another item with a 404 that restorekit would explain as "the point probably
expired": the request is a value that knows its point's VM, so every path that takes it through an item refuses it
first: ``item.restore``, ``item.check``, the cross-region path and the form.
"""

from __future__ import annotations

import pytest

import restorekit as rk
from restorekit.client.cross_region import CrossRegion
from restorekit.core.errors import ValidationError


@pytest.fixture
def sent(az, monkeypatch):
    """Every request the connection sends, as (method, path)."""
    calls = []
    real = az.arm.request

    def record(method, path_or_url, **kwargs):
        calls.append((method, path_or_url))
        return real(method, path_or_url, **kwargs)

    monkeypatch.setattr(az.arm, "request", record)
    return calls


@pytest.fixture
def vault(az):
    return az.vault("testVaultRG", "testVault")


@pytest.fixture
def other_point(vault):
    """The newest point of multiDiskVM, which the tests give to testVM's item."""
    return vault.vm("testRG", "multiDiskVM").recovery_points().latest()


def test_a_restore_through_another_vms_item_is_refused_before_sending(vault, other_point, sent):
    item = vault.vm("testRG", "testVM")
    sent.clear()
    with pytest.raises(ValidationError) as info:
        item.restore(rk.RestoreDisks(other_point, storage_account="testAccount"), display=False)
    text = str(info.value)
    assert f"recovery point {other_point.name} belongs to VM multiDiskVM" in text
    assert "not to VM testVM (resource group testRG)" in text
    assert "az.vault('testVaultRG', 'testVault').vm('testRG', 'multiDiskVM').restore(request)" in text
    assert "expired" not in text
    assert sent == []  # refused offline: not even the estate was read


def test_the_same_vm_name_in_another_resource_group_is_another_vm(vault, sent):
    twin = vault.vm("testRG1", "testVM").recovery_points().latest()
    item = vault.vm("testRG", "testVM")
    sent.clear()
    with pytest.raises(ValidationError, match=r"belongs to VM testVM \(resource group testRG1\), not to VM testVM "
                                              r"\(resource group testRG\)"):
        item.restore(rk.RestoreDisks(twin, storage_account="testAccount"), display=False)
    assert not [call for call in sent if call[0] == "POST"]


def test_item_check_reports_it_first_and_asks_nothing(vault, other_point, sent):
    item = vault.vm("testRG", "testVM")
    sent.clear()
    report = item.check(rk.RestoreDisks(other_point, storage_account="testAccount"), online=True, service=True)
    assert not report.ok and report.problems[0].field == "point"
    assert "belongs to VM multiDiskVM" in report.problems[0].message
    assert report.service is None and sent == []  # no read, no validate operation for a request not this item's


def test_its_own_item_still_takes_it(vault, other_point):
    own = vault.vm("testRG", "multiDiskVM")
    assert own.check(rk.RestoreDisks(other_point, storage_account="testAccount"), online=False).ok


def test_the_cross_region_path_names_the_vms_and_the_fix(az, sent):
    crr = CrossRegion(az.vault("crrRG", "crrVault").vm("crrRG", "crrVM"))
    other = CrossRegion(az.vault("crrRG", "crrVault").vm("zoneRG", "zoneVM")).recovery_points().latest()
    request = rk.RestoreDisks(other, storage_account="testRG/testAccount")
    sent.clear()
    with pytest.raises(ValidationError) as info:
        crr.restore(request, display=False)
    assert ("az.vault('crrRG', 'crrVault').vm('zoneRG', 'zoneVM').cross_region().restore(request)"
            in str(info.value))
    assert "not to VM crrVM" in str(info.value)
    assert [p.field for p in crr.check(request, online=False).problems][:1] == ["point"]
    assert not [call for call in sent if "accessToken" in call[1] or "CrossRegionRestore" in call[1]]


def test_the_form_shows_it_next_to_the_point_and_stays_disarmed(vault, other_point, sent):
    item = vault.vm("testRG", "testVM")
    form = rk.RestoreForm(item, point=other_point)
    form.fields["storage_account"].widget.value = "testAccount"
    assert "belongs to VM multiDiskVM" in form.point_message.value
    assert "not to VM testVM" in form.point_message.value
    assert not form.armed and form.restore_button.disabled
    assert not [call for call in sent if call[0] == "POST"]
