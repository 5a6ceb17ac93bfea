"""Multi-user authorization: the check a vault's critical operation passes when a Resource Guard protects it.

A vault linked to a Resource Guard (``backupResourceGuardProxies``) refuses the guard's critical operations unless
the request names the guard's operation request for it (``resourceGuardOperationRequests``, e.g.
``{guard}/triggerRestoreRequests/default``) and ARM's linked access check passes: a token of the guard's tenant in
``x-ms-authorization-auxiliary`` (``Bearer …``, several comma-separated) for a principal holding a role on the guard.
Deletions (of a protected item, of the proxy) are unlocked first with ``unlockDelete``, then done within
:data:`UNLOCK_MINUTES`.

ARM's codes are used where ARM answers (``InvalidAuthenticationToken``, ``ExpiredAuthenticationToken``,
``LinkedAuthorizationFailed``); the Backup service's own codes for a missing request or a delete not unlocked are
our guesses (no public source found).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ...arm.errors import ApiError, bad_request
from ...call import Call
from ...clock import us_datetime
from ...estate.security import CRITICAL_OPERATIONS, GuardProxy, ResourceGuard
from ...estate.tenancy import TENANT_ID
from ...estate.vaults import Vault
from ...state.access import principal_of
from ...state.tokens import IssuedToken

#: The header that carries tokens of other tenants.
AUXILIARY = "x-ms-authorization-auxiliary"
#: How long an ``unlockDelete`` lets the deletion it names happen (our guess).
UNLOCK_MINUTES = 30
#: The Backup service's code when a guarded operation names no operation request of its guard (a guess).
MISSING_REQUEST = "BMSUserErrorResourceGuardOperationRequestMissing"
#: The Backup service's code when a guarded deletion was not unlocked (a guess).
NOT_UNLOCKED = "BMSUserErrorResourceGuardDeleteNotUnlocked"


def require_approval(call: Call, vault: Vault, operation: str, requests: object) -> None:
    """Pass when ``vault``'s guard (if any) does not protect ``operation`` or approves this request; else raise."""
    proxy = vault.security.proxy
    if proxy is None or not proxy.protects(operation):
        return
    guard = proxy.guard
    needed = guard.request(operation)
    named = [r for r in requests if isinstance(r, str)] if isinstance(requests, list) else []
    if needed.lower() not in {r.lower() for r in named}:
        raise bad_request(MISSING_REQUEST,
                          f"The operation '{operation}' on vault '{vault.name}' is protected by the Resource Guard "
                          f"'{guard.id}'. Name '{needed}' in resourceGuardOperationRequests and send a token of the "
                          f"Resource Guard's tenant '{guard.tenant_id}' in the '{AUXILIARY}' header.",
                          "resourceGuardOperationRequests")
    _linked_access(call, vault, guard, operation)


def require_unlocked(call: Call, vault: Vault, operation: str, resource_id: str) -> None:
    """Pass when ``vault``'s guard does not protect the deletion ``operation`` or it was unlocked; else raise."""
    proxy = vault.security.proxy
    if proxy is None or not proxy.protects(operation):
        return
    until = proxy.unlocked.get(resource_id.lower())
    if until is not None and until > call.now:
        proxy.unlocked.pop(resource_id.lower(), None)
        return
    request = proxy.guard.request(operation)
    raise bad_request(NOT_UNLOCKED,
                      f"Deleting '{resource_id}' is protected by the Resource Guard '{proxy.guard.id}'. Call unlockDelete "
                      f"on '{vault.id}/backupResourceGuardProxies/{proxy.name}' with resourceGuardOperationRequests "
                      f"['{request}'] and resourceToBeDeleted '{resource_id}' (with a token of the tenant "
                      f"'{proxy.guard.tenant_id}' in '{AUXILIARY}'), then delete within {UNLOCK_MINUTES} minutes.")


def unlock(call: Call, vault: Vault, proxy: GuardProxy, operation: str, requests: object, resource_id: str) -> datetime:
    """Approve the deletion of ``resource_id`` (``operation``) for :data:`UNLOCK_MINUTES`; returns until when."""
    if proxy.protects(operation):
        require_approval(call, vault, operation, requests)
    until = call.now + timedelta(minutes=UNLOCK_MINUTES)
    proxy.unlocked[resource_id.lower()] = until
    return until


def _linked_access(call: Call, vault: Vault, guard: ResourceGuard, operation: str) -> None:
    """ARM's linked access check on the guard: the principal of the guard's tenant must hold a role on it."""
    caller = principal_of(call.state.tokens, call.request.headers.get("Authorization", ""))
    if guard.tenant_id.lower() == TENANT_ID:
        principal = caller
    else:
        token = _auxiliary_token(call, guard)
        if token is None:
            raise _linked_failure(caller, vault, guard, operation,
                                  f"no token of the Resource Guard's tenant '{guard.tenant_id}' was sent in the "
                                  f"'{AUXILIARY}' header")
        principal = token.object_id
    if not guard.holds_role(principal, call.now):
        raise _linked_failure(principal, vault, guard, operation,
                              "the principal holds no role on the Resource Guard (ask its owner for a time-limited "
                              "Backup MUA Operator role, through Privileged Identity Management)")


def _auxiliary_token(call: Call, guard: ResourceGuard) -> IssuedToken | None:
    """The auxiliary token of the guard's tenant; 401 for a token the emulator did not issue or that expired."""
    header = call.request.headers.get(AUXILIARY, "")
    found = None
    for part in (p.strip() for p in header.split(",") if p.strip()):
        value = part[7:].strip() if part.lower().startswith("bearer ") else ""
        token = call.state.tokens.find(value) if value else None
        if token is None:
            raise ApiError(401, "InvalidAuthenticationToken",
                           f"The access token in the '{AUXILIARY}' header is invalid.")
        if token.expires_at <= call.now:
            raise ApiError(401, "ExpiredAuthenticationToken",
                           f"The access token in the '{AUXILIARY}' header expired at "
                           f"'{us_datetime(token.expires_at)}', earlier than current UTC time '{us_datetime(call.now)}'.")
        if token.tenant.lower() == guard.tenant_id.lower():
            found = token
    return found


def _linked_failure(principal: str, vault: Vault, guard: ResourceGuard, operation: str, why: str) -> ApiError:
    kind = CRITICAL_OPERATIONS[operation]
    return ApiError(403, "LinkedAuthorizationFailed",
                    f"The client '{principal}' with object id '{principal}' has permission to perform action "
                    f"'{operation}' on scope '{vault.id}'; however, it does not have permission to perform action(s) "
                    f"'Microsoft.DataProtection/resourceGuards/{kind}/read' on the linked scope(s) "
                    f"'{guard.request(operation)}' (respectively) or the linked scope(s) are invalid: {why}.")
