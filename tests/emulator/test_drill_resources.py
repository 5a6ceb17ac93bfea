"""What restore drills need from ARM, with the official compute, network and resource clients as referees.

Resource groups (create, check, delete as ARM's long-running operation), virtual networks, subnets and network
security groups, a restored VM's instance view as it boots, its boot diagnostics (links the emulator serves), Run
Command, deletes of VMs, NICs and disks, generic resource lists and Resource Graph's Resources and
ResourceContainers tables; and the machine faults (never boots, agent never ready, probe fails, delete fails
once). Every answer is also checked field by field against the SDK's own models (``sdk_models.unknown_fields``).
"""

from __future__ import annotations

import io

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as compute_models
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as network_models
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources import models as resource_models
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest

from .conftest import AUTH, ITEM, SUB, account_id, vm_id
from .sdk_models import unknown_fields
from .test_sdk_referee import FakeCredential, PlainBearer

RG = "rk-drill-test"
API = "2026-02-01"
COMPUTE_API, NETWORK_API, GROUP_API = "2026-04-01", "2026-03-01", "2025-04-01"


def _clients(srv):
    kw = {"base_url": srv.url, "authentication_policy": PlainBearer(), "polling_interval": 0.05}
    return (ResourceManagementClient(FakeCredential(), SUB, **kw), NetworkManagementClient(FakeCredential(), SUB, **kw),
            ComputeManagementClient(FakeCredential(), SUB, **kw))


@pytest.fixture
def drill(make_srv):
    """An emulator (jobs of 60 s, VMs that boot in 120 s of its clock), its three clients, and a drill group."""
    srv = make_srv(job_seconds=60, boot_seconds=120, throttle=False)
    resources, network, compute = _clients(srv)
    resources.resource_groups.create_or_update(RG, {"location": "westus", "tags": {"restorekit-drill": "d1"}})
    return srv, resources, network, compute


def _raw(srv, path: str, api: str) -> dict:
    answer = requests.get(f"{srv.url}{path}?api-version={api}", headers=AUTH)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _group_path(name: str = RG) -> str:
    return f"/subscriptions/{SUB}/resourceGroups/{name}"


def _isolated_network(network, name: str = "drill-vnet", location: str = "westus"):
    nsg = network.network_security_groups.begin_create_or_update(RG, f"{name}-nsg", {
        "location": location, "tags": {"restorekit-drill": "d1"},
        "properties": {"securityRules": [
            {"name": "deny-all-in", "properties": {"priority": 4096, "direction": "Inbound", "access": "Deny",
                                                   "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*",
                                                   "destinationAddressPrefix": "*", "destinationPortRange": "*"}},
            {"name": "deny-all-out", "properties": {"priority": 4096, "direction": "Outbound", "access": "Deny",
                                                    "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*",
                                                    "destinationAddressPrefix": "*", "destinationPortRange": "*"}}]}}
    ).result()
    vnet = network.virtual_networks.begin_create_or_update(RG, name, {
        "location": location, "tags": {"restorekit-drill": "d1"},
        "properties": {"addressSpace": {"addressPrefixes": ["10.250.0.0/16"]},
                       "subnets": [{"name": "drill", "properties": {"addressPrefix": "10.250.0.0/24",
                                                                     "networkSecurityGroup": {"id": nsg.id}}}]}}
    ).result()
    return nsg, vnet


def _restore_new_vm(srv, vnet, name: str = "testVM-drill") -> str:
    body = {"properties": {
        "objectType": "IaasVMRestoreRequest", "recoveryPointId": "20982486783671", "recoveryType": "AlternateLocation",
        "sourceResourceId": vm_id("testRG", "testVM"), "storageAccountId": account_id("testRG", "testAccount"),
        "region": "westus", "createNewCloudService": False, "originalStorageAccountOption": False,
        "encryptionDetails": {"encryptionEnabled": False}, "targetVirtualMachineId": vm_id(RG, name),
        "targetResourceGroupId": _group_path(), "virtualNetworkId": vnet.id,
        "subnetId": f"{vnet.id}/subnets/drill"}}
    answer = requests.post(f"{srv.url}{ITEM}/recoveryPoints/20982486783671/restore?api-version={API}", json=body,
                           headers=AUTH)
    assert answer.status_code == 202, answer.text
    return answer.headers["Azure-AsyncOperation"]


# --- resource groups -----------------------------------------------------------------------------------------

def test_resource_groups_are_created_tagged_listed_and_checked(drill):
    srv, resources, _, _ = drill
    group = resources.resource_groups.get(RG)
    assert group.location == "westus" and group.tags == {"restorekit-drill": "d1"}
    assert group.properties.provisioning_state == "Succeeded"
    assert resources.resource_groups.check_existence(RG) is True
    assert resources.resource_groups.check_existence("no-such-group") is False
    again = requests.put(f"{srv.url}{_group_path()}?api-version={GROUP_API}", headers=AUTH,
                         json={"location": "westus", "tags": {"restorekit-drill": "d1", "owner": "me"}})
    assert again.status_code == 200 and again.json()["tags"] == {"restorekit-drill": "d1", "owner": "me"}
    tagged = [g.name for g in resources.resource_groups.list(filter="tagName eq 'restorekit-drill'")]
    assert tagged == [RG]
    assert [g.name for g in resources.resource_groups.list(filter="tagName eq 'restorekit-drill' and "
                                                                  "tagValue eq 'other'")] == []
    assert not unknown_fields(resource_models.ResourceGroup, again.json())


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"tags": {}}, 400, "LocationRequired"),
    ({"location": "mars"}, 400, "LocationNotAvailableForResourceGroup"),
    ({"location": "eastus"}, 409, "InvalidResourceGroupLocation"),
    ({"location": "westus", "tags": {"a/b": "c"}}, 400, "InvalidTag"),
])
def test_resource_group_writes_azure_refuses(drill, body, status, code):
    srv = drill[0]
    answer = requests.put(f"{srv.url}{_group_path()}?api-version={GROUP_API}", headers=AUTH, json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)


def test_deleting_a_group_is_a_long_running_operation_that_takes_everything_with_it(drill):
    srv, resources, network, _ = drill
    _isolated_network(network)
    started = requests.delete(f"{srv.url}{_group_path()}?api-version={GROUP_API}", headers=AUTH)
    assert started.status_code == 202 and "Azure-AsyncOperation" not in started.headers
    location = started.headers["Location"]
    assert f"/subscriptions/{SUB}/operationresults/" in location and started.headers["Retry-After"] == "0"
    assert resources.resource_groups.get(RG).properties.provisioning_state == "Deleting"
    refused = requests.put(f"{srv.url}{_group_path()}/providers/Microsoft.Network/networkSecurityGroups/late"
                           f"?api-version={NETWORK_API}", headers=AUTH, json={"location": "westus"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "ResourceGroupBeingDeleted")
    assert requests.get(location, headers=AUTH).status_code == 202
    srv.state.clock.advance(10)
    assert requests.get(location, headers=AUTH).status_code == 200
    with pytest.raises(ResourceNotFoundError):
        resources.resource_groups.get(RG)
    assert not [v for v in network.virtual_networks.list_all() if v.name == "drill-vnet"]
    assert not [g for g in network.network_security_groups.list_all() if g.name == "drill-vnet-nsg"]


def test_the_official_client_waits_for_a_deletion(drill):
    _, resources, network, _ = drill
    _isolated_network(network)
    resources.resource_groups.begin_delete(RG).result()
    assert resources.resource_groups.check_existence(RG) is False


def test_a_deletion_that_fails_once_rolls_the_group_back_then_succeeds(drill):
    srv, resources, network, _ = drill
    _isolated_network(network)
    srv.state.machine_faults.delete_fails_once("rk-drill-")
    with pytest.raises(HttpResponseError) as failed:
        resources.resource_groups.begin_delete(RG).result()
    assert failed.value.error.code == "ResourceGroupDeletionBlocked"
    assert "Microsoft.Network/virtualNetworks/drill-vnet" in failed.value.error.message
    assert resources.resource_groups.get(RG).properties.provisioning_state == "Succeeded"
    assert sorted(r.name for r in resources.resources.list_by_resource_group(RG)) == ["drill-vnet", "drill-vnet-nsg"]
    resources.resource_groups.begin_delete(RG).result()  # the retry succeeds
    assert resources.resource_groups.check_existence(RG) is False


def test_a_restore_into_a_group_deleted_meanwhile_fails_and_creates_nothing(drill):
    srv, resources, network, compute = drill
    _, vnet = _isolated_network(network)
    status = _restore_new_vm(srv, vnet)
    srv.state.clock.advance(5)
    job_id = requests.get(status, headers=AUTH).json()["properties"]["jobId"]
    resources.resource_groups.begin_delete(RG).result()
    srv.state.clock.advance(120)
    job = requests.get(f"{srv.url}/subscriptions/{SUB}/resourceGroups/testVaultRG/providers/Microsoft.RecoveryServices/"
                       f"vaults/testVault/backupJobs/{job_id}?api-version={API}", headers=AUTH).json()
    assert job["properties"]["status"] == "Failed"
    assert job["properties"]["errorDetails"][0]["errorString"].startswith("UserErrorTargetResourceGroupNotFound")
    assert not [v for v in compute.virtual_machines.list_all() if v.name == "testVM-drill"]


# --- networks and security groups ----------------------------------------------------------------------------

def test_an_isolated_network_with_its_security_group(drill):
    srv, _, network, _ = drill
    nsg, vnet = _isolated_network(network)
    assert vnet.provisioning_state == "Succeeded" and vnet.virtual_network_peerings == []
    assert vnet.subnets[0].network_security_group.id == nsg.id
    assert vnet.subnets[0].address_prefix == "10.250.0.0/24"
    group = network.network_security_groups.get(RG, "drill-vnet-nsg")
    assert [r.name for r in group.security_rules] == ["deny-all-in", "deny-all-out"]
    assert {r.name for r in group.default_security_rules} >= {"DenyAllInBound", "DenyAllOutBound"}
    assert [s.id for s in group.subnets] == [f"{vnet.id}/subnets/drill"]
    subnet = network.subnets.get(RG, "drill-vnet", "drill")
    assert subnet.network_security_group.id == nsg.id
    for path, model in ((vnet.id, network_models.VirtualNetwork), (nsg.id, network_models.NetworkSecurityGroup),
                        (f"{vnet.id}/subnets/drill", network_models.Subnet)):
        assert not unknown_fields(model, _raw(srv, path, NETWORK_API)), path


def test_a_put_reads_updating_until_its_operation_ends(drill):
    srv = drill[0]
    answer = requests.put(f"{srv.url}{_group_path()}/providers/Microsoft.Network/networkSecurityGroups/slow"
                          f"?api-version={NETWORK_API}", headers=AUTH, json={"location": "westus"})
    assert answer.status_code == 201 and answer.json()["properties"]["provisioningState"] == "Updating"
    status = answer.headers["Azure-AsyncOperation"]
    assert "/providers/Microsoft.Network/locations/westus/operations/" in status
    assert requests.get(status, headers=AUTH).json() == {"status": "InProgress"}
    srv.state.clock.advance(5)
    assert requests.get(status, headers=AUTH).json() == {"status": "Succeeded"}
    assert _raw(srv, answer.json()["id"], NETWORK_API)["properties"]["provisioningState"] == "Succeeded"


@pytest.mark.parametrize(("rules", "code"), [
    ([{"name": "x", "properties": {"priority": 50, "direction": "Inbound", "access": "Deny", "protocol": "*",
                                   "sourceAddressPrefix": "*", "sourcePortRange": "*",
                                   "destinationAddressPrefix": "*", "destinationPortRange": "*"}}],
     "SecurityRuleInvalidPriority"),
    ([{"name": n, "properties": {"priority": 200, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
                                 "sourceAddressPrefix": "*", "sourcePortRange": "*",
                                 "destinationAddressPrefix": "*", "destinationPortRange": "22"}} for n in "ab"],
     "SecurityRuleConflict"),
    ([{"name": "x", "properties": {"priority": 200, "direction": "Sideways", "access": "Deny", "protocol": "*",
                                   "sourceAddressPrefix": "*", "sourcePortRange": "*",
                                   "destinationAddressPrefix": "*", "destinationPortRange": "*"}}],
     "InvalidRequestFormat"),
])
def test_security_rules_azure_refuses(drill, rules, code):
    srv = drill[0]
    answer = requests.put(f"{srv.url}{_group_path()}/providers/Microsoft.Network/networkSecurityGroups/bad"
                          f"?api-version={NETWORK_API}", headers=AUTH,
                          json={"location": "westus", "properties": {"securityRules": rules}})
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


@pytest.mark.parametrize(("subnets", "code"), [
    ([{"name": "a", "properties": {"addressPrefix": "10.9.0.0/24"}}], "NetcfgSubnetRangeOutsideVnet"),
    ([{"name": "a", "properties": {"addressPrefix": "10.250.0.0/24"}},
      {"name": "b", "properties": {"addressPrefix": "10.250.0.128/25"}}], "NetcfgSubnetRangesOverlap"),
    ([{"name": "a", "properties": {"addressPrefix": "10.250.0.0/33"}}], "InvalidAddressPrefixFormat"),
    ([{"name": "a", "properties": {"addressPrefix": "10.250.0.0/24", "networkSecurityGroup": {
        "id": f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/networkSecurityGroups/none"}}}],
     "InvalidResourceReference"),
])
def test_virtual_networks_azure_refuses(drill, subnets, code):
    srv = drill[0]
    answer = requests.put(f"{srv.url}{_group_path()}/providers/Microsoft.Network/virtualNetworks/bad"
                          f"?api-version={NETWORK_API}", headers=AUTH,
                          json={"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.250.0.0/16"]},
                                                                     "subnets": subnets}})
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


def test_a_security_group_in_use_cannot_be_deleted(drill):
    _, _, network, _ = drill
    _isolated_network(network)
    with pytest.raises(HttpResponseError) as refused:
        network.network_security_groups.begin_delete(RG, "drill-vnet-nsg").result()
    assert refused.value.error.code == "InUseNetworkSecurityGroupCannotBeDeleted"
    network.virtual_networks.begin_delete(RG, "drill-vnet").result()
    network.network_security_groups.begin_delete(RG, "drill-vnet-nsg").result()
    assert [g.name for g in network.network_security_groups.list(RG)] == []


# --- a restored VM: boot, boot diagnostics, Run Command, deletes ---------------------------------------------

@pytest.fixture
def restored(drill):
    """The drill's emulator with testVM restored as ``testVM-drill`` into the isolated network (just created)."""
    srv, resources, network, compute = drill
    _, vnet = _isolated_network(network)
    _restore_new_vm(srv, vnet)
    srv.state.clock.advance(61)  # the restore job ends: the VM exists, just powered on
    return srv, resources, network, compute


def _power_and_agent(view) -> tuple[str, str | None]:
    power = next(s.code for s in view.statuses if s.code.startswith("PowerState/"))
    agent = view.vm_agent.statuses[0].display_status if view.vm_agent else None
    return power, agent


def test_a_restored_vm_boots_then_its_agent_gets_ready(restored):
    srv, _, _, compute = restored
    vm = compute.virtual_machines.get(RG, "testVM-drill")
    assert vm.storage_profile.os_disk.create_option == "Attach"
    assert _power_and_agent(compute.virtual_machines.instance_view(RG, "testVM-drill")) == ("PowerState/starting", None)
    srv.state.clock.advance(40)
    view = compute.virtual_machines.instance_view(RG, "testVM-drill")
    assert _power_and_agent(view) == ("PowerState/running", "Not Ready")
    assert view.vm_agent.statuses[0].code == "ProvisioningState/Unavailable"
    srv.state.clock.advance(90)
    view = compute.virtual_machines.instance_view(RG, "testVM-drill")
    assert _power_and_agent(view) == ("PowerState/running", "Ready")
    assert view.os_name.startswith("Windows Server") and view.vm_agent.vm_agent_version
    expanded = compute.virtual_machines.get(RG, "testVM-drill", expand="instanceView")
    assert _power_and_agent(expanded.instance_view) == ("PowerState/running", "Ready")
    path = f"{_group_path()}/providers/Microsoft.Compute/virtualMachines/testVM-drill"
    assert not unknown_fields(compute_models.VirtualMachineInstanceView, _raw(srv, f"{path}/instanceView", COMPUTE_API))
    raw_vm = requests.get(f"{srv.url}{path}?api-version={COMPUTE_API}&$expand=instanceView", headers=AUTH).json()
    assert not unknown_fields(compute_models.VirtualMachine, raw_vm)


def test_machine_faults_keep_a_vm_starting_or_its_agent_not_ready(restored):
    srv, _, network, compute = restored
    srv.state.machine_faults.never_boots("testVM")  # the restored VM's source
    srv.state.clock.advance(600)
    assert _power_and_agent(compute.virtual_machines.instance_view(RG, "testVM-drill")) == ("PowerState/starting", None)
    srv.state.machine_faults.clear()
    srv.state.machine_faults.agent_never_ready("testVM-drill")
    assert _power_and_agent(compute.virtual_machines.instance_view(RG, "testVM-drill")) == \
        ("PowerState/running", "Not Ready")


def test_boot_diagnostics_links_serve_a_screenshot_and_a_serial_log(restored):
    srv, _, _, compute = restored
    srv.state.clock.advance(200)
    links = compute.virtual_machines.retrieve_boot_diagnostics_data(RG, "testVM-drill",
                                                                    sas_uri_expiration_time_in_minutes=5)
    shot = requests.get(links.console_screenshot_blob_uri)  # no bearer: the SAS is the credential
    assert shot.status_code == 200 and shot.headers["Content-Type"] == "image/bmp" and shot.content[:2] == b"BM"
    from PIL import Image

    assert Image.open(io.BytesIO(shot.content)).size == (720, 400)
    log = requests.get(links.serial_console_log_blob_uri)
    assert log.status_code == 200 and "SAC started" in log.text
    forged = requests.get(links.serial_console_log_blob_uri.replace("sig=", "sig=x"))
    assert forged.status_code == 403 and "<Code>AuthenticationFailed</Code>" in forged.text
    srv.state.clock.advance(6 * 60)
    expired = requests.get(links.serial_console_log_blob_uri)
    assert expired.status_code == 403 and "expiry" in expired.text.lower()
    bad = requests.post(f"{srv.url}{_group_path()}/providers/Microsoft.Compute/virtualMachines/testVM-drill/"
                        f"retrieveBootDiagnosticsData?api-version={COMPUTE_API}&sasUriExpirationTimeInMinutes=0",
                        headers=AUTH)
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidParameter")


def test_run_command_returns_the_output_in_instance_view_statuses(restored):
    srv, _, _, compute = restored
    srv.state.clock.advance(200)
    result = compute.virtual_machines.begin_run_command(RG, "testVM-drill", {
        "commandId": "RunPowerShellScript", "script": ["Write-Output 'service up'", "Get-Service W3SVC"]}).result()
    stdout, stderr = result.value
    assert stdout.code == "ComponentStatus/StdOut/succeeded" and stdout.message == "service up"
    assert stderr.code == "ComponentStatus/StdErr/succeeded" and stderr.message == ""
    srv.state.machine_faults.probe_fails("testVM", exit_code=3, stderr="W3SVC is stopped")
    failed = compute.virtual_machines.begin_run_command(RG, "testVM-drill", {
        "commandId": "RunPowerShellScript", "script": ["exit 3"]}).result()
    assert failed.value[1].message == "W3SVC is stopped"
    wrong = requests.post(f"{srv.url}{_group_path()}/providers/Microsoft.Compute/virtualMachines/testVM-drill/"
                          f"runCommand?api-version={COMPUTE_API}", headers=AUTH, json={"commandId": "RunShellScript"})
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "InvalidParameter")


def test_run_command_on_linux_reports_the_exit_code(make_srv):
    srv = make_srv(job_seconds=60, boot_seconds=10, throttle=False)
    srv.state.machine_faults.probe_fails("crrVM", exit_code=7, stderr="curl: (7) Failed to connect")
    _, _, compute = _clients(srv)
    ok = compute.virtual_machines.begin_run_command("testRG", "encryptedVM", {
        "commandId": "RunShellScript", "script": ["echo hello drill"]}).result()
    assert ok.value[0].code == "ProvisioningState/succeeded"
    assert ok.value[0].message == "Enable succeeded: \n[stdout]\nhello drill\n[stderr]\n\n"
    bad = compute.virtual_machines.begin_run_command("crrRG", "crrVM", {
        "commandId": "RunShellScript", "script": ["curl -fsS localhost"]}).result()
    assert bad.value[0].code == "ProvisioningState/failed/7" and bad.value[0].level == "Error"
    assert "exit status=7" in bad.value[0].message and "curl: (7) Failed to connect" in bad.value[0].message


def test_run_command_operation_status_and_result_shapes(restored):
    srv = restored[0]
    srv.state.clock.advance(200)
    path = f"{_group_path()}/providers/Microsoft.Compute/virtualMachines/testVM-drill"
    started = requests.post(f"{srv.url}{path}/runCommand?api-version={COMPUTE_API}", headers=AUTH,
                            json={"commandId": "RunPowerShellScript", "script": ["Write-Output ok"]})
    assert started.status_code == 202
    assert "/providers/Microsoft.Compute/locations/westus/operations/" in started.headers["Azure-AsyncOperation"]
    assert started.headers["Location"].endswith("&monitor=true")
    busy = requests.post(f"{srv.url}{path}/runCommand?api-version={COMPUTE_API}", headers=AUTH,
                         json={"commandId": "RunPowerShellScript", "script": ["Write-Output ok"]})
    assert (busy.status_code, busy.json()["error"]["code"]) == (409, "Conflict")
    assert requests.get(started.headers["Location"], headers=AUTH).status_code == 202
    srv.state.clock.advance(5)
    status = requests.get(started.headers["Azure-AsyncOperation"], headers=AUTH).json()
    assert status["status"] == "Succeeded" and status["properties"]["output"]["value"][0]["message"] == "ok"
    result = requests.get(started.headers["Location"], headers=AUTH)
    assert result.status_code == 200 and not unknown_fields(compute_models.RunCommandResult, result.json())


def test_run_command_fails_while_the_agent_is_not_ready(restored):
    _, _, _, compute = restored
    with pytest.raises(HttpResponseError) as failed:
        compute.virtual_machines.begin_run_command(RG, "testVM-drill", {"commandId": "RunPowerShellScript",
                                                                        "script": ["Write-Output ok"]}).result()
    assert failed.value.error.code == "VMAgentStatusCommunicationError"


def test_deleting_a_vm_leaves_its_disks_and_nic_which_can_then_be_deleted(restored):
    srv, resources, network, compute = restored
    vm = compute.virtual_machines.get(RG, "testVM-drill")
    disk_name = vm.storage_profile.os_disk.name
    nic_name = vm.network_profile.network_interfaces[0].id.rsplit("/", 1)[1]
    with pytest.raises(HttpResponseError) as attached:
        compute.disks.begin_delete(RG, disk_name).result()
    assert attached.value.status_code == 409 and attached.value.error.code == "OperationNotAllowed"
    with pytest.raises(HttpResponseError) as in_use:
        network.network_interfaces.begin_delete(RG, nic_name).result()
    assert in_use.value.error.code == "NicInUse"
    started = requests.delete(f"{srv.url}{vm.id}?api-version={COMPUTE_API}", headers=AUTH)
    assert started.status_code == 202 and "Azure-AsyncOperation" in started.headers
    assert compute.virtual_machines.get(RG, "testVM-drill").provisioning_state == "Deleting"
    srv.state.clock.advance(5)
    assert requests.get(started.headers["Azure-AsyncOperation"], headers=AUTH).json()["status"] == "Succeeded"
    assert compute.disks.get(RG, disk_name).disk_state == "Unattached"
    srv.state.machine_faults.delete_fails_once(disk_name)
    with pytest.raises(HttpResponseError) as once:
        compute.disks.begin_delete(RG, disk_name).result()
    assert once.value.error.code == "InternalExecutionError"
    compute.disks.begin_delete(RG, disk_name).result()
    network.network_interfaces.begin_delete(RG, nic_name).result()
    left = {r.type for r in resources.resources.list_by_resource_group(RG)}
    assert "Microsoft.Network/networkInterfaces" not in left and "Microsoft.Compute/virtualMachines" not in left
    assert requests.delete(f"{srv.url}{vm.id}?api-version={COMPUTE_API}", headers=AUTH).status_code == 204


# --- what is left: ARM's lists and Resource Graph ------------------------------------------------------------

def test_a_groups_resources_are_listed_through_arm(restored):
    srv, resources, _, _ = restored
    listed = list(resources.resources.list_by_resource_group(RG))
    kinds = sorted(r.type for r in listed)
    assert kinds == ["Microsoft.Compute/disks", "Microsoft.Compute/disks", "Microsoft.Compute/virtualMachines",
                     "Microsoft.Network/networkInterfaces", "Microsoft.Network/networkSecurityGroups",
                     "Microsoft.Network/virtualNetworks"]
    tagged = [r.name for r in resources.resources.list(filter="tagName eq 'restorekit-drill'")]
    assert sorted(tagged) == ["drill-vnet", "drill-vnet-nsg"]
    raw = _raw(srv, f"{_group_path()}/resources", GROUP_API)
    assert all(not unknown_fields(resource_models.GenericResourceExpanded, r) for r in raw["value"])


def test_resource_graph_finds_drill_groups_and_what_they_hold(restored):
    srv = restored[0]
    graph = ResourceGraphClient(FakeCredential(), base_url=srv.url, authentication_policy=PlainBearer())
    groups = graph.resources(QueryRequest(subscriptions=[SUB], query=(
        "ResourceContainers | where type =~ 'microsoft.resources/subscriptions/resourcegroups' "
        "and tags['restorekit-drill'] == 'd1' and name startswith 'rk-drill-'")))
    assert [row["name"] for row in groups.data] == [RG]
    assert groups.data[0]["properties"]["provisioningState"] == "Succeeded"
    inside = graph.resources(QueryRequest(subscriptions=[SUB], query=(
        f"Resources | where resourceGroup =~ '{RG}' | order by type asc")))
    assert [row["type"] for row in inside.data][:2] == ["microsoft.compute/disks", "microsoft.compute/disks"]
    assert inside.total_records == 6
