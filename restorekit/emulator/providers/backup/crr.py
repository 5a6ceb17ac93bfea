"""Cross-region restore (the passive stamp): AAD properties, access tokens, the restore, its operation, CRR jobs.

``POST {item}/recoveryPoints/{rp}/accessToken`` grants access to one recovery point of one VM for
``Settings.crr_token_lifetime`` seconds of the emulator's clock; ``{loc}/backupCrossRegionRestore``
redeems the token's ``accessTokenString`` (refusing a forged or an expired one) and starts the restore
in the secondary region. Its jobs are read back with ``backupCrrJob``/``backupCrrJobs``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from werkzeug.wrappers import Response

from ...arm.errors import bad_request, not_found
from ...arm.responses import empty_response, json_response
from ...call import Call, Route, paged_response
from ...clock import us_datetime
from ...estate.tenancy import TENANT_ID
from ...estate.vaults import ProtectedVM, Vault
from ...state import CrrGrant, State
from . import shapes
from .jobs import filtered_jobs
from .lookups import ITEM, LOCATION, PASSIVE, VAULT, item, point
from .operations import accepted, operation, status_answer
from .restore_jobs import start_restore
from .restore_validation import validate_restore


def grant(state: State, vm: ProtectedVM, point_name: str) -> str:
    """A new access token string for the point, valid ``crr_token_lifetime`` seconds."""
    token = secrets.token_urlsafe(48)
    expires = state.clock.now() + timedelta(seconds=state.settings.crr_token_lifetime)
    with state.lock:
        state.crr_tokens[token] = CrrGrant(vm, point_name, expires)
    return token


def redeem(state: State, token: str | None) -> CrrGrant:
    """The grant of ``token``; 400 when it is unknown or expired.

    ``UserErrorCrrAccessTokenInvalid`` and ``UserErrorCrrAccessTokenExpired`` are our guesses: the
    service's real codes for these cases are not documented anywhere we could find.
    """
    with state.lock:
        found = state.crr_tokens.get(token or "")
    if found is None:
        raise bad_request("UserErrorCrrAccessTokenInvalid",
                          "The cross region restore access token is invalid or expired. Get a new access token.")
    if found.expires_at <= state.clock.now():
        raise bad_request("UserErrorCrrAccessTokenExpired",
                          "The cross region restore access token has expired. Get a new access token from the "
                          "recovery point's accessToken API and retry.")
    return found


def _number(text: str, digits: int) -> int:
    """A stable number of ``digits`` digits from ``text`` (ids the service shows as numbers)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:16], 16) % 10**digits


def aad_properties(call: Call) -> Response:
    """GET {loc}/backupAadProperties."""
    region = call.groups["region"].lower()
    short = {"westus": "wus", "eastus": "eus"}.get(region, region[:3])
    props = {"tenantId": TENANT_ID, "audience": f"https://RecoveryServices/IaasCoord/aadmgmt/{short}",
             "servicePrincipalObjectId": "00000000-0000-0000-0000-000000000000"}
    return json_response({"properties": props})


def access_token(call: Call) -> Response:
    """POST {item}/recoveryPoints/{rp}/accessToken: a CRR access token for the point."""
    vault, vm = item(call)
    found = point(call, vm)
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict) \
            or not body["properties"].get("audience"):
        raise bad_request("BMSUserErrorInvalidInput", "The body must be the AAD properties of the secondary region.")
    token = grant(call.state, vm, found.name)
    props = {
        "objectType": "CrrAccessToken", "accessTokenString": token,
        "subscriptionId": vault.subscription_id, "resourceGroupName": vault.resource_group, "resourceName": vault.name,
        "resourceId": str(_number(vault.id, 18)), "protectionContainerId": _number(vm.container, 6),
        "recoveryPointId": found.name,
        "recoveryPointTime": us_datetime(found.time),
        "containerName": f"iaasvmcontainerv2;{vm.resource_group};{vm.name}", "containerType": "IaasVMContainer",
        "backupManagementType": "AzureIaasVM", "datasourceType": "VM", "datasourceName": vm.name.lower(),
        "datasourceId": str(_number(vm.vm_id, 18)),
        "datasourceContainerName": f"iaasvmcontainerv2;{vm.resource_group};{vm.name}",
        "coordinatorServiceStampUri": "https://pod01-coord1.eus.backup.windowsazure.com",
        "protectionServiceStampId": "00000000-0000-0000-0000-000000000000",
        "protectionServiceStampUri": "https://pod01-prot1h.eus.backup.windowsazure.com",
        "rpTierInformation": dict(found.tiers), "rpOriginalSAOption": False,
        "rpIsManagedVirtualMachine": vm.managed, "rpVMSizeDescription": vm.size,
        "bMSActiveRegion": vault.location,
    }
    return json_response({"properties": props})  # as recorded: no id, name or type


def crr_trigger(call: Call) -> Response:
    """POST {loc}/backupCrossRegionRestore: checks the access token, then 202."""
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("crossRegionRestoreAccessDetails"), dict):
        raise bad_request("BMSUserErrorInvalidInput", "'crossRegionRestoreAccessDetails' is required.")
    granted = redeem(call.state, body["crossRegionRestoreAccessDetails"].get("accessTokenString"))
    vm, point_name = granted.vm, granted.point_name
    region = call.groups["region"].lower()
    if region != (vm.vault.secondary_region or ""):
        raise bad_request("UserErrorRestoreRegionMismatch",
                          f"Cross region restore must be sent to the secondary region '{vm.vault.secondary_region}'.")
    found = vm.point(point_name)
    assert found is not None
    plan = validate_restore(body.get("restoreRequest"), estate=call.state.estate, vm=vm, point=found,
                            api_version=call.api_version, region=region, wrapped=False)
    path = call.request.path.rsplit("/", 1)[0]
    op = start_restore(call.state, vm, plan, operation="CrossRegionRestore", scope="crr")
    return accepted(call, f"{path}/backupCrrOperationsStatus/{op.id}", f"{path}/backupCrrOperationResults/{op.id}")


def crr_status(call: Call) -> Response:
    """GET {loc}/backupCrrOperationsStatus/{op}."""
    return status_answer(call, operation(call, "crr"))


def crr_result(call: Call) -> Response:
    """GET {loc}/backupCrrOperationResults/{op}: 202 while running, then 200."""
    op = operation(call, "crr")
    if op.status(call.now) == "InProgress":
        return empty_response(202, {"Location": call.url(call.request.path),
                                     "Retry-After": str(call.state.settings.retry_after)})
    return empty_response(200)


def _crr_job_request(call: Call) -> tuple[Vault, str | None]:
    body = call.json_body()
    if not isinstance(body, dict) or not body.get("resourceId"):
        raise bad_request("BMSUserErrorInvalidInput", "'resourceId' (the vault's ARM id) is required.")
    m = re.match("^" + VAULT + "/?$", str(body["resourceId"]), re.I)
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
    location = call.request.path.rsplit("/", 1)[0]  # a cross-region job's id is under the secondary region
    return json_response(shapes.job(job, vault.id, call.now, call.api_version,
                                    job_id=f"{location}/backupJobs/{job.id}"))


def crr_jobs(call: Call) -> Response:
    """POST {loc}/backupCrrJobs {resourceId}: the vault's cross-region restore jobs."""
    vault, _ = _crr_job_request(call)
    location = call.request.path.rsplit("/", 1)[0]
    jobs = [{**j, "id": f"{location}/backupJobs/{j['name']}"}
            for j in filtered_jobs(call, vault, call.request.args.get("$filter"))
            if j["properties"]["operation"] == "CrossRegionRestore"]
    return paged_response(call, jobs)


ROUTES: list[Route] = [
    ("POST", ITEM + r"/recoveryPoints/(?P<rp>[^/]+)/accessToken", access_token, PASSIVE),
    ("GET", LOCATION + r"/backupAadProperties", aad_properties, PASSIVE),
    ("POST", LOCATION + r"/backupCrossRegionRestore", crr_trigger, PASSIVE),
    ("GET", LOCATION + r"/backupCrrOperationsStatus/(?P<op>[^/]+)", crr_status, PASSIVE),
    ("GET", LOCATION + r"/backupCrrOperationResults/(?P<op>[^/]+)", crr_result, PASSIVE),
    ("POST", LOCATION + r"/backupCrrJob", crr_job, PASSIVE),
    ("POST", LOCATION + r"/backupCrrJobs", crr_jobs, PASSIVE),
]
