"""restorekit: explore Azure VM backups and run restores from Jupyter.

>>> import restorekit as rk
>>> az = rk.connect()                  # no Azure settings: starts the local emulator and says so
>>> item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
>>> df = item.recovery_points().to_frame()

Names are imported lazily, so ``import restorekit`` stays fast and loads neither pandas, matplotlib,
ipywidgets nor azure-identity. Inside an IPython kernel, this module registers how a restore and a restore drill
show themselves (``restorekit.widgets.progress.show_operation``, ``restorekit.widgets.drill_progress.show_drill``):
the display hooks, from above every layer, by type name, so nothing is imported until one is shown. It also
registers how a DataFrame is shown: the frames restorekit returns (marked by ``data.readable.for_people``) as
``rk.readable`` shows them (times to the second with their zone, durations in words, text whole); every other
frame exactly as pandas shows it.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from ._version import __version__

_EXPORTS = {
    # connecting and resources
    "connect": "client.connection",
    "Connection": "client.connection",
    "DevTokenCredential": "client.connection",
    "Vault": "client.resources",
    "ProtectedItem": "client.resources",
    "RecoveryPoint": "model.points",
    "RecoveryPoints": "model.points",
    "ItemRef": "core.ids",
    # errors
    "RestorekitError": "core.errors",
    "ArmError": "core.errors",
    "TransportError": "core.errors",
    "InsecureTransportError": "core.errors",
    "NotFoundError": "core.errors",
    "ValidationError": "core.errors",
    "CheckUnavailable": "core.errors",
    "ConfirmationRequired": "core.errors",
    "DuplicateRestore": "core.errors",
    "OperationFailed": "core.errors",
    "RestoreNotStarted": "core.errors",
    "AuthenticationError": "core.errors",
    "RegionUnavailable": "core.errors",
    "ApprovalRequired": "core.errors",
    "SoftDeletedItem": "core.errors",
    "FileRecoveryRefused": "core.errors",
    "WaitInterrupted": "core.errors",
    # data
    "recovery_points_frame": "data.frames",
    "points_to_frame": "data.frames",
    "point_ids": "data.frames",
    "protected_items_frame": "data.items",
    "coverage_frame": "data.coverage",
    "tag_values": "data.coverage",
    "latest_points": "data.analysis",
    "rpo_gaps": "data.analysis",
    "summary": "data.analysis",
    "at_risk": "data.risk",
    "plot_timeline": "data.timeline",
    "readable": "data.readable",
    "plot_fleet": "data.fleet",
    "to_parquet": "data.snapshots",
    "read_parquet": "data.snapshots",
    "compare_snapshots": "data.snapshots",
    "compare_vaults": "data.analysis",
    "failures": "data.failures",
    "to_csv": "data.flat_files",
    "to_excel": "data.flat_files",
    # restores
    "RestoreDisks": "restore.request.builders",
    "ReplaceDisks": "restore.request.builders",
    "RestoreAsNewVM": "restore.request.builders",
    "build_restore": "restore.request.builders",
    "Problem": "restore.request.rules",
    "trigger": "restore.run.trigger",
    "RestoreOperation": "restore.run.operation",
    "Frontend": "core.environment",
    "Job": "model.jobs",
    # restores from earlier kernels: the journal
    "recent_restores": "client.reattach",
    "resume": "client.reattach",
    "running_restores": "client.reattach",
    # restore drills
    "Drill": "restore.drill.runner",
    "DrillReport": "restore.drill.report",
    "Probe": "restore.drill.probe",
    "recent_drills": "client.reattach",
    # cross-region restore
    "CrossRegion": "client.cross_region",
    "CrossRegionOperation": "restore.run.operation",
    "CrrJob": "model.jobs",
    "CrossRegionRestoreNotEnabled": "core.errors",
    # portal restores: file recovery, deleted VMs, multi-user authorization
    "FileRecovery": "restore.file_recovery.session",
    "Approval": "restore.approval",
    "Secret": "core.secret",
    # widgets
    "RecoveryPointPicker": "widgets",
    "RestoreForm": "widgets",
    "FileRecoveryPanel": "widgets",
}

#: Public names that differ from the name inside their module.
_RENAMED = {"build_restore": "build"}

__all__ = ["__version__", "emulator", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name == "emulator":
        return importlib.import_module(".emulator", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'restorekit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _show_operation(operation: object) -> None:
    """IPython's display of a restore operation: the widgets layer's live view, or status lines when headless."""
    from .widgets.progress import show_operation

    show_operation(operation)  # type: ignore[arg-type]


def _show_drill(drill: object) -> None:
    """IPython's display of a restore drill: the widgets layer's live view, or status lines when headless."""
    from .widgets.drill_progress import show_drill

    show_drill(drill)


def _frame_html(frame: Any) -> str | None:
    """IPython's HTML of a DataFrame: readable when restorekit made it, pandas' own otherwise."""
    from .data.readable import notebook_html

    return notebook_html(frame)


def _frame_text(frame: Any, printer: Any, cycle: bool) -> None:
    """IPython's text of a DataFrame (a console, a headless output): readable when restorekit made it."""
    from .data.readable import notebook_text

    printer.text(notebook_text(frame))


def _register_display_hook() -> None:
    """Tell IPython, when a shell is running, how restore operations, restore drills and restorekit's frames show."""
    ipython = sys.modules.get("IPython")
    try:
        formatters = ipython.get_ipython().display_formatter  # type: ignore[union-attr]
        formatter = formatters.ipython_display_formatter
    except AttributeError:  # no IPython, or no shell running (a script)
        return
    formatter.for_type_by_name("restorekit.restore.run.operation", "RestoreOperation", _show_operation)
    formatter.for_type_by_name("restorekit.restore.drill.runner", "Drill", _show_drill)
    for module in ("pandas", "pandas.core.frame"):  # where pandas 3 and pandas 2 say DataFrame lives
        formatters.formatters["text/html"].for_type_by_name(module, "DataFrame", _frame_html)
        formatters.formatters["text/plain"].for_type_by_name(module, "DataFrame", _frame_text)


_register_display_hook()
