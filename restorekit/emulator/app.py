"""The WSGI application: ARM gateway behaviour (auth, throttle, api-version, faults) and the routes."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from . import crr_grants, resource_graph, shapes, subscriptions, throttle, validate_operation, versions
from .body_limit import check_size
from .clock import us_datetime
from .errors import ApiError, bad_request, not_found, resource_not_found
from .estate import TENANT_ID, ProtectedVM, RecoveryPoint, Vault
from .faults import Fault
from .filters import parse_bool, parse_filter, parse_time
from .jobs import Job, Operation, new_id
from .outage import check_outage
from .paging import Rendered
from .paths import RESOURCE_GROUP as _RG
from .paths import SUBSCRIPTION as _S
from .paths import Handler
from .providers import ROUTES as ARM_ROUTES
from .responses import empty_response as _empty
from .responses import json_response as _json
from .responses import paged_response as _paged
from .server import SOCKET_KEY
from .state import State
from .tokens import authenticate, token_endpoint
from .validation import restore_problems, validate_restore

_V = _S + r"/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.RecoveryServices/vaults/(?P<vault>[^/]+)"
_I = _V + (r"/backupFabrics/(?P<fabric>[^/]+)/protectionContainers/(?P<container>[^/]+)"
           r"/protectedItems/(?P<item>[^/]+)")
_L = _S + r"/providers/Microsoft\.RecoveryServices/locations/(?P<region>[^/]+)"

BACKUP = versions.BACKUP_VERSIONS
BOTH = versions.BACKUP_VERSIONS + versions.PASSIVE_VERSIONS
PASSIVE = versions.PASSIVE_VERSIONS


class Call:
    """One request being answered: the parsed request, the route's path groups and the state."""

    def __init__(self, request: Request, groups: dict[str, str], state: State, api_version: str, base_url: str):
        self.request = request
        self.groups = groups
        self.state = state
        self.api_version = api_version
        self.base_url = base_url

    @property
    def now(self) -> datetime:
        """The clock's now."""
        return self.state.clock.now()

    def json_body(self) -> Any:
        """The request body as JSON; 400 ``InvalidRequestContent`` when it does not parse."""
        raw = self.request.get_data(cache=True)
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise bad_request("InvalidRequestContent",
                              "The request content was invalid and could not be deserialized.") from None

    def url(self, path: str, api_version: str | None = None) -> str:
        """An absolute URL on this server for ``path`` with the api-version."""
        return f"{self.base_url}{quote(path, safe='/;=,')}?api-version={api_version or self.api_version}"


def _number(text: str, digits: int) -> int:
    """A stable number of ``digits`` digits from ``text`` (ids the service shows as numbers)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:16], 16) % 10**digits


class EmulatorApp:
    """The WSGI callable. ``EmulatorApp(state)(environ, start_response)``."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.routes: list[tuple[str, re.Pattern[str], Handler, tuple[str, ...]]] = []
        for method, pattern, handler, api_versions in _ROUTES:
            self.routes.append((method, re.compile("^" + pattern + "/?$", re.I), handler, api_versions))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        settings = self.state.settings
        if settings.latency_ms:
            time.sleep(settings.latency_ms / 1000.0)
        fault = self.state.faults.take(request.method, request.path)
        surge = None if fault else self.state.faults.storm_draw(request.method, request.path)
        if (fault and fault.kind == "drop") or (surge and surge.kind == "reset"):
            return _reset_connection(environ, start_response)
        if surge and surge.kind == "error":
            fault = Fault("status", 1, surge.status, surge.retry_after)
        response = self._answer(request, fault)
        if surge and surge.kind == "lost_answer":  # processed in full, then the answer is lost
            return _reset_connection(environ, start_response)
        if surge and surge.kind == "slow":
            time.sleep(surge.seconds)
        self._stamp(request, response)
        return response(environ, start_response)

    def _answer(self, request: Request, fault: Any) -> Response:
        try:
            if fault and fault.kind == "html":
                return Response(_HTML_PAGE.format(status=fault.status), status=fault.status,
                                content_type="text/html; charset=utf-8")
            if fault:
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                code = {500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable",
                        504: "GatewayTimeout"}.get(fault.status, "InternalServerError")
                raise ApiError(fault.status, code, "The service is temporarily unavailable. Please retry.",
                               headers=headers)
            return self._dispatch(request)
        except ApiError as err:
            return _json(err.envelope(), err.status, err.headers)

    def _dispatch(self, request: Request) -> Response:
        token_answer = token_endpoint(request, self.state)  # Entra's, not ARM's: no bearer needed
        if token_answer is not None:
            return token_answer
        check_size(request)
        authenticate(request, self.state)
        throttle.admit(self.state, request)
        check_outage(self.state, request)
        path = request.path
        self.state.outcomes.settle(self.state.clock.now())  # restores completed by now have changed resources
        allowed_methods = set()
        for method, pattern, handler, api_versions in self.routes:
            m = pattern.match(path)
            if not m:
                continue
            if method != request.method:
                allowed_methods.add(method)
                continue
            api_version = _api_version(request, api_versions)
            groups = m.groupdict()
            if "sub" in groups and groups["sub"].lower() not in self.state.subscription_ids:
                raise not_found("SubscriptionNotFound", f"The subscription '{groups['sub']}' could not be found.")
            base = request.host_url.rstrip("/")
            return handler(Call(request, groups, self.state, api_version, base))
        if allowed_methods:
            raise ApiError(405, "MethodNotAllowed",
                           f"The requested resource does not support http method '{request.method}'.")
        if request.args.get("api-version") is None:
            raise bad_request("MissingApiVersionParameter",
                              "The api-version query parameter (?api-version=) is required for all requests.")
        raise not_found("InvalidResourceType", f"The resource type could not be found for path '{path}'.")

    def _stamp(self, request: Request, response: Response) -> None:
        h = response.headers
        rid = str(uuid.uuid4())
        h["x-ms-request-id"] = rid
        h["x-ms-correlation-request-id"] = request.headers.get("x-ms-correlation-request-id") or rid
        if request.headers.get("x-ms-client-request-id"):
            h["x-ms-client-request-id"] = request.headers["x-ms-client-request-id"]
        now = self.state.clock.now()
        h["x-ms-routing-request-id"] = f"WESTUS:{now.strftime('%Y%m%dT%H%M%SZ')}:{rid}"
        for name, value in throttle.remaining_headers(self.state, request).items():
            h.setdefault(name, value)
        h["Cache-Control"] = "no-cache"
        h["Pragma"] = "no-cache"
        h["X-Content-Type-Options"] = "nosniff"
        h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        h["Date"] = format_datetime(now, usegmt=True)  # by the emulator's clock: an estate pinned to a day says it


_HTML_PAGE = ("<!DOCTYPE html><html><head><title>{status} - Service unavailable</title></head>"
              "<body><h1>{status}</h1><p>The gateway did not receive a timely response.</p></body></html>")


def _api_version(request: Request, accepted: tuple[str, ...]) -> str:
    value = request.args.get("api-version")
    if value is None:
        raise bad_request("MissingApiVersionParameter",
                          "The api-version query parameter (?api-version=) is required for all requests.")
    if value not in accepted:
        raise bad_request("InvalidApiVersionParameter",
                          f"The api-version '{value}' is invalid. The supported versions are "
                          f"'{','.join(sorted(accepted, reverse=True))}'.")
    return value


# --- lookups --------------------------------------------------------------------------------------

def _vault(call: Call) -> Vault:
    vault = call.state.estate.vault(call.groups["rg"], call.groups["vault"])
    if vault is not None and vault.subscription_id.lower() != call.groups["sub"].lower():
        vault = None
    if vault is None:
        raise resource_not_found("Microsoft.RecoveryServices/vaults", call.groups["vault"], call.groups["rg"])
    if call.api_version in PASSIVE and not vault.crr:
        raise bad_request("BMSUserErrorCrossRegionRestoreNotEnabled",
                          f"Cross region restore is not enabled on vault '{vault.name}'.")
    return vault


def _item(call: Call) -> tuple[Vault, ProtectedVM]:
    vault = _vault(call)
    return vault, _item_in(vault, call.groups)


def _item_in(vault: Vault, g: dict[str, str]) -> ProtectedVM:
    """The protected VM named by path parts ``fabric``, ``container`` and ``item``; 404 when none."""
    container, item = g["container"].split(";"), g["item"].split(";")
    ok = (g["fabric"].lower() == "azure" and len(container) >= 3 and len(item) >= 3
          and container[-3].lower() in ("iaasvmcontainerv2", "iaasvmcontainer")
          and (container[0].lower() == "iaasvmcontainer" or len(container) == 3)
          and item[0].lower() == "vm"
          and [c.lower() for c in container[-2:]] == [i.lower() for i in item[-2:]])
    vm = vault.items.get((container[-2].lower(), container[-1].lower())) if ok else None
    if vm is None:
        raise not_found("BMSUserErrorObjectNotFound",
                        f"Item not found: the protected item '{g['item']}' in container '{g['container']}' does not "
                        f"exist in vault '{vault.name}'.")
    return vm


def _point(call: Call, vm: ProtectedVM) -> RecoveryPoint:
    return _point_named(vm, call.groups["rp"])


def _point_named(vm: ProtectedVM, name: str) -> RecoveryPoint:
    point = vm.point(name)
    if point is None:
        raise not_found("UserErrorRecoveryPointNotFound", f"Recovery point '{name}' was not found for item '{vm.item}'.")
    return point


# --- vaults ---------------------------------------------------------------------------------------

def list_vaults(call: Call) -> Response:
    """GET vaults of the subscription or of a resource group."""
    rg, sub = call.groups.get("rg"), call.groups["sub"].lower()
    vaults = [v for v in call.state.estate.vaults.values() if v.subscription_id.lower() == sub
              and (rg is None or v.resource_group.lower() == rg.lower())]
    return _paged(call, [shapes.vault(v) for v in vaults])


def get_vault(call: Call) -> Response:
    """GET one vault."""
    return _json(shapes.vault(_vault(call)))


# --- protected items and recovery points ----------------------------------------------------------

_ITEM_FILTER = ("healthState", "backupManagementType", "itemType", "policyName", "containerName", "backupEngineName",
                "friendlyName", "fabricName", "backupSetName")


def list_items(call: Call) -> Response:
    """GET {vault}/backupProtectedItems with an optional $filter."""
    vault = _vault(call)
    flt = parse_filter(call.request.args.get("$filter"), _ITEM_FILTER)
    out = []
    for vm in sorted(vault.items.values(), key=lambda v: (v.resource_group.lower(), v.name.lower())):
        body = shapes.protected_item(vm, call.api_version)
        p = body["properties"]
        values = {"backupManagementType": "AzureIaasVM", "itemType": "VM", "policyName": vm.policy,
                  "containerName": p["containerName"], "friendlyName": vm.name, "fabricName": "Azure",
                  "healthState": p["healthStatus"]}
        if all(str(values.get(k, "")).lower() == v.lower() for k, v in flt.items()):
            out.append(body)
    return _paged(call, out)


def get_item(call: Call) -> Response:
    """GET {item}."""
    _, vm = _item(call)
    return _json(shapes.protected_item(vm, call.api_version))


_RP_FILTER = ("startDate", "endDate", "restorePointQueryType", "extendedInfo", "moveReadyRPOnly",
              "includeSoftDeletedRP")


def list_points(call: Call) -> Response:
    """GET {item}/recoveryPoints with an optional startDate/endDate $filter."""
    _, vm = _item(call)
    flt = parse_filter(call.request.args.get("$filter"), _RP_FILTER)
    start = parse_time(flt["startDate"], "startDate") if "startDate" in flt else None
    end = parse_time(flt["endDate"], "endDate") if "endDate" in flt else None
    if start and end and start > end:
        raise bad_request("BMSUserErrorInvalidFilter", "startDate must not be after endDate.", "$filter")
    move_ready = parse_bool(flt["moveReadyRPOnly"], "moveReadyRPOnly") if "moveReadyRPOnly" in flt else False
    for key in ("extendedInfo", "includeSoftDeletedRP"):
        if key in flt:
            parse_bool(flt[key], key)
    points = [p for p in vm.points() if (start is None or p.time >= start) and (end is None or p.time <= end)
              and (not move_ready or p.move_ready)]
    return _paged(call, Rendered(points, lambda p: shapes.recovery_point(vm, p, call.api_version)))


def get_point(call: Call) -> Response:
    """GET {item}/recoveryPoints/{rp}."""
    _, vm = _item(call)
    return _json(shapes.recovery_point(vm, _point(call, vm), call.api_version))


# --- restore and its long-running operation -------------------------------------------------------

def trigger_restore(call: Call) -> Response:
    """POST {item}/recoveryPoints/{rp}/restore: validate, then 202 with Azure-AsyncOperation and Location."""
    _, vm = _item(call)
    point = _point(call, vm)
    plan = validate_restore(call.json_body(), estate=call.state.estate, vm=vm, point=point,
                            api_version=call.api_version)
    op = call.state.start_restore(vm, plan, scope=vm.item_path.lower())
    return _empty(202, _lro_headers(call, vm.item_path, op))


def _lro_headers(call: Call, item_path: str, op: Operation) -> dict[str, str]:
    return {"Azure-AsyncOperation": call.url(f"{item_path}/operationsStatus/{op.id}"),
            "Location": call.url(f"{item_path}/operationResults/{op.id}"),
            "Retry-After": str(call.state.settings.retry_after)}


def _operation(call: Call, scope: str | None) -> Operation:
    op = call.state.operations.get(call.groups["op"].lower())
    if op is None or (scope is not None and op.scope and op.scope != scope):
        raise not_found("BMSUserErrorOperationNotFound", f"Operation '{call.groups['op']}' was not found.")
    return op


def _status_answer(call: Call, op: Operation) -> Response:
    body = shapes.operation_status(op, call.now)
    headers = {"Retry-After": str(call.state.settings.retry_after)} if body["status"] == "InProgress" else {}
    return _json(body, 200, headers)


def item_operation_status(call: Call) -> Response:
    """GET {item}/operationsStatus/{op}."""
    _, vm = _item(call)
    return _status_answer(call, _operation(call, vm.item_path.lower()))


def vault_operation_status(call: Call) -> Response:
    """GET {vault}/backupOperations/{op}."""
    _vault(call)
    return _status_answer(call, _operation(call, None))


def _result_answer(call: Call, op: Operation, location: str) -> Response:
    status = op.status(call.now)
    if status == "InProgress":
        return _empty(202, {"Location": location, "Retry-After": str(call.state.settings.retry_after)})
    if status == "Failed" and op.error:
        raise bad_request(op.error.get("code", "OperationFailed"), op.error.get("message", "The operation failed."))
    return _empty(204)


def item_operation_result(call: Call) -> Response:
    """GET {item}/operationResults/{op}: 202 while running, then 204."""
    _, vm = _item(call)
    op = _operation(call, vm.item_path.lower())
    return _result_answer(call, op, call.url(f"{vm.item_path}/operationResults/{op.id}"))


def vault_operation_result(call: Call) -> Response:
    """GET {vault}/backupOperationResults/{op}."""
    vault = _vault(call)
    op = _operation(call, None)
    return _result_answer(call, op, call.url(f"{vault.id}/backupOperationResults/{op.id}"))


# --- the service's own validation of a restore request ---------------------------------------------

def _validation_request(call: Call) -> tuple[Vault, ProtectedVM, RecoveryPoint, dict[str, Any]]:
    """The vault, item, point and restore request of a validate body (see ``validate_operation``)."""
    vault = _vault(call)
    request = validate_operation.read_request(call.json_body(), call.api_version)
    if request.point_path is not None:
        vm = _item_in(vault, request.point_path)
        return vault, vm, _point_named(vm, request.point_path["rp"]), request.restore_request
    source = request.source_resource_id
    if not source:
        raise bad_request("UserErrorMissingSourceResourceId", "The restore request must specify 'sourceResourceId'.",
                          "properties.restoreRequest.sourceResourceId")
    vm = next((v for v in vault.items.values() if v.vm_id.lower() == source.rstrip("/").lower()), None)
    if vm is None:
        raise not_found("BMSUserErrorObjectNotFound", f"No item of vault '{vault.name}' protects '{source}'.")
    return vault, vm, _point_named(vm, request.recovery_point_id or ""), request.restore_request


def _validation_results(call: Call) -> tuple[Vault, list[dict[str, Any]]]:
    vault, vm, point, restore = _validation_request(call)
    problems = restore_problems(restore, estate=call.state.estate, vm=vm, point=point, api_version=call.api_version,
                                wrapped=False)
    return vault, validate_operation.validation_results(problems)


def validate_restore_request(call: Call) -> Response:
    """POST {vault}/backupValidateOperation: 200 with every problem of the restore request (``[]`` when valid)."""
    _, results = _validation_results(call)
    return _json(validate_operation.response_body(results))


def trigger_validate_restore_request(call: Call) -> Response:
    """POST {vault}/backupTriggerValidateOperation: the same validation as an operation; 202 with its URLs."""
    vault, results = _validation_results(call)
    run = validate_operation.ValidationRun(Operation(id=new_id(), kind="validate", start=call.now,
                                                     seconds=call.state.settings.operation_seconds),
                                           vault.key, results)
    with call.state.lock:
        call.state.validations[run.operation.id] = run
    return _empty(202, {
        "Azure-AsyncOperation": call.url(f"{vault.id}/backupValidateOperationsStatuses/{run.operation.id}"),
        "Location": call.url(f"{vault.id}/backupValidateOperationResults/{run.operation.id}"),
        "Retry-After": str(call.state.settings.retry_after)})


def _validation_run(call: Call) -> tuple[Vault, validate_operation.ValidationRun]:
    vault = _vault(call)
    with call.state.lock:
        run = call.state.validations.get(call.groups["op"].lower())
    if run is None or run.vault_key != vault.key:
        raise not_found("BMSUserErrorOperationNotFound", f"Operation '{call.groups['op']}' was not found.")
    return vault, run


def validate_operation_status(call: Call) -> Response:
    """GET {vault}/backupValidateOperationsStatuses/{op}: OperationStatus, with the results once done."""
    _, run = _validation_run(call)
    body = validate_operation.status_body(run, call.now)
    headers = {"Retry-After": str(call.state.settings.retry_after)} if body["status"] == "InProgress" else {}
    return _json(body, 200, headers)


def validate_operation_result(call: Call) -> Response:
    """GET {vault}/backupValidateOperationResults/{op}: 202 while it runs, then 200 ValidateOperationsResponse."""
    vault, run = _validation_run(call)
    if run.operation.status(call.now) == "InProgress":
        return _empty(202, {"Location": call.url(f"{vault.id}/backupValidateOperationResults/{run.operation.id}"),
                            "Retry-After": str(call.state.settings.retry_after)})
    return _json(validate_operation.response_body(run.results))


# --- jobs -----------------------------------------------------------------------------------------

_JOB_FILTER = ("status", "backupManagementType", "operation", "jobId", "startTime", "endTime")


def _job(call: Call, vault: Vault) -> Job:
    job = call.state.find_job(vault, call.groups["job"])
    if job is None:
        raise not_found("BMSUserErrorJobNotFound", f"Job '{call.groups['job']}' was not found in vault '{vault.name}'.")
    return job


def get_job(call: Call) -> Response:
    """GET {vault}/backupJobs/{job}."""
    vault = _vault(call)
    return _json(shapes.job(_job(call, vault), vault.id, call.now, call.api_version))


def list_jobs(call: Call) -> Response:
    """GET {vault}/backupJobs with $filter (operation, status, startTime, endTime, backupManagementType, jobId)."""
    vault = _vault(call)
    return _paged(call, _filtered_jobs(call, vault, call.request.args.get("$filter")))


def _filtered_jobs(call: Call, vault: Vault, text: str | None) -> list[dict[str, Any]]:
    flt = parse_filter(text, _JOB_FILTER)
    start = parse_time(flt["startTime"], "startTime") if "startTime" in flt else None
    end = parse_time(flt["endTime"], "endTime") if "endTime" in flt else None
    out = []
    for job in call.state.vault_jobs(vault):
        body = shapes.job(job, vault.id, call.now, call.api_version)
        p = body["properties"]
        if start and job.start < start or end and job.start > end:
            continue
        checks = {"status": p["status"], "operation": p["operation"],
                  "backupManagementType": p["backupManagementType"], "jobId": job.id}
        if all(checks[k].lower() == v.lower() for k, v in flt.items() if k in checks):
            out.append(body)
    return out


def cancel_job(call: Call) -> Response:
    """POST {vault}/backupJobs/{job}/cancel: 202 with Location."""
    vault = _vault(call)
    job = _job(call, vault)
    status = job.state(call.now)[0]
    if status not in ("InProgress", "Cancelling"):
        raise bad_request("BMSUserErrorJobNotCancellable",
                          f"Job '{job.id}' is {status} and cannot be cancelled.")
    op = call.state.cancel(job)
    return _empty(202, {"Location": call.url(f"{vault.id}/backupJobs/{job.id}/operationResults/{op.id}"),
                        "Retry-After": str(call.state.settings.retry_after)})


def job_operation_result(call: Call) -> Response:
    """GET {vault}/backupJobs/{job}/operationResults/{op}: 202, then 204."""
    vault = _vault(call)
    job = _job(call, vault)
    op = _operation(call, None)
    return _result_answer(call, op, call.url(f"{vault.id}/backupJobs/{job.id}/operationResults/{op.id}"))


# --- cross-region restore (passive stamp) ---------------------------------------------------------

def aad_properties(call: Call) -> Response:
    """GET {loc}/backupAadProperties."""
    region = call.groups["region"].lower()
    short = {"westus": "wus", "eastus": "eus"}.get(region, region[:3])
    props = {"tenantId": TENANT_ID, "audience": f"https://RecoveryServices/IaasCoord/aadmgmt/{short}",
             "servicePrincipalObjectId": "00000000-0000-0000-0000-000000000000",
             "servicePrincipalClientId": "262044b1-e2ce-469f-a196-69ab7ada62d3",
             "authority": "https://login.windows.net"}
    return _json({"properties": props})


def access_token(call: Call) -> Response:
    """POST {item}/recoveryPoints/{rp}/accessToken: a CRR access token for the point."""
    vault, vm = _item(call)
    point = _point(call, vm)
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict) \
            or not body["properties"].get("audience"):
        raise bad_request("BMSUserErrorInvalidInput", "The body must be the AAD properties of the secondary region.")
    token = crr_grants.grant(call.state, vm, point.name)
    props = {
        "objectType": "WorkloadCrrAccessToken", "accessTokenString": token,
        "subscriptionId": vault.subscription_id, "resourceGroupName": vault.resource_group, "resourceName": vault.name,
        "resourceId": str(_number(vault.id, 18)), "protectionContainerId": _number(vm.container, 6),
        "recoveryPointId": point.name,
        "recoveryPointTime": us_datetime(point.time),
        "containerName": f"iaasvmcontainerv2;{vm.resource_group};{vm.name}", "containerType": "IaasVMContainer",
        "backupManagementType": "AzureIaasVM", "datasourceType": "VM", "datasourceName": vm.name.lower(),
        "datasourceId": str(_number(vm.vm_id, 18)),
        "datasourceContainerName": f"iaasvmcontainerv2;{vm.resource_group};{vm.name}",
        "coordinatorServiceStampUri": "https://pod01-coord1.eus.backup.windowsazure.com",
        "protectionServiceStampId": "00000000-0000-0000-0000-000000000000",
        "protectionServiceStampUri": "https://pod01-prot1h.eus.backup.windowsazure.com",
        "rpTierInformation": dict(point.tiers), "rpOriginalSAOption": False,
        "rpIsManagedVirtualMachine": vm.managed, "rpVMSizeDescription": vm.size,
        "bMSActiveRegion": vault.location, "policyName": vm.policy,
        "policyId": f"{vault.id}/backupPolicies/{vm.policy}",
        "protectableObjectUniqueName": vm.item, "protectableObjectFriendlyName": vm.name,
    }
    return _json({"id": f"{vm.item_path}/recoveryPoints/{point.name}", "name": point.name,
                  "type": shapes.RP_TYPE, "properties": props})


def crr_trigger(call: Call) -> Response:
    """POST {loc}/backupCrossRegionRestore: checks the access token, then 202."""
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("crossRegionRestoreAccessDetails"), dict):
        raise bad_request("BMSUserErrorInvalidInput", "'crossRegionRestoreAccessDetails' is required.")
    grant = crr_grants.redeem(call.state, body["crossRegionRestoreAccessDetails"].get("accessTokenString"))
    vm, point_name = grant.vm, grant.point_name
    region = call.groups["region"].lower()
    if region != (vm.vault.secondary_region or ""):
        raise bad_request("UserErrorRestoreRegionMismatch",
                          f"Cross region restore must be sent to the secondary region '{vm.vault.secondary_region}'.")
    point = vm.point(point_name)
    assert point is not None
    plan = validate_restore(body.get("restoreRequest"), estate=call.state.estate, vm=vm, point=point,
                            api_version=call.api_version, region=region, wrapped=False)
    path = call.request.path.rsplit("/", 1)[0]
    op = call.state.start_restore(vm, plan, operation="CrossRegionRestore", scope="crr")
    return _empty(202, {"Azure-AsyncOperation": call.url(f"{path}/backupCrrOperationsStatus/{op.id}"),
                        "Location": call.url(f"{path}/backupCrrOperationResults/{op.id}"),
                        "Retry-After": str(call.state.settings.retry_after)})


def crr_status(call: Call) -> Response:
    """GET {loc}/backupCrrOperationsStatus/{op}."""
    return _status_answer(call, _operation(call, "crr"))


def crr_result(call: Call) -> Response:
    """GET {loc}/backupCrrOperationResults/{op}: 202 while running, then 200."""
    op = _operation(call, "crr")
    if op.status(call.now) == "InProgress":
        return _empty(202, {"Location": call.url(call.request.path),
                            "Retry-After": str(call.state.settings.retry_after)})
    return _empty(200)


def _crr_job_request(call: Call) -> tuple[Vault, str | None]:
    body = call.json_body()
    if not isinstance(body, dict) or not body.get("resourceId"):
        raise bad_request("BMSUserErrorInvalidInput", "'resourceId' (the vault's ARM id) is required.")
    m = re.match("^" + _V + "/?$", str(body["resourceId"]), re.I)
    vault = call.state.estate.vault(m.group("rg"), m.group("vault")) if m else None
    if vault is None or not vault.crr:
        raise not_found("ResourceNotFound", f"Vault '{body['resourceId']}' was not found or has no CRR.")
    return vault, body.get("jobName")


def crr_job(call: Call) -> Response:
    """POST {loc}/backupCrrJob {resourceId, jobName}."""
    vault, name = _crr_job_request(call)
    job = call.state.find_job(vault, name or "")
    if job is None:
        raise not_found("BMSUserErrorJobNotFound", f"Job '{name}' was not found.")
    return _json(shapes.job(job, vault.id, call.now, call.api_version))


def crr_jobs(call: Call) -> Response:
    """POST {loc}/backupCrrJobs {resourceId}: the vault's cross-region restore jobs."""
    vault, _ = _crr_job_request(call)
    jobs = [j for j in _filtered_jobs(call, vault, call.request.args.get("$filter"))
            if j["properties"]["operation"] == "CrossRegionRestore"]
    return _paged(call, jobs)


_ROUTES: list[tuple[str, str, Handler, tuple[str, ...]]] = [
    ("GET", _S + r"/providers/Microsoft\.RecoveryServices/vaults", list_vaults, versions.VAULT_VERSIONS),
    ("GET", _RG + r"/providers/Microsoft\.RecoveryServices/vaults", list_vaults, versions.VAULT_VERSIONS),
    ("GET", _V, get_vault, versions.VAULT_VERSIONS),
    ("GET", _V + r"/backupProtectedItems", list_items, BOTH),
    ("GET", _I, get_item, BACKUP),
    ("GET", _I + r"/recoveryPoints", list_points, BOTH),
    ("GET", _I + r"/recoveryPoints/(?P<rp>[^/]+)", get_point, BOTH),
    ("POST", _I + r"/recoveryPoints/(?P<rp>[^/]+)/restore", trigger_restore, BACKUP),
    ("POST", _I + r"/recoveryPoints/(?P<rp>[^/]+)/accessToken", access_token, PASSIVE),
    ("GET", _I + r"/operationsStatus/(?P<op>[^/]+)", item_operation_status, BACKUP),
    ("GET", _I + r"/operationResults/(?P<op>[^/]+)", item_operation_result, BACKUP),
    ("GET", _V + r"/backupOperations/(?P<op>[^/]+)", vault_operation_status, BACKUP),
    ("GET", _V + r"/backupOperationResults/(?P<op>[^/]+)", vault_operation_result, BACKUP),
    ("GET", _V + r"/backupJobs", list_jobs, BACKUP),
    ("GET", _V + r"/backupJobs/(?P<job>[^/]+)", get_job, BACKUP),
    ("POST", _V + r"/backupJobs/(?P<job>[^/]+)/cancel", cancel_job, BACKUP),
    ("GET", _V + r"/backupJobs/(?P<job>[^/]+)/operationResults/(?P<op>[^/]+)", job_operation_result, BACKUP),
    ("POST", _V + r"/backupValidateOperation", validate_restore_request, versions.VALIDATE_VERSIONS),
    ("POST", _V + r"/backupTriggerValidateOperation", trigger_validate_restore_request,
     versions.TRIGGER_VALIDATE_VERSIONS),
    ("GET", _V + r"/backupValidateOperationsStatuses/(?P<op>[^/]+)", validate_operation_status,
     versions.TRIGGER_VALIDATE_VERSIONS),
    ("GET", _V + r"/backupValidateOperationResults/(?P<op>[^/]+)", validate_operation_result,
     versions.TRIGGER_VALIDATE_VERSIONS),
    ("GET", _L + r"/backupAadProperties", aad_properties, PASSIVE),
    ("POST", _L + r"/backupCrossRegionRestore", crr_trigger, PASSIVE),
    ("GET", _L + r"/backupCrrOperationsStatus/(?P<op>[^/]+)", crr_status, PASSIVE),
    ("GET", _L + r"/backupCrrOperationResults/(?P<op>[^/]+)", crr_result, PASSIVE),
    ("POST", _L + r"/backupCrrJob", crr_job, PASSIVE),
    ("POST", _L + r"/backupCrrJobs", crr_jobs, PASSIVE),
    *ARM_ROUTES,
]
_ROUTES += subscriptions.ROUTES + resource_graph.ROUTES


def _reset_connection(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Reset the client's connection without an answer (what a dropping gateway does)."""
    sock = environ.get(SOCKET_KEY)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    return _empty(500)(environ, start_response)
