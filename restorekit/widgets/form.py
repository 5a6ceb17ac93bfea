"""A restore request as a form: :class:`RestoreForm`, over the same builders and checks as the code API.

The form holds one input per builder keyword (:mod:`restorekit.widgets.form_inputs`), shows the chosen scenario's
(required first, advanced ones in an accordion), rebuilds ``form.request`` on every change, and shows the body
and every problem next to its field. It is a view over three parts that know nothing of widgets:

* the request, a value (:mod:`restorekit.restore.request.builders`);
* what it reads of Azure, all through its item (:mod:`restorekit.widgets.form_reads`): the points, a point's
  disks, the checks against the live estate, the resources each field offers;
* the Restore button's state machine (:mod:`restorekit.widgets.form_state`): it arms only when there is no problem
  (and, to replace disks, once the VM's name is typed), and one click sends one restore
  (``item.restore(form.request, confirm=...)``), whose live progress appears below.

Its look is a stylesheet (``form.css``, shown once at the top of the form), not styles written into the HTML.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from html import escape
from importlib.resources import files
from typing import Any

import ipywidgets as widgets
import traitlets

from ..core.errors import ApprovalRequired, ArmError, ConfirmationRequired, SoftDeletedItem, ValidationError
from ..model.points import RecoveryPoint
from ..restore.approval import Approval
from ..restore.request.builders import SCENARIOS, FieldSpec, Problem, RestoreRequestBuilder
from ..restore.request.fields import in_form_words
from ..restore.run.operation import RestoreOperation
from .form_inputs import LABEL_STYLE, PICKABLE_KINDS, FieldInput, LunInput, problem_html
from .form_reads import FormItem, ItemReads
from .form_state import Readiness, SubmitState
from .picker import Change, RecoveryPointPicker

#: The form's stylesheet, read once.
STYLESHEET = files(__package__).joinpath("form.css").read_text()


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

    def __init__(self, item: FormItem, point: RecoveryPoint | None = None, request: RestoreRequestBuilder | None = None,
                 *, points: Iterable[RecoveryPoint] | None = None, approval: Approval | None = None,
                 **kwargs: Any) -> None:
        self.item = item
        #: What approves restores of a vault guarded by a Resource Guard (``rk.Approval``), sent with Restore.
        self.approval = approval
        self.reads = ItemReads(item)
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        #: The Restore button's state machine (armed, submitting, submitted; one click, one restore).
        self.submission: SubmitState[Any] = SubmitState()
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

        self.title = widgets.HTML(f"<h3 class='rk-title'>Restore VM {escape(self.vm_name or '?')}</h3>")
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
                                    style=LABEL_STYLE, layout=widgets.Layout(width="480px"))
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
        super().__init__([widgets.HTML(f"<style>{STYLESHEET}</style>"), self.tabs], **kwargs)
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

    @property
    def error(self) -> BaseException | None:
        """Why the last click could not start the restore (None when it did, or before any click)."""
        return self.submission.error

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

        def in_advanced(spec: FieldSpec) -> bool:  # rehydration only matters up front for an archived point
            return spec.advanced or (spec.name.startswith("rehydration") and not archived)

        main = sorted((s for s in specs if not in_advanced(s)), key=lambda s: not s.required)
        advanced = [s for s in specs if in_advanced(s)]
        self._visible = [s.name for s in main + advanced]
        self._advanced = [s.name for s in advanced]
        self.advanced.children = (widgets.VBox([self.fields[s.name].row for s in advanced]),)
        self.advanced.titles = (f"Advanced options ({len(advanced)})",)
        self.fields_box.children = (*(self.fields[s.name].row for s in main), self.advanced)
        warn = (" <b class='rk-problem'>Destructive: the VM's current disks are replaced.</b>"
                if cls.destructive else "")
        self.scenario_help.value = f"<small>{escape(cls.title)}: {escape(cls.description)}.</small>{warn}"
        self.confirm_box.layout.display = "" if cls.destructive else "none"
        self.confirm_warning.value = (
            f"<div class='rk-problem'>Replacing disks overwrites the disks of VM <b>{escape(self.vm_name or '?')}"
            f"</b> with those of the chosen point and restarts it. Type <code>{escape(self.vm_name or '?')}</code> "
            "below to arm the Restore button.</div>")

    def _on_scenario(self, _change: Change | None = None) -> None:
        self.confirm.value = ""  # a confirmation is for one scenario and point
        self._show_disks(self.point)
        self._layout()
        self._on_edit()

    def _on_point(self, change: dict[str, Any]) -> None:
        self._show_disks(change["new"])
        self.confirm.value = ""
        self._layout()
        self._on_edit()

    def _show_disks(self, point: RecoveryPoint | None) -> None:
        """The point's disks as checkboxes; a point from a list is read alone for them (once), for a disk restore."""
        if isinstance(point, RecoveryPoint) and "luns" in {f.name for f in self.builder_class.fields()}:
            point = self.reads.with_disks(point)
        self.fields["luns"].set_point(point)

    def _on_edit(self, _change: Change | None = None) -> None:
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
                report = self.reads.check(request)  # cached reads: re-checking on each edit is cheap
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
        """True when the form checks the live estate (its item was read through a connection)."""
        return self.reads.online

    def _offer_choices(self, request: RestoreRequestBuilder) -> None:
        try:
            network = self.fields["virtual_network"].read()[0]
            for field in self.fields.values():
                if isinstance(field, FieldInput) and field.spec.kind in PICKABLE_KINDS:
                    field.set_choices(self.reads.choices(field.spec.kind, request,
                                                         network if isinstance(network, str) else None))
        except Exception:  # noqa: BLE001 - the lists are a help: the checks still report what is wrong
            pass

    # --- rendering -------------------------------------------------------------------------------
    def _in_form_words(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems as the form says them: fields by their labels, fixes without Python (``fill in 'New VM
        name'``, not ``pass target_vm_name=...``); ``form.problems`` keeps them as the checks wrote them."""
        labels = {name: field.spec.label for name, field in self.fields.items()}
        return [dataclasses.replace(p, field=labels.get(p.field, p.field), fix=in_form_words(p.fix, labels))
                for p in problems]

    def _render(self) -> None:
        visible = set(self._visible)
        for name, field in self.fields.items():
            field.set_problems(self._in_form_words(p for p in self.problems if p.field == name and name in visible))
        self.point_message.value = problem_html(self._in_form_words(p for p in self.problems if p.field == "point"))
        general = self._in_form_words(p for p in self.problems if p.field not in visible and p.field != "point")
        hidden = self._in_form_words(p for p in self.problems if p.field in self._advanced)
        parts = [self._notice] if self._notice else []
        if general:
            parts.append("<div><b>Problems with the request:</b></div>" + "".join(
                f"<div class='rk-problem'>⚠ {escape(p.field)}: {escape(p.message)}<br>"
                f"<small>fix: {escape(p.fix)}</small></div>" for p in general))
        if hidden:
            parts.append(f"<div class='rk-problem'>⚠ {len(hidden)} problem(s) in Advanced options: "
                         + escape(", ".join(sorted({p.field for p in hidden}))) + "</div>")
        parts.extend(f"<div class='rk-note'>note — {escape(n.field)}: {escape(n.message)}<br>"
                     f"<small>{escape(n.fix)}</small></div>" for n in self._in_form_words(self.notes))
        where = "against the live estate" if self.online else "offline"
        if not self.problems and not self._notice:
            parts.append(f"<div class='rk-ok'>✔ No problems found (checked {where}).</div>")
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
            self.preview.value = f"<pre class='rk-body'>{escape(request.to_json())}</pre>"
            try:
                self.url.value = f"<code>POST {escape(request.url)}</code>"
            except Exception:  # the URL is a nicety; never let it break the preview
                self.url.value = ""
        self._render_button()

    def _readiness(self) -> Readiness:
        return Readiness(self.request is not None, len(self.problems), self.builder_class.destructive,
                         self.confirmed, self.vm_name)

    def _arming(self) -> tuple[bool, str]:
        return self.submission.arming(self._readiness())

    def _render_button(self) -> None:
        armed, why = self._arming()
        self.restore_button.disabled = not armed
        self.restore_button.button_style = "danger" if self.builder_class.destructive else "primary"
        self.status.value = f"<small>{escape(why)}</small>"
        self.again_button.layout.display = "" if self.submission.submitted else "none"

    # --- restoring -------------------------------------------------------------------------------
    def _on_restore_click(self, _button: widgets.Button | None = None) -> None:
        self.restore_button.disabled = True  # first: a second click in flight finds the button off
        request, confirm = self.request, self.confirmed
        sent = self.submission.submit(self._readiness, lambda: self._trigger_restore(request, confirm),
                                      on_change=self._render_button)
        if sent and self.submission.error is not None:
            self._notice = self._error_html(self.submission.error)
        elif sent:
            self._notice = "<div class='rk-ok'>✔ Restore submitted.</div>"
            self.operation = self.submission.sent
            self._show_operation(self.operation)
        self._render()

    def _trigger_restore(self, request: RestoreRequestBuilder | None, confirm: bool) -> RestoreOperation:
        assert request is not None  # armed: there is a request
        if self.approval is not None:  # a guarded vault: the approval goes with the restore
            return self.item.restore(request, confirm=confirm, display=False, approval=self.approval)  # type: ignore[call-arg]
        return self.item.restore(request, confirm=confirm, display=False)  # the form shows the progress itself

    @staticmethod
    def _error_html(exc: BaseException) -> str:
        if isinstance(exc, ValidationError):
            title = "The request was refused before sending it:"
        elif isinstance(exc, ConfirmationRequired):
            title = "Confirmation needed, nothing was sent:"
        elif isinstance(exc, ApprovalRequired):
            title = "An approval is needed (RestoreForm(item, approval=rk.Approval(...))):"
        elif isinstance(exc, SoftDeletedItem):
            title = "Undelete the item first, nothing was sent:"
        elif isinstance(exc, ArmError):
            title = "Azure refused the restore:"
        else:
            title = f"The restore could not be started ({type(exc).__name__}):"
        return (f"<div class='rk-problem'><b>{escape(title)}</b><pre class='rk-error-text'>"
                f"{escape(str(exc))}</pre></div>")

    def _show_operation(self, operation: RestoreOperation | object) -> None:
        if isinstance(operation, RestoreOperation):
            from .progress import OperationProgress

            self.operation_box.children = (OperationProgress(operation),)
        else:  # an item that is not a protected item returned something else: its text
            self.operation_box.children = (widgets.HTML(f"<code>{escape(repr(operation))}</code>"),)

    def _on_again(self, _button: widgets.Button | None = None) -> None:
        self.reset()

    def reset(self) -> None:
        """Prepare another restore after one was submitted: the button must be armed again (confirmation too)."""
        self.submission.reset()
        self._notice = ""
        self.confirm.value = ""
        self._refresh()

    def __repr__(self) -> str:
        point = self.point.name if self.point else None
        return (f"<RestoreForm VM {self.vm_name} {self.scenario.value} point={point} "
                f"problems={len(self.problems)} armed={self.armed}>")


__all__ = ["RestoreForm", "FieldInput", "LunInput"]
