"""Choosing a recovery point the way an incident is described: ``"latest AppConsistent before 2026-11-20T02:00Z"``.

A selection is a few words, in any order, each optional:

* a quantifier: ``latest`` (the default; ``newest``, ``last``), ``oldest`` (``earliest``, ``first``),
  ``closest to <time>``, ``best`` (the best consistency the VM has: application, then file system, then crash;
  with any other words, among the points they select);
* a consistency: ``AppConsistent`` (``app``), ``FileSystemConsistent`` (``filesystem``, ``fs``),
  ``CrashConsistent`` (``crash``);
* a tier: ``snapshot`` (the fastest restore), ``vault``, ``archive``;
* a time bound: ``before <time>`` or ``after <time>`` (ISO 8601: ``2026-11-20T02:00Z``, ``2026-11-20 02:00``,
  ``2026-11-20``): a time without a zone is read in this kernel's local zone, and a warning says so
  (:func:`restorekit.core.times.local_moment`); write ``Z`` or ``+01:00`` to say which;
* or, alone, a recovery point's name.

When nothing matches, :class:`NoMatchingPoint` says what the VM has (its consistencies and tiers with the
newest point of each) and the nearest selection that does match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from ..core.errors import NotFoundError
from ..core.times import format_moment, to_utc


class RecoveryPoint(Protocol):
    """What a selection reads of a point (a :class:`~restorekit.model.points.RecoveryPoint`)."""

    @property
    def name(self) -> str:
        """The point's name."""
        ...

    @property
    def time(self) -> datetime | None:
        """When it was taken."""
        ...

    @property
    def consistency(self) -> str | None:
        """Its consistency."""
        ...

    @property
    def tier_labels(self) -> list[str]:
        """Its usable tiers."""
        ...

#: Consistencies from best to worst, with the words that name them.
CONSISTENCY_ORDER = ("AppConsistent", "FileSystemConsistent", "CrashConsistent")
_CONSISTENCY_WORDS = {
    "appconsistent": "AppConsistent", "app": "AppConsistent", "application": "AppConsistent",
    "application-consistent": "AppConsistent", "filesystemconsistent": "FileSystemConsistent",
    "filesystem": "FileSystemConsistent", "fs": "FileSystemConsistent", "file-system": "FileSystemConsistent",
    "crashconsistent": "CrashConsistent", "crash": "CrashConsistent", "crash-consistent": "CrashConsistent",
}
_TIER_WORDS = {"snapshot": "snapshot", "instant": "snapshot", "vault": "vault", "standard": "vault",
               "archive": "archive", "archived": "archive"}
_LATEST_WORDS = ("latest", "newest", "last")
_OLDEST_WORDS = ("oldest", "earliest", "first")
_TIME_AT_END = re.compile(r"\b(before|after|to)\s+(\S+(?:\s+\d{1,2}:\d{2}(?::\d{2})?\S*)?)", re.I)


class NoMatchingPoint(NotFoundError):
    """No recovery point matches a selection; the message lists what the VM has and suggests another selection.

    ``suggestion`` is that selection (None when the VM has no point at all).
    """

    def __init__(self, message: str, suggestion: str | None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


@dataclass(frozen=True)
class Selection:
    """A parsed selection (see the module doc); ``str()`` writes it back."""

    quantifier: str = "latest"  # latest | oldest | closest | best
    consistency: str | None = None
    tier: str | None = None
    before: datetime | None = None
    after: datetime | None = None
    closest_to: datetime | None = None
    name: str | None = None

    @classmethod
    def parse(cls, text: str) -> Selection:
        """Read a selection; ``ValueError`` names the word it does not understand and the words it does."""
        spec = " ".join(str(text).split())
        if not spec:
            raise ValueError("an empty point selection: say 'latest', 'best', 'latest AppConsistent', "
                             "'latest before 2026-11-20T02:00Z', 'closest to …' or a recovery point name")
        times: dict[str, datetime] = {}
        rest = spec
        for match in list(_TIME_AT_END.finditer(spec)):
            keyword, value = match.group(1).lower(), match.group(2)
            try:
                times[keyword] = to_utc(value)
            except (TypeError, ValueError):
                raise ValueError(f"cannot read {value!r} after {keyword!r} as a time: use ISO 8601, e.g. "
                                 "2026-11-20T02:00Z") from None
            rest = rest.replace(match.group(0), " ")
        words = rest.split()
        known = {*_LATEST_WORDS, *_OLDEST_WORDS, "best", "closest", *_CONSISTENCY_WORDS, *_TIER_WORDS}
        if len(words) == 1 and not times and words[0].lower() not in known:
            return cls(name=words[0])
        quantifier, consistency, tier = "latest", None, None
        for word in words:
            low = word.lower()
            if low in _LATEST_WORDS:
                continue
            if low in _OLDEST_WORDS:
                quantifier = "oldest"
            elif low == "best":
                quantifier = "best"
            elif low == "closest":
                quantifier = "closest"
            elif low in _CONSISTENCY_WORDS:
                consistency = _CONSISTENCY_WORDS[low]
            elif low in _TIER_WORDS:
                tier = _TIER_WORDS[low]
            else:
                raise ValueError(f"{word!r} is not a word of a point selection; use latest/oldest/best/closest, a "
                                 f"consistency ({', '.join(CONSISTENCY_ORDER)}), a tier (snapshot, vault, archive), "
                                 "before/after/closest to <time>, or a recovery point name alone")
        if "to" in times:
            quantifier = "closest"
        if quantifier == "closest" and "to" not in times:
            raise ValueError("'closest' needs a time: 'closest to 2026-11-20T02:00Z'")
        return cls(quantifier, consistency, tier, times.get("before"), times.get("after"), times.get("to"))

    def __str__(self) -> str:
        if self.name:
            return self.name
        words = ["closest" if self.quantifier == "closest" else self.quantifier]
        words += [w for w in (self.consistency, self.tier) if w]
        if self.before:
            words.append(f"before {format_moment(self.before, 'iso')}")
        if self.after:
            words.append(f"after {format_moment(self.after, 'iso')}")
        if self.closest_to:
            words.append(f"to {format_moment(self.closest_to, 'iso')}")
        return " ".join(words)

    def candidates(self, points: Sequence[RecoveryPoint]) -> list[RecoveryPoint]:
        """The points this selection's filters keep (consistency, tier, time bounds), any order."""
        out = [p for p in points if p.time is not None]
        if self.consistency:
            out = [p for p in out if (p.consistency or "").lower() == self.consistency.lower()]
        if self.tier:
            out = [p for p in out if self.tier in p.tier_labels]
        if self.before:
            out = [p for p in out if p.time < self.before]  # type: ignore[operator]
        if self.after:
            out = [p for p in out if p.time > self.after]  # type: ignore[operator]
        return out

    def choose(self, points: Sequence[RecoveryPoint]) -> RecoveryPoint | None:
        """The chosen point, or None when nothing matches."""
        if self.name:
            return next((p for p in points if p.name == self.name), None)
        found = self.candidates(points)
        if not found:
            return None
        if self.quantifier == "oldest":
            return min(found, key=lambda p: p.time)  # type: ignore[arg-type,return-value]
        if self.quantifier == "closest":
            target = self.closest_to
            return min(found, key=lambda p: (abs((p.time - target).total_seconds()), -p.time.timestamp()))  # type: ignore[operator,union-attr]
        if self.quantifier == "best":
            for kind in CONSISTENCY_ORDER:
                of_kind = [p for p in found if p.consistency == kind]
                if of_kind:
                    found = of_kind
                    break
        return max(found, key=lambda p: p.time)  # type: ignore[arg-type,return-value]

    def relaxed(self) -> list[Selection]:
        """Nearby selections, from the closest to this one: another consistency, no tier, no time bound."""
        out: list[Selection] = []
        if self.consistency:
            out.append(replace(self, consistency=None, quantifier="best" if self.quantifier == "latest"
                               else self.quantifier))
        if self.tier:
            out.append(replace(self, tier=None))
        if self.before or self.after:
            out.append(replace(self, before=None, after=None))
        widest = "oldest" if self.quantifier == "oldest" else "best"
        if self.consistency and self.tier:
            out.append(replace(self, consistency=None, tier=None, quantifier=widest))
        out.append(Selection(widest))
        return out


def select(points: Sequence[RecoveryPoint], spec: str, *, vm: str = "the VM") -> RecoveryPoint:
    """The point ``spec`` describes (see the module doc); :class:`NoMatchingPoint` when none does."""
    selection = Selection.parse(spec)
    chosen = selection.choose(points)
    if chosen is not None:
        return chosen
    if selection.name:
        newest = sorted((p for p in points if p.time), key=lambda p: p.time, reverse=True)[:5]  # type: ignore[arg-type,return-value]
        raise NoMatchingPoint(f"{vm} has no recovery point named {selection.name!r}; {len(points)} exist, the newest: "
                              f"{', '.join(p.name for p in newest) or 'none'}", "latest" if points else None)
    suggestion = next((str(s) for s in selection.relaxed() if s.choose(points) is not None), None)
    message = f"no recovery point of {vm} matches {spec!r}. {describe_points(points)}"
    if suggestion:
        chosen = Selection.parse(suggestion).choose(points)
        assert chosen is not None
        message += f"\nNearest selection that matches: {suggestion!r} → {chosen.name} ({format_moment(chosen.time)})"
    raise NoMatchingPoint(message, suggestion)


def describe_points(points: Sequence[RecoveryPoint]) -> str:
    """What a VM has: how many points, each consistency and tier with its newest point."""
    timed = [p for p in points if p.time is not None]
    if not timed:
        return "It has no recovery point."
    lines = [f"It has {len(timed)} point(s), from {format_moment(min(p.time for p in timed))} to "  # type: ignore[type-var]
             f"{format_moment(max(p.time for p in timed))}:"]  # type: ignore[type-var]
    kinds = sorted({p.consistency or "unknown" for p in timed},
                   key=lambda k: CONSISTENCY_ORDER.index(k) if k in CONSISTENCY_ORDER else 9)
    for kind in kinds:
        newest = max((p for p in timed if (p.consistency or "unknown") == kind), key=lambda p: p.time)  # type: ignore[arg-type,return-value]
        lines.append(f"  - {kind}: newest {newest.name} ({format_moment(newest.time)})")
    for tier in ("snapshot", "vault", "archive"):
        usable = [p for p in timed if tier in p.tier_labels]
        if usable:
            newest = max(usable, key=lambda p: p.time)  # type: ignore[arg-type,return-value]
            lines.append(f"  - {tier} tier: {len(usable)} point(s), newest {newest.name} ({format_moment(newest.time)})")
        else:
            lines.append(f"  - {tier} tier: none")
    return "\n".join(lines)
