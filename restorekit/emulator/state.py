"""The emulator's in-memory state: settings, clock, estate, jobs, operations, faults and throttles."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from .arm_ids import stable_guid
from .clock import Clock, us_datetime
from .crr_grants import CrrGrant
from .estate import Estate, ProtectedVM, Vault, seed
from .faults import Faults
from .graph_quota import GraphQuota
from .health import failed_backup_jobs
from .jobs import RESTORE_FAILURES, Job, Operation, new_id
from .outcomes import Outcomes
from .subscriptions import subscription_ids
from .throttle import TokenBucket
from .tokens import TokenRegistry
from .validate_operation import ValidationRun
from .validation import RestorePlan, restored_luns

#: Property-bag "Job Type" per recovery type, as Azure writes it.
JOB_TYPES = {"RestoreDisks": "Recover disks", "AlternateLocation": "Recover VM to an alternate location",
             "OriginalLocation": "Replace disks"}
#: Tasks of a restore job per recovery type, as Azure lists them.
RESTORE_TASKS = {"RestoreDisks": ("Transfer data from vault",),
                 "OriginalLocation": ("Transfer data from vault", "Update the virtual machine"),
                 "AlternateLocation": ("Transfer data from vault", "Create the restored virtual machine")}


@dataclass
class Settings:
    """Knobs of one emulator (the arguments of ``emulator.start``)."""

    latency_ms: float = 0
    job_seconds: float = 20
    fleet: int = 0
    page_size: int | None = None
    throttle: bool = True
    read_bucket: int = 250
    read_refill: float = 25.0
    retry_after: int = 2
    fail_rate: float = 0.0
    seed: int = 0
    #: The moment the demo estate is generated for (recovery points up to then); None = now.
    as_of: datetime | None = None
    #: How many subscriptions (the demo one first); the fleet is spread over them.
    subscriptions: int = 1
    write_bucket: int = 200
    write_refill: float = 10.0
    #: Seconds an issued bearer token lives; when set, only issued, unexpired tokens are accepted.
    token_lifetime: float | None = None
    #: Seconds a cross-region restore access token lives.
    crr_token_lifetime: float = 3600.0
    #: Resource Graph queries allowed per user and 5-second window.
    graph_quota: int = 15

    @property
    def effective_page_size(self) -> int:
        """Items per page (50 unless set)."""
        return self.page_size or 50

    @property
    def operation_seconds(self) -> float:
        """How long a trigger operation stays InProgress (about 1 s, less for tiny jobs)."""
        return min(1.0, self.job_seconds / 4)


class State:
    """Everything the emulator remembers; tests may poke it (``faults``, ``clock``, ``jobs``)."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.as_of)
        self.subscription_ids: tuple[str, ...] = subscription_ids(settings.subscriptions)
        self.estate: Estate = seed(settings.as_of or self.clock.now(), settings.fleet, self.subscription_ids)
        self.faults = Faults()
        self.jobs: dict[str, Job] = {}
        self.operations: dict[str, Operation] = {}
        self.crr_tokens: dict[str, CrrGrant] = {}
        self.tokens = TokenRegistry(self.clock)
        self.graph_quota = GraphQuota(settings.graph_quota, self.clock.monotonic)
        self.outcomes = Outcomes(self.estate.inventory)
        self.validations: dict[str, ValidationRun] = {}
        self.lock = threading.RLock()
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._rng = random.Random(settings.seed)
        self._seed_jobs()
        self.jobs.update((job.id, job) for job in failed_backup_jobs(self.estate))

    def bucket(self, subscription: str, kind: str = "read") -> TokenBucket:
        """The throttle bucket of a subscription for ``kind`` ``"read"`` or ``"write"`` requests."""
        with self.lock:
            key = (subscription.lower(), kind)
            if key not in self._buckets:
                size, refill = ((self.settings.read_bucket, self.settings.read_refill) if kind == "read"
                                else (self.settings.write_bucket, self.settings.write_refill))
                self._buckets[key] = TokenBucket(size, refill, self.clock.monotonic)
            return self._buckets[key]

    def vault_jobs(self, vault: Vault) -> list[Job]:
        """The vault's jobs, newest first."""
        key = vault.key
        with self.lock:
            jobs = [j for j in self.jobs.values() if j.vault_key == key]
        return sorted(jobs, key=lambda j: j.start, reverse=True)

    def _seed_jobs(self) -> None:
        """Two weeks of nightly backup jobs for the small vaults (one failed), so job lists page."""
        now = self.clock.now()
        for vault in self.estate.vaults.values():
            if vault.name.lower().startswith("fleetvault"):  # thousands of VMs: their points stay lazy
                continue
            for vm in vault.items.values():
                for point in vm.points()[:14]:
                    if point.verbatim:
                        continue
                    start = point.time - timedelta(minutes=2)
                    job = Job(id=stable_guid(vm.name, point.name), vault_key=vault.key, vm_id=vm.vm_id,
                              vm_name=vm.name, container=vm.container.split(";", 1)[1], operation="Backup", start=start,
                              seconds=1200 + (int(point.name) % 1800),
                              property_bag={"VM Name": vm.name, "Backup Size": f"{(int(point.name) % 9000) + 100} MB"},
                              tasks=("Take Snapshot", "Transfer data to vault"))
                    if job.start + timedelta(seconds=job.seconds) > now:
                        job.start = now - timedelta(seconds=job.seconds)
                    self.jobs[job.id] = job

    def start_restore(self, vm: ProtectedVM, plan: RestorePlan, *, operation: str = "Restore",
                      scope: str = "") -> Operation:
        """Create the restore job and the operation that reports it; returns the operation."""
        now = self.clock.now()
        job_id = new_id()
        acc = plan.storage_account
        assert acc is not None
        bags = restore_bags(vm, plan, job_id, cross_region=operation == "CrossRegionRestore")
        with self.lock:
            failure = None
            fraction = 1.0
            if self.settings.fail_rate > 0 and self._rng.random() < self.settings.fail_rate:
                failure = self._rng.choice(RESTORE_FAILURES)
                fraction = 0.3 + 0.6 * self._rng.random()
            job = Job(id=job_id, vault_key=vm.vault.key, vm_id=vm.vm_id, vm_name=vm.name,
                      container=vm.container.split(";", 1)[1], operation=operation, start=now,
                      seconds=self.settings.job_seconds, property_bag=bags[1], running_bag=bags[0],
                      tasks=RESTORE_TASKS[plan.recovery_type], failure=failure, fail_fraction=fraction,
                      internal_bag=({"AdHoc": "AdHoc"} if operation == "CrossRegionRestore" else {})
                      | {"restoreLocationType": plan.recovery_type})
            op = Operation(id=new_id(), kind="restore", start=now, seconds=self.settings.operation_seconds,
                           job_id=job_id, scope=scope)
            self.outcomes.expect(job, vm, plan)  # first: it refuses a VM name another restore took meanwhile
            self.jobs[job_id] = job
            self.operations[op.id] = op
        return op

    def cancel(self, job: Job) -> Operation:
        """Ask a job to cancel; returns the cancel operation."""
        now = self.clock.now()
        with self.lock:
            if job.cancelled_at is None:
                job.cancelled_at = now
            op = Operation(id=new_id(), kind="cancel", start=now, seconds=min(1.0, job.seconds / 4), job_id=job.id)
            self.operations[op.id] = op
        return op

    def find_job(self, vault: Vault, name: str) -> Job | None:
        """A job of ``vault`` by id (case-insensitive)."""
        with self.lock:
            job = self.jobs.get(name) or self.jobs.get(name.lower())
        return job if job and job.vault_key == vault.key else None


def restore_bags(vm: ProtectedVM, plan: RestorePlan, job_id: str, *,
                 cross_region: bool = False) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """A restore job's property bag while it runs and once it completed, keys and values as Azure writes them.

    A disk restore names no VM (Azure's placeholder ``vmName``); a replace-disks restore names its VM once done;
    the VM configuration blobs appear on completion; a restore of selected disks names the disks it recreated
    and the ones backed up (``; ``-separated, by their names in the backup).
    """
    acc = plan.storage_account
    assert acc is not None
    kind = plan.recovery_type
    running: dict[str, str | None] = {"Job Type": JOB_TYPES[kind]}
    if kind == "AlternateLocation":
        running["Original VM Name"] = vm.name
    running["Target VM Name"] = {"RestoreDisks": "vmName", "OriginalLocation": None}.get(kind, plan.target_vm)
    if kind == "AlternateLocation" and plan.network is not None:
        running["Target VNet Name"] = f"Group {plan.network.resource_group} {plan.network.name}"
    running["Target Storage Account Name"] = acc.name
    running["Recovery point time "] = us_datetime(plan.point.time)  # the trailing space is Azure's
    group = vm.resource_group if kind == "OriginalLocation" else plan.target_resource_group
    if group:
        running["Target resource group"] = group
    vault_keys: dict[str, str | None] = {}
    if cross_region:
        vault_keys = {"Subscription Id of the vault": vm.vault.subscription_id,
                      "Resource Group Name of the vault": vm.vault.resource_group, "Vault name": vm.vault.name}
    done = {**running}
    if kind == "OriginalLocation":
        done["Target VM Name"] = vm.name
    if kind == "RestoreDisks":
        container = f"{vm.name.lower()}-{job_id[:8]}"  # Azure's has 32 hex digits (the notebooks' sanitizer: 8)
        blobs = f"https://{acc.name.lower()}.blob.core.windows.net/{container}"
        config = {"Config Blob Name": f"config-{vm.name.lower()}-{job_id}.json", "Config Blob Container Name":
                  container, "Config Blob Uri": f"{blobs}/config-{vm.name.lower()}-{job_id}.json"}
        done = {k: v for k, v in done.items() if k != "Target resource group"} | config
        if group:
            done["Target resource group"] = group
        done["Template Blob Uri"] = f"{blobs}/azuredeploy{job_id}.json"
    if plan.selective:
        names = dict(vm.disks)
        done["Restored disk(s)"] = "; ".join(names.get(lun, f"disk{lun}") for lun in restored_luns(plan))
        done["Backed-up disk(s)"] = "; ".join(names.get(lun, f"disk{lun}") for lun in plan.point.included_luns)
    return running | vault_keys, done | vault_keys
