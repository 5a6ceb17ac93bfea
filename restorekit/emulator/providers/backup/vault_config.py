"""A vault's soft delete settings: ``GET``, ``PUT`` and ``PATCH {vault}/backupconfig/vaultconfig``.

Answers as recorded: ``{id, name: "vaultconfig", type, properties: {enhancedSecurityState, softDeleteFeatureState,
softDeleteRetentionPeriodInDays, isSoftDeleteFeatureStateEditable}}``. Turning soft delete off is a critical
operation when a Resource Guard protects the vault (``mua``); ``AlwaysON`` cannot be turned off; the retention is
14 to 180 days (Azure's enhanced soft delete). The codes of these refusals are our guesses.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ...arm.errors import bad_request
from ...arm.responses import json_response
from ...call import Call, Route
from ...estate.security import DISABLE_SOFT_DELETE
from ...estate.vaults import Vault
from .lookups import BACKUP, VAULT, vault
from .mua import require_approval

CONFIG_TYPE = "Microsoft.RecoveryServices/vaults/backupconfig"
SOFT_DELETE_STATES = ("Enabled", "Disabled", "AlwaysON")
SECURITY_STATES = ("Enabled", "Disabled")
#: Soft delete keeps deleted items 14 to 180 days.
RETENTION_DAYS = (14, 180)
INVALID_INPUT = "BMSUserErrorInvalidInput"


def config(v: Vault) -> dict[str, Any]:
    """The vault's BackupResourceVaultConfigResource, as recorded."""
    security = v.security
    return {"id": f"{v.id}/backupconfig/vaultconfig", "name": "vaultconfig", "type": CONFIG_TYPE,
            "properties": {"enhancedSecurityState": security.enhanced_security_state,
                           "softDeleteFeatureState": security.soft_delete_state,
                           "softDeleteRetentionPeriodInDays": security.soft_delete_days,
                           "isSoftDeleteFeatureStateEditable": True}}


def get_config(call: Call) -> Response:
    """GET {vault}/backupconfig/vaultconfig."""
    return json_response(config(vault(call)))


def update_config(call: Call) -> Response:
    """PUT or PATCH {vault}/backupconfig/vaultconfig: validate, check the guard when soft delete is turned off."""
    found = vault(call)
    body = call.json_body()
    props = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(props, dict):
        raise bad_request(INVALID_INPUT, "The request body must be an object with 'properties'.", "properties")
    security = found.security
    state = props.get("softDeleteFeatureState", security.soft_delete_state)
    enhanced = props.get("enhancedSecurityState", security.enhanced_security_state)
    days = props.get("softDeleteRetentionPeriodInDays", security.soft_delete_days)
    if state not in SOFT_DELETE_STATES:
        raise bad_request(INVALID_INPUT, f"softDeleteFeatureState must be one of {', '.join(SOFT_DELETE_STATES)}.",
                          "properties.softDeleteFeatureState")
    if enhanced not in SECURITY_STATES:
        raise bad_request(INVALID_INPUT, f"enhancedSecurityState must be one of {', '.join(SECURITY_STATES)}.",
                          "properties.enhancedSecurityState")
    if isinstance(days, bool) or not isinstance(days, int) or not RETENTION_DAYS[0] <= days <= RETENTION_DAYS[1]:
        raise bad_request(INVALID_INPUT, f"softDeleteRetentionPeriodInDays must be a whole number of days from "
                          f"{RETENTION_DAYS[0]} to {RETENTION_DAYS[1]}.", "properties.softDeleteRetentionPeriodInDays")
    if security.soft_delete_state == "AlwaysON" and state != "AlwaysON":
        raise bad_request("UserErrorSoftDeleteAlwaysOn",
                          f"Soft delete is always on for vault '{found.name}': it cannot be turned off.",
                          "properties.softDeleteFeatureState")
    weakened = (security.soft_delete and state == "Disabled") or (enhanced == "Disabled"
                                                                  and security.enhanced_security_state == "Enabled")
    if weakened:
        require_approval(call, found, DISABLE_SOFT_DELETE, props.get("resourceGuardOperationRequests"))
    with call.state.lock:
        security.soft_delete_state, security.enhanced_security_state, security.soft_delete_days = state, enhanced, days
    return json_response(config(found))


ROUTES: list[Route] = [
    ("GET", VAULT + r"/backupconfig/vaultconfig", get_config, BACKUP),
    ("PUT", VAULT + r"/backupconfig/vaultconfig", update_config, BACKUP),
    ("PATCH", VAULT + r"/backupconfig/vaultconfig", update_config, BACKUP),
]
