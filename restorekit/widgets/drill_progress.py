"""Live progress of a restore drill in a notebook cell: one line per VM, its phase and time, then the verdicts.

:func:`show_drill` is how a :class:`~restorekit.restore.drill.runner.Drill` shows itself: this widget when a
widget-capable frontend watches, else (papermill, nbval, a script) the drill's status lines, printed until it
ends (the drill's connection's frontend decides). The drill's threads call :meth:`DrillProgress.update`, which
only sets widget traits.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any

import ipywidgets as widgets

_COLOURS = {"passed": "#1b5e20", "failed": "#b00020"}


class DrillProgress(widgets.VBox):
    """A live view of a drill (anything with ``plan``, ``machines``, ``state``, ``done``, ``add_listener()`` and
    ``report_now()``)."""

    def __init__(self, drill: Any, **kwargs: Any) -> None:
        self.drill = drill
        plan = drill.plan
        badge = (" <span class='rk-emulator-badge' style='background:#fff3cd;border:1px solid #e0b400;"
                 "padding:0 4px'>local emulator, not Azure</span>" if "emulator" in plan.where.lower() else "")
        self.title = widgets.HTML(f"<b>Restore drill {escape(plan.drill_id)}</b>: {len(plan.machines)} VM(s) into "
                                  f"<code>{escape(plan.resource_group)}</code>{badge}")
        self.state = widgets.HTML()
        self.lines = [widgets.HTML() for _ in plan.machines]
        self.summary = widgets.HTML()
        super().__init__([self.title, self.state, *self.lines, self.summary], **kwargs)
        self.add_class("rk-drill-progress")
        self.summary.add_class("rk-drill-summary")
        self.update(drill)
        drill.add_listener(self.update)

    def update(self, drill: Any = None) -> None:
        """Refresh every line (called from the drill's threads: traits only)."""
        drill = drill or self.drill
        now = time.monotonic()
        self.state.value = f"<i>{escape(drill.state)}</i>"
        for line, result in zip(self.lines, drill.machines, strict=True):
            colour = _COLOURS.get(str(result.verdict), "#444")
            line.value = (f"<span class='rk-drill-vm' style='color:{colour}'>{escape(result.status_line(now))}"
                          "</span>")
        if drill.done:
            self.summary.value = f"<b>{escape(drill.report_now().summary())}</b>"


def show_drill(drill: Any) -> None:
    """Show a drill: the live widget, or, headless, its status lines until it ends (the drill runs meanwhile)."""
    if drill.frontend.is_headless():
        drill.wait(out=print)
        return
    from IPython.display import display

    display(DrillProgress(drill))
