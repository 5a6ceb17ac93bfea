"""Microsoft.Resources/Compute/Storage/Network over raw HTTP: shapes per api-version, errors, paging, consistency."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlparse

import pytest
import requests

from .conftest import API, AUTH, SUB, VAULT, all_pages

RG = f"/subscriptions/{SUB}/resourceGroups"
COMPUTE, DISKS, NETWORK, STORAGE, GROUPS = "2026-04-01", "2026-03-02", "2026-03-01", "2026-09-01", "2021-04-01"


def _get(srv, path, version, **params):
    return requests.get(f"{srv.url}{path}", params={"api-version": version, **params}, headers=AUTH)


def test_locations_with_zones_and_pairs(srv):
    body = _get(srv, f"/subscriptions/{SUB}/locations", "2022-12-01").json()
    assert "nextLink" not in body
    by_name = {loc["name"]: loc for loc in body["value"]}
    east, west = by_name["eastus"], by_name["westus"]
    assert east["id"] == f"/subscriptions/{SUB}/locations/eastus" and east["type"] == "Region"
    assert east["displayName"] == "East US" and east["regionalDisplayName"] == "(US) East US"
    assert east["metadata"]["regionType"] == "Physical" and east["metadata"]["physicalLocation"] == "Virginia"
    assert east["metadata"]["pairedRegion"] == [{"name": "westus", "id": f"/subscriptions/{SUB}/locations/westus"}]
    assert west["metadata"]["pairedRegion"][0]["name"] == "eastus"
    mappings = east["availabilityZoneMappings"]
    assert [m["logicalZone"] for m in mappings] == ["1", "2", "3"]
    assert sorted(m["physicalZone"] for m in mappings) == ["eastus-az1", "eastus-az2", "eastus-az3"]
    assert "availabilityZoneMappings" not in west  # West US has no availability zones
    assert by_name["unitedstates"]["metadata"]["regionType"] == "Logical"
    assert "pairedRegion" not in by_name["unitedstates"]["metadata"]


def test_locations_shape_per_api_version(srv):
    newer = {loc["name"]: loc for loc in _get(srv, f"/subscriptions/{SUB}/locations", "2021-01-01").json()["value"]}
    assert "metadata" in newer["eastus"] and "availabilityZoneMappings" not in newer["eastus"]
    oldest = {loc["name"]: loc for loc in _get(srv, f"/subscriptions/{SUB}/locations", "2016-06-01").json()["value"]}
    assert oldest["eastus"] == {"id": f"/subscriptions/{SUB}/locations/eastus", "subscriptionId": SUB, "name": "eastus",
                                "displayName": "East US", "latitude": "37.3719", "longitude": "-79.8164"}
    r = _get(srv, f"/subscriptions/{SUB}/locations", "2026-02-01")
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidApiVersionParameter"
    assert "2022-12-01" in r.json()["error"]["message"]


def test_resource_groups_page_and_missing_ones_are_404(make_srv):
    srv = make_srv(page_size=2, throttle=False)
    first = _get(srv, f"/subscriptions/{SUB}/resourcegroups", GROUPS).json()
    assert len(first["value"]) == 2
    assert dict(parse_qsl(urlparse(first["nextLink"]).query))["api-version"] == GROUPS
    groups = {g["name"]: g["location"] for g in all_pages(first["nextLink"])} | {g["name"]: g["location"]
                                                                            for g in first["value"]}
    assert groups == {"testRG": "westus", "targetRG": "westus", "testVaultRG": "westus", "crrRG": "eastus",
                      "zoneRG": "eastus", "testRG1": "westus", "opsRG": "westus", "opsVaultRG": "westus"}
    one = _get(srv, f"{RG}/TESTRG", GROUPS).json()
    assert one["id"] == f"{RG}/testRG" and one["type"] == "Microsoft.Resources/resourceGroups"
    for path, version in ((f"{RG}/ghostRG", GROUPS),
                          (f"{RG}/ghostRG/providers/Microsoft.Compute/virtualMachines/testVM", COMPUTE),
                          (f"{RG}/ghostRG/providers/Microsoft.Compute/disks", DISKS),
                          (f"{RG}/ghostRG/providers/Microsoft.Network/virtualNetworks/testNet/subnets/default", NETWORK),
                          (f"{RG}/ghostRG/providers/Microsoft.Storage/storageAccounts", STORAGE)):
        r = _get(srv, path, version)
        assert r.status_code == 404 and r.json()["error"] == {
            "code": "ResourceGroupNotFound", "message": "Resource group 'ghostRG' could not be found.", "details": []}


@pytest.mark.parametrize(("path", "version", "code", "message"), [
    ("testRG/providers/Microsoft.Compute/virtualMachines/ghostVM", COMPUTE, "ResourceNotFound",
     "The Resource 'Microsoft.Compute/virtualMachines/ghostVM' under resource group 'testRG' was not found."),
    ("testRG/providers/Microsoft.Compute/disks/ghostDisk", DISKS, "ResourceNotFound",
     "The Resource 'Microsoft.Compute/disks/ghostDisk' under resource group 'testRG' was not found."),
    ("testRG/providers/Microsoft.Compute/diskEncryptionSets/ghostDES", DISKS, "ResourceNotFound",
     "The Resource 'Microsoft.Compute/diskEncryptionSets/ghostDES' under resource group 'testRG' was not found."),
    ("testRG/providers/Microsoft.Storage/storageAccounts/ghost", STORAGE, "ResourceNotFound",
     "The Resource 'Microsoft.Storage/storageAccounts/ghost' under resource group 'testRG' was not found."),
    ("testRG/providers/Microsoft.Network/networkInterfaces/ghostNic", NETWORK, "ResourceNotFound",
     "The Resource 'Microsoft.Network/networkInterfaces/ghostNic' under resource group 'testRG' was not found."),
    ("targetRG/providers/Microsoft.Network/virtualNetworks/testNet/subnets/nowhere", NETWORK, "NotFound",
     f"Resource {RG}/targetRG/providers/Microsoft.Network/virtualNetworks/testNet/subnets/nowhere not found."),
])
def test_missing_resources(srv, path, version, code, message):
    r = _get(srv, f"{RG}/{path}", version)
    assert r.status_code == 404 and r.headers["Content-Type"] == "application/json"
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"].startswith(message)


@pytest.mark.parametrize(("path", "good", "bad"), [
    ("testRG/providers/Microsoft.Compute/virtualMachines/testVM", ("2024-07-01", "2021-03-01"),
     ("2026-03-02", "2024-03-02")),
    ("testRG/providers/Microsoft.Compute/disks/testVM_OsDisk_1", ("2024-03-02", "2023-04-02"),
     ("2024-07-01", "2026-04-01")),
    ("testRG/providers/Microsoft.Storage/storageAccounts/testAccount", ("2023-05-01", "2019-06-01"), ("2026-03-01",)),
    ("targetRG/providers/Microsoft.Network/virtualNetworks/testNet", ("2024-01-01", "2020-11-01"), ("2026-09-01",)),
    ("testRG", ("2020-06-01", "2025-04-01"), ("2022-12-01",)),
])
def test_api_versions_per_resource_type(srv, path, good, bad):
    for version in good:
        assert _get(srv, f"{RG}/{path}", version).status_code == 200, version
    for version in bad:
        r = _get(srv, f"{RG}/{path}", version)
        assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidApiVersionParameter", version


def test_every_protected_vm_exists_with_the_disks_its_points_list(srv):
    for vault in srv.state.estate.vaults.values():
        for item in vault.items.values():
            answer = _get(srv, f"{RG}/{item.resource_group}/providers/Microsoft.Compute/virtualMachines/{item.name}",
                          COMPUTE)
            if item.vm_deleted:  # oldAppVM: its item and points remain, the VM is gone
                assert answer.status_code == 404 and item.name == "oldAppVM"
                continue
            vm = answer.json()
            assert vm["id"] == item.vm_id and vm["location"] == vault.location
            assert vm.get("zones", []) == list(item.zones)
            storage = vm["properties"]["storageProfile"]
            slots = [{"lun": -1, **storage["osDisk"]}, *storage["dataDisks"]]
            item_path = item.item_path
            listed = requests.get(f"{srv.url}{item_path}/recoveryPoints?api-version={API}", headers=AUTH).json()
            name = listed["value"][0]["name"]  # a list has only the disk counts: the GET of one point lists them
            point = requests.get(f"{srv.url}{item_path}/recoveryPoints/{name}?api-version={API}", headers=AUTH).json()
            config = point["properties"]["recoveryPointDiskConfiguration"]
            listed = {d["lun"]: d["name"] for d in config["includedDiskList"] + config["excludedDiskList"]}
            assert {s["lun"]: s["name"] for s in slots} == {lun: n.removesuffix(".vhd") for lun, n in listed.items()}
            assert config["numberOfDisksAttachedToVm"] == len(slots)
            for slot in slots:
                if item.managed:
                    disk = _get(srv, slot["managedDisk"]["id"], DISKS).json()
                    assert disk["name"] == slot["name"] and disk["properties"]["diskState"] == "Attached"
                    assert disk["managedBy"].lower() == item.vm_id.lower()
                else:
                    assert slot["vhd"]["uri"].endswith(f"/vhds/{listed[slot['lun']]}")
            nic = _get(srv, vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"], NETWORK).json()
            subnet_id = nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"]
            net = _get(srv, subnet_id.split("/subnets/")[0], NETWORK).json()
            assert net["location"] == vault.location
            assert nic["location"] == vault.location


def test_ids_use_azures_casing(srv):
    vm = _get(srv, f"{RG}/TESTRG/providers/microsoft.compute/virtualmachines/TESTVM", COMPUTE).json()
    assert vm["id"] == f"{RG}/testRG/providers/Microsoft.Compute/virtualMachines/testVM"
    # Inside other resources Azure writes the resource group in upper case.
    assert "/resourceGroups/TESTRG/providers/Microsoft.Compute/disks/" in vm["properties"]["storageProfile"]["osDisk"][
        "managedDisk"]["id"]
    disk = _get(srv, f"{RG}/testRG/providers/Microsoft.Compute/disks/testVM_OsDisk_1", DISKS).json()
    assert disk["managedBy"] == f"{RG}/TESTRG/providers/Microsoft.Compute/virtualMachines/testVM"


def test_storage_account_lists_page_and_show_eligibility_facts(make_srv):
    srv = make_srv(page_size=3, throttle=False)
    first = _get(srv, f"/subscriptions/{SUB}/providers/Microsoft.Storage/storageAccounts", STORAGE).json()
    accounts = {a["name"]: a for a in first["value"] + all_pages(first["nextLink"])}
    facts = {n: (a["location"], a["sku"]["name"], a["kind"]) for n, a in accounts.items()}
    assert facts == {"testAccount": ("westus", "Standard_LRS", "StorageV2"),
                     "testingAccount": ("westus", "Standard_LRS", "StorageV2"),
                     "zrsAccount": ("westus", "Standard_ZRS", "StorageV2"),
                     "premiumAccount": ("westus", "Premium_LRS", "BlockBlobStorage"),
                     "blobAccount": ("westus", "Standard_RAGRS", "BlobStorage"),
                     "eastAccount": ("eastus", "Standard_LRS", "StorageV2"),
                     "targetAccount": ("westus", "Standard_GRS", "StorageV2"),
                     "testStorageAccount": ("eastus", "Standard_LRS", "StorageV2")}
    assert accounts["targetAccount"]["properties"]["secondaryLocation"] == "eastus"
    assert "secondaryEndpoints" not in accounts["targetAccount"]["properties"]  # GRS, not read-access
    assert "accessTier" not in accounts["premiumAccount"]["properties"]
    in_group = all_pages(f"{srv.url}{RG}/testRG/providers/Microsoft.Storage/storageAccounts?api-version={STORAGE}")
    assert {a["name"] for a in in_group} == {"testAccount", "testingAccount", "zrsAccount", "premiumAccount",
                                             "blobAccount"}


def test_vault_and_network_lists(srv):
    nics = _get(srv, f"/subscriptions/{SUB}/providers/Microsoft.Network/networkInterfaces", NETWORK).json()["value"]
    assert {n["properties"]["virtualMachine"]["id"].rsplit("/", 1)[1] for n in nics} >= {"testVM", "crrVM", "zoneVM"}
    subnets = _get(srv, f"{RG}/crrRG/providers/Microsoft.Network/virtualNetworks/eastNet/subnets", NETWORK).json()
    assert [s["name"] for s in subnets["value"]] == ["default"]
    assert len(subnets["value"][0]["properties"]["ipConfigurations"]) == 2  # crrVM and zoneVM
    des = _get(srv, f"/subscriptions/{SUB}/providers/Microsoft.Compute/diskEncryptionSets", DISKS).json()["value"]
    assert [d["name"] for d in des] == ["testDES"] and des[0]["identity"]["type"] == "SystemAssigned"
    assert _get(srv, VAULT, "2016-06-01").status_code == 200  # the vault routes are untouched
