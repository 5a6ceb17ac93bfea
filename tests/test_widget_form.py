"""RestoreForm without a browser: set ``.value``s, ``click()``, and read the request, preview and messages."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from test_widget_picker import NEWEST, make_point, make_points

import restorekit as rk
from restorekit.core.errors import ArmError, ConfirmationRequired
from restorekit.model.points import RecoveryPoints
from restorekit.widgets import RestoreForm

NEW_VM = {"target_vm_name": "vm1-restored", "target_resource_group": "targetRG", "virtual_network": "testNet",
          "subnet": "default", "storage_account": "testAccount"}


class FakeOperation:
    """What item.restore returns in these tests."""

    def __repr__(self) -> str:
        return "<FakeOperation>"


class FakeItem:
    """A protected item that lists synthetic points and counts restores instead of sending them."""

    vm_name = "vm1"
    vm_resource_group = "testRG"

    def __init__(self, points: RecoveryPoints, error: Exception | None = None) -> None:
        self.points = points
        self.error = error
        self.calls: list[tuple[Any, bool]] = []
        self.during: Any = None  # called inside restore(), e.g. to click again re-entrantly

    def recovery_points(self) -> RecoveryPoints:
        return self.points

    def restore(self, request: Any, *, confirm: bool = False, display: bool | None = None) -> FakeOperation:
        self.calls.append((request, confirm))
        if self.during is not None:
            self.during()
        if self.error is not None:
            raise self.error
        return FakeOperation()


@pytest.fixture
def points() -> RecoveryPoints:
    return make_points(12)


@pytest.fixture
def item(points) -> FakeItem:
    return FakeItem(points)


def fill(form: RestoreForm, **values: Any) -> None:
    for name, value in values.items():
        form.fields[name].widget.value = value


def test_opens_on_restore_disks_with_the_newest_point(item, points):
    form = RestoreForm(item)
    assert form.scenario.value == "RestoreDisks"
    assert form.point is points[0]
    assert form.visible_fields[0] == "storage_account"  # required first
    assert form.fields["storage_account"].widget.description.endswith("*")
    assert "no staging storage account" in form.fields["storage_account"].message.value
    assert form.restore_button.disabled


def test_switching_scenario_changes_visible_fields(item):
    form = RestoreForm(item)
    disks = set(form.visible_fields)
    assert "luns" in disks and "target_vm_name" not in disks
    assert form.fields["luns"].row in form.fields_box.children
    assert form.confirm_box.layout.display == "none"

    form.scenario.value = "RestoreAsNewVM"
    new_vm = form.visible_fields
    assert {"target_vm_name", "virtual_network", "subnet"} <= set(new_vm) and "luns" not in new_vm
    assert all(form.fields[n].widget.description.endswith("*") for n in
               ("target_vm_name", "virtual_network", "subnet", "target_resource_group"))
    required = [n for n in new_vm if form.fields[n].widget.description.endswith("*")]
    assert new_vm[:len(required)] == required
    assert form.fields["luns"].row not in form.fields_box.children

    form.scenario.value = "ReplaceDisks"
    replace = set(form.visible_fields)
    assert not replace & {"target_vm_name", "target_resource_group", "zone", "luns", "disk_encryption_set"}
    assert form.confirm_box.layout.display == ""
    assert "region" in form.advanced_fields and "region" not in [
        r for r in form.visible_fields if form.fields[r].row in form.fields_box.children]
    assert form.restore_button.button_style == "danger"


def test_lun_checkboxes_follow_the_point(item, points):
    form = RestoreForm(item)
    luns = form.fields["luns"]
    assert list(luns.boxes) == [-1, 0, 1, 2]
    assert luns.boxes[-1].description == "OS disk" and luns.boxes[2].description == "LUN 2"
    assert "rk-lun-os" in luns.boxes[-1]._dom_classes and "rk-lun-1" in luns.boxes[1]._dom_classes
    fill(form, storage_account="testAccount")
    assert form.request.luns is None
    assert "restoreDiskLunList" not in form.request.to_body()["properties"]
    assert "every disk is restored" in luns.meaning.value

    luns.boxes[-1].value = True
    luns.boxes[1].value = True
    assert form.request.luns == [-1, 1]
    assert form.request.to_body()["properties"]["restoreDiskLunList"] == [-1, 1]
    assert "Only the ticked disks" in luns.meaning.value
    assert json.loads(form.preview.value.split(">", 1)[1].rsplit("</pre>", 1)[0].replace("&quot;", '"'))[
        "properties"]["restoreDiskLunList"] == [-1, 1]

    two_disks = make_point("rp-two", NEWEST + timedelta(days=1), luns=[-1, 0])
    form.picker.load(RecoveryPoints([two_disks, *points]))
    assert form.point is two_disks
    assert list(luns.boxes) == [-1, 0]
    assert form.request.luns == [-1]  # LUN 1 is gone with the point; the OS disk stays ticked

    no_list = make_point("rp-nolist", NEWEST + timedelta(days=2), luns=None)
    form.picker.load([no_list])
    assert luns.boxes == {} and "no disk list" in luns.meaning.value
    assert form.request.luns is None


def test_invalid_storage_account_shows_inline_and_disables_restore(item):
    form = RestoreForm(item)
    fill(form, storage_account="Bad Name!")
    message = form.fields["storage_account"].message.value
    assert "is not the ARM ID of a storage account" in message
    assert form.restore_button.disabled
    assert "fix the 1 problem" in form.status.value
    assert "storage_account" not in form.messages.value.split("Problems with the request")[-1] or \
        "Problems with the request" not in form.messages.value  # shown next to the field, not in the box

    fill(form, storage_account="testAccount")
    assert form.fields["storage_account"].message.value == ""
    assert not form.restore_button.disabled
    assert "No problems found" in form.messages.value


def test_new_vm_missing_fields_are_flagged_next_to_each_field(item):
    form = RestoreForm(item)
    form.scenario.value = "RestoreAsNewVM"
    fill(form, storage_account="testAccount")
    for name in ("target_vm_name", "virtual_network", "subnet", "target_resource_group"):
        assert "restoring as a new VM needs" in form.fields[name].message.value
    fill(form, **NEW_VM)
    assert form.problems == [] and not form.restore_button.disabled


def test_problem_of_a_hidden_field_goes_to_the_general_box(item):
    form = RestoreForm(item)
    fill(form, storage_account="testAccount", extra='{"notAProperty": 1}')
    assert "notAProperty" in form.fields["extra"].message.value  # advanced field: inline, inside the accordion
    assert "2 problem(s) in Advanced options: Extra properties" in form.messages.value  # builder + shape rule
    assert "2 problem(s)" in form.advanced.titles[0]
    selective = make_point("rp-sel", NEWEST + timedelta(days=1))
    selective.raw["properties"]["recoveryPointDiskConfiguration"]["excludedDiskList"] = [{"lun": 3}]
    form.fields["extra"].widget.value = ""
    form.picker.load([selective])
    form.scenario.value = "RestoreAsNewVM"
    fill(form, **NEW_VM)
    assert "selective disk backup" in form.messages.value  # field "recovery_type" has no widget
    assert form.restore_button.disabled


def test_bad_json_in_a_mapping_field_is_a_problem_of_that_field(item):
    form = RestoreForm(item)
    fill(form, storage_account="testAccount", storage_account_properties="{not json")
    assert "not valid JSON" in form.fields["storage_account_properties"].message.value
    assert form.restore_button.disabled
    fill(form, storage_account_properties='{"location": "westus", "sku": {"name": "Standard_ZRS"}}')
    assert "zone-redundant" in form.fields["storage_account"].message.value


def test_replace_disks_needs_the_vm_name_typed(item):
    form = RestoreForm(item)
    form.scenario.value = "ReplaceDisks"
    fill(form, storage_account="testAccount")
    assert form.problems == []
    assert form.restore_button.disabled and "type vm1" in form.status.value
    assert "rk-confirm" in form.confirm._dom_classes
    form.confirm.value = "vm2"
    assert form.restore_button.disabled
    form.confirm.value = "vm1"
    assert not form.restore_button.disabled and form.confirmed
    form.scenario.value = "RestoreDisks"
    assert form.confirm.value == ""  # a confirmation is for one scenario and point
    form.scenario.value = "ReplaceDisks"
    assert form.restore_button.disabled
    form.confirm.value = "vm1"
    form.picker.value = form.picker.candidates[1]
    assert form.restore_button.disabled  # a new point needs a new confirmation


def test_request_and_body_equal_the_builders_for_the_same_inputs(item, points):
    form = RestoreForm(item)
    form.scenario.value = "RestoreAsNewVM"
    form.picker.value = points[3]
    fill(form, **NEW_VM, zone=None, region="westus", identity="system", disk_encryption_set="targetRG/des1")
    expected = rk.RestoreAsNewVM(points[3], **NEW_VM, region="westus", identity="system",
                                 disk_encryption_set="targetRG/des1")
    assert form.request == expected
    assert form.request.to_body() == expected.to_body()
    assert form.preview.value.count("vm1-restored") == 1
    assert json.dumps(expected.to_body()["properties"]["targetVirtualMachineId"]) in \
        form.preview.value.replace("&quot;", '"')

    form.scenario.value = "ReplaceDisks"
    assert form.request.to_body() == rk.ReplaceDisks(points[3], storage_account="testAccount", region="westus",
                                                     identity="system").to_body()


@pytest.mark.parametrize("request_of", [
    lambda p: rk.RestoreDisks(p, storage_account="testRG/testAccount", luns=[0, 2], target_resource_group="targetRG",
                              rehydration_priority="High", rehydration_duration=timedelta(days=12)),
    lambda p: rk.RestoreAsNewVM(p, **NEW_VM, identity=True, extra={"affinityGroup": ""}, encryption=False,
                                restore_with_managed_disks=False, resource_guard_operation_requests=["/a", "/b"]),
    lambda p: rk.ReplaceDisks(p, storage_account="testAccount", disk_network_access="SameAsOnSourceDisks",
                              create_new_cloud_service=True),
])
def test_fill_from_a_builder_round_trips(item, points, request_of):
    request = request_of(points[6])
    form = RestoreForm(item, request=request)
    assert form.scenario.value == request.scenario
    assert form.point is points[6]
    assert form.request == request
    assert form.request.to_body() == request.to_body()

    other = RestoreForm(item)
    other.load(request)
    assert other.request == request
    if isinstance(request, rk.RestoreDisks):
        assert [n for n, box in other.fields["luns"].boxes.items() if box.value] == [0, 2]
        assert other.fields["rehydration_duration"].widget.value == "12"  # shown as days, kept as given


def test_load_adds_a_point_the_list_lacks(item):
    stranger = make_point("rp-old", NEWEST - timedelta(days=400))
    form = RestoreForm(item, request=rk.RestoreDisks(stranger, storage_account="testAccount", luns=[7]))
    assert form.point is stranger
    assert form.fields["luns"].boxes[7].description == "LUN 7 (not in this point)"
    assert "LUN" in form.fields["luns"].message.value  # the checker says LUN 7 is not a disk of the point
    assert form.request.luns == [7]


def test_restore_click_calls_item_restore_once_and_shows_the_operation(item):
    form = RestoreForm(item)
    fill(form, storage_account="testAccount")
    form.restore_button.click()
    form.restore_button.click()  # a double click
    assert len(item.calls) == 1
    request, confirm = item.calls[0]
    assert request is form.request and confirm is False
    assert isinstance(form.operation, FakeOperation)
    assert "FakeOperation" in form.operation_box.children[0].value
    assert form.restore_button.disabled and "submitted" in form.status.value
    fill(form, storage_account="testingAccount")  # edits after submitting do not re-arm
    form.restore_button.click()
    assert len(item.calls) == 1 and form.restore_button.disabled

    assert form.again_button.layout.display == ""
    form.again_button.click()  # "New restore…": re-arms (nothing destructive to confirm here)
    assert not form.restore_button.disabled
    form.restore_button.click()
    assert len(item.calls) == 2


def test_reentrant_clicks_trigger_one_restore(item):
    form = RestoreForm(item)
    fill(form, storage_account="testAccount")
    states = []

    def click_again() -> None:
        states.append(form.restore_button.disabled)
        form.restore_button.click()
        form._on_restore_click(form.restore_button)

    item.during = click_again
    form.restore_button.click()
    assert len(item.calls) == 1
    assert states == [True]  # disabled before restore() ran


def test_concurrent_clicks_trigger_one_restore(item):
    form = RestoreForm(item)
    fill(form, storage_account="testAccount")
    inside, release = threading.Event(), threading.Event()

    def slow() -> None:
        inside.set()
        release.wait(5)

    item.during = slow
    first = threading.Thread(target=form.restore_button.click)
    first.start()
    assert inside.wait(5)
    form.restore_button.click()  # arrives while the first is still submitting
    release.set()
    first.join(5)
    assert len(item.calls) == 1


def test_replace_disks_passes_confirm_and_rearming_needs_the_name_again(item):
    form = RestoreForm(item)
    form.scenario.value = "ReplaceDisks"
    fill(form, storage_account="testAccount")
    form.restore_button.click()  # not armed: nothing happens
    assert item.calls == []
    form.confirm.value = "vm1"
    form.restore_button.click()
    assert len(item.calls) == 1 and item.calls[0][1] is True
    form.again_button.click()
    assert form.confirm.value == "" and form.restore_button.disabled


@pytest.mark.parametrize("error, title", [
    (ConfirmationRequired("a restore of VM testRG/vm1 is already in progress"), "Confirmation needed"),
    (ArmError(400, "UserErrorInvalidRequestParameter", "bad storage account"), "Azure refused the restore"),
    (rk.ValidationError([rk.Problem("region", "no restore region", "pass region")]), "refused before sending"),
])
def test_trigger_errors_show_in_the_message_area(points, error, title):
    item = FakeItem(points, error=error)
    form = RestoreForm(item)
    fill(form, storage_account="testAccount")
    form.restore_button.click()  # must not raise
    assert title in form.messages.value
    assert str(error).splitlines()[0][:30].replace("'", "&#x27;") in form.messages.value
    assert form.operation is None and form.error is error
    assert not form.restore_button.disabled  # nothing was submitted: the user may retry
    fill(form, storage_account="testingAccount")
    assert title not in form.messages.value  # the next edit clears it


def test_form_from_a_point_without_a_listable_item(points):
    class Bare:
        vm_name = "vm1"

        def restore(self, request, *, confirm=False, display=None):
            raise AssertionError("not clicked")

    form = RestoreForm(Bare(), point=points[4])
    assert form.point is points[4]
    assert "could not list the recovery points" in form.messages.value


def test_css_classes_for_the_browser(item):
    form = RestoreForm(item)
    for widget, cls in ((form, "rk-restore-form"), (form.scenario, "rk-scenario"), (form.preview, "rk-preview"),
                        (form.messages, "rk-messages"), (form.restore_button, "rk-restore-button"),
                        (form.confirm, "rk-confirm"), (form.again_button, "rk-restore-again"),
                        (form.operation_box, "rk-operation"), (form.advanced, "rk-advanced"),
                        (form.fields["storage_account"].widget, "rk-input-storage_account"),
                        (form.fields["storage_account"].message, "rk-message-storage_account"),
                        (form.fields["storage_account"].row, "rk-field-storage_account")):
        assert cls in widget._dom_classes, cls


def test_restore_against_the_emulator():
    from restorekit import emulator

    with emulator.start(job_seconds=2, retry_after=1, throttle=False) as srv, rk.connect(srv.url) as az:
        item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
        form = RestoreForm(item)
        fill(form, storage_account="testAccount", target_resource_group="targetRG")
        form.fields["luns"].boxes[0].value = True
        assert form.armed
        form.restore_button.click()
        form.restore_button.click()
        operation = form.operation
        assert operation is not None, form.messages.value
        job = operation.wait(timeout=30)
        assert job.status == "Completed"
        assert type(form.operation_box.children[0]).__name__ == "OperationProgress"
        jobs = item.vault.jobs(operation="Restore")
        assert len(jobs) == 1  # two clicks, one restore


def test_rehydration_fields_are_up_front_only_for_an_archived_point():
    from restorekit.model.points import RecoveryPoint
    from restorekit.widgets.form import RestoreForm

    def make(name, tiers):
        raw = {"id": f"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testVaultRG/providers/"
                     f"Microsoft.RecoveryServices/vaults/testVault/backupFabrics/Azure/protectionContainers/"
                     f"iaasvmcontainer;iaasvmcontainerv2;testRG;testVM/protectedItems/VM;iaasvmcontainerv2;testRG;"
                     f"testVM/recoveryPoints/{name}", "name": name,
               "properties": {"objectType": "IaasVMRecoveryPoint", "recoveryPointType": "AppConsistent",
                              "recoveryPointTime": f"2026-01-0{name[-1]}T06:00:00Z",
                              "recoveryPointTierDetails": [{"type": t, "status": "Valid"} for t in tiers]}}
        return RecoveryPoint.from_resource(raw, vault_location="westus")

    recent, archived = make("1", ["HardenedRP"]), make("2", ["ArchivedRP"])
    form = RestoreForm(None, point=recent, points=[recent, archived])
    assert "rehydration_priority" in form.advanced_fields
    form.picker.value = archived
    assert "rehydration_priority" not in form.advanced_fields
    assert "rehydration_priority" in form.visible_fields


# -- against the live estate (the emulator) ----------------------------------------------------------------------
@pytest.fixture
def live_item(emulator_server):
    with rk.connect(emulator_server.url) as az:
        yield az.vault("testVaultRG", "testVault").vm("testRG", "testVM")


def test_the_form_offers_the_storage_accounts_of_the_region_and_says_why_others_are_not(live_item):
    form = RestoreForm(live_item)
    assert form.online
    box = form.fields["storage_account"]
    assert {"testRG/testAccount", "testRG/testingAccount", "targetRG/targetAccount"} <= set(box.widget.options)
    assert not {"testRG/zrsAccount", "crrRG/eastAccount"} & set(box.widget.options)
    listed = box.choices.value
    assert "zrsAccount" in listed and "zone-redundant" in listed and "eastAccount" in listed and "eastus" in listed


def test_the_form_checks_the_estate_and_shows_the_problem_next_to_the_field(live_item):
    form = RestoreForm(live_item)
    fill(form, storage_account="crrRG/eastAccount")
    assert not form.armed and "in eastus, the restore in westus" in form.fields["storage_account"].message.value
    fill(form, storage_account="testRG/testAccount")
    assert form.armed and "checked against the live estate" in form.messages.value


def test_the_form_offers_networks_of_the_region_and_the_subnets_of_the_chosen_one(live_item):
    form = RestoreForm(live_item)
    form.scenario.value = "RestoreAsNewVM"
    nets = form.fields["virtual_network"].widget.options
    assert "targetRG/testNet" in nets and "crrRG/eastNet" not in nets
    fill(form, virtual_network="targetRG/testNet")
    assert set(form.fields["subnet"].widget.options) == {"default", "backend"}
    groups = form.fields["target_resource_group"]
    assert "targetRG" in groups.widget.options and "crrRG" not in groups.widget.options
    assert "crrRG" in groups.choices.value and "not the restore region" in groups.choices.value
