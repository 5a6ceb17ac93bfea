"""Backup jobs of a vault: status, progress, errors, where a restore went, and lists of jobs as DataFrames.

>>> job = vault.job(job_id)        # re-attach after a kernel restart
>>> job.wait(); job.to_frame()     # one row per task
>>> vault.jobs(status="InProgress")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core.errors import ArmError, OperationFailed, TransportError
from ..core.filters import job_filter
from ..core.ids import name_of, resource_group_id, subscription_of
from ..core.times import format_duration as _fmt_td
from ..core.times import format_moment, parse_duration, parse_loose_time, parse_time, same_moment
from ..transport import polling as lro
from ..transport.driver import drive
from .job_api import CrossRegionJobs, JobApi, VaultJobs

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.protocols import VaultLike as Vault

#: ``restoreLocationType`` from the property bag's ``Job Type``, for answers without ``internalPropertyBag``.
_RESTORE_KINDS = {"recover disks": "RestoreDisks", "replace disks": "OriginalLocation",
                  "replace existing disks": "OriginalLocation", "recover vm to an alternate location":
                  "AlternateLocation", "recover vm": "AlternateLocation"}
#: Job statuses after which nothing changes any more.
JOB_TERMINAL = frozenset({"Completed", "CompletedWithWarnings", "Failed", "Cancelled"})


def _bag_get(bag: dict[str, Any], *names: str) -> str | None:
    lowered = {str(k).lower().replace("_", " ").strip(): v for k, v in bag.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return str(value)
    return None


# -- jobs ---------------------------------------------------------------------------------------------
class Job:
    """A backup job of a vault (usually a restore): status, progress, errors, where the disks went.

    Make one with :meth:`fetch` (or ``vault.job(job_id)``); ``raw`` is the JobResource as last read.
    ``poll_interval`` is the wait between reads in :meth:`wait` (15 s unless set; a restore operation
    passes on the service's ``Retry-After``). ``sleep``/``clock`` are injectable for tests.
    """

    def __init__(self, vault: Vault, raw: dict[str, Any], *, api: JobApi | None = None,
                 poll_interval: float | None = None, sleep: Callable[[float], Any] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.vault = vault
        self.raw = raw
        self._api = api
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock
        self.polls = 0
        self.fetched_at = datetime.now(UTC)
        self._retry_after: float | None = None
        self._backoff = lro.Backoff()
        self._cancel_sent = False

    @property
    def api(self) -> JobApi:
        """Where the job is read: the vault's Backup API, or the secondary region for a cross-region restore."""
        if self._api is None:
            self._api = VaultJobs(self.vault)
        return self._api

    @classmethod
    def fetch(cls, vault: Vault, job_id: str, *, api: JobApi | None = None, **kwargs: Any) -> Job:
        """Read job ``job_id`` of ``vault``; an unknown id raises ``NotFoundError`` saying where to look."""
        api = api or VaultJobs(vault)
        job_id = name_of(str(job_id))
        try:
            response = api.read(job_id)
        except ArmError as exc:
            if exc.status != 404:
                raise
            raise api.not_found(job_id, exc) from None
        raw = response.body if isinstance(response.body, dict) else {"name": job_id}
        return cls(vault, raw, api=api, **kwargs)

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
    def tasks(self) -> list[dict[str, Any]]:
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
        bag = self.extended_info.get("propertyBag")  # Azure writes null for what it does not know yet
        return {str(k): str(v) for k, v in bag.items() if v is not None} if isinstance(bag, dict) else {}

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
        return name_of(value) if value else None

    # -- acting -------------------------------------------------------------------------------------
    def refresh(self) -> Job:
        """Read the job again; returns self. Honours a ``Retry-After`` on the answer for the next wait."""
        response = self.api.read(self.id)
        self.polls += 1
        if isinstance(response.body, dict):
            self.raw = response.body
        self.fetched_at = datetime.now(UTC)
        self._retry_after = lro.suggested_interval(response.headers)
        return self

    def interval(self) -> float:
        """The wait before the next read: ``poll_interval``, else the service's last ``Retry-After``, else 15 s."""
        if self.poll_interval is not None:
            return self.poll_interval
        return self._retry_after or lro.DEFAULT_INTERVAL

    def step(self) -> float:
        """One read of the job (:meth:`refresh`), transient failures answered with a backoff; the next wait."""
        try:
            self.refresh()
        except (ArmError, TransportError) as exc:
            return self._backoff.after_failure(exc)
        self._backoff.reset()
        return self.interval()

    def wait(self, timeout: float | None = None, *, on_update: Callable[[Job], Any] | None = None,
             raise_on_failure: bool = True) -> Job:
        """Re-read the job every ``poll_interval`` until it ends; returns self.

        A Failed job raises ``OperationFailed`` quoting the service's code, message and recommendations
        (unless ``raise_on_failure=False``); a Cancelled job is returned. Transient errors while polling
        are retried with backoff; ``TimeoutError`` after ``timeout`` seconds.
        """
        self._backoff = lro.Backoff()
        drive(self, first_delay=self.interval(), timeout=timeout, clock=self.clock, sleep=self.sleep,
              on_update=None if on_update is None else (lambda: on_update(self)),
              timed_out=lambda: (f"job {self.id} was still {self.status} ({self.progress or 0:.0f}%) after "
                                 f"{timeout:g} s; wait again with job.wait(), or follow it with vault.restore_job or rk.resume"))
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
            response = self.api.cancel(self.id)
            self._cancel_sent = True
            if wait:
                follow = lro.LongRunningOperation.from_response(
                    self.api.session, response, poll_interval=self.poll_interval, sleep=self.sleep, clock=self.clock)
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
        try:
            return bool(self.vault.connection.is_emulator)
        except AttributeError:  # a job made by hand, without a connection
            return False

    @property
    def restore_kind(self) -> str | None:
        """What the restore did: ``RestoreDisks``, ``OriginalLocation`` or ``AlternateLocation`` (None for other jobs).

        Azure says it in ``extendedInfo.internalPropertyBag.restoreLocationType``; the property bag's ``Job Type``
        ("Recover disks", "Replace disks", "Recover VM to an alternate location") says it too.
        """
        internal = self.extended_info.get("internalPropertyBag")
        kind = internal.get("restoreLocationType") if isinstance(internal, dict) else None
        if isinstance(kind, str) and kind:
            return kind
        return _RESTORE_KINDS.get(str(self.property_bag.get("Job Type", "")).strip().lower())

    @property
    def target_resource_group(self) -> str | None:
        """The resource group the restore wrote to (``Target resource group``; absent for a VHD restore)."""
        return _bag_get(self.property_bag, "Target resource group")

    @property
    def target_vm_name(self) -> str | None:
        """The VM the restore created (alternate location) or whose disks it replaced; None for a disk restore.

        A disk restore creates no VM: Azure writes the placeholder ``vmName`` as its ``Target VM Name``.
        """
        if self.restore_kind not in ("AlternateLocation", "OriginalLocation"):
            return None
        return _bag_get(self.property_bag, "Target VM Name") or (
            self.vm_name if self.restore_kind == "OriginalLocation" else None)

    @property
    def restored_disks(self) -> list[str]:
        """The backed-up disks the restore recreated, by their names in the backup (``Restored disk(s)``).

        Azure names them for a restore of selected disks; the new disks' own names are not in the job.
        """
        return _disk_names(self.property_bag.get("Restored disk(s)"))

    @property
    def backed_up_disks(self) -> list[str]:
        """The disks the restored point holds, by name (``Backed-up disk(s)``, when Azure says)."""
        return _disk_names(self.property_bag.get("Backed-up disk(s)"))

    @property
    def config_blob_container(self) -> str | None:
        """The staging account's container that holds ``vmconfig.json`` (and a VHD restore's disks)."""
        return _bag_get(self.property_bag, "Config Blob Container Name")

    def _target_group_id(self) -> str | None:
        group = self.target_resource_group
        sub = subscription_of(getattr(self.vault, "id", "") or "") or subscription_of(self.raw.get("id", ""))
        return resource_group_id(sub, group) if group and sub else None

    def result_ids(self) -> list[tuple[str, str]]:
        """What the restore created or changed, as ``(what, resource ID)``, from what the job says.

        A new VM (alternate location), the VM whose disks were replaced, or the resource group restored disks
        went to. Empty for a job that did not complete, and for disks restored as VHD blobs (see :meth:`outcome`).
        """
        if not self.succeeded:
            return []
        group_id = self._target_group_id()
        kind, vm = self.restore_kind, self.target_vm_name
        if vm and group_id:
            label = "new VM" if kind == "AlternateLocation" else "VM, disks replaced"
            return [(label, f"{group_id}/providers/Microsoft.Compute/virtualMachines/{vm}")]
        if group_id and kind == "RestoreDisks":
            return [("resource group of the restored disks", group_id)]
        return []

    @property
    def replaced_disks(self) -> bool:
        """True for a replace-disks restore."""
        return self.restore_kind == "OriginalLocation"

    def outcome(self) -> str:
        """Where the restore went, in Azure's words: a new VM, replaced disks, or restored disks and where."""
        kind = self.restore_kind
        ids = dict(self.result_ids())
        if kind == "OriginalLocation":
            return f"; disks of VM {self.target_vm_name or self.vm_name} replaced"
        if kind == "AlternateLocation":
            return f"; new VM {ids.get('new VM') or self.target_vm_name}"
        disks = self.restored_disks
        what = f"disk(s) {', '.join(disks)}" if disks else "disks"
        if kind == "RestoreDisks" and self.target_resource_group:
            return f"; {what} restored as managed disks in resource group {self.target_resource_group}"
        if self.target_storage_account:
            container = self.config_blob_container
            how = " restored as VHD blobs" if kind == "RestoreDisks" else ""
            return (f"; {what}{how} in storage account {self.target_storage_account}"
                    + (f", container {container}" if container else ""))
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
        from ..core.html import fields_table

        portal = getattr(getattr(self.vault, "connection", None), "portal_url", None)
        rows: list[tuple[str, Any]] = [
            ("job", self.id), ("VM", self.vm_name), ("operation", self.operation), ("status", self.summary()),
            ("started", format_moment(self.start_time) if self.start_time else None),
            ("where", "local emulator, not Azure" if self.on_emulator else None)]
        if self.status not in ("Failed", "Cancelled"):  # a failed job does not advertise results it did not produce
            rows += [("storage account", self.target_storage_account), ("vmconfig.json", self.config_blob_uri),
                     ("template", self.template_blob_uri)]
            for label, rid in self.result_ids():
                link = portal(rid) if callable(portal) else None
                rows.append((label, f"{rid}  ({link})" if link else rid))
        for err in self.error_details:
            rows.append(("error", f"{err['code']} {err['title'] or ''}: {err['message']}"))
            rows.extend(("recommendation", rec) for rec in err["recommendations"])
        return fields_table(rows, "restorekit-job")


def _disk_names(value: Any) -> list[str]:
    return [name.strip() for name in str(value or "").split(";") if name.strip()]


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


def job_resources(vault: Vault, operation: str | None = "Restore", status: str | None = None,
                  start: Any = None, end: Any = None, *, api: JobApi | None = None) -> list[dict[str, Any]]:
    """Every JobResource the API returns for the filter (all pages, ``$skipToken``/``nextLink`` followed)."""
    return (api or VaultJobs(vault)).list(job_filter(operation, status, start, end))


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
    return same_moment(point_time, getattr(point, "time", None))


