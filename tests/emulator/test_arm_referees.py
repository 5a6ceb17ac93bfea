"""The official compute, storage and network management clients, unchanged, read the estate's resources.

Each client runs with its own default api-versions (the emulator must accept them) and follows
``nextLink`` pages; a dev credential hands out any token.
"""

from __future__ import annotations

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.storage import StorageManagementClient

from .conftest import SUB
from .test_sdk_referee import FakeCredential, PlainBearer


def _client(cls, srv):
    return cls(FakeCredential(), SUB, base_url=srv.url, authentication_policy=PlainBearer())


@pytest.fixture
def compute(srv):
    return _client(ComputeManagementClient, srv)


@pytest.fixture
def network(srv):
    return _client(NetworkManagementClient, srv)


@pytest.fixture
def storage(srv):
    return _client(StorageManagementClient, srv)


def test_virtual_machine_with_its_disks_and_nic(compute, network):
    vm = compute.virtual_machines.get("testRG", "multiDiskVM")
    assert vm.name == "multiDiskVM" and vm.location == "westus"
    assert vm.hardware_profile.vm_size == "Standard_D4s_v3"
    assert vm.provisioning_state == "Succeeded"
    os_disk = vm.storage_profile.os_disk
    assert os_disk.name == "multiDiskVM_OsDisk_1" and os_disk.os_type == "Windows"
    assert os_disk.managed_disk.id.lower().endswith("/resourcegroups/testrg/providers/microsoft.compute/disks/"
                                                    "multidiskvm_osdisk_1")
    assert [d.lun for d in vm.storage_profile.data_disks] == [0, 1, 2, 3]
    nic_id = vm.network_profile.network_interfaces[0].id
    nic = network.network_interfaces.get("testRG", nic_id.rsplit("/", 1)[1])
    assert nic.virtual_machine.id.lower() == vm.id.lower()
    subnet_id = nic.ip_configurations[0].subnet.id
    assert subnet_id.endswith("/virtualNetworks/testRG-vnet/subnets/default")
    assert nic.ip_configurations[0].private_ip_address.startswith("10.2.0.")


def test_vm_lists_follow_pages(make_srv):
    srv = make_srv(fleet=7, page_size=3, throttle=False)
    compute = _client(ComputeManagementClient, srv)
    in_group = [vm.name for vm in compute.virtual_machines.list("fleetRG")]
    assert in_group == [f"fleet-vm-{i:04d}" for i in range(1, 8)]
    everywhere = {vm.name for vm in compute.virtual_machines.list_all()}
    assert {"testVM", "zoneVM", "crrVM", "fleet-vm-0007"} <= everywhere
    zone_vm = compute.virtual_machines.get("zoneRG", "zoneVM")
    assert zone_vm.zones == ["1"] and zone_vm.location == "eastus"


def test_disks_and_disk_encryption_set(compute):
    disk = compute.disks.get("testRG", "testVM_DataDisk_0")
    assert disk.disk_state == "Attached" and disk.managed_by.lower().endswith("/virtualmachines/testvm")
    assert disk.disk_size_gb == 128 and disk.sku.name == "StandardSSD_LRS"
    assert disk.creation_data.create_option == "Empty"
    assert disk.time_created is not None
    names = {d.name for d in compute.disks.list_by_resource_group("testRG")}
    assert {"testVM_OsDisk_1", "multiDiskVM_DataDisk_3", "encryptedVM_OsDisk_1"} <= names
    assert not any(n.startswith("unmanagedVM") for n in names)  # its disks are VHD blobs
    des = compute.disk_encryption_sets.get("testRG", "testDES")
    assert des.location == "westus" and des.active_key.key_url.startswith("https://testkeyvault.vault.azure.net/keys/")
    with pytest.raises(ResourceNotFoundError):
        compute.disks.get("testRG", "nope")


def test_unmanaged_vm_has_vhd_uris(compute):
    vm = compute.virtual_machines.get("testRG", "unmanagedVM")
    assert vm.storage_profile.os_disk.managed_disk is None
    assert vm.storage_profile.os_disk.vhd.uri == "https://testaccount.blob.core.windows.net/vhds/unmanagedVM-osdisk.vhd"


def test_storage_accounts(storage):
    acc = storage.storage_accounts.get_properties("testRG", "testAccount")
    assert acc.kind == "StorageV2" and acc.sku.name == "Standard_LRS" and acc.sku.tier == "Standard"
    assert acc.primary_endpoints.blob == "https://testaccount.blob.core.windows.net/"
    everything = {a.name: a for a in storage.storage_accounts.list()}
    assert {"testAccount", "testingAccount", "zrsAccount", "premiumAccount", "blobAccount", "eastAccount",
            "targetAccount"} <= set(everything)
    assert everything["eastAccount"].location == "eastus"
    assert everything["zrsAccount"].sku.name == "Standard_ZRS"
    premium = everything["premiumAccount"]
    assert premium.sku.tier == "Premium" and premium.kind == "BlockBlobStorage"
    assert everything["blobAccount"].kind == "BlobStorage"
    assert everything["blobAccount"].secondary_endpoints.blob == "https://blobaccount-secondary.blob.core.windows.net/"
    in_group = [a.name for a in storage.storage_accounts.list_by_resource_group("crrRG")]
    assert in_group == ["eastAccount"]


def test_networks_and_subnets(network):
    net = network.virtual_networks.get("targetRG", "testNet")
    assert net.address_space.address_prefixes == ["10.0.0.0/16"]
    assert [s.name for s in net.subnets] == ["default", "backend"]
    assert {n.name for n in network.virtual_networks.list_all()} >= {"testNet", "eastNet", "testRG-vnet"}
    assert [n.name for n in network.virtual_networks.list("crrRG")] == ["eastNet"]
    backend = network.subnets.get("targetRG", "testNet", "backend")
    assert backend.address_prefix == "10.0.1.0/24"
    assert [s.name for s in network.subnets.list("targetRG", "testNet")] == ["default", "backend"]
    with pytest.raises(ResourceNotFoundError):
        network.subnets.get("targetRG", "testNet", "nowhere")
