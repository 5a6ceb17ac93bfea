"""Backup jobs of a vault: the job resource as Azure returns it, read through its :class:`~restorekit.model.job_api.JobApi`.

A :class:`Job` is the resource (status, progress, tasks, errors, ``summary()``, ``to_frame()``) and the two
requests it makes of its API (:meth:`Job.refresh`, :meth:`Job.cancel`). Following it to its end is
:mod:`restorekit.model.job_polling` (``job.wait()``); what a restore job says it did is
:mod:`restorekit.model.outcome` (``job.restore_facts``).

>>> job = vault.job(job_id)        # re-attach after a kernel restart
>>> job.wait(); job.to_frame()     # one row per task
>>> vault.jobs(status="InProgress")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ..core.errors import ArmError, OperationFailed
from ..core.filters import job_filter
from ..core.ids import name_of, subscription_of
from ..core.times import format_duration as _fmt_td
from ..core.times import format_moment, parse_duration, parse_time, same_moment
from ..data.readable import for_people
from ..transport import polling as lro
from .job_api import CrossRegionJobs, JobApi
from .job_polling import JobPolling
from .outcome import RestoreFacts

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.filters import TimeBound
    from ..core.json_values import JsonObject
    from .points import PointRef

#: Job statuses after which nothing changes any more.
JOB_TERMINAL = frozenset({"Completed", "CompletedWithWarnings", "Failed", "Cancelled"})
#: The statuses of a job whose results (restored disks, vmconfig.json, template) were not written.
WROTE_NOTHING = frozenset({"Failed", "Cancelled", "Cancelling"})


class Job:
    """A backup job of a vault (usually a restore): status, progress, errors, where the disks went.

    Make one with :meth:`fetch` (or ``vault.job(job_id)``); ``raw`` is the JobResource as last read, ``api`` where
    it is read (None for a job made by hand). ``poll_interval`` is the wait between reads in :meth:`wait` (15 s
    unless set; a restore operation passes on the service's ``Retry-After``). ``sleep``/``clock`` are injectable.
    """

    def __init__(self, raw: JsonObject, api: JobApi | None = None, *, poll_interval: float | None = None,
                 sleep: Callable[[float], object] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.raw = raw
        self.api = api
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock
        self.polls = 0
        self.fetched_at = datetime.now(UTC)
        #: The service's last ``Retry-After`` (seconds), or None.
        self.retry_after: float | None = None
        self._cancel_sent = False

    @classmethod
    def fetch(cls, api: JobApi, job_id: str, **kwargs: float | Callable[..., object] | None) -> Job:
        """Read job ``job_id`` through ``api``; an unknown id raises ``NotFoundError`` saying where to look."""
        job_id = name_of(str(job_id))
        try:
            response = api.read(job_id)
        except ArmError as exc:
            if exc.status != 404:
                raise
            raise api.not_found(job_id, exc) from None
        raw = response.body if isinstance(response.body, dict) else {"name": job_id}
        return cls(raw, api, **kwargs)  # type: ignore[arg-type]

    # -- reading ------------------------------------------------------------------------------------
    @property
    def properties(self) -> JsonObject:
        """The job's ``properties`` as the API returned them."""
        props = self.raw.get("properties")
        return props if isinstance(props, dict) else {}

    @property
    def extended_info(self) -> JsonObject:
        """``properties.extendedInfo`` (tasks, property bag, progress), or an empty dict."""
        info = self.properties.get("extendedInfo")
        return info if isinstance(info, dict) else {}

    @property
    def id(self) -> str:
        """The job id (its resource name)."""
        return str(self.raw.get("name") or name_of(str(self.raw.get("id", ""))))

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
    def tasks(self) -> list[JsonObject]:
        """``extendedInfo.tasksList``: each ``{taskId, status, duration, taskType}`` (``taskExecutionDetails`` when
        Azure says how much was transferred)."""
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
    def error_details(self) -> list[JsonObject]:
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
        return dict(self.restore_facts.bag)

    @property
    def restore_facts(self) -> RestoreFacts:
        """What the job says the restore did (kind, targets, restored disks, the point): see
        :class:`~restorekit.model.outcome.RestoreFacts`; ``job.restore_kind`` and the rest read it."""
        vault = self.api.vault.subscription_id if self.api is not None else subscription_of(str(self.raw.get("id", "")))
        return RestoreFacts.read(self.properties, subscription_id=vault)

    # -- what a restore job says it did (model.outcome) ------------------------------------------------
    @property
    def restore_kind(self) -> str | None:
        """``RestoreDisks``, ``OriginalLocation`` or ``AlternateLocation`` (None for other jobs)."""
        return self.restore_facts.kind

    @property
    def target_resource_group(self) -> str | None:
        """The resource group the restore wrote to (absent for a VHD restore)."""
        return self.restore_facts.target_resource_group

    @property
    def target_vm_name(self) -> str | None:
        """The VM the restore created or whose disks it replaced; None for a disk restore."""
        return self.restore_facts.target_vm_name

    @property
    def target_storage_account(self) -> str | None:
        """The storage account the disks (and ``vmconfig.json``) were restored to."""
        return self.restore_facts.target_storage_account

    @property
    def config_blob_uri(self) -> str | None:
        """URI of the restored VM configuration (``vmconfig.json``), when the service gives it (None for a failed or
        cancelled job: its property bag may still name a blob that was never written)."""
        return None if self.status in WROTE_NOTHING else self.restore_facts.config_blob_uri

    @property
    def template_blob_uri(self) -> str | None:
        """URI of the ARM template to create a VM from the restored disks, when the service gives it (None for a
        failed or cancelled job)."""
        return None if self.status in WROTE_NOTHING else self.restore_facts.template_blob_uri

    @property
    def config_blob_container(self) -> str | None:
        """The staging account's container that holds ``vmconfig.json``."""
        return self.restore_facts.config_blob_container

    @property
    def restored_disks(self) -> list[str]:
        """The backed-up disks the restore recreated, by their names in the backup."""
        return self.restore_facts.restored_disks

    @property
    def backed_up_disks(self) -> list[str]:
        """The disks the restored point holds, by name."""
        return self.restore_facts.backed_up_disks

    @property
    def recovery_point_id(self) -> str | None:
        """The restored point's name, as the job says it."""
        return self.restore_facts.recovery_point_id

    @property
    def recovery_point_time(self) -> datetime | None:
        """The restored point's time, as the job says it."""
        return self.restore_facts.recovery_point_time

    @property
    def replaced_disks(self) -> bool:
        """True for a replace-disks restore."""
        return self.restore_facts.kind == "OriginalLocation"

    def result_ids(self) -> list[tuple[str, str]]:
        """What the restore created or changed, as ``(what, resource ID)``, from what the job says."""
        return self.restore_facts.result_ids()

    def outcome(self) -> str:
        """Where the restore went, in Azure's words: a new VM, replaced disks, or restored disks and where."""
        return self.restore_facts.sentence()

    # -- acting -------------------------------------------------------------------------------------
    def _api(self) -> JobApi:
        if self.api is None:
            raise OperationFailed(f"job {self.id} was made by hand: it has no API to read it through")
        return self.api

    def refresh(self) -> Job:
        """Read the job again; returns self. Keeps the answer's ``Retry-After`` for the next wait."""
        response = self._api().read(self.id)
        self.polls += 1
        if isinstance(response.body, dict):
            self.raw = response.body
        self.fetched_at = datetime.now(UTC)
        self.retry_after = lro.suggested_interval(response.headers)
        return self

    def wait(self, timeout: float | None = None, *, on_update: Callable[[Job], object] | None = None,
             raise_on_failure: bool = True) -> Job:
        """Re-read the job every ``poll_interval`` until it ends (:mod:`restorekit.model.job_polling`); returns self.

        A Failed job raises ``OperationFailed`` quoting the service's code, message and recommendations
        (unless ``raise_on_failure=False``); a Cancelled job is returned. Transient errors while polling
        are retried with backoff; ``TimeoutError`` after ``timeout`` seconds.
        """
        JobPolling(self, self.poll_interval).run(
            timeout, sleep=self.sleep, clock=self.clock,
            on_update=None if on_update is None else (lambda: on_update(self)),
            timed_out=lambda: (f"job {self.id} was still {self.status} ({self.progress or 0:.0f}%) after "
                               f"{timeout:g} s; wait again with job.wait(), or follow it with vault.restore_job or "
                               "rk.resume"))
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
            api = self._api()
            response = api.cancel(self.id)
            self._cancel_sent = True
            if wait:
                follow = lro.LongRunningOperation.from_response(
                    api.session, response, poll_interval=self.poll_interval, sleep=self.sleep, clock=self.clock)
                if follow.can_poll:
                    follow.run(timeout=timeout)
        if wait:
            self.refresh()
            self.wait(timeout=timeout, raise_on_failure=False)
        return self

    # -- showing ------------------------------------------------------------------------------------
    def summary(self) -> str:
        """One line: status, progress or duration, and where the result went (by resource ID when known)."""
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

    @property
    def on_emulator(self) -> bool:
        """True when the job was read from a local emulator (it says so wherever it is shown)."""
        return self.api is not None and self.api.connection.is_emulator

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
        return for_people(frame)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.operation or ''} {self.vm_name or ''}: {self.summary()}>".replace("  ", " ")

    def _repr_html_(self) -> str:
        from ..core.html import fields_table

        portal = self.api.connection.portal_url if self.api is not None else None
        rows: list[tuple[str, object]] = [
            ("job", self.id), ("VM", self.vm_name), ("operation", self.operation), ("status", self.summary()),
            ("started", format_moment(self.start_time) if self.start_time else None),
            ("where", "local emulator, not Azure" if self.on_emulator else None)]
        if self.status not in WROTE_NOTHING:  # a failed job does not advertise results it did not produce
            rows += [("storage account", self.target_storage_account), ("vmconfig.json", self.config_blob_uri),
                     ("template", self.template_blob_uri)]
            for label, rid in self.result_ids():
                link = portal(rid) if portal is not None else None
                rows.append((label, f"{rid}  ({link})" if link else rid))
        for err in self.error_details:
            rows.append(("error", f"{err['code']} {err['title'] or ''}: {err['message']}"))
            rows.extend(("recommendation", rec) for rec in err["recommendations"])
        return fields_table(rows, "restorekit-job")


class CrrJob(Job):
    """A cross-region restore job, read from the secondary region (``POST {loc}/backupCrrJob``).

    Everything :class:`Job` offers (status, progress, tasks, ``wait()``, ``to_frame()``), except ``cancel()``:
    the passive stamp has no cancel operation.
    """

    @property
    def region(self) -> str:
        """The secondary region the job runs in."""
        api = self.api
        return api.region if isinstance(api, CrossRegionJobs) else "?"

    def __repr__(self) -> str:
        return f"<CrrJob {self.id} {self.vm_name or ''} in {self.region}: {self.summary()}>".replace("  ", " ")


def job_resources(api: JobApi, operation: str | None = "Restore", status: str | None = None,
                  start: TimeBound = None, end: TimeBound = None) -> list[JsonObject]:
    """Every JobResource the API returns for the filter (all pages, ``$skipToken``/``nextLink`` followed)."""
    return api.list(job_filter(operation, status, start, end))


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
    return for_people(frame.sort_values("start", ascending=False, ignore_index=True))


def list_jobs(api: JobApi, operation: str | None = "Restore", status: str | None = None,
              start: TimeBound = None, end: TimeBound = None, *, job_class: type[Job] | None = None) -> pd.DataFrame:
    """The vault's jobs as a DataFrame, filtered by the API's ``$filter``, every page, newest first.

    Columns: ``job_id``, ``vm``, ``operation`` and ``status`` (categorical), ``start``/``end`` (tz-aware
    UTC), ``duration`` (timedelta), ``progress`` (percent), ``error_code``, ``target_storage_account``.
    """
    return jobs_frame((job_class or Job)(raw, api) for raw in job_resources(api, operation, status, start, end))


# -- restore operations -------------------------------------------------------------------------------
def job_matches_item(job: Job, item_vm: str, container: str | None) -> bool:
    """True when the job is about the VM ``item_vm`` (and its container, when the job names one)."""
    if (job.vm_name or "").lower() != item_vm.lower():
        return False
    job_container = job.properties.get("containerName")
    if container and job_container:
        return str(job_container).lower().endswith(container.lower().split(";", 1)[-1].split(";", 1)[-1])
    return True


def job_matches_point(job: Job, point: PointRef) -> bool:
    """True when the job restores ``point``, or when the job does not say which point (conservative)."""
    facts = job.restore_facts
    point_id, point_time = facts.recovery_point_id, facts.recovery_point_time
    if point_id is None and point_time is None:
        return True
    if point_id is not None and point_id == point.name:
        return True
    return same_moment(point_time, point.time)


