"""Faults of the machines and resources a restore drill touches, set from tests or when the emulator starts.

``srv.state.machine_faults`` is a :class:`MachineFaults`::

    faults = srv.state.machine_faults
    faults.never_boots("linuxDb")          # a VM named so, or restored from a VM named so, never boots
    faults.agent_never_ready("flakyVM")    # it runs, but its VM agent never says Ready
    faults.probe_fails("linuxWeb", exit_code=3, stderr="curl: (7) Failed to connect")
    faults.delete_fails_once("rk-drill-")  # the next delete of a resource (or group) whose name contains it fails
    faults.clear()

``emulator.start(machine_faults={"never_boots": ["linuxDb"], "delete_fails_once": ["rk-drill-"]})`` and the
command's ``--never-boots``, ``--agent-never-ready``, ``--probe-fails``, ``--delete-fails-once`` set the same.
Names compare case-insensitively.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The keys ``emulator.start(machine_faults=...)`` takes, each a list of names.
OPTIONS = ("never_boots", "agent_never_ready", "probe_fails", "delete_fails_once")


@dataclass(frozen=True)
class ProbeFailure:
    """What a failing probe returns: its exit code and what it wrote to stderr."""

    exit_code: int = 1
    stderr: str = "probe failed"


class MachineFaults:
    """Boot, agent, probe and delete faults; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._never_boots: set[str] = set()
        self._agent_never_ready: set[str] = set()
        self._probes: dict[str, ProbeFailure] = {}
        self._deletes: list[str] = []

    @classmethod
    def from_options(cls, options: Mapping[str, Iterable[str]] | None) -> MachineFaults:
        """Faults from ``{"never_boots": [...], "agent_never_ready": [...], "probe_fails": [...],
        "delete_fails_once": [...]}``; an unknown key is a ``ValueError`` naming the known ones."""
        faults = cls()
        for key, names in (options or {}).items():
            if key not in OPTIONS:
                raise ValueError(f"unknown machine fault {key!r}; use {', '.join(OPTIONS)}")
            if isinstance(names, str):
                names = [names]
            for name in names:
                getattr(faults, key)(name)
        return faults

    def never_boots(self, *vm_names: str) -> None:
        """These VMs (or VMs restored from them) stay ``PowerState/starting``; their console shows the failure."""
        with self._lock:
            self._never_boots.update(n.lower() for n in vm_names)

    def agent_never_ready(self, *vm_names: str) -> None:
        """These VMs (or VMs restored from them) run, but their VM agent stays ``Not Ready``."""
        with self._lock:
            self._agent_never_ready.update(n.lower() for n in vm_names)

    def probe_fails(self, vm_name: str, exit_code: int = 1, stderr: str = "probe failed") -> None:
        """Run Command on this VM (or a VM restored from it) exits with ``exit_code`` and writes ``stderr``."""
        if exit_code == 0:
            raise ValueError("a failing probe exits with a code other than 0")
        with self._lock:
            self._probes[vm_name.lower()] = ProbeFailure(exit_code, stderr)

    def delete_fails_once(self, *name_fragments: str) -> None:
        """The next delete of a resource or resource group whose name contains each fragment fails, once each."""
        with self._lock:
            self._deletes.extend(f.lower() for f in name_fragments)

    def clear(self) -> None:
        """Forget every machine fault."""
        with self._lock:
            self._never_boots.clear()
            self._agent_never_ready.clear()
            self._probes.clear()
            self._deletes.clear()

    # --- what the providers ask -----------------------------------------------------------------------

    def boot_fault(self, names: Iterable[str]) -> str | None:
        """``"never_boots"``, ``"agent_never_ready"`` or None for a VM known by ``names`` (its own, its source's)."""
        keys = {n.lower() for n in names}
        with self._lock:
            if keys & self._never_boots:
                return "never_boots"
            if keys & self._agent_never_ready:
                return "agent_never_ready"
        return None

    def probe_failure(self, names: Iterable[str]) -> ProbeFailure | None:
        """How Run Command fails on a VM known by ``names``, if it does."""
        keys = [n.lower() for n in names]
        with self._lock:
            return next((self._probes[k] for k in keys if k in self._probes), None)

    def take_delete_failure(self, name: str) -> bool:
        """True (once per fragment) when the delete of a resource named ``name`` is set to fail."""
        with self._lock:
            for fragment in self._deletes:
                if fragment in name.lower():
                    self._deletes.remove(fragment)
                    return True
        return False

    def describe(self) -> dict[str, Any]:
        """What is set, as ``from_options`` takes it (probe failures by name)."""
        with self._lock:
            return {"never_boots": sorted(self._never_boots), "agent_never_ready": sorted(self._agent_never_ready),
                    "probe_fails": sorted(self._probes), "delete_fails_once": list(self._deletes)}
