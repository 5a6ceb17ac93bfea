"""ipywidgets front-ends: recovery point picker, restore form (with its file recovery tab), live restore
progress, live drill progress.

This is the only part of restorekit that imports ipywidgets; names load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "RecoveryPointPicker": "picker",
    "RestoreForm": "form",
    "OperationProgress": "progress",
    "DrillProgress": "drill_progress",
    "FileRecoveryPanel": "file_recovery",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'restorekit.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
