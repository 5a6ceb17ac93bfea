"""The demo estate's backup coverage: VMs no vault protects, a protected item whose VM is gone, and tags.

A fleet analysis must find what is *not* backed up, not only what is backed up badly (all in ``opsRG``,
westus, the demo subscription):

============== ===========================================================================================
VM             story
============== ===========================================================================================
payrollVM      a production VM nobody protected: no protected item in any vault
buildVM        a build agent nobody protected (tagged ``environment: dev``)
oldAppVM       protected in ``opsVault`` until 60 days ago (protection stopped, data retained); the VM itself
               was deleted since: its item and points remain, no VM has its id
linuxWeb-dr    restored as a new VM from ``linuxWeb`` during an incident and kept running: a restore creates
               a VM that no vault protects
============== ===========================================================================================

The at-risk VMs of ``opsRG`` carry an ``environment`` tag (production, test), so that "production VMs with
no backup" is a question with an answer. VMs that restores create as new VMs are unprotected too.
"""

from __future__ import annotations

from ..estate import Estate
from ..estate.health import BackupHistory
from ..estate.machines import Machine
from ..estate.tenancy import SUBSCRIPTION_ID
from .at_risk import VAULT_NAME, VAULT_RESOURCE_GROUP, VM_RESOURCE_GROUP

#: The ``environment`` tag of the at-risk VMs of ``opsRG``.
ENVIRONMENTS = {"testVM": "production", "stalledVM": "production", "flakyVM": "test", "retiredVM": "production",
                "pausedVM": "test", "linuxWeb": "production", "linuxDb": "production"}
#: Protection stopped 60 days ago, data retained (the VM was deleted since).
RETIRED = BackupHistory(protection_state="ProtectionStopped", missed_backups=60)


def vm_disks(vm: str, data: int = 1) -> tuple[tuple[int, str], ...]:
    """An OS disk (LUN -1) and ``data`` data disks, named as Azure names a new VM's disks."""
    return ((-1, f"{vm}_OsDisk_1"), *((lun, f"{vm}_DataDisk_{lun}") for lun in range(data)))


def add_coverage_stories(estate: Estate) -> None:
    """Tag opsRG's VMs; add the unprotected VMs and the protected item whose VM was deleted."""
    vault = estate.vault(VAULT_RESOURCE_GROUP, VAULT_NAME)
    assert vault is not None, "the coverage stories live next to the at-risk VMs (opsVault)"
    for name, environment in ENVIRONMENTS.items():
        vault.items[(VM_RESOURCE_GROUP.lower(), name.lower())].tags["environment"] = environment
    vault.protect(VM_RESOURCE_GROUP, "oldAppVM", size="Standard_A2_v2", disks=vm_disks("oldAppVM"), hour=4,
                  minute=0, history=RETIRED, vm_deleted=True, tags={"environment": "production"})
    estate.unprotected += [
        Machine(SUBSCRIPTION_ID, VM_RESOURCE_GROUP, "payrollVM", "westus", "Standard_D2s_v3",
                disks=vm_disks("payrollVM"), tags={"environment": "production", "owner": "finance"}),
        Machine(SUBSCRIPTION_ID, VM_RESOURCE_GROUP, "buildVM", "westus", "Standard_B2s", os_type="Linux",
                disks=vm_disks("buildVM", 0), tags={"environment": "dev"}),
        Machine(SUBSCRIPTION_ID, VM_RESOURCE_GROUP, "linuxWeb-dr", "westus", "Standard_B2s", os_type="Linux",
                disks=vm_disks("linuxWeb-dr", 0), restored_from=(VM_RESOURCE_GROUP, "linuxWeb")),
    ]
