"""File recovery (item-level recovery): provision, scripts per OS, listInstantItemRecoveryOperationResult, revoke,
what an open session does to backups, the refusals; the official SDK as referee."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import requests
from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient
from azure.mgmt.recoveryservicesbackup.models import (
    IaasVMILRRegistrationRequest,
    ILRRequestResource,
    InstantItemRecoveryOperationResultRequest,
)

from restorekit.emulator.providers.backup import file_recovery
from restorekit.emulator.state.file_recovery import PASSWORD_LENGTH

from .conftest import AUTH, SUB, VAULT, vm_id
from .spec_bodies import assert_answer_valid, assert_request_valid
from .test_sdk_referee import FakeCredential, PlainBearer

AS_OF = "2026-11-20T20:00:00Z"  # testVM's next scheduled backup (06:06 UTC) falls 10 hours later
OLD, NEW = "2026-02-01", "2026-08-01"
ITEM = (f"{VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;{{rg}};{{vm}}"
        "/protectedItems/VM;iaasvmcontainerv2;{rg};{vm}")
OPS = f"/subscriptions/{SUB}/resourceGroups/opsVaultRG/providers/Microsoft.RecoveryServices/vaults/opsVault"


def item(vm: str = "testVM", rg: str = "testRG", vault: str = VAULT) -> str:
    return ITEM.format(vm=vm, rg=rg).replace(VAULT, vault)


def body(vm: str = "testVM", rg: str = "testRG", rp: str = "", **overrides: object) -> dict:
    props = {"objectType": "IaasVMILRRegistrationRequest", "recoveryPointId": rp, "virtualMachineId": vm_id(rg, vm)}
    props.update(overrides)
    return {"properties": props}


class Api:
    def __init__(self, srv) -> None:
        self.srv = srv
        self.s = requests.Session()
        self.s.headers.update(AUTH)

    def get(self, path: str, version: str = OLD, **kw) -> requests.Response:
        return self.s.get(f"{self.srv.url}{path}", params={"api-version": version}, **kw)

    def post(self, path: str, json: object = None, version: str = OLD) -> requests.Response:
        return self.s.post(f"{self.srv.url}{path}", params={"api-version": version}, json=json)

    def points(self, path: str) -> list[dict]:
        out, page = [], self.get(f"{path}/recoveryPoints").json()
        while True:
            out += page["value"]
            if not page.get("nextLink"):
                return out
            page = self.s.get(page["nextLink"]).json()

    def newest(self, path: str) -> dict:
        return self.points(path)[0]

    def provision(self, path: str, rp: dict, version: str = OLD, **props) -> requests.Response:
        vm = path.rsplit(";", 1)[1]
        rg = path.rsplit(";", 2)[1]
        payload = body(vm, rg, rp["name"], **props)
        assert_request_valid("ILRRequestResource", payload)
        return self.post(f"{rp['id']}/provisionInstantItemRecovery", payload, version)

    def status(self, answer: requests.Response, version: str = OLD) -> dict:
        return self.get(answer.headers["Azure-AsyncOperation"].split("?")[0].replace(self.srv.url, ""), version).json()


@pytest.fixture
def api(make_srv):
    return Api(make_srv(as_of=AS_OF))


def _password_from(suffix: str) -> tuple[str, str]:
    """What the Azure CLI does with scriptNameSuffix: the file name part, and the password cut out of it."""
    start = suffix.rfind("_") + 33
    return suffix[:start] + suffix[start + 15:], suffix[start:start + 15]


def test_provision_windows_hands_over_a_script_and_an_executable_then_revoke(api):
    path = item()
    rp = api.newest(path)
    assert rp["properties"]["isInstantIlrSessionActive"] is False
    started = api.provision(path, rp)
    assert started.status_code == 202, started.text
    assert started.headers["Azure-AsyncOperation"].split("?")[0].endswith("/operationsStatus/"
                                                                        + started.headers["Location"].split("?")[0]
                                                                        .rsplit("/", 1)[1])
    assert "/operationResults/" in started.headers["Location"]
    running = api.status(started)
    assert running["status"] == "InProgress" and "properties" not in running
    api.srv.state.clock.advance(1)
    done = api.status(started)
    assert_answer_valid("OperationStatus", done)
    assert done["status"] == "Succeeded"
    assert done["properties"]["objectType"] == "OperationStatusProvisionILRExtendedInfo"
    ps1, exe = done["properties"]["recoveryTarget"]["clientScripts"]
    assert (ps1["osType"], ps1["scriptExtension"], exe["osType"], exe["scriptExtension"]) == (
        "Windows", ".ps1", "Windows", ".exe")
    assert "mounts nothing" in base64.b64decode(ps1["scriptContent"]).decode()
    name, password = _password_from(exe["scriptNameSuffix"])
    session = api.srv.state.file_recoveries.open_session(
        api.srv.state.estate.protected_vm("testRG", "testVM"), rp["name"], api.srv.state.clock.now())
    assert password == session.password and len(password) == PASSWORD_LENGTH
    assert name.startswith("testVM_westus_") and password not in name
    download = requests.get(exe["url"])  # a signed URL: no bearer token
    assert download.status_code == 200 and download.content.startswith(b"MZ")
    assert api.get(f"{path}/recoveryPoints/{rp['name']}").json()["properties"]["isInstantIlrSessionActive"] is True
    vault_status = api.get(f"{VAULT}/backupOperations/{done['id']}").json()
    assert vault_status["properties"] == done["properties"]

    revoked = api.post(f"{rp['id']}/revokeInstantItemRecovery")
    assert revoked.status_code == 202 and "Azure-AsyncOperation" in revoked.headers
    api.srv.state.clock.advance(1)
    assert api.status(revoked)["status"] == "Succeeded"
    assert api.get(f"{path}/recoveryPoints/{rp['name']}").json()["properties"]["isInstantIlrSessionActive"] is False
    assert requests.get(exe["url"]).status_code == 404
    # revoking again is harmless
    assert api.post(f"{rp['id']}/revokeInstantItemRecovery").status_code == 202


def test_linux_vm_gets_one_python_script(api):
    path = item("linuxWeb", "opsRG", OPS)
    started = api.provision(path, api.newest(path))
    assert started.status_code == 202, started.text
    api.srv.state.clock.advance(1)
    (script,) = api.status(started)["properties"]["recoveryTarget"]["clientScripts"]
    assert (script["osType"], script["scriptExtension"]) == ("Linux", ".py")
    text = base64.b64decode(script["scriptContent"]).decode()
    compile(text, "ilr.py", "exec")
    assert "mount -o nouuid" in text and "iqn." in text
    assert "url" not in script


def test_from_2026_08_01_the_scripts_come_only_from_their_own_action(api):
    path = item()
    rp = api.newest(path)
    started = api.provision(path, rp, NEW)
    op = started.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    target = f"{rp['id']}/listInstantItemRecoveryOperationResult"
    early = api.post(target, {"provisionInstantItemRecoveryOperationId": op}, NEW)
    assert early.status_code == 400 and early.json()["error"]["code"] == file_recovery.NOT_READY
    api.srv.state.clock.advance(1)
    status = api.status(started, NEW)
    assert status["properties"] == {"objectType": "OperationStatusProvisionILRExtendedInfo"}
    assert_answer_valid("OperationStatus", status)
    listed = api.post(target, {"provisionInstantItemRecoveryOperationId": op}, NEW)
    assert listed.status_code == 200, listed.text
    assert_answer_valid("InstantItemRecoveryTarget", listed.json())
    assert [s["scriptExtension"] for s in listed.json()["clientScripts"]] == [".ps1", ".exe"]
    # an older api-version has no such action; a body without the operation id, or another operation, is refused
    assert api.post(target, {"provisionInstantItemRecoveryOperationId": op}, OLD).json()["error"]["code"] \
        == "InvalidApiVersionParameter"
    assert api.post(target, {}, NEW).status_code == 400
    assert api.post(target, {"provisionInstantItemRecoveryOperationId": "0" * 8}, NEW).status_code == 404
    # its own RBAC check
    api.srv.state.access.deny(file_recovery.LIST_RESULT_ACTION)
    denied = api.post(target, {"provisionInstantItemRecoveryOperationId": op}, NEW)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "AuthorizationFailed"
    assert "listInstantItemRecoveryOperationResult/action" in denied.json()["error"]["message"]
    api.srv.state.access.allow(file_recovery.LIST_RESULT_ACTION)
    api.post(f"{rp['id']}/revokeInstantItemRecovery", version=NEW)
    gone = api.post(target, {"provisionInstantItemRecoveryOperationId": op}, NEW)
    assert gone.status_code == 400 and gone.json()["error"]["code"] == file_recovery.NOT_OPEN


def test_a_second_provision_renews_the_open_session(api):
    path = item()
    rp = api.newest(path)
    api.provision(path, rp)
    state = api.srv.state
    vm = state.estate.protected_vm("testRG", "testVM")
    first = state.file_recoveries.open_session(vm, rp["name"], state.clock.now())
    expiry = first.expires_at
    state.clock.advance(3600)
    api.provision(path, rp, renewExistingRegistration=True)
    again = state.file_recoveries.open_session(vm, rp["name"], state.clock.now())
    assert again is first
    assert abs((again.expires_at - expiry - timedelta(hours=1)).total_seconds()) < 5  # 12 hours from the renewal
    assert len(state.file_recoveries) == 1


def test_archived_points_encrypted_vms_and_bad_requests_are_refused(api):
    path = item()
    archived = next(p for p in api.points(path) if [t["type"] for t in p["properties"]["recoveryPointTierDetails"]]
                    == ["ArchivedRP"])
    refused = api.provision(path, archived)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == file_recovery.ARCHIVED
    encrypted = item("encryptedVM")
    refused = api.provision(encrypted, api.newest(encrypted))
    assert refused.status_code == 400 and refused.json()["error"]["code"] == file_recovery.ENCRYPTED
    rp = api.newest(path)
    for payload, code in (({"properties": {}}, "BMSUserErrorMissingObjectType"),
                          ({"properties": {"objectType": "AzureFileShareProvisionILRRequest"}},
                           "BMSUserErrorInvalidObjectType"),
                          (body(rp=rp["name"], renewExistingRegistration="yes"), "BMSUserErrorInvalidInput")):
        answer = api.post(f"{rp['id']}/provisionInstantItemRecovery", payload)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == code
    assert len(api.srv.state.file_recoveries) == 0


def test_an_open_session_makes_the_next_scheduled_backup_fail_until_it_closes(api):
    path = item()
    rp = api.newest(path)
    api.provision(path, rp)
    state = api.srv.state
    state.clock.advance(11 * 3600)  # past 06:06 the next day, the session still open
    props = api.get(path).json()["properties"]
    assert props["lastBackupStatus"] == "Failed" and props["healthStatus"] == "ActionRequired"
    assert props["healthDetails"][0]["title"] == "UserErrorFileRecoverySessionActive"
    failed = [j for j in api.get(f"{VAULT}/backupJobs").json()["value"]
              if j["properties"]["entityFriendlyName"] == "testVM" and j["properties"]["status"] == "Failed"]
    assert len(failed) == 1
    job = api.get(f"{VAULT}/backupJobs/{failed[0]['name']}").json()
    assert "UserErrorFileRecoverySessionActive" in job["properties"]["errorDetails"][0]["errorString"]
    state.clock.advance(2 * 3600)  # 13 hours: the session expired on its own
    assert api.get(f"{path}/recoveryPoints/{rp['name']}").json()["properties"]["isInstantIlrSessionActive"] is False
    state.clock.advance(24 * 3600)  # the next day's backup is not blocked
    assert len([j for j in api.get(f"{VAULT}/backupJobs").json()["value"]
                if j["properties"]["entityFriendlyName"] == "testVM" and j["properties"]["status"] == "Failed"]) == 1


def test_the_official_sdk_provisions_reads_the_scripts_both_ways_and_revokes(make_srv):
    srv = make_srv(as_of=AS_OF)
    container, name = "IaasVMContainer;iaasvmcontainerv2;testRG;testVM", "VM;iaasvmcontainerv2;testRG;testVM"
    args = ("testVault", "testVaultRG", "Azure", container, name)
    for version in (OLD, None):  # None: the SDK's own default (2026-10-01)
        kw = {"api_version": version} if version else {}
        client = RecoveryServicesBackupClient(FakeCredential(), SUB, base_url=srv.url,
                                              authentication_policy=PlainBearer(), polling_interval=0.05, **kw)
        rp = next(iter(client.recovery_points.list(*args))).name
        headers = client.item_level_recovery_connections.provision(
            *args, rp, ILRRequestResource(properties=IaasVMILRRegistrationRequest(
                recovery_point_id=rp, virtual_machine_id=vm_id("testRG", "testVM"))),
            cls=lambda response, *_: response.http_response.headers)
        op = headers["Azure-AsyncOperation"].split("?")[0].rsplit("/", 1)[1]
        srv.state.clock.advance(1)
        status = client.backup_operation_statuses.get("testVault", "testVaultRG", op)
        assert status.status == "Succeeded"
        if version:
            scripts = status.properties.recovery_target.client_scripts
        else:
            assert status.properties.object_type == "OperationStatusProvisionILRExtendedInfo"
            scripts = client.item_level_recovery_connections.list_instant_item_recovery_operation_result(
                "testVaultRG", "testVault", "Azure", container, name, rp,
                InstantItemRecoveryOperationResultRequest(provision_instant_item_recovery_operation_id=op)
            ).client_scripts
        assert [s.script_extension for s in scripts] == [".ps1", ".exe"]
        assert scripts[1].url.startswith(srv.url)
        client.item_level_recovery_connections.revoke(*args, rp)
        assert client.recovery_points.get(*args, rp).properties.is_instant_ilr_session_active is False
