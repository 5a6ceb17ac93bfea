"""Times and durations as the Backup API writes them, read into timezone-aware UTC values, and shown back.

The API writes ISO 8601 with up to 7 fractional digits (``2026-10-01T06:00:05.1234567Z``), job property
bags use en-US forms (``10/9/2019 6:05:54 PM``), durations come as ISO 8601 (``PT9.87S``) or .NET
TimeSpans (``1.02:03:04``), and ``$filter`` wants ``2026-10-01 12:00:00 AM``.

A time a person writes without its zone (``"2026-11-20 02:00"``, ``"2026-11-20"``, a naive ``datetime``) is read in
this kernel's local zone, never silently as UTC, and a :class:`NaiveTimeWarning` says so each time, with the
moment it was read as and how to write another zone (``2026-11-20T02:00Z``, ``2026-11-20T02:00+01:00``). A kernel
on a server runs in the server's zone, which may not be yours: writing the zone is the safe way.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypeAlias

if TYPE_CHECKING:  # pragma: no cover
    from .json_values import Json

_LOOSE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %I:%M:%S %p", "%Y-%m-%d %H:%M:%S",
                  "%m/%d/%Y %I:%M %p", "%d-%m-%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S")
_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$", re.I)
_TIMESPAN = re.compile(r"^(?:(?P<d>\d+)[.:])?(?P<h>\d+):(?P<m>\d{1,2}):(?P<s>\d{1,2}(?:\.\d+)?)$")


class NaiveTimeWarning(UserWarning):
    """A time written without its zone was read in this kernel's local zone (said for every such time)."""


warnings.filterwarnings("always", category=NaiveTimeWarning)  # every such time is said, not the first one only


def _iso(value: str) -> datetime | None:
    """A datetime from ISO 8601 text (7-digit fractions accepted, ``Z`` for UTC), naive when it names no zone."""
    text = value.strip().replace("Z", "+00:00")
    if "." in text:  # Python accepts at most 6 fractional digits
        head, _, rest = text.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        tail = rest[len(digits):]
        text = f"{head}.{digits[:6].ljust(6, '0')}{tail}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


class HasPyDatetime(Protocol):
    """A pandas ``Timestamp`` (anything with ``to_pydatetime()``)."""

    def to_pydatetime(self) -> datetime:
        """The moment as a datetime."""
        ...


#: What restorekit reads as a moment: a datetime, a date, ISO 8601 text or a pandas ``Timestamp``.
TimeLike: TypeAlias = "datetime | date | str | HasPyDatetime"


def parse_time(value: Json | datetime) -> datetime | None:
    """A timezone-aware UTC datetime from the API's ISO 8601 text (7-digit fractions accepted; the API's UTC)."""
    if not isinstance(value, str) or not value:
        return None
    parsed = _iso(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def local_moment(naive: datetime, given: TimeLike | None = None) -> datetime:
    """``naive`` (a time without a zone) read in this kernel's local zone, saying so (:class:`NaiveTimeWarning`)."""
    aware = naive.astimezone()  # the kernel's local zone (TZ, /etc/localtime)
    offset = aware.strftime("%z") or "+0000"
    written = given if given is not None else naive.isoformat(sep=" ")
    warnings.warn(NaiveTimeWarning(
        f"{str(written)!r} has no time zone: read in this kernel's local zone, {aware.tzname()} "
        f"(UTC{offset[:3]}:{offset[3:]}), as {format_moment(aware)}. Write the zone to mean another: "
        "'2026-11-20T02:00Z' (UTC), '2026-11-20T02:00+01:00'"), stacklevel=4)
    return aware


def to_utc(value: TimeLike) -> datetime:
    """A timezone-aware UTC datetime from a datetime, a date, an ISO string or a pandas Timestamp.

    A value without a zone is read in this kernel's local zone, with a :class:`NaiveTimeWarning` (see the module).
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        parsed = _iso(value)
        if parsed is None:
            raise ValueError(f"cannot read {value!r} as a date or time: use ISO 8601, e.g. '2026-10-01' or "
                             "'2026-11-20T02:00Z'")
        moment = parsed
    elif hasattr(value, "to_pydatetime"):
        moment = value.to_pydatetime()
    else:
        raise TypeError(f"expected a date, datetime or ISO string, got {type(value).__name__}")
    if moment.tzinfo is None:
        moment = local_moment(moment, value)
    return moment.astimezone(UTC)


def filter_time(value: TimeLike) -> str:
    """A date/time as the Backup API's ``$filter`` wants it: ``2026-10-01 12:00:00 AM`` (UTC)."""
    return to_utc(value).strftime("%Y-%m-%d %I:%M:%S %p")


def parse_duration(value: Json | timedelta) -> timedelta | None:
    """A timedelta from ISO 8601 (``PT9.87S``), .NET TimeSpan (``1.02:03:04``, ``00:15:00``) or seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    text = str(value).strip()
    for pattern in (_ISO_DURATION, _TIMESPAN):
        match = pattern.match(text)
        if match and any(match.groupdict().values()):
            parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
            return timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    try:
        return timedelta(seconds=float(text))
    except ValueError:
        return None


def parse_loose_time(value: Json | datetime) -> datetime | None:
    """A UTC datetime from ISO 8601 or the en-US forms job property bags use (``10/9/2019 6:05:54 PM``)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_time(value)
    if parsed is not None or not isinstance(value, str):
        return parsed
    text = " ".join(value.replace("UTC", "").split())
    for fmt in _LOOSE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def same_moment(a: datetime | None, b: datetime | None) -> bool:
    """Equal within a second, or a whole number of half hours apart (a local time written without its zone)."""
    if a is None or b is None:
        return False
    delta = abs((a - b).total_seconds())
    if delta <= 1:
        return True
    return delta <= 14 * 3600 and min(delta % 1800, 1800 - delta % 1800) <= 1


def format_duration(value: timedelta | None) -> str:
    """A duration as people say it, to the second: ``8 s``, ``3 min 12 s``, ``8 h 12 min``, ``3 days 4 h`` (``?`` if
    unknown)."""
    if value is None:
        return "?"
    seconds = round(value.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    elif hours:
        text = f"{hours} h" + (f" {minutes} min" if minutes else "")
    elif minutes:
        text = f"{minutes} min" + (f" {secs} s" if secs else "")
    else:
        text = f"{secs} s"
    return sign + text


def format_moment(value: datetime | None, style: str = "human") -> str:
    """A moment to the second in UTC: ``2026-11-20 06:19:37 UTC`` (``style="iso"``: ``2026-11-20T06:19:37Z``)."""
    if value is None:
        return "?"
    moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if style == "iso":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
