"""What a completed restore leaves behind, read back through the ARM endpoints (and the official client)."""

from __future__ import annotations

import threading

import pytest
import requests
from azure.mgmt.compute import ComputeManagementClient

from restorekit.emulator.arm.ids import stable_guid

from .conftest import API, AUTH, ITEM, MULTI, SUB, VAULT, account_id, vm_id
from .test_sdk_referee import FakeCredential, PlainBearer

RG = f"/subscriptions/{SUB}/resourceGroups"
NET = f"{RG}/targetRG/providers/Microsoft.Network/virtualNetworks/testNet"
RP = "348916168024334"
COMPUTE, DISKS, NETWORK = "2026-04-01", "2026-03-02", "2026-03-01"


def _post(srv, item=ITEM, rp=RP, **props):
    body = {"objectType": "IaasVMRestoreRequest", "recoveryPointId": rp, "recoveryType": "RestoreDisks",
            "sourceResourceId": vm_id("testRG", "testVM"), "storageAccountId": account_id("testRG", "testAccount"),
            "region": "westus", **props}
    return requests.post(f"{srv.url}{item}/recoveryPoints/{rp}/restore?api-version={API}", json={"properties": body},
                         headers=AUTH)


def _restore(srv, item=ITEM, rp=RP, **props):
    """Trigger a restore, follow its operation to the job; return the job id."""
    r = _post(srv, item, rp, **props)
    assert r.status_code == 202, r.text
    status = requests.get(r.headers["Azure-AsyncOperation"], headers=AUTH).json()
    if status["status"] == "InProgress":
        srv.state.clock.advance(1)
        status = requests.get(r.headers["Azure-AsyncOperation"], headers=AUTH).json()
    return status["properties"]["jobId"]


def _job(srv, job_id, vault=VAULT):
    return requests.get(f"{srv.url}{vault}/backupJobs/{job_id}?api-version={API}", headers=AUTH).json()["properties"]


def _get(srv, path, version):
    return requests.get(f"{srv.url}{path}?api-version={version}", headers=AUTH)


def _disks(srv, rg):
    return {d["name"]: d for d in _get(srv, f"{RG}/{rg}/providers/Microsoft.Compute/disks", DISKS).json()["value"]}


@pytest.fixture
def slow(make_srv):
    """An emulator whose restore jobs take 60 simulated seconds."""
    return make_srv(job_seconds=60, throttle=False)


def test_restore_disks_to_a_resource_group_creates_unattached_managed_disks(slow):
    job_id = _restore(slow, targetResourceGroupId=f"{RG}/targetRG")
    assert _disks(slow, "targetRG") == {}  # nothing while the job runs
    slow.state.clock.advance(60)
    bag = _job(slow, job_id)["extendedInfo"]["propertyBag"]
    disks = _disks(slow, "targetRG")
    stamp = slow.state.jobs[job_id].start.strftime("%Y%m%d-%H%M%S")
    assert set(disks) == {f"testVM-osdisk-{stamp}", f"testVM-datadisk-000-{stamp}"}
    os_disk = disks[f"testVM-osdisk-{stamp}"]
    assert os_disk["properties"]["diskState"] == "Unattached" and "managedBy" not in os_disk
    assert os_disk["properties"]["osType"] == "Windows" and os_disk["location"] == "westus"
    assert os_disk["properties"]["diskSizeGB"] == 127
    assert "Restored disk(s)" not in bag  # Azure names no disk of a full restore; the group shows them
    assert bag["Target resource group"] == "targetRG" and bag["Job Type"] == "Recover disks"
    assert bag["Target VM Name"] == "vmName"  # Azure's placeholder: a disk restore makes no VM
    assert bag["Recovery point time "].endswith(("AM", "PM"))  # the service's key has a trailing space
    assert bag["Config Blob Uri"] in slow.state.estate.inventory.blobs("testAccount")


def test_selective_restore_restores_the_os_disk_and_the_listed_ones(slow):
    """As recorded (disk_exclusion #181, #200): [] restores the OS disk, [0] the OS disk and LUN 0."""
    latest = requests.get(f"{slow.url}{MULTI}/recoveryPoints?api-version={API}", headers=AUTH).json()["value"][0]
    job_id = _restore(slow, item=MULTI, rp=latest["name"], sourceResourceId=vm_id("testRG", "multiDiskVM"),
                      targetResourceGroupId=f"{RG}/targetRG", restoreDiskLunList=[0, 2])
    slow.state.clock.advance(60)
    names = sorted(_disks(slow, "targetRG"))
    assert [n.rsplit("-", 2)[0] for n in names] == ["multiDiskVM-datadisk-000", "multiDiskVM-datadisk-002",
                                                    "multiDiskVM-osdisk"]
    bag = _job(slow, job_id)["extendedInfo"]["propertyBag"]
    assert bag["Restored disk(s)"] == "multiDiskVM_OsDisk_1; multiDiskVM_DataDisk_0; multiDiskVM_DataDisk_2"
    assert bag["Backed-up disk(s)"] == "; ".join(f"multiDiskVM_{n}" for n in ("OsDisk_1", "DataDisk_0", "DataDisk_1",
                                                                            "DataDisk_2"))
    assert {d["sku"]["name"] for d in _disks(slow, "targetRG").values()} == {"Premium_LRS"}


def test_restore_disks_without_a_resource_group_stages_vhd_blobs(slow):
    before = {name: d["id"] for rg in ("testRG", "targetRG") for name, d in _disks(slow, rg).items()}
    job_id = _restore(slow)
    slow.state.clock.advance(60)
    bag = _job(slow, job_id)["extendedInfo"]["propertyBag"]
    after = {name: d["id"] for rg in ("testRG", "targetRG") for name, d in _disks(slow, rg).items()}
    assert after == before
    container = bag["Config Blob Container Name"]
    uris = sorted(u for u in slow.state.estate.inventory.blobs("testAccount") if f"/{container}/" in u
                  and u.endswith(".vhd"))
    assert sorted(u.rsplit("/", 1)[1].split("-")[1] for u in uris) == ["datadisk", "osdisk"]
    assert all(u.startswith(f"https://testaccount.blob.core.windows.net/{container}/testVM-") and u.endswith(".vhd")
               for u in uris)
    assert set(uris) <= set(slow.state.estate.inventory.blobs("testAccount"))
    assert "Target resource group" not in bag  # as recorded (test_backup_restore #248)


def test_unmanaged_vm_restores_to_vhds_even_with_a_resource_group(slow):
    item = ITEM.replace("testVM", "unmanagedVM")
    rp = requests.get(f"{slow.url}{item}/recoveryPoints?api-version={API}", headers=AUTH).json()["value"][0]["name"]
    job_id = _restore(slow, item=item, rp=rp, sourceResourceId=vm_id("testRG", "unmanagedVM"),
                      targetResourceGroupId=f"{RG}/targetRG")
    slow.state.clock.advance(60)
    assert _disks(slow, "targetRG") == {}
    container = _job(slow, job_id)["extendedInfo"]["propertyBag"]["Config Blob Container Name"]
    uris = [u for u in slow.state.estate.inventory.blobs("testAccount") if f"/{container}/" in u and u.endswith(".vhd")]
    assert len(uris) == 2 and all("/unmanagedVM-" in u for u in uris)


def test_alternate_location_creates_the_vm_its_disks_and_a_nic(slow):
    alr = {"recoveryType": "AlternateLocation", "targetVirtualMachineId": vm_id("targetRG", "restoredVM"),
           "targetResourceGroupId": f"{RG}/targetRG", "virtualNetworkId": NET, "subnetId": f"{NET}/subnets/backend"}
    job_id = _restore(slow, **alr)
    vm_path = f"{RG}/targetRG/providers/Microsoft.Compute/virtualMachines/restoredVM"
    assert _get(slow, vm_path, COMPUTE).status_code == 404
    again = _post(slow, **alr).json()["error"]
    assert again["code"] == "UserErrorTargetVmAlreadyExists" and job_id in again["message"]
    slow.state.clock.advance(60)
    vm = _get(slow, vm_path, COMPUTE).json()
    assert vm["location"] == "westus" and vm["properties"]["hardwareProfile"]["vmSize"] == "Standard_A1_v2"
    assert "zones" not in vm and "osProfile" not in vm["properties"]  # created from disks, not from an image
    storage = vm["properties"]["storageProfile"]
    assert storage["osDisk"]["createOption"] == "Attach" and storage["osDisk"]["name"].startswith("restoredVM-osdisk-")
    assert [d["lun"] for d in storage["dataDisks"]] == [0]
    disks = _disks(slow, "targetRG")
    assert {d["properties"]["diskState"] for d in disks.values()} == {"Attached"}
    assert {d["managedBy"].lower() for d in disks.values()} == {vm["id"].lower()}
    nic_id = vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"]
    nic = _get(slow, nic_id, NETWORK).json()
    assert nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"] == f"{NET}/subnets/backend"
    assert nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] == "10.0.1.4"
    assert nic["properties"]["virtualMachine"]["id"].lower() == vm["id"].lower()
    subnet = _get(slow, f"{NET}/subnets/backend", NETWORK).json()
    assert [c["id"].lower() for c in subnet["properties"]["ipConfigurations"]] == \
        [f"{nic_id}/ipConfigurations/ipconfig1".lower()]
    bag = _job(slow, job_id)["extendedInfo"]["propertyBag"]
    assert bag["Target VM Name"] == "restoredVM" and bag["Job Type"] == "Recover VM to an alternate location"
    assert bag["Original VM Name"] == "testVM" and bag["Target VNet Name"] == "Group targetRG testNet"
    after = _post(slow, **alr).json()["error"]
    assert after["code"] == "UserErrorTargetVmAlreadyExists" and "already exists" in after["message"]


def test_alternate_location_of_an_unmanaged_vm_uses_vhds(slow):
    item = ITEM.replace("testVM", "unmanagedVM")
    rp = requests.get(f"{slow.url}{item}/recoveryPoints?api-version={API}", headers=AUTH).json()["value"][0]["name"]
    job_id = _restore(slow, item=item, rp=rp, sourceResourceId=vm_id("testRG", "unmanagedVM"),
                      recoveryType="AlternateLocation", targetVirtualMachineId=vm_id("targetRG", "vhdVM"),
                      targetResourceGroupId=f"{RG}/targetRG", virtualNetworkId=NET, subnetId=f"{NET}/subnets/default")
    slow.state.clock.advance(60)
    vm = _get(slow, f"{RG}/targetRG/providers/Microsoft.Compute/virtualMachines/vhdVM", COMPUTE).json()
    uris = [vm["properties"]["storageProfile"]["osDisk"]["vhd"]["uri"],
            *(d["vhd"]["uri"] for d in vm["properties"]["storageProfile"]["dataDisks"])]
    assert set(uris) <= set(slow.state.estate.inventory.blobs("testAccount"))
    assert all(u.startswith(f"https://testaccount.blob.core.windows.net/unmanagedvm-{job_id[:8]}/vhdVM-") for u in uris)
    assert _disks(slow, "targetRG") == {}


def test_alternate_location_in_a_zone_and_read_by_the_official_client(make_srv):
    srv = make_srv(job_seconds=60, throttle=False)
    item = (f"/subscriptions/{SUB}/resourceGroups/crrRG/providers/Microsoft.RecoveryServices/vaults/crrVault/"
            "backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;zoneRG;zoneVM/"
            "protectedItems/VM;iaasvmcontainerv2;zoneRG;zoneVM")
    rp = requests.get(f"{srv.url}{item}/recoveryPoints?api-version={API}", headers=AUTH).json()["value"][0]["name"]
    east = f"{RG}/crrRG/providers/Microsoft.Network/virtualNetworks/eastNet"
    _restore(srv, item=item, rp=rp, recoveryType="AlternateLocation", sourceResourceId=vm_id("zoneRG", "zoneVM"),
             storageAccountId=account_id("crrRG", "eastAccount"), region="eastus", zones=["2"],
             targetVirtualMachineId=vm_id("zoneRG", "zoneVM-restored"), targetResourceGroupId=f"{RG}/zoneRG",
             virtualNetworkId=east, subnetId=f"{east}/subnets/default")
    srv.state.clock.advance(60)
    compute = ComputeManagementClient(FakeCredential(), SUB, base_url=srv.url, authentication_policy=PlainBearer())
    vm = compute.virtual_machines.get("zoneRG", "zoneVM-restored")
    assert vm.zones == ["2"] and vm.location == "eastus"
    disk = compute.disks.get("zoneRG", vm.storage_profile.os_disk.name)
    assert disk.zones == ["2"] and disk.disk_state == "Attached"
    assert {v.name for v in compute.virtual_machines.list("zoneRG")} == {"zoneVM", "zoneVM-restored"}


def test_original_location_swaps_the_disks_and_leaves_the_old_ones_unattached(slow):
    vm_path = f"{RG}/testRG/providers/Microsoft.Compute/virtualMachines/testVM"
    before = _get(slow, vm_path, COMPUTE).json()["properties"]["storageProfile"]
    job_id = _restore(slow, recoveryType="OriginalLocation")
    slow.state.clock.advance(60)
    after = _get(slow, vm_path, COMPUTE).json()["properties"]["storageProfile"]
    stamp = slow.state.jobs[job_id].start.strftime("%Y%m%d-%H%M%S")
    assert after["osDisk"]["name"] == f"testVM-osdisk-{stamp}"
    assert [(d["lun"], d["name"]) for d in after["dataDisks"]] == [(0, f"testVM-datadisk-000-{stamp}")]
    disks = _disks(slow, "testRG")
    for old in (before["osDisk"]["name"], before["dataDisks"][0]["name"]):
        assert disks[old]["properties"]["diskState"] == "Unattached" and "managedBy" not in disks[old]
    for new in (after["osDisk"]["name"], after["dataDisks"][0]["name"]):
        assert disks[new]["properties"]["diskState"] == "Attached"
        assert disks[new]["managedBy"].lower().endswith("/resourcegroups/testrg/providers/microsoft.compute/"
                                                        "virtualmachines/testvm")
    bag = _job(slow, job_id)["extendedInfo"]["propertyBag"]
    assert bag["Job Type"] == "Replace disks" and bag["Target VM Name"] == "testVM"


def test_failed_and_cancelled_restores_change_nothing(make_srv):
    srv = make_srv(job_seconds=60, fail_rate=1.0, throttle=False)
    job_id = _restore(srv, targetResourceGroupId=f"{RG}/targetRG")
    srv.state.clock.advance(120)
    assert _job(srv, job_id)["status"] == "Failed"
    assert _disks(srv, "targetRG") == {}
    assert "Restored Disk Ids" not in _job(srv, job_id)["extendedInfo"]["propertyBag"]

    srv = make_srv(job_seconds=60, throttle=False)
    alr = {"recoveryType": "AlternateLocation", "targetVirtualMachineId": vm_id("targetRG", "cancelledVM"),
           "targetResourceGroupId": f"{RG}/targetRG", "virtualNetworkId": NET, "subnetId": f"{NET}/subnets/default"}
    job_id = _restore(srv, **alr)
    assert requests.post(f"{srv.url}{VAULT}/backupJobs/{job_id}/cancel?api-version={API}",
                         headers=AUTH).status_code == 202
    srv.state.clock.advance(120)
    assert _job(srv, job_id)["status"] == "Cancelled"
    assert _disks(srv, "targetRG") == {}
    cancelled_vm = f"{RG}/targetRG/providers/Microsoft.Compute/virtualMachines/cancelledVM"
    assert _get(srv, cancelled_vm, COMPUTE).status_code == 404
    _restore(srv, **alr)  # the name is free again


def test_outcomes_apply_once_in_a_fixed_order_under_concurrent_reads(make_srv, monkeypatch):
    srv = make_srv(job_seconds=60, throttle=False)
    frozen = srv.state.clock.now()
    monkeypatch.setattr(srv.state.clock, "now", lambda: frozen)  # three restores in the same instant
    for _ in range(3):
        assert _post(srv, targetResourceGroupId=f"{RG}/targetRG").status_code == 202
    monkeypatch.undo()
    srv.state.clock.advance(120)
    seen: list[set[str]] = []
    threads = [threading.Thread(target=lambda: seen.append(set(_disks(srv, "targetRG")))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({frozenset(s) for s in seen}) == 1 and len(seen[0]) == 6
    stamp = frozen.strftime("%Y%m%d-%H%M%S")
    jobs = sorted(j.id for j in srv.state.jobs.values() if j.operation == "Restore")
    # Same completion time: the jobs apply in id order, later ones get suffixed names.
    names = [f"testVM-osdisk-{stamp}", f"testVM-osdisk-{stamp}-1", f"testVM-osdisk-{stamp}-2"]
    made_by = {d["properties"]["uniqueId"]: name for name, d in _disks(srv, "targetRG").items()}
    assert [made_by[stable_guid("disk", "targetrg", name.lower(), job)] for name, job in zip(names, jobs,
                                                                                         strict=True)] == names


def test_two_restores_validated_together_cannot_both_take_a_vm_name(make_srv):
    from restorekit.emulator.arm.errors import ApiError
    from restorekit.emulator.providers.backup.restore_jobs import start_restore
    from restorekit.emulator.providers.backup.restore_validation import validate_restore

    srv = make_srv(job_seconds=60, throttle=False)
    vm = srv.state.estate.protected_vm("testRG", "testVM")
    body = {"properties": {
        "objectType": "IaasVMRestoreRequest", "recoveryPointId": RP, "recoveryType": "AlternateLocation",
        "sourceResourceId": vm.vm_id, "storageAccountId": account_id("testRG", "testAccount"), "region": "westus",
        "targetVirtualMachineId": vm_id("targetRG", "racedVM"), "targetResourceGroupId": f"{RG}/targetRG",
        "virtualNetworkId": NET, "subnetId": f"{NET}/subnets/default"}}
    plans = [validate_restore(body, estate=srv.state.estate, vm=vm, point=vm.point(RP), api_version=API)
             for _ in range(2)]  # both pass: neither holds the name yet
    start_restore(srv.state, vm, plans[0])
    with pytest.raises(ApiError) as refused:
        start_restore(srv.state, vm, plans[1])
    assert refused.value.code == "UserErrorTargetVmAlreadyExists"
    assert sum(j.operation == "Restore" for j in srv.state.jobs.values()) == 1
