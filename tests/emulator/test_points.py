"""Recovery points and protected items: the documentation's exact call, shapes per api-version, paging, filters."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlparse

import requests

from .conftest import API, AUTH, ITEM, MULTI, SUB, VAULT

DOC_ITEM = ITEM.replace("/subscriptions/", "/Subscriptions/")
DOC_POINTS = {
    "20982486783671": ("AppConsistent", "2018-06-04T06:06:00.5121087Z"),
    "23358112038108": ("CrashConsistent", "2018-06-03T06:20:56.3043878Z"),
}


def _all(srv, url):
    out, pages = [], 0
    while url:
        body = requests.get(url, headers=AUTH).json()
        out.extend(body["value"])
        pages += 1
        url = body.get("nextLink")
    return out, pages


def test_documentation_request_answered_as_documented(srv):
    points, pages = _all(srv, f"{srv.url}{DOC_ITEM}/recoveryPoints?api-version=2019-05-13")
    assert pages >= 3
    by_name = {p["name"]: p for p in points}
    for name, (kind, stamp) in DOC_POINTS.items():
        p = by_name[name]
        assert p["id"] == ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testVaultRG/providers/"
                           "microsoft.recoveryservices/vaults/testVault/backupFabrics/Azure/protectionContainers/"
                           f"iaasvmcontainer;iaasvmcontainerv2;testRG;testVM/protectedItems/VM;testRG;testVM/"
                           f"recoveryPoints/{name}")
        assert p["type"] == "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints"
        assert p["properties"] == {
            "objectType": "IaasVMRecoveryPoint", "recoveryPointType": kind, "recoveryPointTime": stamp,
            "recoveryPointAdditionalInfo": "", "sourceVMStorageType": "NormalStorage", "isSourceVMEncrypted": False,
            "isInstantIlrSessionActive": False,
            "recoveryPointTierDetails": [{"type": 1, "status": 1}, {"type": 2, "status": 1}],
            "isManagedVirtualMachine": True, "virtualMachineSize": "Standard_A1_v2",
            "originalStorageAccountOption": False}
    assert all(len(n) >= 14 and n.isdigit() for n in by_name)
    assert all("zones" not in p["properties"] and "recoveryPointProperties" not in p["properties"] for p in points)
    assert {t["type"] for p in points for t in p["properties"]["recoveryPointTierDetails"]} == {1, 2, 3}


def test_new_version_uses_tier_names_and_new_fields(srv):
    points, _ = _all(srv, f"{srv.url}{ITEM}/recoveryPoints?api-version={API}")
    tiers = [[t["type"] for t in p["properties"]["recoveryPointTierDetails"]] for p in points]
    assert tiers[0] == ["InstantRP", "HardenedRP"]
    assert ["ArchivedRP"] in tiers
    assert sum(1 for t in tiers if "InstantRP" in t) <= 8
    rules = {p["properties"].get("recoveryPointProperties", {}).get("ruleName") for p in points}
    assert {"Daily", "Weekly", "Monthly", "Yearly"} <= rules
    times = [p["properties"]["recoveryPointTime"] for p in points]
    assert times == sorted(times, reverse=True)


def test_paging_keeps_filter_and_rejects_bad_token(srv):
    flt = "startDate eq '2025-01-01 12:00:00 AM' and endDate eq '2030-01-01 12:00:00 AM'"
    first = requests.get(f"{srv.url}{ITEM}/recoveryPoints", params={"api-version": API, "$filter": flt},
                         headers=AUTH).json()
    assert len(first["value"]) == 50
    query = dict(parse_qsl(urlparse(first["nextLink"]).query))
    assert query["api-version"] == API and query["$filter"] == flt and "$skipToken" in query
    points, _ = _all(srv, first["nextLink"])
    assert points and all(p["properties"]["recoveryPointTime"] >= "2025" for p in points)
    assert "20982486783671" not in {p["name"] for p in points}
    r = requests.get(f"{srv.url}{ITEM}/recoveryPoints", params={"api-version": API, "$skipToken": "garbage"},
                     headers=AUTH)
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidSkipToken"


def test_date_filter_formats(srv):
    for start, end in (("2018-06-03 12:00:00 AM", "2018-06-04 11:59:59 PM"),
                       ("2018-06-03T00:00:00Z", "2018-06-04T23:59:59Z"), ("2018-06-03", "2018-06-05")):
        flt = f"startDate eq '{start}' and endDate eq '{end}'"
        r = requests.get(f"{srv.url}{ITEM}/recoveryPoints", params={"api-version": API, "$filter": flt},
                         headers=AUTH)
        assert {p["name"] for p in r.json()["value"]} == set(DOC_POINTS), flt
    r = requests.get(f"{srv.url}{ITEM}/recoveryPoints", params={"api-version": API, "$filter": "colour eq 'red'"},
                     headers=AUTH)
    assert r.status_code == 400 and r.json()["error"]["code"] == "BMSUserErrorInvalidFilter"


def test_multi_disk_points(srv):
    points, _ = _all(srv, f"{srv.url}{MULTI}/recoveryPoints?api-version={API}")
    listed = [p["properties"]["recoveryPointDiskConfiguration"] for p in points]
    assert listed[0] == {"numberOfDisksIncludedInBackup": 4, "numberOfDisksAttachedToVm": 5}  # counts only, as Azure
    configs = [requests.get(f"{srv.url}{p['id']}?api-version={API}", headers=AUTH).json()["properties"]
               ["recoveryPointDiskConfiguration"] for p in (points[0], points[-1])]
    assert configs[0]["excludedDiskList"] == [{"lun": 3, "name": "multiDiskVM_DataDisk_3"}]
    assert [d["lun"] for d in configs[0]["includedDiskList"]] == [-1, 0, 1, 2]
    assert [d["lun"] for d in configs[-1]["includedDiskList"]] == [-1, 0, 1, 2, 3]


def test_encrypted_and_zone_points(srv):
    enc = ITEM.replace("testVM", "encryptedVM")
    p = requests.get(f"{srv.url}{enc}/recoveryPoints?api-version={API}", headers=AUTH).json()["value"][0]["properties"]
    assert p["isSourceVMEncrypted"] is True
    assert p["keyAndSecret"]["kekDetails"]["keyUrl"].startswith("https://")
    assert p["keyAndSecret"]["bekDetails"]["secretUrl"].startswith("https://")
    zone = (f"/subscriptions/{SUB}/resourceGroups/crrRG/providers/Microsoft.RecoveryServices/vaults/crrVault/"
            "backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;zoneRG;zoneVM/"
            "protectedItems/VM;iaasvmcontainerv2;zoneRG;zoneVM")
    p = requests.get(f"{srv.url}{zone}/recoveryPoints?api-version={API}", headers=AUTH).json()["value"][0]
    assert p["properties"]["zones"] == ["1"]


def test_protected_items_filter(srv):
    url = f"{srv.url}{VAULT}/backupProtectedItems"
    ok = requests.get(url, params={"api-version": "2019-05-13",
                                   "$filter": "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"},
                      headers=AUTH).json()["value"]
    assert {i["properties"]["friendlyName"] for i in ok} >= {"testVM", "multiDiskVM", "encryptedVM"}
    item = next(i for i in ok if i["properties"]["friendlyName"] == "testVM")["properties"]
    assert item["protectedItemType"] == "Microsoft.Compute/virtualMachines"
    assert item["workloadType"] == "VM" and item["protectionState"] == "Protected"
    assert item["containerName"] == "iaasvmcontainerv2;testRG;testVM"
    none = requests.get(url, params={"api-version": API, "$filter": "backupManagementType eq 'MAB'"},
                        headers=AUTH).json()["value"]
    assert none == []
    r = requests.get(url, params={"api-version": API, "$filter": "colour eq 'red'"}, headers=AUTH)
    assert r.status_code == 400


def test_lookups(srv):
    r = requests.get(f"{srv.url}/subscriptions/{SUB}/resourceGroups/testRG/providers/Microsoft.Storage/"
                     "storageAccounts/zrsAccount?api-version=2023-01-01", headers=AUTH).json()
    assert r["sku"]["name"] == "Standard_ZRS" and r["location"] == "westus"
    r = requests.get(f"{srv.url}/subscriptions/{SUB}/resourceGroups/targetRG/providers/Microsoft.Network/"
                     "virtualNetworks/testNet?api-version=2024-01-01", headers=AUTH).json()
    assert "default" in {s["name"] for s in r["properties"]["subnets"]}
