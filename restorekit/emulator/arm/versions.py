"""The api-versions the emulator accepts, per resource provider surface, and what changed between them.

Every list lives here and nowhere else. Versions compare as strings (``YYYY-MM-DD``), which orders
them by date.
"""

from __future__ import annotations

#: Stable api-versions of the Recovery Services Backup active stamp (spec ``stable/`` folders),
#: plus 2026-08-01 (the first without the file recovery scripts in the provision's status) and 2026-10-01, the
#: default of azure-mgmt-recoveryservicesbackup 11.2.0.
BACKUP_VERSIONS: tuple[str, ...] = (
    "2016-12-01", "2017-07-01", "2019-05-13", "2019-06-15", "2020-10-01", "2020-12-01",
    "2021-01-01", "2021-02-01", "2021-02-10", "2021-03-01", "2021-04-01", "2021-06-01",
    "2021-07-01", "2021-08-01", "2021-10-01", "2021-12-01", "2022-01-01", "2022-02-01",
    "2022-03-01", "2022-04-01", "2022-10-01", "2023-01-01",
    "2023-02-01", "2023-04-01", "2023-06-01", "2023-08-01", "2024-01-01", "2024-02-01",
    "2024-04-01", "2024-07-30", "2024-10-01", "2025-01-01", "2025-02-01", "2025-08-01",
    "2026-01-01", "2026-02-01", "2026-08-01", "2026-10-01",
)

#: Passive-stamp (cross-region restore) api-versions.
PASSIVE_VERSIONS: tuple[str, ...] = ("2018-12-20", "2021-11-15", "2023-01-15")

#: Microsoft.RecoveryServices/vaults (vault GET/list) api-versions.
VAULT_VERSIONS: tuple[str, ...] = (
    "2016-06-01", "2020-02-02", "2020-10-01", "2021-01-01", "2021-02-10", "2021-03-01",
    "2021-04-01", "2021-06-01", "2021-07-01", "2021-08-01", "2021-11-01", "2021-12-01",
    "2022-01-01", "2022-02-01", "2022-03-01", "2022-04-01", "2022-05-01", "2022-08-01",
    "2022-09-10", "2022-10-01", "2023-01-01", "2023-02-01", "2023-04-01", "2023-06-01",
    "2023-08-01", "2024-01-01", "2024-02-01", "2024-04-01", "2024-10-01", "2025-01-01",
    "2025-02-01", "2025-08-01", "2026-01-01",
)

#: Microsoft.Storage/storageAccounts api-versions, plus 2026-09-01, the default of azure-mgmt-storage 25.3.0.
STORAGE_VERSIONS: tuple[str, ...] = (
    "2019-06-01", "2021-04-01", "2021-09-01", "2022-05-01", "2022-09-01", "2023-01-01",
    "2023-04-01", "2023-05-01", "2024-01-01", "2025-01-01", "2026-09-01",
)

#: Microsoft.Network (virtual networks, subnets, network interfaces) api-versions, plus 2026-03-01,
#: the default of azure-mgmt-network 33.1.0.
NETWORK_VERSIONS: tuple[str, ...] = (
    "2020-11-01", "2021-05-01", "2022-07-01", "2022-09-01", "2023-04-01", "2023-05-01",
    "2023-09-01", "2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01", "2025-01-01", "2026-03-01",
)
#: Microsoft.Compute/virtualMachines api-versions, plus 2026-04-01, the default of azure-mgmt-compute 39.0.0.
COMPUTE_VERSIONS: tuple[str, ...] = (
    "2021-03-01", "2021-07-01", "2022-03-01", "2022-08-01", "2022-11-01", "2023-03-01",
    "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01", "2024-11-01", "2025-04-01", "2026-04-01",
)
#: Microsoft.Compute/disks and diskEncryptionSets: the disk resource provider has its own version
#: line (dates ending in -02), plus 2026-03-02, the default of azure-mgmt-compute 39.0.0 for both.
DISK_VERSIONS: tuple[str, ...] = (
    "2020-12-01", "2021-04-01", "2021-08-01", "2021-12-01", "2022-03-02", "2022-07-02", "2023-01-02",
    "2023-04-02", "2023-10-02", "2024-03-02", "2025-01-02", "2026-03-02",
)
#: Microsoft.Resources resource groups.
RESOURCE_GROUP_VERSIONS: tuple[str, ...] = (
    "2020-06-01", "2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01", "2024-07-01", "2025-04-01",
)
#: Microsoft.Resources subscriptions: Subscriptions_List, Subscriptions_Get and Subscriptions_ListLocations (the
#: subscriptions API has its own version line).
SUBSCRIPTION_VERSIONS: tuple[str, ...] = (
    "2016-06-01", "2018-06-01", "2019-06-01", "2019-11-01", "2020-01-01", "2021-01-01", "2022-12-01",
)
#: First subscriptions api-version whose locations carry ``availabilityZoneMappings``.
ZONE_MAPPINGS_SINCE = "2022-12-01"

#: Operation_Validate (``{vault}/backupValidateOperation``) exists from 2017-07-01 on; the asynchronous
#: ValidateOperation_Trigger, ValidateOperationResults_Get and ValidateOperationStatuses_Get from 2021-10-01
#: (first stable folder of the spec repository with their examples).
VALIDATE_SINCE = "2017-07-01"
TRIGGER_VALIDATE_SINCE = "2021-10-01"
#: From 2023-06-01 the validate body is ``ValidateOperationRequestResource`` ``{id, properties}``; before, the
#: bare ``ValidateOperationRequest`` ``{objectType, restoreRequest}``.
VALIDATE_RESOURCE_BODY_SINCE = "2023-06-01"
VALIDATE_VERSIONS: tuple[str, ...] = tuple(v for v in BACKUP_VERSIONS if v >= VALIDATE_SINCE)
TRIGGER_VALIDATE_VERSIONS: tuple[str, ...] = tuple(v for v in BACKUP_VERSIONS if v >= TRIGGER_VALIDATE_SINCE)

#: From 2026-08-01 a file recovery's scripts come only from ``listInstantItemRecoveryOperationResult`` (its own
#: action and RBAC check), no longer in the provision operation's status.
FILE_RECOVERY_RESULT_SINCE = "2026-08-01"
FILE_RECOVERY_RESULT_VERSIONS: tuple[str, ...] = tuple(v for v in BACKUP_VERSIONS if v >= FILE_RECOVERY_RESULT_SINCE)
#: The Resource Guard proxies of a vault (multi-user authorization), ``backupResourceGuardProxies``: the first
#: version with them is our guess (the CLI's MUA support came in 2022 on the SDK of 2022-03-01; the spec names
#: ``resourceGuardOperationRequests`` on restores from 2021-06-01).
RESOURCE_GUARD_SINCE = "2021-10-01"
RESOURCE_GUARD_VERSIONS: tuple[str, ...] = tuple(v for v in BACKUP_VERSIONS if v >= RESOURCE_GUARD_SINCE)

#: Up to this version (inclusive) recovery point tiers are serialised as numbers (1/2/3, status 1).
NUMERIC_TIERS_UNTIL = "2019-05-13"

#: First version in which each IaasVMRecoveryPoint field appears (older answers omit it).
RECOVERY_POINT_FIELD_SINCE: dict[str, str] = {
    "osType": "2018-12-20",
    "zones": "2019-06-15",
    "recoveryPointMoveReadinessInfo": "2021-03-01",
    "recoveryPointProperties": "2022-01-01",
    "extendedLocation": "2022-01-01",
    "securityType": "2022-10-01",
    "isPrivateAccessEnabledOnAnyDisk": "2023-01-01",
    # in every recorded answer (2024-04-01; the cross-region listing at 2021-11-15), not in the spec: recorded first
    "createdWithPolicyType": "2021-11-15",
    "threatStatus": "2021-11-15",
    "crossRegionRestoreState": "2021-11-15",
}

#: First version in which each AzureIaaSVMJob field appears.
JOB_FIELD_SINCE: dict[str, str] = {"containerName": "2019-05-13"}

#: Restore request types and fields introduced after the version shown (older requests reject them).
RESTORE_FIELD_SINCE: dict[str, str] = {
    "restoreWithManagedDisks": "2018-12-20",
    "zones": "2018-12-20",
    "identityInfo": "2018-12-20",
    "identityBasedRestoreDetails": "2018-12-20",
    "extendedLocation": "2022-01-01",
    "securedVMDetails": "2023-01-01",
    "targetDiskNetworkAccessSettings": "2023-08-01",
    "resourceGuardOperationRequests": "2021-06-01",
}
REHYDRATION_SINCE = "2021-03-01"


def has_field(table: dict[str, str], field: str, api_version: str) -> bool:
    """True when ``field`` exists in ``api_version`` according to ``table`` (unknown fields always exist)."""
    since = table.get(field)
    return since is None or api_version >= since


def numeric_tiers(api_version: str) -> bool:
    """True when recovery point tiers are serialised as numbers in this api-version."""
    return api_version <= NUMERIC_TIERS_UNTIL

#: Microsoft.ResourceGraph/resources api-versions: 2021-03-01 is what azure-mgmt-resourcegraph 8.x sends.
RESOURCE_GRAPH_VERSIONS: tuple[str, ...] = ("2021-03-01", "2022-10-01", "2024-04-01")
