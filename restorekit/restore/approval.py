"""Multi-user authorization: say before sending when a vault's Resource Guard guards a call, and send the approval.

A vault linked to a Resource Guard (:mod:`restorekit.model.resource_guard`) refuses the guard's critical
operations unless the request names the guard's operation request (``resourceGuardOperationRequests``) and carries
a token of the guard's tenant in ``x-ms-authorization-auxiliary``, for someone holding a role on the guard (a
time-limited Backup MUA Operator role, given through Privileged Identity Management by the guard's owner).

:func:`guard_call` is what a call path asks before sending: nothing to do when the vault has no guard or the guard
does not protect the operation; :class:`~restorekit.core.errors.ApprovalRequired` naming the guard, its tenant and
what to ask for when it does and no :class:`Approval` was given; else the operation request and the header to send.
The token never appears in a repr, a log line, the journal or an error (it is a
:class:`~restorekit.core.secret.Secret`, scrubbed wherever it would be written).

>>> approval = rk.Approval(tenant_id=guard_tenant, credential=InteractiveBrowserCredential(tenant_id=guard_tenant))
>>> item.restore(request, approval=approval)                                                   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn

from ..core.errors import ApprovalRequired, ArmError, TransportError, ValidationError
from ..core.secret import Secret
from ..model.resource_guard import OPERATION_NAMES, ResourceGuard, read_guard
from ..transport.token_claims import identity_of

if TYPE_CHECKING:  # pragma: no cover
    from ..core.json_values import Json
    from ..core.protocols import ArmApi
    from ..transport.arm import TokenCredential

#: The header ARM reads tokens of other tenants from.
AUXILIARY_HEADER = "x-ms-authorization-auxiliary"


class Approval:
    """What approves a guarded call: a credential signed in to the Resource Guard's tenant, or a token of it.

    ``credential`` is any azure-identity credential of that tenant (``InteractiveBrowserCredential(tenant_id=…)``,
    ``AzureCliCredential(tenant_id=…)``, a service principal's); ``token`` an access token for ARM in that tenant
    (``az account get-access-token --tenant …``). ``tenant_id`` is checked against the guard's.
    """

    __slots__ = ("_credential", "_token", "tenant_id")

    def __init__(self, credential: TokenCredential | None = None, *, token: str | Secret | None = None,
                 tenant_id: str | None = None) -> None:
        if (credential is None) == (token is None):
            raise ValueError("Approval: give credential= (of the Resource Guard's tenant) or token=, one of them")
        self._credential = credential
        self._token = token if isinstance(token, Secret) or token is None else Secret(token, "an auxiliary token")
        self.tenant_id = tenant_id.lower() if tenant_id else None

    def token(self, scope: str) -> Secret:
        """A token for ``scope`` (ARM's ``…/.default``), as a :class:`Secret`."""
        if self._token is not None:
            return self._token
        return Secret(self._credential.get_token(scope).token, "an auxiliary token")

    def __repr__(self) -> str:
        source = type(self._credential).__name__ if self._credential is not None else "a token"
        return f"<Approval from {source} for tenant {self.tenant_id or 'unknown'} (token hidden)>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("an Approval holds a secret and cannot be pickled")


@dataclass(frozen=True)
class GuardedCall:
    """What a guarded call sends: the operation request (for the body) and the auxiliary header (never shown)."""

    guard: ResourceGuard | None = None
    requests: list[str] = field(default_factory=list)
    _header: Secret | None = field(default=None, repr=False)

    def headers(self) -> dict[str, str]:
        """The ``x-ms-authorization-auxiliary`` header to send (empty when the call is not guarded)."""
        return {AUXILIARY_HEADER: self._header.reveal()} if self._header is not None else {}


def approval_needed_message(guard: ResourceGuard, operation: str, vault_name: str, what: str) -> str:
    """Why a call needs an approval, naming the guard, its tenant and what to ask for."""
    tenant = guard.tenant_id or "its tenant (ask the guard's owner which one)"
    hint = guard.tenant_id or "<the guard's tenant>"
    return (f"{what} needs an approval: vault {vault_name!r} is protected by the Resource Guard {guard.name!r} "
            f"({guard.id}) in tenant {tenant}, which guards {OPERATION_NAMES.get(operation, operation)}. Nothing "
            f"was sent. Ask the Resource Guard's owner for a time-limited Backup MUA Operator role on it (through "
            f"Privileged Identity Management), activate it, then pass approval=rk.Approval(tenant_id='{hint}', "
            f"credential=<a credential of that tenant, e.g. InteractiveBrowserCredential(tenant_id='{hint}')>) "
            "(or token=<an ARM token of that tenant>)")


def guard_call(arm: ArmApi, vault_id: str, vault_name: str, operation: str, approval: Approval | None, *,
               what: str, guard: ResourceGuard | None = None) -> GuardedCall:
    """What to send for ``operation`` on the vault: nothing extra, or the guard's request and the approval's header.

    Reads the vault's guard unless ``guard`` is given. Raises ``ApprovalRequired`` (nothing sent) when the guard
    protects the operation and no approval was given, ``ValidationError`` when the approval's tenant is not the
    guard's.
    """
    guard = guard if guard is not None else read_guard(arm, vault_id)
    if guard is None or not guard.protects(operation):
        return GuardedCall()
    request = guard.request_for(operation)
    if approval is None:
        raise ApprovalRequired(approval_needed_message(guard, operation, vault_name, what), guard_id=guard.id,
                               tenant_id=guard.tenant_id, operation=operation, request=request)
    token = approval.token(f"{arm.endpoint}/.default")  # ARM's scope, in the guard's tenant
    tenant = identity_of(token.reveal()).tenant or approval.tenant_id
    if guard.tenant_id and tenant and tenant.lower() != guard.tenant_id.lower():
        raise ValidationError([f"approval: its token is for tenant {tenant}, but the Resource Guard {guard.name!r} "
                               f"is in tenant {guard.tenant_id}: get the token (or the credential) in that tenant"],
                              what="approval")
    return GuardedCall(guard, [request], Secret(f"Bearer {token.reveal()}", "an auxiliary authorization header"))


#: Codes of a refusal by multi-user authorization: ARM's linked access check, the Backup service's missing request
#: (the latter as the emulator names it; Azure's own is not documented).
GUARD_REFUSALS = frozenset({"linkedauthorizationfailed", "bmsusererrorresourceguardoperationrequestmissing"})


def mua_enabled(vault_raw: Json) -> bool | None:
    """What a vault's resource says of multi-user authorization (``securitySettings``): True, False, or None."""
    props = (vault_raw or {}).get("properties") if isinstance(vault_raw, dict) else None
    settings = props.get("securitySettings") if isinstance(props, dict) else None
    state = settings.get("multiUserAuthorization") if isinstance(settings, dict) else None
    return None if state is None else str(state).lower() == "enabled"


def restore_guard(arm: ArmApi, vault_id: str, vault_name: str, vault_raw: Json, approval: Approval | None, *,
                  what: str, operation: str) -> GuardedCall | None:
    """What to send with ``operation`` on the vault: its guard is read when the vault's resource (``vault_raw``) says
    multi-user authorization is on, or when an approval was given (then a failed read is an error); None when there
    is nothing to add (the service decides, and :func:`explain_refusal` explains its refusal)."""
    if approval is None and not mua_enabled(vault_raw):
        return None
    try:
        return guard_call(arm, vault_id, vault_name, operation, approval, what=what)
    except (ArmError, TransportError):
        if approval is not None:
            raise
        return None


def explain_refusal(exc: ArmError, arm: ArmApi, vault_id: str, vault_name: str, operation: str, *,
                    what: str) -> ApprovalRequired | None:
    """The service refused for multi-user authorization: the same refusal, naming the guard and what to ask for."""
    if exc.code.lower() not in GUARD_REFUSALS and "resource guard" not in exc.message.lower():
        return None
    try:
        guard = read_guard(arm, vault_id)
    except (ArmError, TransportError):
        guard = None
    if guard is None or not guard.protects(operation):
        return None
    message = approval_needed_message(guard, operation, vault_name, what).replace(" Nothing was sent.", "")
    return ApprovalRequired(f"the service refused: {exc.code}: {exc.message}\n{message}", guard_id=guard.id,
                            tenant_id=guard.tenant_id, operation=operation, request=guard.request_for(operation))
