"""Recovery points as a typed pandas DataFrame, built through Arrow: one row per point, nothing lost.

:func:`recovery_points_frame` takes what the Backup API returns (a list of ``RecoveryPointResource``
dicts, one page ``{"value": [...], "nextLink": ...}``, a list of pages, a single resource) or what
the official SDKs give (``model.as_dict()`` — camelCase keys for ``azure-mgmt-recoveryservicesbackup``,
snake_case keys for ``azure-mgmt-recoveryservicesbackup-passivestamp`` — or the models themselves).
:func:`points_to_frame` does the same for :class:`restorekit.model.points.RecoveryPoint` objects.
See :data:`COLUMNS` for the columns.

How it works (the Arrow path): the scalar properties (texts, booleans, numbers) are converted by one
``pa.array`` call over the property dicts to an explicit struct type — modelled fields to their types,
the others to the types of their first values; nested properties (disk configuration…) are converted
once per run of equal neighbours and repeated; tier details go to ``list<struct<type, status>>`` in C, or,
when numbers and names mix (as the service answers today), are looked up entry by entry in C
(:mod:`restorekit.data.columns`, :mod:`restorekit.data.tiers`). Ids are split by ``pyarrow.compute``
and dictionary-encoded, so each protected item's ARM ID is parsed once (:mod:`restorekit.data.identity`);
times are parsed by Arrow; identities and small vocabularies become categoricals, the rest Arrow strings,
lists and structs. No Python object is built per point: the per-point work is C-level iteration
(``map``, ``len``, ``==``) over the input dicts. Each such pass costs (a cache miss per dict), so there are few:
the properties' keys and the resources' keys come from a sample, proven complete by counting (the full key union
only when the count differs); ids, names and types are read by one struct conversion, which counts them; a list
of dicts is searched for pages only when some dict has no properties; the cyclic collector waits until the frame
is built.

Identity: ``item_id`` (the protected item's ARM ID, canonical and lowercased), ``vm_id`` (the source VM's)
and ``subscription_id`` key the rows; ``vm_name``, ``resource_group`` and ``vault`` are for display. The
point's own id is not stored (it would double the frame): :func:`point_ids` rebuilds it.

``extra`` keeps what the columns do not hold, as an Arrow struct column (``pd.ArrowDtype``), one field
per property: every property the frame does not model (``sourceVMStorageType``, ``securityType``…),
``recoveryPointDiskConfiguration`` whole (disk names, excluded disks), ``recoveryPointTierDetails`` and
``recoveryPointProperties`` whole when some point carries more than the tier, expiry and rule columns
show, values of an unexpected type moved out of their column, times that did not parse, unknown keys of
the resource, and ``id`` where the point's id is not its item's id + ``/recoveryPoints/`` + its name.
``df.extra[i]`` is a dict (fields absent from a point are None); ``df.extra.struct.field("securityType")``
is a column. A property whose values disagree on their type from point to point is kept as JSON text.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..core.collector import collector_paused
from ..core.ids import ItemRef
from .columns import (
    arrow_column,
    arrow_errors,
    categorical,
    categorical_of,
    convert,
    key_union,
    keys_accounted,
    lossless,
    sampled_key_union,
    struct,
    typed,
    utc_times,
    values_of,
)
from .identity import FIELDS as IDENTITY_FIELDS
from .identity import identity_columns
from .inputs import FrameInputError, properties_of, resources
from .readable import for_people
from .tiers import TIER_COMBINATIONS, read_tiers, tier_labels

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from ..core.protocols import PointLike as RecoveryPoint

__all__ = ["COLUMNS", "TIER_COMBINATIONS", "FrameInputError", "IncompletePointsWarning", "point_ids",
           "points_to_frame", "recovery_points_frame"]

#: Columns of a recovery-points frame and their dtypes, in order (``extra``: an Arrow struct whose
#: fields depend on the input).
COLUMNS: dict[str, str] = {
    **dict.fromkeys(IDENTITY_FIELDS, "category"),
    "recovery_point": "string",
    "time": "datetime64[ns, UTC]",
    "consistency": "category",
    "snapshot": "bool",
    "vault_tier": "bool",
    "archive": "bool",
    "tier": "category",
    "vm_size": "category",
    "os_type": "category",
    "encrypted": "bool",
    "managed": "boolean",
    "zones": "list<item: string>[pyarrow]",
    "disk_luns": "list<item: int64>[pyarrow]",
    "disk_count": "Int64",
    "expiry_time": "datetime64[ns, UTC]",
    "rule_name": "category",
    "region": "category",
    "vault_location": "category",
    "extra": "struct<...>[pyarrow]",
}

#: Known values of ``recoveryPointType``; other values are kept as extra categories.
CONSISTENCIES = ("AppConsistent", "FileSystemConsistent", "CrashConsistent")
REGIONS = ("primary", "secondary")

_TIERS, _DISKS, _RULE = "recoveryPointTierDetails", "recoveryPointDiskConfiguration", "recoveryPointProperties"
_TIME = "recoveryPointTime"
_TOP_SKIPPED = frozenset({"properties", "type", "id", "name"})  # converted apart; the type is implied
_RP_SEP = "/recoveryPoints/"
_CHUNK = 16_384


class IncompletePointsWarning(UserWarning):
    """Some recovery points lack an id, a time or tier details; their rows hold missing values."""


def recovery_points_frame(raw: Any, *, vault: str | None = None, region: str | None = None) -> pd.DataFrame:
    """One typed row per recovery point, from API answers or SDK models.

    ``raw`` is a resource dict, a page ``{"value": [...], "nextLink": ...}``, or an iterable of
    resources and pages; SDK models (``RecoveryPointResource``, ``RecoveryPointResourceList``) and their
    ``as_dict()``/``serialize()`` forms (camelCase or snake_case keys) are accepted too. ``vault`` names
    the vault of points whose id does not say; ``region`` (``"primary"``, the default, or
    ``"secondary"``) fills the ``region`` column. Points with a missing id, time or tier details still
    give a row (missing values) and one :class:`IncompletePointsWarning`. Raises
    :class:`FrameInputError` (a ``TypeError``) when a point is not a dict.

    >>> df = recovery_points_frame(page)                       # doctest: +SKIP
    >>> df.groupby("item_id", observed=True).time.max()        # doctest: +SKIP
    """
    items = resources(raw, deferred_pages=True)
    return for_people(_build(items, default_vault=vault, regions=region or "primary", pages_unchecked=True))


def points_to_frame(points: Iterable[RecoveryPoint]) -> pd.DataFrame:
    """One typed row per :class:`~restorekit.model.points.RecoveryPoint` (same columns as :func:`recovery_points_frame`).

    Vault and VM come from each point's ``item``, ``region`` and ``vault_location`` from the point.
    """
    if isinstance(points, str | bytes | Mapping) or not isinstance(points, Iterable):
        raise FrameInputError(f"points_to_frame expects an iterable of RecoveryPoint, got {type(points).__name__}")
    raws: list[dict[str, Any]] = []
    refs: list[Any] = []
    regions: list[Any] = []
    locations: list[Any] = []
    for index, point in enumerate(points):
        raw = getattr(point, "raw", None)
        if not isinstance(raw, dict):
            raise FrameInputError(f"point #{index} is a {type(point).__name__}, not a RecoveryPoint with a dict raw")
        raws.append(raw)
        ref = getattr(point, "item", None)
        refs.append(ref if isinstance(ref, ItemRef) else None)
        regions.append(getattr(point, "region", "primary"))
        locations.append(getattr(point, "vault_location", None))
    return for_people(_build(raws, refs=refs, regions=regions, locations=locations))


def point_ids(df: pd.DataFrame) -> pd.Series:
    """The ARM ID of each point of a recovery-points frame (its item's id + ``/recoveryPoints/`` + its name).

    The frame stores ids factored (``item_id``, lowercased, and ``recovery_point``); a point whose id
    was spelled otherwise keeps it in ``extra["id"]``, which wins here.
    """
    import pandas as pd

    rebuilt = df["item_id"].astype("string") + "/recoveryPoints/" + df["recovery_point"].astype("string")
    extra = df["extra"]
    if hasattr(extra, "struct") and "id" in [f.name for f in extra.dtype.pyarrow_dtype]:
        given = extra.struct.field("id").astype("string")
        rebuilt = given.where(given.notna(), rebuilt)
    return pd.Series(rebuilt, index=df.index, name="id", dtype="string")


# --- the build ------------------------------------------------------------------------------------------


def _property_types() -> dict[str, pa.DataType]:
    import pyarrow as pa

    return {_TIME: pa.string(), "recoveryPointType": pa.string(), "virtualMachineSize": pa.string(),
            "osType": pa.string(), "isSourceVMEncrypted": pa.bool_(), "isManagedVirtualMachine": pa.bool_(),
            "zones": pa.list_(pa.string())}


@collector_paused()  # a build's temporary lists hold every point: the collector would walk them
def _build(items: list[dict[str, Any]], *, refs: list[Any] | None = None, default_vault: str | None = None,
           regions: Any = "primary", locations: Any = None, pages_unchecked: bool = False) -> pd.DataFrame:
    """The frame of ``items`` (resource dicts); ``refs``: each point's ItemRef when known (points_to_frame).

    ``pages_unchecked``: ``items`` may still hold pages (``resources(…, deferred_pages=True)``); they are looked
    for only when some item has no dict of properties, as a page has none.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrow_dtypes import register

    register()  # its nested columns read back from Parquet by plain pandas
    n = len(items)
    types = _property_types()
    props, odd_props, keys = properties_of(items, sampled=True)  # the keys of a sample, checked next
    if odd_props and pages_unchecked:  # some item without a dict of properties: a page, maybe
        checked = resources(items)
        if checked is not items:
            return _build(checked, default_vault=default_vault, regions=regions)
    texts = _id_texts(items)
    top_types = {"location": pa.string()}
    top, top_moved = convert(items, top_types, keys=sampled_key_union(items), skip=_TOP_SKIPPED)
    if odd_props or not keys_accounted(items, top, top_moved, counted=texts.counted + n):  # id, name, type, props
        top, top_moved = convert(items, top_types, skip=_TOP_SKIPPED)  # keys beyond the sample: all of them
    cols, moved = convert(props, types, keys=keys, skip=frozenset({_TIERS}))
    tier_values = values_of(props, _TIERS)
    if not keys_accounted(props, cols, moved, [tier_values]) and set(key_union(props)) != set(keys):
        props, odd_props, keys = properties_of(items)  # keys beyond the sample: all of them
        cols, moved = convert(props, types, keys=keys, skip=frozenset({_TIERS}))
        tier_values = values_of(props, _TIERS)
    # extra: the properties no column holds, then (below) what the columns could not read
    extra: dict[str, pa.Array] = {k: c for k, c in cols.items() if k not in types and k != _RULE}

    identity, names, no_id = _identity(items, texts, refs, default_vault, cols.get("sourceResourceId"), extra)
    bits, odd_tiers, no_tiers, tiers_kept = read_tiers(tier_values if n else [])
    if tiers_kept:
        extra[_TIERS] = lossless(tier_values)
    luns, disk_count = _disks(cols.get(_DISKS), lambda: values_of(props, _DISKS), n)
    expiry, rule, rule_kept = _rule(cols.get(_RULE), lambda: values_of(props, _RULE), n)
    if rule_kept:
        extra[_RULE] = cols[_RULE]
    times, bad_time = utc_times(cols[_TIME])
    if bad_time.any():  # texts that are no time, beside the values of another type
        texts = cols[_TIME].to_pylist()
        moved[_TIME] = [texts[i] if bad_time[i] else v for i, v in enumerate(moved.get(_TIME, [None] * n))]
    _set_aside(extra, moved, top, top_moved, odd_props)

    vault_location = top["location"]
    if locations is not None:  # the points' own, else their resources'
        given = pa.array([loc if isinstance(loc, str) else None for loc in locations], type=pa.string())
        vault_location = pc.coalesce(given, vault_location)
    managed = cols["isManagedVirtualMachine"]
    frame = pd.DataFrame({
        **identity,
        "recovery_point": pd.array(names, dtype=pd.StringDtype("pyarrow")),
        "time": times,
        "consistency": categorical(cols["recoveryPointType"], CONSISTENCIES),
        "snapshot": (bits & 1).astype(bool),
        "vault_tier": (bits & 2).astype(bool),
        "archive": (bits & 4).astype(bool),
        "tier": tier_labels(bits, odd_tiers),
        "vm_size": categorical(cols["virtualMachineSize"]),
        "os_type": categorical(cols["osType"], ("Windows", "Linux")),
        "encrypted": cols["isSourceVMEncrypted"].fill_null(False).to_numpy(zero_copy_only=False),
        "managed": pd.arrays.BooleanArray(managed.fill_null(False).to_numpy(zero_copy_only=False),
                                          managed.is_null().to_numpy(zero_copy_only=False)),
        "zones": arrow_column(cols["zones"]),
        "disk_luns": arrow_column(luns),
        "disk_count": pd.arrays.IntegerArray(disk_count.fill_null(0).to_numpy(zero_copy_only=False),
                                             disk_count.is_null().to_numpy(zero_copy_only=False)),
        "expiry_time": utc_times(expiry)[0],
        "rule_name": categorical(rule),
        "region": categorical_of(regions, n, REGIONS),
        "vault_location": categorical(vault_location),
        "extra": arrow_column(struct(extra, n)),
    }, copy=False)
    _warn_incomplete(frame, no_id=no_id, no_tiers=no_tiers, odd=sorted(odd_tiers))
    return frame


def _identity(items: list[dict[str, Any]], texts: _Texts, refs: list[Any] | None, default_vault: str | None,
              source_vm: pa.Array | None, extra: dict[str, pa.Array]) -> tuple[dict[str, Any], pa.Array, np.ndarray]:
    """The identity columns, the points' names and the points without an item; ids and names that the
    columns do not rebuild go to ``extra``."""
    import numpy as np

    id_chunks, given, ids, given_names, _ = texts
    codes, heads, names, kept_ids = _items_of(id_chunks, given, lambda: ids or values_of(items, "id"))
    if refs is not None and any(r is not None for r in refs):  # the point's item says where it lives
        code_of = {ref: len(heads) + k for k, ref in enumerate(dict.fromkeys(r for r in refs if r is not None))}
        heads += list(code_of)
        codes = np.array([code if ref is None else code_of[ref] for code, ref in zip(codes, refs, strict=True)])
    identity = identity_columns(codes, heads, default_vault=default_vault,
                                vm_ids=None if source_vm is None else source_vm.to_pylist())
    if kept_ids:
        kept = set(kept_ids)
        extra["id"] = lossless([rid if i in kept else None for i, rid in enumerate(ids or values_of(items, "id"))])
    if given_names is not None and not set(map(type, given_names)) <= {str, type(None)}:
        extra["name"] = lossless([None if type(v) is str else v for v in given_names])
    return identity, names, codes < 0


def _set_aside(extra: dict[str, pa.Array], moved: dict[str, list[Any]], top: dict[str, pa.Array],
               top_moved: dict[str, list[Any]], odd_props: list[Any]) -> None:
    """Into ``extra``: values of an unexpected type (or texts that are no time), the resource's unknown keys,
    ``properties`` that were no dict."""
    for key, aside in [*moved.items(), *top_moved.items()]:
        extra[key] = lossless(aside)
    for key, column in top.items():
        if key != "location":
            extra[key if key not in extra else f"{key} (resource)"] = column
    if any(v is not None for v in odd_props):
        extra["properties"] = lossless(odd_props)


class _Texts(NamedTuple):
    """The points' ids and names as Arrow texts (the ids in chunks), as given when some is no text, and how many
    ids, names and types the resources hold (None values not counted)."""

    id_chunks: list[pa.Array]
    names: pa.Array
    ids: list[Any] | None
    given_names: list[Any] | None
    counted: int


def _id_texts(items: list[dict[str, Any]]) -> _Texts:
    """The points' ids (in chunks of 16,384: small temporaries are reused, no fresh memory for long ids) and
    names as Arrow texts, read from the resources by one struct conversion per chunk, which counts their types
    too; and, when some id, name or type is no text (the id or name kept in ``extra``: its point has no item,
    or no given name), the ids and names as given.
    """
    import pyarrow as pa

    kind = pa.struct([("id", pa.string()), ("name", pa.string()), ("type", pa.string())])
    try:
        parts = [pa.array(items[start:start + _CHUNK], type=kind).flatten() for start in range(0, len(items), _CHUNK)]
    except arrow_errors():
        return _id_texts_as_given(items)
    names = pa.concat_arrays([p[1] for p in parts]) if parts else pa.array([], type=pa.string())
    counted = sum(len(field) - field.null_count for part in parts for field in part)
    return _Texts([p[0] for p in parts], names, None, None, counted)


def _id_texts_as_given(items: list[dict[str, Any]]) -> _Texts:
    """:func:`_id_texts` through the Python lists of ids and names: the values that are no text become null."""
    import pyarrow as pa

    ids, names, kinds = values_of(items, "id"), values_of(items, "name"), values_of(items, "type")
    counted = 3 * len(items) - ids.count(None) - names.count(None) - kinds.count(None)
    return _Texts([pa.array([v if type(v) is str else None for v in ids[start:start + _CHUNK]], type=pa.string())
                   for start in range(0, len(ids), _CHUNK)],
                  pa.array([v if type(v) is str else None for v in names], type=pa.string()), ids, names, counted)


def _items_of(id_chunks: list[pa.Array], given: pa.Array, python_ids: Any) -> tuple[np.ndarray, list[str], pa.Array,
                                                                                      list[int]]:
    """Per point: the code of its item (the id's part before ``/recoveryPoints/``; -1 without an id), the
    items by code, the point's name (the id's last part when not given) and the rows whose id is not item +
    ``/recoveryPoints/`` + name (their id is kept in ``extra``).

    In Arrow, chunk by chunk; the items are parsed later, once each. ``python_ids()`` gives the ids as
    given, for the rows whose id is spelled otherwise.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded, tails = [], []
    for chunk in id_chunks:
        parts = pc.split_pattern(chunk, _RP_SEP, max_splits=1, reverse=True)
        encoded.append(pc.dictionary_encode(pc.list_element(parts, 0)))
        tails.append(pc.list_element(pc.list_slice(parts, 1, 2, return_fixed_size_list=True), 0))
    heads = pa.chunked_array(encoded, type=pa.dictionary(pa.int32(), pa.string())).unify_dictionaries()
    codes = np.concatenate([c.indices.fill_null(-1).to_numpy(zero_copy_only=False) for c in heads.chunks]
                           or [np.zeros(0, dtype=np.int32)]).astype(np.int64)
    items = heads.chunk(0).dictionary.to_pylist() if heads.num_chunks else []
    tail = pa.concat_arrays(tails) if tails else pa.array([], type=pa.string())
    kept = pc.invert(pc.fill_null(pc.equal(tail, given), False))
    if not pc.any(kept).as_py():  # the usual points: id = item + /recoveryPoints/ + name
        return codes, items, given, []
    names_out, code_of = given.to_pylist(), {item: code for code, item in enumerate(items)}
    kept_rows, ids = [], python_ids()
    for row in pc.indices_nonzero(kept).to_pylist():  # no id, no name, /recoveryPoints/ spelled otherwise
        rid = ids[row] if type(ids[row]) is str else None
        cut = -1 if rid is None else rid.lower().rfind(_RP_SEP.lower())
        tail = rid[cut + len(_RP_SEP):] or None if cut >= 0 else None
        if cut >= 0:
            codes[row] = code_of.setdefault(rid[:cut], len(code_of))
        names_out[row] = names_out[row] or tail
        if ids[row] is not None and (cut < 0 or tail != names_out[row]):
            kept_rows.append(row)
    return codes, list(code_of), pa.array(names_out, type=pa.string()), kept_rows


def _warn_incomplete(frame: pd.DataFrame, *, no_id: np.ndarray, no_tiers: np.ndarray, odd: list[int]) -> None:
    import numpy as np

    missing_time = np.asarray(frame["time"].isna(), dtype=bool)
    incomplete = missing_time | no_id | no_tiers
    incomplete[odd] = True
    if not incomplete.any():
        return
    parts = [f"{int(missing_time.sum())} without a valid time" if missing_time.any() else "",
             f"{int(no_id.sum())} without a recovery point id" if no_id.any() else "",
             f"{int(no_tiers.sum())} without tier details" if no_tiers.any() else "",
             f"{len(odd)} with unknown tier types" if odd else ""]
    warnings.warn(IncompletePointsWarning(
        f"{int(incomplete.sum())} of {len(frame)} recovery point(s) are incomplete "
        f"({', '.join(p for p in parts if p)}); their rows hold missing values, raw fields in 'extra'"),
        stacklevel=4)


# --- disks, rule ---------------------------------------------------------------------------------------


def _disks(config: pa.Array | None, python: Any, n: int) -> tuple[pa.Array, pa.Array]:
    """LUNs of the included disks (OS disk -1) and the number of included disks (else the LUNs counted)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    lun_type = pa.list_(pa.int64())
    if config is None:
        return pa.nulls(n, lun_type), pa.nulls(n, pa.int64())
    if _counts_only(config.type):  # the list answers' configuration: counts, no disk list
        count = (pc.struct_field(config, "numberOfDisksIncludedInBackup")
                 if config.type.get_field_index("numberOfDisksIncludedInBackup") >= 0 else pa.nulls(n, pa.int64()))
        return pa.nulls(n, lun_type), count.cast(pa.int64())
    if _typed_disks(config.type):
        disks = pc.struct_field(config, "includedDiskList")
        lun = pc.struct_field(disks.flatten(), "lun")
        valid = lun.is_valid().to_numpy(zero_copy_only=False)
        parents = pc.list_parent_indices(disks).to_numpy(zero_copy_only=False)
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(parents[valid], minlength=n), out=offsets[1:])
        luns = pa.ListArray.from_arrays(pa.array(offsets), lun.filter(lun.is_valid()).cast(pa.int64()),
                                        mask=disks.is_null())
        count = (pc.struct_field(config, "numberOfDisksIncludedInBackup")
                 if config.type.get_field_index("numberOfDisksIncludedInBackup") >= 0 else pa.nulls(n, pa.int64()))
        return luns, pc.coalesce(count.cast(pa.int64()), pc.list_value_length(luns).cast(pa.int64()))
    rows, counts = [], []
    for value in python():
        disks = value.get("includedDiskList") if type(value) is dict else None
        row = [d["lun"] for d in disks if type(d) is dict and type(d.get("lun")) is int] if type(disks) is list else None
        count = value.get("numberOfDisksIncludedInBackup") if type(value) is dict else None
        rows.append(row)
        counts.append(count if type(count) is int else (None if row is None else len(row)))
    return pa.array(rows, type=lun_type), pa.array(counts, type=pa.int64())


def _counts_only(kind: pa.DataType) -> bool:
    """Whether a disk configuration column has no disk list and an integer count (or none)."""
    import pyarrow as pa

    if not pa.types.is_struct(kind) or kind.get_field_index("includedDiskList") >= 0:
        return False
    index = kind.get_field_index("numberOfDisksIncludedInBackup")
    return index < 0 or pa.types.is_integer(kind.field(index).type) or pa.types.is_null(kind.field(index).type)


def _typed_disks(kind: pa.DataType) -> bool:
    """Whether a disk configuration column holds integer LUNs in a list of structs (and an integer count)."""
    import pyarrow as pa

    if not pa.types.is_struct(kind) or kind.get_field_index("includedDiskList") < 0:
        return False
    listed = kind.field("includedDiskList").type
    if not pa.types.is_list(listed) or not pa.types.is_struct(listed.value_type):
        return False
    entry = listed.value_type
    index = kind.get_field_index("numberOfDisksIncludedInBackup")
    count = kind.field(index).type if index >= 0 else pa.int64()
    return (entry.get_field_index("lun") >= 0 and pa.types.is_integer(entry.field("lun").type)
            and (pa.types.is_integer(count) or pa.types.is_null(count)))


def _rule(column: pa.Array | None, python: Any, n: int) -> tuple[pa.Array, pa.Array, bool]:
    """Expiry time (text) and rule name of each point, and whether ``recoveryPointProperties`` holds more."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column is None:
        return pa.nulls(n, pa.string()), pa.nulls(n, pa.string()), False
    fields = {f.name: f.type for f in column.type} if pa.types.is_struct(column.type) else None
    if fields is not None and all(pa.types.is_string(t) or pa.types.is_null(t)
                                  for name, t in fields.items() if name in ("expiryTime", "ruleName")):
        def field(name: str) -> pa.Array:
            return pc.struct_field(column, name).cast(pa.string()) if name in fields else pa.nulls(n, pa.string())

        # more than expiry and rule (isSoftDeleted…): the whole property is kept in extra
        return field("expiryTime"), field("ruleName"), not fields.keys() <= {"expiryTime", "ruleName"}
    values = python()
    dicts = [v if type(v) is dict else {} for v in values]
    expiry, odd_expiry = typed(values_of(dicts, "expiryTime"), pa.string())
    rule, odd_rule = typed(values_of(dicts, "ruleName"), pa.string())
    kept = (odd_expiry is not None or odd_rule is not None or not set().union(*dicts) <= {"expiryTime", "ruleName"}
            or any(v is not None and type(v) is not dict for v in values))
    return expiry, rule, kept
