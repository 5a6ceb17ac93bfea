"""Restores from an earlier kernel: which of them still run, and following one again.

The restore journal (:mod:`restorekit.restore.journal.store`) remembers every restore restorekit sent; this module
brings them back:

* :func:`resume` follows a journaled restore again (by job id, restore id or a row of ``rk.recent_restores()``):
  a :class:`~restorekit.restore.run.operation.RestoreOperation` (its live widget in a notebook). A restore in the
  vault's region is followed with ``vault.restore_job(job_id)``, a cross-region one through its route
  (``crr.attach(job_id)``); a restore whose kernel died before its job id was known is found the way a lost
  POST answer is (:mod:`restorekit.restore.run.lost_answer`).
* :func:`running_restores` lists the journaled restores of a VM that the service says still run: what a runbook
  shows when it starts.

>>> rk.recent_restores().head()
>>> op = rk.resume("5f1c…")          # a job id from the journal
>>> rk.running_restores(item)        # "No restore of VM testRG/testVM started by restorekit is still running."
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from ..core.environment import should_display
from ..core.errors import ArmError, NotFoundError, RestorekitError, RestoreNotStarted, TransportError
from ..core.filters import job_filter
from ..core.times import format_moment, parse_time
from ..model.job_api import CrossRegionJobs, JobApi, VaultJobs
from ..model.jobs import CrrJob, Job, job_matches_item, job_matches_point
from ..restore.journal.entry import JournalEntry
from ..restore.journal.store import FINAL_STATES, Journal, restores_frame
from .connection import journal_location
from .resources import ProtectedItem, Vault

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..restore.run.operation import RestoreOperation
    from .connection import Connection

CROSS_REGION = "cross-region restore"
#: How long before its journal time a job found for a restore without a job id may have started (clock skew).
MARGIN = timedelta(minutes=2)


def recent_restores(limit: int | None = None, *, connection: Connection | None = None,
                    journal: Journal | None = None) -> pd.DataFrame:
    """The restores restorekit triggered from this machine, one row each, latest known state, newest first.

    Read from a journal only (nothing is asked of Azure): ``journal``, else the ``connection``'s, else where
    :func:`~restorekit.client.connection.journal_location` says (``RESTOREKIT_JOURNAL`` or the user data folder).
    Columns and states: :func:`restorekit.restore.journal.store.restores_frame`. ``limit`` keeps the newest rows.
    Re-attach to a row with ``rk.resume(row)`` or ``rk.resume(job_id)``.

    >>> rk.recent_restores().head()
    """
    if journal is None:
        journal = connection.journal if connection is not None else Journal(journal_location())
    return restores_frame(journal, limit)


# -- resume -----------------------------------------------------------------------------------------------------
def resume(job_id_or_row: Any, *, connection: Connection | None = None, display: bool | None = False,
           poll_interval: float | None = None, journal: Journal | None = None) -> RestoreOperation:
    """Follow a journaled restore again: a live :class:`~restorekit.restore.run.operation.RestoreOperation`.

    ``job_id_or_row`` is a job id or a ``restore_id`` from the journal, or a row of ``rk.recent_restores()``.
    ``connection`` (default: a new one to the journaled endpoint and subscription) is where to read it.
    ``display=True`` (or None: inside a kernel) shows live progress at once; otherwise the operation shows itself
    when it is a cell's value. Its job id and final state go on being journaled.

    >>> op = rk.resume(rk.recent_restores().iloc[0]); op.wait()
    """
    journal = journal or (connection.journal if connection is not None else Journal(journal_location()))
    record = _record(job_id_or_row, journal)
    if record.get("state") == "NotStarted":
        raise RestoreNotStarted(
            f"the journal says restore {record['restore_id']} of VM {record.get('vm')} did not start "
            f"({record.get('error') or 'refused'}); there is nothing to follow. Trigger it again (item.restore(...))")
    conn = connection or _connect(record, journal)
    vault = _vault(conn, record)
    item = _item(vault, record)
    options: dict[str, Any] = {"poll_interval": poll_interval} if poll_interval is not None else {}
    job_id = record.get("job_id")
    if record.get("kind") == CROSS_REGION:
        from .cross_region import CrossRegion, CrossRegionOperation, CrossRegionRoute

        crr = CrossRegion(item, secondary_region=record.get("region"), poll_interval=poll_interval)
        route: Any = CrossRegionRoute(crr)
        op = crr.attach(job_id) if job_id else CrossRegionOperation(route, **_lookup_options(record), **options)
    else:
        from ..restore.run.operation import RestoreOperation
        from ..restore.run.routes import PrimaryRoute

        route = PrimaryRoute(vault, item)
        op = (vault.restore_job(job_id, **options) if job_id
              else RestoreOperation(route, **_lookup_options(record), **options))
    JournalEntry.resumed(record, route, journal).follow(op)
    if should_display(display):
        from IPython.display import display as show

        show(op)
    return op


def _record(key: Any, journal: Journal) -> dict[str, Any]:
    """The journal's record for a job id, a restore id or a row of ``recent_restores()``."""
    if isinstance(key, str):
        record = journal.find(key)
        if record is None:
            raise NotFoundError(
                f"the restore journal ({journal.path}) has no restore with job id or restore id {key!r}; list "
                f"them with rk.recent_restores(), or follow a job it does not know with vault.restore_job({key!r})")
        return record
    row = key.to_dict() if hasattr(key, "to_dict") else key._asdict() if hasattr(key, "_asdict") else key
    if not isinstance(row, Mapping) or not row.get("restore_id"):
        raise TypeError("pass a job id, a restore id or a row of rk.recent_restores() (it has a restore_id), "
                        f"not {type(key).__name__}")
    return journal.find(str(row["restore_id"])) or {k: _plain(v) for k, v in row.items()}


def _plain(value: Any) -> Any:
    """A journal-like value from a DataFrame cell (timestamps as ISO text, missing values as None)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "isoformat"):
        try:
            return format_moment(value.to_pydatetime() if hasattr(value, "to_pydatetime") else value, "iso")
        except (TypeError, ValueError):
            return None
    return None if str(value) in ("NaT", "<NA>", "nan") else value


def _connect(record: Mapping[str, Any], journal: Journal) -> Connection:
    """A connection to the journaled endpoint and subscription (Azure's clouds by their credentials)."""
    from .connection import CLOUDS, connect

    endpoint = str(record.get("endpoint") or "").rstrip("/")
    subscription = record.get("subscription")
    if not endpoint:
        raise NotFoundError(f"the journal does not say where restore {record.get('restore_id')} was sent; pass "
                            "connection=rk.connect(...)")
    for cloud in CLOUDS.values():
        if endpoint == cloud.resource_manager:
            return connect(subscription_id=subscription, cloud=cloud.name, trust_env=False, quiet=True, journal=journal)
    return connect(endpoint, subscription_id=subscription, quiet=True, journal=journal)


def _vault(conn: Connection, record: Mapping[str, Any]) -> Vault:
    group, _, name = str(record.get("vault") or "").partition("/")
    if not name:
        raise NotFoundError(f"the journal does not name the vault of restore {record.get('restore_id')}")
    located = {} if record.get("kind") == CROSS_REGION else {"location": record.get("region")}
    return Vault(conn, group, name, located)


def _item(vault: Vault, record: Mapping[str, Any]) -> ProtectedItem:
    group, _, name = str(record.get("vm") or "").partition("/")
    return ProtectedItem.unchecked(vault, group, name)


def _lookup_options(record: Mapping[str, Any]) -> dict[str, Any]:
    """What the lost-answer lookup needs to find the job of a restore journaled without a job id."""
    return {"point": SimpleNamespace(name=record.get("point"), time=parse_time(record.get("point_time"))),
            "posted_at": parse_time(record.get("submitted")),
            "lost_answer": "its job id was never journaled: the kernel that sent it stopped first"}


# -- running restores -------------------------------------------------------------------------------------------
@dataclass
class RunningRestore:
    """A journaled restore the service says still runs: the journal's ``record`` and the service's ``job``."""

    record: dict[str, Any]
    job: Job
    connection: Any = None

    @property
    def job_id(self) -> str:
        """The running job's id."""
        return self.job.id

    def resume(self, **options: Any) -> RestoreOperation:
        """Follow it again (:func:`resume`) through the same connection."""
        return resume({**self.record, "job_id": self.job.id}, connection=self.connection, **options)

    def __str__(self) -> str:
        record = self.record
        when = record.get("point_time")
        point = f"point {record.get('point')}" + (f" ({format_moment(parse_time(when))})" if when else "")
        sent = format_moment(parse_time(record.get("submitted")))
        return (f"{record.get('kind')} job {self.job.id} of VM {record.get('vm')} from {point}, sent {sent} by "
                f"{record.get('who') or 'unknown'} (process {record.get('pid')} on {record.get('host')}): "
                f"{self.job.summary()}; follow it with rk.resume({self.job.id!r})")


@dataclass
class RunningRestores:
    """What :func:`running_restores` found: restores still running, and journaled ones it could not check."""

    vm: str
    running: list[RunningRestore] = field(default_factory=list)
    unconfirmed: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.running)

    def __iter__(self):
        return iter(self.running)

    def __getitem__(self, index: int) -> RunningRestore:
        return self.running[index]

    def lines(self) -> list[str]:
        """The text shown: one line per restore."""
        if not self.running and not self.unconfirmed:
            return [f"No restore of VM {self.vm} started by restorekit is still running."]
        lines = [f"{len(self.running)} restore(s) of VM {self.vm} started by restorekit still running:"
                 if self.running else f"No restore of VM {self.vm} is confirmed running."]
        lines += [f"  - {r}" for r in self.running]
        for record, reason in self.unconfirmed:
            ref = record.get("job_id") or record.get("restore_id")
            lines.append(f"  - {record.get('kind')} {ref} of VM {self.vm}, sent "
                         f"{format_moment(parse_time(record.get('submitted')))}, could not be checked ({reason}); "
                         f"rk.resume({ref!r}) follows it if it still runs")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(line.strip(' -'))}</li>" for line in self.lines()[1:])
        head = escape(self.lines()[0])
        return f"<div class='restorekit-running-restores'>{head}{f'<ul>{items}</ul>' if items else ''}</div>"


def running_restores(target: Any, *, journal: Journal | None = None) -> RunningRestores:
    """The journaled restores of a VM that still run, confirmed against the service's list of running jobs.

    ``target`` is a protected item (``vault.vm(...)``) or a ``CrossRegion``. Restores the journal still thinks
    running but the service says have ended get their final state journaled; restores whose job could not be
    checked (the region does not answer) are listed apart. Shows as text or HTML.
    """
    item = target if hasattr(target, "ref") else getattr(target, "item", None)
    if item is None:
        raise TypeError(f"pass a protected item (vault.vm(...)) or a CrossRegion, not {type(target).__name__}")
    journal = journal or item.connection.journal
    found = RunningRestores(f"{item.vm_resource_group}/{item.vm_name}")
    records = [r for r in journal.restores() if _same_vm(r, item) and r.get("state") not in FINAL_STATES]
    lists: dict[tuple[str, str | None], list[Job] | str] = {}
    for record in reversed(records):  # oldest first
        api, job_class = _job_api(item, record)
        key = (str(record.get("kind")), record.get("region") if record.get("kind") == CROSS_REGION else None)
        if key not in lists:
            lists[key] = _running_jobs(item, api, job_class, record)
        jobs = lists[key]
        if isinstance(jobs, str):
            found.unconfirmed.append((record, jobs))
            continue
        job = _match(record, jobs, item)
        if job is not None:
            found.running.append(RunningRestore(record, job, item.connection))
        elif record.get("job_id"):
            _journal_end(record, item, api, job_class, journal)
    found.running.reverse()  # newest first
    return found


def _same_vm(record: Mapping[str, Any], item: Any) -> bool:
    conn = item.connection
    return (str(record.get("endpoint") or "").rstrip("/") == conn.arm.endpoint.rstrip("/")
            and str(record.get("subscription") or "").lower() == str(conn.subscription_id).lower()
            and str(record.get("vault") or "").lower() == f"{item.vault.resource_group}/{item.vault.name}".lower()
            and str(record.get("vm") or "").lower() == f"{item.vm_resource_group}/{item.vm_name}".lower())


def _job_api(item: Any, record: Mapping[str, Any]) -> tuple[JobApi, type[Job]]:
    if record.get("kind") == CROSS_REGION and record.get("region"):
        return CrossRegionJobs(item.vault, str(record["region"])), CrrJob
    return VaultJobs(item.vault), Job


def _running_jobs(item: Any, api: JobApi, job_class: type[Job], record: Mapping[str, Any]) -> list[Job] | str:
    """The service's running jobs of this kind for the VM, or why they could not be read."""
    operation = "CrossRegionRestore" if record.get("kind") == CROSS_REGION else "Restore"
    try:
        raws = api.list(job_filter(operation, "InProgress"))
    except (ArmError, TransportError) as exc:
        return str(exc).splitlines()[0][:200]
    jobs = [job_class(item.vault, raw, api=api) for raw in raws]
    return [j for j in jobs if job_matches_item(j, item.vm_name, item.ref.container)]


def _match(record: Mapping[str, Any], jobs: list[Job], item: Any) -> Job | None:
    """The running job of a journaled restore: by its job id, or (none journaled) the one job that fits."""
    job_id = str(record.get("job_id") or "").lower()
    if job_id:
        return next((j for j in jobs if j.id.lower() == job_id), None)
    sent = parse_time(record.get("submitted"))
    point = SimpleNamespace(name=record.get("point"), time=parse_time(record.get("point_time")))
    fits = [j for j in jobs if job_matches_point(j, point)
            and (sent is None or j.start_time is None or j.start_time >= sent - MARGIN)]
    return fits[0] if len(fits) == 1 else None


def _journal_end(record: dict[str, Any], item: Any, api: JobApi, job_class: type[Job], journal: Journal) -> None:
    """A journaled restore that no longer runs: read its job once and journal how it ended."""
    try:
        job = job_class.fetch(item.vault, str(record["job_id"]), api=api)
    except RestorekitError:
        return
    if job.done:
        JournalEntry.resumed(record, None, journal).write("final", state=job.status, job_id=job.id)
