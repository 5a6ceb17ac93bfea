"""Recovery points as a typed pandas DataFrame: one row per point, real dtypes, nothing lost.

:func:`recovery_points_frame` takes what the Backup API returns (a list of ``RecoveryPointResource``
dicts, one page ``{"value": [...], "nextLink": ...}``, a list of pages, a single resource) or what
the official SDKs give (``model.as_dict()`` — camelCase keys for ``azure-mgmt-recoveryservicesbackup``,
snake_case keys for ``azure-mgmt-recoveryservicesbackup-passivestamp`` — or the models themselves).
:func:`points_to_frame` does the same for :class:`restorekit.model.points.RecoveryPoint` objects.

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
from itertools import chain, repeat
from operator import is_, is_not, itemgetter
from typing import TYPE_CHECKING, Any

from ..core.errors import RestorekitError
from ..core.ids import ItemRef, vm_of_item_name
from ..core.tiers import TIER_LABELS, USABLE_STATUSES, tier_name, tier_status

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.protocols import PointLike as RecoveryPoint

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
_RP_PROPERTY_KEYS = frozenset({"expiryTime", "ruleName"})
# the fast path: the resource fields, the properties it reads (in this order), the rule's fields, a disk's LUN
_TOP_FIELDS = itemgetter("id", "name", "properties", "type")
_READ_KEYS = ("recoveryPointTime", "recoveryPointType", "virtualMachineSize", "osType", "isSourceVMEncrypted",
              "isManagedVirtualMachine", "zones", "recoveryPointTierDetails", "recoveryPointDiskConfiguration",
              "recoveryPointProperties")
_RP_FIELDS = itemgetter("expiryTime", "ruleName")
_LUN = itemgetter("lun")
_TIER_FIELDS = itemgetter("type", "status")
_TEXT_TYPES = frozenset({str, type(None)})
_EXACT_TYPES = frozenset({str, int, type(None)})  # values equal only to values of their own type
_NO_INFO = 0  # identity code of the rows whose vault and VM are unknown

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


class _NotFlat(Exception):
    """A list given as resources holds something else (a page, an SDK model, …): flatten it first."""


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
    if type(raw) is list:  # most often resources already: built as they are, flattened only if not
        try:
            return _build(raw, unflattened=True, default_vault=vault, regions=region or "primary")
        except _NotFlat:
            pass
    return _build(_flatten(raw), default_vault=vault, regions=region or "primary")


def points_to_frame(points: Iterable[RecoveryPoint]) -> pd.DataFrame:
    """One typed row per :class:`~restorekit.model.points.RecoveryPoint` (same columns as :func:`recovery_points_frame`).

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


class _Identities:
    """Codes of the (vault RG, vault, VM RG, VM, item) tuples, one per protected item; code 0 is "unknown"."""

    def __init__(self) -> None:
        self.code_of: dict[Any, int] = {}
        self.infos: list[tuple[Any, ...] | None] = [None]

    def learn(self, key: Any, info: tuple[Any, ...] | None) -> int:
        code = self.code_of[key] = len(self.infos) if info is not None else _NO_INFO
        if info is not None:
            self.infos.append(info)
        return code

    def of_head(self, head: str) -> int:
        code = self.code_of.get(head)
        return self.learn(head, _item_info(head)) if code is None else code

    def of_ref(self, ref: Any) -> int:
        code = self.code_of.get(("ref", ref))
        return self.learn(("ref", ref), _ref_info(ref)) if code is None else code


class _Tiers:
    """Tier results ``(bits, keep details in extra, usable unknown labels, listed)`` by code.

    Codes are cached per signature of a ``recoveryPointTierDetails`` list (its entries' (type, status) pairs
    and their total number of keys): ``code`` when the pairs are all text or null, ``~code`` when they hold
    integers too (a row then checks that its values are exact ints, not booleans or floats, which compare
    equal to them).
    """

    def __init__(self) -> None:
        self.table: list[tuple[int, bool, tuple[str, ...], bool]] = []
        self.code_of_result: dict[Any, int] = {}
        self.code_of_sig: dict[Any, int] = {}
        self.pairs: dict[tuple[Any, ...], tuple[int, str | None]] = {}

    def code(self, result: tuple[int, bool, tuple[str, ...], bool]) -> int:
        code = self.code_of_result.get(result)
        if code is None:
            code = self.code_of_result[result] = len(self.table)
            self.table.append(result)
        return code

    def learn(self, sig: tuple[Any, ...], details: list[Any]) -> int:
        """Code of a row's details seen for the first time (cached when its signature is exact)."""
        code = self.code(self.evaluate(details))
        kinds = {type(value) for pair in sig[0] for value in pair}
        if kinds <= _TEXT_TYPES:
            self.code_of_sig[sig] = code
        elif kinds <= _EXACT_TYPES:
            self.code_of_sig[sig] = ~code
        return code

    def evaluate(self, details: Any) -> tuple[int, bool, tuple[str, ...], bool]:
        """Tier bits of usable tiers (Valid, Rehydrated), whether details go to extra, unknown usable tiers."""
        if type(details) is not list:
            return 0, details is not None, (), False
        found = 0
        keep = False
        odd: list[str] = []
        for entry in details:
            if not isinstance(entry, dict):
                keep = True
                continue
            if len(entry) != 2:
                keep = True  # extendedInfo (rehydration expiry) or unknown keys
            kind, status = entry.get("type"), entry.get("status")
            key = (type(kind), kind, type(status), status)  # True == 1 == 1.0, but they decode differently
            try:
                bit, label = self.pairs[key]
            except KeyError:
                bit, label = self.pairs[key] = _tier_pair((kind, status))
            except TypeError:  # unhashable type or status
                bit, label = -1, None
            if bit > 0:
                found |= bit
            elif bit < 0:
                keep = True
                if label is not None:
                    odd.append(label)
        return found, keep, tuple(odd), True


def _shape(keys: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any] | None:
    """How the fast path reads properties with these keys: (keys kept in extra, reader of the read keys when
    all are there), or None (careful)."""
    if "objectType" not in keys and ("object_type" in keys or "recovery_point_time" in keys):
        return None  # the passive-stamp SDK's snake_case, camelized by the careful path
    read = itemgetter(*_READ_KEYS) if all(key in keys for key in _READ_KEYS) else None
    return tuple(key for key in keys if key not in _MODELED), read


def _careful_row(res: dict[str, Any], ref: Any, identities: _Identities, tiers: _Tiers) -> tuple[Any, ...]:
    """One row, any input: (extra, location, properties, identity code, id, name, tier code, LUNs, disk count,
    expiry, rule)."""
    props = res.get("properties")
    location = None
    if type(props) is not dict:
        rest: dict[str, Any] = {} if props is None else {"properties": props}
        props = {}
    else:
        if "objectType" not in props and ("object_type" in props or "recovery_point_time" in props):
            props = _camelize(props)
        rest = props.copy()
        for key in _MODELED:
            rest.pop(key, None)
    if not res.keys() <= _TOP_KEYS:
        for key in res.keys() - _TOP_KEYS:
            if key == "location" and isinstance(res[key], str):
                location = res[key]
            else:
                rest[key] = res[key]

    # identity: vault and VM from the id, parsed once per protected item
    rid = res.get("id")
    name = res.get("name")
    code = _NO_INFO
    rid_out = None
    if type(rid) is str:
        rid_out = rid
        cut = rid.rfind(_RP_SEP)
        if cut < 0:
            cut = rid.lower().rfind("/recoverypoints/")
        code = identities.of_head(rid[:cut] if cut >= 0 else rid)
        if type(name) is not str and cut >= 0:
            name = rid[cut + len(_RP_SEP):] or None
    elif rid is not None:
        rest["id"] = rid
    if ref is not None:
        code = identities.of_ref(ref)
    if type(name) is not str:
        if name is not None:
            rest["name"] = name
        name = None

    # tiers: a tier counts when its status is usable (Valid, Rehydrated)
    details = props.get("recoveryPointTierDetails")
    tier = tiers.evaluate(details)
    if tier[1]:
        rest["recoveryPointTierDetails"] = details

    # disks: LUNs of the included disks (OS disk -1); the configuration itself stays in extra
    luns = count = None
    config = props.get("recoveryPointDiskConfiguration")
    if type(config) is dict:
        disks = config.get("includedDiskList")
        if type(disks) is list:
            luns = [d["lun"] for d in disks if isinstance(d, dict) and type(d.get("lun")) is int]
        count = config.get("numberOfDisksIncludedInBackup")

    # expiry and policy rule
    expiry = rule = None
    rp_props = props.get("recoveryPointProperties")
    if type(rp_props) is dict:
        value = rp_props.get("expiryTime")
        if type(value) is str:
            expiry = value
        elif isinstance(value, datetime):
            expiry = value.isoformat()
        elif value is not None:
            rest["recoveryPointProperties"] = rp_props
        value = rp_props.get("ruleName")
        if type(value) is str:
            rule = value
        elif value is not None:
            rest["recoveryPointProperties"] = rp_props
        if not rp_props.keys() <= _RP_PROPERTY_KEYS:
            rest["recoveryPointProperties"] = rp_props
    elif rp_props is not None:
        rest["recoveryPointProperties"] = rp_props
    return rest, location, props, code, rid_out, name, tiers.code(tier), luns, count, expiry, rule


def _build_frame(resources: list[dict[str, Any]], *, refs: list[Any] | None = None, default_vault: str | None = None,
                 regions: Any = "primary", locations: Any = None, unflattened: bool = False) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    n = len(resources)
    ids: list[Any] = [None] * n
    names: list[Any] = [None] * n
    identity = [_NO_INFO] * n  # codes of (vault RG, vault, VM RG, VM, item)
    tier_codes = [0] * n
    luns: list[Any] = [None] * n
    disk_count: list[Any] = [None] * n
    expiry: list[Any] = [None] * n
    rule: list[Any] = [None] * n
    res_location: list[Any] = [None] * n
    extra: list[Any] = [None] * n
    times: list[Any] = [None] * n
    consistency: list[Any] = [None] * n
    vm_size: list[Any] = [None] * n
    os_type: list[Any] = [None] * n
    encrypted: list[Any] = [None] * n
    managed: list[Any] = [None] * n
    zones: list[Any] = [None] * n

    identities = _Identities()
    tiers = _Tiers()
    tiers.code((0, False, (), True))  # code 0: no tier at all
    careful: list[int] = []

    # The fast path: resources of the usual shape ({id, name, type, properties}, with str id and name,
    # properties whose keys were seen before, tier lists seen before, well-formed disks and rule); any
    # surprise sends the row to the careful path below, which handles every input.
    if refs is None:
        shapes: dict[tuple[Any, ...], Any] = {}
        shape_get = shapes.get
        head_get = identities.code_of.get
        sig_get = tiers.code_of_sig.get
        table = tiers.table
        tier_fields, exact_types = _TIER_FIELDS, _EXACT_TYPES
        top, rp_fields, lun_of, sep = _TOP_FIELDS, _RP_FIELDS, _LUN, _RP_SEP
        i = -1
        for res in resources:
            i += 1
            try:
                rid, name, props, _ = top(res)
                if len(res) != 4 or type(props) is not dict or type(rid) is not str or type(name) is not str:
                    careful.append(i)
                    continue
                shape = shape_get(keys := tuple(props))
                if shape is None:
                    shape = shapes[keys] = _shape(keys) or False
                if not shape:
                    careful.append(i)
                    continue
                (times[i], consistency[i], vm_size[i], os_type[i], encrypted[i], managed[i], zones[i],
                 details, config, rp_props) = shape[1](props) if shape[1] else map(props.get, _READ_KEYS)
                cut = rid.rfind(sep)
                if cut < 0:
                    careful.append(i)
                    continue
                code = head_get(head := rid[:cut])
                identity[i] = identities.of_head(head) if code is None else code
                ids[i] = rid
                names[i] = name
                if type(details) is not list:
                    careful.append(i)
                    continue
                pairs = tuple(map(tier_fields, details))
                code = sig_get(sig := (pairs, sum(map(len, details))))
                if code is None:
                    code = tiers.learn(sig, details)
                elif code < 0:
                    if not set(map(type, chain.from_iterable(pairs))) <= exact_types:
                        careful.append(i)
                        continue
                    code = ~code
                tier_codes[i] = code
                rest = extra[i] = {key: props[key] for key in shape[0]}
                if table[code][1]:
                    rest["recoveryPointTierDetails"] = details
                if type(config) is dict:
                    disks = config.get("includedDiskList")
                    luns[i] = list(map(lun_of, disks)) if type(disks) is list else None
                    disk_count[i] = config.get("numberOfDisksIncludedInBackup")
                elif config is not None:
                    careful.append(i)
                    continue
                if type(rp_props) is dict and len(rp_props) == 2:
                    expiry[i], rule[i] = rp_fields(rp_props)
                elif rp_props is not None:
                    careful.append(i)
                    continue
            except (KeyError, TypeError, AttributeError, ValueError):
                careful.append(i)
        # what the loop took on trust, checked column-wise: LUNs are ints, expiry and rule texts
        if not set(map(type, chain.from_iterable(filter(None, luns)))) <= {int}:
            careful += [i for i, row in enumerate(luns) if row and any(type(lun) is not int for lun in row)]
        for column in (expiry, rule):
            if not set(map(type, column)) <= _TEXT_TYPES:
                careful += [i for i, value in enumerate(column) if type(value) not in _TEXT_TYPES]
    else:
        careful = list(range(n))

    for i in sorted(set(careful)):
        if unflattened and (type(resources[i]) is not dict or "value" in resources[i]):
            raise _NotFlat
        (extra[i], res_location[i], props, identity[i], ids[i], names[i], tier_codes[i], luns[i], disk_count[i],
         expiry[i], rule[i]) = _careful_row(resources[i], None if refs is None else refs[i], identities, tiers)
        (times[i], consistency[i], vm_size[i], os_type[i], encrypted[i], managed[i],
         zones[i]) = map(props.get, _READ_KEYS[:7])

    # disk count: the number of included disks when it is an int, else the number of LUNs read
    if not set(map(type, disk_count)) <= {int}:
        disk_count = [count if type(count) is int else (None if row is None else len(row))
                      for count, row in zip(disk_count, luns, strict=True)]

    # identity columns from the codes
    infos = identities.infos
    info_table = np.empty((len(infos), 5), dtype=object)
    for code, info in enumerate(infos):
        info_table[code] = (None, default_vault, None, None, None) if info is None else info
    codes = np.array(identity, dtype=np.intp)
    no_id = codes == _NO_INFO
    vault_rg, vault, vm_rg, vm_name, item = (info_table[codes, k] for k in range(5))

    # tiers from the codes
    tier_table = tiers.table
    tier_codes_arr = np.array(tier_codes, dtype=np.intp)
    bits = np.array([entry[0] for entry in tier_table], dtype=np.uint8)[tier_codes_arr]
    no_tiers = np.array([not entry[3] for entry in tier_table], dtype=bool)[tier_codes_arr]
    has_odd = np.array([bool(entry[2]) for entry in tier_table], dtype=bool)[tier_codes_arr]
    odd_labels = {int(i): list(tier_table[tier_codes[i]][2]) for i in np.flatnonzero(has_odd)}

    # scalar properties, column by column; a value of the wrong type goes to extra, untouched
    if not set(map(type, times)) <= _TEXT_TYPES:
        times = _typed(times, "recoveryPointTime", (str,), extra)
        for i in _rows_of_type(times, datetime):
            times[i] = times[i].isoformat()
    consistency = _typed(consistency, "recoveryPointType", (str,), extra)
    vm_size = _typed(vm_size, "virtualMachineSize", (str,), extra)
    os_type = _typed(os_type, "osType", (str,), extra)
    encrypted = _typed(encrypted, "isSourceVMEncrypted", (bool,), extra)
    managed = _typed(managed, "isManagedVirtualMachine", (bool,), extra)
    zone_kinds = set(map(type, zones))
    if not zone_kinds <= {list, type(None)}:
        zones = _typed(zones, "zones", (list,), extra)
    if list in zone_kinds:  # copied, when they hold only texts
        if not set(map(type, chain.from_iterable(filter(None, zones)))) <= {str}:
            for i, row in enumerate(zones):
                if row and not all(type(z) is str for z in row):
                    extra[i]["zones"] = row
                    zones[i] = None
        zones = [None if row is None else list(row) for row in zones]

    time_index, bad_time = _utc_ns(times)
    expiry_index, bad_expiry = _utc_ns(expiry)
    for i in np.flatnonzero(bad_time):
        extra[i]["recoveryPointTime"] = times[i]
    for i in np.flatnonzero(bad_expiry):
        props = resources[i].get("properties")
        extra[i].setdefault("recoveryPointProperties", (props or {}).get("recoveryPointProperties")
                            if isinstance(props, dict) else expiry[i])

    tier = _tier_column(bits, odd_labels)
    region_values = ([r if isinstance(r, str) else None for r in regions] if isinstance(regions, list)
                     else _Repeated(regions if isinstance(regions, str) else None, n))
    location_values = locations if isinstance(locations, list) else [locations] * n
    if locations is None and not any(map(is_not, res_location, repeat(None))):
        location_values = _Repeated(None, n)
    elif locations is None:
        location_values = res_location
    else:
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
        "encrypted": np.fromiter(map(is_, encrypted, repeat(True)), dtype=bool, count=n),
        "managed": pd.arrays.BooleanArray(np.fromiter(map(is_, managed, repeat(True)), dtype=bool, count=n),
                                          np.fromiter(map(is_, managed, repeat(None)), dtype=bool, count=n)),
        "zones": _object_array(zones),
        "disk_luns": _object_array(luns),
        "disk_count": pd.array(disk_count, dtype="Int64"),
        "expiry_time": expiry_index,
        "rule_name": pd.array(rule, dtype="string"),
        "region": _categorical(region_values, REGIONS),
        "vault_location": _categorical(location_values, ()),
        "id": pd.array(ids, dtype="string"),
        "extra": _object_array(extra),
    }, copy=False)

    missing_time = np.asarray(time_index.isna(), dtype=bool)
    incomplete = missing_time.copy()
    incomplete |= no_id
    incomplete |= no_tiers
    incomplete[list(odd_labels)] = True
    if incomplete.any():
        parts = [f"{int(missing_time.sum())} without a valid time" if missing_time.any() else "",
                 f"{int(no_id.sum())} without a recovery point id" if no_id.any() else "",
                 f"{int(no_tiers.sum())} without tier details" if no_tiers.any() else "",
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

    given = np.fromiter(map(is_not, values, repeat(None)), dtype=bool, count=len(values))
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


class _Repeated:
    """One value ``n`` times (a column where every row is the same)."""

    def __init__(self, value: Any, n: int) -> None:
        self.value, self.n = value, n


def _categorical(values: list[Any] | _Repeated, known: tuple[str, ...]) -> Any:
    """A Categorical with the ``known`` categories first, then the unknown values seen (kept as they are)."""
    import numpy as np
    import pandas as pd

    if isinstance(values, _Repeated):
        categories = [*known, *([] if values.value is None or values.value in known else [values.value])]
        code = -1 if values.value is None else categories.index(values.value)
        return pd.Categorical.from_codes(np.full(values.n, code, dtype=np.int8 if len(categories) < 127 else np.int64),
                                         categories=categories)
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    position = {c: k for k, c in enumerate(known)}
    unseen = sorted((u for u in uniques if u not in position), key=str)
    categories = [*known, *unseen]
    position.update({c: len(known) + k for k, c in enumerate(unseen)})
    remap = np.array([position[u] for u in uniques] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def _object_array(values: list[Any]) -> Any:
    import numpy as np

    return np.fromiter(values, dtype=object, count=len(values))
