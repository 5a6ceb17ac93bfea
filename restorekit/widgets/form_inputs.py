"""The restore form's inputs: one row per builder keyword (:class:`FieldInput`) and the disks' checkboxes
(:class:`LunInput`), each reading its value back for the builder and showing its problems.

A row is built from a :class:`~restorekit.restore.request.fields.FieldSpec` (label, widget kind, help, choices); it
knows nothing of the form around it. Colours come from the form's stylesheet (``form.css``): rows use its
classes (``rk-problem``, ``rk-help``, ``rk-not-eligible``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from html import escape
from typing import Any

import ipywidgets as widgets

from ..model.points import RecoveryPoint
from ..restore.checking.online import Candidate
from ..restore.request.fields import FieldSpec, OptionValue
from ..restore.request.rules import Problem

LABEL_STYLE = {"description_width": "230px"}
_WIDTH = "640px"
_TEXTAREA_KINDS = {"id_list", "mapping", "object"}
_PLACEHOLDERS = {
    "storage_account": "name, resource-group/name or ARM ID", "resource_group": "name or ARM ID",
    "vm_name": "new VM name", "virtual_network": "name, resource-group/name or ARM ID",
    "subnet": "subnet name or ARM ID", "region": "default: the vault's region", "identity": "'system' or rg/name",
    "arm_id": "name, resource-group/name or ARM ID", "days": "10-30, or P15D", "id_list": "one ARM ID per line",
    "mapping": "JSON, e.g. {\"key\": \"value\"}", "object": "JSON", "text": "",
}
Handler = Callable[[Any], Any]
#: Field kinds whose input offers the estate's resources (from the same reads as the online checks).
PICKABLE_KINDS = ("storage_account", "resource_group", "virtual_network", "subnet")


def problem_html(problems: list[Problem]) -> str:
    """Problems as the form shows them next to a field: what is wrong, then the fix."""
    return "".join(f"<div class='rk-problem'>⚠ {escape(p.message)}<br><small>fix: {escape(p.fix)}</small></div>"
                   for p in problems)


class FieldInput:
    """One builder keyword as a form row: an input widget (by ``FieldSpec.kind``), its help and inline messages.

    ``read()`` gives ``(value, error)``: the keyword's value (empty → the field's default) or a parse error.
    ``show(value)`` fills the input from a builder value; a value the input cannot show verbatim (a dict, a
    timedelta, ``True`` for an identity) is kept as is until the input is edited, so a loaded request round-trips.
    """

    def __init__(self, spec: FieldSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.widget = self._make(spec)
        self.widget.add_class(f"rk-input-{spec.name}")
        self.message = widgets.HTML()
        self.message.add_class("rk-field-message")
        self.message.add_class(f"rk-message-{spec.name}")
        help_text = widgets.HTML(f"<small class='rk-help'>{escape(spec.help)}</small>",
                                 layout=widgets.Layout(margin="0 0 0 236px"))
        self.choices = widgets.HTML(layout=widgets.Layout(margin="0 0 0 236px"))
        self.choices.add_class(f"rk-choices-{spec.name}")
        self.row = widgets.VBox([widgets.HBox([self.widget, self.message]), help_text, self.choices])
        self.row.add_class("rk-field")
        self.row.add_class(f"rk-field-{spec.name}")
        self._loaded: tuple[Any, Any] | None = None  # (what the widget showed, the value it stands for)

    @staticmethod
    def _make(spec: FieldSpec) -> widgets.ValueWidget:
        common = {"description": spec.label, "style": LABEL_STYLE, "description_allow_html": False}
        if spec.kind == "bool" and spec.default is False:
            return widgets.Checkbox(value=False, indent=True, **common)
        if spec.kind == "bool":
            return widgets.Dropdown(options=[("(default)", None), ("yes", True), ("no", False)], value=None,
                                    layout=widgets.Layout(width="380px"), **common)
        if spec.kind in ("choice", "zone"):
            empty = "(none: same as the source VM)" if spec.kind == "zone" else "(default)"
            return widgets.Dropdown(options=[(empty, None), *[(str(c), c) for c in spec.choices]], value=None,
                                    layout=widgets.Layout(width="520px"), **common)
        placeholder = _PLACEHOLDERS.get(spec.kind, "")
        if spec.kind in _TEXTAREA_KINDS:
            return widgets.Textarea(placeholder=placeholder, rows=2, layout=widgets.Layout(width=_WIDTH), **common)
        if spec.kind in PICKABLE_KINDS:  # free text, with the estate's eligible resources offered as choices
            return widgets.Combobox(placeholder=placeholder, ensure_option=False, layout=widgets.Layout(width=_WIDTH),
                                    **common)
        return widgets.Text(placeholder=placeholder, layout=widgets.Layout(width=_WIDTH), **common)

    def set_choices(self, found: list[Candidate]) -> None:
        """Offer the eligible resources in the input, and list the others, disabled, with the reason."""
        if not isinstance(self.widget, widgets.Combobox):
            return
        self.widget.options = tuple(c.value for c in found if c.eligible)
        others = [c for c in found if not c.eligible]
        self.choices.value = "" if not found else (
            f"<small>{len(found) - len(others)} eligible, offered in the box"
            + ("; not eligible: " + "; ".join(f"<span class='rk-not-eligible' title='{escape(str(c.why_not))}'>"
                                              f"<s>{escape(c.value)}</s> ({escape(str(c.why_not))})</span>"
                                              for c in others) if others else "")
            + "</small>")

    def observe(self, handler: Handler) -> None:
        """Call ``handler`` whenever the input changes."""
        self.widget.observe(handler, "value")

    def set_required(self, required: bool) -> None:
        """Mark the label with ``*`` when the current scenario requires this keyword."""
        self.widget.description = self.spec.label + (" *" if required else "")

    def set_problems(self, problems: list[Problem]) -> None:
        """Show these problems next to the input (none clears the message)."""
        self.message.value = problem_html(problems)

    def read(self) -> tuple[Any, str | None]:
        """The keyword's value from the input, and a parse error (None when it parsed)."""
        shown = self.widget.value
        if self._loaded is not None and self._loaded[0] == shown:
            return self._loaded[1], None
        kind = self.spec.kind
        if isinstance(self.widget, widgets.Checkbox):
            return (True if shown else self.spec.default), None
        if isinstance(self.widget, widgets.Dropdown):
            return shown, None
        text = str(shown).strip()
        if not text:
            return self.spec.default, None
        if kind == "days":
            return (int(text) if text.lstrip("-").isdigit() else text), None
        if kind == "id_list":
            return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()], None
        if kind in ("mapping", "object"):
            try:
                return json.loads(text), None
            except ValueError as exc:
                return None, f"not valid JSON ({exc})"
        return text, None

    def show(self, value: OptionValue) -> None:
        """Fill the input from a builder value (None/default empties it)."""
        self._loaded = None
        widget = self.widget
        if isinstance(widget, widgets.Checkbox):
            widget.value = value is True
            if value not in (True, self.spec.default):
                self._loaded = (widget.value, value)
            return
        if isinstance(widget, widgets.Dropdown):
            if value not in [v for _, v in widget.options]:
                widget.options = [*widget.options, (str(value), value)]
            widget.value = value
            return
        if value is None or value == self.spec.default:
            widget.value = ""
            return
        if isinstance(value, str):
            text = value
        elif isinstance(value, timedelta) and value == timedelta(days=value.days):
            text = str(value.days)
        elif self.spec.kind == "id_list" and isinstance(value, (list, tuple)):
            text = "\n".join(str(v) for v in value)
        else:
            try:
                text = json.dumps(value)
            except (TypeError, ValueError):
                text = repr(value)
        widget.value = text
        if self.read()[0] != value:
            self._loaded = (text, value)


class LunInput:
    """The disks to restore: one checkbox per disk of the chosen point (OS disk = LUN -1).

    None ticked → ``luns=None``: the API's default, every disk of the point is restored (no
    ``restoreDiskLunList``). Some ticked → ``luns=[...]``: only those disks.
    """

    def __init__(self, spec: FieldSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.boxes: dict[int, widgets.Checkbox] = {}
        self._handlers: list[Handler] = []
        self._point_luns: list[int] | None = None
        self.title = widgets.HTML(f"<b>{escape(spec.label)}</b>")
        self.checks = widgets.HBox()
        self.meaning = widgets.HTML()
        self.meaning.add_class("rk-luns-help")
        self.message = widgets.HTML()
        self.message.add_class("rk-field-message")
        self.message.add_class("rk-message-luns")
        self.widget = self.checks
        self.row = widgets.VBox([self.title, self.checks, self.meaning, self.message])
        for cls in ("rk-field", "rk-field-luns", "rk-luns"):
            self.row.add_class(cls)
        self._rebuild([], set())

    def observe(self, handler: Handler) -> None:
        """Call ``handler`` whenever a disk is ticked or unticked."""
        self._handlers.append(handler)
        for box in self.boxes.values():
            box.observe(handler, "value")

    def set_required(self, required: bool) -> None:
        """Mark the title with ``*`` when required (never, for LUNs)."""
        self.title.value = f"<b>{escape(self.spec.label)}{' *' if required else ''}</b>"

    def set_problems(self, problems: list[Problem]) -> None:
        """Show these problems under the checkboxes."""
        self.message.value = problem_html(problems)

    def set_point(self, point: RecoveryPoint | None) -> None:
        """One checkbox per disk of ``point``; disks ticked before stay ticked when the new point has them."""
        luns = point.disk_luns if isinstance(point, RecoveryPoint) else None
        ticked = {n for n, box in self.boxes.items() if box.value}
        self._point_luns = luns
        self._rebuild(luns or [], ticked & set(luns or []))

    def _rebuild(self, luns: Iterable[int], ticked: set[int]) -> None:
        point_luns = set(self._point_luns or [])
        boxes = {}
        for lun in sorted(set(luns) | ticked):
            label = "OS disk" if lun == -1 else f"LUN {lun}"
            if lun not in point_luns:
                label += " (not in this point)"
            box = widgets.Checkbox(value=lun in ticked, description=label, indent=False,
                                   layout=widgets.Layout(width="auto"))
            box.add_class(f"rk-lun-{lun}")
            if lun == -1:
                box.add_class("rk-lun-os")
            box.observe(self._explain, "value")
            for handler in self._handlers:
                box.observe(handler, "value")
            boxes[lun] = box
        self.boxes = boxes
        self.checks.children = tuple(boxes.values())
        self._explain()

    def _explain(self, _change: Mapping[str, object] | None = None) -> None:
        chosen = self.read()[0]
        if self._point_luns is None and not self.boxes:
            self.meaning.value = ("<small>This point has no disk list: every disk is restored "
                                  "(a selective restore is not possible).</small>")
        elif chosen is None:
            count = len(self._point_luns or [])
            self.meaning.value = (f"<small><b>No disk ticked: every disk is restored</b> (all {count} disks of "
                                  "this point; the request has no <code>restoreDiskLunList</code>). Tick disks to "
                                  "restore only those.</small>")
        else:
            names = ", ".join("OS disk" if n == -1 else f"LUN {n}" for n in chosen)
            self.meaning.value = (f"<small><b>Only the ticked disks are restored</b>: {escape(names)} "
                                  f"(<code>restoreDiskLunList = {chosen}</code>). Untick all to restore every disk."
                                  "</small>")

    def read(self) -> tuple[Any, str | None]:
        """``[ticked LUNs]``, or None when none is ticked (every disk)."""
        chosen = [n for n, box in self.boxes.items() if box.value]
        return (chosen or None), None

    def show(self, value: OptionValue) -> None:
        """Tick exactly the LUNs in ``value`` (None: none); LUNs the point lacks get a flagged checkbox."""
        ticked = {n for n in value if isinstance(n, int)} if isinstance(value, (list, tuple)) else set()
        self._rebuild(self._point_luns or [], ticked)


__all__ = ["FieldInput", "LunInput", "PICKABLE_KINDS", "problem_html"]
