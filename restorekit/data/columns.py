"""JSON-like dicts → Arrow columns (converted in C), and Arrow columns → pandas arrays.

:func:`convert` turns a list of dicts (the ``properties`` of ARM resources, say) into one Arrow array per
key, exactly:

* keys with scalar values (texts, booleans, numbers) are converted together, by one ``pa.array`` call
  over the dicts, to the given type (modelled fields) or to the type of their first values; integers go
  through ``decimal128`` (which, unlike ``int64``, refuses a float or a bool) and back;
* keys with nested values (dicts, lists) are converted one run of equal neighbours at a time: the value
  of each run once, with the type Arrow infers, then repeated — API answers repeat these values from
  point to point, and a value is compared in C (``==``) much faster than it is converted. As ``==``
  says, ``1``, ``1.0`` and ``True`` in the same place of *consecutive* values are kept as the first;
* a modelled field's value of another type becomes null there and is *moved aside* (kept, as it was, for
  the caller); any other key whose values disagree on a type is kept as JSON text. SDK datetimes are
  taken as ISO 8601 text where text is expected.

pyarrow, numpy and pandas are imported by the functions.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache, partial
from itertools import chain, islice, repeat
from operator import eq, is_not, methodcaller
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    import pandas as pd
    import pyarrow as pa

_SAMPLE = 256  # values whose inferred type is tried for a whole column
_ZONE = re.compile(r"(?:[Zz]|[+-]\d\d(?::?\d\d)?)$")  # an ISO 8601 time's zone
_not_none = partial(is_not, None)


@cache
def arrow_errors() -> tuple[type[BaseException], ...]:
    """What ``pa.array`` and ``pc.cast`` raise on values that do not fit a type."""
    import pyarrow as pa

    return (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError, TypeError, ValueError)


@cache
def exact_int() -> pa.DataType:
    """The Arrow type that takes Python ints only (no float, no bool): ``decimal64(18, 0)`` (pyarrow 18+,
    faster to fill), else ``decimal128(19, 0)``."""
    import pyarrow as pa

    return pa.decimal64(18, 0) if hasattr(pa, "decimal64") else pa.decimal128(19, 0)


def key_union(records: list[dict[str, Any]]) -> list[Any]:
    """Every key of ``records``: the first record's keys in their order, then the others sorted."""
    union = set().union(*records)
    first = [k for k in (records[0] if records else ()) if k in union]
    return first + sorted(union.difference(first), key=str)


def sampled_key_union(records: list[dict[str, Any]]) -> list[Any]:
    """:func:`key_union` of a sample (the first records and some spread over the rest), in the same order.

    A guess, cheap at any size: :func:`keys_accounted` then tells whether it held every key.
    """
    step = max(1, len(records) // _SAMPLE)
    return key_union(records[:_SAMPLE] + records[_SAMPLE::step])


def keys_accounted(records: list[dict[str, Any]], columns: dict[Any, pa.Array], moved: dict[Any, list[Any]],
                   others: Iterable[list[Any]] = (), *, counted: int = 0) -> bool:
    """Whether the values that :func:`convert` put in ``columns`` and ``moved`` (and the ``others``, values of
    the keys it skipped, or ``counted`` of them, not None) are every key of every record: then no key lay
    beyond those converted.

    Counted in C: the records' lengths against the values that are not None. A key whose value is None
    counts as missing, so such records give False, as records with other keys do.
    """
    found = counted + sum(len(c) - c.null_count for c in columns.values())
    found += sum(len(v) - v.count(None) for v in chain(moved.values(), others))
    return found == sum(map(len, records))


def values_of(records: list[dict[str, Any]], key: Any) -> list[Any]:
    """``record.get(key)`` of every record."""
    try:
        return list(map(dict.get, records, repeat(key)))  # in C, the fastest whether the key is there or not
    except TypeError:  # a record that is no dict (a Mapping)
        return list(map(methodcaller("get", key), records))


def convert(records: list[dict[str, Any]], types: dict[str, pa.DataType], *, keys: list[Any] | None = None,
            skip: frozenset[Any] = frozenset()) -> tuple[dict[Any, pa.Array], dict[Any, list[Any]]]:
    """Arrow arrays of every key of ``records`` (except ``skip``), and the values moved aside per typed key.

    Returns ``(columns, moved)``: ``columns[key]`` has ``len(records)`` values (typed keys always present,
    all null when no record has them); ``moved[key]`` lists, for a typed key, the values of another type
    (None in the other rows), when there are any. ``keys`` is the key union when already known.
    """
    import pyarrow as pa

    keys = [k for k in (key_union(records) if keys is None else keys) if k not in skip]
    scalar: dict[Any, pa.DataType] = {}
    for key in keys:
        kind = types.get(key)
        if kind is None:
            sample = list(islice(filter(_not_none, map(methodcaller("get", key), records)), _SAMPLE))
            if any(type(v) is dict or type(v) is list for v in sample):
                continue  # nested: converted by runs
            kind = _guess(sample)
        if kind is not None and not _nested(kind):
            scalar[key] = kind
    fast: dict[Any, pa.Array] = {}
    named = [k for k in scalar if isinstance(k, str)]
    if named:
        try:
            arrays = pa.array(records, type=pa.struct([(k, _via_decimal(scalar[k])) for k in named])).flatten()
            fast = {k: _from_decimal(a, scalar[k]) for k, a in zip(named, arrays, strict=True)}
        except arrow_errors():
            fast = {}
    columns: dict[Any, pa.Array] = {}
    moved: dict[Any, list[Any]] = {}
    for key in keys:
        column = fast.get(key)
        if column is not None and pa.types.is_floating(column.type):  # a bool would have been read as 1.0
            column = None if bool in set(map(type, values_of(records, key))) else column
        if column is None:
            if key in types:
                column, aside = by_runs(values_of(records, key), partial(typed, kind=types[key]))
                if aside is not None:
                    moved[key] = aside
            else:
                column, _ = by_runs(values_of(records, key), lambda v: (lossless(v), None))
        columns[key] = column
    for key, kind in types.items():
        if key not in columns:
            columns[key] = pa.nulls(len(records), kind)
    return columns, moved


def by_runs(values: list[Any], convert_run_values: Any) -> tuple[pa.Array, list[Any] | None]:
    """``convert_run_values`` applied to one value per run of equal neighbours, repeated over the runs.

    ``convert_run_values(values) -> (array, aside or None)``; the aside values are repeated too.
    """
    import numpy as np
    import pyarrow as pa

    sample = values[:_SAMPLE]
    repeats = sum(map(eq, sample, islice(sample, 1, None)))
    if len(values) < 2 or repeats < len(sample) // 2:
        return convert_run_values(values)  # few repeats: runs would not pay for the comparisons
    if repeats == len(sample) - 1 and values.count(values[0]) == len(values):  # one run: counted, no bools made
        array, aside = convert_run_values(values[:1])
        return array.take(pa.array(np.zeros(len(values), dtype=np.int64))), None if aside is None else aside * len(values)
    starts = np.ones(len(values), dtype=bool)
    starts[1:] = ~np.fromiter(map(eq, values, islice(values, 1, None)), dtype=bool, count=len(values) - 1)
    if starts.all():
        return convert_run_values(values)
    firsts = np.flatnonzero(starts)
    array, aside = convert_run_values([values[i] for i in firsts])
    run_of = np.cumsum(starts) - 1
    return array.take(pa.array(run_of)), None if aside is None else [aside[r] for r in run_of]


def typed(values: list[Any], kind: pa.DataType) -> tuple[pa.Array, list[Any] | None]:
    """``values`` as an array of ``kind``; values of another type are null there and returned aside."""
    import pyarrow as pa

    try:
        array = _from_decimal(pa.array(values, type=_via_decimal(kind)), kind)
        if not _is_list(kind) or set(map(type, values)) <= {list, type(None)}:  # a text is no list of letters
            return array, None
    except arrow_errors():
        pass
    fit = _fitter(kind)
    kept = list(map(fit, values))
    aside = [None if k is not _MISFIT else v for k, v in zip(kept, values, strict=True)]
    column = pa.array([None if k is _MISFIT else k for k in kept], type=kind)
    return column, (aside if any(map(_not_none, aside)) else None)


def lossless(values: list[Any]) -> pa.Array:
    """An Arrow array holding ``values`` exactly: with the type of their first values, else the type Arrow
    infers from all of them, when that keeps them whole; else as JSON text (values that disagree on a type)."""
    import pyarrow as pa

    for kind in (_guess(list(islice(filter(_not_none, values), _SAMPLE))), None):
        try:
            array = pa.array(values, type=kind)
        except arrow_errors():
            continue
        # pyarrow drops keys a struct lacks, reads 1.5 as 1 or True as 1; a dict without keys has no type
        if kept_whole(values, array) and not _has_empty_struct(array.type):
            return array
    return pa.array([None if v is None else json_text(v) for v in values], type=pa.string())


def kept_whole(values: list[Any], array: pa.Array) -> bool:
    """Whether ``array``, converted from ``values``, holds them exactly.

    pyarrow ignores the keys of a dict that its struct type lacks, reads a float as an integer (1.5 as 1),
    a bool as a float and a text as a list of characters; these are checked here, level by level.
    """
    import pyarrow as pa

    kind = array.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return _numbers_fit(set(map(type, values)), kind)
    if _is_list(kind):
        if not set(map(type, values)) <= {list, type(None)}:
            return False
        return not _checked(kind.value_type) or kept_whole(list(chain.from_iterable(filter(None, values))),
                                                           array.flatten())
    if not pa.types.is_struct(kind):
        return True
    present = list(filter(_not_none, values))
    if not set(map(type, present)) <= {dict} or not _keys_within(present, array):
        return False
    rows = array.filter(array.is_valid()) if array.null_count else array
    return all(kept_whole(values_of(present, field.name), rows.field(i)) for i, field in enumerate(kind)
               if _checked(field.type))


def _keys_within(dicts: list[dict[str, Any]], array: pa.StructArray) -> bool:
    """Whether every key of ``dicts`` is a field of ``array`` (converted from them, with their None values):
    counted in C first (as many keys as values that are not null: none was left out), else compared."""
    if sum(map(len, dicts)) == sum(len(f) - f.null_count for f in array.flatten()):
        return True
    return set().union(*dicts) <= {f.name for f in array.type}


def struct(fields: dict[str, pa.Array], length: int) -> pa.StructArray:
    """A struct array of ``fields``, ``length`` rows even without fields."""
    import pyarrow as pa

    if not fields:
        return pa.StructArray.from_buffers(pa.struct([]), length, [None])
    return pa.StructArray.from_arrays(list(fields.values()), names=[str(name) for name in fields])


# --- to pandas ------------------------------------------------------------------------------------------


def categorical(array: pa.Array | pa.ChunkedArray, known: tuple[str, ...] = ()) -> pd.Categorical:
    """A pandas Categorical of a string array: the ``known`` categories first, then the values seen, sorted."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type):
        array = array.cast(pa.string())
    encoded = pc.dictionary_encode(array)
    seen = encoded.dictionary.to_pylist()
    position = {c: i for i, c in enumerate(known)}
    unseen = sorted((v for v in seen if v not in position), key=str)
    position.update({v: len(known) + i for i, v in enumerate(unseen)})
    remap = np.array([position[v] for v in seen] + [-1], dtype=np.int64)
    codes = encoded.indices.fill_null(len(seen)).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(remap[codes], categories=[*known, *unseen], validate=False)


def categorical_of(values: list[Any] | Any, n: int, known: tuple[str, ...] = ()) -> pd.Categorical:
    """A Categorical of ``n`` rows from a list of texts (others are missing) or one value repeated."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(values, list):
        return categorical(pa.array([v if isinstance(v, str) else None for v in values], type=pa.string()), known)
    value = values if isinstance(values, str) else None
    categories = [*known, *([] if value is None or value in known else [value])]
    code = -1 if value is None else categories.index(value)
    return pd.Categorical.from_codes(np.full(n, code, dtype=np.int8), categories=categories, validate=False)


def utc_times(array: pa.Array) -> tuple[pd.DatetimeIndex, Any]:
    """ISO 8601 texts as UTC nanosecond times, and the mask of texts that did not parse.

    Arrow parses them when all carry a zone and fit the nanosecond range, pandas otherwise (times without
    a zone are taken as UTC).
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    given = array.is_valid().to_numpy(zero_copy_only=False)
    kinds = [pa.timestamp("ns", "UTC"), pa.timestamp("ns")]  # with a zone, else all without one (as UTC)
    first = array[int(given.argmax())].as_py() if given.any() else None
    if isinstance(first, str) and not _ZONE.search(first):  # the first tries the other kind (a failed cast costs)
        kinds.reverse()
    for kind in kinds:
        try:
            parsed = pc.cast(array, kind)
        except arrow_errors():
            continue
        index = pd.DatetimeIndex(parsed.to_numpy(zero_copy_only=False)).tz_localize("UTC")
        return index.as_unit("ns"), np.zeros(len(array), dtype=bool)
    coerced = pd.to_datetime(pd.Series(array.to_pylist(), dtype=object), utc=True, format="ISO8601",
                             errors="coerce")
    index = pd.DatetimeIndex(coerced)
    if index.unit != "ns":  # out-of-range times cannot be nanoseconds
        lo, hi = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
        index = index.where(~np.asarray((index < lo) | (index > hi))).as_unit("ns")
    return index, given & np.asarray(index.isna(), dtype=bool)


def arrow_column(array: pa.Array) -> pd.api.extensions.ExtensionArray:
    """A pandas ``ArrowDtype`` array of ``array`` (lists, structs) without copying."""
    import pandas as pd

    return pd.arrays.ArrowExtensionArray(array)


# --- helpers --------------------------------------------------------------------------------------------


def _guess(sample: list[Any]) -> pa.DataType | None:
    """The type Arrow infers for some first values, None when they disagree."""
    import pyarrow as pa

    try:
        return pa.array(sample).type
    except arrow_errors():
        return None


def _has_empty_struct(kind: pa.DataType) -> bool:
    """Whether ``kind`` holds a struct without fields (``{}`` values: Parquet cannot store them)."""
    import pyarrow as pa

    if pa.types.is_struct(kind):
        return kind.num_fields == 0 or any(_has_empty_struct(f.type) for f in kind)
    if _is_list(kind):
        return _has_empty_struct(kind.value_type)
    return False


def _checked(kind: pa.DataType) -> bool:
    """Whether values converted to ``kind`` may have lost something (a nested key, a fraction, a bool)."""
    import pyarrow as pa

    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or _nested(kind)


def _nested(kind: pa.DataType) -> bool:
    import pyarrow as pa

    return pa.types.is_struct(kind) or _is_list(kind) or pa.types.is_map(kind)


def _is_list(kind: pa.DataType) -> bool:
    import pyarrow as pa

    return pa.types.is_list(kind) or pa.types.is_large_list(kind)


def _via_decimal(kind: pa.DataType) -> pa.DataType:
    import pyarrow as pa

    return exact_int() if pa.types.is_integer(kind) else kind


def _from_decimal(array: pa.Array, kind: pa.DataType) -> pa.Array:
    return array.cast(kind) if array.type != kind else array


def _numbers_fit(kinds: set[type], kind: pa.DataType) -> bool:
    """No float among values read as integers, no bool among values read as numbers."""
    import pyarrow as pa

    return bool not in kinds and (float not in kinds if pa.types.is_integer(kind) else True)


_MISFIT = object()


def _fitter(kind: pa.DataType) -> Any:
    """``value -> value`` (or an equivalent of the right type) for values that fit ``kind``, else ``_MISFIT``."""
    import pyarrow as pa

    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _text
    if pa.types.is_boolean(kind):
        return lambda v: v if v is None or type(v) is bool else _MISFIT
    if pa.types.is_integer(kind):
        return lambda v: v if v is None or (type(v) is int and -2**63 <= v < 2**63) else _MISFIT
    if _is_list(kind) and pa.types.is_string(kind.value_type):
        return lambda v: v if v is None or (type(v) is list and all(type(x) is str for x in v)) else _MISFIT
    return lambda v: v if v is None else _MISFIT


def _text(value: Any) -> Any:
    if value is None or type(value) is str:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return _MISFIT


def json_text(value: Any) -> str:
    """``value`` as JSON text (what a column keeps of values that disagree on a type)."""
    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError):
        return repr(value)
