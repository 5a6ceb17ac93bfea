"""Recovery points as a typed pandas DataFrame: one row per point, real dtypes, nothing lost.

:func:`recovery_points_frame` takes what the Backup API returns (a list of ``RecoveryPointResource``
dicts, one page ``{"value": [...], "nextLink": ...}``, a list of pages, a single resource) or what
the official SDKs give (``model.as_dict()`` — camelCase keys for ``azure-mgmt-recoveryservicesbackup``,
snake_case keys for ``azure-mgmt-recoveryservicesbackup-passivestamp`` — or the models themselves).
:func:`points_to_frame` does the same for :class:`restorekit.points.RecoveryPoint` objects.

The frame is built in one pass over plain dicts into column lists (no per-row pandas objects), with
categoricals for small vocabularies: a million points take a few seconds, several times faster and
smaller than ``pd.json_normalize`` on the same dicts. See :data:`COLUMNS` for the columns.
"""

from __future__ import annotations

import gc
import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import RestorekitError
from .ids import ItemRef, vm_of_item_name
from .tiers import TIER_LABELS, USABLE_STATUSES, tier_name, tier_status

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .points import RecoveryPoint

#: Columns of a recovery-points frame and their dtypes, in order.
COLUMNS: dict[str, str] = {
    "vault": "string",
    "vault_resource_group": "string",
    "resource_group": "string",
    "vm_name": "string",
    "protected_item": "string",
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
    "zones": "object",
    "disk_luns": "object",
    "disk_count": "Int64",
    "expiry_time": "datetime64[ns, UTC]",
    "rule_name": "string",
    "region": "category",
    "vault_location": "category",
    "id": "string",
    "extra": "object",
}

#: Known values of ``recoveryPointType``; other values are kept as extra categories.
CONSISTENCIES = ("AppConsistent", "FileSystemConsistent", "CrashConsistent")
#: Known tier labels (usable tiers joined with ``+``); unknown tier types are appended by name.
TIER_COMBINATIONS = ("snapshot+vault", "snapshot", "vault", "vault+archive", "archive",
                     "snapshot+archive", "snapshot+vault+archive", "none")
REGIONS = ("primary", "secondary")

_TIER_BITS = {"snapshot": 1, "vault": 2, "archive": 4}
_BITS_LABEL = {bits: "+".join(lab for bit, lab in ((1, "snapshot"), (2, "vault"), (4, "archive")) if bits & bit)
               or "none" for bits in range(8)}
_RP_SEP = "/recoveryPoints/"
_TOP_KEYS = frozenset({"id", "name", "type", "properties"})
# properties held entirely by columns; everything else goes to ``extra``
_MODELED = frozenset({"recoveryPointTime", "recoveryPointType", "virtualMachineSize", "osType",
                      "isSourceVMEncrypted", "isManagedVirtualMachine", "zones",
                      "recoveryPointTierDetails", "recoveryPointProperties"})
_TIER_ENTRY_KEYS = frozenset({"type", "status"})
_RP_PROPERTY_KEYS = frozenset({"expiryTime", "ruleName"})

# camelCase names of the spec's recovery-point fields, to undo the passive-stamp SDK's snake_case as_dict()
_CAMEL_NAMES = (
    "objectType recoveryPointType recoveryPointTime recoveryPointAdditionalInfo sourceVMStorageType "
    "isSourceVMEncrypted keyAndSecret isInstantIlrSessionActive recoveryPointTierDetails "
    "isManagedVirtualMachine virtualMachineSize originalStorageAccountOption osType "
    "recoveryPointDiskConfiguration zones recoveryPointMoveReadinessInfo securityType recoveryPointProperties "
    "isPrivateAccessEnabledOnAnyDisk extendedLocation expiryTime ruleName isSoftDeleted "
    "numberOfDisksIncludedInBackup numberOfDisksAttachedToVm includedDiskList excludedDiskList lun name "
    "type status extendedInfo isReadyForMove additionalInfo kekDetails bekDetails encryptionMechanism "
    "keyUrl keyVaultId keyBackupData secretUrl secretVaultId secretData eTag location tags id properties"
).split()


def _snake(name: str) -> str:
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()


_CAMEL_OF_SNAKE = {_snake(n): n for n in _CAMEL_NAMES}


class FrameInputError(RestorekitError, TypeError):
    """The input is not recovery points: a point (or page) is a string, a number, None, … instead of a dict.

    Accepted: a ``RecoveryPointResource`` dict, a page ``{"value": [...]}``, an iterable of either,
    or SDK models (anything with ``as_dict()``).
    """


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
    >>> df.groupby("vm_name").time.max()                       # doctest: +SKIP
    """
    resources = _flatten(raw)
    return _build(resources, default_vault=vault, regions=region or "primary")


def points_to_frame(points: Iterable[RecoveryPoint]) -> pd.DataFrame:
    """One typed row per :class:`~restorekit.points.RecoveryPoint` (same columns as :func:`recovery_points_frame`).

    Vault and VM names come from each point's ``item``, ``region`` and ``vault_location`` from the point.
    """
    import pandas as pd

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
        refs.append(getattr(point, "item", None))
        regions.append(getattr(point, "region", "primary"))
        locations.append(getattr(point, "vault_location", None))
    frame = _build(raws, refs=refs, regions=regions, locations=locations)
    no_id = [i for i, raw in enumerate(raws) if not isinstance(raw.get("id"), str) and refs[i] is not None
             and not pd.isna(frame.at[i, "recovery_point"])]
    if no_id:  # the point knows its item: its id is the item's id + its name
        frame.loc[no_id, "id"] = [refs[i].recovery_point_id(frame.at[i, "recovery_point"]) for i in no_id]
    return frame


# --- input shapes -------------------------------------------------------------------------------------


def _as_plain(obj: Any, where: str) -> dict[str, Any]:
    if type(obj) is dict:
        return obj
    as_dict = getattr(obj, "as_dict", None)
    if callable(as_dict) and not isinstance(obj, type):
        converted = as_dict()
        if isinstance(converted, dict):
            return converted
    if isinstance(obj, Mapping):
        return dict(obj)
    text = repr(obj)
    text = text if len(text) <= 60 else text[:57] + "..."
    raise FrameInputError(
        f"{where} is a {type(obj).__name__} ({text}), not a dict: expected RecoveryPointResource dicts, "
        "pages {'value': [...]}, lists of them, or SDK models")


def _is_page(d: dict[str, Any]) -> bool:
    return "value" in d and isinstance(d["value"], list) and "properties" not in d and "id" not in d


def _flatten(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, str | bytes | bytearray) or raw is None or isinstance(raw, int | float):
        raise FrameInputError(
            f"recovery points expected (a dict, a page or a list of them), got {type(raw).__name__}")
    if type(raw) is dict or hasattr(raw, "as_dict") or isinstance(raw, Mapping):
        top = _as_plain(raw, "the input")
        return _page_items(top, "the page") if _is_page(top) else [top]
    if not isinstance(raw, Iterable):
        raise FrameInputError(f"recovery points expected, got {type(raw).__name__}")
    out: list[dict[str, Any]] = []
    for index, element in enumerate(raw):
        d = element if type(element) is dict else _as_plain(element, f"element #{index}")
        if "value" in d and _is_page(d):
            out.extend(_page_items(d, f"page #{index}"))
        else:
            out.append(d)
    return out


def _page_items(page: dict[str, Any], where: str) -> list[dict[str, Any]]:
    items = page["value"]
    if all(type(x) is dict for x in items):
        return items
    return [x if type(x) is dict else _as_plain(x, f"{where} value #{i}") for i, x in enumerate(items)]


def _camelize(value: Any) -> Any:
    """Turn the passive-stamp SDK's snake_case keys back into the API's names (unknown keys kept)."""
    if isinstance(value, dict):
        return {_CAMEL_OF_SNAKE.get(k, k) if isinstance(k, str) else k: _camelize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camelize(v) for v in value]
    return value


# --- the one pass -------------------------------------------------------------------------------------


def _item_info(head: str) -> tuple[Any, ...] | None:
    """(vault RG, vault, VM RG, VM name, protected item) from an item or recovery point id, or None."""
    try:
        ref = ItemRef.from_id(head)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
    return _ref_info(ref)


def _ref_info(ref: Any) -> tuple[Any, ...]:
    try:
        vm_rg, vm = vm_of_item_name(ref.item)
    except (ValueError, AttributeError, TypeError):
        vm_rg = vm = None
    return (getattr(ref, "vault_resource_group", None), getattr(ref, "vault_name", None), vm_rg, vm,
            getattr(ref, "item", None))


def _tier_pair(pair: tuple[Any, Any]) -> tuple[int, str | None]:
    """(bit of the tier when usable, 0 when not, -1 for an unknown type; label of a usable unknown type)."""
    kind, status = pair
    name = tier_name(kind)
    label = TIER_LABELS.get(name, name) if isinstance(name, str) else None
    usable = tier_status(status) in USABLE_STATUSES
    if label in _TIER_BITS:
        return (_TIER_BITS[label] if usable else 0), None
    return -1, (str(label) if usable and label not in (None, "Invalid") else None)


def _build(resources: list[dict[str, Any]], **kw: Any) -> pd.DataFrame:
    # The pass creates millions of small containers; the cyclic GC would rescan the (large, acyclic)
    # input again and again, so it is paused for the pass, which creates no cycles.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_frame(resources, **kw)
    finally:
        if enabled:
            gc.enable()


def _build_frame(resources: list[dict[str, Any]], *, refs: list[Any] | None = None,
                 default_vault: str | None = None, regions: Any = "primary", locations: Any = None) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    n = len(resources)
    vault_rg: list[Any] = [None] * n
    vault: list[Any] = [None] * n
    vm_rg: list[Any] = [None] * n
    vm_name: list[Any] = [None] * n
    item: list[Any] = [None] * n
    names: list[Any] = [None] * n
    ids: list[Any] = [None] * n
    tier_bits = bytearray(n)  # 1 snapshot, 2 vault, 4 archive
    odd_labels: dict[int, list[str]] = {}  # usable tiers of unknown types, by row
    luns: list[Any] = [None] * n
    disk_count: list[Any] = [None] * n
    expiry: list[Any] = [None] * n
    rule: list[Any] = [None] * n
    res_location: list[Any] = [None] * n
    extra: list[Any] = [None] * n
    plist: list[Any] = [None] * n

    no_id: list[int] = []
    no_tiers: list[int] = []
    cache: dict[Any, Any] = {}
    pair_cache: dict[tuple[Any, Any], tuple[int, str | None]] = {}
    modeled = _MODELED
    top_keys = _TOP_KEYS

    for i, res in enumerate(resources):
        props = res.get("properties")
        if type(props) is not dict:
            rest: dict[str, Any] = {} if props is None else {"properties": props}
            props = {}
        else:
            if "objectType" not in props and ("object_type" in props or "recovery_point_time" in props):
                props = _camelize(props)
            rest = props.copy()
            for key in modeled:
                rest.pop(key, None)
        extra[i] = rest
        if not res.keys() <= top_keys:
            for key in res.keys() - top_keys:
                if key == "location" and isinstance(res[key], str):
                    res_location[i] = res[key]
                else:
                    rest[key] = res[key]

        # identity: vault and VM from the id, parsed once per protected item
        rid = res.get("id")
        name = res.get("name")
        info = None
        if type(rid) is str:
            ids[i] = rid
            cut = rid.rfind(_RP_SEP)
            if cut < 0:
                cut = rid.lower().rfind("/recoverypoints/")
            head = rid[:cut] if cut >= 0 else rid
            info = cache.get(head, False)
            if info is False:
                info = cache[head] = _item_info(head)
            if type(name) is not str and cut >= 0:
                name = rid[cut + len(_RP_SEP):] or None
        elif rid is not None:
            rest["id"] = rid
        if refs is not None and refs[i] is not None:
            key = ("ref", refs[i])
            info = cache.get(key)
            if info is None:
                info = cache[key] = _ref_info(refs[i])
        if info is not None:
            vault_rg[i], vault[i], vm_rg[i], vm_name[i], item[i] = info
        else:
            no_id.append(i)
            vault[i] = default_vault
        if type(name) is str:
            names[i] = name
        elif name is not None:
            rest["name"] = name

        plist[i] = props

        # tiers: a tier counts when its status is usable (Valid, Rehydrated)
        details = props.get("recoveryPointTierDetails")
        if type(details) is list:
            found = 0
            keep = False
            for entry in details:
                if type(entry) is not dict:
                    keep = True
                    continue
                if len(entry) != 2:
                    keep = True  # extendedInfo (rehydration expiry) or unknown keys
                pair = (entry.get("type"), entry.get("status"))
                try:
                    bit, odd = pair_cache[pair]
                except KeyError:
                    bit, odd = pair_cache[pair] = _tier_pair(pair)
                except TypeError:  # unhashable type or status
                    bit, odd = -1, None
                if bit > 0:
                    found |= bit
                elif bit < 0:
                    keep = True
                    if odd is not None:
                        odd_labels.setdefault(i, []).append(odd)
            tier_bits[i] = found
            if keep:
                rest["recoveryPointTierDetails"] = details
        else:
            no_tiers.append(i)
            if details is not None:
                rest["recoveryPointTierDetails"] = details

        # disks: LUNs of the included disks (OS disk -1); the configuration itself stays in extra
        config = props.get("recoveryPointDiskConfiguration")
        if type(config) is dict:
            disks = config.get("includedDiskList")
            if type(disks) is list:
                luns[i] = [d["lun"] for d in disks if type(d) is dict and type(d.get("lun")) is int]
            count = config.get("numberOfDisksIncludedInBackup")
            if type(count) is int and count is not True and count is not False:
                disk_count[i] = count
            elif luns[i] is not None:
                disk_count[i] = len(luns[i])

        # expiry and policy rule
        rp_props = props.get("recoveryPointProperties")
        if type(rp_props) is dict:
            value = rp_props.get("expiryTime")
            if type(value) is str:
                expiry[i] = value
            elif isinstance(value, datetime):
                expiry[i] = value.isoformat()
            elif value is not None:
                rest["recoveryPointProperties"] = rp_props
            value = rp_props.get("ruleName")
            if type(value) is str:
                rule[i] = value
            elif value is not None:
                rest["recoveryPointProperties"] = rp_props
            if not rp_props.keys() <= _RP_PROPERTY_KEYS:
                rest["recoveryPointProperties"] = rp_props
        elif rp_props is not None:
            rest["recoveryPointProperties"] = rp_props


    # scalar properties, column by column; a value of the wrong type goes to extra, untouched
    times = _typed([p.get("recoveryPointTime") for p in plist], "recoveryPointTime", (str,), extra)
    for i in _rows_of_type(times, datetime):
        times[i] = times[i].isoformat()
    consistency = _typed([p.get("recoveryPointType") for p in plist], "recoveryPointType", (str,), extra)
    vm_size = _typed([p.get("virtualMachineSize") for p in plist], "virtualMachineSize", (str,), extra)
    os_type = _typed([p.get("osType") for p in plist], "osType", (str,), extra)
    encrypted = _typed([p.get("isSourceVMEncrypted") for p in plist], "isSourceVMEncrypted", (bool,), extra)
    managed = _typed([p.get("isManagedVirtualMachine") for p in plist], "isManagedVirtualMachine", (bool,), extra)
    zones = _typed([p.get("zones") for p in plist], "zones", (list,), extra)
    for i in _rows_of_type(zones, list):
        if all(type(z) is str for z in zones[i]):
            zones[i] = list(zones[i])
        else:
            extra[i]["zones"] = zones[i]
            zones[i] = None

    time_index, bad_time = _utc_ns(times)
    expiry_index, bad_expiry = _utc_ns(expiry)
    for i in np.flatnonzero(bad_time):
        extra[i]["recoveryPointTime"] = times[i]
    for i in np.flatnonzero(bad_expiry):
        props = resources[i].get("properties")
        extra[i].setdefault("recoveryPointProperties", (props or {}).get("recoveryPointProperties")
                            if isinstance(props, dict) else expiry[i])

    bits = np.frombuffer(bytes(tier_bits), dtype=np.uint8)
    tier = _tier_column(bits, odd_labels)
    region_values = regions if isinstance(regions, list) else [regions] * n
    location_values = locations if isinstance(locations, list) else [locations] * n
    location_values = [loc if isinstance(loc, str) else res_location[i] for i, loc in enumerate(location_values)]

    frame = pd.DataFrame({
        "vault": pd.array(vault, dtype="string"),
        "vault_resource_group": pd.array(vault_rg, dtype="string"),
        "resource_group": pd.array(vm_rg, dtype="string"),
        "vm_name": pd.array(vm_name, dtype="string"),
        "protected_item": pd.array(item, dtype="string"),
        "recovery_point": pd.array(names, dtype="string"),
        "time": time_index,
        "consistency": _categorical(consistency, CONSISTENCIES),
        "snapshot": (bits & 1).astype(bool),
        "vault_tier": (bits & 2).astype(bool),
        "archive": (bits & 4).astype(bool),
        "tier": tier,
        "vm_size": _categorical(vm_size, ()),
        "os_type": _categorical(os_type, ("Windows", "Linux")),
        "encrypted": np.array([v is True for v in encrypted], dtype=bool),
        "managed": pd.array(managed, dtype="boolean"),
        "zones": _object_array(zones),
        "disk_luns": _object_array(luns),
        "disk_count": pd.array(disk_count, dtype="Int64"),
        "expiry_time": expiry_index,
        "rule_name": pd.array(rule, dtype="string"),
        "region": _categorical([r if isinstance(r, str) else None for r in region_values], REGIONS),
        "vault_location": _categorical(location_values, ()),
        "id": pd.array(ids, dtype="string"),
        "extra": _object_array(extra),
    })

    missing_time = np.asarray(time_index.isna(), dtype=bool)
    incomplete = missing_time.copy()
    incomplete[no_id] = True
    incomplete[no_tiers] = True
    incomplete[list(odd_labels)] = True
    if incomplete.any():
        parts = [f"{int(missing_time.sum())} without a valid time" if missing_time.any() else "",
                 f"{len(no_id)} without a recovery point id" if no_id else "",
                 f"{len(no_tiers)} without tier details" if no_tiers else "",
                 f"{len(odd_labels)} with unknown tier types" if odd_labels else ""]
        warnings.warn(IncompletePointsWarning(
            f"{int(incomplete.sum())} of {n} recovery point(s) are incomplete "
            f"({', '.join(p for p in parts if p)}); their rows hold missing values, raw fields in 'extra'"),
            stacklevel=4)
    return frame


def _typed(values: list[Any], key: str, types: tuple[type, ...], extra: list[dict[str, Any]]) -> list[Any]:
    """``values`` with those not of ``types`` (nor None) moved to ``extra[row][key]``; datetimes kept."""
    allowed = {*types, type(None), *((datetime,) if key == "recoveryPointTime" else ())}
    if set(map(type, values)) <= allowed:
        return values
    for i, value in enumerate(values):
        if type(value) not in allowed and not (key == "recoveryPointTime" and isinstance(value, datetime)):
            extra[i][key] = value
            values[i] = None
    return values


def _rows_of_type(values: list[Any], kind: type) -> list[int]:
    """Rows holding a ``kind`` (fast when there is none)."""
    if kind is datetime:
        if not any(issubclass(t, datetime) for t in set(map(type, values))):
            return []
        return [i for i, v in enumerate(values) if isinstance(v, datetime)]
    if kind not in set(map(type, values)):
        return []
    return [i for i, v in enumerate(values) if type(v) is kind]


def _tier_column(bits: Any, odd_labels: dict[int, list[str]]) -> Any:
    """The ``tier`` label column from the tier bits, unknown usable tier types appended by name."""
    import numpy as np
    import pandas as pd

    categories = list(TIER_COMBINATIONS)
    code_of_bits = np.array([categories.index(_BITS_LABEL[b]) for b in range(8)], dtype=np.int64)
    codes = code_of_bits[bits]
    if odd_labels:
        odd = {}
        for row, labels in odd_labels.items():
            known = _BITS_LABEL[int(bits[row])]
            label = "+".join([*([] if known == "none" else [known]), *sorted(set(labels))])
            odd[row] = label
        unseen = sorted(set(odd.values()) - set(categories))
        categories += unseen
        for row, label in odd.items():
            codes[row] = categories.index(label)
    return pd.Categorical.from_codes(codes, categories=categories)


def _utc_ns(values: list[Any]) -> tuple[Any, Any]:
    """Parse ISO 8601 texts to a UTC nanosecond DatetimeIndex; also the mask of texts that did not parse."""
    import numpy as np
    import pandas as pd

    given = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    if not given.any():
        return pd.DatetimeIndex(np.full(len(values), np.datetime64("NaT"), "M8[ns]")).tz_localize("UTC"), given
    parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601", errors="coerce")
    index = pd.DatetimeIndex(parsed)
    if index.unit != "ns":  # pandas 3 infers coarser units; out-of-range dates cannot be ns
        lo, hi = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
        out_of_range = np.asarray((index < lo) | (index > hi))
        if out_of_range.any():
            index = index.where(~out_of_range)
        index = index.as_unit("ns")
    bad = given & np.asarray(index.isna(), dtype=bool)
    return index, bad


def _categorical(values: list[Any], known: tuple[str, ...]) -> Any:
    """A Categorical with the ``known`` categories first, then the unknown values seen (kept as they are)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    position = {c: k for k, c in enumerate(known)}
    unseen = sorted((u for u in uniques if u not in position), key=str)
    categories = [*known, *unseen]
    position.update({c: len(known) + k for k, c in enumerate(unseen)})
    remap = np.array([position[u] for u in uniques] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def _object_array(values: list[Any]) -> Any:
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
