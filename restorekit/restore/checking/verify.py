"""Every check of a restore request at once, through a connection: offline, against the live estate, the service's.

:func:`verify` is what ``item.check(request, ...)`` and the trigger path run: the request's own offline checks
(nothing sent), then, through the connection it is given, what the live estate says (its resource reader,
:mod:`restorekit.restore.checking.online`) and what the service says (its validate operation,
:mod:`restorekit.restore.checking.service`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..request.rules import point_of_another_item
from .online import online_check
from .report import CheckReport
from .service import service_verdict

if TYPE_CHECKING:  # pragma: no cover
    from ...core.ids import ItemRef
    from ..context import RestoreConnection
    from ..request.builders import RestoreRequestBuilder


def verify(request: RestoreRequestBuilder, connection: RestoreConnection, *, item: ItemRef | None = None,
           online: bool = True, service: bool = False) -> CheckReport:
    """The request's problems and notes, offline and (``online``) against the live estate, and (``service``) the
    service's verdict, all read through ``connection``.

    ``item`` is the protected item the request is given to (``item.check``, ``item.restore``): a point of another
    VM is a problem found offline, and then nothing is read or asked (the request is not this item's to check).
    """
    report = request.check()
    problems, notes = list(report.problems), list(report.notes)
    other = point_of_another_item(request.point, item) if item is not None else None
    if other is not None:
        return CheckReport([other, *dict.fromkeys(problems)], notes, None, online=False)
    if online:
        found = online_check(request, connection.resources(request.subscription))
        problems += found.problems
        notes += found.notes
    verdict = service_verdict(request.point, request.properties(), connection.arm) if service else None
    return CheckReport(list(dict.fromkeys(problems)), notes, verdict, online=online)
