"""A restore whose POST answer was lost: find the job it created instead of sending it again.

A POST may reach the service and create a restore job even when its answer is lost (a timeout, a reset
connection, a 5xx from a proxy), and an operation followed through ``Location`` alone ends without naming its
job. The POST is never repeated; :class:`LostAnswerLookup` lists the route's restore jobs of that VM started
since the POST (a little before, for clock skew) a few times, and settles on the one that restores that point.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ...core.errors import OperationFailed, RestoreNotStarted
from ...model.jobs import Job, job_matches_item, job_matches_point
from .routes import restores_since

if TYPE_CHECKING:  # pragma: no cover
    from ...model.points import PointRef
    from .routes import RestoreRoute

#: How far before the POST a job found by the lookup may have started (clock skew).
LOOKUP_MARGIN = timedelta(minutes=2)
#: Lookups (spaced by the poll interval) before concluding a lost POST created no job.
LOOKUP_ATTEMPTS = 3


class LostAnswerLookup:
    """Looks for the job a restore created, one lookup per :meth:`attempt`."""

    def __init__(self, route: RestoreRoute, point: PointRef | None, posted_at: datetime | None,
                 lost_answer: str | None) -> None:
        self.route = route
        self.point = point
        self.posted_at = posted_at or datetime.now(UTC)  # on this machine's clock
        self.lost_answer = lost_answer
        self.attempts = 0

    @property
    def since(self) -> datetime:
        """The earliest start, on the service's clock, of a job this restore may have created."""
        return self.route.connection.arm.as_server_time(self.posted_at) - LOOKUP_MARGIN

    def _why(self, vm: str) -> str:
        kind = self.route.kind_label
        if self.lost_answer:
            return f"the {kind} POST for VM {vm} got no usable answer ({self.lost_answer})"
        return f"the {kind} operation of VM {vm} did not name its job"

    def attempt(self) -> str | None:
        """One lookup: the job id when exactly one job fits, None to look again later.

        Raises ``OperationFailed`` when several jobs fit (naming them and how to attach to one), and
        ``RestoreNotStarted`` when the last lookup found none (the restore most probably did not start).
        """
        item = self.route.item
        kind = self.route.kind_label
        since = self.since
        candidates = [j for j in restores_since(self.route, since)
                      if job_matches_item(j, item.vm_name, item.container)
                      and (j.start_time is None or j.start_time >= since)]
        self.attempts += 1  # counted once the list was read: a failed lookup is looked again
        if self.point is not None and len(candidates) > 1:
            candidates = [j for j in candidates if job_matches_point(j, self.point)] or candidates
        if len(candidates) == 1:
            return candidates[0].id
        why = self._why(item.vm_name)
        if len(candidates) > 1:
            raise OperationFailed(
                f"{why}; {len(candidates)} {kind} jobs of this VM started since {since:%Y-%m-%d %H:%M:%S} UTC, so "
                f"restorekit cannot tell which is yours: {_listing(candidates)}. Attach to one with "
                f"{self.route.attach_hint('<job id>')}")
        if self.attempts >= LOOKUP_ATTEMPTS:
            raise RestoreNotStarted(
                f"{why}; no {kind} job of VM {item.vm_name} started since {since:%Y-%m-%d %H:%M:%S} UTC "
                f"({LOOKUP_ATTEMPTS} lookups), so the restore most probably did not start. Check "
                f"{self.route.jobs_hint} and trigger it again if needed")
        return None


def _listing(jobs: list[Job]) -> str:
    return "; ".join(f"{j.id} started {j.start_time:%H:%M:%S} UTC, {j.summary()}" if j.start_time
                     else f"{j.id} {j.summary()}" for j in jobs)
