"""Microsoft.RecoveryServices: the Azure Backup service, one module per family of routes.

``vaults``, ``items`` (protected items), ``points`` (recovery points), ``restores`` (the trigger and the
item's operations), ``operations`` (long-running operation answers, the vault's operation routes),
``jobs`` (list, get, cancel), ``validate_operations`` (the service's own restore validation), ``crr``
(the passive stamp: cross-region restore), ``file_recovery`` (item-level recovery sessions, with
``file_recovery_scripts``), ``protection`` (delete, undelete, stop, resume an item), ``vault_config`` (soft delete
settings) and ``resource_guards`` (Resource Guard proxies; ``mua`` is the check a critical operation passes). They share ``lookups`` (paths, api-versions, the vault, item
and point a path names), ``shapes`` (the JSON of each resource), ``restore_validation`` (the rules a
restore request must pass) and ``restore_jobs`` (the job a restore starts).

A new family is one module exporting ``ROUTES`` and one line in :data:`FAMILIES`.
"""

from __future__ import annotations

from ...call import Route
from . import (
    crr,
    file_recovery,
    items,
    jobs,
    operations,
    points,
    protection,
    resource_guards,
    restores,
    validate_operations,
    vault_config,
    vaults,
)

#: The route families of the Backup service, in the order the gateway tries them.
FAMILIES = (vaults, items, points, restores, operations, jobs, validate_operations, crr, file_recovery, protection,
            vault_config, resource_guards)

ROUTES: list[Route] = [route for family in FAMILIES for route in family.ROUTES]

__all__ = ["FAMILIES", "ROUTES"]
