"""What lower layers need of higher-layer objects, as small ``Protocol`` types (as pandas keeps its ABCs low).

A recovery point (model layer) knows the protected item it came from (client layer) only through
:class:`ProtectedItemLike`; a job knows its vault through :class:`VaultLike`; polling talks to any
:class:`ArmApi`. No module of a lower layer imports a higher one, not even for type hints.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from .ids import ItemRef


class ArmApi(Protocol):
    """An authenticated session to Azure Resource Manager (``restorekit.transport.arm.ArmSession``)."""

    endpoint: str
    api_version: str
    #: The last ``x-ms-ratelimit-remaining-subscription-reads`` seen, or None.
    remaining_reads: int | None
    #: Requests in flight at most (the connections its pool keeps).
    pool_size: int

    def request(self, method: str, path_or_url: str, **kwargs: Any) -> Any:
        """Send one request; return the decoded answer (status, headers, body)."""
        ...

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None, *,
            interactive: bool = False) -> Any:
        """GET and return the JSON body (``interactive``: a read a person waits for, answered within seconds)."""
        ...

    def probe(self, timeout: tuple[float, float] = (5.0, 10.0)) -> Any:
        """A session that sends each request once, quickly (close it after use)."""
        ...

    def post(self, path_or_url: str, json_body: Any = None, params: Mapping[str, Any] | None = None,
             api_version: str | None = None) -> Any:
        """POST once and return the whole answer."""
        ...

    def pages(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None,
              pacer: Any = None) -> Iterator[dict[str, Any]]:
        """Each page of a list call."""
        ...

    def list(self, path_or_url: str, params: Mapping[str, Any] | None = None,
             api_version: str | None = None) -> list[dict[str, Any]]:
        """Every resource of a list call."""
        ...

    def url(self, path_or_url: str, params: Mapping[str, Any] | None = None, api_version: str | None = None) -> str:
        """The absolute URL of a path, with its api-version."""
        ...


class ConnectionLike(Protocol):
    """Where restorekit talks: an ARM session and a subscription."""

    arm: ArmApi
    subscription_id: str

    @property
    def is_emulator(self) -> bool:
        """True on a local emulator."""
        ...

    @property
    def where(self) -> str:
        """Where it talks, in words."""
        ...


class VaultLike(Protocol):
    """A Recovery Services vault as the lower layers see it."""

    connection: ConnectionLike
    resource_group: str
    name: str

    @property
    def id(self) -> str:
        """The vault's ARM ID."""
        ...

    @property
    def location(self) -> str | None:
        """The vault's region."""
        ...


class ProtectedItemLike(Protocol):
    """A protected VM as the lower layers see it (the client layer's ``ProtectedItem``)."""

    vault: VaultLike
    ref: ItemRef
    raw: dict[str, Any]

    @property
    def connection(self) -> ConnectionLike:
        """The connection the item was read through."""
        ...

    @property
    def vm_name(self) -> str:
        """The protected VM's name."""
        ...

    @property
    def vm_resource_group(self) -> str:
        """The protected VM's resource group."""
        ...


class PointLike(Protocol):
    """A recovery point as the data layer reads it: its API resource and where it comes from."""

    raw: dict[str, Any]
    item: ItemRef
    region: str
    vault_location: str | None
