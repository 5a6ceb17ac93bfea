"""A deleted VM's backups brought back: undelete (rehydrate) a soft-deleted protected item.

With soft delete, a protected item deleted with its data stays soft-deleted (``isScheduledForDeferredDelete``) for
14 days or more before its data is purged; its points cannot be restored until it is undeleted. :func:`undelete`
sends what ``az backup protection undelete`` sends, ``PUT {item}`` with ``isRehydrate: true`` (protection stopped,
data retained, no policy), and follows the operation to its ``Undelete`` job. :func:`soft_delete_state` reads an
item's state for messages and reprs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..core.errors import RestorekitError, SoftDeletedItem
from ..core.times import format_duration, parse_duration, parse_time
from ..transport.polling import LongRunningOperation

if TYPE_CHECKING:  # pragma: no cover
    from ..core.ids import ItemRef
    from ..core.json_values import JsonObject
    from .context import RestoreConnection

#: How long an undelete may take before restorekit stops waiting (the job goes on).
UNDELETE_TIMEOUT = 900.0


def soft_delete_state(properties: JsonObject) -> tuple[bool, timedelta | None]:
    """``(soft-deleted?, time left before the purge)`` from a protected item's properties."""
    if not properties.get("isScheduledForDeferredDelete"):
        return False, None
    return True, parse_duration(properties.get("deferredDeleteTimeRemaining"))


def refuse_if_soft_deleted(item: ItemRef, props: JsonObject, what: str = "restore") -> None:
    """Raise :class:`~restorekit.core.errors.SoftDeletedItem` saying what must happen first, when the item (its
    properties ``props`` as last read) is soft-deleted."""
    deleted, left = soft_delete_state(props)
    if not deleted:
        return
    deleted_at = parse_time(props.get("deferredDeleteTimeInUTC"))
    when = f" on {deleted_at:%Y-%m-%d %H:%M} UTC" if deleted_at else ""
    purge = f"its backup data is purged in {format_duration(left)}" if left is not None else \
        "its backup data is purged when the vault's soft delete retention ends"
    raise SoftDeletedItem(
        f"cannot {what} VM {item.vm_resource_group}/{item.vm_name}: its backup item was deleted{when} and is "
        f"soft-deleted; {purge}. Undelete it first: item.undelete() (what 'az backup protection undelete' does; "
        f"protection stays stopped, the points are kept), then {what} as usual.", purge_at=left)


def undelete(connection: RestoreConnection, item: ItemRef, props: JsonObject, *, poll_interval: float | None = None,
             timeout: float = UNDELETE_TIMEOUT, sleep: Callable[[float], Any] = time.sleep) -> str | None:
    """Undelete a soft-deleted item (its properties ``props`` as last read) through ``connection`` and wait for the
    ``Undelete`` job's operation; returns the job id."""
    if not soft_delete_state(props)[0]:
        raise RestorekitError(f"VM {item.vm_resource_group}/{item.vm_name}'s backup item is not soft-deleted "
                              "(as last read): there is nothing to undelete")
    body = {"properties": {"protectedItemType": props.get("protectedItemType") or "Microsoft.Compute/virtualMachines",
                           "protectionState": "ProtectionStopped", "policyId": "",
                           "sourceResourceId": props.get("sourceResourceId") or item.source_vm_id,
                           "isRehydrate": True}}
    arm = connection.arm
    answer = arm.request("PUT", item.path, json_body=body, ok=(200, 202))
    return LongRunningOperation.from_response(arm, answer, poll_interval=poll_interval, sleep=sleep).run(
        timeout=timeout).job_id
