"""The documentation's cross-region restore example replays on the demo estate (testVault, westus -> eastus)."""

from __future__ import annotations

import requests

from .conftest import AUTH, SUB, VAULT, all_pages

V = "2018-12-20"
DOC_ITEM = (f"{VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;testRG1;testVM"
            "/protectedItems/VM;iaasvmcontainerv2;testRG1;testVM")
EASTUS = f"/subscriptions/{SUB}/providers/Microsoft.RecoveryServices/locations/eastus"
DOC_POINT_ID = ("/Subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testVaultRG/providers/"
                "Microsoft.RecoveryServices/vaults/testVault/backupFabrics/Azure/protectionContainers/"
                "IaasVMContainer;iaasvmcontainerv2;testRG1;testVM/protectedItems/VM;iaasvmcontainerv2;testRG1;testVM/"
                "recoveryPoints/")
DOC_PROPERTIES = {
    "objectType": "IaasVMRecoveryPoint", "recoveryPointType": "CrashConsistent",
    "recoveryPointAdditionalInfo": "", "sourceVMStorageType": "PremiumVMOnPartialPremiumStorage",
    "isSourceVMEncrypted": False, "isInstantIlrSessionActive": False, "isManagedVirtualMachine": True,
    "virtualMachineSize": "Standard_D2s_v3", "originalStorageAccountOption": False, "osType": "Windows"}
DOC_POINTS = {
    "932895704780058094": ("2021-07-31T09:24:34.687561Z", [{"type": 1, "status": 1}]),
    "932891484644960954": ("2021-07-30T09:20:01.8355052Z", [{"type": 1, "status": 1}, {"type": 2, "status": 1}]),
}
#: The documentation's restore body, adapted: a listed point, and the region the emulator reads (eastus).
DOC_RESTORE = {
    "affinityGroup": "", "createNewCloudService": False, "encryptionDetails": {"encryptionEnabled": False},
    "objectType": "IaasVMRestoreRequest", "recoveryPointId": "932895704780058094", "recoveryType": "RestoreDisks",
    "sourceResourceId": f"/subscriptions/{SUB}/resourceGroups/testRG1/providers/Microsoft.Compute/virtualMachines/testVM",
    "targetResourceGroupId": f"/subscriptions/{SUB}/resourceGroups/testRG1",
    "storageAccountId": f"/subscriptions/{SUB}/resourceGroups/testRG1/providers/Microsoft.Storage/storageAccounts/"
                        "testStorageAccount",
    "region": "eastus", "originalStorageAccountOption": False, "restoreDiskLunList": []}


def test_test_vault_has_cross_region_restore_towards_eastus(srv):
    vault = requests.get(f"{srv.url}{VAULT}?api-version=2023-04-01", headers=AUTH).json()
    assert vault["location"] == "westus"
    assert vault["properties"]["redundancySettings"] == {"standardTierStorageRedundancy": "GeoRedundant",
                                                         "crossRegionRestore": "Enabled"}
    items = requests.get(f"{srv.url}{VAULT}/backupProtectedItems/", headers=AUTH, params={
        "api-version": V, "$filter": "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"}).json()["value"]
    assert "iaasvmcontainerv2;testRG1;testVM" in {i["properties"]["containerName"] for i in items}


def test_the_documented_secondary_points_verbatim(srv):
    points = {p["name"]: p for p in all_pages(f"{srv.url}{DOC_ITEM.replace('/subscriptions/', '/Subscriptions/')}"
                                              f"/recoveryPoints?api-version={V}")}
    for name, (stamp, tiers) in DOC_POINTS.items():
        p = points[name]
        assert p["id"] == DOC_POINT_ID + name
        assert p["type"] == "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/" \
                            "recoveryPoints"
        assert p["properties"] == {**DOC_PROPERTIES, "recoveryPointTime": stamp, "recoveryPointTierDetails": tiers}


def test_the_documented_flow_replays(srv):
    aad = requests.get(f"{srv.url}{EASTUS}/backupAadProperties?api-version={V}", headers=AUTH).json()
    assert aad["properties"]["audience"] == "https://RecoveryServices/IaasCoord/aadmgmt/eus"
    token = requests.post(f"{srv.url}{DOC_ITEM}/recoveryPoints/932895704780058094/accessToken?api-version={V}",
                          json={"properties": {k: aad["properties"][k] for k in
                                               ("tenantId", "audience", "servicePrincipalObjectId")}},
                          headers=AUTH)
    assert token.status_code == 200
    details = token.json()["properties"]
    assert details["containerName"] == "iaasvmcontainerv2;testRG1;testVM" and details["resourceName"] == "testVault"
    assert details["recoveryPointTime"] == "7/31/2021 9:24:34 AM" and details["rpVMSizeDescription"] == "Standard_D2s_v3"
    wrong_region = {**DOC_RESTORE, "storageAccountId": DOC_RESTORE["storageAccountId"].replace(
        "testRG1/providers/Microsoft.Storage/storageAccounts/testStorageAccount",
        "testRG/providers/Microsoft.Storage/storageAccounts/testAccount")}
    r = requests.post(f"{srv.url}{EASTUS}/backupCrossRegionRestore?api-version={V}", headers=AUTH,
                      json={"crossRegionRestoreAccessDetails": details, "restoreRequest": wrong_region})
    assert r.json()["error"]["code"] == "UserErrorStorageAccountInDifferentRegion"
    r = requests.post(f"{srv.url}{EASTUS}/backupCrossRegionRestore?api-version={V}", headers=AUTH,
                      json={"crossRegionRestoreAccessDetails": details, "restoreRequest": DOC_RESTORE})
    assert r.status_code == 202, r.text
    srv.state.clock.advance(2)
    status = requests.get(r.headers["Azure-AsyncOperation"], headers=AUTH).json()
    assert status["status"] == "Succeeded"
    job = requests.post(f"{srv.url}{EASTUS}/backupCrrJob?api-version={V}", headers=AUTH,
                        json={"resourceId": VAULT, "jobName": status["properties"]["jobId"]}).json()
    assert job["properties"]["operation"] == "CrossRegionRestore"
    assert job["properties"]["entityFriendlyName"] == "testVM"
    assert job["properties"]["extendedInfo"]["propertyBag"]["Target Storage Account Name"] == "testStorageAccount"
    assert job["id"].startswith(EASTUS.split("?")[0]) and job["properties"]["extendedInfo"]["internalPropertyBag"] == {
        "AdHoc": "AdHoc", "restoreLocationType": "RestoreDisks"}
