"""Restore operations and backup jobs: trigger a restore, follow it, re-attach to it, list jobs.

>>> op = item.restore(rk.RestoreDisks(point, storage_account=...))   # POST once, returns at once
>>> op.phase                      # "submitted" → "operation" → "job" → "done" / "failed" / "cancelled"
>>> job = op.wait()               # the final Job, or OperationFailed quoting the service
>>> job.to_frame()                # one row per task
>>> vault.jobs(status="InProgress")                     # DataFrame over every page
>>> RestoreOperation.from_job_id(vault, job_id).wait()  # re-attach after a kernel restart

A restore runs in two phases: the POST's asynchronous operation (followed with :mod:`restorekit.lro`),
which ends with a job id, then the backup job itself, read from ``{vault}/backupJobs/{id}``. The POST
is never repeated: if its answer is lost (timeout, reset, 5xx) the operation looks for the job it may
have created instead.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import lro
from .errors import (
    ArmError,
    ConfirmationRequired,
    DuplicateRestore,
    NotFoundError,
    OperationFailed,
    TransportError,
)
from .points import parse_time

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .resources import ProtectedItem, Vault

#: Job statuses after which nothing changes any more.
JOB_TERMINAL = frozenset({"Completed", "CompletedWithWarnings", "Failed", "Cancelled"})
#: Phases of a :class:`RestoreOperation`.
PHASES = ("submitted", "operation", "job", "done", "failed", "cancelled")
#: How far before the POST a job found by the lost-answer lookup may have started (clock skew).
LOOKUP_MARGIN = timedelta(minutes=2)
#: Lookups (spaced by the poll interval) before concluding a lost POST created no job.
LOOKUP_ATTEMPTS = 3
_EARLIEST = datetime(2015, 1, 1, tzinfo=UTC)

_LOOSE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %I:%M:%S %p", "%Y-%m-%d %H:%M:%S",
                  "%m/%d/%Y %I:%M %p", "%d-%m-%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S")
_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$", re.I)
_TIMESPAN = re.compile(r"^(?:(?P<d>\d+)[.:])?(?P<h>\d+):(?P<m>\d{1,2}):(?P<s>\d{1,2}(?:\.\d+)?)$")


# -- lenient parsing ----------------------------------------------------------------------------------
def parse_duration(value: Any) -> timedelta | None:
    """A timedelta from ISO 8601 (``PT9.87S``), .NET TimeSpan (``1.02:03:04``, ``00:15:00``) or seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    text = str(value).strip()
    match = _ISO_DURATION.match(text)
    if match and any(match.groupdict().values()):
        parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
        return timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    match = _TIMESPAN.match(text)
    if match:
        parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
        return timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    try:
        return timedelta(seconds=float(text))
    except ValueError:
        return None


def parse_loose_time(value: Any) -> datetime | None:
    """A UTC datetime from ISO 8601 or the en-US forms job property bags use (``10/9/2019 6:05:54 PM``)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_time(value)
    if parsed is not None or not isinstance(value, str):
        return parsed
    text = " ".join(value.replace("UTC", "").split())
    for fmt in _LOOSE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _same_moment(a: datetime | None, b: datetime | None) -> bool:
    """Equal within a second, or a whole number of hours apart (a local time written without its zone)."""
    if a is None or b is None:
        return False
    delta = abs((a - b).total_seconds())
    if delta <= 1:
        return True
    return delta <= 14 * 3600 and min(delta % 1800, 1800 - delta % 1800) <= 1


def _fmt_td(value: timedelta | None) -> str:
    if value is None:
        return "?"
    return str(timedelta(seconds=round(value.total_seconds())))


def _bag_get(bag: dict[str, Any], *names: str) -> str | None:
    lowered = {str(k).lower().replace("_", " ").strip(): v for k, v in bag.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return str(value)
    return None


def _job_path(vault: Any, job_id: str) -> str:
    return f"{vault.id}/backupJobs/{job_id}"


# -- jobs ---------------------------------------------------------------------------------------------
class Job:
    """A backup job of a vault (usually a restore): status, progress, errors, where the disks went.

    Make one with :meth:`fetch` (or ``vault.job(job_id)``); ``raw`` is the JobResource as last read.
    ``poll_interval`` is the wait between reads in :meth:`wait` (15 s unless set; a restore operation
    passes on the service's ``Retry-After``). ``sleep``/``clock`` are injectable for tests.
    """

    def __init__(self, vault: Vault, raw: dict[str, Any], *, poll_interval: float | None = None,
                 sleep: Callable[[float], Any] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.vault = vault
        self.raw = raw
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock
        self.polls = 0
        self.fetched_at = datetime.now(UTC)
        self._cancel_sent = False

    @classmethod
    def fetch(cls, vault: Vault, job_id: str, **kwargs: Any) -> Job:
        """Read job ``job_id`` of ``vault``; an unknown id raises ``NotFoundError`` saying so."""
        job_id = str(job_id).strip().rsplit("/", 1)[-1]
        try:
            raw = vault.connection.arm.get(_job_path(vault, job_id))
        except ArmError as exc:
            if exc.status != 404:
                raise
            raise NotFoundError(
                f"vault {vault.name!r} has no backup job {job_id!r} ({exc.code}); list the vault's jobs with "
                f"vault.jobs(operation=None) — jobs are kept for a limited time"
            ) from None
        return cls(vault, raw, **kwargs)

    # -- reading ------------------------------------------------------------------------------------
    @property
    def properties(self) -> dict[str, Any]:
        """The job's ``properties`` as the API returned them."""
        props = self.raw.get("properties")
        return props if isinstance(props, dict) else {}

    @property
    def extended_info(self) -> dict[str, Any]:
        """``properties.extendedInfo`` (tasks, property bag, progress), or an empty dict."""
        info = self.properties.get("extendedInfo")
        return info if isinstance(info, dict) else {}

    @property
    def id(self) -> str:
        """The job id (its resource name)."""
        return str(self.raw.get("name") or str(self.raw.get("id", "")).rsplit("/", 1)[-1])

    @property
    def status(self) -> str:
        """InProgress, Completed, CompletedWithWarnings, Failed, Cancelling, Cancelled (as the service says)."""
        return str(self.properties.get("status") or "Unknown")

    @property
    def done(self) -> bool:
        """True once the job reached a final status."""
        return self.status in JOB_TERMINAL

    @property
    def succeeded(self) -> bool:
        """True for Completed and CompletedWithWarnings."""
        return self.status in ("Completed", "CompletedWithWarnings")

    @property
    def operation(self) -> str | None:
        """Restore, Backup, CrossRegionRestore, …"""
        return self.properties.get("operation")

    @property
    def vm_name(self) -> str | None:
        """The VM the job is about (``entityFriendlyName``)."""
        return self.properties.get("entityFriendlyName")

    @property
    def start_time(self) -> datetime | None:
        """When the job started (UTC)."""
        return parse_time(self.properties.get("startTime"))

    @property
    def end_time(self) -> datetime | None:
        """When the job ended (UTC), None while it runs."""
        return parse_time(self.properties.get("endTime"))

    @property
    def duration(self) -> timedelta | None:
        """How long the job ran (the service's ``duration``, else end − start)."""
        value = parse_duration(self.properties.get("duration"))
        if value is None and self.start_time is not None:
            value = (self.end_time or datetime.now(UTC)) - self.start_time
        return value

    @property
    def tasks(self) -> list[dict[str, Any]]:
        """``extendedInfo.tasksList`` (each ``{taskId, status, startTime, endTime, duration, progressPercentage}``)."""
        tasks = self.extended_info.get("tasksList")
        return [t for t in tasks if isinstance(t, dict)] if isinstance(tasks, list) else []

    @property
    def progress(self) -> float | None:
        """Percent done: ``extendedInfo.progressPercentage``, else the mean over tasks; 100 when completed."""
        if self.succeeded:
            return 100.0
        value = self.extended_info.get("progressPercentage")
        if isinstance(value, int | float):
            return float(value)
        tasks = self.tasks
        if tasks:
            total = 0.0
            for task in tasks:
                pct = task.get("progressPercentage")
                if isinstance(pct, int | float):
                    total += float(pct)
                elif str(task.get("status")) in ("Completed", "CompletedWithWarnings"):
                    total += 100.0
            return total / len(tasks)
        return None

    @property
    def estimated_remaining(self) -> timedelta | None:
        """``extendedInfo.estimatedRemainingDuration`` as a timedelta (None when unknown or finished)."""
        if self.done:
            return None
        return parse_duration(self.extended_info.get("estimatedRemainingDuration"))

    @property
    def error_details(self) -> list[dict[str, Any]]:
        """The service's errors, each ``{code, title, message, recommendations}``."""
        details = []
        for err in self.properties.get("errorDetails") or []:
            if isinstance(err, dict):
                details.append({"code": err.get("errorCode"), "title": err.get("errorTitle"),
                                "message": err.get("errorString"),
                                "recommendations": [str(r) for r in err.get("recommendations") or []]})
        return details

    @property
    def property_bag(self) -> dict[str, str]:
        """``extendedInfo.propertyBag``: what the service says about the restore (targets, blobs, point)."""
        bag = self.extended_info.get("propertyBag")
        return {str(k): str(v) for k, v in bag.items()} if isinstance(bag, dict) else {}

    @property
    def target_storage_account(self) -> str | None:
        """The storage account the disks (and ``vmconfig.json``) were restored to."""
        return _bag_get(self.property_bag, "Target Storage Account Name", "Target Storage Account",
                        "Storage Account Name", "TargetStorageAccountName")

    @property
    def config_blob_uri(self) -> str | None:
        """URI of the restored VM configuration (``vmconfig.json``), when the service gives it."""
        return _bag_get(self.property_bag, "Config Blob Uri", "ConfigBlobUri", "Config Blob URI")

    @property
    def template_blob_uri(self) -> str | None:
        """URI of the ARM template to create a VM from the restored disks, when the service gives it."""
        return _bag_get(self.property_bag, "Template Blob Uri", "TemplateBlobUri", "Template Blob URI")

    @property
    def recovery_point_time(self) -> datetime | None:
        """The restored point's time from the property bag (parsed leniently), if present."""
        return parse_loose_time(_bag_get(self.property_bag, "Recovery point time", "RecoveryPointTime",
                                         "Recovery Point Time"))

    @property
    def recovery_point_id(self) -> str | None:
        """The restored point's id/name from the property bag, if present."""
        value = _bag_get(self.property_bag, "Recovery point id", "RecoveryPointId", "Recovery Point Name")
        return value.rsplit("/", 1)[-1] if value else None

    # -- acting -------------------------------------------------------------------------------------
    def refresh(self) -> Job:
        """Read the job again; returns self. Honours a ``Retry-After`` on the answer for the next wait."""
        response = self.vault.connection.arm.request("GET", _job_path(self.vault, self.id), ok=(200,))
        self.polls += 1
        if isinstance(response.body, dict):
            self.raw = response.body
        self.fetched_at = datetime.now(UTC)
        suggested = lro.parse_retry_after(response.headers)
        self._retry_after = lro.clamp_interval(suggested) if suggested is not None else None
        return self

    def _interval(self) -> float:
        if self.poll_interval is not None:
            return self.poll_interval
        return getattr(self, "_retry_after", None) or lro.DEFAULT_INTERVAL

    def wait(self, timeout: float | None = None, *, on_update: Callable[[Job], Any] | None = None,
             raise_on_failure: bool = True) -> Job:
        """Re-read the job every ``poll_interval`` until it ends; returns self.

        A Failed job raises ``OperationFailed`` quoting the service's code, message and recommendations
        (unless ``raise_on_failure=False``); a Cancelled job is returned. Transient errors while polling
        are retried with backoff; ``TimeoutError`` after ``timeout`` seconds.
        """
        failures = 0

        def poll() -> float:
            nonlocal failures
            try:
                self.refresh()
            except (ArmError, TransportError) as exc:
                failures += 1
                if not lro.is_transient(exc) or failures > lro.MAX_TRANSIENT:
                    raise
                return min(lro.BACKOFF_MAX, lro.BACKOFF_BASE * 2 ** (failures - 1))
            failures = 0
            return self._interval()

        lro.poll_loop(done=lambda: self.done, poll=poll, first_delay=self._interval(), timeout=timeout,
                      clock=self.clock, sleep=self.sleep,
                      on_update=None if on_update is None else (lambda: on_update(self)),
                      timed_out=lambda: (f"job {self.id} was still {self.status} ({self.progress or 0:.0f}%) after "
                                         f"{timeout:g} s; wait again with job.wait() or RestoreOperation.from_job_id"))
        if raise_on_failure and self.status == "Failed":
            raise self.failure()
        return self

    def failure(self) -> OperationFailed:
        """The ``OperationFailed`` describing this job's errors (code, title, message, recommendations)."""
        details = self.error_details
        first = details[0] if details else {}
        code = first.get("code")
        title = first.get("title")
        message = first.get("message") or self.extended_info.get("dynamicErrorMessage") or "no details given"
        error = {"code": f"{code}" + (f" ({title})" if title else "") if code is not None else (title or "Failed"),
                 "message": message}
        recs = [r for d in details for r in d["recommendations"]]
        return lro.operation_failed(error, what=f"{self.operation or 'backup'} job {self.id} of VM {self.vm_name}",
                                    job_id=self.id, recommendations=recs)

    def cancel(self, *, wait: bool = True, timeout: float | None = None) -> Job:
        """Ask the service to cancel the job (POST …/cancel, once); with ``wait`` follow it until it ends.

        A job that already ended is returned unchanged.
        """
        if self.done:
            return self
        if not self._cancel_sent:
            response = self.vault.connection.arm.post(f"{_job_path(self.vault, self.id)}/cancel")
            self._cancel_sent = True
            if wait:
                follow = lro.LongRunningOperation.from_response(
                    self.vault.connection.arm, response, poll_interval=self.poll_interval,
                    sleep=self.sleep, clock=self.clock)
                if follow.can_poll:
                    follow.run(timeout=timeout)
        if wait:
            self.refresh()
            self.wait(timeout=timeout, raise_on_failure=False)
        return self

    # -- showing ------------------------------------------------------------------------------------
    def summary(self) -> str:
        """One line: status, progress or duration, and where the disks went."""
        if not self.done:
            pct = self.progress
            text = f"{self.status} {pct:.0f}%" if pct is not None else self.status
            if self.estimated_remaining is not None:
                text += f", about {_fmt_td(self.estimated_remaining)} left"
            return text
        text = f"{self.status} in {_fmt_td(self.duration)}"
        if self.status == "Failed" and self.error_details:
            first = self.error_details[0]
            text += f": {first['code']} {first['message']}"
        elif self.succeeded:
            text += self.outcome()
        return text

    def outcome(self) -> str:
        """Where the restore went, from the property bag: a new VM, replaced disks, or staged disks."""
        bag = self.property_bag
        target_vm = bag.get("Target VM Name")
        group = bag.get("Target resource group")
        if "replace" in str(bag.get("Job Type", "")).lower():
            return f"; disks of VM {target_vm or self.vm_name} replaced"
        if target_vm:
            return f"; new VM {target_vm}" + (f" in resource group {group}" if group else "")
        if self.target_storage_account:
            return f"; disks in storage account {self.target_storage_account}"
        return ""

    def to_frame(self) -> pd.DataFrame:
        """One row per task of ``extendedInfo.tasksList`` (task, status, start, end, duration, progress).

        A job without a task list gives one summary row whose task is the job's operation. Times are
        tz-aware UTC, ``duration`` a timedelta, ``status`` categorical; ``frame.attrs`` holds the job id,
        VM, status and property bag.
        """
        import pandas as pd

        rows = [{"task": t.get("taskId"), "status": t.get("status"), "start": parse_time(t.get("startTime")),
                 "end": parse_time(t.get("endTime")), "duration": parse_duration(t.get("duration")),
                 "progress": float(t["progressPercentage"]) if isinstance(t.get("progressPercentage"), int | float)
                 else (100.0 if t.get("status") == "Completed" else None)} for t in self.tasks]
        if not rows:
            rows = [{"task": self.operation or "job", "status": self.status, "start": self.start_time,
                     "end": self.end_time, "duration": self.duration, "progress": self.progress}]
        frame = pd.DataFrame(rows, columns=["task", "status", "start", "end", "duration", "progress"])
        frame["start"] = pd.to_datetime(frame["start"], utc=True)
        frame["end"] = pd.to_datetime(frame["end"], utc=True)
        frame["duration"] = pd.to_timedelta(frame["duration"])
        frame["progress"] = pd.to_numeric(frame["progress"], errors="coerce").astype("float64")
        frame["status"] = frame["status"].astype("category")
        frame.attrs.update({"job_id": self.id, "vm": self.vm_name, "status": self.status,
                            "property_bag": self.property_bag})
        return frame

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.operation or ''} {self.vm_name or ''}: {self.summary()}>".replace("  ", " ")

    def _repr_html_(self) -> str:
        from .rendering import fields_table

        rows = [("job", self.id), ("VM", self.vm_name), ("operation", self.operation), ("status", self.summary()),
                ("started", self.start_time.strftime("%Y-%m-%d %H:%M:%S UTC") if self.start_time else None),
                ("storage account", self.target_storage_account), ("vmconfig.json", self.config_blob_uri),
                ("template", self.template_blob_uri)]
        for err in self.error_details:
            rows.append(("error", f"{err['code']} {err['title'] or ''}: {err['message']}"))
            rows.extend(("recommendation", rec) for rec in err["recommendations"])
        return fields_table(rows, "restorekit-job")


def job_filter(operation: str | None = "Restore", status: str | None = None, start: Any = None,
               end: Any = None) -> str | None:
    """The jobs ``$filter``: ``operation eq 'Restore' and status eq '…' and startTime eq '…' and endTime eq '…'``.

    The service wants both times when one is given: a missing start is 2015-01-01, a missing end is
    tomorrow (UTC).
    """
    from .resources import filter_time, to_utc

    clauses = []
    if operation:
        clauses.append(f"operation eq '{operation}'")
    if status:
        clauses.append(f"status eq '{status}'")
    if start is not None or end is not None:
        begin = to_utc(start) if start is not None else _EARLIEST
        finish = to_utc(end) if end is not None else datetime.now(UTC) + timedelta(days=1)
        if finish < begin:
            raise ValueError(f"end ({finish:%Y-%m-%d %H:%M}) is before start ({begin:%Y-%m-%d %H:%M})")
        clauses.append(f"startTime eq '{filter_time(begin)}' and endTime eq '{filter_time(finish)}'")
    return " and ".join(clauses) or None


def job_resources(vault: Vault, operation: str | None = "Restore", status: str | None = None,
                  start: Any = None, end: Any = None) -> list[dict[str, Any]]:
    """Every JobResource the API returns for the filter (all pages, ``$skipToken``/``nextLink`` followed)."""
    text = job_filter(operation, status, start, end)
    return vault.connection.arm.list(f"{vault.id}/backupJobs", params={"$filter": text} if text else None)


def jobs_frame(jobs: Iterable[Job]) -> pd.DataFrame:
    """A typed DataFrame of jobs: one row each (see :func:`list_jobs` for the columns)."""
    import pandas as pd

    columns = ["job_id", "vm", "operation", "status", "start", "end", "duration", "progress", "error_code",
               "target_storage_account"]
    rows = []
    for job in jobs:
        first = job.error_details[0] if job.error_details else {}
        rows.append({"job_id": job.id, "vm": job.vm_name, "operation": job.operation, "status": job.status,
                     "start": job.start_time, "end": job.end_time, "duration": job.duration,
                     "progress": job.progress, "error_code": first.get("code"),
                     "target_storage_account": job.target_storage_account})
    frame = pd.DataFrame(rows, columns=columns)
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame["duration"] = pd.to_timedelta(frame["duration"])
    frame["progress"] = pd.to_numeric(frame["progress"], errors="coerce").astype("float64")
    frame["status"] = frame["status"].astype("category")
    frame["operation"] = frame["operation"].astype("category")
    frame["error_code"] = frame["error_code"].astype("string")
    return frame.sort_values("start", ascending=False, ignore_index=True)


def list_jobs(vault: Vault, operation: str | None = "Restore", status: str | None = None,
              start: Any = None, end: Any = None) -> pd.DataFrame:
    """The vault's jobs as a DataFrame, filtered by the API's ``$filter``, every page, newest first.

    Columns: ``job_id``, ``vm``, ``operation`` and ``status`` (categorical), ``start``/``end`` (tz-aware
    UTC), ``duration`` (timedelta), ``progress`` (percent), ``error_code``, ``target_storage_account``.
    """
    return jobs_frame(Job(vault, raw) for raw in job_resources(vault, operation, status, start, end))


# -- restore operations -------------------------------------------------------------------------------
def job_matches_item(job: Job, item_vm: str, container: str | None) -> bool:
    """True when the job is about the VM ``item_vm`` (and its container, when the job names one)."""
    if (job.vm_name or "").lower() != item_vm.lower():
        return False
    job_container = job.properties.get("containerName")
    if container and job_container:
        return str(job_container).lower().endswith(container.lower().split(";", 1)[-1].split(";", 1)[-1])
    return True


def job_matches_point(job: Job, point: Any) -> bool:
    """True when the job restores ``point``, or when the job does not say which point (conservative)."""
    point_id, point_time = job.recovery_point_id, job.recovery_point_time
    if point_id is None and point_time is None:
        return True
    if point_id is not None and point_id == str(getattr(point, "name", "")):
        return True
    return _same_moment(point_time, getattr(point, "time", None))


def find_duplicates(item: ProtectedItem, point: Any) -> list[Job]:
    """In-progress restore jobs of the same VM and recovery point (``$filter`` on Restore/InProgress)."""
    jobs = [Job(item.vault, raw) for raw in job_resources(item.vault, "Restore", "InProgress")]
    return [j for j in jobs if job_matches_item(j, item.vm_name, item.ref.container) and job_matches_point(j, point)]


def trigger(request: Any, *, item: ProtectedItem | None = None, confirm: bool = False,
            allow_duplicate: bool = False, display: bool | None = None,
            poll_interval: float | None = None, sleep: Callable[[float], Any] | None = None,
            clock: Callable[[], float] = time.monotonic) -> RestoreOperation:
    """Validate ``request``, POST the restore once, and return a :class:`RestoreOperation` at once.

    ``request`` is a restore builder (``RestoreDisks``, ``ReplaceDisks``, ``RestoreAsNewVM``): it needs
    ``.point``, ``.to_body()``, ``.validate()``, ``.destructive``. ``item`` defaults to the point's owner.
    Replacing disks needs ``confirm=True``; an in-progress restore of the same VM and point is refused
    unless ``allow_duplicate=True``. ``display`` (default: inside an IPython kernel) shows live progress.

    >>> op = trigger(rk.RestoreDisks(point, storage_account=acct))
    >>> op.wait()
    """
    point = request.point
    item = item if item is not None else getattr(point, "owner", None)
    if item is None:
        raise ValueError("this recovery point is not attached to a protected item: pass item=vault.vm(rg, vm), "
                         "or take the point from item.recovery_points()")
    request.validate()
    vm = f"{item.vm_resource_group}/{item.vm_name}"
    if getattr(request, "destructive", False) and not confirm:
        when = point.time.strftime("%Y-%m-%d %H:%M UTC") if getattr(point, "time", None) else "time unknown"
        raise ConfirmationRequired(
            f"{type(request).__name__} replaces the disks of VM {vm} with those of recovery point {point.name} "
            f"({when}); the VM's current disks are replaced and the VM restarts. To go ahead, pass confirm=True: "
            f"item.restore(request, confirm=True)")
    if not allow_duplicate:
        duplicates = find_duplicates(item, point)
        if duplicates:
            ids = ", ".join(f"{j.id} ({j.summary()})" for j in duplicates)
            raise DuplicateRestore(
                f"a restore of VM {vm} from recovery point {point.name} is already in progress: job {ids}. "
                f"Follow it with RestoreOperation.from_job_id(vault, {duplicates[0].id!r}), or pass "
                f"allow_duplicate=True to start another one", duplicates[0].id)
    body = request.to_body()
    posted_at = datetime.now(UTC)
    options: dict[str, Any] = {"poll_interval": poll_interval, "clock": clock, "request": request}
    if sleep is not None:
        options["sleep"] = sleep
    try:
        response = item.connection.arm.post(f"{item.ref.path}/recoveryPoints/{point.name}/restore", json_body=body)
    except TransportError as exc:
        op = RestoreOperation(item.vault, item=item, point=point, posted_at=posted_at, lost_answer=str(exc), **options)
    except ArmError as exc:
        if exc.status == 404:
            raise point_gone(item, point, exc) from None
        if exc.status < 500:
            raise
        op = RestoreOperation(item.vault, item=item, point=point, posted_at=posted_at, lost_answer=str(exc), **options)
    else:
        op = RestoreOperation(item.vault, item=item, point=point, initial=response, posted_at=posted_at, **options)
    if display is None:
        display = _in_kernel()
    if display:
        from IPython.display import display as show

        show(op)
    return op


def point_gone(item: ProtectedItem, point: Any, exc: ArmError) -> NotFoundError:
    """The service's 404 for a restore, explained: the point expired (or was deleted) since it was listed."""
    when = point.time.strftime("%Y-%m-%d %H:%M UTC") if getattr(point, "time", None) else "time unknown"
    return NotFoundError(
        f"recovery point {point.name} ({when}) of VM {item.vm_name} is no longer there: the service answered "
        f"{exc.code}: {exc.message} (HTTP 404, x-ms-request-id {exc.request_id}). Points expire under the "
        "backup policy's retention, so it probably expired or was deleted after it was listed. Nothing was "
        "restored: list the points again (item.recovery_points()) and choose another one")


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class RestoreOperation:
    """A restore in flight: the POST's asynchronous operation, then the backup job it created.

    ``phase`` goes ``submitted`` → ``operation`` → ``job`` → ``done`` / ``failed`` / ``cancelled``;
    ``job_id`` appears as soon as the asynchronous operation ends; ``job`` is a :class:`Job` from then on.
    Polling runs in one background thread, started by :meth:`start`, :meth:`wait`, ``await op`` or the
    notebook display. Listeners added with :meth:`add_listener` are called (from that thread) on each change.
    """

    def __init__(self, vault: Vault, *, item: ProtectedItem | None = None, point: Any = None,
                 initial: Any = None, job_id: str | None = None, posted_at: datetime | None = None,
                 lost_answer: str | None = None, request: Any = None, poll_interval: float | None = None,
                 sleep: Callable[[float], Any] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.vault = vault
        self.item = item
        self.point = point
        self.request = request
        self.posted_at = posted_at
        self.lost_answer = lost_answer
        self.poll_interval = poll_interval
        self.clock = clock
        self._wake = threading.Event()
        self.sleep = sleep or self._interruptible_sleep
        self.started = clock()
        self.finished: float | None = None
        self.job_id = job_id
        self.job: Job | None = None
        self.error: BaseException | None = None
        self.phase = "job" if job_id else "submitted"
        self._lro = (lro.LongRunningOperation.from_response(vault.connection.arm, initial, poll_interval=poll_interval,
                                                            sleep=self.sleep, clock=clock)
                     if initial is not None else None)
        self._listeners: list[Callable[[RestoreOperation], Any]] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._changed = threading.Event()
        self._cancel_requested = False
        self.cancel_sent = False

    @classmethod
    def from_job_id(cls, vault: Vault, job_id: str, **kwargs: Any) -> RestoreOperation:
        """Re-attach to a restore by its job id (e.g. after a failed poll or a kernel restart)."""
        return cls(vault, job_id=str(job_id), **kwargs)

    # -- state --------------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """True once the operation reached done, failed or cancelled."""
        return self._done.is_set()

    @property
    def elapsed(self) -> timedelta:
        """Time since the POST (or since re-attaching), up to the end."""
        end = self.finished if self.finished is not None else self.clock()
        return timedelta(seconds=max(0.0, end - self.started))

    @property
    def requests(self) -> int:
        """Status requests sent so far (operation polls + job reads)."""
        return (self._lro.polls if self._lro else 0) + (self.job.polls if self.job else 0)

    @property
    def vm_name(self) -> str | None:
        """The VM being restored, when known."""
        if self.item is not None:
            return self.item.vm_name
        return self.job.vm_name if self.job else None

    def add_listener(self, callback: Callable[[RestoreOperation], Any]) -> None:
        """Call ``callback(op)`` after every change (from the polling thread; keep it short)."""
        self._listeners.append(callback)

    def _notify(self, *_: Any) -> None:
        self._changed.set()
        for callback in list(self._listeners):
            try:
                callback(self)
            except Exception:  # a broken listener must not stop polling
                pass

    def _interruptible_sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    # -- driving ------------------------------------------------------------------------------------
    def start(self) -> RestoreOperation:
        """Start polling in a background thread (once); returns self."""
        with self._lock:
            if self._thread is None and not self.done:
                self._thread = threading.Thread(target=self._run, name=f"restorekit-restore-{id(self):x}",
                                                daemon=True)
                self._thread.start()
        return self

    def _run(self) -> None:
        try:
            if self.job_id is None and self._lro is not None and self._lro.can_poll:
                self.phase = "operation"
                self._notify()
                result = self._lro.run(on_update=self._notify)
                self.job_id = result.job_id
                if result.status == lro.CANCELED and not self.job_id:
                    self._finish("cancelled")
                    return
            if self.job_id is None:
                self.job_id = self._find_created_job()
            self.phase = "job"
            self._notify()
            self.job = self._fetch_job()
            self._notify()
            self._maybe_cancel()
            self.job.wait(on_update=self._on_job_update, raise_on_failure=False)
            self._finish({"Failed": "failed", "Cancelled": "cancelled"}.get(self.job.status, "done"))
            if self.job.status == "Failed":
                self.error = self.job.failure()
        except BaseException as exc:  # noqa: BLE001 - reported through wait()
            self.error = exc
            self._finish("failed")
        finally:
            self._done.set()
            self._notify()

    def _finish(self, phase: str) -> None:
        self.phase = phase
        self.finished = self.clock()

    def _job_interval(self) -> float:
        if self.poll_interval is not None:
            return self.poll_interval
        return self._lro.interval if self._lro is not None and self._lro.polls else lro.DEFAULT_INTERVAL

    def _fetch_job(self) -> Job:
        failures = 0
        while True:
            try:
                return Job.fetch(self.vault, self.job_id, poll_interval=self._job_interval(),  # type: ignore[arg-type]
                                 sleep=self.sleep, clock=self.clock)
            except (ArmError, TransportError) as exc:
                failures += 1
                if not lro.is_transient(exc) or failures > lro.MAX_TRANSIENT:
                    raise
                self.sleep(min(lro.BACKOFF_MAX, lro.BACKOFF_BASE * 2 ** (failures - 1)))

    def _on_job_update(self, job: Job) -> None:
        self._maybe_cancel()
        self._notify()

    def _maybe_cancel(self) -> None:
        if self._cancel_requested and not self.cancel_sent and self.job is not None and not self.job.done:
            self.cancel_sent = True
            self.job.cancel(wait=False)

    #: How this kind of operation is named, and how a user re-attaches to a job or lists jobs.
    kind_label = "restore"
    attach_hint = "RestoreOperation.from_job_id(vault, job_id)"
    jobs_hint = "vault.jobs()"

    def _recent_jobs(self, since: datetime) -> list[Job]:
        """Restore jobs of the vault started since ``since`` (where a lost restore would show)."""
        return [Job(self.vault, raw) for raw in job_resources(self.vault, "Restore", None, since, None)]

    def _find_created_job(self) -> str:
        """After a lost POST answer (or a Location-only operation): the restore job created since the POST."""
        item = self.item
        if item is None:
            raise OperationFailed(f"cannot look for the {self.kind_label} job: the operation has no protected item")
        since = (self.posted_at or datetime.now(UTC)) - LOOKUP_MARGIN
        why = (f"the {self.kind_label} POST for VM {item.vm_name} got no usable answer ({self.lost_answer})"
               if self.lost_answer else f"the {self.kind_label} operation of VM {item.vm_name} did not name its job")
        candidates: list[Job] = []
        for attempt in range(LOOKUP_ATTEMPTS):
            if attempt:
                self.sleep(self._job_interval())
            candidates = [j for j in self._recent_jobs(since) if job_matches_item(j, item.vm_name, item.ref.container)
                          and (j.start_time is None or j.start_time >= since)]
            if self.point is not None and len(candidates) > 1:
                candidates = [j for j in candidates if job_matches_point(j, self.point)] or candidates
            if len(candidates) == 1:
                return candidates[0].id
            if len(candidates) > 1:
                listed = "; ".join(f"{j.id} started {j.start_time:%H:%M:%S} UTC, {j.summary()}" if j.start_time
                                   else f"{j.id} {j.summary()}" for j in candidates)
                raise OperationFailed(f"{why}; {len(candidates)} {self.kind_label} jobs of this VM started since "
                                      f"{since:%Y-%m-%d %H:%M:%S} UTC, so restorekit cannot tell which is yours: "
                                      f"{listed}. Attach to one with {self.attach_hint}")
        raise OperationFailed(f"{why}; no {self.kind_label} job of VM {item.vm_name} started since "
                              f"{since:%Y-%m-%d %H:%M:%S} UTC ({LOOKUP_ATTEMPTS} lookups), so the restore most "
                              f"probably did not start. Check {self.jobs_hint} and trigger it again if needed")

    def wait(self, timeout: float | None = None) -> Job:
        """Block until the restore ends; return the final Job (Completed or Cancelled).

        Raises ``OperationFailed`` (the service's code, message, recommendations) if it failed, the
        polling error if polling gave up (then :meth:`resume`), ``TimeoutError`` after ``timeout`` s
        (polling goes on; wait again).
        """
        self.start()
        if not self._done.wait(timeout):
            raise TimeoutError(f"restore still in phase {self.phase!r} after {timeout:g} s "
                               f"(job {self.job_id or 'not known yet'}); call wait() again")
        if self.error is not None:
            raise self.error
        assert self.job is not None
        return self.job

    def __await__(self):
        """``await op``: wait on the running loop without blocking it."""
        return self._wait_async().__await__()

    async def _wait_async(self) -> Job:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def resolve(_: Any = None) -> None:
            if self.done and not future.done():
                future.set_result(None)

        self.add_listener(lambda op: loop.call_soon_threadsafe(resolve) if op.done else None)
        self.start()
        if self.done:
            resolve()
        await future
        return self.wait(0)

    def cancel(self) -> None:
        """Ask for cancellation and return at once: the job is cancelled (once) as soon as it is known.

        ``wait()`` then returns the job in status Cancelled. Does nothing once the restore has ended.
        """
        if self.done:
            return
        self._cancel_requested = True
        self.start()
        self._wake.set()
        self._notify()

    def resume(self) -> RestoreOperation:
        """Start polling again after polling gave up (a transport error), from the job id when known."""
        if self._thread is not None and self._thread.is_alive():
            return self
        if self.phase == "failed" and isinstance(self.error, OperationFailed) and self.job is not None \
                and self.job.status == "Failed":
            return self  # the service said the job failed: nothing to resume
        with self._lock:
            self.error = None
            self.phase = "job" if self.job_id else ("operation" if self._lro else "submitted")
            self.finished = None
            if self._lro is not None:
                self._lro.transient_failures = 0
            self._done.clear()
            self._thread = None
        return self.start()

    # -- showing ------------------------------------------------------------------------------------
    def status_line(self) -> str:
        """One plain-text line: ``restore job 1234…: InProgress 40%``, or the final summary."""
        vm = self.vm_name or "?"
        if self.phase in ("submitted", "operation"):
            return f"restore of VM {vm}: {self.phase} ({_fmt_td(self.elapsed)} elapsed)"
        if self.phase == "failed" and (self.job is None or self.job.status != "Failed"):
            first = str(self.error).splitlines()[0] if self.error else "unknown error"
            return f"restore of VM {vm} (job {self.job_id or 'unknown'}): polling failed: {first}"
        if self.job is None:
            return f"restore job {self.job_id}: looking it up"
        if self.done:
            return f"restore job {self.job.id}: {self.job.summary()}"
        return f"restore job {self.job.id[:8]}…: {self.job.summary()}"

    def __repr__(self) -> str:
        return f"<RestoreOperation VM {self.vm_name or '?'} phase={self.phase} job={self.job_id or '-'}>"

    def watch(self, out: Callable[[str], Any] = print, timeout: float | None = None) -> Job | None:
        """Block until done, printing a status line whenever status or progress (by 10 %) changes.

        What a headless notebook shows. Returns the job (None if it was never known); never raises for a
        failed restore (the last line says why).
        """
        self.start()
        last_key: tuple[Any, ...] | None = None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._changed.wait(1.0)
            self._changed.clear()
            job = self.job
            key = (self.phase, job.status if job else None,
                   int((job.progress or 0) // 10) if job and not self.done else None)
            settling = job is not None and job.done and not self.done  # the final line comes next
            if key != last_key and not settling:
                out(self.status_line())
                last_key = key
            if self.done:
                return self.job
            if deadline is not None and time.monotonic() > deadline:
                out(f"still running after {timeout:g} s; re-attach with RestoreOperation.from_job_id(vault, "
                    f"{self.job_id!r})")
                return self.job

    def _ipython_display_(self) -> None:
        """Live widget with a widget-capable frontend; otherwise block and print status lines."""
        from .frontend import is_headless

        if is_headless():
            self.watch()
            return
        from IPython.display import display

        from .widgets.progress import OperationProgress

        display(OperationProgress(self))
