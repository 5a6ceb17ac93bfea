"""What a VM's guest is doing now: its power state, its VM agent, whether it booted.

A VM created by a restore boots on the clock: it is ``PowerState/starting`` for the first quarter of
``boot_seconds`` (no VM agent yet), then running with its agent ``Not Ready``, then ``Ready`` once
``boot_seconds`` have passed since it was created. The estate's own VMs booted long ago. The machine faults
(``state.machine_faults``) keep a VM starting (it never boots) or its agent never ready. The instance view, Run
Command and the boot diagnostics read the same :class:`Guest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..estate.inventory import ComputeVM
from ..state import State

#: The OS and the agent each image reports once its agent runs (``osName``, ``osVersion``, ``vmAgentVersion``).
GUEST_OS = {"Windows": ("Windows Server 2022 Datacenter Azure Edition", "10.0.20348.2340", "2.7.41491.1102"),
            "Linux": ("ubuntu", "22.04", "2.10.0.8")}
#: Share of the boot spent ``PowerState/starting``, before the VM runs and its agent starts.
STARTING_SHARE = 0.25


@dataclass(frozen=True)
class Guest:
    """A VM's guest at one moment: ``power`` (``starting`` / ``running``), ``agent`` (``absent``, ``not_ready``,
    ``ready``), ``boot_failed`` (it never boots), and how many seconds ago the VM was created."""

    vm: ComputeVM
    power: str
    agent: str
    boot_failed: bool
    seconds_since_boot: float

    @property
    def names(self) -> tuple[str, ...]:
        """The names the machine faults know this VM by: its own, and its source's when a restore made it."""
        return (self.vm.name,) + ((self.vm.restored_from[1],) if self.vm.restored_from else ())


def guest(state: State, vm: ComputeVM, now: datetime) -> Guest:
    """The guest of ``vm`` at ``now``."""
    names = (vm.name,) + ((vm.restored_from[1],) if vm.restored_from else ())
    fault = state.machine_faults.boot_fault(names)
    elapsed = max(0.0, (now - vm.created).total_seconds())
    boot = state.settings.effective_boot_seconds
    if fault == "never_boots":
        return Guest(vm, "starting", "absent", True, elapsed)
    if elapsed < STARTING_SHARE * boot:
        return Guest(vm, "starting", "absent", False, elapsed)
    if elapsed < boot or fault == "agent_never_ready":
        return Guest(vm, "running", "not_ready", False, elapsed)
    return Guest(vm, "running", "ready", False, elapsed)
