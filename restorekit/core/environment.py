"""Where the code runs: a notebook with a live widget frontend, or headless (papermill, nbval, a script).

The one place that decides how restorekit shows what runs: :class:`Frontend`, which a connection owns
(``rk.connect(headless=...)``) and passes to what it starts. ``Frontend.headless`` and ``Frontend.display`` force a
choice; left to ``None``, :func:`is_headless` detects the frontend and :func:`should_display` says whether an
operation shows itself at all (inside a kernel). Detection, in order:

1. ``RESTOREKIT_HEADLESS=1`` forces headless, ``RESTOREKIT_HEADLESS=0`` forces live;
2. outside an IPython kernel (a script, a terminal): headless, and there blocking calls print the status lines
   themselves (:meth:`Frontend.prints_lines`), as no display shows them;
3. ipywidgets' control comm (``jupyter.widget.control``) is open: live. JupyterLab's widget manager
   opens it when it connects, but only if ipywidgets was imported in the kernel by then;
4. the current ``execute_request`` carries JupyterLab 4 / Notebook 7 metadata (``deletedCells`` or
   ``recordTiming``): live. This covers a fresh kernel that imported ipywidgets lazily;
5. otherwise headless: papermill and nbval send neither.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


def in_kernel() -> bool:
    """True inside a Jupyter kernel (ipykernel), False in a script or a terminal IPython."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()  # type: ignore[attr-defined]
    except Exception:
        return False
    return ip is not None and getattr(ip, "kernel", None) is not None


def widget_frontend_connected() -> bool:
    """True when a widget-capable frontend has opened ipywidgets' control comm in this kernel."""
    widget_module = sys.modules.get("ipywidgets.widgets.widget")
    if widget_module is None:
        return False
    return getattr(widget_module.Widget, "_control_comm", None) is not None


def request_from_lab_frontend() -> bool:
    """True when the cell being run was sent by JupyterLab 4 / Notebook 7 (their execute metadata)."""
    shell = sys.modules.get("IPython")
    try:
        kernel = shell.get_ipython().kernel  # type: ignore[union-attr]
        parent = kernel.get_parent("shell") if hasattr(kernel, "get_parent") else kernel._parent_header
    except Exception:
        return False
    metadata = (parent or {}).get("metadata") or {}
    return "deletedCells" in metadata or "recordTiming" in metadata


def should_display(display: bool | None = None) -> bool:
    """Whether an operation shows itself in the notebook: ``display`` when given, else inside a kernel."""
    return in_kernel() if display is None else bool(display)


def is_headless() -> bool:
    """True when nobody can watch a live widget: block and print plain text instead (see module doc)."""
    forced = os.environ.get("RESTOREKIT_HEADLESS", "").strip().lower()
    if forced in {"1", "true", "yes"}:
        return True
    if forced in {"0", "false", "no"}:
        return False
    if not in_kernel():
        return True
    return not (widget_frontend_connected() or request_from_lab_frontend())


@dataclass(frozen=True)
class Frontend:
    """How a connection shows what it runs: a live widget or plain-text lines, and whether it shows it at all.

    ``headless``: ``True`` prints status lines, ``False`` shows live widgets, ``None`` detects (:func:`is_headless`).
    ``display``: whether a restore shows itself in the notebook when it starts (``None``: inside a kernel).
    """

    headless: bool | None = None
    display: bool | None = None

    def is_headless(self) -> bool:
        """True when status lines are printed instead of a live widget."""
        return is_headless() if self.headless is None else self.headless

    def shows(self, display: bool | None = None) -> bool:
        """Whether an operation shows itself: ``display`` when given, else this frontend's choice."""
        return should_display(self.display if display is None else display)

    def prints_lines(self, display: bool | None = None) -> bool:
        """Whether blocking calls print an operation's status lines themselves: headless outside a kernel (a plain
        script, a terminal), unless ``display`` (or this frontend's ``display``) is False.

        In a notebook the operation's display does it instead (a live widget, or papermill's status lines).
        """
        chosen = self.display if display is None else display
        return chosen is not False and self.is_headless() and not in_kernel()
