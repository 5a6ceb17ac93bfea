"""A running drill: :class:`Drill`, a :class:`~restorekit.restore.drill.plan.DrillPlan` moved one stage at a time.

A drill is a steppable state (the transport's :class:`~restorekit.transport.poller.Pollable`) run by a
:class:`~restorekit.transport.poller.Poller`: a background thread, blocking waits, ``await drill``, listeners. Each
:meth:`Drill.step` is one stage, in order:

1. ``preparing``: the drill is journaled; its resource group, then per region its security group and network are
   created (each journaled before it is sent);
2. ``restoring``: the VMs run (:class:`~restorekit.restore.drill.machine.MachineRun`), at most ``plan.parallel``
   at a time and ``vault_parallel`` per vault, one VM's failure never stopping the others; the step then asks the
   poller to wait ``plan.keep_for`` seconds (``keeping``), a wait :meth:`Drill.stop` cuts short;
3. ``cleaning``: whatever happened before (an error, ``stop()``), the resource group is deleted and the deletion
   verified (:mod:`restorekit.restore.drill.cleanup`), and the drill's end is journaled: ``done``.

``drill.wait()`` blocks until the end and returns the :class:`~restorekit.restore.drill.report.DrillReport`;
headless, it prints a status line each time a VM changes phase. A live view listens with :meth:`add_listener`
(``widgets.drill_progress``: how a drill shows itself in a notebook, registered with IPython by ``restorekit``).
A dry run creates nothing: it is done from the start, and its report lists the plan.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from ...core.environment import Frontend
from ...transport.poller import Poller
from .arm import DrillArm, OutsideDrill
from .cleanup import CleanupResult, delete_and_verify
from .machine import FAILED, MachineResult, MachineRun, RestoreHandle
from .plan import DrillPlan, MachinePlan
from .report import DrillReport

#: States of a drill, in order.
STATES = ("planned", "preparing", "restoring", "keeping", "cleaning", "done")


class NoJournal:
    """What a drill tells its journal, here told to nobody: the drill's journal
    (:class:`~restorekit.restore.drill.journal.DrillJournal`) writes each event to a file."""

    def started(self, plan: DrillPlan) -> None:
        """The drill is about to create its resource group."""

    def creating(self, resource_id: str) -> None:
        """``resource_id`` is about to be created."""

    def machine(self, result: MachineResult) -> None:
        """A VM reached its verdict."""

    def cleaning(self) -> None:
        """The cleanup starts."""

    def ended(self, report: DrillReport) -> None:
        """The drill ended (cleanup included)."""


class Drill:
    """A drill in progress (see the module doc).

    ``restore(machine_plan)`` starts one VM's restore and returns its operation; ``server_now()`` is the service's
    time (for RPO); ``poll`` the seconds between instance view reads; ``frontend`` says how it shows itself.
    """

    def __init__(self, plan: DrillPlan, *, arm: DrillArm, restore: Callable[[MachinePlan], RestoreHandle],
                 server_now: Callable[[], datetime], journal: NoJournal | None = None, poll: float = 10.0,
                 vault_parallel: int | None = None, cleanup_attempts: int = 3, cleanup_pause: float = 5.0,
                 frontend: Frontend | None = None, sleep: Callable[[float], Any] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.plan = plan
        #: How the drill shows itself (live view or status lines): its connection's frontend.
        self.frontend = frontend or Frontend()
        self.arm = arm
        self._restore = restore
        self._server_now = server_now
        self.journal = journal or NoJournal()
        self.poll = poll
        self.vault_parallel = vault_parallel or plan.parallel
        self.cleanup_attempts = cleanup_attempts
        self.cleanup_pause = cleanup_pause
        self._sleep = sleep
        self._clock = clock
        self.state = "planned"
        self.error: BaseException | None = None
        self.started: datetime | None = None
        self.ended: datetime | None = None
        self.cleanup = CleanupResult(state="skipped" if plan.dry_run else "pending")
        self.machines: list[MachineResult] = [MachineResult(m) for m in plan.machines]
        self._owns_group = False
        self._drill_started: datetime | None = None
        self._stopped = threading.Event()
        self._listeners: list[Callable[[Drill], Any]] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self._shown: dict[str, str] = {}
        self._lock = threading.Lock()
        if plan.dry_run:
            self.state = "done"
        self.poller: Poller[Drill] = Poller(self, name=f"restorekit-drill-{plan.drill_id}", sleep=None)

    # -- watching ------------------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """True once the drill ended (cleanup included)."""
        return self.state == "done"

    def add_listener(self, callback: Callable[[Drill], Any]) -> None:
        """Call ``callback(drill)`` at every change (from the drill's threads: set widget traits only)."""
        self._listeners.append(callback)

    def _notify(self, changed: MachineResult | None = None) -> None:
        if changed is not None:
            key = changed.plan.label
            shown = f"{changed.phase}|{changed.verdict}"
            with self._lock:
                if self._shown.get(key) != shown:
                    self._shown[key] = shown
                    self._lines.put(changed.status_line(self._clock()))
                    if changed.done:
                        self.journal.machine(changed)
        for callback in list(self._listeners):
            try:
                callback(self)
            except Exception:  # noqa: BLE001 - a broken view must not stop the drill
                pass

    def _say(self, line: str) -> None:
        self._lines.put(line)
        self._notify()

    def status_lines(self) -> list[str]:
        """One line per VM now, and the drill's state."""
        now = self._clock()
        return [f"restore drill {self.plan.drill_id}: {self.state}", *(m.status_line(now) for m in self.machines)]

    # -- running: the Pollable the poller moves ----------------------------------------------------------------
    def start(self) -> Drill:
        """Start the drill in its poller's background thread (once); a dry run is done already. Returns self."""
        self.poller.start()
        return self

    def stop(self) -> None:
        """End the waits (boot, keep) now: the drill goes on to its cleanup."""
        self._stopped.set()
        self.poller.wake()

    def first_delay(self) -> float:
        """No wait before the first stage."""
        return 0.0

    def step(self) -> float:
        """Run the next stage (see the module doc); the seconds the poller waits before the next one."""
        try:
            if self.state == "planned":
                self.started = datetime.now(UTC)
                self._drill_started = self._server_now()
                self.journal.started(self.plan)
                self._enter("preparing")
                self._prepare()
                self._enter("restoring")
                return 0.0
            if self.state == "restoring":
                self._restore_all(self._drill_started or datetime.now(UTC))
                if self.plan.keep_for and not self._stopped.is_set():
                    self._enter("keeping")
                    return self.plan.keep_for
                self._clean()
                return 0.0
        except Exception as exc:  # noqa: BLE001 - one stage failing is the drill's error; the cleanup still runs
            self._failed(exc)
        self._clean()
        return 0.0

    def stopped(self, error: BaseException) -> None:
        """The poller's thread stopped before the end: record why, and still clean up what was created."""
        self._failed(error)
        if not self.done:
            self._clean()

    def _failed(self, error: BaseException) -> None:
        self.error = self.error or error
        reason = f"the drill stopped before this VM ran: {type(error).__name__}: {' '.join(str(error).split())[:300]}"
        for result in self.machines:
            if not result.done:
                result.reasons.append(reason)
                result.verdict = result.phase = FAILED
                self._notify(result)

    def _enter(self, state: str) -> None:
        self.state = state
        self._say(f"restore drill {self.plan.drill_id}: {state}")

    def _clean(self) -> None:
        plan = self.plan
        if self._owns_group:
            self._enter("cleaning")
            self.journal.cleaning()
            self.cleanup = delete_and_verify(self.arm, plan.drill_id, attempts=self.cleanup_attempts,
                                             pause=self.cleanup_pause, sleep=self._sleep, clock=self._clock,
                                             on_retry=lambda why: self._say(f"cleanup failed, retrying: {why}"))
            self.cleanup.staging_blobs = [blob for m in self.machines for blob in m.staging_blobs]
        else:  # nothing was created (the group existed, or the drill stopped before): nothing to delete
            self.cleanup = CleanupResult(state="skipped", verified="nothing was created")
        self.ended = datetime.now(UTC)
        self.journal.ended(self.report_now())
        self._say(f"restore drill {plan.drill_id}: {self.report_now().summary()}")
        self.state = "done"
        self._notify()

    def _prepare(self) -> None:
        plan, arm = self.plan, self.arm
        if arm.group_exists():  # a drill's group is always its own: never delete one it did not create
            raise OutsideDrill(f"resource group {arm.resource_group} exists already; a drill creates its own")
        self.journal.creating(arm.group_id)
        self._owns_group = True  # from here on the group may exist, and it is the drill's
        arm.create_group(plan.location, plan.tags)
        for net in plan.networks:
            self.journal.creating(arm.security_group_id(net.security_group))
            arm.create_security_group(net.security_group, net.region, plan.rules(), plan.tags)
            self.journal.creating(arm.network_id(net.network))
            arm.create_network(net.network, net.region, net.security_group, plan.tags)

    def _restore_all(self, drill_started: datetime) -> None:
        plan = self.plan
        vaults: dict[str, threading.Semaphore] = {}
        for machine in plan.machines:
            vaults.setdefault(machine.vault.lower(), threading.Semaphore(self.vault_parallel))

        def one(index: int) -> None:
            machine = plan.machines[index]
            run = MachineRun(machine, arm=self.arm, restore=self._restore, drill_started=drill_started,
                             boot_timeout=plan.boot_timeout, probe=plan.probe, poll=self.poll,
                             notify=self._notify, stopped=self._stopped, clock=self._clock,
                             result=self.machines[index])
            with vaults[machine.vault.lower()]:
                run.run()

        with ThreadPoolExecutor(max_workers=max(1, plan.parallel),
                                thread_name_prefix=f"restorekit-drill-{plan.drill_id}") as pool:
            list(pool.map(one, range(len(plan.machines))))

    # -- the result ------------------------------------------------------------------------------------------
    def report_now(self) -> DrillReport:
        """The report as it stands (VMs still running show their phase)."""
        return DrillReport(self.plan, list(self.machines), self.cleanup, self.started, self.ended)

    @property
    def report(self) -> DrillReport:
        """The final report; raises ``RuntimeError`` while the drill runs (``drill.wait()`` waits for it)."""
        if not self.done:
            raise RuntimeError(f"restore drill {self.plan.drill_id} is still {self.state}: call drill.wait() "
                               "(it returns the report)")
        return self.report_now()

    def wait(self, timeout: float | None = None, *, out: Callable[[str], Any] | None | str = "auto") -> DrillReport:
        """Block until the drill ends and return its report; ``out`` is called with each status line as it comes
        (``"auto"``: printed when headless, silent when a live view shows them; None: silent). ``TimeoutError``
        after ``timeout`` seconds (the drill goes on: wait again)."""
        if out == "auto":
            out = print if self.frontend.is_headless() else None
        self.start()
        deadline = None if timeout is None else self._clock() + timeout
        while True:
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                if self.poller.finished and self._lines.empty():
                    return self.report
                if deadline is not None and self._clock() >= deadline:
                    raise TimeoutError(f"restore drill {self.plan.drill_id} still {self.state} after {timeout:g} s; "
                                       "call drill.wait() again") from None
                continue
            if callable(out):
                out(line)

    def __await__(self) -> Generator[Any, None, DrillReport]:
        """``report = await drill``: wait on the running loop without blocking it."""
        return self._report_async().__await__()

    async def _report_async(self) -> DrillReport:
        await self.poller.wait_async()
        return self.report

    def __repr__(self) -> str:
        if self.done:
            return f"<Drill {self.plan.drill_id}: {self.report_now().summary()}>"
        return f"<Drill {self.plan.drill_id}: {self.state}, {sum(m.done for m in self.machines)}/{len(self.machines)} VM(s) done>"
