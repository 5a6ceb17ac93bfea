"""The one restore path: check → confirm → duplicate check → journal → one POST → the operation that follows it.

Restores in the vault's region and cross-region restores both go through :func:`trigger`; what differs (the
token, the endpoints, the job API) is the :class:`~restorekit.restore.run.routes.RestoreRoute` plugged into it, so
both refuse, confirm and fail the same way:

1. ``route.check(request)`` runs every check through the route's connection and raises ``ValidationError``
   listing all problems;
2. a destructive request (replacing disks) needs ``confirm=True`` (``ConfirmationRequired``, nothing sent);
3. a restore of the same VM from the same point still running is refused (``DuplicateRestore`` names it);
4. what the restore may change is read (for its outcome), and the restore is journaled with its continuation
   token before anything is sent (:mod:`restorekit.restore.journal.entry`);
5. one POST (never retried once it may have reached the service); its answer, or its loss, is journaled: a lost
   answer (timeout, reset, 5xx) does not mean "not started", the operation looks for the job instead.

The request is a value: the route holds the connection, and nothing here reads the environment.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ...core.errors import ArmError, ConfirmationRequired, DuplicateRestore, RestorekitError, TransportError
from ...core.times import format_duration, format_moment
from ...model.outcome import Reads, Snapshot, take_snapshot
from ..journal.entry import JournalEntry
from .operation import RestoreOperation, operation_class
from .routes import running_restores
from .state import RestoreState

if TYPE_CHECKING:  # pragma: no cover
    from ...model.points import RecoveryPoint
    from ..request.builders import RestoreRequestBuilder
    from .routes import RestoreRoute


def trigger(request: RestoreRequestBuilder, route: RestoreRoute, *, confirm: bool = False,
            allow_duplicate: bool = False, display: bool | None = None, online_checks: bool = True,
            poll_interval: float | None = None, sleep: Callable[[float], object] | None = None,
            clock: Callable[[], float] = time.monotonic) -> RestoreOperation:
    """Check ``request``, POST the restore once through ``route``, and return a :class:`RestoreOperation` at once.

    ``request`` is a restore builder (``RestoreDisks``, ``ReplaceDisks``, ``RestoreAsNewVM``); ``route`` says where
    it goes (``item.restore(request)`` and ``crr.restore(request)`` build it). What the request names is checked
    against the live estate first (``online_checks=False`` skips that, with a warning). Replacing disks needs
    ``confirm=True``; an in-progress restore of the same VM and point is refused unless ``allow_duplicate=True``.
    ``display`` (default: the connection's frontend, inside a kernel) shows live progress, or status lines when
    headless. In a plain script (headless, no kernel) it prints status lines until the service names the job, which
    is journaled then, and returns: ``op.wait()`` prints them to the end; ``display=False`` returns at once (the
    journal's token still follows the operation: ``rk.resume``).

    >>> op = trigger(rk.RestoreDisks(point, storage_account=acct), PrimaryRoute(az, item.ref))
    >>> op.wait()
    """
    if not online_checks:
        warnings.warn("online checks skipped: the storage account, resource group, network and VM name are not "
                      "checked before sending; the service's answer will be the first check", stacklevel=3)
    request = route.check(request, online=online_checks)
    point = request.point
    item = route.item
    vm = f"{item.vm_resource_group}/{item.vm_name}"
    if request.destructive and not confirm:
        raise ConfirmationRequired(
            f"{type(request).__name__} replaces the disks of VM {vm} with those of recovery point {point.name}: "
            f"{data_loss_window(point, now=route.connection.arm.server_now())}. The VM restarts; its current disks are "
            "kept, unattached. To go ahead, pass confirm=True: item.restore(request, confirm=True)")
    if not allow_duplicate:
        duplicates = running_restores(route, point.ref)
        if duplicates:
            ids = ", ".join(f"{j.id} ({j.summary()})" for j in duplicates)
            raise DuplicateRestore(
                f"a {route.kind_label} of VM {vm} from recovery point {point.name} is already in progress: job "
                f"{ids}. Follow it with {route.attach_hint(duplicates[0].id)}, or pass allow_duplicate=True to "
                "start another one", duplicates[0].id)
    before = _snapshot(request, route) if online_checks else None
    state = RestoreState(route, point=point.ref, posted_at=datetime.now(UTC), before=before,
                         poll_interval=poll_interval, clock=clock)
    op = operation_class(route)(state, request=request, sleep=sleep)
    entry = JournalEntry.for_restore(route, request)
    entry.submitted(op)  # on disk before anything is sent
    try:
        response = route.post(request)
    except TransportError as exc:
        state.answer_lost(str(exc))
    except ArmError as exc:
        if exc.status < 500:
            entry.refused(exc)
            gone = route.point_gone(point, exc) if exc.status == 404 else None
            if gone is not None:
                raise gone from None
            raise
        state.answer_lost(str(exc))
    except RestorekitError as exc:
        entry.refused(exc)
        raise
    else:
        state.accepted(response)
    entry.posted(op)
    entry.follow(op)  # journals the job id and the final state as they become known
    frontend = route.connection.frontend
    if frontend.shows(display):
        from IPython.display import display as show

        show(op)
    elif frontend.prints_lines(display):  # a plain script: status lines until the job is named, and journaled
        op.watch_until_job()
        entry.observe(op)
    return op


def data_loss_window(point: RecoveryPoint, now: datetime | None = None) -> str:
    """What going back to ``point`` loses: ``changes since 2026-11-20 06:17 UTC (8 h 12 min ago) will be lost``.

    ``now`` is the service's (``ArmSession.server_now()``), local UTC when not given.
    """
    when = point.time
    if when is None:
        return "the changes made since the point (its time is unknown) will be lost"
    return (f"the changes made since {format_moment(when)} ({format_duration((now or datetime.now(UTC)) - when)} ago) "
            "will be lost")


def _snapshot(request: RestoreRequestBuilder, route: RestoreRoute) -> Snapshot:
    """What the restore may change, read before it is sent (see :mod:`restorekit.model.outcome`)."""
    reads = Reads.for_request(request.properties(), request.source_resource_id)
    return take_snapshot(route.connection.resources(request.subscription), reads)
