"""ARM errors as the emulator raises and renders them: ``{"error": {code, message, target?, details}}``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApiError(Exception):
    """An error answer: HTTP status, ARM code and message, optional target and extra headers.

    Raise it anywhere below the request handler; the app renders it as the ARM error envelope.
    """

    status: int
    code: str
    message: str
    target: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    details: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def envelope(self) -> dict[str, Any]:
        """The JSON body: ``{"error": {...}}`` with ``details`` always present."""
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            err["target"] = self.target
        err["details"] = list(self.details)
        return {"error": err}


def bad_request(code: str, message: str, target: str | None = None) -> ApiError:
    """A 400 with the given ARM code."""
    return ApiError(400, code, message, target)


def not_found(code: str, message: str) -> ApiError:
    """A 404 with the given ARM code."""
    return ApiError(404, code, message)


def resource_not_found(resource_type: str, name: str, resource_group: str) -> ApiError:
    """ARM's 404 ``ResourceNotFound`` for a resource missing from an existing resource group."""
    return not_found("ResourceNotFound",
                     f"The Resource '{resource_type}/{name}' under resource group '{resource_group}' was not found. "
                     "For more details please go to https://aka.ms/ARMResourceNotFoundFix")


def resource_group_not_found(name: str) -> ApiError:
    """ARM's 404 ``ResourceGroupNotFound``, for the group itself or anything addressed inside it."""
    return not_found("ResourceGroupNotFound", f"Resource group '{name}' could not be found.")


def authorization_failed(principal: str, action: str, scope: str) -> ApiError:
    """ARM's 403 ``AuthorizationFailed``: ``principal`` may not perform ``action`` over ``scope``."""
    return ApiError(403, "AuthorizationFailed",
                    f"The client '{principal}' with object id '{principal}' does not have authorization to perform "
                    f"action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, "
                    "please refresh your credentials.")
