"""Long-running operations of the ARM resource providers (compute, network, resources), on the clock.

A delete, a Run Command, a resource group's deletion: each is an :class:`ArmOperation` that reads
``InProgress`` until its time is up, then ``Succeeded`` or ``Failed`` (with its error). What it does to the
estate happens when it ends: nothing runs in the background, so before answering any request the gateway
calls :meth:`ArmOperations.settle`, which runs the ``on_success`` (or ``on_failure``) of every operation that
has ended by then, in order of its end, once. The providers answer for an operation's status and result
(``providers.arm_async``).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass
class ArmOperation:
    """One operation: what it acts on (``target``, a lower-case ARM id), where, when, and how it ends."""

    id: str
    kind: str
    target: str
    location: str
    start: datetime
    seconds: float
    #: ``{"code", "message", ...}``: the operation fails with this error.
    error: dict[str, Any] | None = None
    #: The body its result answers once it succeeded (Run Command's ``RunCommandResult``).
    result: dict[str, Any] | None = None
    on_success: Callable[[], None] | None = field(default=None, repr=False)
    on_failure: Callable[[], None] | None = field(default=None, repr=False)
    settled: bool = False

    @property
    def end(self) -> datetime:
        """When it ends."""
        return self.start + timedelta(seconds=self.seconds)

    def status(self, now: datetime) -> str:
        """``InProgress``, ``Succeeded`` or ``Failed``."""
        if now < self.end:
            return "InProgress"
        return "Failed" if self.error else "Succeeded"


class ArmOperations:
    """Every ARM operation started while the emulator runs, by id; thread-safe."""

    def __init__(self) -> None:
        self._ops: dict[str, ArmOperation] = {}
        self._lock = threading.Lock()
        self._settling = threading.Lock()

    def start(self, kind: str, target: str, location: str, now: datetime, seconds: float, *,
              error: dict[str, Any] | None = None, result: dict[str, Any] | None = None,
              on_success: Callable[[], None] | None = None,
              on_failure: Callable[[], None] | None = None) -> ArmOperation:
        """Start an operation now; it ends after ``seconds``."""
        op = ArmOperation(str(uuid.uuid4()), kind, target.lower(), location, now, max(0.0, seconds), error, result,
                          on_success, on_failure)
        with self._lock:
            self._ops[op.id] = op
        return op

    def get(self, op_id: str) -> ArmOperation | None:
        """The operation with this id (case-insensitive), or None."""
        with self._lock:
            return self._ops.get(op_id.lower())

    def running(self, target: str, now: datetime, kind: str | None = None) -> ArmOperation | None:
        """An operation on ``target`` (of ``kind``) still in progress at ``now``, if any."""
        with self._lock:
            ops = list(self._ops.values())
        return next((op for op in ops if op.target == target.lower() and (kind is None or op.kind == kind)
                     and op.status(now) == "InProgress"), None)

    def in_progress(self, now: datetime) -> frozenset[str]:
        """The targets of every operation still in progress at ``now``."""
        with self._lock:
            ops = list(self._ops.values())
        return frozenset(op.target for op in ops if op.status(now) == "InProgress")

    def settle(self, now: datetime) -> None:
        """Run what every operation ended by ``now`` does, in order of its end (then start, then id), once."""
        with self._settling:
            with self._lock:
                ended = sorted((op for op in self._ops.values() if not op.settled and op.end <= now),
                               key=lambda op: (op.end, op.start, op.id))
            for op in ended:
                op.settled = True
                action = op.on_failure if op.error else op.on_success
                if action is not None:
                    action()
