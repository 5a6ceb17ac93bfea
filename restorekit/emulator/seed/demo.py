"""The demo estate's heart: testVault (westus, cross-region restore to eastus) and crrVault (eastus).

Resource groups, staging storage accounts and virtual networks of the demo subscription, and the VMs
of the documentation's examples: testVM (with the documentation's two points, verbatim), multiDiskVM
(five disks, one excluded lately), encryptedVM, unmanagedVM, and the zonal and Linux VMs of crrVault.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..clock import parse_iso
from ..estate import Estate
from ..estate.resources import StorageAccount, VirtualNetwork
from ..estate.vaults import RecoveryPoint, Vault

_DOC_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testVaultRG/providers/"
           "microsoft.recoveryservices/vaults/testVault/backupFabrics/Azure/protectionContainers/"
           "iaasvmcontainer;iaasvmcontainerv2;testRG;testVM/protectedItems/VM;testRG;testVM/recoveryPoints/")


def _doc_points() -> list[RecoveryPoint]:
    """The documentation's two points, verbatim."""
    out = []
    for name, stamp, kind in (("20982486783671", "2018-06-04T06:06:00.5121087Z", "AppConsistent"),
                              ("23358112038108", "2018-06-03T06:20:56.3043878Z", "CrashConsistent")):
        t = parse_iso(stamp)
        out.append(RecoveryPoint(
            name=name, time=t, rp_type=kind, tiers=[("InstantRP", "Valid"), ("HardenedRP", "Valid")],
            included_luns=(-1, 0), rule_name=None, time_text=stamp, id_override=_DOC_ID + name,
            verbatim=True))
    return out


def add_demo_vaults(estate: Estate, now: datetime) -> None:
    """Add the demo subscription's resource groups, accounts, networks, testVault and crrVault as of ``now``."""
    for rg, loc in (("testRG", "westus"), ("targetRG", "westus"), ("testVaultRG", "westus"),
                    ("crrRG", "eastus"), ("zoneRG", "eastus")):
        estate.resource_groups[rg.lower()] = (rg, loc)
    for acc in (StorageAccount("testAccount", "testRG", "westus"),
                StorageAccount("testingAccount", "testRG", "westus"),
                StorageAccount("zrsAccount", "testRG", "westus", "Standard_ZRS"),
                StorageAccount("premiumAccount", "testRG", "westus", "Premium_LRS", "BlockBlobStorage"),
                StorageAccount("eastAccount", "crrRG", "eastus"),
                StorageAccount("targetAccount", "targetRG", "westus", "Standard_GRS"),
                StorageAccount("blobAccount", "testRG", "westus", "Standard_RAGRS", "BlobStorage")):
        estate.storage_accounts[(acc.resource_group.lower(), acc.name.lower())] = acc
    for net in (VirtualNetwork("testNet", "targetRG", "westus", ("default", "backend")),
                VirtualNetwork("eastNet", "crrRG", "eastus", ("default",), "10.1.0.0/16"),
                VirtualNetwork("testRG-vnet", "testRG", "westus", ("default",), "10.2.0.0/16")):
        estate.networks[(net.resource_group.lower(), net.name.lower())] = net

    vault = estate.add_vault(Vault("testVault", "testVaultRG", "westus", crr=True))
    test_vm = vault.protect("testRG", "testVM", disks=((-1, "testVM_OsDisk_1"), (0, "testVM_DataDisk_0")),
                            extra_points=_doc_points())
    test_vm.renamed[now.date() - timedelta(days=1)] = "348916168024334"
    vault.protect("testRG", "multiDiskVM", size="Standard_D4s_v3", storage_type="PremiumVMOnPartialPremiumStorage",
                  disks=tuple((lun, f"multiDiskVM_{'OsDisk_1' if lun < 0 else f'DataDisk_{lun}'}")
                              for lun in (-1, 0, 1, 2, 3)),
                  excluded_recently=(3,), hour=22, minute=30, policy="EnhancedPolicy")
    vault.protect("testRG", "encryptedVM", size="Standard_D2s_v3", os_type="Linux", encrypted=True,
                  disks=((-1, "encryptedVM_OsDisk_1"), (0, "encryptedVM_DataDisk_0")), hour=2, minute=0)

    vault.protect("testRG", "unmanagedVM", size="Standard_A2_v2", managed=False,
                  disks=((-1, "unmanagedVM-osdisk.vhd"), (0, "unmanagedVM-data0.vhd")), hour=23, minute=0)

    crr = estate.add_vault(Vault("crrVault", "crrRG", "eastus", crr=True))
    crr.protect("zoneRG", "zoneVM", size="Standard_D2s_v3", zones=("1",),
                disks=((-1, "zoneVM_OsDisk_1"), (0, "zoneVM_DataDisk_0")), hour=4, minute=15)
    crr.protect("crrRG", "crrVM", size="Standard_B2ms", os_type="Linux",
                disks=((-1, "crrVM_OsDisk_1"),), hour=3, minute=45)
