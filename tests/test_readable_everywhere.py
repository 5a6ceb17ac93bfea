"""Issue 19, point 8: what a person reads says what happened, in their words.

A failed job names no blob it never wrote; the outcome of a new VM does not list its subnet as created; a bad VM
name is one problem, not a second about an ARM ID; the form's fixes speak its labels, not Python's keywords; a
resumed restore names its VM.
"""

from __future__ import annotations

import pytest
from test_widget_form import NEW_VM, FakeItem, fill
from test_widget_picker import make_points

import restorekit as rk
from restorekit.model.jobs import Job
from restorekit.restore.request.fields import in_form_words
from restorekit.widgets import RestoreForm

BAG = {"Config Blob Uri": "https://testaccount.blob.core.windows.net/c/vmconfig.json",
       "Template Blob Uri": "https://testaccount.blob.core.windows.net/c/azuredeploy.json",
       "Target Storage Account Name": "testAccount"}


def job(status: str) -> Job:
    return Job({"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.RecoveryServices/vaults/v/backupJobs/j1",
                "name": "j1", "properties": {"jobType": "AzureIaaSVMJob", "operation": "Restore", "status": status,
                                             "entityFriendlyName": "testVM",
                                             "extendedInfo": {"propertyBag": dict(BAG)}}})


@pytest.mark.parametrize("status", ["Failed", "Cancelled"])
def test_a_failed_or_cancelled_job_names_no_config_blob(status):
    assert job(status).config_blob_uri is None and job(status).template_blob_uri is None


def test_a_completed_job_names_its_config_blob():
    assert "vmconfig.json" not in job("Failed")._repr_html_()
    assert job("Completed").config_blob_uri == BAG["Config Blob Uri"]
    assert job("CompletedWithWarnings").template_blob_uri == BAG["Template Blob Uri"]


def new_vm(points, name):
    return rk.RestoreAsNewVM(points.latest(), **{**NEW_VM, "target_vm_name": name})


def test_a_bad_vm_name_is_one_problem():
    problems = new_vm(make_points(3), "bad name!").check().problems
    assert [p.field for p in problems] == ["target_vm_name"]
    assert problems[0].message.startswith("'bad name!' is not a valid VM name (1-64 letters")
    assert "ARM ID" not in str(problems[0])


@pytest.mark.parametrize(("fix", "said"), [
    ("pass target_vm_name=...", "fill in 'New VM name'"),
    ("pass luns=[0, 1] (-1 is the OS disk) or leave it out to restore every disk",
     "set 'Disks (LUNs)' to [0, 1] (-1 is the OS disk) or leave it empty to restore every disk"),
    ("pass unmanaged=True only to restore a managed VM's disks as VHD blobs",
     "tick 'Restore as unmanaged disks' only to restore a managed VM's disks as VHD blobs"),
    ("give target_vm_name as a bare name (it is placed in target_resource_group)",
     "give 'New VM name' as a bare name (it is placed in 'Target resource group')"),
    ("pass a zone the region offers, or none", "give a zone the region offers, or none"),
])
def test_fixes_in_the_forms_words(fix, said):
    labels = {"target_vm_name": "New VM name", "luns": "Disks (LUNs)", "unmanaged": "Restore as unmanaged disks",
              "target_resource_group": "Target resource group", "zone": "Availability zone"}
    assert in_form_words(fix, labels) == said


def test_the_form_speaks_its_labels_and_says_a_bad_vm_name_once():
    form = RestoreForm(FakeItem(make_points(12)))
    form.scenario.value = "RestoreAsNewVM"
    fill(form, storage_account="testAccount")
    shown = form.fields["target_vm_name"].message.value
    assert "fix: fill in &#x27;New VM name&#x27;" in shown and "target_vm_name=" not in shown
    fill(form, **{**NEW_VM, "target_vm_name": "bad name!"})
    shown = form.fields["target_vm_name"].message.value
    assert shown.count("rk-problem") == 1 and "ARM ID" not in shown
    assert [p.field for p in form.problems] == ["target_vm_name"]  # the data keeps the keyword


def test_a_resumed_restore_names_its_vm(az):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    op = item.restore(rk.RestoreDisks(item.recovery_points().latest(), storage_account="testAccount"),
                      display=False, allow_duplicate=True, poll_interval=0.2)
    op.wait(timeout=60)
    for again in (rk.resume(op.job_id, connection=az), rk.resume(op.journal_id, connection=az),
                  rk.RestoreOperation.from_continuation_token(az, op.continuation_token()),
                  az.vault("testVaultRG", "testVault").restore_job(op.job_id)):
        assert repr(again).startswith("<RestoreOperation VM testVM phase=")
