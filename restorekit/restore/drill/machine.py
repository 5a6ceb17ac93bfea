"""One VM of a drill: restored as a new VM, watched until it boots, its console read, probed; every step timed.

:class:`MachineRun` moves one :class:`~restorekit.restore.drill.plan.MachinePlan` through its phases and keeps
what it saw in a :class:`MachineResult` (a row of the report):

1. ``restoring``: the restore's POST (through the one restore path, journaled there too) and its job;
2. ``booting``: the instance view read every ``poll`` seconds until the VM runs and its agent is ``Ready``, or
   ``boot_timeout`` passed;
3. ``diagnostics``: the boot diagnostics links, the console screenshot (kept as PNG) and the serial log's end;
4. ``probing``: the probe through Run Command, when there is one and the VM booted.

It ends ``passed`` (restored, booted, probe passed) or ``failed`` with its reasons. RPO is the point's age when
the drill started; RTO runs from the restore's POST to the moment the VM agent was seen ready. A failure of one
VM never raises: it is the VM's verdict.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from ...core.errors import RestorekitError
from ...transport.sas_download import download
from .arm import DrillArm
from .boot import BootState, boot_state
from .plan import MachinePlan
from .probe import Probe, ProbeResult, probe_result


class RestoredJob(Protocol):
    """What a drill reads of a restore's job (a :class:`~restorekit.model.jobs.Job`)."""

    @property
    def id(self) -> str:
        """The job's id."""
        ...

    @property
    def property_bag(self) -> dict[str, str]:
        """The job's property bag."""
        ...


class RestoreHandle(Protocol):
    """What a drill holds of a restore it started (a :class:`~restorekit.restore.run.operation.RestoreOperation`)."""

    @property
    def job_id(self) -> str | None:
        """The restore's job id, once known."""
        ...

    def wait(self, timeout: float | None = None) -> RestoredJob:
        """Block until the restore ends; its job."""
        ...


#: The phases a VM goes through, in order, then one of the verdicts.
PHASES = ("waiting", "restoring", "booting", "diagnostics", "probing")
PASSED, FAILED = "passed", "failed"
#: Lines of the serial log kept in the report.
SERIAL_LINES = 40
#: Property-bag keys naming blobs a restore left in its staging account.
STAGING_KEYS = ("Config Blob Uri", "Template Blob Uri")


@dataclass
class MachineResult:
    """What happened to one VM of the drill (see the module doc); ``phase_seconds`` by phase name."""

    plan: MachinePlan
    phase: str = "waiting"
    verdict: str | None = None
    reasons: list[str] = field(default_factory=list)
    job_id: str | None = None
    target_vm_id: str | None = None
    rpo: timedelta | None = None
    rto: timedelta | None = None
    posted_at: datetime | None = None
    ready_at: datetime | None = None
    boot: BootState = field(default_factory=BootState)
    probe: ProbeResult | None = None
    screenshot_png: bytes | None = field(default=None, repr=False)
    serial_tail: str = field(default="", repr=False)
    staging_blobs: list[str] = field(default_factory=list)
    phase_seconds: dict[str, float] = field(default_factory=dict)
    phase_started: float | None = None

    @property
    def done(self) -> bool:
        """True once it has its verdict."""
        return self.verdict is not None

    def status_line(self, now: float | None = None) -> str:
        """``rg/vm: booting (2 min 10 s) — starting, no VM agent status`` / ``rg/vm: passed, RTO 12 min``."""
        label = self.plan.label
        if self.verdict == PASSED:
            return f"{label}: passed, RTO {_span(self.rto)}, RPO {_span(self.rpo)}"
        if self.verdict == FAILED:
            return f"{label}: FAILED: {'; '.join(self.reasons) or 'unknown reason'}"
        seconds = (now or time.monotonic()) - self.phase_started if self.phase_started is not None else 0.0
        elapsed = f" ({_span(timedelta(seconds=seconds))})" if seconds >= 1 else ""
        detail = f": {self.boot.describe()}" if self.phase == "booting" and self.boot.power else ""
        return f"{label}: {self.phase}{elapsed}{detail}"


def _span(value: timedelta | None) -> str:
    from ...core.times import format_duration

    return format_duration(value) if value is not None else "?"


class MachineRun:
    """Runs one VM's drill (see the module doc).

    ``restore(plan)`` starts the restore and returns its operation (``wait()`` → the job); ``arm`` is the drill's
    :class:`~restorekit.restore.drill.arm.DrillArm`; ``drill_started`` the server's time when the drill started
    (RPO); ``notify(result)`` is called at each change; ``stopped`` ends the waits early; ``result`` is where the run
    writes (a new :class:`MachineResult` when not given).
    """

    def __init__(self, plan: MachinePlan, *, arm: DrillArm, restore: Callable[[MachinePlan], RestoreHandle],
                 drill_started: datetime, boot_timeout: float, probe: Probe | None = None, poll: float = 10.0,
                 restore_timeout: float | None = None, notify: Callable[[MachineResult], Any] | None = None,
                 stopped: threading.Event | None = None, clock: Callable[[], float] = time.monotonic,
                 result: MachineResult | None = None) -> None:
        self.result = result if result is not None else MachineResult(plan)
        self.arm = arm
        self.restore = restore
        self.boot_timeout = boot_timeout
        self.probe = probe
        self.poll = poll
        self.restore_timeout = restore_timeout
        self.notify = notify or (lambda result: None)
        self.stopped = stopped or threading.Event()
        self.clock = clock
        if plan.point_time is not None:
            self.result.rpo = drill_started - plan.point_time

    # -- phases ------------------------------------------------------------------------------------------
    def _enter(self, phase: str) -> None:
        now = self.clock()
        result = self.result
        if result.phase_started is not None and result.phase in PHASES[1:]:
            result.phase_seconds[result.phase] = now - result.phase_started
        result.phase, result.phase_started = phase, now
        self.notify(result)

    def _fail(self, reason: str) -> None:
        self.result.reasons.append(reason)

    def run(self) -> MachineResult:
        """Run every phase; never raises (a failure is the VM's verdict)."""
        try:
            if self._restore() and self._boot():
                self._probe()
            elif self.result.target_vm_id and not self.stopped.is_set():
                self._diagnostics()
        except Exception as exc:  # noqa: BLE001 - one VM's failure must not stop the others
            self._fail(f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        result = self.result
        if result.phase_started is not None and result.phase in PHASES[1:]:
            result.phase_seconds[result.phase] = self.clock() - result.phase_started
        result.phase_started = None
        result.verdict = FAILED if result.reasons else PASSED
        result.phase = result.verdict
        self.notify(result)
        return result

    def _restore(self) -> bool:
        self._enter("restoring")
        result, plan = self.result, self.result.plan
        result.posted_at = datetime.now(UTC)
        try:
            op = self.restore(plan)
            result.job_id = op.job_id
            self.notify(result)
            job = op.wait(self.restore_timeout)
        except (RestorekitError, TimeoutError) as exc:
            self._fail(f"restore failed: {' '.join(str(exc).split())[:300]}")
            return False
        result.job_id = job.id or op.job_id or result.job_id
        bag = job.property_bag or {}
        result.staging_blobs = [str(bag[key]) for key in STAGING_KEYS if bag.get(key)]
        result.target_vm_id = self.arm.vm_id(plan.target_vm_name)
        return True

    def _boot(self) -> bool:
        self._enter("booting")
        result, name = self.result, self.result.plan.target_vm_name
        deadline = self.clock() + self.boot_timeout
        while True:
            result.boot = boot_state(self.arm.instance_view(name))
            if result.boot.booted:
                result.ready_at = datetime.now(UTC)
                if result.posted_at is not None:
                    result.rto = result.ready_at - result.posted_at
                self.notify(result)
                self._diagnostics()
                return True
            self.notify(result)
            if self.clock() >= deadline or self.stopped.is_set():
                self._fail(f"did not boot within {_span(timedelta(seconds=self.boot_timeout))}: "
                           f"{result.boot.describe()}")
                return False
            self.stopped.wait(min(self.poll, max(0.0, deadline - self.clock())))

    def _diagnostics(self) -> None:
        self._enter("diagnostics")
        result = self.result
        try:
            links = self.arm.boot_diagnostics(result.plan.target_vm_name)
            if links.screenshot:
                result.screenshot_png = as_png(download(links.screenshot))
            if links.serial_log:
                lines = download(links.serial_log).decode("utf-8", "replace").replace("\r\n", "\n").splitlines()
                result.serial_tail = "\n".join(lines[-SERIAL_LINES:])
        except RestorekitError as exc:
            result.serial_tail = f"(boot diagnostics unavailable: {' '.join(str(exc).split())[:200]})"
            return
        if result.boot.power != "running":  # it never came up: the console says why
            last = next((line.strip() for line in reversed(result.serial_tail.splitlines()) if line.strip()), "")
            if last:
                self._fail(f"console: {last[:200]}")

    def _probe(self) -> None:
        if self.probe is None:
            return
        self._enter("probing")
        result = self.result
        try:
            body = self.arm.run_command(result.plan.target_vm_name, self.probe.body(result.plan.os_type),
                                        self.probe.timeout)
            result.probe = probe_result(body)
        except (RestorekitError, TimeoutError, ValueError) as exc:
            self._fail(f"probe could not run: {' '.join(str(exc).split())[:300]}")
            return
        if not result.probe.passed:
            self._fail(f"probe failed: {result.probe.describe()}")


def as_png(image: bytes) -> bytes:
    """A console screenshot (Azure's are BMP) as PNG, smaller in a report; PNG and unknown bytes are kept as given."""
    if image[:8] == b"\x89PNG\r\n\x1a\n":
        return image
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        return image
    try:
        picture = Image.open(io.BytesIO(image))
        out = io.BytesIO()
        picture.save(out, format="PNG", optimize=True)
    except (OSError, ValueError):
        return image
    return out.getvalue()
