"""The emulator against recorded Azure, field by field, for each operation restorekit uses.

For each operation, one recorded answer (the Azure CLI's sessions) and the emulator's answer to the same call in
the same situation are reduced to their fields (paths and JSON types; response headers by name). Every difference
must be listed in ``docs/emulator.md``, section "Where the emulator differs from recorded Azure", and every
difference listed there must still exist: the section stays current with the emulator.

A difference reads ``+path`` (the emulator writes a field recorded Azure did not), ``-path`` (recorded Azure writes
a field the emulator does not) or ``~path`` (the same field with another JSON type). Headers the recorder removed
(``Retry-After``, request ids, read throttle counts) are not compared.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from cassettes import interactions

from restorekit import emulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
SECTION = "## Where the emulator differs from recorded Azure"
V, PASSIVE = "2024-04-01", "2021-11-15"  # the recorded api-versions
AUTH = {"Authorization": "Bearer contract"}
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
VAULT = f"{SUB}/resourceGroups/testVaultRG/providers/Microsoft.RecoveryServices/vaults/testVault"
ITEM = f"{VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;testRG;{{vm}}/" \
       "protectedItems/VM;iaasvmcontainerv2;testRG;{vm}"
EASTUS = f"{SUB}/providers/Microsoft.RecoveryServices/locations/eastus"
#: Headers the Azure CLI's recorder removed or that any ARM answer carries: not compared.
UNCOMPARED = re.compile(r"^(retry-after|x-ms-request-id|x-ms-correlation-request-id|x-ms-routing-request-id|"
                        r"x-ms-client-request-id|x-ms-ratelimit-.*|date|content-.*|cache-control|pragma|expires|"
                        r"x-content-type-options|strict-transport-security|server|vary|transfer-encoding|"
                        r"connection|x-cache|x-msedge-ref|x-aspnet-version|x-powered-by)$", re.I)


def fields(value: Any, path: str = "") -> dict[str, str]:
    """``{path: JSON type}`` of every field (list items merged under ``[]``)."""
    if isinstance(value, dict):
        out = {path: "object"} if path else {}
        for key, item in value.items():
            out.update(fields(item, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list):
        out = {path: "array"}
        for item in value:
            out.update(fields(item, f"{path}[]"))
        return out
    kind = {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null"}[type(value)]
    return {path: kind}


def differences(recorded: Any, emulated: Any) -> set[str]:
    """The fields one side has and the other lacks, and those of another type (``null`` matches anything)."""
    a, b = fields(recorded), fields(emulated)
    out = {f"+{p}" for p in b.keys() - a.keys()} | {f"-{p}" for p in a.keys() - b.keys()}
    out |= {f"~{p}" for p in a.keys() & b.keys() if a[p] != b[p] and "null" not in (a[p], b[p])}
    return out


def header_differences(recorded: dict[str, str], emulated: Any) -> set[str]:
    a = {k.lower() for k in recorded if not UNCOMPARED.match(k)}
    b = {k.lower() for k in emulated if not UNCOMPARED.match(k)}
    return {f"+header {h}" for h in b - a} | {f"-header {h}" for h in a - b}


def recorded(cassette: str, index: int) -> Any:
    return interactions(cassette)[index]


class Emulated:
    """The emulator's answers to the recorded operations, in the situations the recordings show."""

    def __init__(self, srv: Any) -> None:
        self.srv = srv
        self.s = requests.Session()
        self.s.headers.update(AUTH)

    def get(self, path: str, version: str = V) -> requests.Response:
        return self.s.get(f"{self.srv.url}{path}", params={"api-version": version})

    def post(self, path: str, body: Any = None, version: str = V) -> requests.Response:
        return self.s.post(f"{self.srv.url}{path}", params={"api-version": version}, json=body)

    def patch(self, path: str, body: Any = None, version: str = V) -> requests.Response:
        return self.s.patch(f"{self.srv.url}{path}", params={"api-version": version}, json=body)

    def delete(self, path: str, version: str = V) -> requests.Response:
        return self.s.delete(f"{self.srv.url}{path}", params={"api-version": version})

    def point(self, vm: str) -> dict[str, Any]:
        return self.get(f"{ITEM.format(vm=vm)}/recoveryPoints").json()["value"][0]

    def restore(self, vm: str = "testVM", **props: Any) -> requests.Response:
        point = self.point(vm)
        body = {"properties": {"objectType": "IaasVMRestoreRequest", "recoveryPointId": point["name"],
                               "recoveryType": "RestoreDisks", "sourceResourceId": f"{SUB}/resourceGroups/testRG/"
                               f"providers/Microsoft.Compute/virtualMachines/{vm}", "storageAccountId": f"{SUB}/"
                               "resourceGroups/testRG/providers/Microsoft.Storage/storageAccounts/testAccount",
                               "region": "westus", "createNewCloudService": False,
                               "originalStorageAccountOption": False, **props}}
        return self.post(f"{point['id']}/restore", body)

    def job_of(self, answer: requests.Response) -> str:
        op = answer.headers["Azure-AsyncOperation"].split("?")[0].rsplit("/", 1)[1]
        self.srv.state.clock.advance(2)
        return self.get(f"{VAULT}/backupOperations/{op}").json()["properties"]["jobId"]


@pytest.fixture(scope="module")
def answers() -> dict[str, set[str]]:
    """Every operation's differences: ``{operation: {difference}}``."""
    return emulated_differences()


def emulated_differences() -> dict[str, set[str]]:
    """Every operation's differences: ``{operation: {difference}}``."""
    out: dict[str, set[str]] = {}
    with emulator.start(job_seconds=30, retry_after=1, throttle=False, as_of="2026-11-20T12:00:00Z") as srv:
        e = Emulated(srv)
        multi = e.point("multiDiskVM")
        out["recovery points list"] = differences(recorded("test_backup_disk_exclusion", 170).body["value"][0], multi)
        out["recovery point get"] = differences(recorded("test_backup_disk_exclusion", 176).body,
                                                e.get(multi["id"]).json())
        for _ in range(5):  # an operation runs about 1 s: on a loaded machine the first read may come after it
            started = e.restore(targetResourceGroupId=f"{SUB}/resourceGroups/targetRG")
            op = started.headers["Azure-AsyncOperation"].split("?")[0].rsplit("/", 1)[1]
            running = e.get(f"{VAULT}/backupOperations/{op}")
            if running.json().get("status") == "InProgress":
                break
        assert running.json().get("status") == "InProgress", "no restore operation was seen running in 5 tries"
        out["restore 202"] = header_differences(recorded("test_backup_restore", 151).headers, started.headers)
        out["operation status, running"] = differences(recorded("test_backup_restore", 174).body, running.json()) \
            | header_differences(recorded("test_backup_restore", 174).headers, running.headers)
        job = e.job_of(started)
        out["operation status, succeeded"] = differences(recorded("test_backup_restore", 175).body,
                                                         e.get(f"{VAULT}/backupOperations/{op}").json())
        out["job get, restore disks running"] = differences(recorded("test_backup_restore", 153).body,
                                                            e.get(f"{VAULT}/backupJobs/{job}").json())
        out["job list"] = differences(recorded("test_backup_job", 147).body["value"][0],
                                      e.get(f"{VAULT}/backupJobs").json()["value"][0])
        cancelled = e.restore()
        cancel_job = e.job_of(cancelled)
        srv.state.clock.advance(10)
        out["job get, restore disks half-way"] = differences(recorded("test_backup_restore", 200).body,
                                                             e.get(f"{VAULT}/backupJobs/{cancel_job}").json())
        out["job cancel 202"] = header_differences(recorded("test_backup_job", 151).headers,
                                                   e.post(f"{VAULT}/backupJobs/{cancel_job}/cancel").headers)
        srv.state.clock.advance(60)
        out["job get, restore disks completed"] = differences(recorded("test_backup_restore", 159).body,
                                                              e.get(f"{VAULT}/backupJobs/{job}").json())
        selective = e.job_of(e.restore("multiDiskVM", sourceResourceId=f"{SUB}/resourceGroups/testRG/providers/"
                                       "Microsoft.Compute/virtualMachines/multiDiskVM",
                                       targetResourceGroupId=f"{SUB}/resourceGroups/targetRG", restoreDiskLunList=[0]))
        srv.state.clock.advance(60)
        out["job get, selective disks completed"] = differences(recorded("test_backup_disk_exclusion", 189).body,
                                                                e.get(f"{VAULT}/backupJobs/{selective}").json())
        replaced = e.job_of(e.restore(recoveryType="OriginalLocation"))
        srv.state.clock.advance(60)
        out["job get, replace disks completed"] = differences(recorded("test_backup_restore", 309).body,
                                                              e.get(f"{VAULT}/backupJobs/{replaced}").json())
        net = f"{SUB}/resourceGroups/targetRG/providers/Microsoft.Network/virtualNetworks/testNet"
        new_vm = e.job_of(e.restore(recoveryType="AlternateLocation", targetResourceGroupId=f"{SUB}/resourceGroups/"
                                    "targetRG", targetVirtualMachineId=f"{SUB}/resourceGroups/targetRG/providers/"
                                    "Microsoft.Compute/virtualMachines/contractVM", virtualNetworkId=net,
                                    subnetId=f"{net}/subnets/default"))
        srv.state.clock.advance(60)
        out["job get, new VM completed"] = differences(recorded("test_backup_restore", 336).body,
                                                       e.get(f"{VAULT}/backupJobs/{new_vm}").json())
        # cross-region restore: testVault (westus) replicates to eastus
        crr_point = e.get(f"{ITEM.format(vm='testVM')}/recoveryPoints/", PASSIVE).json()["value"][-1]
        out["recovery points list, secondary region"] = differences(
            recorded("test_backup_crr", 136).body["value"][0], crr_point)
        aad = e.get(f"{EASTUS}/backupAadProperties", PASSIVE)
        out["AAD properties"] = differences(recorded("test_backup_crr", 144).body, aad.json())
        token = e.post(f"{crr_point['id']}/accessToken", aad.json(), PASSIVE)
        out["access token"] = differences(recorded("test_backup_crr", 145).body, token.json())
        restore = {"objectType": "IaasVMRestoreRequest", "recoveryPointId": crr_point["name"],
                   "recoveryType": "RestoreDisks", "sourceResourceId": f"{SUB}/resourceGroups/testRG/providers/"
                   "Microsoft.Compute/virtualMachines/testVM", "storageAccountId": f"{SUB}/resourceGroups/crrRG/"
                   "providers/Microsoft.Storage/storageAccounts/eastAccount", "region": "eastus",
                   "targetResourceGroupId": f"{SUB}/resourceGroups/crrRG", "createNewCloudService": False,
                   "originalStorageAccountOption": False}
        crr = e.post(f"{EASTUS}/backupCrossRegionRestore", {"crossRegionRestoreAccessDetails":
                                                           token.json()["properties"], "restoreRequest": restore},
                     PASSIVE)
        assert crr.status_code == 202, crr.text
        out["cross-region restore 202"] = header_differences(recorded("test_backup_crr", 146).headers, crr.headers)
        srv.state.clock.advance(2)
        status = e.get(crr.headers["Azure-AsyncOperation"].split("?")[0].replace(srv.url, ""), PASSIVE)
        out["cross-region operation status"] = differences(recorded("test_backup_crr", 147).body, status.json())
        srv.state.clock.advance(60)
        crr_job = e.post(f"{EASTUS}/backupCrrJob", {"resourceId": VAULT, "jobName": status.json()["properties"][
            "jobId"]}, PASSIVE)
        out["cross-region job completed"] = differences(recorded("test_backup_crr", 189).body, crr_job.json())
        # soft delete settings, Resource Guard proxies, stop protection and delete data (as `az backup` does them)
        config = f"{VAULT}/backupconfig/vaultconfig"
        out["vault config get"] = differences(recorded("test_backup_archive", 4).body, e.get(config).json())
        out["resource guard proxies list"] = differences(recorded("test_backup_archive", 5).body,
                                                         e.get(f"{VAULT}/backupResourceGuardProxies").json())
        patched = e.patch(config, recorded("test_backup_archive", 6).request_body)
        out["vault config patch"] = differences(recorded("test_backup_archive", 6).body, patched.json())
        deleted = e.delete(ITEM.format(vm="encryptedVM"))
        out["protection delete 202"] = header_differences(recorded("test_backup_restore", 341).headers, deleted.headers)
        op = deleted.headers["Azure-AsyncOperation"].split("?")[0].rsplit("/", 1)[1]
        out["protection delete status, running"] = differences(recorded("test_backup_restore", 342).body,
                                                               e.get(f"{VAULT}/backupOperations/{op}").json())
        srv.state.clock.advance(31)
        done = e.get(f"{VAULT}/backupOperations/{op}").json()
        out["protection delete status, succeeded"] = differences(recorded("test_backup_restore", 361).body, done)
        out["protection delete job completed"] = differences(
            recorded("test_backup_restore", 362).body, e.get(f"{VAULT}/backupJobs/{done['properties']['jobId']}").json())
    return out


def documented() -> dict[str, set[str]]:
    """The differences ``docs/emulator.md`` lists: table rows ``| operation | `difference` … | why |``."""
    text = DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"{DOC} has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    out: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and line.startswith("|") and not set(cells[0]) <= set("-: ") and cells[0] != "operation":
            out.setdefault(cells[0], set()).update(re.findall(r"`([+~-][^`]+)`", cells[1]))
    return out


def test_every_difference_from_recorded_azure_is_documented_and_every_documented_one_is_real(answers):
    for operation, found in sorted(answers.items()):
        print(f"{operation}: {sorted(found) or 'same fields'}")
    listed = documented()
    undocumented = {op: sorted(d - listed.get(op, set())) for op, d in answers.items() if d - listed.get(op, set())}
    stale = {op: sorted(d - answers.get(op, set())) for op, d in listed.items() if d - answers.get(op, set())}
    assert not undocumented, f"differences from recorded Azure that docs/emulator.md does not list: {undocumented}"
    assert not stale, f"docs/emulator.md lists differences the emulator no longer has: {stale}"
