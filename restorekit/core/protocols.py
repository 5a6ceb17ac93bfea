"""What lower layers need of higher-layer objects, as small ``Protocol`` types (as pandas keeps its ABCs low).

Polling, jobs and resource reads talk to any :class:`ArmApi` (``transport.arm.ArmSession``) and read its answers
as :class:`ArmAnswer`; what they need of the client's connection is :class:`ConnectionLike`; the data layer reads
points as :class:`PointLike`; a reader of many items at once (the inventory) reads them as
:class:`ProtectedItemLike`. No module of a lower layer imports a higher one, not even for type hints.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from .ids import ItemRef
    from .json_values import Json, JsonObject


class ArmAnswer(Protocol):
    """One answer of ARM: status, headers and the decoded JSON body (``transport.arm.ArmResponse``)."""

    status: int
    headers: Mapping[str, str]
    body: Json


class ArmApi(Protocol):
    """An authenticated session to Azure Resource Manager (``restorekit.transport.arm.ArmSession``)."""

    endpoint: str
    api_version: str
    #: The last ``x-ms-ratelimit-remaining-subscription-reads`` seen, or None.
    remaining_reads: int | None
    #: Requests in flight at most (the connections its pool keeps).
    pool_size: int

    def request(self, method: str, path_or_url: str, **kwargs: Any) -> ArmAnswer:
        """Send one request; return the decoded answer (status, headers, body)."""
        ...

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None, *,
            interactive: bool = False) -> Json:
        """GET and return the JSON body (``interactive``: a read a person waits for, answered within seconds)."""
        ...

    def probe(self, timeout: tuple[float, float] = (5.0, 10.0)) -> ArmApi:
        """A session that sends each request once, quickly (close it after use)."""
        ...

    def post(self, path_or_url: str, json_body: Json = None, params: Mapping[str, Any] | None = None,
             api_version: str | None = None) -> ArmAnswer:
        """POST once and return the whole answer."""
        ...

    def pages(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None,
              pacer: Any = None) -> Iterator[JsonObject]:
        """Each page of a list call."""
        ...

    def list(self, path_or_url: str, params: Mapping[str, Any] | None = None,
             api_version: str | None = None) -> list[JsonObject]:
        """Every resource of a list call."""
        ...

    def url(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None) -> str:
        """The absolute URL of a path, with its api-version."""
        ...

    def close(self) -> None:
        """Close the session's connections."""
        ...

    def server_now(self) -> datetime:
        """Now, by the service's clock (its last ``Date``)."""
        ...

    def as_server_time(self, moment: datetime) -> datetime:
        """A moment of this machine's clock on the service's clock."""
        ...


class ConnectionLike(Protocol):
    """Where restorekit talks: an ARM session and a subscription (the client's ``Connection``)."""

    arm: ArmApi
    subscription_id: str

    @property
    def endpoint(self) -> str:
        """The Resource Manager endpoint."""
        ...

    @property
    def is_emulator(self) -> bool:
        """True on a local emulator."""
        ...

    @property
    def where(self) -> str:
        """Where it talks, in words."""
        ...

    def portal_url(self, resource_id: str) -> str | None:
        """The Azure portal's page of a resource (None off Azure)."""
        ...


class VaultLike(Protocol):
    """A Recovery Services vault as the lower layers name it (the client's ``Vault``)."""

    name: str
    resource_group: str

    @property
    def id(self) -> str:
        """The vault's ARM ID."""
        ...


class ProtectedItemLike(Protocol):
    """A protected VM as a reader of many of them sees it (the client's ``ProtectedItem``): its names, its vault and
    the connection it is read through."""

    vault: VaultLike
    ref: ItemRef

    @property
    def connection(self) -> ConnectionLike:
        """The connection the item was read through."""
        ...

    @property
    def vm_name(self) -> str:
        """The protected VM's name."""
        ...


class PointLike(Protocol):
    """A recovery point as the data layer reads it: its API resource and where it comes from."""

    raw: JsonObject
    item: ItemRef
    region: str
    vault_location: str | None
