"""The vocabulary of recovery-point tiers: the API writes tier types and statuses as names or numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .json_values import Json

TIER_TYPES = {0: "Invalid", 1: "InstantRP", 2: "HardenedRP", 3: "ArchivedRP"}
TIER_STATUSES = {0: "Invalid", 1: "Valid", 2: "Disabled", 3: "Deleted", 4: "Rehydrated"}
#: Short, user-facing names of the tiers: snapshot (instant restore), vault (standard), archive.
TIER_LABELS = {"InstantRP": "snapshot", "HardenedRP": "vault", "ArchivedRP": "archive"}
USABLE_STATUSES = frozenset({"Valid", "Rehydrated"})


def tier_name(value: Json) -> Json:
    """Name of a tier type given as a number, a numeric string or a name; unknown values are kept."""
    return _decode(value, TIER_TYPES)


def tier_status(value: Json) -> Json:
    """Name of a tier status given as a number, a numeric string or a name; unknown values are kept."""
    return _decode(value, TIER_STATUSES)


def _decode(value: Json, table: dict[int, str]) -> Json:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return table.get(value, value)
    if isinstance(value, str) and value.strip().isdigit():
        return table.get(int(value), value)
    return value


def usable_tiers(details: Json) -> dict[str, str]:
    """``{tier name: status name}`` from a ``recoveryPointTierDetails`` list (bad entries skipped)."""
    out: dict[str, str] = {}
    if not isinstance(details, list):
        return out
    for entry in details:
        if isinstance(entry, dict):
            out[str(tier_name(entry.get("type")))] = str(tier_status(entry.get("status")))
    return out
