"""The documentation's cross-region restore example, on the demo estate.

The documentation's CRR section works on vault ``testVaultRG/testVault`` and its item
``testRG1/testVM`` (container ``iaasvmcontainerv2;testRG1;testVM``): two recorded secondary-region
points, a Standard_D2s_v3 Windows VM with managed disks, and a restore staged to
``testRG1/testStorageAccount``. The section disagrees with itself about regions; the emulator
follows one reading (see docs/emulator.md): testVault is in westus with cross-region restore
towards its pair, eastus, where ``testStorageAccount`` lives.
"""

from __future__ import annotations

from ..clock import parse_iso
from ..estate import Estate
from ..estate.resources import StorageAccount
from ..estate.vaults import RecoveryPoint

VM_RESOURCE_GROUP = "testRG1"
STORAGE_ACCOUNT = "testStorageAccount"

_POINT_ID = ("/Subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testVaultRG/providers/"
             "Microsoft.RecoveryServices/vaults/testVault/backupFabrics/Azure/protectionContainers/"
             "IaasVMContainer;iaasvmcontainerv2;testRG1;testVM/protectedItems/VM;iaasvmcontainerv2;testRG1;testVM/"
             "recoveryPoints/")

#: The documentation's secondary-region points: name, recoveryPointTime as written, tiers.
DOCUMENTED_POINTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("932895704780058094", "2021-07-31T09:24:34.687561Z", (("InstantRP", "Valid"),)),
    ("932891484644960954", "2021-07-30T09:20:01.8355052Z", (("InstantRP", "Valid"), ("HardenedRP", "Valid"))),
)


def documented_points() -> list[RecoveryPoint]:
    """The two recorded points, verbatim (crash-consistent, OS and data disk)."""
    return [RecoveryPoint(name=name, time=parse_iso(stamp), rp_type="CrashConsistent", tiers=list(tiers),
                          included_luns=(-1, 0), rule_name=None, time_text=stamp, id_override=_POINT_ID + name,
                          verbatim=True)
            for name, stamp, tiers in DOCUMENTED_POINTS]


def add_documented_crr_example(estate: Estate) -> None:
    """Protect ``testRG1/testVM`` in testVault and add the secondary region's staging account."""
    estate.resource_groups[VM_RESOURCE_GROUP.lower()] = (VM_RESOURCE_GROUP, "westus")
    account = StorageAccount(STORAGE_ACCOUNT, VM_RESOURCE_GROUP, "eastus")
    estate.storage_accounts[(account.resource_group.lower(), account.name.lower())] = account
    vault = estate.vault("testVaultRG", "testVault")
    assert vault is not None and vault.crr, "the documented example needs testVault with cross-region restore"
    vault.protect(VM_RESOURCE_GROUP, "testVM", size="Standard_D2s_v3", os_type="Windows", managed=True,
                  storage_type="PremiumVMOnPartialPremiumStorage",
                  disks=((-1, "testVM_OsDisk_1"), (0, "testVM_DataDisk_0")), hour=9, minute=20,
                  extra_points=documented_points())
