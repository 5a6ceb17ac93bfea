"""A regional outage: the vault region's active stamp answers 503, the passive stamp (CRR) keeps working."""

from __future__ import annotations

import pytest
import requests

from .conftest import API, AUTH, ITEM, SUB, VAULT
from .test_documented_crr import DOC_ITEM, DOC_RESTORE, EASTUS
from .test_sdk_referee import FakeCredential, PlainBearer

V = "2018-12-20"
CRR_VAULT = f"/subscriptions/{SUB}/resourceGroups/crrRG/providers/Microsoft.RecoveryServices/vaults/crrVault"


@pytest.fixture
def out(make_srv):
    server = make_srv(throttle=False)
    server.state.faults.region_outage("westus")
    return server


def unavailable(r: requests.Response) -> bool:
    return (r.status_code == 503 and r.json()["error"]["code"] == "ServiceUnavailable"
            and int(r.headers["Retry-After"]) >= 1)


def test_primary_calls_answer_503(out, restore_body):
    for path in (VAULT, f"{VAULT}/backupProtectedItems", ITEM, f"{ITEM}/recoveryPoints",
                 f"{VAULT}/backupJobs", f"{ITEM}/operationsStatus/abc", f"{VAULT}/backupOperations/abc"):
        version = "2023-04-01" if path == VAULT else API
        assert unavailable(requests.get(f"{out.url}{path}?api-version={version}", headers=AUTH)), path
    r = requests.post(f"{out.url}{ITEM}/recoveryPoints/20982486783671/restore?api-version={API}",
                      json=restore_body(), headers=AUTH)
    assert unavailable(r)
    assert not [j for j in out.state.jobs.values() if j.operation == "Restore"]
    # another region's vault is not affected
    assert requests.get(f"{out.url}{CRR_VAULT}?api-version=2023-04-01", headers=AUTH).status_code == 200


def test_passive_calls_keep_working(out):
    items = requests.get(f"{out.url}{VAULT}/backupProtectedItems/", headers=AUTH, params={
        "api-version": V, "$filter": "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"})
    assert items.status_code == 200 and len(items.json()["value"]) == 5
    points = requests.get(f"{out.url}{DOC_ITEM}/recoveryPoints/?api-version={V}", headers=AUTH)
    assert points.status_code == 200
    aad = requests.get(f"{out.url}{EASTUS}/backupAadProperties?api-version={V}", headers=AUTH)
    assert aad.status_code == 200
    token = requests.post(f"{out.url}{DOC_ITEM}/recoveryPoints/932895704780058094/accessToken?api-version={V}",
                          json=aad.json(), headers=AUTH)
    assert token.status_code == 200
    r = requests.post(f"{out.url}{EASTUS}/backupCrossRegionRestore?api-version={V}", headers=AUTH,
                      json={"crossRegionRestoreAccessDetails": token.json()["properties"],
                            "restoreRequest": DOC_RESTORE})
    assert r.status_code == 202
    out.state.clock.advance(2)
    assert requests.get(r.headers["Azure-AsyncOperation"], headers=AUTH).json()["status"] == "Succeeded"
    assert requests.get(r.headers["Location"], headers=AUTH).status_code == 200
    jobs = requests.post(f"{out.url}{EASTUS}/backupCrrJobs?api-version={V}", headers=AUTH,
                         json={"resourceId": VAULT}).json()["value"]
    assert [j["properties"]["operation"] for j in jobs] == ["CrossRegionRestore"]
    job = requests.post(f"{out.url}{EASTUS}/backupCrrJob?api-version={V}", headers=AUTH,
                        json={"resourceId": VAULT, "jobName": jobs[0]["name"]})
    assert job.status_code == 200


def test_the_out_region_serves_no_secondary_copy_either(out):
    """crrVault (eastus) has its secondary copy in westus: its passive calls and westus's endpoints are out."""
    container = "IaasVMContainer;iaasvmcontainerv2;crrRG;crrVM"
    item = f"{CRR_VAULT}/backupFabrics/Azure/protectionContainers/{container}/protectedItems/VM;iaasvmcontainerv2;crrRG;crrVM"
    assert requests.get(f"{out.url}{item}?api-version={API}", headers=AUTH).status_code == 200
    assert unavailable(requests.get(f"{out.url}{item}/recoveryPoints/?api-version={V}", headers=AUTH))
    westus = f"/subscriptions/{SUB}/providers/Microsoft.RecoveryServices/locations/westus"
    assert unavailable(requests.get(f"{out.url}{westus}/backupAadProperties?api-version={V}", headers=AUTH))


def test_end_of_outage(out):
    assert unavailable(requests.get(f"{out.url}{ITEM}?api-version={API}", headers=AUTH))
    assert out.state.faults.outage_regions == {"westus"}
    out.state.faults.end_outage()
    assert requests.get(f"{out.url}{ITEM}?api-version={API}", headers=AUTH).status_code == 200


def test_passive_stamp_sdk_during_the_outage(out):
    from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient
    from azure.mgmt.recoveryservicesbackup.passivestamp import RecoveryServicesBackupPassiveClient

    passive = RecoveryServicesBackupPassiveClient(FakeCredential(), SUB, base_url=out.url,
                                                  authentication_policy=PlainBearer())
    items = list(passive.backup_protected_items_crr.list(
        "testVault", "testVaultRG", filter="backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"))
    names = {i.name for i in items}
    assert "VM;iaasvmcontainerv2;testRG1;testVM" in names and len(names) == 5
    points = list(passive.recovery_points_crr.list("testVault", "testVaultRG", "Azure",
                                                   "IaasVMContainer;iaasvmcontainerv2;testRG1;testVM",
                                                   "VM;iaasvmcontainerv2;testRG1;testVM"))
    assert {"932895704780058094", "932891484644960954"} <= {p.name for p in points}
    primary = RecoveryServicesBackupClient(FakeCredential(), SUB, base_url=out.url,
                                           authentication_policy=PlainBearer(), retry_total=0)
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError, match="ServiceUnavailable"):
        list(primary.backup_protected_items.list("testVault", "testVaultRG"))
    passive.close()
    primary.close()
