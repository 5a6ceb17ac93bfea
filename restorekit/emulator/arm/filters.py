"""OData ``$filter`` as the Backup API takes it: ``field eq 'value'`` clauses joined by ``and``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from .errors import bad_request

_CLAUSE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s+eq\s+(?:'((?:[^']|'')*)'|(true|false|\d+))\s*$", re.I)
_DATE_FORMATS = ("%Y-%m-%d %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S",
                 "%Y-%m-%d %I:%M %p", "%Y-%m-%d")


def parse_filter(text: str | None, allowed: tuple[str, ...]) -> dict[str, str]:
    """``{field: value}`` from ``a eq 'x' and b eq 'y'``; fields matched case-insensitively.

    Raises a 400 ``BMSUserErrorInvalidFilter`` for syntax errors, unknown or repeated fields.
    """
    out: dict[str, str] = {}
    if text is None or not text.strip():
        return out
    canon = {a.lower(): a for a in allowed}
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        m = _CLAUSE.match(part)
        if not m:
            raise bad_request("BMSUserErrorInvalidFilter",
                              f"Invalid filter clause '{part.strip()}'. Expected: <field> eq '<value>'.", "$filter")
        name = canon.get(m.group(1).lower())
        if name is None:
            raise bad_request("BMSUserErrorInvalidFilter",
                              f"Unsupported filter field '{m.group(1)}'. Supported fields: {', '.join(allowed)}.",
                              "$filter")
        if name in out:
            raise bad_request("BMSUserErrorInvalidFilter", f"Filter field '{name}' is given twice.", "$filter")
        out[name] = m.group(2).replace("''", "'") if m.group(2) is not None else m.group(3)
    return out


def parse_time(text: str, field: str) -> datetime:
    """A filter date in any form the docs and SDKs send (``2016-01-01 00:00:00 AM``, ISO 8601 ...), as UTC."""
    raw = text.strip()
    # "00:00:00 AM" is not valid 12-hour time but is what the examples send: read it as midnight.
    fixed = re.sub(r"\b00:(\d\d:\d\d) ([AP]M)\b", lambda m: f"12:{m.group(1)} {m.group(2)}", raw)
    fixed = re.sub(r"\b(1[3-9]|2[0-3]):(\d\d:\d\d) [AP]M\b", r"\1:\2", fixed)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(fixed, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        t = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request("BMSUserErrorInvalidFilter",
                          f"Invalid value '{text}' for '{field}'. Use 'yyyy-MM-dd hh:mm:ss tt' or ISO 8601.",
                          "$filter") from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def parse_bool(text: str, field: str) -> bool:
    """A filter boolean (``true``/``false``, quoted or not)."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise bad_request("BMSUserErrorInvalidFilter", f"Invalid boolean '{text}' for '{field}'.", "$filter")
