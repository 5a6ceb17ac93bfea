"""File recovery (item-level recovery, ILR): provision and revoke a session, and fetch its scripts.

* ``POST {item}/recoveryPoints/{rp}/provisionInstantItemRecovery`` (``ItemLevelRecoveryConnections_Provision``),
  body ``{properties: {objectType: "IaasVMILRRegistrationRequest", recoveryPointId, virtualMachineId,
  initiatorName?, renewExistingRegistration?}}``: 202 with Azure-AsyncOperation ``{item}/operationsStatus/{op}``,
  Location ``{item}/operationResults/{op}`` and Retry-After, as the spec's example. Once succeeded, the status is
  ``OperationStatusProvisionILRExtendedInfo`` with ``recoveryTarget.clientScripts`` up to 2026-02-01; from
  2026-08-01 it names no script. A session already open on the point is renewed. The point's
  ``isInstantIlrSessionActive`` is true while a session is open, and the VM's scheduled backups fail meanwhile.
* ``POST …/revokeInstantItemRecovery`` (``ItemLevelRecoveryConnections_Revoke``): 202; closes the session (a
  point without one: nothing to do, the operation succeeds).
* ``POST …/listInstantItemRecoveryOperationResult`` (2026-08-01 on), body ``{provisionInstantItemRecoveryOperationId}``:
  200 ``InstantItemRecoveryTarget`` for an open session; its own action, so its own RBAC check (403
  ``AuthorizationFailed`` when denied).
* ``GET /fileRecovery/{key}/{file}.exe``: the Windows executable's download (a signed URL, no bearer token), asked
  by the gateway before its checks.

Refused as the service does: a soft-deleted item, a point only in the archive tier, an encrypted VM (file recovery
from encrypted VM backups is not supported). The codes of these refusals are our guesses.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from ...arm import versions
from ...arm.errors import authorization_failed, bad_request, not_found
from ...arm.responses import json_response
from ...call import Call, Route
from ...estate.jobs import Operation, new_id
from ...estate.vaults import ProtectedVM, RecoveryPoint
from ...state import State
from ...state.access import principal_of
from ...state.file_recovery import FileRecoverySession
from . import file_recovery_scripts as scripts
from .lookups import BACKUP, ITEM, live_item, point
from .operations import accepted

POINT = ITEM + r"/recoveryPoints/(?P<rp>[^/]+)"
REQUEST_TYPE = "IaasVMILRRegistrationRequest"
STATUS_TYPE = "OperationStatusProvisionILRExtendedInfo"
_ACTIONS = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints"
#: The actions RBAC checks (the list's name follows ARM's naming of POST actions; the emulator checks both).
PROVISION_ACTION = f"{_ACTIONS}/provisionInstantItemRecovery/action"
LIST_RESULT_ACTION = f"{_ACTIONS}/listInstantItemRecoveryOperationResult/action"
#: Codes of the refusals (our guesses).
ARCHIVED = "UserErrorFileRecoveryNotSupportedForArchivedRecoveryPoint"
ENCRYPTED = "UserErrorFileRecoveryNotSupportedForEncryptedVM"
NOT_OPEN = "UserErrorFileRecoverySessionNotActive"
NOT_READY = "UserErrorFileRecoverySessionNotReady"


def provision(call: Call) -> Response:
    """POST {item}/recoveryPoints/{rp}/provisionInstantItemRecovery."""
    _, vm = live_item(call)
    found = point(call, vm)
    _check_access(call, PROVISION_ACTION, found, vm)
    _validate_request(call.json_body())
    _refuse_unmountable(vm, found)
    op_id = new_id()
    session = call.state.file_recoveries.provision(vm, found.name, call.now, op_id)
    return _operation(call, vm, op_id, "file-recovery", _status_details(session))


def revoke(call: Call) -> Response:
    """POST {item}/recoveryPoints/{rp}/revokeInstantItemRecovery: close the point's session."""
    _, vm = live_item(call)
    found = point(call, vm)
    call.state.file_recoveries.revoke(vm, found.name, call.now)
    return _operation(call, vm, new_id(), "file-recovery-revoke")


def _operation(call: Call, vm: ProtectedVM, op_id: str, kind: str, details: Any = None) -> Response:
    """The item's operation (about a second of simulated time) and its 202 with the operation's URLs."""
    op = Operation(id=op_id, kind=kind, start=call.now, seconds=call.state.settings.operation_seconds,
                   scope=vm.item_path.lower(), details=details)
    with call.state.lock:
        call.state.operations[op.id] = op
    return accepted(call, f"{vm.item_path}/operationsStatus/{op.id}", f"{vm.item_path}/operationResults/{op.id}")


def list_result(call: Call) -> Response:
    """POST …/listInstantItemRecoveryOperationResult: the scripts of the session a provision operation opened."""
    _, vm = live_item(call)
    found = point(call, vm)
    _check_access(call, LIST_RESULT_ACTION, found, vm)
    body = call.json_body()
    op_id = body.get("provisionInstantItemRecoveryOperationId") if isinstance(body, dict) else None
    if not isinstance(op_id, str) or not op_id:
        raise bad_request("BMSUserErrorInvalidInput", "provisionInstantItemRecoveryOperationId is required: the "
                          "operation id of the provisionInstantItemRecovery call.",
                          "provisionInstantItemRecoveryOperationId")
    session = call.state.file_recoveries.for_operation(op_id)
    if session is None or session.vm is not vm or session.point_name != found.name:
        raise not_found("BMSUserErrorOperationNotFound", f"Operation '{op_id}' was not found for recovery point "
                                                         f"'{found.name}'.")
    op = call.state.operations.get(op_id.lower())
    if op is not None and op.status(call.now) == "InProgress":
        raise bad_request(NOT_READY, f"The file recovery session of operation '{op_id}' is still being provisioned. "
                                     "Retry once the operation has succeeded.")
    if not session.is_open(call.now):
        raise bad_request(NOT_OPEN, f"The file recovery session on recovery point '{found.name}' is not open any "
                                    "more (revoked or expired). Provision a new one.")
    return json_response(scripts.recovery_target(session, call.base_url))


def script_download(request: Request, state: State) -> Response | None:
    """GET /fileRecovery/{key}/{file}: a session's Windows executable; None when the request is for something else."""
    if not request.path.startswith(scripts.DOWNLOAD_PREFIX):
        return None
    parts = request.path[len(scripts.DOWNLOAD_PREFIX):].split("/")
    session = state.file_recoveries.for_download(parts[0]) if len(parts) == 2 and request.method == "GET" else None
    if session is None or not session.is_open(state.clock.now()) or parts[1] != f"{scripts.file_stem(session)}.exe":
        return Response("The specified resource does not exist.", status=404, content_type="text/plain")
    return Response(scripts.windows_executable(session), status=200, content_type="application/octet-stream")


def _status_details(session: FileRecoverySession) -> Any:
    def details(api_version: str, base_url: str) -> dict[str, Any]:
        body: dict[str, Any] = {"objectType": STATUS_TYPE}
        if api_version < versions.FILE_RECOVERY_RESULT_SINCE:
            body["recoveryTarget"] = scripts.recovery_target(session, base_url)
        return body

    return details


def _validate_request(body: Any) -> None:
    props = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(props, dict) or "objectType" not in props:
        raise bad_request("BMSUserErrorMissingObjectType", "The request's properties.objectType is missing: send an "
                          f"'{REQUEST_TYPE}'.", "properties.objectType")
    if props["objectType"] != REQUEST_TYPE:
        raise bad_request("BMSUserErrorInvalidObjectType", f"objectType '{props['objectType']}' is not supported for "
                          f"an Azure VM: send '{REQUEST_TYPE}'.", "properties.objectType")
    for key in ("recoveryPointId", "virtualMachineId", "initiatorName"):
        if key in props and props[key] is not None and not isinstance(props[key], str):
            raise bad_request("BMSUserErrorInvalidInput", f"properties.{key} must be a string.", f"properties.{key}")
    renew = props.get("renewExistingRegistration")
    if renew is not None and not isinstance(renew, bool):
        raise bad_request("BMSUserErrorInvalidInput", "properties.renewExistingRegistration must be true or false.",
                          "properties.renewExistingRegistration")


def _refuse_unmountable(vm: ProtectedVM, found: RecoveryPoint) -> None:
    if found.archived_only:
        raise bad_request(ARCHIVED, f"Recovery point '{found.name}' is in the archive tier only: its disks cannot be "
                                    "mounted for file recovery. Restore it (with rehydration) instead.")
    if vm.encrypted:
        raise bad_request(ENCRYPTED, f"File recovery is not supported for '{vm.name}': its backups are of an "
                                     "encrypted VM. Restore its disks instead.")


def _check_access(call: Call, action: str, found: RecoveryPoint, vm: ProtectedVM) -> None:
    principal = principal_of(call.state.tokens, call.request.headers.get("Authorization", ""))
    if call.state.access.denied(principal, action):
        raise authorization_failed(principal, action, f"{vm.item_path}/recoveryPoints/{found.name}")


ROUTES: list[Route] = [
    ("POST", POINT + r"/provisionInstantItemRecovery", provision, BACKUP),
    ("POST", POINT + r"/revokeInstantItemRecovery", revoke, BACKUP),
    ("POST", POINT + r"/listInstantItemRecoveryOperationResult", list_result, versions.FILE_RECOVERY_RESULT_VERSIONS),
]
