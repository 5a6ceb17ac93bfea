"""Protected items as a typed DataFrame: one row per protected VM, its protection state and last backup.

:func:`protected_items_frame` takes ARM ``ProtectedItemResource`` dicts — as ``GET
{vault}/backupProtectedItems`` returns them (``AzureIaaSComputeVMProtectedItem`` properties), pages,
lists of pages, SDK models — or Azure Resource Graph ``RecoveryServicesResources`` rows (``id``,
``name``, ``type``, ``subscriptionId``, ``resourceGroup``, ``location``, ``properties``; also a query
answer ``{"data": [...]}`` or its table form). It is what :func:`restorekit.data.risk.at_risk` ranks.

Columns (:data:`COLUMNS`): the identity of :mod:`restorekit.data.identity` (``item_id`` keys the item,
lowercased; ``vm_id`` from ``virtualMachineId``/``sourceResourceId`` when given), ``location``,
``protection_state``, ``protection_status``, ``health`` (``healthStatus``), ``last_backup_status``,
``last_backup_time``, ``last_recovery_point`` (UTC), ``policy`` (``policyName``, else the last part of
``policyId``), ``soft_deleted`` and ``purge_in`` (a soft-deleted item and the time left before its purge:
:mod:`restorekit.data.soft_delete`) and ``extra``: every property no column holds verbatim, and the row's other keys (Resource
Graph's ``tenantId``, ``kind``…), as an Arrow struct (see :mod:`restorekit.data.frames`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .columns import arrow_column, categorical, convert, lossless, struct, utc_times, values_of
from .identity import identity_columns
from .inputs import properties_of, resources
from .readable import for_people
from .soft_delete import FLAG, REMAINING, soft_delete_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Columns of a protected-items frame and their dtypes, in order.
COLUMNS: dict[str, str] = {
    "item_id": "category",
    "vm_id": "category",
    "vm_name": "category",
    "vm_resource_group": "category",
    "subscription_id": "category",
    "vault": "category",
    "vault_resource_group": "category",
    "protected_item": "category",
    "location": "category",
    "protection_state": "category",
    "protection_status": "category",
    "health": "category",
    "last_backup_status": "category",
    "last_backup_time": "datetime64[ns, UTC]",
    "last_recovery_point": "datetime64[ns, UTC]",
    "policy": "category",
    "soft_deleted": "boolean",
    "purge_in": "timedelta64[ns]",
    "extra": "struct<...>[pyarrow]",
}
#: The spec's ``ProtectionState`` values (others are kept as extra categories).
PROTECTION_STATES = ("Protected", "IRPending", "ProtectionError", "ProtectionStopped", "ProtectionPaused",
                     "BackupsSuspended", "Invalid")
#: The spec's ``HealthStatus`` values.
HEALTH_STATES = ("Passed", "ActionRequired", "ActionSuggested", "Invalid")

# properties held verbatim by a column (the others, friendlyName and the ids included, stay in extra)
_HELD = {"protectionState": "protection_state", "protectionStatus": "protection_status", "healthStatus": "health",
         "lastBackupStatus": "last_backup_status", "lastBackupTime": "last_backup_time",
         "lastRecoveryPoint": "last_recovery_point", "policyName": "policy", FLAG: "soft_deleted",
         REMAINING: "purge_in"}
_READ = ("friendlyName", "virtualMachineId", "sourceResourceId", "policyId")
_TOP_SKIPPED = frozenset({"id", "properties", "type", "name"})


def protected_items_frame(raw: Any) -> pd.DataFrame:
    """One typed row per protected item, from ARM ``ProtectedItemResource`` dicts or Resource Graph rows.

    >>> items = protected_items_frame(arm.get(f"{vault_id}/backupProtectedItems"))   # doctest: +SKIP
    >>> items[items.protection_state != "Protected"]                                   # doctest: +SKIP
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrow_dtypes import register

    register()  # its extra column read back from Parquet by plain pandas
    items = resources(raw, "protected items")
    n = len(items)
    text = pa.string()
    top, top_moved = convert(items, {"location": text, "subscriptionId": text, "resourceGroup": text},
                             skip=_TOP_SKIPPED)
    props, odd_props, keys = properties_of(items)
    cols, moved = convert(props, {**dict.fromkeys([*_HELD, *_READ], text), FLAG: pa.bool_()}, keys=keys)

    ids = values_of(items, "id")
    encoded = pc.dictionary_encode(pa.array([v if type(v) is str else None for v in ids], type=text))
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    vm_ids = pc.coalesce(cols["virtualMachineId"], cols["sourceResourceId"]).to_pylist()
    identity = identity_columns(codes, encoded.dictionary.to_pylist(), vm_ids=vm_ids)
    # rows whose id says little (Resource Graph, other workloads): what the row itself says
    identity["vm_name"] = _filled(identity["vm_name"], cols["friendlyName"], prefer=True)
    identity["subscription_id"] = _filled(identity["subscription_id"], pc.utf8_lower(top["subscriptionId"]))
    identity["vault_resource_group"] = _filled(identity["vault_resource_group"], top["resourceGroup"])
    policy = pc.coalesce(cols["policyName"], _last_part(cols["policyId"]))
    times = {key: utc_times(cols[key]) for key in ("lastBackupTime", "lastRecoveryPoint")}
    deleted, purge_in, unread_remaining = soft_delete_columns(cols[FLAG], cols[REMAINING])

    extra = {k: c for k, c in cols.items() if k not in _HELD}
    extra.update({k: c for k, c in top.items() if k not in ("location", "subscriptionId", "resourceGroup")})
    for key, (_, bad) in times.items():  # texts that are no time
        if bad.any():
            extra[key] = pc.if_else(pa.array(bad), cols[key], pa.nulls(n, text))
    if any(v is not None for v in unread_remaining):  # a remaining time that is no duration
        extra[REMAINING] = pa.array(unread_remaining, type=text)
    for key, aside in [*moved.items(), *top_moved.items()]:
        extra[key if key not in extra else f"{key} (resource)"] = lossless(aside)
    if any(v is not None for v in odd_props):
        extra["properties"] = lossless(odd_props)
    if not set(map(type, ids)) <= {str}:
        extra["id"] = lossless([None if type(v) is str else v for v in ids])
    return for_people(pd.DataFrame({
        "item_id": identity["item_id"],
        "vm_id": identity["vm_id"],
        "vm_name": identity["vm_name"],
        "vm_resource_group": identity["resource_group"],
        "subscription_id": identity["subscription_id"],
        "vault": identity["vault"],
        "vault_resource_group": identity["vault_resource_group"],
        "protected_item": identity["protected_item"],
        "location": categorical(top["location"]),
        "protection_state": categorical(cols["protectionState"], PROTECTION_STATES),
        "protection_status": categorical(cols["protectionStatus"]),
        "health": categorical(cols["healthStatus"], HEALTH_STATES),
        "last_backup_status": categorical(cols["lastBackupStatus"]),
        "last_backup_time": times["lastBackupTime"][0],
        "last_recovery_point": times["lastRecoveryPoint"][0],
        "policy": categorical(policy),
        "soft_deleted": deleted,
        "purge_in": purge_in,
        "extra": arrow_column(struct(extra, n)),
    }, copy=False))


def _filled(column: pd.Categorical, other: Any, prefer: bool = False) -> pd.Categorical:
    """``column`` with its missing values taken from ``other`` (an Arrow string array), or ``other`` where it
    has a value when ``prefer`` (``friendlyName`` keeps the VM name's case, which Resource Graph ids lose)."""
    import pandas as pd
    import pyarrow as pa

    if other.null_count == len(other) or not (prefer or column.isna().any()):
        return column
    given = pd.Series(column).astype(object)
    given_other = pd.Series(other.to_pylist(), dtype=object)
    merged = given_other.where(given_other.notna(), given) if prefer else given.where(given.notna(), given_other)
    return categorical(pa.array([v if isinstance(v, str) else None for v in merged.tolist()], type=pa.string()))


def _last_part(ids: Any) -> Any:
    """The last part of each ARM ID (``…/backupPolicies/DefaultPolicy`` → ``DefaultPolicy``)."""
    import pyarrow.compute as pc

    return pc.replace_substring_regex(ids, pattern=r"^.*/", replacement="")
