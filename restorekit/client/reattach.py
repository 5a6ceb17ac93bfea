"""Restores from an earlier kernel: the journal's restores, which of them still run, and following one again.

The journal (:mod:`restorekit.restore.journal.store`) remembers every restore restorekit sent, each with its
continuation token; this module brings them back:

* :func:`recent_restores` lists them (one row each, newest first);
* :func:`resume` follows one again (by job id, journal id or a row of ``rk.recent_restores()``): it reads the
  restore's continuation token and rebuilds the operation
  (:meth:`~restorekit.restore.run.operation.RestoreOperation.from_continuation_token`), primary or cross-region,
  wherever it was: its operation, its job, or (its kernel died before the POST's answer was journaled) the lookup
  that finds the job a lost answer created;
* :func:`running_restores` lists the journaled restores of a VM that the service says still run: what a runbook
  shows when it starts.

>>> rk.recent_restores().head()
>>> op = rk.resume("5f1c…")          # a job id from the journal
>>> rk.running_restores(item)        # "No restore of VM testRG/testVM started by restorekit is still running."
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape
from typing import TYPE_CHECKING

from ..core.errors import ArmError, NotFoundError, RestorekitError, RestoreNotStarted, TransportError
from ..core.filters import job_filter
from ..core.times import format_moment, parse_time
from ..model.job_api import CrossRegionJobs, JobApi, VaultJobs
from ..model.jobs import CrrJob, Job, job_matches_item, job_matches_point
from ..model.points import PointRef
from ..restore.journal.entry import JournalEntry, continuation_of
from ..restore.journal.store import FINAL_STATES, Journal, Record, restores_frame
from ..restore.run.cross_region import CROSS_REGION
from ..restore.run.operation import RestoreOperation
from .connection import CLOUDS, Connection, connect, journal_location

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.json_values import Json
    from .cross_region import CrossRegion
    from .resources import ProtectedItem

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
    return restores_frame(_journal(connection, journal), limit)


def _journal(connection: Connection | None, journal: Journal | None) -> Journal:
    if journal is not None:
        return journal
    return connection.journal if connection is not None else Journal(journal_location())


# -- resume -----------------------------------------------------------------------------------------------------
def resume(job_id_or_row: str | Mapping[str, Json] | pd.Series, *, connection: Connection | None = None,
           display: bool | None = False, poll_interval: float | None = None,
           journal: Journal | None = None) -> RestoreOperation:
    """Follow a journaled restore again: read its continuation token, rebuild its operation.

    ``job_id_or_row`` is a job id or a restore's id in the journal, or a row of ``rk.recent_restores()``.
    ``connection`` (default: a new one to the journaled endpoint and subscription, journaling to the same file) is
    where to follow it; ``journal`` where to find it (default: the connection's, else ``RESTOREKIT_JOURNAL`` or the
    user data folder). ``display=True`` (or None: the connection's frontend) shows live progress at once;
    otherwise the operation shows itself when it is a cell's value. Its job id and final state go on being
    journaled.

    >>> op = rk.resume(rk.recent_restores().iloc[0]); op.wait()
    """
    journal = _journal(connection, journal)
    record = _record(job_id_or_row, journal)
    return _follow(record, connection, journal, display=display, poll_interval=poll_interval)


def _follow(record: Record, connection: Connection | None, journal: Journal, *, job_id: str | None = None,
            display: bool | None = False, poll_interval: float | None = None) -> RestoreOperation:
    """Rebuild a journaled restore from its token and journal what happens next to the same record."""
    if record.state == "NotStarted":
        raise RestoreNotStarted(
            f"the journal says restore {record.id} of VM {record.get('vm')} did not start "
            f"({record.get('error') or 'refused'}); there is nothing to follow. Trigger it again (item.restore(...))")
    conn = connection or _connect(record, journal)
    op = RestoreOperation.from_continuation_token(conn, continuation_of(record, job_id=job_id),
                                                  poll_interval=poll_interval)
    JournalEntry.resumed(record, journal).follow(op)
    if conn.frontend.shows(display):
        from IPython.display import display as show

        show(op)
    return op


def _record(key: str | Mapping[str, Json] | pd.Series, journal: Journal) -> Record:
    """The journal's record for a job id, a journal id or a row of ``recent_restores()``."""
    if isinstance(key, str):
        record = journal.find(key)
        if record is None:
            raise NotFoundError(
                f"the restore journal ({journal.path}) has no restore with job id or restore id {key!r}; list "
                f"them with rk.recent_restores(), or follow a job it does not know with vault.restore_job({key!r})")
        return record
    row = key.to_dict() if hasattr(key, "to_dict") else key
    if not isinstance(row, Mapping) or not row.get("restore_id"):
        raise TypeError("pass a job id, a restore id or a row of rk.recent_restores() (it has a restore_id), "
                        f"not {type(key).__name__}")
    found = journal.find(str(row["restore_id"]))
    if found is not None:
        return found
    fields = {str(k): _plain(v) for k, v in row.items()}
    return Record(str(row["restore_id"]), str(fields.get("kind") or "restore"), fields,
                  _text(fields.get("submitted")), _text(fields.get("updated")))


def _plain(value: object) -> Json:
    """A journal-like value from a DataFrame cell (timestamps as ISO text, missing values as None)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    to_pydatetime = getattr(value, "to_pydatetime", None)
    if callable(to_pydatetime):
        try:
            return format_moment(to_pydatetime(), "iso")
        except (TypeError, ValueError):
            return None
    if str(value) in ("NaT", "<NA>", "nan"):
        return None
    return value if isinstance(value, str | int | float | bool) else str(value)


def _text(value: Json) -> str | None:
    return value if isinstance(value, str) else None


def _connect(record: Record, journal: Journal) -> Connection:
    """A connection to the journaled endpoint and subscription (Azure's clouds by their credentials)."""
    endpoint = str(record.get("endpoint") or "").rstrip("/")
    subscription = record.get("subscription")
    subscription = subscription if isinstance(subscription, str) else None
    if not endpoint:
        raise NotFoundError(f"the journal does not say where restore {record.id} was sent; pass "
                            "connection=rk.connect(...)")
    for cloud in CLOUDS.values():
        if endpoint == cloud.resource_manager:
            return connect(subscription_id=subscription, cloud=cloud.name, trust_env=False, quiet=True,
                           journal=journal)
    return connect(endpoint, subscription_id=subscription, quiet=True, journal=journal)


# -- running restores -------------------------------------------------------------------------------------------
@dataclass
class RunningRestore:
    """A journaled restore the service says still runs: the journal's ``record`` and the service's ``job``."""

    record: Record
    job: Job
    connection: Connection
    journal: Journal

    @property
    def job_id(self) -> str:
        """The running job's id."""
        return self.job.id

    def resume(self, *, display: bool | None = False, poll_interval: float | None = None) -> RestoreOperation:
        """Follow it again (:func:`resume`) through the same connection, from its running job."""
        return _follow(self.record, self.connection, self.journal, job_id=self.job.id, display=display,
                       poll_interval=poll_interval)

    def __str__(self) -> str:
        record = self.record
        when = record.get("point_time")
        point = f"point {record.get('point')}" + (f" ({format_moment(parse_time(when))})" if when else "")
        sent = format_moment(parse_time(record.submitted))
        return (f"{record.kind} job {self.job.id} of VM {record.get('vm')} from {point}, sent {sent} by "
                f"{record.get('who') or 'unknown'} (process {record.get('pid')} on {record.get('host')}): "
                f"{self.job.summary()}; follow it with rk.resume({self.job.id!r})")


@dataclass
class RunningRestores:
    """What :func:`running_restores` found: restores still running, and journaled ones it could not check."""

    vm: str
    running: list[RunningRestore] = field(default_factory=list)
    unconfirmed: list[tuple[Record, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.running)

    def __iter__(self) -> Iterator[RunningRestore]:
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
            ref = record.job_id or record.id
            lines.append(f"  - {record.kind} {ref} of VM {self.vm}, sent "
                         f"{format_moment(parse_time(record.submitted))}, could not be checked ({reason}); "
                         f"rk.resume({ref!r}) follows it if it still runs")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(line.strip(' -'))}</li>" for line in self.lines()[1:])
        head = escape(self.lines()[0])
        return f"<div class='restorekit-running-restores'>{head}{f'<ul>{items}</ul>' if items else ''}</div>"


def running_restores(target: ProtectedItem | CrossRegion, *, journal: Journal | None = None) -> RunningRestores:
    """The journaled restores of a VM that still run, confirmed against the service's list of running jobs.

    ``target`` is a protected item (``vault.vm(...)``) or a ``CrossRegion``. Restores the journal still thinks
    running but the service says have ended get their final state journaled; restores whose job could not be
    checked (the region does not answer) are listed apart. Shows as text or HTML.
    """
    from .cross_region import CrossRegion

    item = target.item if isinstance(target, CrossRegion) else target
    journal = journal or item.connection.journal
    found = RunningRestores(f"{item.vm_resource_group}/{item.vm_name}")
    records = [r for r in journal.restores() if _same_vm(r, item) and r.state not in FINAL_STATES]
    lists: dict[tuple[str, str | None], list[Job] | str] = {}
    for record in reversed(records):  # oldest first
        api, job_class = _job_api(item, record)
        key = (record.kind, _text(record.get("region")) if record.kind == CROSS_REGION else None)
        if key not in lists:
            lists[key] = _running_jobs(item, api, job_class, record)
        jobs = lists[key]
        if isinstance(jobs, str):
            found.unconfirmed.append((record, jobs))
            continue
        job = _match(record, jobs)
        if job is not None:
            found.running.append(RunningRestore(record, job, item.connection, journal))
        elif record.job_id:
            _journal_end(record, api, job_class, journal)
    found.running.reverse()  # newest first
    return found


def _same_vm(record: Record, item: ProtectedItem) -> bool:
    conn = item.connection
    return (str(record.get("endpoint") or "").rstrip("/") == conn.endpoint.rstrip("/")
            and str(record.get("subscription") or "").lower() == str(conn.subscription_id).lower()
            and str(record.get("vault") or "").lower() == f"{item.vault.resource_group}/{item.vault.name}".lower()
            and str(record.get("vm") or "").lower() == f"{item.vm_resource_group}/{item.vm_name}".lower())


def _job_api(item: ProtectedItem, record: Record) -> tuple[JobApi, type[Job]]:
    region = record.get("region")
    if record.kind == CROSS_REGION and isinstance(region, str) and region:
        return CrossRegionJobs(item.connection, item.vault.id, region), CrrJob
    return VaultJobs(item.connection, item.vault.id), Job


def _running_jobs(item: ProtectedItem, api: JobApi, job_class: type[Job], record: Record) -> list[Job] | str:
    """The service's running jobs of this kind for the VM, or why they could not be read."""
    operation = "CrossRegionRestore" if record.kind == CROSS_REGION else "Restore"
    try:
        raws = api.list(job_filter(operation, "InProgress"))
    except (ArmError, TransportError) as exc:
        return str(exc).splitlines()[0][:200]
    jobs = [job_class(raw, api) for raw in raws]
    return [j for j in jobs if job_matches_item(j, item.vm_name, item.ref.container)]


def _match(record: Record, jobs: list[Job]) -> Job | None:
    """The running job of a journaled restore: by its job id, or (none journaled) the one job that fits."""
    job_id = (record.job_id or "").lower()
    if job_id:
        return next((j for j in jobs if j.id.lower() == job_id), None)
    sent = parse_time(record.submitted)
    point = PointRef(str(record.get("point")), parse_time(record.get("point_time")))
    fits = [j for j in jobs if job_matches_point(j, point)
            and (sent is None or j.start_time is None or j.start_time >= sent - MARGIN)]
    return fits[0] if len(fits) == 1 else None


def _journal_end(record: Record, api: JobApi, job_class: type[Job], journal: Journal) -> None:
    """A journaled restore that no longer runs: read its job once and journal how it ended."""
    try:
        job = job_class.fetch(api, str(record.job_id))
    except RestorekitError:
        return
    if job.done:
        JournalEntry.resumed(record, journal).write("final", state=job.status, job_id=job.id)
