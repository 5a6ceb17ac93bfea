"""How the compute, network and resources providers answer for their long-running operations.

Each provider has its own operation URLs, as Azure's:

* **compute** (VM deletes, Run Command): ``Azure-AsyncOperation`` is
  ``{sub}/providers/Microsoft.Compute/locations/{region}/operations/{id}``, ``Location`` the same with
  ``monitor=true``; disks use ``…/DiskOperations/{id}`` with the disk api-version. The status body is
  ``{startTime, endTime, status, name, properties: {output}, error}``; the result (``Location``) is 202 while
  it runs, then 200 with the operation's output (or 204 without one).
* **network** (deletes): ``{sub}/providers/Microsoft.Network/locations/{region}/operations/{id}`` (status
  ``{status, error}``) and ``…/operationResults/{id}`` (``Location``).
* **resources** (a resource group's deletion): ``Location`` only, ``{sub}/operationresults/{token}``: 202 while
  it runs, 200 once done, or the operation's error with its HTTP status.

Operations live in ``state.arm_operations``; a handler that starts one answers with :func:`accepted`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import ApiError, not_found
from ..arm.paths import SUBSCRIPTION
from ..arm.responses import empty_response, json_response
from ..call import Call, Route
from ..clock import iso
from ..state import State
from ..state.arm_operations import ArmOperation

#: Operation URL families: (provider segment, status collection) → the api-versions they answer.
COMPUTE, DISKS, NETWORK, RESOURCES = "compute", "disks", "network", "resources"
_STATUS_PATHS = {COMPUTE: "providers/Microsoft.Compute/locations/{loc}/operations/{id}",
                 DISKS: "providers/Microsoft.Compute/locations/{loc}/DiskOperations/{id}",
                 NETWORK: "providers/Microsoft.Network/locations/{loc}/operations/{id}"}
_RESULT_PATHS = {NETWORK: "providers/Microsoft.Network/locations/{loc}/operationResults/{id}",
                 RESOURCES: "operationresults/{id}"}


def _path(call: Call, template: str, op: ArmOperation) -> str:
    return f"/subscriptions/{call.groups['sub']}/" + template.format(loc=op.location, id=op.id)


def accepted(call: Call, op: ArmOperation, family: str, status: int = 202,
             body: dict[str, Any] | None = None) -> Response:
    """The answer that starts ``op``: ``status`` (202, or 200/201 with ``body`` for a PUT) and its headers.

    ``Azure-AsyncOperation`` and ``Location`` as ``family``'s provider writes them (a resource group's deletion has
    ``Location`` only), and ``Retry-After``.
    """
    headers = {"Retry-After": str(call.state.settings.retry_after)}
    if family in _STATUS_PATHS:
        headers["Azure-AsyncOperation"] = call.url(_path(call, _STATUS_PATHS[family], op))
    if family in _RESULT_PATHS:
        headers["Location"] = call.url(_path(call, _RESULT_PATHS[family], op))
    elif family in _STATUS_PATHS:
        headers["Location"] = call.url(_path(call, _STATUS_PATHS[family], op)) + "&monitor=true"
    if body is not None:
        return json_response(body, status, headers)
    return empty_response(status, headers)


def _operation(call: Call) -> ArmOperation:
    op = call.state.arm_operations.get(call.groups["op"])
    if op is None or op.location.lower() != call.groups.get("loc", op.location).lower():
        raise not_found("NotFound", f"The operation '{call.groups['op']}' was not found.")
    return op


def _error(op: ArmOperation) -> dict[str, Any]:
    assert op.error is not None
    return {key: value for key, value in op.error.items() if key != "status"}


def compute_status(call: Call) -> Response:
    """GET a compute operation: its status, or with ``monitor=true`` its result."""
    op = _operation(call)
    status = op.status(call.now)
    if call.request.args.get("monitor", "").lower() == "true":
        return _result(call, op, status)
    body: dict[str, Any] = {"startTime": iso(op.start)}
    if status != "InProgress":
        body["endTime"] = iso(op.end)
    body["status"] = status
    if status == "Succeeded" and op.result is not None:
        body["properties"] = {"output": op.result}
    if status == "Failed":
        body["error"] = _error(op)
    body["name"] = op.id
    headers = {"Retry-After": str(call.state.settings.retry_after)} if status == "InProgress" else {}
    return json_response(body, 200, headers)


def network_status(call: Call) -> Response:
    """GET a network operation's status: ``{status}``, with ``error`` once failed."""
    op = _operation(call)
    status = op.status(call.now)
    body: dict[str, Any] = {"status": status}
    if status == "Failed":
        body["error"] = {**_error(op), "details": op.error.get("details", []) if op.error else []}
    headers = {"Retry-After": str(call.state.settings.retry_after)} if status == "InProgress" else {}
    return json_response(body, 200, headers)


def _result(call: Call, op: ArmOperation, status: str) -> Response:
    if status == "InProgress":
        return empty_response(202, {"Location": call.url(call.request.path) + _monitor(call),
                                    "Retry-After": str(call.state.settings.retry_after)})
    if status == "Failed":
        assert op.error is not None
        raise ApiError(int(op.error.get("status", 400)), op.error["code"], op.error["message"],
                       details=list(op.error.get("details", [])))
    return json_response(op.result) if op.result is not None else empty_response(200 if op.kind == "delete" else 204)


def _monitor(call: Call) -> str:
    return "&monitor=true" if call.request.args.get("monitor") else ""


def result(call: Call) -> Response:
    """GET an operation's result (network ``operationResults``, a resource group deletion's ``operationresults``)."""
    op = _operation(call)
    return _result(call, op, op.status(call.now))


_LOCATION = SUBSCRIPTION + r"/providers/Microsoft\.{ns}/locations/(?P<loc>[^/]+)/{kind}/(?P<op>[^/]+)"

ROUTES: list[Route] = [
    ("GET", _LOCATION.format(ns="Compute", kind="operations"), compute_status, versions.COMPUTE_VERSIONS),
    ("GET", _LOCATION.format(ns="Compute", kind="DiskOperations"), compute_status, versions.DISK_VERSIONS),
    ("GET", _LOCATION.format(ns="Network", kind="operations"), network_status, versions.NETWORK_VERSIONS),
    ("GET", _LOCATION.format(ns="Network", kind="operationResults"), result, versions.NETWORK_VERSIONS),
    ("GET", SUBSCRIPTION + r"/operationresults/(?P<op>[^/]+)", result, versions.RESOURCE_GROUP_VERSIONS),
]


def provisioning_state(state: State, resource_id: str, now: datetime) -> str:
    """``Updating`` while a PUT of the resource runs, ``Deleting`` while its deletion runs, else ``Succeeded``."""
    ops = state.arm_operations
    if ops.running(resource_id, now, "put") is not None:
        return "Updating"
    if ops.running(resource_id, now, "delete") is not None:
        return "Deleting"
    return "Succeeded"


def start_delete(call: Call, resource_id: str, location: str, family: str, remove: Callable[[], None],
                 error_code: str = "InternalServerError") -> Response:
    """Start deleting a resource: 202 with ``family``'s headers; ``remove`` runs when the deletion ends.

    A deletion already running is answered again. With ``machine_faults.delete_fails_once`` matching the
    resource's name, the operation fails once with ``error_code`` and the resource stays.
    """
    ops = call.state.arm_operations
    running = ops.running(resource_id, call.now, "delete")
    if running is not None:
        return accepted(call, running, family)
    name = resource_id.rstrip("/").rsplit("/", 1)[1]
    error = None
    if call.state.machine_faults.take_delete_failure(name):
        error = {"code": error_code, "message": f"The deletion of '{resource_id}' failed. Please retry the operation."}
    op = ops.start("delete", resource_id, location, call.now, call.state.settings.operation_seconds, error=error,
                   on_success=remove)
    return accepted(call, op, family)
