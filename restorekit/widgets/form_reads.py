"""What the restore form reads of Azure, all through its item: the points, a point's disks, the checks, the choices.

The form's request is a value; its reads go through the protected item it was opened for (and through it the
item's connection and its cached resource reader), never through the point. An item that is not read through a
connection (a stand-in) is checked offline and offers no choices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..restore.checking.online import Candidate, candidates

if TYPE_CHECKING:  # pragma: no cover
    from ..model.points import RecoveryPoint
    from ..restore.checking.report import CheckReport
    from ..restore.context import RestoreConnection
    from ..restore.request.builders import RestoreRequestBuilder
    from ..restore.run.operation import RestoreOperation


class FormItem(Protocol):
    """What the form needs of the VM it restores (a :class:`~restorekit.client.resources.ProtectedItem`)."""

    @property
    def vm_name(self) -> str:
        """The VM's name (typed to confirm a replace-disks restore)."""
        ...

    def recovery_points(self) -> list[RecoveryPoint]:
        """The points the picker offers."""
        ...

    def restore(self, request: RestoreRequestBuilder, *, confirm: bool = False,
                display: bool | None = None) -> RestoreOperation:
        """Send the restore (the Restore button)."""
        ...


@runtime_checkable
class LiveItem(FormItem, Protocol):
    """An item read through a connection: it checks against the live estate and reads points alone."""

    @property
    def connection(self) -> RestoreConnection:
        """The connection it was read through."""
        ...

    def check(self, request: RestoreRequestBuilder, *, online: bool = True, service: bool = False) -> CheckReport:
        """The request's problems, offline and against the live estate."""
        ...

    def with_disk_list(self, point: RecoveryPoint) -> RecoveryPoint:
        """The point with its disk list (read alone once when it came from a list)."""
        ...


class ItemReads:
    """The form's reads through ``item`` (cached by the item's connection: re-checking on each edit is cheap)."""

    def __init__(self, item: FormItem) -> None:
        self.item = item

    @property
    def online(self) -> bool:
        """True when the item is read through a connection (the form checks the live estate)."""
        return isinstance(self.item, LiveItem)

    def with_disks(self, point: RecoveryPoint) -> RecoveryPoint:
        """The point with its disk list, read alone when needed (offline: the point as it is)."""
        return self.item.with_disk_list(point) if isinstance(self.item, LiveItem) else point

    def check(self, request: RestoreRequestBuilder) -> CheckReport:
        """The request's problems and notes: against the live estate when online, else offline."""
        if isinstance(self.item, LiveItem):
            return self.item.check(request, online=True)
        return request.check()

    def choices(self, kind: str, request: RestoreRequestBuilder, virtual_network: str | None) -> list[Candidate]:
        """What the form offers for a field of ``kind`` in the restore region (none offline)."""
        if not isinstance(self.item, LiveItem):
            return []
        region = request.target_region if isinstance(request.target_region, str) else None
        reader = self.item.connection.resources(request.subscription)
        return candidates(kind, reader, region, virtual_network=virtual_network)
