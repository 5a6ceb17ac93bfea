"""A restore request as a form: :class:`RestoreForm`, over the same builders and checks as the code API.

The form holds one input per builder keyword (:meth:`RestoreRequestBuilder.fields`), shows the chosen
scenario's (required first, advanced ones in an accordion), rebuilds ``form.request`` on every change, and
shows the body and every :class:`~restorekit.restore.Problem` next to its field. The Restore button arms
only when there is no problem (and, to replace disks, once the VM's name is typed); one click sends one
restore (``item.restore(form.request, confirm=...)``), whose live progress appears below.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from datetime import timedelta
from html import escape
from typing import Any

import ipywidgets as widgets
import traitlets

from ..core.errors import ArmError, ConfirmationRequired, ValidationError
from ..model.points import RecoveryPoint
from ..restore.builders import SCENARIOS, FieldSpec, Problem, RestoreRequestBuilder
from ..restore.online_checks import Candidate, candidates, reader_of
from .picker import RecoveryPointPicker

_LABEL_STYLE = {"description_width": "230px"}
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


def _problem_html(problems: list[Problem]) -> str:
    return "".join(f"<div style='color:#b00020'>⚠ {escape(p.message)}<br><small>fix: {escape(p.fix)}</small></div>"
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
        help_text = widgets.HTML(f"<small style='color:#666'>{escape(spec.help)}</small>",
                                 layout=widgets.Layout(margin="0 0 0 236px"))
        self.choices = widgets.HTML(layout=widgets.Layout(margin="0 0 0 236px"))
        self.choices.add_class(f"rk-choices-{spec.name}")
        self.row = widgets.VBox([widgets.HBox([self.widget, self.message]), help_text, self.choices])
        self.row.add_class("rk-field")
        self.row.add_class(f"rk-field-{spec.name}")
        self._loaded: tuple[Any, Any] | None = None  # (what the widget showed, the value it stands for)

    @staticmethod
    def _make(spec: FieldSpec) -> widgets.ValueWidget:
        common = {"description": spec.label, "style": _LABEL_STYLE, "description_allow_html": False}
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
            + ("; not eligible: " + "; ".join(f"<span style='color:#999' title='{escape(str(c.why_not))}'>"
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
        self.message.value = _problem_html(problems)

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

    def show(self, value: Any) -> None:
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
        self.message.value = _problem_html(problems)

    def set_point(self, point: Any) -> None:
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

    def _explain(self, _change: Any = None) -> None:
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

    def show(self, value: Any) -> None:
        """Tick exactly the LUNs in ``value`` (None: none); LUNs the point lacks get a flagged checkbox."""
        ticked = {n for n in value if isinstance(n, int)} if isinstance(value, (list, tuple)) else set()
        self._rebuild(self._point_luns or [], ticked)


class RestoreForm(widgets.VBox):
    """A restore request form for one protected VM: scenario, point, the scenario's fields, preview, Restore.

    ``item`` is a :class:`~restorekit.client.resources.ProtectedItem` (anything with ``restore(request, confirm=...)``,
    ``vm_name`` and ``recovery_points()``); ``point`` preselects a point; ``request`` (a ``RestoreDisks``,
    ``ReplaceDisks`` or ``RestoreAsNewVM``) fills the form (see :meth:`load`); ``points`` skips listing them.

    ``form.request`` is the builder for what the form shows (None without a point), rebuilt on every change;
    ``form.problems`` its problems; ``form.operation`` the restore started by the Restore button.

    Example::

        form = rk.RestoreForm(item)
        form.fields["storage_account"].widget.value = "stagingacct"
        form.request.to_body()      # what Restore will send
    """

    request = traitlets.Any(None, allow_none=True, help="the restore builder the form describes, or None")
    operation = traitlets.Any(None, allow_none=True, help="the restore operation the Restore button started")

    def __init__(self, item: Any, point: RecoveryPoint | None = None, request: RestoreRequestBuilder | None = None,
                 *, points: Iterable[RecoveryPoint] | None = None, **kwargs: Any) -> None:
        if item is None and request is not None:
            item = request.point.owner
        self.item = item
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._submitting = False
        self._submitted = False
        self._loading = True
        self._notice = ""
        self._visible: list[str] = []
        self._advanced: list[str] = []
        first = request.point if request is not None else point
        self._points = self._list_points(points, first)
        self.picker = RecoveryPointPicker(self._points, value=first)
        self.picker.add_class("rk-point")
        self.point_message = widgets.HTML()
        self.point_message.add_class("rk-message-point")

        self.title = widgets.HTML(f"<h3 style='margin:4px 0'>Restore VM {escape(self.vm_name or '?')}</h3>")
        names = list(SCENARIOS)
        self.scenario = widgets.ToggleButtons(
            options=[(SCENARIOS[n].title, n) for n in names], value=request.scenario if request else names[0],
            tooltips=[SCENARIOS[n].description for n in names], description="Scenario")
        self.scenario.add_class("rk-scenario")
        self.scenario.style.button_width = "auto"  # full scenario titles, not "Restore as a new…"
        self.scenario_help = widgets.HTML()
        self.scenario_help.add_class("rk-scenario-help")

        self.fields: dict[str, FieldInput | LunInput] = {}
        for cls in SCENARIOS.values():
            for spec in cls.fields():
                if spec.name != "point" and spec.name not in self.fields:
                    self.fields[spec.name] = LunInput(spec) if spec.kind == "luns" else FieldInput(spec)
        self.advanced = widgets.Accordion(selected_index=None)
        self.advanced.add_class("rk-advanced")
        self.fields_box = widgets.VBox()
        self.fields_box.add_class("rk-fields")

        self.confirm_warning = widgets.HTML()
        self.confirm_warning.add_class("rk-destructive-warning")
        self.confirm = widgets.Text(description="Type the VM name to confirm", placeholder=self.vm_name or "",
                                    style=_LABEL_STYLE, layout=widgets.Layout(width="480px"))
        self.confirm.add_class("rk-confirm")
        self.confirm_box = widgets.VBox([self.confirm_warning, self.confirm])
        self.confirm_box.add_class("rk-confirm-box")

        self.messages = widgets.HTML()
        self.messages.add_class("rk-messages")
        self.restore_button = widgets.Button(description="Restore", icon="play", disabled=True,
                                             button_style="primary", tooltip="send this restore request to Azure")
        self.restore_button.add_class("rk-restore-button")
        self.restore_button.on_click(self._on_restore_click)
        self.again_button = widgets.Button(description="New restore…", icon="repeat",
                                           tooltip="prepare another restore (the button has to be armed again)",
                                           layout=widgets.Layout(display="none"))
        self.again_button.add_class("rk-restore-again")
        self.again_button.on_click(self._on_again)
        self.status = widgets.HTML()
        self.status.add_class("rk-restore-status")
        self.url = widgets.HTML()
        self.url.add_class("rk-preview-url")
        self.preview = widgets.HTML()
        self.preview.add_class("rk-preview")
        self.operation_box = widgets.VBox()
        self.operation_box.add_class("rk-operation")

        self.scenario.observe(self._on_scenario, "value")
        self.picker.observe(self._on_point, "value")
        for field in self.fields.values():
            field.observe(self._on_edit)
        self.confirm.observe(self._on_edit, "value")

        restore_page = widgets.VBox([
            self.title, self.scenario, self.scenario_help,
            widgets.HTML("<b>Recovery point</b>"), self.picker, self.point_message,
            self.fields_box, self.confirm_box, self.messages,
            widgets.HBox([self.restore_button, self.again_button, self.status]),
            widgets.HTML("<b>Request body</b> (live preview; nothing is sent until Restore)"), self.url,
            self.preview, self.operation_box])
        #: The "Recover files" tab (a FileRecoveryPanel once the tab is first opened, or :meth:`file_recovery`).
        self.files_page = widgets.VBox([widgets.HTML("<small>Open this tab to recover files…</small>")])
        self.tabs = widgets.Tab(children=[restore_page, self.files_page], titles=("Restore", "Recover files"))
        self.tabs.add_class("rk-restore-tabs")
        self.tabs.observe(self._on_tab, "selected_index")
        self._files_panel: Any = None
        super().__init__([self.tabs], **kwargs)
        self.add_class("rk-restore-form")
        self._layout()
        self._show_disks(self.picker.value)
        if request is not None:
            self.load(request)
        self._loading = False
        self._refresh()

    # --- the "Recover files" tab -------------------------------------------------------------------
    def _on_tab(self, change: dict[str, Any]) -> None:
        if change.get("new") == 1:
            self.file_recovery()

    def file_recovery(self) -> Any:
        """The "Recover files" tab's :class:`~restorekit.widgets.file_recovery.FileRecoveryPanel` (built once)."""
        if self._files_panel is None:
            from .file_recovery import FileRecoveryPanel

            self._files_panel = FileRecoveryPanel(self.item, self.picker.value, points=self._points)
            self.files_page.children = (self._files_panel,)
        return self._files_panel

    # --- what the form is about ------------------------------------------------------------------
    @property
    def vm_name(self) -> str | None:
        """Name of the VM being restored (the one to type to confirm a replace-disks restore)."""
        name = getattr(self.item, "vm_name", None)
        if isinstance(name, str) and name:
            return name
        point = getattr(self, "picker", None) and self.picker.value
        return point.item.vm_name if isinstance(point, RecoveryPoint) else None

    @property
    def builder_class(self) -> type[RestoreRequestBuilder]:
        """The builder of the chosen scenario (``RestoreDisks``, ``RestoreAsNewVM`` or ``ReplaceDisks``)."""
        return SCENARIOS[self.scenario.value]

    @property
    def point(self) -> RecoveryPoint | None:
        """The chosen recovery point."""
        value = self.picker.value
        return value if isinstance(value, RecoveryPoint) else None

    @property
    def visible_fields(self) -> list[str]:
        """Keywords the chosen scenario shows, in order (advanced ones last)."""
        return list(self._visible)

    @property
    def advanced_fields(self) -> list[str]:
        """Keywords shown in the "Advanced options" accordion for the chosen scenario."""
        return list(self._advanced)

    @property
    def confirmed(self) -> bool:
        """True when the scenario is destructive and the VM's name was typed in the confirmation box."""
        return bool(self.builder_class.destructive and self.vm_name
                    and self.confirm.value.strip() == self.vm_name)

    @property
    def armed(self) -> bool:
        """True when the Restore button would send the request."""
        return self._arming()[0]

    def _list_points(self, points: Iterable[RecoveryPoint] | None, first: RecoveryPoint | None) -> list[Any]:
        if points is None:
            try:
                points = self.item.recovery_points()
            except Exception as exc:  # a fake item, or ARM said no: the given point still works
                self._notice = f"<div>could not list the recovery points: {escape(str(exc))}</div>"
                points = []
        found = list(points)
        if first is not None and not any(p.id.lower() == first.id.lower() for p in found):
            found.insert(0, first)
        return found

    # --- filling from a builder ------------------------------------------------------------------
    def load(self, request: RestoreRequestBuilder) -> None:
        """Show ``request`` in the form: its scenario, point (added to the list if missing) and every keyword."""
        if not isinstance(request, RestoreRequestBuilder):
            raise TypeError(f"load() takes a RestoreDisks, ReplaceDisks or RestoreAsNewVM, got {type(request).__name__}")
        was_loading, self._loading = self._loading, True
        try:
            self.scenario.value = request.scenario
            if self.picker._entry_of(request.point) is None:
                self.picker.load([request.point, *(e.payload for e in self.picker.entries)])
            self.picker.value = request.point
            self.fields["luns"].set_point(request.point)
            for name, value in request.values().items():
                if name in self.fields:
                    self.fields[name].show(value)
        finally:
            self._loading = was_loading
        self._notice = ""
        self._refresh()

    # --- reacting to changes ---------------------------------------------------------------------
    def _layout(self) -> None:
        cls = self.builder_class
        specs = [s for s in cls.fields() if s.name != "point"]
        for spec in specs:
            self.fields[spec.name].set_required(spec.required)
        point = self.picker.value
        archived = bool(point is not None and getattr(point, "is_archived_only", False))

        def in_advanced(spec: Any) -> bool:  # rehydration only matters up front for an archived point
            return spec.advanced or (spec.name.startswith("rehydration") and not archived)

        main = sorted((s for s in specs if not in_advanced(s)), key=lambda s: not s.required)
        advanced = [s for s in specs if in_advanced(s)]
        self._visible = [s.name for s in main + advanced]
        self._advanced = [s.name for s in advanced]
        self.advanced.children = (widgets.VBox([self.fields[s.name].row for s in advanced]),)
        self.advanced.titles = (f"Advanced options ({len(advanced)})",)
        self.fields_box.children = (*(self.fields[s.name].row for s in main), self.advanced)
        warn = (" <b style='color:#b00020'>Destructive: the VM's current disks are replaced.</b>"
                if cls.destructive else "")
        self.scenario_help.value = f"<small>{escape(cls.title)}: {escape(cls.description)}.</small>{warn}"
        self.confirm_box.layout.display = "" if cls.destructive else "none"
        self.confirm_warning.value = (
            f"<div style='color:#b00020'>Replacing disks overwrites the disks of VM <b>{escape(self.vm_name or '?')}"
            f"</b> with those of the chosen point and restarts it. Type <code>{escape(self.vm_name or '?')}</code> "
            "below to arm the Restore button.</div>")

    def _on_scenario(self, _change: Any = None) -> None:
        self.confirm.value = ""  # a confirmation is for one scenario and point
        self._show_disks(self.point)
        self._layout()
        self._on_edit()

    def _on_point(self, change: dict[str, Any]) -> None:
        self._show_disks(change["new"])
        self.confirm.value = ""
        self._layout()
        self._on_edit()

    def _show_disks(self, point: Any) -> None:
        """The point's disks as checkboxes; a point from a list is read alone for them (once), for a disk restore."""
        if isinstance(point, RecoveryPoint) and "luns" in {f.name for f in self.builder_class.fields()}:
            point = point.with_disk_list()
        self.fields["luns"].set_point(point)

    def _on_edit(self, _change: Any = None) -> None:
        if self._loading:
            return
        self._notice = ""
        self._refresh()

    def _inputs(self, cls: type[RestoreRequestBuilder]) -> tuple[dict[str, Any], list[Problem]]:
        kwargs: dict[str, Any] = {}
        errors = []
        for spec in cls.fields():
            if spec.name == "point":
                continue
            value, error = self.fields[spec.name].read()
            if error is not None:
                errors.append(Problem(spec.name, error, f"correct {spec.label.lower()} or empty it"))
            elif value is not None:
                kwargs[spec.name] = value
        return kwargs, errors

    def _refresh(self) -> None:
        if self._loading:
            return
        cls = self.builder_class
        kwargs, problems = self._inputs(cls)
        request = None
        point = self.point
        if point is None:
            problems.append(Problem("point", "no recovery point is chosen",
                                    "choose one above (widen the filters if none matches)"))
        else:
            try:
                request = cls(point, **kwargs)
            except ValidationError as exc:
                problems.extend(exc.problems)
            except (TypeError, ValueError) as exc:
                problems.append(Problem("form", str(exc), "correct the fields"))
        self.notes = []
        if request is not None:
            try:
                report = request.check(online=self.online)  # cached reads: re-checking on each edit is cheap
                problems.extend(report.problems)
                self.notes = report.notes
            except Exception as exc:  # a checker bug must not break the form
                problems.append(Problem("form", f"could not check the request: {exc}", "report this"))
            self._offer_choices(request)
        self.problems = problems
        self.request = request
        self._render()

    @property
    def online(self) -> bool:
        """True when the form checks the live estate (its point was read through a connection)."""
        point = self.point
        return point is not None and getattr(getattr(point.owner, "connection", None), "arm", None) is not None

    def _offer_choices(self, request: RestoreRequestBuilder) -> None:
        if not self.online:
            return
        try:
            reader = reader_of(request)
            region = request.target_region if isinstance(request.target_region, str) else None
            network = self.fields["virtual_network"].read()[0]
            for field in self.fields.values():
                if isinstance(field, FieldInput) and field.spec.kind in PICKABLE_KINDS:
                    field.set_choices(candidates(field.spec.kind, reader, region,
                                                 virtual_network=network if isinstance(network, str) else None))
        except Exception:  # the lists are a help: the checks still report what is wrong
            pass

    # --- rendering -------------------------------------------------------------------------------
    def _render(self) -> None:
        visible = set(self._visible)
        for name, field in self.fields.items():
            field.set_problems([p for p in self.problems if p.field == name and name in visible])
        self.point_message.value = _problem_html([p for p in self.problems if p.field == "point"])
        general = [p for p in self.problems if p.field not in visible and p.field != "point"]
        hidden = [p for p in self.problems if p.field in self._advanced]
        parts = [self._notice] if self._notice else []
        if general:
            parts.append("<div><b>Problems with the request:</b></div>" + "".join(
                f"<div style='color:#b00020'>⚠ {escape(p.field)}: {escape(p.message)}<br>"
                f"<small>fix: {escape(p.fix)}</small></div>" for p in general))
        if hidden:
            parts.append(f"<div style='color:#b00020'>⚠ {len(hidden)} problem(s) in Advanced options: "
                         + escape(", ".join(sorted({p.field for p in hidden}))) + "</div>")
        parts.extend(f"<div style='color:#8a6d00'>note — {escape(n.field)}: {escape(n.message)}<br>"
                     f"<small>{escape(n.fix)}</small></div>" for n in self.notes)
        where = "against the live estate" if self.online else "offline"
        if not self.problems and not self._notice:
            parts.append(f"<div style='color:#1b5e20'>✔ No problems found (checked {where}).</div>")
        elif self.problems:
            parts.append(f"<div><small>{len(self.problems)} problem(s) in all; messages are next to their "
                         "fields.</small></div>")
        self.messages.value = "".join(parts)
        self.advanced.titles = (f"Advanced options ({len(self._advanced)})"
                                + (f" — {len(hidden)} problem(s)" if hidden else ""),)
        request = self.request
        if request is None:
            self.preview.value = "<pre>(no request yet: choose a recovery point)</pre>"
            self.url.value = ""
        else:
            self.preview.value = f"<pre style='font-size:12px;line-height:1.3'>{escape(request.to_json())}</pre>"
            try:
                self.url.value = f"<code>POST {escape(request.url)}</code>"
            except Exception:  # the URL is a nicety; never let it break the preview
                self.url.value = ""
        self._render_button()

    def _arming(self) -> tuple[bool, str]:
        if self._submitting:
            return False, "submitting the restore…"
        if self._submitted:
            return False, "restore submitted (see below); click “New restore…” to prepare another"
        if self.request is None:
            return False, "choose a recovery point"
        if self.problems:
            return False, f"fix the {len(self.problems)} problem(s) above to arm Restore"
        if self.builder_class.destructive and not self.confirmed:
            return False, f"type {self.vm_name or 'the VM name'} in the confirmation box to arm Restore"
        return True, "ready: Restore sends this request once"

    def _render_button(self) -> None:
        armed, why = self._arming()
        self.restore_button.disabled = not armed
        self.restore_button.button_style = "danger" if self.builder_class.destructive else "primary"
        self.status.value = f"<small>{escape(why)}</small>"
        self.again_button.layout.display = "" if self._submitted else "none"

    # --- restoring -------------------------------------------------------------------------------
    def _on_restore_click(self, _button: Any = None) -> None:
        self.restore_button.disabled = True  # first: a second click in flight finds the button off
        if not self._lock.acquire(blocking=False):
            return  # re-entrant or concurrent click while one is being handled
        try:
            if self._submitting or self._submitted or not self._arming()[0]:
                return
            self._submitting = True
            self._render_button()
            request, confirm = self.request, self.confirmed
            try:
                operation = self._trigger_restore(request, confirm)
            except Exception as exc:  # shown in the form, never as a traceback in the cell
                self.error = exc
                self._notice = self._error_html(exc)
            else:
                self.error = None
                self._submitted = True
                self._notice = "<div style='color:#1b5e20'>✔ Restore submitted.</div>"
                self.operation = operation
                self._show_operation(operation)
            finally:
                self._submitting = False
        finally:
            self._lock.release()
            self._render()

    def _trigger_restore(self, request: RestoreRequestBuilder, confirm: bool) -> Any:
        restore = getattr(self.item, "restore", None)
        if restore is None:
            raise ValueError("the form has no protected item to restore: create it with RestoreForm(item)")
        return restore(request, confirm=confirm, display=False)  # the form shows the progress itself

    @staticmethod
    def _error_html(exc: BaseException) -> str:
        if isinstance(exc, ValidationError):
            title = "The request was refused before sending it:"
        elif isinstance(exc, ConfirmationRequired):
            title = "Confirmation needed, nothing was sent:"
        elif isinstance(exc, ArmError):
            title = "Azure refused the restore:"
        else:
            title = f"The restore could not be started ({type(exc).__name__}):"
        return (f"<div style='color:#b00020'><b>{escape(title)}</b><pre style='white-space:pre-wrap'>"
                f"{escape(str(exc))}</pre></div>")

    def _show_operation(self, operation: Any) -> None:
        view: widgets.Widget | None = None
        if hasattr(operation, "add_listener") and hasattr(operation, "start"):
            try:
                from .progress import OperationProgress

                view = OperationProgress(operation)
            except Exception:  # progress view unavailable: fall back to the operation's text
                view = None
        if view is None:
            view = widgets.HTML(f"<code>{escape(repr(operation))}</code>")
        self.operation_box.children = (view,)

    def _on_again(self, _button: Any = None) -> None:
        self.reset()

    def reset(self) -> None:
        """Prepare another restore after one was submitted: the button must be armed again (confirmation too)."""
        with self._lock:
            self._submitted = False
            self._notice = ""
        self.confirm.value = ""
        self._refresh()

    def __repr__(self) -> str:
        point = self.point.name if self.point else None
        return (f"<RestoreForm VM {self.vm_name} {self.scenario.value} point={point} "
                f"problems={len(self.problems)} armed={self.armed}>")


__all__ = ["RestoreForm", "FieldInput", "LunInput"]
