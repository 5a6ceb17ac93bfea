"""The generated fleet: ``fleet`` VMs spread round-robin over the subscriptions, one fleet vault each.

The first subscription's fleet vault is ``fleetRG/fleetVault`` (as before several subscriptions
existed); the k-th subscription's (k >= 2) is ``fleetRG-k/fleetVault-k``, so vault and resource
group names stay unique across subscriptions. VM ``fleet-vm-NNNN`` goes to subscription
``(NNNN - 1) % len(subscriptions)``. A deterministic share of the fleet is at risk (see ``estate.health``):
about 5% stalled (no backup for 5 days), 5% with a failed last backup, 2% with protection stopped
and 1% paused. Next to them, one VM in 25 more that no vault protects, ``fleet-nobackup-NNNN`` (as many
as ``fleet // 25``, spread the same way, in the fleet vaults' resource groups). Every fleet VM is tagged
``environment``: ``production`` (half of them), ``test`` or ``dev``.
"""

from __future__ import annotations

from ..estate import Estate
from ..estate.health import HEALTHY, LAST_FAILED, PAUSED, STALLED, STOPPED, BackupHistory
from ..estate.machines import Machine
from ..estate.resources import VirtualNetwork
from ..estate.vaults import Vault

#: One fleet VM in this many more is not protected by any vault.
UNPROTECTED_EVERY = 25


def fleet_vault_names(index: int) -> tuple[str, str]:
    """``(resource group, vault name)`` of the fleet vault of the ``index``-th subscription (0-based)."""
    return ("fleetRG", "fleetVault") if index == 0 else (f"fleetRG-{index + 1}", f"fleetVault-{index + 1}")


def fleet_history(number: int) -> BackupHistory:
    """What happened to the backups of fleet VM ``number`` (1-based)."""
    if number % 20 == 7:
        return STALLED
    if number % 20 == 13:
        return LAST_FAILED
    if number % 50 == 25:
        return STOPPED
    if number % 100 == 50:
        return PAUSED
    return HEALTHY


def fleet_environment(number: int) -> str:
    """The ``environment`` tag of fleet VM ``number``: production, production, test, dev, in turn."""
    return ("production", "production", "test", "dev")[number % 4]


def add_fleet(estate: Estate, count: int, subscriptions: tuple[str, ...]) -> None:
    """Add ``count`` generated VMs to fleet vaults, one vault per subscription that gets any, and the
    ``count // 25`` fleet VMs no vault protects."""
    vaults: dict[int, Vault] = {}
    if count:  # one network with large subnets holds every fleet VM's NIC
        estate.networks[("fleetrg", "fleetrg-vnet")] = VirtualNetwork("fleetRG-vnet", "fleetRG", "westus",
                                                                       address_prefix="10.3.0.0/16", subnet_bits=20)
    for number in range(1, count + 1):
        index = (number - 1) % len(subscriptions)
        if index not in vaults:
            rg, name = fleet_vault_names(index)
            estate.resource_groups[rg.lower()] = (rg, "westus")
            vaults[index] = estate.add_vault(Vault(name, rg, "westus", subscription_id=subscriptions[index]))
        vault = vaults[index]
        vm = f"fleet-vm-{number:04d}"
        vault.protect(vault.resource_group, vm, size="Standard_B2s",
                      os_type="Linux" if number % 3 == 0 else "Windows",
                      disks=((-1, f"{vm}_OsDisk_1"), (0, f"{vm}_DataDisk_0")),
                      daily_days=90, long_term=False, hour=(number * 7) % 24, minute=(number * 13) % 60,
                      history=fleet_history(number), tags={"environment": fleet_environment(number)})
    for number in range(1, count // UNPROTECTED_EVERY + 1):
        index = (number - 1) % len(subscriptions)
        rg, _ = fleet_vault_names(index)
        vm = f"fleet-nobackup-{number:04d}"
        estate.unprotected.append(Machine(subscriptions[index], rg, vm, "westus", "Standard_B2s",
                                          os_type="Linux" if number % 3 == 0 else "Windows",
                                          disks=((-1, f"{vm}_OsDisk_1"),),
                                          tags={"environment": fleet_environment(number)}))
