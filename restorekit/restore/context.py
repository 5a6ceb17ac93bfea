"""What the restore layer needs of a connection: the client's ``Connection``, as a ``Protocol``.

Requests are values; whatever sends or reads takes the connection explicitly (checks, the trigger path, the
operation, the continuation token), and reaches through it its ARM session, its resource reader, its journal and
its frontend. Nothing in ``restore/`` reads the environment or keeps a connection in a module global.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..core.protocols import ConnectionLike

if TYPE_CHECKING:  # pragma: no cover
    from ..core.environment import Frontend
    from ..model.arm_resources import ResourceReader
    from .journal.store import Journal


class RestoreConnection(ConnectionLike, Protocol):
    """A connection as the restore layer uses it (see the module doc)."""

    #: Where the restores it starts are journaled.
    journal: Journal
    #: Live widgets or status lines.
    frontend: Frontend

    @property
    def api_version(self) -> str:
        """The Backup api-version of its calls."""
        ...

    def resources(self, subscription_id: str | None = None) -> ResourceReader:
        """Its reader of the ARM resources of a subscription (its own by default)."""
        ...
