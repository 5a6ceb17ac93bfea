"""The api-versions restorekit sends, one place for all of them."""

from __future__ import annotations

#: The Backup API (active stamp): the newest stable version of the spec.
BACKUP = "2026-02-01"
#: The passive stamp: the secondary region of cross-region restore.
PASSIVE_STAMP = "2018-12-20"
#: ``Microsoft.RecoveryServices/vaults`` resources themselves.
VAULTS = "2024-04-01"
#: ``Microsoft.Storage/storageAccounts`` (reading a staging account).
STORAGE = "2023-05-01"
#: ``Microsoft.Resources`` resource groups.
RESOURCE_GROUPS = "2024-03-01"
#: ``Microsoft.Resources`` subscriptions and their locations (zones, paired regions).
LOCATIONS = "2022-12-01"
#: ``Microsoft.Compute`` virtual machines.
COMPUTE = "2024-07-01"
#: ``Microsoft.Compute`` disks and disk encryption sets.
DISKS = "2024-03-02"
#: ``Microsoft.Network`` virtual networks, subnets, network interfaces.
NETWORK = "2024-05-01"
#: ``Microsoft.ResourceGraph/resources`` (what azure-mgmt-resourcegraph 8.x sends).
RESOURCE_GRAPH = "2021-03-01"
#: The first Backup api-version whose file recovery scripts come only from ``listInstantItemRecoveryOperationResult``
#: (not the provision operation's status).
FILE_RECOVERY_RESULT = "2026-08-01"
