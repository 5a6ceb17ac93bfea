"""Multi-user authorization: a vault linked to a Resource Guard refuses its critical operations without the guard's
operation request and an auxiliary token of the guard's tenant; deletions are unlocked first; the SDK as referee."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient
from azure.mgmt.recoveryservicesbackup.models import (
    IaasVMRestoreRequest,
    ResourceGuardProxyBase,
    ResourceGuardProxyBaseResource,
    RestoreRequestResource,
    UnlockDeleteRequest,
)

from restorekit.emulator.estate.security import GUARD_TENANT_ID
from restorekit.emulator.estate.tenancy import TENANT_ID
from restorekit.emulator.providers.backup import mua
from restorekit.emulator.seed.security import GUARD_ID

from .conftest import AUTH, SUB, VAULT, account_id, vm_id
from .spec_bodies import assert_answer_valid, assert_request_valid
from .test_sdk_referee import FakeCredential, PlainBearer

API = "2026-02-01"
PROXY = f"{VAULT}/backupResourceGuardProxies/VaultProxy"
ITEM = (f"{VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;testRG;testVM"
        "/protectedItems/VM;iaasvmcontainerv2;testRG;testVM")
RESTORE_REQUEST = f"{GUARD_ID}/triggerRestoreRequests/default"


class Api:
    def __init__(self, srv) -> None:
        self.srv = srv
        self.s = requests.Session()
        self.s.headers.update(AUTH)

    def call(self, method: str, path: str, json: object = None, aux: str | None = None) -> requests.Response:
        headers = {"x-ms-authorization-auxiliary": aux} if aux else {}
        return self.s.request(method, f"{self.srv.url}{path}", params={"api-version": API}, json=json,
                              headers=headers)

    def token(self, tenant: str = GUARD_TENANT_ID, client: str = "backup-operator") -> str:
        answer = requests.post(f"{self.srv.url}/{tenant}/oauth2/v2.0/token", data={
            "grant_type": "client_credentials", "client_id": client, "client_secret": "s3cret",
            "scope": "https://management.azure.com/.default"})
        return answer.json()["access_token"]

    def guard(self) -> requests.Response:
        body = {"properties": {"resourceGuardResourceId": GUARD_ID}}
        assert_request_valid("ResourceGuardProxyBaseResource", body)
        return self.call("PUT", PROXY, body)

    def restore(self, requests_: list[str] | None = None, aux: str | None = None) -> requests.Response:
        rp = self.call("GET", f"{ITEM}/recoveryPoints").json()["value"][0]
        props = {"objectType": "IaasVMRestoreRequest", "recoveryPointId": rp["name"], "recoveryType": "RestoreDisks",
                 "sourceResourceId": vm_id("testRG", "testVM"), "region": "westus",
                 "storageAccountId": account_id("testRG", "testAccount"), "originalStorageAccountOption": False}
        if requests_ is not None:
            props["resourceGuardOperationRequests"] = requests_
        return self.call("POST", f"{rp['id']}/restore", {"properties": props}, aux)


@pytest.fixture
def api(make_srv):
    return Api(make_srv(as_of="2026-11-20T12:00:00Z"))


def code(answer: requests.Response) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_a_vault_without_a_guard_lists_none_as_recorded_and_restores_freely(api):
    listed = api.call("GET", f"{VAULT}/backupResourceGuardProxies").json()
    assert listed == {"value": []}
    assert api.restore().status_code == 202


def test_linking_a_guard_lists_its_critical_operations(api):
    linked = api.guard()
    assert linked.status_code == 200, linked.text
    assert_answer_valid("ResourceGuardProxyBaseResource", linked.json())
    listed = api.call("GET", f"{VAULT}/backupResourceGuardProxies").json()
    assert_answer_valid("ResourceGuardProxyBaseResourceList", listed)
    (proxy,) = listed["value"]
    assert proxy["id"] == PROXY and proxy["name"] == "VaultProxy"
    details = {d["vaultCriticalOperation"]: d["defaultResourceRequest"]
               for d in proxy["properties"]["resourceGuardOperationDetails"]}
    assert details["Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints"
                   "/restore/action"] == RESTORE_REQUEST
    assert api.call("GET", PROXY).json() == proxy
    unknown = api.call("PUT", PROXY, {"properties": {"resourceGuardResourceId": GUARD_ID + "x"}})
    assert code(unknown) == (400, "BMSUserErrorResourceGuardNotFound")
    other = api.call("PUT", f"{VAULT}/backupResourceGuardProxies/Other",
                     {"properties": {"resourceGuardResourceId": GUARD_ID}})
    assert other.status_code == 400
    assert api.call("GET", f"{VAULT}/backupResourceGuardProxies/Other").status_code == 404


def test_a_guarded_restore_needs_the_request_and_an_auxiliary_token_of_the_guards_tenant(api):
    api.guard()
    assert code(api.restore()) == (400, mua.MISSING_REQUEST)
    assert code(api.restore(["/some/other/request"])) == (400, mua.MISSING_REQUEST)
    refused = api.restore([RESTORE_REQUEST])
    assert code(refused) == (403, "LinkedAuthorizationFailed")
    assert GUARD_TENANT_ID in refused.json()["error"]["message"]
    home = api.token(TENANT_ID)
    assert code(api.restore([RESTORE_REQUEST], f"Bearer {home}")) == (403, "LinkedAuthorizationFailed")
    assert code(api.restore([RESTORE_REQUEST], "Bearer not-a-token")) == (401, "InvalidAuthenticationToken")
    guard_token = api.token()
    accepted = api.restore([RESTORE_REQUEST], f"Bearer {home}, Bearer {guard_token}")
    assert accepted.status_code == 202, accepted.text
    api.srv.state.tokens.expire_all()
    assert code(api.restore([RESTORE_REQUEST], f"Bearer {guard_token}")) == (401, "ExpiredAuthenticationToken")


def test_a_guard_that_wants_a_pim_role_refuses_until_the_role_is_active(api):
    api.guard()
    guard = api.srv.state.estate.resource_guards[GUARD_ID.lower()]
    guard.roles = {}  # roles are given through PIM only
    token = api.token()
    refused = api.restore([RESTORE_REQUEST], f"Bearer {token}")
    assert code(refused) == (403, "LinkedAuthorizationFailed") and "Privileged Identity" in refused.json()["error"][
        "message"]
    claims = api.srv.state.tokens.find(token)
    now = api.srv.state.clock.now()
    guard.grant(claims.object_id, now + timedelta(hours=1))
    assert api.restore([RESTORE_REQUEST], f"Bearer {api.token()}").status_code == 202
    api.srv.state.clock.advance(3601)
    assert code(api.restore([RESTORE_REQUEST], f"Bearer {api.token()}")) == (403, "LinkedAuthorizationFailed")


def test_deletions_are_unlocked_first_then_done_once(api):
    api.guard()
    assert code(api.call("DELETE", ITEM)) == (400, mua.NOT_UNLOCKED)
    unlock = {"resourceGuardOperationRequests": [f"{GUARD_ID}/deleteProtectedItemRequests/default"],
              "resourceToBeDeleted": ITEM}
    assert_request_valid("UnlockDeleteRequest", unlock)
    assert code(api.call("POST", f"{PROXY}/unlockDelete", unlock)) == (403, "LinkedAuthorizationFailed")
    unlocked = api.call("POST", f"{PROXY}/unlockDelete", unlock, f"Bearer {api.token()}")
    assert unlocked.status_code == 200, unlocked.text
    assert_answer_valid("UnlockDeleteResponse", unlocked.json())
    assert api.call("DELETE", ITEM).status_code == 202
    # the proxy itself
    assert code(api.call("DELETE", PROXY)) == (400, mua.NOT_UNLOCKED)
    api.call("POST", f"{PROXY}/unlockDelete", {
        "resourceGuardOperationRequests": [f"{GUARD_ID}/deleteResourceGuardProxyRequests/default"],
        "resourceToBeDeleted": PROXY}, f"Bearer {api.token()}")
    assert api.call("DELETE", PROXY).status_code == 200
    assert api.call("GET", f"{VAULT}/backupResourceGuardProxies").json() == {"value": []}
    assert api.call("DELETE", PROXY).status_code == 204


def test_turning_soft_delete_off_is_guarded(api):
    api.guard()
    off = {"properties": {"softDeleteFeatureState": "Disabled", "enhancedSecurityState": "Enabled",
                          "softDeleteRetentionPeriodInDays": 14}}
    config = f"{VAULT}/backupconfig/vaultconfig"
    assert code(api.call("PATCH", config, off)) == (400, mua.MISSING_REQUEST)
    off["properties"]["resourceGuardOperationRequests"] = [f"{GUARD_ID}/disableSoftDeleteRequests/default"]
    assert_request_valid("BackupResourceVaultConfigResource", off)
    assert code(api.call("PATCH", config, off)) == (403, "LinkedAuthorizationFailed")
    done = api.call("PATCH", config, off, f"Bearer {api.token()}")
    assert done.status_code == 200 and done.json()["properties"]["softDeleteFeatureState"] == "Disabled"
    # turning it back on weakens nothing: no approval needed
    on = {"properties": {"softDeleteFeatureState": "Enabled"}}
    assert api.call("PATCH", config, on).status_code == 200


def test_the_official_sdk_links_the_guard_and_restores_with_the_auxiliary_header(make_srv):
    srv = make_srv(as_of="2026-11-20T12:00:00Z")
    api = Api(srv)
    client = RecoveryServicesBackupClient(FakeCredential(), SUB, base_url=srv.url, authentication_policy=PlainBearer(),
                                          polling_interval=0.05)
    client.resource_guard_proxy.put("testVault", "testVaultRG", "VaultProxy", ResourceGuardProxyBaseResource(
        properties=ResourceGuardProxyBase(resource_guard_resource_id=GUARD_ID)))
    (proxy,) = list(client.resource_guard_proxies.get("testVault", "testVaultRG"))
    assert proxy.properties.resource_guard_resource_id == GUARD_ID
    container, name = "IaasVMContainer;iaasvmcontainerv2;testRG;testVM", "VM;iaasvmcontainerv2;testRG;testVM"
    rp = next(iter(client.recovery_points.list("testVault", "testVaultRG", "Azure", container, name))).name
    body = RestoreRequestResource(properties=IaasVMRestoreRequest(
        recovery_point_id=rp, recovery_type="RestoreDisks", source_resource_id=vm_id("testRG", "testVM"),
        storage_account_id=account_id("testRG", "testAccount"), region="westus", original_storage_account_option=False,
        resource_guard_operation_requests=[RESTORE_REQUEST]))
    poller = client.restores.begin_trigger("testVault", "testVaultRG", "Azure", container, name, rp, body,
                                           x_ms_authorization_auxiliary=f"Bearer {api.token()}", polling_interval=0.05)
    assert poller.result(timeout=10) is None
    unlocked = client.resource_guard_proxy.unlock_delete("testVault", "testVaultRG", "VaultProxy", UnlockDeleteRequest(
        resource_guard_operation_requests=[f"{GUARD_ID}/deleteResourceGuardProxyRequests/default"],
        resource_to_be_deleted=PROXY), headers={"x-ms-authorization-auxiliary": f"Bearer {api.token()}"})
    assert unlocked.unlock_delete_expiry_time
    client.resource_guard_proxy.delete("testVault", "testVaultRG", "VaultProxy")
    assert list(client.resource_guard_proxies.get("testVault", "testVaultRG")) == []
