"""The demo estate's at-risk VMs, in ``opsVaultRG/opsVault`` (westus, locally redundant, no cross-region restore).

Each VM tells one story a fleet analysis should find (all in resource group ``opsRG``):

========== ========================================================================================
VM         story
========== ========================================================================================
testVM     healthy; same name as ``testRG/testVM`` of testVault (and ``testRG1/testVM``)
stalledVM  no recovery point for 5 days: every backup since fails (VM agent unreachable); still Protected
flakyVM    last night's backup failed (no network); the points before it are there
retiredVM  protection stopped 30 days ago, data retained (ProtectionStopped)
pausedVM   protection paused 12 days ago (ProtectionPaused)
linuxWeb   Linux: file-system- or crash-consistent points only, never app-consistent
linuxDb    Linux, two data disks: same
========== ========================================================================================

``linuxWeb`` and ``linuxDb`` are tagged ``drill: weekly`` (the VMs a weekly restore drill picks by tag).
"""

from __future__ import annotations

from ..estate import Estate
from ..estate.health import LAST_FAILED, PAUSED, STALLED, STOPPED
from ..estate.vaults import Vault

VAULT_RESOURCE_GROUP = "opsVaultRG"
VAULT_NAME = "opsVault"
VM_RESOURCE_GROUP = "opsRG"


def _disks(vm: str, data: int = 1) -> tuple[tuple[int, str], ...]:
    return ((-1, f"{vm}_OsDisk_1"), *((lun, f"{vm}_DataDisk_{lun}") for lun in range(data)))


def add_at_risk_vms(estate: Estate) -> Vault:
    """Add ``opsVault`` and its VMs; returns the vault."""
    for rg in (VAULT_RESOURCE_GROUP, VM_RESOURCE_GROUP):
        estate.resource_groups[rg.lower()] = (rg, "westus")
    vault = estate.add_vault(Vault(VAULT_NAME, VAULT_RESOURCE_GROUP, "westus"))
    rg = VM_RESOURCE_GROUP
    vault.protect(rg, "testVM", size="Standard_D2s_v3", disks=_disks("testVM"), hour=1, minute=30)
    vault.protect(rg, "stalledVM", size="Standard_D2s_v3", disks=_disks("stalledVM"), hour=0, minute=30,
                  history=STALLED)
    vault.protect(rg, "flakyVM", size="Standard_B2ms", disks=_disks("flakyVM"), hour=1, minute=0,
                  history=LAST_FAILED)
    vault.protect(rg, "retiredVM", size="Standard_A2_v2", disks=_disks("retiredVM"), hour=5, minute=0,
                  history=STOPPED)
    vault.protect(rg, "pausedVM", size="Standard_A2_v2", disks=_disks("pausedVM"), hour=5, minute=30,
                  history=PAUSED)
    vault.protect(rg, "linuxWeb", size="Standard_B2s", os_type="Linux", disks=_disks("linuxWeb"), hour=2,
                  minute=15, policy="LinuxPolicy", tags={"drill": "weekly"})
    vault.protect(rg, "linuxDb", size="Standard_E4s_v3", os_type="Linux", disks=_disks("linuxDb", 2), hour=2,
                  minute=45, policy="LinuxPolicy", tags={"drill": "weekly"})
    return vault
