"""Backup jobs: the vault's list (``$filter``), one job, and the cancel with the operation that follows it."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ...arm.errors import bad_request, not_found
from ...arm.filters import parse_filter, parse_time
from ...arm.responses import json_response
from ...call import Call, Route, paged_response
from ...estate.jobs import Job
from ...estate.vaults import Vault
from . import shapes
from .lookups import BACKUP, VAULT, vault
from .operations import accepted, operation, result_answer, status_answer

_JOB_FILTER = ("status", "backupManagementType", "operation", "jobId", "startTime", "endTime")


def job(call: Call, found: Vault) -> Job:
    """The job of ``found`` the path names (``job``); 404 ``BMSUserErrorJobNotFound`` when none."""
    named = call.state.find_job(found, call.groups["job"])
    if named is None:
        raise not_found("BMSUserErrorJobNotFound", f"Job '{call.groups['job']}' was not found in vault '{found.name}'.")
    return named


def get_job(call: Call) -> Response:
    """GET {vault}/backupJobs/{job}."""
    found = vault(call)
    return json_response(shapes.job(job(call, found), found.id, call.now, call.api_version))


def list_jobs(call: Call) -> Response:
    """GET {vault}/backupJobs with $filter (operation, status, startTime, endTime, backupManagementType, jobId)."""
    found = vault(call)
    return paged_response(call, filtered_jobs(call, found, call.request.args.get("$filter")))


def filtered_jobs(call: Call, found: Vault, text: str | None) -> list[dict[str, Any]]:
    """The vault's jobs as a list answer shapes them, newest first, kept by the ``$filter`` ``text``."""
    flt = parse_filter(text, _JOB_FILTER)
    start = parse_time(flt["startTime"], "startTime") if "startTime" in flt else None
    end = parse_time(flt["endTime"], "endTime") if "endTime" in flt else None
    out = []
    for each in call.state.vault_jobs(found):
        body = shapes.job(each, found.id, call.now, call.api_version, detail=False)
        p = body["properties"]
        if start and each.start < start or end and each.start > end:
            continue
        checks = {"status": p["status"], "operation": p["operation"],
                  "backupManagementType": p["backupManagementType"], "jobId": each.id}
        if all(checks[k].lower() == v.lower() for k, v in flt.items() if k in checks):
            out.append(body)
    return out


def cancel_job(call: Call) -> Response:
    """POST {vault}/backupJobs/{job}/cancel: 202 with Location."""
    found = vault(call)
    cancelled = job(call, found)
    status = cancelled.state(call.now)[0]
    if status not in ("InProgress", "Cancelling"):
        raise bad_request("BMSUserErrorJobNotCancellable",
                          f"Job '{cancelled.id}' is {status} and cannot be cancelled.")
    op = call.state.cancel(cancelled)
    path = f"{found.id}/backupJobs/{cancelled.id}"
    return accepted(call, f"{path}/operationsStatus/{op.id}", f"{path}/operationResults/{op.id}")


def job_operation_status(call: Call) -> Response:
    """GET {vault}/backupJobs/{job}/operationsStatus/{op}: the cancel's OperationStatus."""
    found = vault(call)
    job(call, found)
    return status_answer(call, operation(call, None))


def job_operation_result(call: Call) -> Response:
    """GET {vault}/backupJobs/{job}/operationResults/{op}: 202, then 204."""
    found = vault(call)
    cancelled = job(call, found)
    op = operation(call, None)
    return result_answer(call, op, call.url(f"{found.id}/backupJobs/{cancelled.id}/operationResults/{op.id}"))


ROUTES: list[Route] = [
    ("GET", VAULT + r"/backupJobs", list_jobs, BACKUP),
    ("GET", VAULT + r"/backupJobs/(?P<job>[^/]+)", get_job, BACKUP),
    ("POST", VAULT + r"/backupJobs/(?P<job>[^/]+)/cancel", cancel_job, BACKUP),
    ("GET", VAULT + r"/backupJobs/(?P<job>[^/]+)/operationResults/(?P<op>[^/]+)", job_operation_result, BACKUP),
    ("GET", VAULT + r"/backupJobs/(?P<job>[^/]+)/operationsStatus/(?P<op>[^/]+)", job_operation_status, BACKUP),
]
