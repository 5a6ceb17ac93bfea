"""Where the code runs: a notebook with a live widget frontend, or headless (papermill, nbval, a script).

Rule: ``RESTOREKIT_HEADLESS=1`` forces headless and ``RESTOREKIT_HEADLESS=0`` forces live; otherwise
code outside an IPython kernel is headless, and inside a kernel a live widget frontend is present
once ipywidgets' control comm (``jupyter.widget.control``, which JupyterLab's widget manager opens when
it connects to the kernel) has been opened. papermill and nbval never open it.
"""

from __future__ import annotations

import os
import sys


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


def is_headless() -> bool:
    """True when nobody can watch a live widget: block and print plain text instead (see module doc)."""
    forced = os.environ.get("RESTOREKIT_HEADLESS", "").strip().lower()
    if forced in {"1", "true", "yes"}:
        return True
    if forced in {"0", "false", "no"}:
        return False
    if not in_kernel():
        return True
    return not widget_frontend_connected()
