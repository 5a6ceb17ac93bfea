"""Choose a recovery point in a notebook: :class:`RecoveryPointPicker`.

Filters (UTC date range, consistency, tier) narrow the candidates, a compact table shows them newest first,
and a dropdown picks one. The chosen point is the ``value`` traitlet (``picker.observe(f, "value")``).
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import ipywidgets as widgets
import traitlets

from ..model.points import RecoveryPoint, RecoveryPoints

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: What the picker's ``value`` is: a point, or a frame's row when it was given a frame alone.
Choice: TypeAlias = "RecoveryPoint | pd.Series"
#: What a traitlets observer receives (``change["new"]``…).
Change: TypeAlias = "Mapping[str, object]"

#: Tier labels a point can be restored from, in filter order.
TIERS = ("snapshot", "vault", "archive")
_TIER_HELP = {"snapshot": "instant restore snapshot (fastest)", "vault": "vault-standard tier",
              "archive": "archive tier (needs rehydration)"}
_UNKNOWN = "unknown"


@dataclass(frozen=True, eq=False)
class Candidate:
    """One row the picker can offer: what the filters read, and what ``value`` becomes when chosen."""

    key: Hashable
    name: str
    time: datetime | None
    consistency: str | None
    tiers: tuple[str, ...]
    disk_luns: tuple[int, ...] | None
    payload: Choice

    @property
    def label(self) -> str:
        """One line for the dropdown: time, consistency, tiers and name."""
        when = f"{self.time:%Y-%m-%d %H:%M} UTC" if self.time else "time unknown"
        return f"{when} · {self.consistency or _UNKNOWN} · {'+'.join(self.tiers) or 'no usable tier'} · {self.name}"


def _from_point(point: RecoveryPoint, key: Hashable | None = None) -> Candidate:
    luns = point.disk_luns
    return Candidate(key=point.id if key is None else key, name=point.name, time=point.time,
                     consistency=point.consistency, tiers=tuple(t for t in TIERS if t in point.tier_labels),
                     disk_luns=None if luns is None else tuple(luns), payload=point)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, (list, tuple)) else False
    except (TypeError, ValueError):
        return False


def _from_frame(frame: pd.DataFrame, points: Iterable[RecoveryPoint] | None) -> list[Candidate]:
    by_id = {p.id.lower(): p for p in points or ()}
    by_name = {p.name: p for p in points or ()}
    columns = set(frame.columns)
    out = []
    for label, row in zip(frame.index, frame.to_dict("records"), strict=True):
        point = None
        if by_id and isinstance(row.get("id"), str):
            point = by_id.get(row["id"].lower())
        if point is None and "recovery_point" in columns:
            point = by_name.get(row.get("recovery_point"))
        when = row.get("time")
        when = None if _missing(when) else (when.to_pydatetime() if hasattr(when, "to_pydatetime") else when)
        flags = {"snapshot": row.get("snapshot"), "vault": row.get("vault_tier"), "archive": row.get("archive")}
        if any(k in columns for k in ("snapshot", "vault_tier", "archive")):
            tiers = tuple(t for t in TIERS if flags[t] is True or flags[t] == 1)
        else:
            text = row.get("tier")
            tiers = tuple(t for t in TIERS if not _missing(text) and t in str(text).split("+"))
        consistency = row.get("consistency")
        luns = row.get("disk_luns")
        out.append(Candidate(
            key=label, name=str(row.get("recovery_point", label)), time=when,
            consistency=None if _missing(consistency) else str(consistency), tiers=tiers,
            disk_luns=tuple(luns) if isinstance(luns, (list, tuple)) else None,
            payload=point if point is not None else frame.loc[label]))
    return out


def _is_frame(obj: object) -> bool:
    return hasattr(obj, "columns") and hasattr(obj, "index") and hasattr(obj, "to_dict")


class RecoveryPointPicker(widgets.VBox):
    """Filter a VM's recovery points and choose one; the choice is the ``value`` traitlet.

    ``data`` is a :class:`~restorekit.model.points.RecoveryPoints` (or any list of points) or a frame from
    ``points.to_frame()`` / :func:`restorekit.recovery_points_frame`. With points, ``value`` is a
    :class:`~restorekit.model.points.RecoveryPoint`; with a frame alone it is the frame's row (a ``Series``), or
    the point when ``points=`` is also given (rows are matched by ``id``, then by name).
    ``candidates`` is what the filters let through, newest first (a ``RecoveryPoints`` or a frame).
    The default choice is the newest point; ``value=`` picks another (a point, a row or a point name).

    Example::

        picker = RecoveryPointPicker(item.recovery_points())
        picker.observe(lambda change: print(change["new"]), "value")
        picker.consistency_buttons["CrashConsistent"].value = False   # hide crash-consistent points
    """

    value = traitlets.Any(None, allow_none=True, help="the chosen point (or frame row), None when nothing matches")

    def __init__(self, data: Iterable[RecoveryPoint] | pd.DataFrame, *, points: Iterable[RecoveryPoint] | None = None,
                 value: Choice | str | None = None, max_rows: int = 8, **kwargs: Any) -> None:
        self.max_rows = max_rows
        self._syncing = False
        self._frame: pd.DataFrame | None = None
        self._entries: list[Candidate] = []
        self._by_key: dict[Hashable, Candidate] = {}
        self._shown: list[Candidate] = []
        style = {"description_width": "60px"}
        self.start_picker = widgets.DatePicker(description="From", style=style, tooltip="first day (UTC)")
        self.end_picker = widgets.DatePicker(description="To", style=style, tooltip="last day (UTC)")
        self.start_picker.add_class("rk-picker-start")
        self.end_picker.add_class("rk-picker-end")
        self.consistency_box = widgets.HBox()
        self.consistency_buttons: dict[str, widgets.ToggleButton] = {}
        self.tier_buttons: dict[str, widgets.ToggleButton] = {}
        for tier in TIERS:
            self.tier_buttons[tier] = self._filter_button(tier, f"show points in the {_TIER_HELP[tier]}",
                                                          f"rk-tier-{tier}", "90px")
        self.table = widgets.HTML()
        self.table.add_class("rk-picker-table")
        self.select = widgets.Dropdown(description="Point", style=style, layout=widgets.Layout(width="620px"))
        self.select.add_class("rk-picker-select")
        self.select.observe(self._on_select, "value")
        for picker in (self.start_picker, self.end_picker):
            picker.observe(self._on_filter, "value")
        filters = widgets.VBox([
            widgets.HBox([self.start_picker, self.end_picker]),
            widgets.HBox([widgets.Label("Consistency", layout=widgets.Layout(width="90px")), self.consistency_box]),
            widgets.HBox([widgets.Label("Tier", layout=widgets.Layout(width="90px")),
                          *self.tier_buttons.values()]),
        ])
        super().__init__([filters, self.table, self.select], **kwargs)
        self.add_class("rk-picker")
        self.load(data, points=points, value=value)

    def _filter_button(self, description: str, tooltip: str, css_class: str, width: str) -> widgets.ToggleButton:
        """A filter toggle, on by default, that re-filters the candidates when flipped."""
        button = widgets.ToggleButton(value=True, description=description, tooltip=tooltip,
                                      layout=widgets.Layout(width=width))
        button.add_class(css_class)
        button.observe(self._on_filter, "value")
        return button

    # --- data ------------------------------------------------------------------------------------
    def load(self, data: Iterable[RecoveryPoint] | pd.DataFrame, *, points: Iterable[RecoveryPoint] | None = None,
             value: Choice | str | None = None) -> None:
        """Replace the points (or frame) offered; filters reset to show everything; choose ``value`` or the newest."""
        if _is_frame(data):
            self._frame = data
            self._entries = _from_frame(data, list(points) if points is not None else None)
        elif isinstance(data, RecoveryPoint):
            self._frame = None
            self._entries = [_from_point(data)]
        else:
            self._frame = None
            self._entries = [_from_point(p) for p in data]
        self._entries.sort(key=lambda e: (e.time is not None, e.time or datetime.min), reverse=True)
        self._by_key = {e.key: e for e in self._entries}
        with self._quiet():
            values = sorted({e.consistency or _UNKNOWN for e in self._entries})
            self.consistency_buttons = {}
            for name in values:
                self.consistency_buttons[name] = self._filter_button(name, f"show {name} points",
                                                                     f"rk-consistency-{name}", "auto")
            self.consistency_box.children = tuple(self.consistency_buttons.values())
            present = {t for e in self._entries for t in e.tiers}
            for tier, button in self.tier_buttons.items():
                button.value = True
                button.disabled = tier not in present
            self._reset_dates()
        self._apply(prefer=value, keep=False)

    def _reset_dates(self) -> None:
        days = [e.time.date() for e in self._entries if e.time is not None]
        first, last = (min(days), max(days)) if days else (None, None)
        for picker in (self.start_picker, self.end_picker):
            picker.min = picker.max = None
            picker.value = None
        self.start_picker.value, self.end_picker.value = first, last
        for picker in (self.start_picker, self.end_picker):
            picker.min, picker.max = first, last

    def reset_filters(self) -> None:
        """Show every point again (full date range, every consistency and tier)."""
        with self._quiet():
            for button in (*self.consistency_buttons.values(), *self.tier_buttons.values()):
                button.value = True
            self._reset_dates()
        self._apply()

    # --- filtering -------------------------------------------------------------------------------
    def _passes(self, entry: Candidate) -> bool:
        start, end = self.start_picker.value, self.end_picker.value
        day: date | None = entry.time.date() if entry.time is not None else None
        if start is not None and (day is None or day < start):
            return False
        if end is not None and (day is None or day > end):
            return False
        button = self.consistency_buttons.get(entry.consistency or _UNKNOWN)
        if button is not None and not button.value:
            return False
        wanted = {t for t, b in self.tier_buttons.items() if b.value and not b.disabled}
        if not entry.tiers:
            return all(b.value for b in self.tier_buttons.values())
        return bool(wanted & set(entry.tiers))

    @property
    def candidates(self) -> RecoveryPoints | pd.DataFrame:
        """The points the filters let through, newest first: a ``RecoveryPoints``, or a frame for frame input."""
        if self._frame is not None:
            return self._frame.loc[[e.key for e in self._shown]]
        return RecoveryPoints(e.payload for e in self._shown)

    @property
    def entries(self) -> list[Candidate]:
        """Every point offered (filtered or not), newest first."""
        return list(self._entries)

    def _apply(self, prefer: Choice | str | None = None, keep: bool = True) -> None:
        self._shown = [e for e in self._entries if self._passes(e)]
        current = self._entry_of(prefer if prefer is not None or not keep else self.value)
        if current is not None and current not in self._shown and prefer is not None:
            with self._quiet():  # an explicit choice the filters hide: show everything again
                for button in (*self.consistency_buttons.values(), *self.tier_buttons.values()):
                    button.value = True
                self._reset_dates()
            self._shown = [e for e in self._entries if self._passes(e)]
        if current is None or current not in self._shown:
            current = self._shown[0] if self._shown else None
        with self._quiet():
            self.select.options = [(e.label, e.key) for e in self._shown]
            self.select.value = current.key if current is not None else None
            self.value = current.payload if current is not None else None
        self._render_table()

    # --- events ----------------------------------------------------------------------------------
    def _quiet(self) -> _Quiet:
        return _Quiet(self)

    def _on_filter(self, _change: Change | None = None) -> None:
        if not self._syncing:
            self._apply()

    def _on_select(self, change: Change) -> None:
        if self._syncing:
            return
        entry = self._by_key.get(change["new"])
        with self._quiet():
            self.value = entry.payload if entry is not None else None
        self._render_table()

    @traitlets.validate("value")
    def _validate_value(self, proposal: Change) -> Choice | None:
        value = proposal["value"]
        if value is None or self._syncing:
            return value
        entry = self._entry_of(value)
        if entry is None:
            raise traitlets.TraitError(f"{value!r} is not one of the {len(self._entries)} points of this picker")
        return entry.payload

    @traitlets.observe("value")
    def _on_value(self, change: Change) -> None:
        if self._syncing:
            return
        if change["new"] is None:  # cleared from outside: nothing chosen
            with self._quiet():
                self.select.value = None
            self._render_table()
            return
        self._apply(prefer=change["new"])

    def _entry_of(self, value: Choice | str | None) -> Candidate | None:
        if value is None:
            return None
        if isinstance(value, RecoveryPoint):
            for entry in self._entries:
                if entry.payload is value:
                    return entry
            return next((e for e in self._entries if isinstance(e.payload, RecoveryPoint)
                         and e.payload.id.lower() == value.id.lower()), None)
        if isinstance(value, str):
            if value in self._by_key:
                return self._by_key[value]
            return next((e for e in self._entries if e.name == value), None)
        label = getattr(value, "name", None)  # a frame row: its index label
        try:
            entry = self._by_key.get(label)
        except TypeError:
            entry = None
        return entry if entry is not None else next((e for e in self._entries if e.payload is value), None)

    # --- rendering -------------------------------------------------------------------------------
    def _render_table(self) -> None:
        chosen = self._entry_of(self.value)
        rows = []
        for entry in self._shown[: self.max_rows]:
            luns = "all" if entry.disk_luns is None else ", ".join("OS" if n == -1 else str(n) for n in entry.disk_luns)
            when = f"{entry.time:%Y-%m-%d %H:%M}" if entry.time else "?"
            style = " style='font-weight:bold;background:#eef5ff'" if entry is chosen else ""
            cells = (when, entry.consistency or _UNKNOWN, "+".join(entry.tiers) or "—", entry.name, luns)
            rows.append(f"<tr{style}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        more = len(self._shown) - self.max_rows
        if more > 0:
            rows.append(f"<tr><td colspan='5'><i>… {more} more</i></td></tr>")
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in
                       ("time (UTC)", "consistency", "tiers", "point", "disks"))
        count = f"{len(self._shown)} of {len(self._entries)} point(s) match"
        if not self._shown:
            count += " — widen the filters"
        self.table.value = (f"<div class='rk-picker-count'>{count}</div><table class='rk-points' "
                            f"style='font-size:12px;border-collapse:collapse'><tr>{head}</tr>{''.join(rows)}</table>")

    def __repr__(self) -> str:
        entry = self._entry_of(self.value)
        name = entry.name if entry is not None else None
        return f"<RecoveryPointPicker {len(self._shown)}/{len(self._entries)} points, value={name}>"


class _Quiet:
    """While active, the picker's own observers ignore the changes it makes."""

    def __init__(self, picker: RecoveryPointPicker) -> None:
        self.picker = picker
        self.before = False

    def __enter__(self) -> None:
        self.before, self.picker._syncing = self.picker._syncing, True

    def __exit__(self, *_: object) -> None:
        self.picker._syncing = self.before


__all__ = ["RecoveryPointPicker", "Candidate", "TIERS"]
