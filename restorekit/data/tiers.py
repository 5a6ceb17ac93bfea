"""Tier details (``recoveryPointTierDetails``) read as Arrow columns: which tiers hold each point usable.

The API writes tier types and statuses as names (``{"type": "InstantRP", "status": "Valid"}``) or numbers
(``{"type": 1, "status": 1}``); a tier counts when its status is usable (Valid, Rehydrated). Exact ints
only: a bool or a float is no tier number (as :mod:`restorekit.core.tiers` reads them). Unknown usable
types are kept by name in the label (``"snapshot+FutureRP"``).
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

from ..core.tiers import TIER_LABELS, TIER_STATUSES, TIER_TYPES, USABLE_STATUSES
from .columns import arrow_errors, exact_int

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    import pyarrow as pa

#: Known tier labels (usable tiers joined with ``+``); unknown tier types are appended by name.
TIER_COMBINATIONS = ("snapshot+vault", "snapshot", "vault", "vault+archive", "archive",
                     "snapshot+archive", "snapshot+vault+archive", "none")
_BITS = {"snapshot": 1, "vault": 2, "archive": 4}
_BITS_LABEL = {bits: "+".join(lab for lab, bit in _BITS.items() if bits & bit) or "none" for bits in range(8)}
# tier types and statuses as the API writes them, names or exact ints (looked up: the entries' types checked apart)
_KIND_BIT = {**{name: _BITS[label] for name, label in TIER_LABELS.items()},
             **{code: _BITS[TIER_LABELS[name]] for code, name in TIER_TYPES.items() if name in TIER_LABELS}}
_STATUS_USABLE = {**{name: int(name in USABLE_STATUSES) for name in TIER_STATUSES.values()},
                  **{code: int(name in USABLE_STATUSES) for code, name in TIER_STATUSES.items()}}
_UNKNOWN = 255
# the same as Arrow reads them (numbers as text once cast)
_TYPE_BIT = {str(kind): bit for kind, bit in _KIND_BIT.items()}
_USABLE = sorted(str(status) for status, usable in _STATUS_USABLE.items() if usable)
_INVALID_TYPES = ("Invalid", "0")


def read_tiers(values: list[Any]) -> tuple[np.ndarray, dict[int, list[str]], np.ndarray, bool]:
    """Tier bits of each point's usable tiers, the usable unknown tier types per point, the points without
    tier details, and whether the details must be kept in ``extra`` (they hold more than the columns show)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    # all names: Arrow reads them fastest; numbers (which Arrow reads through decimal) and mixed details (as the
    # service answers today): looked up entry by entry, in C
    written_as_names = type(_first_entry(values).get("type")) is str
    whole = _tiers_in_c(values) if written_as_names else None
    if whole is None:
        looked_up = _bits_by_lookup(values)
        if looked_up is not None:
            return looked_up, {}, np.zeros(len(values), dtype=bool), False
        if not written_as_names:
            whole = _tiers_in_c(values)
    array, kept = (whole, False) if whole is not None else _tier_array(values)
    entries = array.flatten()
    parents = pc.list_parent_indices(array).to_numpy(zero_copy_only=False)
    kinds = pc.utf8_trim_whitespace(pc.struct_field(entries, "type"))
    statuses = pc.utf8_trim_whitespace(pc.struct_field(entries, "status"))
    usable = pc.fill_null(pc.is_in(statuses, pa.array(_USABLE)), False).to_numpy(zero_copy_only=False)
    names = list(_TYPE_BIT)
    found = pc.index_in(kinds, pa.array(names)).fill_null(-1).to_numpy(zero_copy_only=False)
    entry_bits = np.array([_TYPE_BIT[name] for name in names] + [0], dtype=np.uint8)[found]
    unknown = found < 0
    entry_bits = np.where(usable, entry_bits, 0).astype(np.uint8)
    bits = _per_point(entry_bits, parents, len(values))
    odd: dict[int, list[str]] = {}
    if unknown.any():
        kept = True
        texts = kinds.to_pylist()
        for k in np.flatnonzero(unknown & usable):
            if texts[k] is not None and texts[k] not in _INVALID_TYPES:
                odd.setdefault(int(parents[k]), []).append(texts[k])
    return bits, odd, array.is_null().to_numpy(zero_copy_only=False), kept


def _bits_by_lookup(values: list[Any]) -> np.ndarray | None:
    """The tier bits of each point when every value is a list of ``{"type", "status"}`` dicts whose types and
    statuses are all known, exact ints or names as the API writes them (mixed or not): each entry is looked up
    in a table, in C, and no Arrow array of the details is built. None when some value is odder (unknown,
    padded, of another type): :func:`_tier_array` reads those."""
    import numpy as np

    if not set(map(type, values)) <= {list}:
        return None
    entries = list(chain.from_iterable(values))
    try:  # dict.get refuses an entry that is no dict
        kinds, statuses = list(map(dict.get, entries, repeat("type"))), list(map(dict.get, entries, repeat("status")))
    except TypeError:
        return None
    if not set(map(type, kinds)) | set(map(type, statuses)) <= {int, str}:  # no bool or float read as a number
        return None
    if sum(map(len, entries)) != 2 * len(entries):  # no key but type and status
        return None
    count = len(entries)
    kind_bits = np.fromiter(map(_KIND_BIT.get, kinds, repeat(_UNKNOWN)), dtype=np.uint8, count=count)
    usable = np.fromiter(map(_STATUS_USABLE.get, statuses, repeat(_UNKNOWN)), dtype=np.uint8, count=count)
    if (kind_bits == _UNKNOWN).any() or (usable == _UNKNOWN).any():
        return None
    parents = np.repeat(np.arange(len(values)), np.fromiter(map(len, values), dtype=np.int64, count=len(values)))
    return _per_point(kind_bits * usable, parents, len(values))


def _per_point(entry_bits: np.ndarray, parents: np.ndarray, points: int) -> np.ndarray:
    """The usable tiers' bits of each entry OR-ed into its point's (``parents``: each entry's point)."""
    import numpy as np

    bits = np.zeros(points, dtype=np.uint8)
    for bit in (1, 2, 4):
        bits[parents[(entry_bits & bit) > 0]] |= bit
    return bits


def _tier_array(values: list[Any]) -> tuple[pa.ListArray, bool]:
    """``list<struct<type, status>>`` of details that :func:`_tiers_in_c` could not read whole, and whether they
    hold more than types and statuses.

    In C when the lists hold dicts of ``type`` and ``status`` only, each an exact int or a text (through
    ``decimal``: a bool or float is no tier number), else the lists of each kind apart; the other lists are read
    entry by entry in Python. Numbers come back as text.
    """
    import numpy as np
    import pyarrow as pa

    whole = _mixed_tiers_in_c(values)
    if whole is not None:
        return whole, False
    kinds = np.array([type(v[0].get("type")) if type(v) is list and v and type(v[0]) is dict else None
                      for v in values], dtype=object)
    parts, positions = [], []
    left = np.ones(len(values), dtype=bool)
    for kind in (int, str):
        rows = np.flatnonzero(kinds == kind)
        part = _tiers_in_c([values[i] for i in rows]) if len(rows) else None
        if part is not None:
            parts.append(part)
            positions.append(rows)
            left[rows] = False
    rows = np.flatnonzero(left)
    odd = [values[i] for i in rows]
    parts.append(pa.array([[_tier_entry(e) for e in v] if type(v) is list else None for v in odd],
                          type=_tier_type(pa.string())))
    positions.append(rows)
    kept = any(type(v) is not list and v is not None for v in odd) or any(
        type(e) is not dict or not e.keys() <= {"type", "status"} or not _plain_tier(e)
        for v in odd if type(v) is list for e in v)
    order = np.argsort(np.concatenate(positions), kind="stable")
    return pa.concat_arrays(parts).take(pa.array(order)), kept


def _tiers_in_c(values: list[Any]) -> pa.ListArray | None:
    """The details as ``list<struct<type: string, status: string>>`` when Arrow reads them all exactly, else None."""
    import pyarrow as pa

    for kind in (exact_int(), pa.string()) if type(_first_entry(values).get("type")) is int else (pa.string(), exact_int()):
        try:
            array = pa.array(values, type=_tier_type(kind))
        except arrow_errors():
            continue
        fields = array.flatten().flatten()
        try:  # no key but type and status, none of them None (a None entry has no len)
            given = sum(map(len, chain.from_iterable(filter(None, values))))
        except TypeError:
            return None
        if given != sum(len(f) - f.null_count for f in fields):
            return None
        return array.cast(_tier_type(pa.string())) if kind == exact_int() else array
    return None


def _first_entry(values: list[Any]) -> dict[str, Any]:
    """The first tier entry that is a dict, else ``{}``."""
    return next((v[0] for v in values if type(v) is list and v and type(v[0]) is dict), {})


def _mixed_tiers_in_c(values: list[Any]) -> pa.ListArray | None:
    """The details as :func:`_tiers_in_c` gives them, when some write numbers and others names (as the service
    answers today): every value a list of dicts of ``type`` and ``status`` only, each an exact int or a text.
    Numbers are written as text by ``map(str, …)``, in C; no point is probed in Python. None when the details are odder."""
    import numpy as np
    import pyarrow as pa

    if not set(map(type, values)) <= {list}:
        return None
    entries = list(chain.from_iterable(values))
    if not set(map(type, entries)) <= {dict} or sum(map(len, entries)) != 2 * len(entries):
        return None
    kinds, statuses = list(map(dict.get, entries, repeat("type"))), list(map(dict.get, entries, repeat("status")))
    if not set(map(type, kinds)) | set(map(type, statuses)) <= {int, str}:  # and so both keys are in every entry
        return None
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(np.fromiter(map(len, values), dtype=np.int32, count=len(values)), out=offsets[1:])
    texts = [pa.array(list(map(str, column)), type=pa.string()) for column in (kinds, statuses)]
    return pa.ListArray.from_arrays(pa.array(offsets), pa.StructArray.from_arrays(texts, names=["type", "status"]))


def _tier_type(kind: pa.DataType) -> pa.DataType:
    import pyarrow as pa

    return pa.list_(pa.struct([("type", kind), ("status", kind)]))


def _tier_entry(entry: Any) -> dict[str, Any] | None:
    if type(entry) is not dict:
        return None
    return {"type": _tier_text(entry.get("type")), "status": _tier_text(entry.get("status"))}


def _tier_text(value: Any) -> str | None:
    """A tier type or status as text: numbers (exact ints) as their digits, names as they are; else None."""
    return str(value) if type(value) is int or type(value) is str else None


def _plain_tier(entry: dict[str, Any]) -> bool:
    return all(type(entry.get(k)) in (int, str, type(None)) for k in ("type", "status"))


def tier_labels(bits: np.ndarray, odd: dict[int, list[str]]) -> pd.Categorical:
    """The ``tier`` label column from the tier bits, unknown usable tier types appended by name."""
    import numpy as np
    import pandas as pd

    categories = list(TIER_COMBINATIONS)
    codes = np.array([categories.index(_BITS_LABEL[b]) for b in range(8)], dtype=np.int64)[bits]
    for row, labels in odd.items():
        known = _BITS_LABEL[int(bits[row])]
        label = "+".join([*([] if known == "none" else [known]), *sorted(set(labels))])
        if label not in categories:
            categories.append(label)
        codes[row] = categories.index(label)
    return pd.Categorical.from_codes(codes, categories=categories)
