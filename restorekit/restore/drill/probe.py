"""The application probe: a script the drill runs in the restored VM with Run Command, and what it returned.

A :class:`Probe` is the user's script (shell on Linux, PowerShell on Windows unless ``shell`` says which);
:func:`probe_result` reads the ``RunCommandResult`` Azure answers. On Linux, Run Command reports the script's exit
code (``ProvisioningState/failed/{code}``, "command terminated with exit status=N") and both streams in one
message (``[stdout]`` … ``[stderr]`` …). On Windows it reports the two streams apart
(``ComponentStatus/StdOut/succeeded``, ``ComponentStatus/StdErr/succeeded``) and **no exit code**: a Windows probe
passes when it writes nothing to stderr (end a failing PowerShell probe with ``Write-Error`` or ``throw``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Run Command's script commands, by shell.
COMMANDS = {"shell": "RunShellScript", "powershell": "RunPowerShellScript"}
_LINUX = re.compile(r"\[stdout\]\n(?P<out>.*?)\n?\[stderr\]\n(?P<err>.*)$", re.S)
_EXIT = re.compile(r"exit status=(?P<code>-?\d+)")


@dataclass(frozen=True)
class Probe:
    """A script to run in each restored VM: ``script`` (lines), ``shell`` (``"shell"``, ``"powershell"`` or None:
    the VM's OS decides), and ``timeout`` in seconds.

    >>> Probe("systemctl is-active nginx")
    >>> Probe(["$s = Get-Service W3SVC", "if ($s.Status -ne 'Running') { throw 'W3SVC stopped' }"], shell="powershell")
    """

    script: tuple[str, ...]
    shell: str | None = None
    timeout: float = 600.0

    def __init__(self, script: str | Sequence[str], shell: str | None = None, timeout: float = 600.0) -> None:
        lines = tuple(script.splitlines()) if isinstance(script, str) else tuple(str(line) for line in script)
        if not any(line.strip() for line in lines):
            raise ValueError("probe: the script is empty; give the command(s) that prove the application serves")
        if shell is not None and shell not in COMMANDS:
            raise ValueError(f"probe: shell must be one of {', '.join(COMMANDS)} (or None: the VM's OS decides), "
                             f"not {shell!r}")
        if timeout <= 0:
            raise ValueError("probe: timeout must be seconds > 0")
        object.__setattr__(self, "script", lines)
        object.__setattr__(self, "shell", shell)
        object.__setattr__(self, "timeout", float(timeout))

    @classmethod
    def of(cls, value: Probe | str | Sequence[str] | None) -> Probe | None:
        """A probe from a script (text or lines), a ``Probe``, or None (no probe)."""
        if value is None or isinstance(value, Probe):
            return value
        return cls(value)

    def command(self, os_type: str | None) -> str:
        """The Run Command to use on a VM of ``os_type`` (``Linux``/``Windows``)."""
        shell = self.shell or ("powershell" if (os_type or "").lower() == "windows" else "shell")
        return COMMANDS[shell]

    def body(self, os_type: str | None) -> dict[str, Any]:
        """The ``RunCommandInput`` body."""
        return {"commandId": self.command(os_type), "script": list(self.script)}

    def __repr__(self) -> str:
        first = self.script[0] if self.script else ""
        more = f" (+{len(self.script) - 1} lines)" if len(self.script) > 1 else ""
        return f"Probe({first!r}{more}, shell={self.shell or 'by OS'})"


@dataclass(frozen=True)
class ProbeResult:
    """What the probe returned: ``exit_code`` (None where Run Command does not report one: Windows), the streams,
    and ``passed``."""

    exit_code: int | None
    stdout: str
    stderr: str
    passed: bool

    def describe(self) -> str:
        """``exit 0`` / ``exit 3: curl: (7) …`` / ``stderr: W3SVC stopped``."""
        if self.passed:
            return "exit 0" if self.exit_code is not None else "no error output"
        text = self.stderr.strip().splitlines()[0] if self.stderr.strip() else ""
        head = f"exit {self.exit_code}" if self.exit_code is not None else "stderr"
        return f"{head}: {text}" if text else head


def probe_result(body: Any) -> ProbeResult:
    """The :class:`ProbeResult` of a ``RunCommandResult`` (``{"value": [InstanceViewStatus, …]}``).

    Raises ``ValueError`` for an answer that is none (no ``value`` list).
    """
    statuses = [s for s in (body.get("value") if isinstance(body, Mapping) else None) or [] if isinstance(s, Mapping)]
    if not statuses:
        raise ValueError(f"Run Command answered without statuses: {str(body)[:200]!r}")
    by_code = {str(s.get("code") or ""): str(s.get("message") or "") for s in statuses}
    out = next((m for c, m in by_code.items() if c.startswith("ComponentStatus/StdOut")), None)
    if out is not None:  # Windows: the streams apart, no exit code
        err = next((m for c, m in by_code.items() if c.startswith("ComponentStatus/StdErr")), "")
        return ProbeResult(None, out, err, not err.strip())
    code, message = next(iter(by_code.items()))
    streams = _LINUX.search(message)
    stdout, stderr = (streams.group("out"), streams.group("err").rstrip("\n")) if streams else (message, "")
    exit_code = 0
    if "/failed" in code.lower():
        tail = code.rsplit("/", 1)[-1]
        found = _EXIT.search(message)
        exit_code = int(tail) if tail.lstrip("-").isdigit() else int(found.group("code")) if found else 1
    return ProbeResult(exit_code, stdout, stderr, exit_code == 0)
