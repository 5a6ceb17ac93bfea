"""Every check of a restore request at once, through a connection: offline, against the live estate, the service's.

:func:`verify` is what ``item.check(request, ...)`` and the trigger path run: the request's own offline checks
(nothing sent), then, through the connection it is given, what the live estate says (its resource reader,
:mod:`restorekit.restore.checking.online`) and what the service says (its validate operation,
:mod:`restorekit.restore.checking.service`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .online import online_check
from .report import CheckReport
from .service import service_verdict

if TYPE_CHECKING:  # pragma: no cover
    from ..context import RestoreConnection
    from ..request.builders import RestoreRequestBuilder


def verify(request: RestoreRequestBuilder, connection: RestoreConnection, *, online: bool = True,
           service: bool = False) -> CheckReport:
    """The request's problems and notes, offline and (``online``) against the live estate, and (``service``) the
    service's verdict, all read through ``connection``."""
    report = request.check()
    problems, notes = list(report.problems), list(report.notes)
    if online:
        found = online_check(request, connection.resources(request.subscription))
        problems += found.problems
        notes += found.notes
    verdict = service_verdict(request.point, request.properties(), connection.arm) if service else None
    return CheckReport(list(dict.fromkeys(problems)), notes, verdict, online=online)
