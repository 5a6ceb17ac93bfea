"""The service's own check of a restore request: ``POST {vault}/backupValidateOperation``.

Azure Backup validates a restore request without running it (Operation_Validate, 2026-02-01): the body is
``{id: <recovery point ID>, properties: {objectType: ValidateIaasVMRestoreOperationRequest, restoreRequest}}`` and
the answer ``{validateOperationResponse: {validationResults: [{code, message, recommendations}]}}``, empty when
the service sees nothing wrong. :func:`service_verdict` asks it; restorekit shows the answer next to its own
checks (:class:`~restorekit.restore.checking.report.CheckReport`). The secondary region has no such operation, so a
cross-region request gets a verdict that says the service could not be asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...core import api_versions
from ...core.errors import RestorekitError
from ..request.rules import Problem

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import JsonObject
    from ...core.protocols import ArmApi
    from ...model.points import RecoveryPoint


@dataclass(frozen=True)
class ServiceVerdict:
    """What the service said: ``results`` (each ``{code, message, recommendations}``), or why it was not asked."""

    results: list[JsonObject] = field(default_factory=list)
    asked: bool = True
    why_not: str = ""

    @property
    def problems(self) -> list[Problem]:
        """The service's results as problems (field ``service``, the recommendations as the fix)."""
        return [Problem("service", f"{r.get('code') or 'Unknown'}: {r.get('message') or ''}".rstrip(": "),
                        "; ".join(str(x) for x in r.get("recommendations") or []) or "see the service's message")
                for r in self.results]

    def __str__(self) -> str:
        if not self.asked:
            return f"the service was not asked: {self.why_not}"
        if not self.results:
            return "the service found no problem"
        return "the service found: " + "; ".join(str(p) for p in self.problems)


def service_verdict(point: RecoveryPoint, restore_request: JsonObject, arm: ArmApi) -> ServiceVerdict:
    """Ask the service, through ``arm``, to validate the restore of ``point`` with ``restore_request`` (a request's
    ``properties()``); nothing is restored, and a connection error is a verdict too."""
    if point.region == "secondary":
        return ServiceVerdict(asked=False, why_not="the secondary region (api-version 2018-12-20) has no validate "
                                                   "operation; restorekit's own checks still apply")
    body: JsonObject = {"id": point.id, "properties": {"objectType": "ValidateIaasVMRestoreOperationRequest",
                                                       "restoreRequest": restore_request}}
    try:
        answer = arm.post(f"{point.item.vault_id}/backupValidateOperation", json_body=body,
                          api_version=api_versions.BACKUP)
    except RestorekitError as exc:
        return ServiceVerdict(asked=False, why_not=f"the validate operation failed: {str(exc).splitlines()[0]}")
    response = answer.body.get("validateOperationResponse") if isinstance(answer.body, dict) else None
    results = response.get("validationResults") if isinstance(response, dict) else None
    return ServiceVerdict([r for r in results or [] if isinstance(r, dict)])
