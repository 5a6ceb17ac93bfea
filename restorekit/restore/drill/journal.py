"""What a drill writes to the journal, before each resource it creates, so a later process can clean up after it.

Each drill is an operation of kind ``drill`` in the connection's journal (:mod:`restorekit.restore.journal.store`;
the restores it starts are journaled there too, as restores). Its events: ``started`` (the plan: resource group, subscription, endpoint, VMs, host and
process), ``creating`` (before each PUT: the resource's id), ``vm`` (a VM's verdict), ``cleaning``, ``ended``
(how the cleanup went: state ``cleaned`` or ``cleanup failed``), and ``cleaned`` when ``az.cleanup_drills()``
deleted what a drill left. A drill whose last state is not ``cleaned`` may have left something behind.
No token and no SAS link is ever written.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...core.redaction import redact_url
from ...core.times import format_moment, parse_time
from ...data.readable import for_people
from .machine import PASSED, MachineResult
from .plan import DrillPlan
from .runner import NoJournal

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ...core.json_values import Json
    from ..journal.store import Journal, Record

KIND = "drill"
#: The state of a drill whose cleanup was verified.
CLEANED = "cleaned"
#: Columns of :func:`drills_frame`, in order.
COLUMNS = ("submitted", "state", "drill", "resource_group", "vms", "passed", "failed", "cleanup", "where",
           "subscription", "endpoint", "updated", "host", "pid")


def _now() -> str:
    return format_moment(datetime.now(UTC), "iso")


class DrillJournal(NoJournal):
    """Writes one drill's events to ``journal``; ``endpoint`` is where it runs."""

    def __init__(self, journal: Journal, drill_id: str, endpoint: str | None = None) -> None:
        self.journal = journal
        self.drill_id = drill_id
        self.endpoint = endpoint
        self._verdicts: dict[str, str] = {}

    def write(self, event: str, **fields: Any) -> None:
        """Append one event of this drill."""
        self.journal.append({"id": self.drill_id, "kind": KIND, "event": event, "at": _now(), **fields})

    def started(self, plan: DrillPlan) -> None:
        """Before the drill creates its resource group."""
        endpoint = redact_url(self.endpoint) if self.endpoint else None
        self.write("started", state="running", resource_group=plan.resource_group, subscription=plan.subscription,
                   location=plan.location, where=plan.where, endpoint=endpoint,
                   vms=[m.label for m in plan.machines], host=socket.gethostname(), pid=os.getpid())

    def creating(self, resource_id: str) -> None:
        """Before ``resource_id`` is created."""
        self.write("creating", resource=resource_id)

    def machine(self, result: MachineResult) -> None:
        """A VM's verdict."""
        self._verdicts[result.plan.label] = str(result.verdict)
        passed = sum(1 for v in self._verdicts.values() if v == PASSED)
        self.write("vm", vm=result.plan.label, verdict=result.verdict, job_id=result.job_id, passed=passed,
                   failed=len(self._verdicts) - passed)

    def cleaning(self) -> None:
        """The cleanup starts."""
        self.write("cleaning", state="cleaning")

    def ended(self, report: Any) -> None:
        """The drill ended: how its cleanup went."""
        cleanup = report.cleanup
        state = CLEANED if cleanup.clean or cleanup.state == "skipped" else "cleanup failed"
        self.write("ended", state=state, cleanup=cleanup.describe(), left=len(cleanup.left), passed=report.passed,
                   failed=report.failed)


def drill_records(journal: Journal) -> list[Record]:
    """The drills of ``journal``, their events folded (later values win), newest first."""
    return journal.records(kinds=(KIND,))


def process_alive(record: Record) -> bool:
    """True when the drill's process still runs on this host (a drill elsewhere is never assumed dead)."""
    if record.get("host") != socket.gethostname():
        return True
    try:
        pid = int(str(record.get("pid") or 0))
    except (TypeError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drills_frame(journal: Journal, limit: int | None = None) -> pd.DataFrame:
    """The journal's drills, one row each, newest first (columns :data:`COLUMNS`).

    ``state``: ``running``, ``cleaning``, ``cleaned``, ``cleanup failed`` (a drill not ``cleaned`` may have left
    resources, which ``az.cleanup_drills()`` deletes).
    """
    import pandas as pd

    records = drill_records(journal)[:limit]

    def value(record: Record, column: str) -> Json:
        if column == "drill":
            return record.id
        if column == "vms":
            vms = record.get("vms")
            return len(vms) if isinstance(vms, list) else None
        return record.get(column)

    frame = pd.DataFrame([{c: value(r, c) for c in COLUMNS} for r in records], columns=list(COLUMNS))
    for column in ("submitted", "updated"):
        frame[column] = pd.to_datetime(frame[column].map(lambda v: parse_time(v) if isinstance(v, str) else None),
                                       utc=True)
    frame["state"] = frame["state"].astype("category")
    for column in ("vms", "passed", "failed", "pid"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    frame.attrs["journal"] = str(journal.path)
    return for_people(frame)
