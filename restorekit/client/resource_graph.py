"""Azure Resource Graph: the backup state of a whole fleet, over every subscription, in a few requests.

``POST /providers/Microsoft.ResourceGraph/resources`` runs a Kusto query over Resource Graph's tables:
``RecoveryServicesResources`` holds every protected item (with its protection state, health, last backup and
last recovery point) and the backup jobs of the last 14 days, ``Resources`` every VM (with its tags), across
all the subscriptions the query names. The queries of ``az.coverage()``, ``az.at_risk()`` and ``az.fleet()``
(:mod:`restorekit.client.fleet_queries`) join, filter and rank there, so only the rows asked for come back.

:class:`ResourceGraph` sends a query for up to 1,000 subscriptions at a time (Resource Graph's limit per
request), and reads its answer a page at a time (up to 1,000 rows, ``options.$top``), continued with
``$skipToken``. Resource Graph allows each user 15 queries per 5 seconds and says how many are left
(``x-ms-user-quota-remaining``, ``…-resets-after``): when none is left it waits for the window to reset
instead of drawing 429s.

>>> graph = ResourceGraph(az.arm)
>>> rows = graph.query(PROTECTED_VMS, subscriptions=[s.id for s in listed_subscriptions(az.arm)])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..core import api_versions
from ..core.errors import ArmError, TransportError
from ..transport.polling import Backoff, header

if TYPE_CHECKING:  # pragma: no cover
    from ..core.protocols import ArmApi

#: The table and type of protected Azure VMs.
PROTECTED_VMS = ("RecoveryServicesResources "
                 "| where type =~ 'microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems' "
                 "| where properties.backupManagementType =~ 'AzureIaasVM'")
#: The backup jobs Resource Graph keeps (the last 14 days).
BACKUP_JOBS = "RecoveryServicesResources | where type =~ 'microsoft.recoveryservices/vaults/backupjobs'"
#: Rows per page: Resource Graph's maximum.
PAGE_SIZE = 1000
#: Subscriptions per query (Resource Graph takes up to 1,000 per request).
SUBSCRIPTIONS_PER_QUERY = 1000


def _reset_seconds(value: str | None) -> float:
    """Seconds from ``x-ms-user-quota-resets-after`` (``hh:mm:ss``); 5 s when absent or odd."""
    try:
        hours, minutes, seconds = (float(part) for part in str(value).split(":"))
    except ValueError:
        return 5.0
    return hours * 3600 + minutes * 60 + seconds


class ResourceGraph:
    """Runs Resource Graph queries through an ARM session, page by page, within the user's quota."""

    def __init__(self, arm: ArmApi, *, page_size: int = PAGE_SIZE, sleep: Callable[[float], Any] = time.sleep
                 ) -> None:
        self.arm = arm
        self.page_size = page_size
        self.sleep = sleep
        #: Requests sent (one per page), batches of subscriptions queried, and waits for the quota window.
        self.requests = 0
        self.batches = 0
        self.quota_waits = 0

    def pages(self, query: str, subscriptions: Iterable[str], *, limit: int | None = None
              ) -> Iterator[list[dict[str, Any]]]:
        """The rows of ``query`` over ``subscriptions``, one list per page, in Resource Graph's order.

        Subscriptions are queried :data:`SUBSCRIPTIONS_PER_QUERY` at a time, one batch after the other (each
        batch in the query's own order). ``limit``: at most this many rows of each batch (the first ones: for a
        ranked query, the worst), so no page past them is asked for.
        """
        subs = list(dict.fromkeys(subscriptions))
        for start in range(0, len(subs), SUBSCRIPTIONS_PER_QUERY):
            self.batches += 1
            token: str | None = None
            left = limit
            while left is None or left > 0:
                top = self.page_size if left is None else min(self.page_size, left)
                options: dict[str, Any] = {"$top": top, "resultFormat": "objectArray"}
                if token:
                    options["$skipToken"] = token
                body = {"subscriptions": subs[start:start + SUBSCRIPTIONS_PER_QUERY], "query": query,
                        "options": options}
                answer = self._send(body)
                data = answer.body.get("data") if isinstance(answer.body, dict) else None
                if not isinstance(data, list):
                    raise TransportError(f"Resource Graph answered without rows: {str(answer.body)[:200]!r}")
                page = [row for row in data if isinstance(row, dict)]
                yield page if left is None else page[:left]
                left = None if left is None else left - len(page)
                token = answer.body.get("$skipToken") or None
                if not token:
                    break

    def query(self, query: str, subscriptions: Iterable[str], *, limit: int | None = None) -> list[dict[str, Any]]:
        """Every row of ``query`` over ``subscriptions`` (at most ``limit`` of each batch of subscriptions)."""
        return [row for page in self.pages(query, subscriptions, limit=limit) for row in page]

    def _send(self, body: dict[str, Any]) -> Any:
        backoff = Backoff()
        while True:
            try:
                answer = self.arm.request("POST", "/providers/Microsoft.ResourceGraph/resources", json_body=body,
                                          api_version=api_versions.RESOURCE_GRAPH, ok=(200,))
            except (ArmError, TransportError) as exc:  # a query is a read: sending it again is safe
                self.sleep(backoff.after_failure(exc))
                continue
            finally:
                self.requests += 1
            self._respect_quota(answer.headers)
            return answer

    def _respect_quota(self, headers: Any) -> None:
        remaining = header(headers, "x-ms-user-quota-remaining")
        if remaining is not None and str(remaining).strip().isdigit() and int(remaining) <= 0:
            self.quota_waits += 1
            self.sleep(_reset_seconds(header(headers, "x-ms-user-quota-resets-after")))

    def __repr__(self) -> str:
        return (f"<ResourceGraph via {self.arm.endpoint}: {self.requests} request(s), {self.batches} batch(es) of "
                f"subscriptions, {self.quota_waits} quota wait(s)>")
