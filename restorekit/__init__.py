"""restorekit: explore Azure VM backups and run restores from Jupyter.

>>> import restorekit as rk
>>> az = rk.connect()                  # no Azure settings: starts the local emulator and says so
>>> item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
>>> df = item.recovery_points().to_frame()

Names are imported lazily, so ``import restorekit`` stays fast and loads neither pandas, matplotlib,
ipywidgets nor azure-identity.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__

_EXPORTS = {
    # connecting and resources
    "connect": "connection",
    "Connection": "connection",
    "DevTokenCredential": "connection",
    "Vault": "resources",
    "ProtectedItem": "resources",
    "RecoveryPoint": "points",
    "RecoveryPoints": "points",
    "ItemRef": "ids",
    # errors
    "RestorekitError": "errors",
    "ArmError": "errors",
    "TransportError": "errors",
    "InsecureTransportError": "errors",
    "NotFoundError": "errors",
    "ValidationError": "errors",
    "ConfirmationRequired": "errors",
    "DuplicateRestore": "errors",
    "OperationFailed": "errors",
    # data
    "recovery_points_frame": "frames",
    "points_to_frame": "frames",
    "latest_points": "analysis",
    "rpo_gaps": "analysis",
    "summary": "analysis",
    "plot_timeline": "timeline",
    # restores
    "RestoreDisks": "restore",
    "ReplaceDisks": "restore",
    "RestoreAsNewVM": "restore",
    "build_restore": "restore",
    "Problem": "restore_checks",
    "trigger": "operations",
    "RestoreOperation": "operations",
    "Job": "operations",
    # cross-region restore
    "CrossRegion": "crr",
    "CrossRegionOperation": "crr",
    "CrrJob": "crr",
    "CrossRegionRestoreNotEnabled": "crr",
    # widgets
    "RecoveryPointPicker": "widgets",
    "RestoreForm": "widgets",
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
