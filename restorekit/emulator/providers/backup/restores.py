"""Restores (active stamp): the trigger, and the item's operation routes that follow it."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ...call import Call, Route
from ...estate.security import RESTORE
from .lookups import BACKUP, ITEM, item, live_item, point
from .mua import require_approval
from .operations import accepted, operation, result_answer, status_answer
from .restore_jobs import start_restore
from .restore_validation import validate_restore


def trigger_restore(call: Call) -> Response:
    """POST {item}/recoveryPoints/{rp}/restore: refuse a soft-deleted item, check the Resource Guard (if any),
    validate, then 202 with Azure-AsyncOperation and Location."""
    vault, vm = live_item(call)
    found = point(call, vm)
    body = call.json_body()
    props = body.get("properties") if isinstance(body, dict) else None
    require_approval(call, vault, RESTORE, props.get("resourceGuardOperationRequests") if isinstance(props, dict)
                     else None)
    plan = validate_restore(body, estate=call.state.estate, vm=vm, point=found, api_version=call.api_version)
    op = start_restore(call.state, vm, plan, scope=vm.item_path.lower())
    return accepted(call, f"{vm.item_path}/operationsStatus/{op.id}", f"{vm.item_path}/operationResults/{op.id}")


def item_operation_status(call: Call) -> Response:
    """GET {item}/operationsStatus/{op}."""
    _, vm = item(call)
    return status_answer(call, operation(call, vm.item_path.lower()))


def item_operation_result(call: Call) -> Response:
    """GET {item}/operationResults/{op}: 202 while running, then 204."""
    _, vm = item(call)
    op = operation(call, vm.item_path.lower())
    return result_answer(call, op, call.url(f"{vm.item_path}/operationResults/{op.id}"))


ROUTES: list[Route] = [
    ("POST", ITEM + r"/recoveryPoints/(?P<rp>[^/]+)/restore", trigger_restore, BACKUP),
    ("GET", ITEM + r"/operationsStatus/(?P<op>[^/]+)", item_operation_status, BACKUP),
    ("GET", ITEM + r"/operationResults/(?P<op>[^/]+)", item_operation_result, BACKUP),
]
