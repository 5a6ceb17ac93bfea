"""The one restore path: validate → confirm → duplicate check → one POST → the operation that follows it.

Restores in the vault's region and cross-region restores both go through :func:`trigger`; what differs (the
token, the endpoints, the job API) is the :class:`~restorekit.restore.routes.RestoreRoute` plugged into it, so
both refuse, confirm and fail the same way:

1. ``route.prepare(request)`` runs every check and raises ``ValidationError`` listing all problems;
2. a destructive request (replacing disks) needs ``confirm=True`` (``ConfirmationRequired``, nothing sent);
3. a restore of the same VM from the same point still running is refused (``DuplicateRestore`` names it);
4. one POST (never retried once it may have reached the service), journaled before it is sent
   (:mod:`restorekit.restore.journal_entry`), with its job id and final state once known;
5. a lost answer (timeout, reset, 5xx) does not mean "not started": the operation looks for the job instead.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..core.environment import should_display
from ..core.errors import ArmError, ConfirmationRequired, DuplicateRestore, TransportError
from ..core.times import format_duration, format_moment
from ..model.resource_guard import RESTORE
from .approval import explain_refusal, restore_guard
from .journal_entry import JournalEntry
from .online_checks import reader_of
from .operation import RestoreOperation
from .outcome import Snapshot, reads_for, take_snapshot
from .routes import PrimaryRoute, running_restores

if TYPE_CHECKING:  # pragma: no cover
    from ..core.protocols import ProtectedItemLike
    from .approval import Approval
    from .routes import RestoreRoute


def trigger(request: Any, *, item: ProtectedItemLike | None = None, route: RestoreRoute | None = None,
            confirm: bool = False, allow_duplicate: bool = False, approval: Approval | None = None,
            display: bool | None = None,
            online_checks: bool = True, poll_interval: float | None = None,
            sleep: Callable[[float], Any] | None = None, clock: Callable[[], float] = time.monotonic) -> RestoreOperation:
    """Check ``request``, POST the restore once, and return a :class:`RestoreOperation` at once.

    ``request`` is a restore builder (``RestoreDisks``, ``ReplaceDisks``, ``RestoreAsNewVM``): it needs
    ``.point``, ``.to_body()``, ``.validate()``, ``.destructive``. ``route`` says where it goes (default: the
    vault's region of ``item``, itself the point's owner by default). What the request names is checked against
    the live estate first (``online_checks=False`` skips that, with a warning). Replacing disks needs
    ``confirm=True``; an
    in-progress restore of the same VM and point is refused unless ``allow_duplicate=True``. ``display``
    (default: inside an IPython kernel) shows live progress, or status lines when headless. A vault whose Resource
    Guard protects restores needs ``approval`` (:class:`~restorekit.restore.approval.Approval`, a credential or token
    of the guard's tenant); without it ``ApprovalRequired`` names the guard, its tenant and what to ask for, before
    anything is sent.

    >>> op = trigger(rk.RestoreDisks(point, storage_account=acct))
    >>> op.wait()
    """
    if route is None:
        item = item if item is not None else getattr(request.point, "owner", None)
        if item is None:
            raise ValueError("this recovery point is not attached to a protected item: pass item=vault.vm(rg, vm), "
                             "or take the point from item.recovery_points()")
        route = PrimaryRoute(item.vault, item)
    item = route.item
    assert item is not None
    if not online_checks:
        warnings.warn("online checks skipped: the storage account, resource group, network and VM name are not "
                      "checked before sending; the service's answer will be the first check", stacklevel=2)
    request = route.prepare(request, online=online_checks)
    point = request.point
    vm = f"{item.vm_resource_group}/{item.vm_name}"
    if getattr(request, "destructive", False) and not confirm:
        raise ConfirmationRequired(
            f"{type(request).__name__} replaces the disks of VM {vm} with those of recovery point {point.name}: "
            f"{data_loss_window(point, now=route.vault.connection.arm.server_now())}. The VM restarts; its current disks are kept, unattached. To go ahead, "
            "pass confirm=True: item.restore(request, confirm=True)")
    if not allow_duplicate:
        duplicates = running_restores(route, point)
        if duplicates:
            ids = ", ".join(f"{j.id} ({j.summary()})" for j in duplicates)
            raise DuplicateRestore(
                f"a {route.kind_label} of VM {vm} from recovery point {point.name} is already in progress: job "
                f"{ids}. Follow it with {route.attach_hint(duplicates[0].id)}, or pass allow_duplicate=True to "
                "start another one", duplicates[0].id)
    if isinstance(route, PrimaryRoute):  # multi-user authorization: say it before sending, send the approval
        route.guard = restore_guard(route.vault, approval, what=f"the restore of VM {vm}", operation=RESTORE)
    options: dict[str, Any] = {"poll_interval": poll_interval, "clock": clock, "request": request, "point": point,
                               "posted_at": datetime.now(UTC)}
    if sleep is not None:
        options["sleep"] = sleep
    operation_class = route.operation_class or RestoreOperation
    options["before"] = _snapshot(request) if online_checks else None
    entry = JournalEntry.for_restore(route, request)
    try:
        response = entry.post(request)  # journaled before it is sent; a refusal is journaled too
    except TransportError as exc:
        op = operation_class(route, lost_answer=str(exc), **options)
    except ArmError as exc:
        if exc.status == 404 and (gone := route.point_gone(point, exc)) is not None:
            raise gone from None
        if exc.status in (400, 401, 403) and isinstance(route, PrimaryRoute) and (
                refused := explain_refusal(exc, route.vault, RESTORE, what=f"the restore of VM {vm}")) is not None:
            raise refused from None
        if exc.status < 500:
            raise
        op = operation_class(route, lost_answer=str(exc), **options)
    else:
        op = operation_class(route, initial=response, **options)
    entry.follow(op)  # journals the job id and the final state as they become known
    if should_display(display):
        from IPython.display import display as show

        show(op)
    return op


def data_loss_window(point: Any, now: datetime | None = None) -> str:
    """What going back to ``point`` loses: ``changes since 2026-11-20 06:17 UTC (8 h 12 min ago) will be lost``.

    ``now`` is the service's (``ArmSession.server_now()``), local UTC when not given.
    """
    when = getattr(point, "time", None)
    if when is None:
        return "the changes made since the point (its time is unknown) will be lost"
    return (f"the changes made since {format_moment(when)} ({format_duration((now or datetime.now(UTC)) - when)} ago) "
            "will be lost")


def _snapshot(request: Any) -> Snapshot | None:
    """What the restore may change, read before it is sent (see :mod:`restorekit.restore.outcome`)."""
    try:
        reader = reader_of(request)
    except LookupError:
        return None
    return take_snapshot(reader, reads_for(request))
