"""Live progress of a restore in a notebook cell: :class:`OperationProgress`, and how a restore shows itself.

:func:`show_operation` is the display hook of a :class:`~restorekit.restore.run.operation.RestoreOperation`:
``restorekit/__init__.py`` registers it with IPython (by type name, from above every layer), so ``display(op)``
and a cell whose value is an operation show an ``OperationProgress`` when the connection's frontend is live, and
return at once: the operation's polling thread calls :meth:`OperationProgress.update`, which only sets widget
traits (no ``Output`` widget, no printing). Headless, it blocks and prints status lines instead.

The headless rule lives in :mod:`restorekit.core.environment` (:class:`~restorekit.core.environment.Frontend`;
:func:`is_headless`, re-exported here, detects).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..core.environment import is_headless
from ..core.times import format_duration

if TYPE_CHECKING:  # pragma: no cover
    from ..restore.run.operation import RestoreOperation

__all__ = ["OperationProgress", "is_headless", "show_operation"]


def show_operation(op: RestoreOperation) -> None:
    """Show a restore in the notebook: its live widget, or (headless) block and print its status lines."""
    if op.frontend.is_headless():
        op.watch()
        return
    from IPython.display import display

    display(OperationProgress(op))

_BAR_STYLES = {"done": "success", "failed": "danger", "cancelled": "warning"}
#: Property-bag entries the final summary repeats (the rest is in ``job.property_bag``).
_BAG_SHOWN = ("Target resource group", "Restore location", "Recovery point ID")




class OperationProgress(widgets.VBox):
    """A live view of a restore: phase, job status, progress bar, elapsed/remaining time, Cancel.

    ``op`` is a :class:`~restorekit.restore.run.operation.RestoreOperation` (or anything with ``phase``, ``job``,
    ``job_id``, ``elapsed``, ``done``, ``error``, ``vm_name``, ``status_line()``, ``add_listener()``,
    ``start()`` and ``cancel()``). ``start=False`` leaves polling to the caller (tests).
    """

    def __init__(self, op: RestoreOperation, *, start: bool = True, **kwargs: object) -> None:
        self.op = op
        self.title = widgets.HTML()
        self.phase_label = widgets.HTML()
        self.status_label = widgets.Label()
        self.bar = widgets.FloatProgress(value=0.0, min=0.0, max=100.0, bar_style="info",
                                         layout=widgets.Layout(width="320px"))
        self.times = widgets.Label()
        self.summary = widgets.HTML()
        self.cancel_button = widgets.Button(description="Cancel", button_style="warning", icon="stop",
                                            tooltip="Ask Azure Backup to cancel this restore job")
        self.cancel_button.on_click(self._on_cancel)
        self.cancel_clicks = 0
        super().__init__([self.title, widgets.HBox([self.phase_label, self.status_label]),
                          widgets.HBox([self.bar, self.times]), self.summary, self.cancel_button], **kwargs)
        self.add_class("rk-progress")
        self.bar.add_class("rk-progress-bar")
        self.summary.add_class("rk-progress-summary")
        self.cancel_button.add_class("rk-progress-cancel")
        self.update(op)
        op.add_listener(self.update)
        if start:
            op.start()

    def _on_cancel(self, _button: widgets.Button | None = None) -> None:
        if self.cancel_clicks or self.op.done:
            return
        self.cancel_clicks += 1
        self.cancel_button.disabled = True
        self.cancel_button.description = "Cancelling…"
        self.op.cancel()

    def update(self, op: RestoreOperation | None = None) -> None:
        """Refresh every trait from the operation (called from the polling thread: traits only)."""
        op = op or self.op
        job = op.current_job
        phase = op.phase
        badge = (" <span class='rk-emulator-badge' style='background:#fff3cd;border:1px solid #e0b400;"
                 "padding:0 4px'>local emulator, not Azure</span>" if op.on_emulator else "")
        self.title.value = f"<b>Restore of VM {escape(str(op.vm_name or '?'))}</b>{badge}"
        steps = ["submitted", "operation", "job"]
        shown = [f"<b>{s}</b>" if s == phase else s for s in steps]
        if phase not in steps:
            shown.append(f"<b>{escape(phase)}</b>")
        self.phase_label.value = " → ".join(shown)
        status = job.status if job is not None else ("waiting for the job id" if not op.job_id else "looking up job")
        self.status_label.value = f"  job {op.job_id or '—'}: {status}"
        progress = job.progress if job is not None else None
        if progress is not None:
            self.bar.value = float(max(0.0, min(100.0, progress)))
        remaining = job.estimated_remaining if job is not None else None
        text = f"elapsed {format_duration(op.elapsed)}"
        if remaining is not None and not op.done:
            text += f", about {format_duration(remaining)} left"
        self.times.value = text
        if op.done:
            self.bar.bar_style = _BAR_STYLES.get(phase, "danger")
            if phase == "done":
                self.bar.value = 100.0
            self.cancel_button.disabled = True
            self.cancel_button.layout.display = "none"  # nothing left to cancel
            self.summary.value = self._summary_html(op)

    def _summary_html(self, op: RestoreOperation) -> str:
        line = escape(op.status_line())
        rows = []
        job = op.current_job
        if job is not None and op.phase == "done" and job.succeeded:  # a failed job advertises no results
            portal = op.connection.portal_url
            for label, value in (("storage account", job.target_storage_account),
                                 ("vmconfig.json", job.config_blob_uri), ("template", job.template_blob_uri)):
                if value:
                    rows.append(f"<li>{label}: <code>{escape(str(value))}</code></li>")
            for label, rid in job.result_ids():
                link = portal(rid)
                target = f" (<a href='{escape(link)}' target='_blank'>portal</a>)" if link else ""
                rows.append(f"<li>{escape(label)}: <code>{escape(rid)}</code>{target}</li>")
            bag = job.property_bag
            rows.extend(f"<li>{escape(k)}: {escape(bag[k])}</li>" for k in _BAG_SHOWN if bag.get(k))
        if op.error is not None and op.phase == "failed":
            rows.extend(f"<li>{escape(r)}</li>" for r in str(op.error).splitlines()[1:])
        listed = f"<ul>{''.join(rows)}</ul>" if rows else ""
        return f"<div class='restorekit-summary'>{line}{listed}</div>"
