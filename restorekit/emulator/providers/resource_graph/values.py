"""KQL's values in Python, and what its operators do with them (nulls, texts, times, arithmetic).

Values are Python's: ``str`` (string), ``int`` (long), ``float`` (real), ``bool``, ``datetime`` (UTC, aware),
``timedelta`` (timespan), the JSON values of a ``dynamic`` column (``dict``, ``list``, …) and ``None`` (null).
As in KQL:

* a text operator (``==`` with a text, ``=~``, ``has``, ``contains``, ``startswith``…) reads its other side as
  text, ``tostring`` of null being empty: a missing property is ``""``;
* other comparisons and arithmetic with a null give null, which ``where`` and ``iff`` read as false;
* ``datetime - datetime`` is a timespan, ``timespan / timespan`` a real, ``long / long`` a long (truncated);
* results are written as Kusto writes them: datetimes ``2026-11-20T06:14:30.4840430Z``, timespans
  ``5.03:00:00`` (``[-][d.]hh:mm:ss[.fffffff]``).
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

_UNIT_SECONDS = {
    "d": 86400.0, "day": 86400.0, "days": 86400.0, "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0,
    "hours": 3600.0, "m": 60.0, "min": 60.0, "minute": 60.0, "minutes": 60.0, "s": 1.0, "sec": 1.0,
    "second": 1.0, "seconds": 1.0, "ms": 1e-3, "milli": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3,
    "micro": 1e-6, "microsecond": 1e-6, "microseconds": 1e-6, "tick": 1e-7, "ticks": 1e-7,
}
_SPAN_LITERAL = re.compile(r"^(\d+(?:\.\d+)?)([a-z]+)$")
_SPAN_TEXT = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$")
_TERM = re.compile(r"[A-Za-z0-9]")


class KqlError(ValueError):
    """A value KQL cannot read (a malformed datetime or timespan literal)."""


# --- reading ----------------------------------------------------------------------------------------

def parse_timespan_literal(text: str) -> timedelta:
    """``1d``, ``2.5h``, ``30m``, ``10s``, ``100ms``, ``5microseconds``, ``10tick``; or ``[d.]hh:mm[:ss[.f]]``."""
    text = text.strip()
    m = _SPAN_LITERAL.match(text.lower())
    if m and m.group(2) in _UNIT_SECONDS:
        return timedelta(seconds=float(m.group(1)) * _UNIT_SECONDS[m.group(2)])
    span = to_timespan(text)
    if span is None:
        raise KqlError(f"not a timespan: {text!r}")
    return span


def parse_datetime_literal(text: str) -> datetime:
    """The inside of ``datetime(…)``: ISO 8601 (``2026-11-20T12:00:00Z``, ``2026-11-20 12:00``, ``2026-11-20``)."""
    found = to_datetime(text)
    if found is None:
        raise KqlError(f"not a datetime: {text!r}")
    return found


def to_datetime(value: Any) -> datetime | None:
    """``todatetime``: a datetime from its ISO text (UTC unless it says otherwise), or None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    try:  # ISO 8601 as ARM writes it (seven digits of fraction and Z included)
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip())  # more digits than Python reads
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_timespan(value: Any) -> timedelta | None:
    """``totimespan``: a timespan, from one or from Kusto's text (``[-][d.]hh:mm[:ss[.fffffff]]``), or None."""
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        return None
    m = _SPAN_TEXT.match(value.strip())
    if not m:
        return None
    sign, days, hours, minutes, seconds, fraction = m.groups()
    span = timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0),
                     microseconds=int((fraction or "0").ljust(7, "0")) / 10)
    return -span if sign else span


def to_long(value: Any) -> int | None:
    """``tolong``/``toint``: a whole number (reals truncated, texts parsed), or None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            real = to_real(value)
            return None if real is None else to_long(real)
    return None


def to_real(value: Any) -> float | None:
    """``todouble``/``toreal``: a real number, or None."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def to_bool(value: Any) -> bool | None:
    """``tobool``: ``true``/``false`` (any case), non-zero numbers, or None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return None


def to_dynamic(value: Any) -> Any:
    """``todynamic``/``parse_json``: JSON text read, anything else as it is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- writing ----------------------------------------------------------------------------------------

def format_datetime(moment: datetime) -> str:
    """Kusto's text of a datetime: ``2026-11-20T06:14:30.4840430Z`` (UTC, seven digits of fraction)."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


def format_timespan(span: timedelta) -> str:
    """Kusto's text of a timespan: ``[-][d.]hh:mm:ss[.fffffff]`` (``5.03:00:00``, ``00:00:01.5000000``)."""
    sign = "-" if span < timedelta(0) else ""
    span = abs(span)
    days, rest = span.days, span.seconds
    text = f"{days}." if days else ""
    text += f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    if span.microseconds:
        text += f".{span.microseconds:06d}0"
    return sign + text


def to_text(value: Any) -> str:
    """``tostring``: null is empty, booleans ``true``/``false``, times as Kusto writes them, dynamic as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, timedelta):
        return format_timespan(value)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), default=to_text)
    return str(value)


def to_json(value: Any) -> Any:
    """A result value as Resource Graph's JSON answer writes it (times as text, the rest as is)."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, timedelta):
        return format_timespan(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def type_of(value: Any) -> str:
    """The KQL type of a value (``string``, ``long``, ``real``, ``bool``, ``datetime``, ``timespan``, ``dynamic``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "real"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, timedelta):
        return "timespan"
    return "dynamic"


# --- operators --------------------------------------------------------------------------------------

def _number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def truthy(value: Any) -> bool:
    """What ``where`` and ``iff`` keep: true only (false and null are not)."""
    return value is True


def equals(a: Any, b: Any) -> bool | None:
    """``a == b``: as text when either side is text; null with anything else is null."""
    if type(a) is str or type(b) is str:
        return to_text(a) == to_text(b)
    if a is None or b is None:
        return None
    if _number(a) and _number(b):
        return a == b
    if type(a) is not type(b) and not (isinstance(a, dict | list) and isinstance(b, dict | list)):
        return False
    return bool(a == b)


def not_equals(a: Any, b: Any) -> bool | None:
    """``a != b``."""
    same = equals(a, b)
    return None if same is None else not same


def equals_ignoring_case(a: Any, b: Any) -> bool:
    """``a =~ b``: as text, ignoring case."""
    return to_text(a).lower() == to_text(b).lower()


def has_term(text: Any, term: Any, case_sensitive: bool = False) -> bool:
    """``has``: ``term`` is a whole term of ``text`` (bounded by non-alphanumerics), ignoring case."""
    haystack, needle = to_text(text), to_text(term)
    if not needle:
        return True
    start = r"(?<![A-Za-z0-9])" if _TERM.match(needle[0]) else ""
    end = r"(?![A-Za-z0-9])" if _TERM.match(needle[-1]) else ""
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.search(start + re.escape(needle) + end, haystack, flags) is not None


def string_operator(name: str) -> Any:
    """The function of a string operator (``has``, ``!contains``, ``startswith_cs``…): ``(a, b) -> bool``."""
    negated, base = name.startswith("!"), name.lstrip("!")
    case_sensitive = base.endswith("_cs")
    base = base.removesuffix("_cs")

    def fold(value: Any) -> str:
        text = to_text(value)
        return text if case_sensitive else text.lower()

    tests = {
        "has": lambda a, b: has_term(a, b, case_sensitive),
        "contains": lambda a, b: fold(b) in fold(a),
        "startswith": lambda a, b: fold(a).startswith(fold(b)),
        "endswith": lambda a, b: fold(a).endswith(fold(b)),
    }
    test = tests[base]
    return (lambda a, b: not test(a, b)) if negated else test


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 for ordered values of one kind (numbers, texts, datetimes, timespans); None otherwise."""
    if a is None or b is None:
        return None
    if (_number(a) and _number(b)) or (type(a) is type(b) and isinstance(a, str | datetime | timedelta | bool)):
        return (a > b) - (a < b)
    return None


def less(a: Any, b: Any) -> bool | None:
    """``a < b``."""
    c = compare(a, b)
    return None if c is None else c < 0


def less_or_equal(a: Any, b: Any) -> bool | None:
    """``a <= b``."""
    c = compare(a, b)
    return None if c is None else c <= 0


def greater(a: Any, b: Any) -> bool | None:
    """``a > b``."""
    c = compare(a, b)
    return None if c is None else c > 0


def greater_or_equal(a: Any, b: Any) -> bool | None:
    """``a >= b``."""
    c = compare(a, b)
    return None if c is None else c >= 0


def add(a: Any, b: Any) -> Any:
    """``a + b``: numbers, a datetime and a timespan, two timespans."""
    if a is None or b is None:
        return None
    if (_number(a) and _number(b)) or (isinstance(a, timedelta) and isinstance(b, timedelta | datetime)) \
            or (isinstance(a, datetime) and isinstance(b, timedelta)):
        return a + b
    return None


def subtract(a: Any, b: Any) -> Any:
    """``a - b``: numbers, datetimes (a timespan), a datetime and a timespan, two timespans."""
    if a is None or b is None:
        return None
    if (_number(a) and _number(b)) or (isinstance(a, datetime) and isinstance(b, datetime | timedelta)) \
            or (isinstance(a, timedelta) and isinstance(b, timedelta)):
        return a - b
    return None


def multiply(a: Any, b: Any) -> Any:
    """``a * b``: numbers, a timespan and a number."""
    if a is None or b is None:
        return None
    if (_number(a) and _number(b)) or (isinstance(a, timedelta) and _number(b)) or \
            (_number(a) and isinstance(b, timedelta)):
        return a * b
    return None


def divide(a: Any, b: Any) -> Any:
    """``a / b``: a long divided by a long is a long (truncated), a timespan by a timespan a real."""
    if a is None or b is None:
        return None
    try:
        if type(a) is int and type(b) is int:
            return int(a / b)
        if (_number(a) and _number(b)) or (isinstance(a, timedelta) and isinstance(b, timedelta | int | float)):
            return a / b
    except ZeroDivisionError:
        return None
    return None


def modulo(a: Any, b: Any) -> Any:
    """``a % b`` (the sign of ``a``, as C# and KQL)."""
    if not (_number(a) and _number(b)) or b == 0:
        return None
    result = math.fmod(a, b)
    return int(result) if type(a) is int and type(b) is int else result


def negative(a: Any) -> Any:
    """``-a``."""
    return -a if _number(a) or isinstance(a, timedelta) else None


_TYPE_RANK = {"bool": 1, "long": 2, "real": 2, "string": 3, "datetime": 4, "timespan": 5, "dynamic": 6}


def sort_key(value: Any) -> tuple[int, Any]:
    """A key that orders values of one column (numbers together; dynamic values by their JSON text)."""
    kind = type_of(value)
    rank = _TYPE_RANK.get(kind, 7)
    return (rank, to_text(value)) if rank >= 6 else (rank, value)
