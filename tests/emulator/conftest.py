"""Fixtures for the emulator's tests: running emulators, auth headers and the demo estate's URLs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

from restorekit import emulator

SUB = "00000000-0000-0000-0000-000000000000"
VAULT = f"/subscriptions/{SUB}/resourceGroups/testVaultRG/providers/Microsoft.RecoveryServices/vaults/testVault"
CONTAINER = "IaasVMContainer;iaasvmcontainerv2;testRG;testVM"
ITEM = f"{VAULT}/backupFabrics/Azure/protectionContainers/{CONTAINER}/protectedItems/VM;iaasvmcontainerv2;testRG;testVM"
MULTI = (f"{VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;testRG;multiDiskVM"
         "/protectedItems/VM;iaasvmcontainerv2;testRG;multiDiskVM")
API = "2026-02-01"
AUTH = {"Authorization": "Bearer test-token"}


def vm_id(rg: str, name: str) -> str:
    """ARM id of a VM of the demo subscription."""
    return f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}"


def account_id(rg: str, name: str) -> str:
    """ARM id of a storage account of the demo subscription."""
    return f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}"


def all_pages(url: str) -> list[dict]:
    """Every entry of a list, following ``nextLink`` from ``url`` to the last page."""
    out: list[dict] = []
    while url:
        body = requests.get(url, headers=AUTH).json()
        out.extend(body["value"])
        url = body.get("nextLink")
    return out


def in_process(server: emulator.EmulatorServer) -> requests.Session:
    """A session whose requests to ``server`` are answered in-process by its gateway, with no socket."""
    session = requests.Session()
    session.mount(server.url, server.adapter())
    return session


@pytest.fixture(scope="module")
def srv() -> Iterator[emulator.EmulatorServer]:
    """One emulator per test module, as seeded: fast jobs, no throttle (tests that need the throttle start their own)."""
    with emulator.start(job_seconds=1, retry_after=0, throttle=False) as server:
        yield server


@pytest.fixture
def make_srv() -> Iterator[Callable[..., emulator.EmulatorServer]]:
    """A factory of emulators with custom settings, all stopped after the test."""
    started: list[emulator.EmulatorServer] = []

    def make(**kw: object) -> emulator.EmulatorServer:
        kw.setdefault("job_seconds", 1)
        kw.setdefault("retry_after", 0)
        server = emulator.start(**kw)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def restore_body() -> Callable[..., dict]:
    """The documentation's restore-disks body for testVM, with overrides on ``properties``."""

    def make(rp: str = "20982486783671", **overrides: object) -> dict:
        props = {"objectType": "IaasVMRestoreRequest", "recoveryPointId": rp, "recoveryType": "RestoreDisks",
                 "sourceResourceId": vm_id("testRG", "testVM"), "storageAccountId": account_id("testRG", "testAccount"),
                 "region": "westus", "createNewCloudService": False, "originalStorageAccountOption": False,
                 "encryptionDetails": {"encryptionEnabled": False}}
        for key, value in overrides.items():
            if value is ...:
                props.pop(key, None)
            else:
                props[key] = value
        return {"properties": props}

    return make
