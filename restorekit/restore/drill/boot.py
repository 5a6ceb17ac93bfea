"""Did the VM boot? Its power state and its VM agent, read from the instance view.

A VM has booted when its power state is ``PowerState/running`` and its VM agent says ``Ready`` (the agent runs
inside the guest: an OS that did not come up has no agent). :func:`boot_state` reads a
``VirtualMachineInstanceView`` (``GET {vm}/instanceView``) into a :class:`BootState`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The agent status that means the guest is up.
READY = "Ready"


@dataclass(frozen=True)
class BootState:
    """What the instance view says: ``power`` (``running``, ``starting``, ``stopped``…; None when absent), the VM
    agent's ``agent`` status (``Ready``, ``Not Ready``; None when the view has no agent), its message and version,
    and the OS the agent reports."""

    power: str | None = None
    agent: str | None = None
    agent_message: str | None = None
    agent_version: str | None = None
    os_name: str | None = None

    @property
    def booted(self) -> bool:
        """True when the VM runs and its agent is ready."""
        return self.power == "running" and self.agent == READY

    def describe(self) -> str:
        """``running, VM agent Ready (2.7.41491.1102)`` / ``starting, no VM agent yet``."""
        power = self.power or "power state unknown"
        if self.agent is None:
            return f"{power}, no VM agent status"
        version = f" ({self.agent_version})" if self.agent_version and self.agent_version != "Unknown" else ""
        message = f": {self.agent_message}" if self.agent_message and self.agent != READY else ""
        return f"{power}, VM agent {self.agent}{version}{message}"


def _statuses(value: Any) -> list[Mapping[str, Any]]:
    return [s for s in value if isinstance(s, Mapping)] if isinstance(value, list) else []


def boot_state(view: Any) -> BootState:
    """The :class:`BootState` of a ``VirtualMachineInstanceView`` body (anything else reads as unknown)."""
    if not isinstance(view, Mapping):
        return BootState()
    power = next((str(s.get("code"))[len("PowerState/"):] for s in _statuses(view.get("statuses"))
                  if str(s.get("code") or "").startswith("PowerState/")), None)
    agent = view.get("vmAgent") if isinstance(view.get("vmAgent"), Mapping) else None
    if agent is None:
        return BootState(power, os_name=view.get("osName"))
    status = next(iter(_statuses(agent.get("statuses"))), {})
    return BootState(power, str(status.get("displayStatus") or "") or None, status.get("message"),
                     agent.get("vmAgentVersion"), view.get("osName"))
