"""Tokens that expire: the Entra-like endpoint, ARM's 401s, and cross-region restore access tokens."""

from __future__ import annotations

import re

import pytest
import requests

from .conftest import API, AUTH, ITEM, SUB, VAULT
from .entra import EmulatorCredential, token_url

CLIENT = {"grant_type": "client_credentials", "client_id": "app-1", "client_secret": "s3cret",
          "scope": "https://management.azure.com/.default"}
CRR_VAULT = f"/subscriptions/{SUB}/resourceGroups/crrRG/providers/Microsoft.RecoveryServices/vaults/crrVault"
CRR_ITEM = (f"{CRR_VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;crrRG;crrVM"
            "/protectedItems/VM;iaasvmcontainerv2;crrRG;crrVM")
WESTUS = f"/subscriptions/{SUB}/providers/Microsoft.RecoveryServices/locations/westus"
DOTNET_TIME = r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d:\d\d [AP]M"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issue(server, **form: str) -> requests.Response:
    return requests.post(token_url(server.url), data={**CLIENT, **form})


def test_endpoint_answers_like_entra(make_srv):
    server = make_srv(token_lifetime=120)
    r = issue(server)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 120 and body["ext_expires_in"] == 120
    assert body["access_token"].count(".") == 2  # a JWT
    assert len(server.state.tokens) == 1


@pytest.mark.parametrize(("form", "status", "error", "code"), [
    ({"grant_type": ""}, 400, "invalid_request", 900144),
    ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
    ({"scope": "https://management.azure.com"}, 400, "invalid_scope", 1002012),
    ({"client_secret": ""}, 401, "invalid_client", 7000216),
])
def test_endpoint_refuses_like_entra(srv, form, status, error, code):
    r = issue(srv, **form)
    assert r.status_code == status
    body = r.json()
    assert body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}:") and "Trace ID:" in body["error_description"]


def test_without_lifetime_any_token_and_issued_ones_work(srv):
    assert requests.get(f"{srv.url}{ITEM}?api-version={API}", headers=AUTH).status_code == 200
    token = issue(srv).json()["access_token"]
    assert requests.get(f"{srv.url}{ITEM}?api-version={API}", headers=bearer(token)).status_code == 200


def test_issued_token_accepted_other_tokens_refused(make_srv):
    server = make_srv(token_lifetime=60)
    token = issue(server).json()["access_token"]
    assert requests.get(f"{server.url}{ITEM}?api-version={API}", headers=bearer(token)).status_code == 200
    r = requests.get(f"{server.url}{ITEM}?api-version={API}", headers=AUTH)
    assert r.status_code == 401
    assert r.json()["error"] == {"code": "InvalidAuthenticationToken", "message": "The access token is invalid.",
                                 "details": []}
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_expired_token_answered_as_arm_does(make_srv):
    server = make_srv(token_lifetime=60)
    token = issue(server).json()["access_token"]
    server.state.clock.advance(61)
    r = requests.get(f"{server.url}{VAULT}/backupJobs?api-version={API}", headers=bearer(token))
    assert r.status_code == 401
    err = r.json()["error"]
    assert err["code"] == "ExpiredAuthenticationToken"
    assert re.fullmatch(rf"The access token expiry UTC time '{DOTNET_TIME}' is earlier than current UTC time "
                        rf"'{DOTNET_TIME}'\.", err["message"]), err["message"]
    assert r.headers["WWW-Authenticate"] == ('Bearer authorization_uri="https://login.windows.net/'
                                             '00000000-0000-0000-0000-000000000000", '
                                             'error="invalid_token", error_description="The access token has expired."')
    assert r.headers["x-ms-failure-cause"] == "gateway"
    fresh = issue(server).json()["access_token"]
    assert requests.get(f"{server.url}{ITEM}?api-version={API}", headers=bearer(fresh)).status_code == 200


def test_expire_all_on_demand(make_srv):
    server = make_srv(token_lifetime=3600)
    token = issue(server).json()["access_token"]
    assert server.state.tokens.expire_all() == 1
    r = requests.get(f"{server.url}{ITEM}?api-version={API}", headers=bearer(token))
    assert r.status_code == 401 and r.json()["error"]["code"] == "ExpiredAuthenticationToken"


def test_official_client_gets_arms_expired_token_error(make_srv):
    from azure.core.exceptions import ClientAuthenticationError
    from azure.core.pipeline.policies import BearerTokenCredentialPolicy
    from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient

    server = make_srv(token_lifetime=600)
    credential = EmulatorCredential(server.url)
    client = RecoveryServicesBackupClient(credential, SUB, base_url=server.url, authentication_policy=
                                          BearerTokenCredentialPolicy(credential,
                                                                      "https://management.azure.com/.default"))
    get = {"vault_name": "testVault", "resource_group_name": "testVaultRG", "fabric_name": "Azure",
           "container_name": "IaasVMContainer;iaasvmcontainerv2;testRG;testVM",
           "protected_item_name": "VM;iaasvmcontainerv2;testRG;testVM", "enforce_https": False}
    assert client.protected_items.get(**get).properties["friendlyName"] == "testVM"
    server.state.tokens.expire_all()
    with pytest.raises(ClientAuthenticationError, match="ExpiredAuthenticationToken"):
        client.protected_items.get(**get)  # the client still holds the token it thinks valid
    assert credential.fetched == 1
    client.close()


def _crr_token(server):
    point = requests.get(f"{server.url}{CRR_ITEM}/recoveryPoints/?api-version=2018-12-20",
                         headers=AUTH).json()["value"][0]["name"]
    aad = requests.get(f"{server.url}{WESTUS}/backupAadProperties?api-version=2018-12-20", headers=AUTH).json()
    token = requests.post(f"{server.url}{CRR_ITEM}/recoveryPoints/{point}/accessToken?api-version=2018-12-20",
                          json=aad, headers=AUTH).json()["properties"]
    request = {"objectType": "IaasVMRestoreRequest", "recoveryPointId": point, "recoveryType": "RestoreDisks",
               "sourceResourceId": f"/subscriptions/{SUB}/resourceGroups/crrRG/providers/Microsoft.Compute/"
                                   "virtualMachines/crrVM",
               "storageAccountId": f"/subscriptions/{SUB}/resourceGroups/testRG/providers/Microsoft.Storage/"
                                   "storageAccounts/testAccount", "region": "westus"}
    return {"crossRegionRestoreAccessDetails": token, "restoreRequest": request}


def test_crr_access_token_expires(make_srv):
    server = make_srv(crr_token_lifetime=300, throttle=False)
    body = _crr_token(server)
    server.state.clock.advance(301)
    r = requests.post(f"{server.url}{WESTUS}/backupCrossRegionRestore?api-version=2018-12-20", json=body,
                      headers=AUTH)
    assert r.status_code == 400 and r.json()["error"]["code"] == "UserErrorCrrAccessTokenExpired"
    fresh = _crr_token(server)
    r = requests.post(f"{server.url}{WESTUS}/backupCrossRegionRestore?api-version=2018-12-20", json=fresh,
                      headers=AUTH)
    assert r.status_code == 202


def test_crr_access_token_lives_an_hour_by_default(srv):
    body = _crr_token(srv)
    grant = srv.state.crr_tokens[body["crossRegionRestoreAccessDetails"]["accessTokenString"]]
    lifetime = (grant.expires_at - srv.state.clock.now()).total_seconds()
    assert 3590 < lifetime <= 3600
