"""The emulator's in-memory state: everything it remembers while it runs.

:class:`State` holds the settings, the clock, the seeded estate, jobs and long-running operations, the
injected faults (``faults``, ``storm``), the throttle's token buckets (``buckets``), issued bearer tokens
(``tokens``), Resource Graph's quota (``graph_quota``) and what it keeps between queries (``graph_cache``),
cross-region access grants and validate runs,
what completed restores do to the inventory (``outcomes``, from a ``restore_plan``), the resource
providers' long-running operations (``arm_operations``: deletes, Run Command), the faults of the
machines a restore drill boots (``machine_faults``), the signer of the blob links it serves (``sas``), file
recovery sessions (``file_recovery``), what completed protection jobs do to items (``protection_changes``: soft
delete, undelete, the purge clock) and the actions tests deny (``access``). It answers no request: providers
read and change it through a :class:`~restorekit.emulator.call.Call`.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import Clock
from ..estate import Estate
from ..estate.jobs import RESTORE_FAILURES, Job, Operation, new_id
from ..estate.tenancy import subscription_ids
from ..estate.vaults import ProtectedVM, Vault
from ..seed import demo_estate
from ..seed.jobs import past_jobs
from .access import AccessControl
from .arm_operations import ArmOperations
from .buckets import TokenBucket
from .faults import Faults
from .file_recovery import FileRecoveries
from .graph_cache import GraphCache
from .graph_quota import GraphQuota
from .machine_faults import MachineFaults
from .outcomes import Outcomes
from .protection_changes import ProtectionChanges
from .sas import SasSigner
from .tokens import TokenRegistry


@dataclass(frozen=True)
class CrrGrant:
    """What a cross-region restore access token grants: ``point_name`` of ``vm`` until ``expires_at``."""

    vm: ProtectedVM
    point_name: str
    expires_at: datetime


@dataclass
class ValidationRun:
    """A triggered validate operation: its operation on the clock, its vault, and the results it reports."""

    operation: Operation
    vault_key: tuple[str, str]
    results: list[dict[str, Any]]


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
    #: Seconds from a VM's creation until its VM agent is ready (None: half of ``job_seconds``).
    boot_seconds: float | None = None

    @property
    def effective_boot_seconds(self) -> float:
        """Seconds a new VM takes to boot until its agent is ready."""
        return self.job_seconds / 2 if self.boot_seconds is None else self.boot_seconds

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

    def __init__(self, settings: Settings, clock: Clock | None = None,
                 machine_faults: MachineFaults | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.as_of)
        self.subscription_ids: tuple[str, ...] = subscription_ids(settings.subscriptions)
        self.estate: Estate = demo_estate(settings.as_of or self.clock.now(), settings.fleet, self.subscription_ids)
        self.faults = Faults()
        self.jobs: dict[str, Job] = {}
        self.operations: dict[str, Operation] = {}
        self.crr_tokens: dict[str, CrrGrant] = {}
        self.tokens = TokenRegistry(self.clock)
        self.graph_quota = GraphQuota(settings.graph_quota, self.clock.monotonic)
        self.graph_cache = GraphCache(self.clock.monotonic)
        self.outcomes = Outcomes(self.estate.inventory)
        self.validations: dict[str, ValidationRun] = {}
        self.arm_operations = ArmOperations()
        self.machine_faults = machine_faults or MachineFaults()
        self.sas = SasSigner(self.clock)
        self.file_recoveries = FileRecoveries()
        self.protection_changes = ProtectionChanges(self.file_recoveries)
        self.access = AccessControl()
        self.lock = threading.RLock()
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._rng = random.Random(settings.seed)
        self.jobs.update((job.id, job) for job in past_jobs(self.estate, self.clock.now()))

    def settle(self, now: datetime) -> None:
        """Apply what has completed by ``now``: restores first (what they create), then ARM operations (deletes),
        protection changes and the purge clock, and the file recovery sessions' effects (expiry, the scheduled
        backups they made fail)."""
        self.outcomes.settle(now)
        self.arm_operations.settle(now)
        self.protection_changes.settle(now)
        with self.lock:
            self.file_recoveries.settle(now, self.jobs)

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

    def draw_restore_failure(self) -> tuple[tuple[int, str, str, str, tuple[str, ...]] | None, float]:
        """``(failure, fraction)`` of a new restore job: with ``fail_rate``, a failure from ``RESTORE_FAILURES``
        and the share of its duration after which it fails; else ``(None, 1.0)``. Call it under ``lock``."""
        failure = None
        fraction = 1.0
        if self.settings.fail_rate > 0 and self._rng.random() < self.settings.fail_rate:
            failure = self._rng.choice(RESTORE_FAILURES)
            fraction = 0.3 + 0.6 * self._rng.random()
        return failure, fraction

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
