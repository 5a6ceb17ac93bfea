"""Recovery points: an item's list (``$filter`` on dates and move readiness) and one point."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ...arm.errors import bad_request
from ...arm.filters import parse_bool, parse_filter, parse_time
from ...arm.paging import Rendered
from ...arm.responses import json_response
from ...call import Call, Route, paged_response
from . import shapes
from .lookups import BOTH, ITEM, PASSIVE, item, point

_RP_FILTER = ("startDate", "endDate", "restorePointQueryType", "extendedInfo", "moveReadyRPOnly",
              "includeSoftDeletedRP")


def list_points(call: Call) -> Response:
    """GET {item}/recoveryPoints with an optional startDate/endDate $filter."""
    _, vm = item(call)
    flt = parse_filter(call.request.args.get("$filter"), _RP_FILTER)
    start = parse_time(flt["startDate"], "startDate") if "startDate" in flt else None
    end = parse_time(flt["endDate"], "endDate") if "endDate" in flt else None
    if start and end and start > end:
        raise bad_request("BMSUserErrorInvalidFilter", "startDate must not be after endDate.", "$filter")
    move_ready = parse_bool(flt["moveReadyRPOnly"], "moveReadyRPOnly") if "moveReadyRPOnly" in flt else False
    for key in ("extendedInfo", "includeSoftDeletedRP"):
        if key in flt:
            parse_bool(flt[key], key)
    points = [p for p in vm.points() if (start is None or p.time >= start) and (end is None or p.time <= end)
              and (not move_ready or p.move_ready)]
    # Azure's list has only the disk counts (recorded); the passive stamp, which has no GET of one point, keeps the lists
    detail = call.api_version in PASSIVE
    return paged_response(call, Rendered(points, lambda p: shapes.recovery_point(vm, p, call.api_version,
                                                                                 detail=detail)))


def get_point(call: Call) -> Response:
    """GET {item}/recoveryPoints/{rp}."""
    _, vm = item(call)
    return json_response(shapes.recovery_point(vm, point(call, vm), call.api_version))


ROUTES: list[Route] = [
    ("GET", ITEM + r"/recoveryPoints", list_points, BOTH),
    ("GET", ITEM + r"/recoveryPoints/(?P<rp>[^/]+)", get_point, BOTH),
]
