"""Secrets of a cross-region restore: the CRR access token, kept out of every repr, log line and error.

:class:`CrrAccessToken` hides ``accessTokenString`` (only :meth:`CrrAccessToken.access_details` gives it, for the
request body); a :class:`~restorekit.core.redaction.Scrubber` (re-exported here) removes the token (or any
truncated copy of it) from text and JSON; a :class:`ScrubbedSession` wraps an ARM session so that answers and
errors that echo the token are scrubbed before anyone sees them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...core.errors import ArmError, TransportError
from ...core.redaction import REDACTED, Scrubber

if TYPE_CHECKING:  # pragma: no cover
    from ...core.protocols import ArmAnswer, ArmApi

__all__ = ["CrrAccessToken", "ScrubbedSession", "Scrubber"]

class ScrubbedSession:
    """An ArmSession stand-in whose answers and errors have the secret scrubbed (what polling uses)."""

    __slots__ = ("_arm", "_scrub")

    def __init__(self, arm: ArmApi, scrubber: Scrubber | None) -> None:
        self._arm = arm
        self._scrub = scrubber

    @property
    def endpoint(self) -> str:
        """The wrapped session's endpoint."""
        return self._arm.endpoint

    def url(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None) -> str:
        """The wrapped session's URL for a path."""
        return self._arm.url(path_or_url, params, api_version)

    def request(self, method: str, path_or_url: str, **kwargs: Any) -> ArmAnswer:
        """``ArmSession.request`` with the secret scrubbed from the answer or the error."""
        if self._scrub is None:
            return self._arm.request(method, path_or_url, **kwargs)
        try:
            response = self._arm.request(method, path_or_url, **kwargs)
        except (ArmError, TransportError) as exc:
            failure = self._scrub.error(exc)
        else:
            return dataclasses.replace(response, body=self._scrub.data(response.body))
        raise failure  # raised outside the except block: the original (unscrubbed) error is not chained

    def __repr__(self) -> str:
        return f"<scrubbed {self._arm!r}>"


class CrrAccessToken:
    """A CRR access token for one recovery point (the ``accessToken`` answer's ``properties``).

    ``repr``/``str`` and :meth:`redacted` hide ``accessTokenString``; only :meth:`access_details` returns it,
    for the body of the cross-region restore request. Not picklable, no ``__dict__``.
    """

    __slots__ = ("_properties",)

    def __init__(self, properties: Mapping[str, Any]) -> None:
        if not isinstance(properties, Mapping) or not properties.get("accessTokenString"):
            raise TransportError("the accessToken answer carries no accessTokenString")
        self._properties = dict(properties)

    @property
    def object_type(self) -> str:
        """``CrrAccessToken`` or ``WorkloadCrrAccessToken``."""
        return str(self._properties.get("objectType") or "CrrAccessToken")

    @property
    def recovery_point_id(self) -> str | None:
        """The recovery point the token opens."""
        return self._properties.get("recoveryPointId")

    @property
    def datasource_name(self) -> str | None:
        """The backed-up VM's name as the service knows it."""
        return self._properties.get("datasourceName")

    @property
    def active_region(self) -> str | None:
        """The vault's (primary) region, ``bMSActiveRegion``."""
        return self._properties.get("bMSActiveRegion")

    def access_details(self) -> dict[str, Any]:
        """The properties, secret included: the ``crossRegionRestoreAccessDetails`` to send. Never print it."""
        return dict(self._properties)

    def redacted(self) -> dict[str, Any]:
        """The properties with ``accessTokenString`` replaced by ``***`` (safe to show)."""
        return {**self._properties, "accessTokenString": REDACTED}

    def scrubber(self) -> Scrubber:
        """Something that removes this token from text and JSON."""
        return Scrubber(str(self._properties["accessTokenString"]))

    def __repr__(self) -> str:
        return (f"<{self.object_type} for recovery point {self.recovery_point_id} of "
                f"{self.datasource_name or '?'} (token redacted)>")

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a CRR access token is a secret and cannot be pickled")
