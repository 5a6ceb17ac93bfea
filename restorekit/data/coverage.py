"""Backup coverage as a typed DataFrame: every VM, whether a vault protects it, and items whose VM is gone.

:func:`coverage_frame` reads the rows of Resource Graph's coverage query (``Resources`` of type
``microsoft.compute/virtualmachines`` joined with ``RecoveryServicesResources`` protected items on the item's
``properties.sourceResourceId``, :mod:`restorekit.client.fleet_queries`): one row per VM and protected item,
a VM without an item (``not protected``) and an item without a VM (``VM missing``) included. The item's side
is read as :func:`~restorekit.data.items.protected_items_frame` reads items (its identity, states and every
other property in ``extra``: soft-delete state, health details…); the VM's side gives the VM's own id, name,
resource group, subscription, region and tags.

Columns (:data:`COLUMNS`): ``coverage`` (categories :data:`COVERAGE`), the VM (``vm_id``, ``vm_name``,
``vm_resource_group``, ``subscription_id``, ``location``, ``tags``: an Arrow ``map<string, string>``), the
protection (``vault``, ``vault_resource_group``, ``policy``, ``protection_state``, ``protection_status``,
``health``, ``last_backup_status``, ``last_backup_time``, ``last_recovery_point``, ``item_id``,
``protected_item``) and ``extra`` (the item's other properties). :func:`tag_values` reads one tag of every
row; :func:`tag_filters` and :func:`tagged` are how ``tags=`` filters are read and applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..core.errors import ValidationError
from .columns import arrow_column, categorical
from .inputs import resources
from .items import COLUMNS as ITEM_COLUMNS
from .items import protected_items_frame
from .readable import for_people

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: What the coverage of a row is: a VM no vault protects, an item whose VM no longer exists, a protected VM.
COVERAGE = ("not protected", "VM missing", "protected")
#: The fields of a coverage row that describe the VM (the protected item's are Resource Graph's own columns).
VM_FIELDS = ("vmId", "vmName", "vmResourceGroup", "vmSubscriptionId", "vmLocation", "vmTags")
#: The protected item's columns a coverage row carries.
ITEM_FIELDS = ("id", "name", "type", "subscriptionId", "resourceGroup", "location", "properties")
#: Columns of a coverage frame and their dtypes, in order (the protection's as an items frame has them).
COLUMNS: dict[str, str] = {
    "coverage": "category",
    **{c: ITEM_COLUMNS[c] for c in ("vm_id", "vm_name", "vm_resource_group", "subscription_id", "location")},
    "tags": "map<string, string>[pyarrow]",
    **{c: ITEM_COLUMNS[c] for c in ("vault", "vault_resource_group", "policy", "protection_state",
                                    "protection_status", "health", "last_backup_status", "last_backup_time",
                                    "last_recovery_point", "soft_deleted", "purge_in", "item_id", "protected_item",
                                    "extra")},
}
_FROM_ITEMS = [c for c in COLUMNS if c in ITEM_COLUMNS and c not in ("vm_id", "vm_name", "vm_resource_group",
                                                                     "subscription_id", "location")]


def coverage_frame(raw: Any) -> pd.DataFrame:
    """One typed row per VM and protected item, from the rows of the coverage query (or its answers).

    >>> cov = coverage_frame(graph.query(coverage_query(), subscriptions))   # doctest: +SKIP
    >>> cov[cov.coverage == "not protected"]                                  # doctest: +SKIP
    """
    import pandas as pd
    import pyarrow as pa

    rows = resources(raw, "coverage rows")
    items = protected_items_frame([{k: row.get(k) for k in ITEM_FIELDS} if row.get("id") else {"id": None}
                                   for row in rows])

    def field(name: str) -> list[Any]:
        return [row.get(name) if isinstance(row.get(name), str) and row.get(name) else None for row in rows]

    def preferred(vm_values: list[Any], item_column: str) -> pd.Categorical:
        from_items = items[item_column].astype(object).tolist()
        return categorical(pa.array([v if v is not None else (w if isinstance(w, str) else None)
                                     for v, w in zip(vm_values, from_items, strict=True)], type=pa.string()))

    vm_ids = [v.lower() if v else None for v in field("vmId")]
    kinds = [_coverage(row) for row in rows]
    tags = pa.array([_tag_pairs(row.get("vmTags")) if row.get("vmId") else None for row in rows],
                    type=pa.map_(pa.string(), pa.string()))
    frame = pd.DataFrame({
        "coverage": pd.Categorical(kinds, categories=list(COVERAGE)),
        "vm_id": preferred(vm_ids, "vm_id"),
        "vm_name": preferred(field("vmName"), "vm_name"),
        "vm_resource_group": preferred(field("vmResourceGroup"), "vm_resource_group"),
        "subscription_id": preferred([v.lower() if v else None for v in field("vmSubscriptionId")],
                                     "subscription_id"),
        "location": preferred(field("vmLocation"), "location"),
        "tags": arrow_column(tags),
    }, copy=False)
    for column in _FROM_ITEMS:
        frame[column] = items[column]
    return for_people(frame[list(COLUMNS)])


def _coverage(row: dict[str, Any]) -> str:
    if not row.get("id"):
        return "not protected"
    if not row.get("vmId"):
        return "VM missing"
    return "protected"


def _tag_pairs(tags: Any) -> list[tuple[str, str]]:
    if not isinstance(tags, dict):
        return []
    return [(str(k), "" if v is None else str(v)) for k, v in tags.items()]


def tag_filters(tags: Any) -> list[tuple[str, str | None]]:
    """``tags=`` read as ``(name, value)`` pairs (value None: the tag is there, whatever its value).

    Accepts ``{"environment": "production"}`` (None as a value: any value), ``"environment=production"``,
    ``"owner"`` (the tag is set), or a list of such texts. Every pair must hold.
    """
    if tags is None:
        return []
    problems: list[str] = []
    pairs: list[tuple[str, str | None]] = []
    if isinstance(tags, Mapping):
        items: Iterable[Any] = tags.items()
    elif isinstance(tags, str):
        items = [tags]
    elif isinstance(tags, Iterable):
        items = list(tags)
    else:
        raise ValidationError([f"tags={tags!r}: give a dict {{'name': 'value'}}, 'name=value' or 'name'"],
                              "tag filter")
    for item in items:
        if isinstance(item, tuple) and len(item) == 2:
            name, value = item
        elif isinstance(item, str):
            name, _, value = item.partition("=") if "=" in item else (item, "", None)
        else:
            problems.append(f"tags: {item!r} is neither 'name=value' nor 'name'")
            continue
        if not isinstance(name, str) or not name.strip():
            problems.append(f"tags: {item!r} has no tag name (write 'name=value' or 'name')")
            continue
        if value is not None and not isinstance(value, str):
            problems.append(f"tags: the value of {name!r} must be text or None (any value), not {value!r}")
            continue
        pairs.append((name.strip(), None if value is None else value.strip()))
    if problems:
        raise ValidationError(problems, "tag filter")
    return pairs


def tag_values(frame: pd.DataFrame, name: str) -> pd.Series:
    """The value of tag ``name`` on every row of a coverage frame (missing where the VM lacks it).

    >>> cov[rk.tag_values(cov, "environment") == "production"]    # doctest: +SKIP
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if "tags" not in frame.columns:
        raise ValueError("the frame has no tags column: tags come with az.coverage()")
    column = frame["tags"]
    map_type = pa.map_(pa.string(), pa.string())
    array = pa.array(column.array) if isinstance(column.dtype, pd.ArrowDtype) else \
        pa.array([v if isinstance(v, list) else None for v in column.tolist()], type=map_type)
    found = pc.map_lookup(array, pa.scalar(name, pa.string()), "first")
    return pd.Series(found.to_pylist(), index=frame.index, name=name, dtype=object)


def tagged(frame: pd.DataFrame, tags: Any) -> pd.Series:
    """Which rows have every tag of ``tags`` (see :func:`tag_filters`): the name as written, the value in any case."""
    import pandas as pd

    mask = pd.Series(True, index=frame.index)
    for name, value in tag_filters(tags):
        found = tag_values(frame, name)
        if value is None:
            mask &= found.notna()
        else:
            want = value.lower()
            mask &= pd.Series([isinstance(v, str) and v.lower() == want for v in found], index=frame.index)
    return mask
