"""The fleet's views over every subscription, computed by Resource Graph: coverage, VMs at risk, protected VMs.

Each view sends one query of :mod:`restorekit.client.fleet_queries` through
:class:`~restorekit.client.resource_graph.ResourceGraph` (subscriptions in batches, pages within the user's
quota) and turns the rows into a frame of the data layer: :func:`coverage` (``coverage_frame``),
:func:`at_risk` (``risk.at_risk`` words the reasons of the rows the query scored and kept) and :func:`fleet`
(``protected_items_frame``). Rows of several batches of subscriptions are merged in the query's order.
Every frame says how it was made in ``attrs``: ``subscriptions``, ``requests``, ``batches``, ``quota_waits`` and
the ``query`` sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fleet_queries import at_risk_query, coverage_query, fleet_query
from .resource_graph import ResourceGraph

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.protocols import ArmApi


def _run(arm: ArmApi, query: str, subscriptions: list[str], limit: int | None = None
         ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    graph = ResourceGraph(arm)
    rows = graph.query(query, subscriptions, limit=limit)
    return rows, {"subscriptions": subscriptions, "requests": graph.requests, "batches": graph.batches,
                  "quota_waits": graph.quota_waits, "query": query}


def coverage(arm: ArmApi, subscriptions: list[str], *, tags: Any = None, only: Any = None) -> pd.DataFrame:
    """Every VM of ``subscriptions`` and whether a vault protects it; protected items whose VM is gone.

    Rows in the query's order: VMs no vault protects first, then items without a VM, then protected VMs, each
    by id (see :func:`restorekit.data.coverage.coverage_frame` for the columns).
    """
    from ..data.coverage import COVERAGE, coverage_frame

    rows, made = _run(arm, coverage_query(tags, only), subscriptions)
    frame = coverage_frame(rows)
    if made["batches"] > 1:  # each batch is in order; together, sorted the same way
        key = frame["item_id"].astype(object).where(frame["item_id"].notna(), frame["vm_id"].astype(object))
        rank = frame["coverage"].map({kind: n for n, kind in enumerate(COVERAGE)}).astype(int)
        frame = frame.assign(_rank=rank, _key=key).sort_values(["_rank", "_key"], kind="stable")
        frame = frame.drop(columns=["_rank", "_key"]).reset_index(drop=True)
    frame.attrs.update(made)
    return frame


def at_risk(arm: ArmApi, subscriptions: list[str], *, now: Any, rpo: Any = "1D", tolerance: Any = "2h",
            tags: Any = None, top: int | None = None, include_healthy: bool = False, **options: Any) -> pd.DataFrame:
    """The VMs at risk over ``subscriptions`` as of ``now``: scored, filtered and ranked by Resource Graph.

    Only the rows at risk come back (all of them with ``include_healthy``); ``top`` asks for the worst ``top``
    only (of each batch of subscriptions, then of all). The reasons are worded by
    :func:`restorekit.data.risk.at_risk`, from the same rules the query scored with.
    """
    import pandas as pd

    from ..data.analysis import utc_moment
    from ..data.coverage import coverage_frame
    from ..data.risk import at_risk as rank

    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        from ..core.errors import ValidationError

        raise ValidationError([f"top={top!r}: give a whole number of VMs, 1 or more (or None for all)"], "at_risk")
    moment = utc_moment(now)
    query = at_risk_query(moment.to_pydatetime(), pd.Timedelta(rpo).to_pytimedelta(),
                          pd.Timedelta(tolerance).to_pytimedelta(), tags, include_healthy)
    rows, made = _run(arm, query, subscriptions, limit=top)
    ranked = rank(coverage_frame(rows), None, rpo=rpo, tolerance=tolerance, now=moment, include_healthy=True,
                  **options)
    if top is not None:
        ranked = ranked.head(top)
    ranked.attrs.update(made)
    return ranked


def fleet(arm: ArmApi, subscriptions: list[str], *, tags: Any = None) -> pd.DataFrame:
    """Every protected VM of ``subscriptions`` (with ``tags``: whose VM has these tags), by item id."""
    from ..data.items import protected_items_frame

    rows, made = _run(arm, fleet_query(tags), subscriptions)
    frame = protected_items_frame(rows)
    if made["batches"] > 1:
        frame = frame.sort_values("item_id", key=lambda c: c.astype(object), kind="stable").reset_index(drop=True)
    frame.attrs.update(made)
    return frame
