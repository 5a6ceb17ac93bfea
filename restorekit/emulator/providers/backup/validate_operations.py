"""The Backup service's own restore validation: Operation_Validate and the ValidateOperation_Trigger family.

``POST {vault}/backupValidateOperation`` answers at once; ``POST {vault}/backupTriggerValidateOperation``
starts an operation followed at ``backupValidateOperationsStatuses/{id}`` (OperationStatus) and
``backupValidateOperationResults/{id}`` (202 while it runs, then 200). Both judge the restore request
with the restore trigger's rules (``restore_validation.restore_problems``) and report each violated rule as a
``{code, message, recommendations}`` validation result; a valid request gives an empty list.

The body is ``ValidateOperationRequestResource`` ``{id, properties: {objectType, restoreRequest}}`` from
api-version 2023-06-01 on (``id`` is the recovery point's ARM id), the bare ``ValidateOperationRequest``
``{objectType, restoreRequest}`` before (the item and point then come from the restore request's
``sourceResourceId`` and ``recoveryPointId``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from ...arm import versions
from ...arm.errors import ApiError, bad_request, not_found
from ...arm.responses import empty_response, json_response
from ...call import Call, Route
from ...estate.jobs import Operation, new_id
from ...estate.vaults import ProtectedVM, RecoveryPoint, Vault
from ...state import ValidationRun
from . import shapes
from .lookups import VAULT, item_in, point_named, vault
from .operations import accepted
from .restore_validation import RESTORE_RECOMMENDATIONS, restore_problems

#: The only validate request the emulator knows (the IaaS VM restore one).
REQUEST_TYPE = "ValidateIaasVMRestoreOperationRequest"
#: The recovery point part of a validate body's ``id`` (the vault part is not checked, as the spec's own
#: example names another resource group there than in its URL).
POINT_ID = re.compile(r"/backupFabrics/(?P<fabric>[^/]+)/protectionContainers/(?P<container>[^/]+)"
                      r"/protectedItems/(?P<item>[^/]+)/recoveryPoints/(?P<rp>[^/]+)/?$", re.I)


@dataclass
class ValidateRequest:
    """A parsed validate body: the restore request, and where the recovery point is named."""

    restore_request: dict[str, Any]
    point_path: dict[str, str] | None = None

    @property
    def source_resource_id(self) -> str | None:
        """The restore request's ``sourceResourceId`` (finds the item in bodies without ``id``)."""
        value = self.restore_request.get("sourceResourceId")
        return str(value) if value else None

    @property
    def recovery_point_id(self) -> str | None:
        """The restore request's ``recoveryPointId`` (finds the point in bodies without ``id``)."""
        value = self.restore_request.get("recoveryPointId")
        return str(value) if value is not None else None


def read_request(body: Any, api_version: str) -> ValidateRequest:
    """Parse a validate body for ``api_version``; 400 for a body of the wrong shape."""
    if not isinstance(body, dict):
        raise bad_request("InvalidRequestContent", "The request content was invalid and could not be deserialized.")
    point_path = None
    props: Any = body
    if api_version >= versions.VALIDATE_RESOURCE_BODY_SINCE:
        m = POINT_ID.search(str(body.get("id") or ""))
        if m is None:
            raise bad_request("BMSUserErrorInvalidInput",
                              "'id' must be the ARM id of the recovery point to validate the restore of.", "id")
        point_path = m.groupdict()
        props = body.get("properties")
        if not isinstance(props, dict):
            raise bad_request("BMSUserErrorInvalidInput", "The request body must have a 'properties' object.",
                              "properties")
    object_type = props.get("objectType")
    if not object_type:
        raise bad_request("BMSUserErrorMissingObjectType", "The validate request must specify 'objectType'.",
                          "properties.objectType")
    if object_type != REQUEST_TYPE:
        raise bad_request("BMSUserErrorInvalidObjectType",
                          f"Validate request type '{object_type}' is not supported; use {REQUEST_TYPE}.",
                          "properties.objectType")
    restore = props.get("restoreRequest")
    if not isinstance(restore, dict):
        raise bad_request("BMSUserErrorInvalidInput", "'restoreRequest' (the restore request to validate) is required.",
                          "properties.restoreRequest")
    return ValidateRequest(restore, point_path)


def validation_results(problems: list[ApiError]) -> list[dict[str, Any]]:
    """Each problem as an ``ErrorDetail``: ``{code, message, recommendations}``."""
    return [{"code": p.code, "message": p.message,
             "recommendations": [RESTORE_RECOMMENDATIONS[p.code]] if p.code in RESTORE_RECOMMENDATIONS else []}
            for p in problems]


def response_body(results: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``ValidateOperationsResponse``."""
    return {"validateOperationResponse": {"validationResults": list(results)}}


def status_body(run: ValidationRun, now: datetime) -> dict[str, Any]:
    """The run's ``OperationStatus``; once it succeeded, with the validation response in its properties."""
    body = shapes.operation_status(run.operation, now)
    if body["status"] == "Succeeded":
        body["properties"] = {"objectType": "OperationStatusValidateOperationExtendedInfo",
                              **response_body(run.results)}
    return body


def _validation_request(call: Call) -> tuple[Vault, ProtectedVM, RecoveryPoint, dict[str, Any]]:
    """The vault, item, point and restore request of a validate body."""
    found = vault(call)
    request = read_request(call.json_body(), call.api_version)
    if request.point_path is not None:
        vm = item_in(found, request.point_path)
        return found, vm, point_named(vm, request.point_path["rp"]), request.restore_request
    source = request.source_resource_id
    if not source:
        raise bad_request("UserErrorMissingSourceResourceId", "The restore request must specify 'sourceResourceId'.",
                          "properties.restoreRequest.sourceResourceId")
    vm = next((v for v in found.items.values() if v.vm_id.lower() == source.rstrip("/").lower()), None)
    if vm is None:
        raise not_found("BMSUserErrorObjectNotFound", f"No item of vault '{found.name}' protects '{source}'.")
    return found, vm, point_named(vm, request.recovery_point_id or ""), request.restore_request


def _validation_results(call: Call) -> tuple[Vault, list[dict[str, Any]]]:
    found, vm, point, restore = _validation_request(call)
    problems = restore_problems(restore, estate=call.state.estate, vm=vm, point=point, api_version=call.api_version,
                                wrapped=False)
    return found, validation_results(problems)


def validate_restore_request(call: Call) -> Response:
    """POST {vault}/backupValidateOperation: 200 with every problem of the restore request (``[]`` when valid)."""
    _, results = _validation_results(call)
    return json_response(response_body(results))


def trigger_validate_restore_request(call: Call) -> Response:
    """POST {vault}/backupTriggerValidateOperation: the same validation as an operation; 202 with its URLs."""
    found, results = _validation_results(call)
    run = ValidationRun(Operation(id=new_id(), kind="validate", start=call.now,
                                  seconds=call.state.settings.operation_seconds), found.key, results)
    with call.state.lock:
        call.state.validations[run.operation.id] = run
    return accepted(call, f"{found.id}/backupValidateOperationsStatuses/{run.operation.id}",
                    f"{found.id}/backupValidateOperationResults/{run.operation.id}")


def _validation_run(call: Call) -> tuple[Vault, ValidationRun]:
    found = vault(call)
    with call.state.lock:
        run = call.state.validations.get(call.groups["op"].lower())
    if run is None or run.vault_key != found.key:
        raise not_found("BMSUserErrorOperationNotFound", f"Operation '{call.groups['op']}' was not found.")
    return found, run


def validate_operation_status(call: Call) -> Response:
    """GET {vault}/backupValidateOperationsStatuses/{op}: OperationStatus, with the results once done."""
    _, run = _validation_run(call)
    body = status_body(run, call.now)
    headers = {"Retry-After": str(call.state.settings.retry_after)} if body["status"] == "InProgress" else {}
    return json_response(body, 200, headers)


def validate_operation_result(call: Call) -> Response:
    """GET {vault}/backupValidateOperationResults/{op}: 202 while it runs, then 200 ValidateOperationsResponse."""
    found, run = _validation_run(call)
    if run.operation.status(call.now) == "InProgress":
        return empty_response(202, {"Location": call.url(f"{found.id}/backupValidateOperationResults/{run.operation.id}"),
                                    "Retry-After": str(call.state.settings.retry_after)})
    return json_response(response_body(run.results))


ROUTES: list[Route] = [
    ("POST", VAULT + r"/backupValidateOperation", validate_restore_request, versions.VALIDATE_VERSIONS),
    ("POST", VAULT + r"/backupTriggerValidateOperation", trigger_validate_restore_request,
     versions.TRIGGER_VALIDATE_VERSIONS),
    ("GET", VAULT + r"/backupValidateOperationsStatuses/(?P<op>[^/]+)", validate_operation_status,
     versions.TRIGGER_VALIDATE_VERSIONS),
    ("GET", VAULT + r"/backupValidateOperationResults/(?P<op>[^/]+)", validate_operation_result,
     versions.TRIGGER_VALIDATE_VERSIONS),
]
