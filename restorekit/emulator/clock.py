"""The emulator's clock: real time, plus an offset tests can move forward without sleeping."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time in UTC that tests may ``advance()``, starting at ``start`` when one is given.

    Jobs and operations compare ``now()`` with their start time, so advancing the clock finishes
    them at once. An emulator pinned to a day (``as_of``) runs its clock from that moment: its estate,
    its jobs and the ``Date`` of its answers all agree, whatever the real date.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = 0.0 if start is None else (start - datetime.now(UTC)).total_seconds()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current (possibly advanced) UTC time."""
        return datetime.now(UTC) + timedelta(seconds=self._offset)

    def monotonic(self) -> float:
        """Seconds on a monotonic scale that also moves with ``advance()``."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        with self._lock:
            self._offset += seconds


def iso(t: datetime) -> str:
    """ARM's date-time form with 7 fractional digits and ``Z``: ``2018-06-04T06:06:00.5121087Z``."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}0Z"


def parse_iso(text: str) -> datetime:
    """A UTC timestamp as the service writes it, with up to 7 fractional digits (Python reads 6)."""
    head, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.strptime(f"{head}.{fraction[:6].ljust(6, '0')}", "%Y-%m-%dT%H:%M:%S.%f")
    return moment.replace(tzinfo=UTC)


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration as the Backup service writes it: ``PT1M2.3S``, ``PT0S``, ``PT1H0M5S``."""
    seconds = max(0.0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours >= 1:
        out += f"{int(hours)}H"
    if minutes >= 1 or hours >= 1:
        out += f"{int(minutes)}M"
    text = f"{secs:.7f}".rstrip("0").rstrip(".")
    return out + (text or "0") + "S"


def us_datetime(t: datetime) -> str:
    """The US form (.NET's general date/time, UTC) ARM and the Backup service write: ``6/4/2018 6:06:00 AM``."""
    t = t.astimezone(UTC)
    return (f"{t.month}/{t.day}/{t.year} {(t.hour % 12) or 12}:{t.minute:02d}:{t.second:02d} "
            f"{'PM' if t.hour >= 12 else 'AM'}")
