"""A vault's Resource Guard proxies (multi-user authorization): list, get, put, delete, unlockDelete.

``GET {vault}/backupResourceGuardProxies`` answers ``{"value": [...]}`` (recorded: ``{"value": []}`` for a vault
without one); a proxy is ``{id, name, type, properties: {resourceGuardResourceId, resourceGuardOperationDetails:
[{vaultCriticalOperation, defaultResourceRequest}], lastUpdatedTime, description}}``, its id the ARM id under the
vault (the spec's examples write ``/backupmanagement/resources/{vault}/…``, not an ARM id). A vault has one proxy
(the Azure CLI names it ``VaultProxy``); its guard must be one the emulator knows (``estate.resource_guards``).
Deleting the proxy is itself a critical operation: ``unlockDelete`` first.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ...arm import versions
from ...arm.errors import ApiError, bad_request, not_found
from ...arm.responses import empty_response, json_response
from ...call import Call, Route
from ...clock import iso
from ...estate.security import DELETE_PROTECTION, DELETE_PROXY, GuardProxy
from ...estate.vaults import Vault
from .lookups import VAULT, item_in, vault
from .mua import require_unlocked, unlock
from .vault_config import INVALID_INPUT

PROXY_TYPE = "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies"
PROXY = VAULT + r"/backupResourceGuardProxies/(?P<proxy>[^/]+)"
#: The guard's codes when the proxy or the guard is unknown (our guesses).
PROXY_NOT_FOUND = "BMSUserErrorResourceGuardProxyNotFound"
GUARD_NOT_FOUND = "BMSUserErrorResourceGuardNotFound"


def proxy_body(v: Vault, proxy: GuardProxy) -> dict[str, Any]:
    """A ResourceGuardProxyBaseResource."""
    guard = proxy.guard
    details = [{"vaultCriticalOperation": op, "defaultResourceRequest": guard.request(op)} for op in guard.operations]
    return {"id": f"{v.id}/backupResourceGuardProxies/{proxy.name}", "name": proxy.name, "type": PROXY_TYPE,
            "properties": {"resourceGuardResourceId": guard.id, "resourceGuardOperationDetails": details,
                           "lastUpdatedTime": iso(proxy.updated_at), "description": guard.description}}


def _proxy(call: Call, v: Vault) -> GuardProxy:
    proxy = v.security.proxy
    if proxy is None or proxy.name.lower() != call.groups["proxy"].lower():
        raise not_found(PROXY_NOT_FOUND, f"Resource guard proxy '{call.groups['proxy']}' was not found in vault "
                                         f"'{v.name}'.")
    return proxy


def list_proxies(call: Call) -> Response:
    """GET {vault}/backupResourceGuardProxies."""
    found = vault(call)
    proxy = found.security.proxy
    return json_response({"value": [proxy_body(found, proxy)] if proxy else []})


def get_proxy(call: Call) -> Response:
    """GET {vault}/backupResourceGuardProxies/{proxy}."""
    found = vault(call)
    return json_response(proxy_body(found, _proxy(call, found)))


def put_proxy(call: Call) -> Response:
    """PUT {vault}/backupResourceGuardProxies/{proxy}: link the vault to a Resource Guard."""
    found = vault(call)
    body = call.json_body()
    props = body.get("properties") if isinstance(body, dict) else None
    guard_id = props.get("resourceGuardResourceId") if isinstance(props, dict) else None
    if not isinstance(guard_id, str) or not guard_id:
        raise bad_request(INVALID_INPUT, "properties.resourceGuardResourceId is required.",
                          "properties.resourceGuardResourceId")
    guard = call.state.estate.resource_guards.get(guard_id.lower())
    if guard is None:
        raise bad_request(GUARD_NOT_FOUND, f"The Resource Guard '{guard_id}' was not found, or the vault's identity "
                                           "cannot read it.", "properties.resourceGuardResourceId")
    name = call.groups["proxy"]
    with call.state.lock:
        current = found.security.proxy
        if current is not None and current.name.lower() != name.lower():
            raise bad_request(INVALID_INPUT, f"Vault '{found.name}' is already linked to a Resource Guard through "
                                             f"'{current.name}'.")
        found.security.proxy = GuardProxy(current.name if current else name, guard, call.now)
        return json_response(proxy_body(found, found.security.proxy))


def delete_proxy(call: Call) -> Response:
    """DELETE {vault}/backupResourceGuardProxies/{proxy}: 200 once unlocked (204 when there is none)."""
    found = vault(call)
    proxy = found.security.proxy
    if proxy is None or proxy.name.lower() != call.groups["proxy"].lower():
        return empty_response(204)
    require_unlocked(call, found, DELETE_PROXY, f"{found.id}/backupResourceGuardProxies/{proxy.name}")
    with call.state.lock:
        found.security.proxy = None
    return empty_response(200)


def unlock_delete(call: Call) -> Response:
    """POST {vault}/backupResourceGuardProxies/{proxy}/unlockDelete: allow one deletion for a while."""
    found = vault(call)
    proxy = _proxy(call, found)
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("resourceToBeDeleted"), str):
        raise bad_request(INVALID_INPUT, "resourceToBeDeleted is required.", "resourceToBeDeleted")
    target = body["resourceToBeDeleted"]
    proxy_id = f"{found.id}/backupResourceGuardProxies/{proxy.name}"
    if target.lower() == proxy_id.lower():
        operation = DELETE_PROXY
    else:
        item_path = _item_path_in(found, target)
        if item_path is None:
            raise bad_request(INVALID_INPUT, f"resourceToBeDeleted '{target}' is neither a protected item of vault "
                                             f"'{found.name}' nor its Resource Guard proxy.", "resourceToBeDeleted")
        operation, target = DELETE_PROTECTION, item_path
    until = unlock(call, found, proxy, operation, body.get("resourceGuardOperationRequests"), target)
    return json_response({"unlockDeleteExpiryTime": iso(until)})


def _item_path_in(v: Vault, rid: str) -> str | None:
    """The protected item of ``v`` that ``rid`` names (its ARM id), or None."""
    head = f"{v.id}/backupFabrics/".lower()
    if not rid.lower().startswith(head):
        return None
    parts = rid[len(head):].split("/")
    if len(parts) != 5 or parts[1].lower() != "protectioncontainers" or parts[3].lower() != "protecteditems":
        return None
    try:
        vm = item_in(v, {"fabric": parts[0], "container": parts[2], "item": parts[4]})
    except ApiError:  # not an item of this vault
        return None
    return vm.item_path


ROUTES: list[Route] = [
    ("GET", VAULT + r"/backupResourceGuardProxies", list_proxies, versions.RESOURCE_GUARD_VERSIONS),
    ("GET", PROXY, get_proxy, versions.RESOURCE_GUARD_VERSIONS),
    ("PUT", PROXY, put_proxy, versions.RESOURCE_GUARD_VERSIONS),
    ("DELETE", PROXY, delete_proxy, versions.RESOURCE_GUARD_VERSIONS),
    ("POST", PROXY + r"/unlockDelete", unlock_delete, versions.RESOURCE_GUARD_VERSIONS),
]
