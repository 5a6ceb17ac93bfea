"""KQL's functions the emulator knows: scalar functions (one value a row) and aggregations (one value a group).

Each scalar function takes one value per argument and returns one value (``None`` is null); the engine
applies it row by row. ``now()`` and ``ago()`` read the moment the query runs at (the emulator's clock).
Aggregations take, per group, the list of each argument's values. Names are case-insensitive; a name not
here is refused as Resource Graph refuses an unknown function.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .values import (
    compare,
    to_bool,
    to_datetime,
    to_dynamic,
    to_long,
    to_real,
    to_text,
    to_timespan,
    truthy,
)


@dataclass(frozen=True)
class Scalar:
    """A scalar function: ``apply(*values)``, its result's type, how many arguments it takes."""

    apply: Callable[..., Any]
    returns: str
    least: int
    most: int | None
    #: True for ``now()``/``ago()``: ``apply`` takes the query's moment first.
    needs_now: bool = False


def _isempty(value: Any) -> bool:
    return value is None or value == ""


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None and v != ""), values[-1] if values else None)


def _iff(condition: Any, then: Any, otherwise: Any) -> Any:
    return then if truthy(condition) else otherwise


def _case(*args: Any) -> Any:
    for index in range(0, len(args) - 1, 2):
        if truthy(args[index]):
            return args[index + 1]
    return args[-1]


def _not(value: Any) -> bool | None:
    return None if value is None else not truthy(value)


def _substring(text: Any, start: Any, length: Any = None) -> str:
    value, begin = to_text(text), max(0, to_long(start) or 0)
    return value[begin:] if length is None else value[begin:begin + max(0, to_long(length) or 0)]


def _split(text: Any, delimiter: Any, index: Any = None) -> Any:
    parts = to_text(text).split(to_text(delimiter)) if to_text(delimiter) else [to_text(text)]
    if index is None:
        return parts
    position = to_long(index)
    return [parts[position]] if position is not None and -len(parts) <= position < len(parts) else []


def _indexof(text: Any, lookup: Any) -> int:
    return to_text(text).find(to_text(lookup))


def _bin(value: Any, size: Any) -> Any:
    if value is None or size is None:
        return None
    if isinstance(value, datetime) and isinstance(size, timedelta) and size:
        epoch = datetime(1, 1, 1, tzinfo=UTC)
        return epoch + ((value - epoch) // size) * size
    if isinstance(value, timedelta) and isinstance(size, timedelta) and size:
        return (value // size) * size
    number, step = to_real(value), to_real(size)
    if number is None or not step:
        return None
    result = math.floor(number / step) * step
    return int(result) if type(value) is int and type(size) is int else result


def _round(value: Any, digits: Any = 0) -> Any:
    number = to_real(value)
    return None if number is None else round(number, to_long(digits) or 0)


def _extreme(pick: Callable[[list[Any]], Any]) -> Callable[..., Any]:
    def apply(*values: Any) -> Any:
        known = [v for v in values if v is not None]
        if not known or any(compare(known[0], v) is None for v in known):
            return None
        return pick(known)
    return apply


def _array_length(value: Any) -> int | None:
    return len(value) if isinstance(value, list) else None


def _bag_pack(*args: Any) -> dict[str, Any]:
    return {to_text(args[i]): args[i + 1] for i in range(0, len(args) - 1, 2)}


def _startofday(value: Any) -> datetime | None:
    moment = to_datetime(value)
    return None if moment is None else moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _datetime_diff(part: Any, first: Any, second: Any) -> int | None:
    a, b = to_datetime(first), to_datetime(second)
    seconds = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}.get(to_text(part).lower())
    if a is None or b is None or seconds is None:
        return None
    return int((a - b).total_seconds() // seconds)


SCALARS: dict[str, Scalar] = {
    "tolower": Scalar(lambda v: to_text(v).lower(), "string", 1, 1),
    "toupper": Scalar(lambda v: to_text(v).upper(), "string", 1, 1),
    "tostring": Scalar(to_text, "string", 1, 1),
    "strlen": Scalar(lambda v: len(to_text(v)), "long", 1, 1),
    "strcat": Scalar(lambda *v: "".join(map(to_text, v)), "string", 1, None),
    "substring": Scalar(_substring, "string", 2, 3),
    "split": Scalar(_split, "dynamic", 2, 3),
    "indexof": Scalar(_indexof, "long", 2, 2),
    "replace_string": Scalar(lambda t, a, b: to_text(t).replace(to_text(a), to_text(b)), "string", 3, 3),
    "isempty": Scalar(_isempty, "bool", 1, 1),
    "isnotempty": Scalar(lambda v: not _isempty(v), "bool", 1, 1),
    "isnull": Scalar(lambda v: v is None, "bool", 1, 1),
    "isnotnull": Scalar(lambda v: v is not None, "bool", 1, 1),
    "coalesce": Scalar(_coalesce, "dynamic", 2, None),
    "iff": Scalar(_iff, "dynamic", 3, 3),
    "iif": Scalar(_iff, "dynamic", 3, 3),
    "case": Scalar(_case, "dynamic", 3, None),
    "not": Scalar(_not, "bool", 1, 1),
    "todatetime": Scalar(to_datetime, "datetime", 1, 1),
    "totimespan": Scalar(to_timespan, "timespan", 1, 1),
    "toint": Scalar(to_long, "long", 1, 1),
    "tolong": Scalar(to_long, "long", 1, 1),
    "todouble": Scalar(to_real, "real", 1, 1),
    "toreal": Scalar(to_real, "real", 1, 1),
    "tobool": Scalar(to_bool, "bool", 1, 1),
    "toboolean": Scalar(to_bool, "bool", 1, 1),
    "todynamic": Scalar(to_dynamic, "dynamic", 1, 1),
    "parse_json": Scalar(to_dynamic, "dynamic", 1, 1),
    "now": Scalar(lambda now, offset=None: now + (offset or timedelta(0)), "datetime", 0, 1, needs_now=True),
    "ago": Scalar(lambda now, span: None if span is None else now - span, "datetime", 1, 1, needs_now=True),
    "startofday": Scalar(_startofday, "datetime", 1, 1),
    "datetime_diff": Scalar(_datetime_diff, "long", 3, 3),
    "bin": Scalar(_bin, "dynamic", 2, 2),
    "floor": Scalar(_bin, "dynamic", 2, 2),
    "round": Scalar(_round, "real", 1, 2),
    "abs": Scalar(lambda v: abs(v) if type(v) in (int, float) or isinstance(v, timedelta) else None, "dynamic", 1, 1),
    "min_of": Scalar(_extreme(min), "dynamic", 2, None),
    "max_of": Scalar(_extreme(max), "dynamic", 2, None),
    "array_length": Scalar(_array_length, "long", 1, 1),
    "pack_array": Scalar(lambda *v: list(v), "dynamic", 1, None),
    "bag_pack": Scalar(_bag_pack, "dynamic", 2, None),
    "pack": Scalar(_bag_pack, "dynamic", 2, None),
    "bag_keys": Scalar(lambda v: list(v) if isinstance(v, dict) else None, "dynamic", 1, 1),
}


# --- aggregations ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Aggregate:
    """An aggregation: ``apply(*lists)`` (one list of values per argument), its result's type, its arity."""

    apply: Callable[..., Any]
    returns: str
    least: int
    most: int | None


def _known(values: list[Any]) -> list[Any]:
    return [v for v in values if v is not None]


def _sum(values: list[Any]) -> Any:
    known = [v for v in values if type(v) in (int, float) or isinstance(v, timedelta)]
    if not known:
        return None
    return sum(known[1:], known[0])


def _avg(values: list[Any]) -> float | None:
    known = [to_real(v) for v in values if type(v) in (int, float)]
    return sum(known) / len(known) if known else None  # type: ignore[arg-type]


def _min(values: list[Any]) -> Any:
    return _extreme(min)(*values) if _known(values) else None


def _max(values: list[Any]) -> Any:
    return _extreme(max)(*values) if _known(values) else None


def _make_set(values: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for v in _known(values):
        seen.setdefault(json.dumps(v, sort_keys=True, default=to_text), v)
    return list(seen.values())


AGGREGATES: dict[str, Aggregate] = {
    "count": Aggregate(lambda *lists: len(lists[0]) if lists else 0, "long", 0, 0),
    "countif": Aggregate(lambda flags: sum(1 for f in flags if truthy(f)), "long", 1, 1),
    "dcount": Aggregate(lambda values: len(_make_set(values)), "long", 1, 1),
    "sum": Aggregate(_sum, "dynamic", 1, 1),
    "avg": Aggregate(_avg, "real", 1, 1),
    "min": Aggregate(_min, "dynamic", 1, 1),
    "max": Aggregate(_max, "dynamic", 1, 1),
    "any": Aggregate(lambda values: next(iter(_known(values)), None), "dynamic", 1, 1),
    "take_any": Aggregate(lambda values: next(iter(_known(values)), None), "dynamic", 1, 1),
    "make_list": Aggregate(_known, "dynamic", 1, 1),
    "make_set": Aggregate(_make_set, "dynamic", 1, 1),
}
#: Aggregations that pick a whole row: ``arg_max(by, columns… | *)`` and ``arg_min``.
ROW_PICKERS = {"arg_max": max, "arg_min": min}
