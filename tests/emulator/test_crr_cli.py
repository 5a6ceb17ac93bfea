"""Cross-region restore on the passive stamp, and the command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests

from .conftest import AUTH, SUB, account_id

CRR_VAULT = f"/subscriptions/{SUB}/resourceGroups/crrRG/providers/Microsoft.RecoveryServices/vaults/crrVault"
CRR_ITEM = (f"{CRR_VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;crrRG;crrVM"
            "/protectedItems/VM;iaasvmcontainerv2;crrRG;crrVM")
LOC = f"/subscriptions/{SUB}/providers/Microsoft.RecoveryServices/locations/westus"
V = "2018-12-20"


def test_crr_flow(make_srv):
    srv = make_srv(throttle=False)
    points = requests.get(f"{srv.url}{CRR_ITEM}/recoveryPoints/?api-version={V}", headers=AUTH).json()["value"]
    assert points[0]["properties"]["recoveryPointTierDetails"][0]["type"] in (1, 2)
    rp = points[0]["name"]
    aad = requests.get(f"{srv.url}{LOC}/backupAadProperties?api-version={V}", headers=AUTH).json()
    assert aad["properties"]["audience"].endswith("/wus")
    tok = requests.post(f"{srv.url}{CRR_ITEM}/recoveryPoints/{rp}/accessToken?api-version={V}", json=aad, headers=AUTH)
    assert tok.status_code == 200
    details = tok.json()["properties"]
    assert details["objectType"] == "CrrAccessToken" and details["accessTokenString"]
    request = {"objectType": "IaasVMRestoreRequest", "recoveryPointId": rp, "recoveryType": "RestoreDisks",
               "sourceResourceId": f"/subscriptions/{SUB}/resourceGroups/crrRG/providers/Microsoft.Compute/"
                                   "virtualMachines/crrVM",
               "storageAccountId": account_id("testRG", "testAccount"), "region": "westus"}
    bad = requests.post(f"{srv.url}{LOC}/backupCrossRegionRestore?api-version={V}", headers=AUTH,
                        json={"crossRegionRestoreAccessDetails": {**details, "accessTokenString": "forged"},
                              "restoreRequest": request})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "UserErrorCrrAccessTokenInvalid"
    wrong_sa = requests.post(f"{srv.url}{LOC}/backupCrossRegionRestore?api-version={V}", headers=AUTH,
                             json={"crossRegionRestoreAccessDetails": details,
                                   "restoreRequest": {**request, "storageAccountId": account_id("crrRG", "eastAccount")}})
    assert wrong_sa.json()["error"]["code"] == "UserErrorStorageAccountInDifferentRegion"
    r = requests.post(f"{srv.url}{LOC}/backupCrossRegionRestore?api-version={V}", headers=AUTH,
                      json={"crossRegionRestoreAccessDetails": details, "restoreRequest": request})
    assert r.status_code == 202
    assert "/backupCrrOperationsStatus/" in r.headers["Azure-AsyncOperation"]
    srv.state.clock.advance(2)
    status = requests.get(r.headers["Azure-AsyncOperation"], headers=AUTH).json()
    assert status["status"] == "Succeeded"
    assert requests.get(r.headers["Location"], headers=AUTH).status_code == 200
    job = requests.post(f"{srv.url}{LOC}/backupCrrJob?api-version={V}", headers=AUTH,
                        json={"resourceId": CRR_VAULT, "jobName": status["properties"]["jobId"]}).json()
    assert job["properties"]["operation"] == "CrossRegionRestore"
    jobs = requests.post(f"{srv.url}{LOC}/backupCrrJobs?api-version={V}", headers=AUTH,
                         json={"resourceId": CRR_VAULT}).json()
    assert [j["name"] for j in jobs["value"]] == [job["name"]]


def test_passive_versions_need_crr_vault(srv):
    # opsVault is the demo vault that stays without cross-region restore (testVault has it, as documented)
    item = CRR_ITEM.replace("crrRG/providers/Microsoft.RecoveryServices/vaults/crrVault", "opsVaultRG/providers/"
                            "Microsoft.RecoveryServices/vaults/opsVault").replace("crrRG;crrVM", "opsRG;testVM")
    r = requests.get(f"{srv.url}{item}/recoveryPoints?api-version={V}", headers=AUTH)
    assert r.status_code == 400
    r = requests.post(f"{srv.url}{item}/recoveryPoints/1/restore?api-version={V}", json={}, headers=AUTH)
    assert r.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_cli_prints_url_and_stops_on_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "restorekit.emulator", "--port", "0", "--job-seconds", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert "listening on http://127.0.0.1:" in line
        url = line.split("listening on ")[1].split()[0]
        r = requests.get(f"{url}/subscriptions/{SUB}/providers/Microsoft.RecoveryServices/vaults?api-version=2023-04-01",
                         headers=AUTH, timeout=5)
        assert r.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_cli_refuses_public_host():
    from restorekit.emulator.cli import main

    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2
