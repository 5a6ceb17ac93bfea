"""restorekit in a storm: throttles, 5xx, resets (some after the request was processed), answers slower than the
read timeout, tokens expiring, failing jobs. Nothing is lost, no restore is sent twice, every error says what to do.

One emulator with every fault on (a seeded storm over all requests, read and write throttles, 30-second tokens
expired at once in the middle of each phase, 20% of restore jobs failing), and a calm one with the same seed and
``as_of`` for reference:

(a) the inventory of the 200-VM fleet equals the calm inventory row for row;
(b) 20 concurrent restores (threads) give exactly 20 jobs, none twice, and each caller sees its own job's end
    (Completed, or the job's failure as ``OperationFailed``); a caller told ``RestoreNotStarted`` triggers again,
    as the message says;
(c) every error raised names what it is about and says what to do.

The figures it prints are those of ``docs/reliability.md``.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

import restorekit as rk
from restorekit import emulator
from restorekit.core.errors import OperationFailed, RestoreNotStarted

pytestmark = [pytest.mark.storm, pytest.mark.timeout(240)]

AS_OF = "2026-11-20T12:00:00Z"
SEED = 7
FLEET = 200
RESTORES = 20
READ_TIMEOUT = 1.0
STORM = {"error_rate": 0.10, "reset_rate": 0.05, "reset_after_share": 0.5, "slow_rate": 0.03, "slow_seconds": 2.0,
         "seed": SEED}
STORMY = {"fleet": FLEET, "as_of": AS_OF, "seed": SEED, "fail_rate": 0.2, "job_seconds": 6, "retry_after": 1,
          "token_lifetime": 30, "read_bucket": 60, "read_refill": 40, "write_bucket": 6, "write_refill": 2}
#: Words of an instruction; every error must hold one (and name what it is about).
INSTRUCTIONS = ("pass ", "call ", "check ", "retry", "re-attach", "list ", "trigger ", "run ", "follow ",
                "wait", "select ", "request ", "allow ", "restore the disks", "contact")


def actionable(exc: BaseException, thing: str) -> bool:
    """True when the error names ``thing`` and holds an instruction."""
    text = str(exc).lower()
    return thing.lower() in text and any(word in text for word in INSTRUCTIONS)


class RequestLog(logging.Handler):
    """Counts what the DEBUG request log says: requests, urllib3 retries and their kinds, resends, renewals."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)  # Handler.handle() holds the handler's lock around emit()
        self.reset()

    def reset(self) -> None:
        """Forget what was counted so far."""
        self.requests = 0
        self.retries: Counter[str] = Counter()
        self.resends: Counter[str] = Counter()
        self.renewals = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.name == "restorekit.transport.request_log":
            self.requests += 1
            if record.rk_retries:
                tail = message.rsplit(f"retries {record.rk_retries}: ", 1)[-1].rstrip(")")
                self.retries.update(kind.strip() for kind in tail.split(","))
        elif "sending it again" in message:
            method = message.split(" ", 1)[0]
            self.resends[f"{method} after 429" if "HTTP 429" in message else method] += 1
        elif "token had expired" in message:
            self.renewals += 1


@pytest.fixture
def request_log():
    handler = RequestLog()
    logger = logging.getLogger("restorekit")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def expire_tokens_in(srv, seconds: float) -> threading.Timer:
    """Expire every issued token in the middle of a phase, as an hour passing would."""
    timer = threading.Timer(seconds, srv.state.tokens.expire_all)
    timer.start()
    return timer


def calm_inventory():
    with emulator.start(fleet=FLEET, as_of=AS_OF, seed=SEED, throttle=False) as srv, rk.connect(srv.url) as az:
        return az.vault("fleetRG", "fleetVault").inventory(progress=False)


def restore_once(item, errors: list[BaseException]) -> tuple[str, BaseException | rk.Job]:
    """One caller: restore the VM's latest point and wait for the end; trigger again when told it did not start."""
    point = item.recovery_points().latest()
    for _ in range(4):
        try:
            op = item.restore(rk.RestoreDisks(point, storage_account="testRG/testAccount"), display=False,
                              poll_interval=0.5)
            return item.vm_name, op.wait(timeout=150)
        except RestoreNotStarted as exc:  # "…trigger it again": the caller does
            errors.append(exc)
        except OperationFailed as exc:
            errors.append(exc)
            return item.vm_name, exc
    raise AssertionError(f"{item.vm_name}: the restore never started")


def test_nothing_lost_nothing_twice_every_error_actionable(request_log, capsys):
    reference = calm_inventory()
    request_log.reset()  # count the stormy emulator's requests only
    errors: list[tuple[str, BaseException]] = []
    with emulator.start(**STORMY) as srv, rk.connect(srv.url, timeout=(5, READ_TIMEOUT)) as az:
        faults = srv.state.faults
        faults.storm(**STORM)
        vault = az.vault("fleetRG", "fleetVault")

        # (a) the inventory
        timer = expire_tokens_in(srv, 2.0)
        with _no_warning():
            stormy = vault.inventory(progress=False)
        timer.join()
        failures = rk.failures(stormy)
        errors += [(row.vm_name, RuntimeError(row.error)) for row in failures.itertuples()]
        stormy_ids = rk.point_ids(stormy)
        lost = len(set(rk.point_ids(reference)) - set(stormy_ids)) + len(failures)
        duplicated_rows = int(stormy_ids.duplicated().sum())

        # (b) 20 concurrent restores
        items = [i for i in vault.protected_items() if i.properties.get("protectionState") == "Protected"][:RESTORES]
        caller_errors: list[BaseException] = []
        # the write bucket runs dry only when enough POSTs arrive together, which depends on how the threads and the
        # storm's slow answers spread them (a run once saw no 429 at all): two POSTs are throttled on purpose
        faults.fail_next(2, status=429, retry_after=1, method="POST", path_contains="/restore")
        timer = expire_tokens_in(srv, 3.0)
        with ThreadPoolExecutor(RESTORES) as pool:
            outcomes = list(pool.map(lambda item: restore_once(item, caller_errors), items))
        timer.join()
        errors += [(vm, exc) for exc in caller_errors for vm in [_vm_of(exc, items)]]
        faults.calm()
        counts = faults.counts
        with srv.state.lock:
            jobs = [j for j in srv.state.jobs.values()
                    if j.operation == "Restore" and j.vm_name in {i.vm_name for i in items}]
        per_vm = Counter(j.vm_name for j in jobs)

    duplicates = sum(n - 1 for n in per_vm.values()) + duplicated_rows
    completed = sum(1 for _, end in outcomes if isinstance(end, rk.Job) and end.status == "Completed")
    failed = [end for _, end in outcomes if isinstance(end, OperationFailed)]
    not_started = sum(1 for exc in caller_errors if isinstance(exc, RestoreNotStarted))
    retries = request_log.retries
    table = [
        ("requests seen by the storm", counts["requests"]),
        ("  5xx injected", counts["error"]),
        ("  resets before processing", counts["reset"]),
        ("  resets after processing (lost answers)", counts["lost_answer"]),
        (f"  answers slower than the read timeout ({READ_TIMEOUT:g} s)", counts["slow"]),
        ("requests sent by restorekit (DEBUG log)", request_log.requests),
        ("urllib3 retries", sum(retries.values())),
        ("  after 429 (read throttle)", retries["429"]),
        ("  after 5xx", sum(n for kind, n in retries.items() if kind.startswith("5"))),
        ("  after resets and read timeouts", sum(n for kind, n in retries.items() if not kind[0].isdigit())),
        ("GETs sent again once urllib3 gave up", request_log.resends["GET"] + request_log.resends["GET after 429"]),
        ("restore POSTs throttled (429) and sent again", request_log.resends["POST after 429"]),
        ("expired tokens renewed (401 ExpiredAuthenticationToken)", request_log.renewals),
        ("inventory rows (calm / storm)", f"{len(reference)} / {len(stormy)}"),
        ("restores: completed / job failed / told not started", f"{completed} / {len(failed)} / {not_started}"),
        ("restore jobs created for the 20 callers", len(jobs)),
        ("items lost", lost),
        ("duplicates", duplicates),
        ("errors raised, all actionable", f"{len(errors)}, {all(actionable(e, t) for t, e in errors)}"),
    ]
    with capsys.disabled():
        print("\n" + "\n".join(f"  {label:<62} {value}" for label, value in table))

    assert counts["error"] and counts["reset"] and counts["lost_answer"] and counts["slow"]
    assert request_log.resends["POST after 429"] >= 2 and request_log.renewals  # the throttles and token expiry bit
    # (a) the inventory equals the calm one, row for row
    assert len(failures) == 0 and lost == 0
    assert stormy.reset_index(drop=True).equals(reference.reset_index(drop=True))
    # (b) exactly one job per caller, each caller saw its own job's end
    assert sorted(per_vm) == sorted(i.vm_name for i in items) and duplicates == 0 and len(jobs) == RESTORES
    for vm, end in outcomes:
        job_id = end.id if isinstance(end, rk.Job) else end.job_id
        assert job_id in {j.id for j in jobs if j.vm_name == vm}, (vm, end)
        if isinstance(end, rk.Job):
            assert end.status == "Completed"
    assert completed + len(failed) == RESTORES and failed  # fail_rate: some jobs fail, and say so
    # (c) every error names what it is about and says what to do
    unactionable = [(thing, str(exc)) for thing, exc in errors if not actionable(exc, thing)]
    assert not unactionable, unactionable


def _vm_of(exc: BaseException, items) -> str:
    text = str(exc)
    return next((i.vm_name for i in items if i.vm_name in text), "<no VM named>")


class _no_warning:
    """Fail on a warning (an inventory that lost VMs warns)."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self.seen = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        runtime = [w for w in self.seen if issubclass(w.category, RuntimeWarning)]
        assert not runtime, [str(w.message) for w in runtime]
