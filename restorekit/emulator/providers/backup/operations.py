"""Long-running operations: how the Backup service answers for one (shared by restores, cancels and CRR).

An operation's status is an ``OperationStatus`` body (``Retry-After`` while it runs); its result is 202
(with ``Location``) while it runs, then 204, or the operation's error. The vault's own operation routes
(``backupOperations``, ``backupOperationResults``) answer for any operation of the vault.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from ...arm.errors import bad_request, not_found
from ...arm.responses import empty_response, json_response
from ...call import Call, Route
from ...estate.jobs import Operation
from . import shapes
from .lookups import BACKUP, VAULT, vault


def accepted(call: Call, status_path: str, result_path: str) -> Response:
    """202 for a started operation: ``Azure-AsyncOperation`` (its status), ``Location`` (its result), ``Retry-After``."""
    return empty_response(202, {"Azure-AsyncOperation": call.url(status_path), "Location": call.url(result_path),
                                "Retry-After": str(call.state.settings.retry_after)})


def operation(call: Call, scope: str | None) -> Operation:
    """The operation the path names (``op``), within ``scope`` when given; 404 when none."""
    op = call.state.operations.get(call.groups["op"].lower())
    if op is None or (scope is not None and op.scope and op.scope != scope):
        raise not_found("BMSUserErrorOperationNotFound", f"Operation '{call.groups['op']}' was not found.")
    return op


def status_answer(call: Call, op: Operation) -> Response:
    """The operation's ``OperationStatus``, with ``Retry-After`` while it runs."""
    body = shapes.operation_status(op, call.now, call.api_version, call.base_url)
    headers = {"Retry-After": str(call.state.settings.retry_after)} if body["status"] == "InProgress" else {}
    return json_response(body, 200, headers)


def result_answer(call: Call, op: Operation, location: str) -> Response:
    """202 with ``location`` while the operation runs, then 204 (or its error as a 400)."""
    status = op.status(call.now)
    if status == "InProgress":
        return empty_response(202, {"Location": location, "Retry-After": str(call.state.settings.retry_after)})
    if status == "Failed" and op.error:
        raise bad_request(op.error.get("code", "OperationFailed"), op.error.get("message", "The operation failed."))
    return empty_response(204)


def vault_operation_status(call: Call) -> Response:
    """GET {vault}/backupOperations/{op}."""
    vault(call)
    return status_answer(call, operation(call, None))


def vault_operation_result(call: Call) -> Response:
    """GET {vault}/backupOperationResults/{op}."""
    found = vault(call)
    op = operation(call, None)
    return result_answer(call, op, call.url(f"{found.id}/backupOperationResults/{op.id}"))


ROUTES: list[Route] = [
    ("GET", VAULT + r"/backupOperations/(?P<op>[^/]+)", vault_operation_status, BACKUP),
    ("GET", VAULT + r"/backupOperationResults/(?P<op>[^/]+)", vault_operation_result, BACKUP),
]
