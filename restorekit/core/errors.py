"""Exceptions raised by restorekit: every one names what went wrong and what to do about it."""

from __future__ import annotations

from typing import Any


class RestorekitError(Exception):
    """Base class of every error restorekit raises on purpose."""


class ArmError(RestorekitError):
    """Azure Resource Manager answered with an error (its error envelope, decoded).

    Attributes: ``status`` (HTTP status), ``code`` and ``message`` from the envelope,
    ``details`` (list of dicts), ``request_id`` (``x-ms-request-id``), ``url`` (without secrets),
    ``target`` and ``recommendations`` when the service gave them; ``retry_after`` (seconds) when the answer
    asked to wait (429, 503), also as ``headers["Retry-After"]`` for the retry helpers.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        url: str = "",
        request_id: str | None = None,
        details: list[dict[str, Any]] | None = None,
        target: str | None = None,
        recommendations: list[str] | None = None,
        method: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        self.headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        self.status = status
        self.code = code
        self.message = message
        self.url = url
        self.request_id = request_id
        self.details = list(details or [])
        self.target = target
        self.recommendations = list(recommendations or [])
        self.method = method
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.method} {self.url}" if self.method else self.url
        text = f"{self.code}: {self.message} (HTTP {self.status}"
        if self.request_id:
            text += f", x-ms-request-id {self.request_id}"
        text += f"{', ' + where if where else ''})"
        for detail in self.details:
            if isinstance(detail, dict) and (detail.get("code") or detail.get("message")):
                text += f"\n  - {detail.get('code', '')}: {detail.get('message', '')}"
        for rec in self.recommendations:
            text += f"\n  recommendation: {rec}"
        return text

    def __reduce__(self):  # keep pickling (multiprocessing, papermill) working
        return (
            _rebuild_arm_error,
            (self.status, self.code, self.message, self.url, self.request_id, self.details,
             self.target, self.recommendations, self.method, self.retry_after),
        )


def _rebuild_arm_error(status, code, message, url, request_id, details, target, recommendations, method,
                       retry_after=None):
    return ArmError(status, code, message, url=url, request_id=request_id, details=details,
                    target=target, recommendations=recommendations, method=method, retry_after=retry_after)


class AuthenticationError(ArmError):
    """No token could be had, or ARM refused the bearer token (HTTP 401, even after one fresh token when it said
    the token had expired).

    Besides the service's ``code`` and ``message``: ``credential`` (the credential's type), ``tenant`` (the
    token's ``tid`` claim, or ``"unknown"``) and ``advice`` (what to do), all in the message. When the credential
    gave no token at all (nothing was sent: ``status`` 0, ``code`` ``"NoToken"``), ``tried`` says what it tried.
    """

    def __init__(self, error: ArmError | None = None, *, credential: str, tenant: str = "unknown", advice: str,
                 tried: str = "") -> None:
        self.credential = credential
        self.tenant = tenant
        self.advice = advice
        self.tried = tried
        if error is None:
            error = ArmError(0, "NoToken", f"{credential} gave no token")
        super().__init__(error.status, error.code, error.message, url=error.url, request_id=error.request_id,
                         details=error.details, target=error.target, recommendations=error.recommendations,
                         method=error.method, retry_after=error.retry_after)

    def __str__(self) -> str:
        if self.code == "NoToken":
            return (f"no Azure token could be had from {self.credential}, so nothing was sent. It tried: "
                    f"{self.tried or 'its sources'}.\n  what to do: {self.advice}")
        return (f"Azure Resource Manager refused the token of {self.credential} (tenant {self.tenant}): "
                f"{super().__str__()}\n  what to do: {self.advice}")

    def __reduce__(self):
        base = ArmError(self.status, self.code, self.message, url=self.url, request_id=self.request_id,
                        details=self.details, target=self.target, recommendations=self.recommendations,
                        method=self.method)
        return (_rebuild_authentication_error, (base, self.credential, self.tenant, self.advice, self.tried))


def _rebuild_authentication_error(base, credential, tenant, advice, tried=""):
    return AuthenticationError(base, credential=credential, tenant=tenant, advice=advice, tried=tried)


class TransportError(RestorekitError):
    """The endpoint could not be reached, or answered something that is not ARM JSON."""


class RegionUnavailable(RestorekitError):
    """A vault's region does not answer (a regional outage): said within seconds, with the one call that still works.

    ``region`` is the vault's region (None when it could not be learnt), ``secondary_region`` its paired region,
    ``cross_region_call`` the ``az.cross_region(...)`` line with this vault's own arguments (cross-region restore
    reads the vault's secondary copy there, without any call to its region), ``cause`` what the service said (or
    that it did not answer).
    """

    def __init__(self, message: str, *, region: str | None, secondary_region: str | None, cross_region_call: str,
                 cause: str) -> None:
        super().__init__(message)
        self.region = region
        self.secondary_region = secondary_region
        self.cross_region_call = cross_region_call
        self.cause = cause

    def __reduce__(self):  # keyword-only arguments: keep pickling (papermill, multiprocessing) working
        return (_rebuild_region_unavailable, (str(self), self.region, self.secondary_region, self.cross_region_call,
                                              self.cause))


def _rebuild_region_unavailable(message, region, secondary_region, cross_region_call, cause):
    return RegionUnavailable(message, region=region, secondary_region=secondary_region,
                             cross_region_call=cross_region_call, cause=cause)


class InsecureTransportError(RestorekitError):
    """Refused to send a bearer token over plain http to a host that is not loopback."""


class NotFoundError(RestorekitError, LookupError):
    """A vault, VM, protected item, recovery point or job does not exist; the message names what does."""


class ValidationError(RestorekitError, ValueError):
    """A restore request is invalid; ``problems`` lists every problem, each naming a field and the fix."""

    def __init__(self, problems: list[Any], what: str = "restore request") -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) with the {what}:\n{lines}")


class ConfirmationRequired(RestorekitError):
    """A destructive action (replacing a VM's disks) was asked for without an explicit confirmation."""


class DuplicateRestore(ConfirmationRequired):
    """A restore of the same VM from the same point is already running; ``job_id`` names that job."""

    def __init__(self, message: str, job_id: str) -> None:
        super().__init__(message)
        self.job_id = job_id


class CheckUnavailable(RestorekitError):
    """A read that only serves a check (the duplicate check's job list) failed: nothing was sent.

    The message says what could not be read, why, and how to go on (grant the read, or skip that check).
    ``cause`` is the underlying error.
    """

    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class OperationFailed(RestorekitError):
    """A restore operation or job ended in failure; quotes the service's code, message and recommendations.

    ``code``, ``service_message``, ``recommendations`` and ``job_id`` hold what the service said (None or empty
    when unknown).
    """

    def __init__(self, message: str, *, code: str | None = None, service_message: str | None = None,
                 recommendations: list[str] | None = None, job_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.service_message = service_message
        self.recommendations = list(recommendations or [])
        self.job_id = job_id


class RestoreNotStarted(OperationFailed):
    """A restore POST got no usable answer and no job of it showed up: it most probably did not start.

    restorekit never sends a restore twice by itself; trigger it again once the message's checks are done.
    """


class WaitInterrupted(KeyboardInterrupt):
    """Ctrl-C (a kernel interrupt) stopped a wait, not the restore: the message says that the restore goes on where
    it runs and gives the lines that follow it again (``rk.resume(...)``) or stop it (``op.cancel()``).

    A ``KeyboardInterrupt``, so a script still stops and a notebook still shows the cell as interrupted; never
    caught by ``except Exception``.
    """


class CrossRegionRestoreNotEnabled(RestorekitError):
    """The vault does not replicate its backups to a secondary region (Cross Region Restore is off)."""


class ApprovalRequired(RestorekitError):
    """A vault's Resource Guard protects this operation and no approval (auxiliary token) was given: nothing sent.

    The message names the guard, its tenant and what to ask for; ``guard_id``, ``tenant_id``, ``operation`` and
    ``request`` hold them.
    """

    def __init__(self, message: str, *, guard_id: str, tenant_id: str | None, operation: str, request: str) -> None:
        super().__init__(message)
        self.guard_id = guard_id
        self.tenant_id = tenant_id
        self.operation = operation
        self.request = request


class SoftDeletedItem(RestorekitError):
    """The protected item is soft-deleted: undelete it (``item.undelete()``) before restoring from it.

    ``purge_at`` is when its backup data is purged (None when unknown).
    """

    def __init__(self, message: str, purge_at: Any = None) -> None:
        super().__init__(message)
        self.purge_at = purge_at


class FileRecoveryRefused(RestorekitError, ValueError):
    """A recovery point cannot be mounted for file recovery (archived, encrypted VM, …): nothing was sent."""
