"""The Backup service's own restore validation: Operation_Validate and the ValidateOperation_Trigger family.

``POST {vault}/backupValidateOperation`` answers at once; ``POST {vault}/backupTriggerValidateOperation``
starts an operation followed at ``backupValidateOperationsStatuses/{id}`` (OperationStatus) and
``backupValidateOperationResults/{id}`` (202 while it runs, then 200). Both judge the restore request
with the restore trigger's rules (``validation.restore_problems``) and report each violated rule as a
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

from . import shapes, versions
from .errors import ApiError, bad_request
from .jobs import Operation
from .validation import RESTORE_RECOMMENDATIONS

#: The only validate request the emulator knows (the IaaS VM restore one).
REQUEST_TYPE = "ValidateIaasVMRestoreOperationRequest"
#: The recovery point part of a validate body's ``id`` (the vault part is not checked, as the spec's own
#: example names another resource group there than in its URL).
POINT_ID = re.compile(r"/backupFabrics/(?P<fabric>[^/]+)/protectionContainers/(?P<container>[^/]+)"
                      r"/protectedItems/(?P<item>[^/]+)/recoveryPoints/(?P<rp>[^/]+)/?$", re.I)


@dataclass
class ValidationRun:
    """A triggered validate operation: its operation on the clock, its vault, and the results it reports."""

    operation: Operation
    vault_key: tuple[str, str]
    results: list[dict[str, Any]]


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
