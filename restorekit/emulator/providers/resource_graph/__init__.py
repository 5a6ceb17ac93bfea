"""Azure Resource Graph: ``POST /providers/Microsoft.ResourceGraph/resources`` over ``RecoveryServicesResources``,
``Resources`` and ``ResourceContainers``.

The body is ``{subscriptions: [...], query: "...", options: {$top, $skip, $skipToken, resultFormat}}``.
Only the emulator's subscriptions yield rows (no ``subscriptions``: all of them). The query
language is the subset of ``query``; the rows are those of ``rows``. Answers carry
``totalRecords``, ``count``, ``resultTruncated``, ``$skipToken`` (when more rows follow),
``data`` (``objectArray`` or ``table``) and ``facets: []``, plus the per-user quota headers of
``graph_quota``.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Response

from ...arm import versions
from ...arm.errors import ApiError
from ...arm.paging import make_token, read_token
from ...arm.responses import json_response
from ...call import Call, Route
from ...state.graph_quota import as_duration
from .query import COLUMNS, GraphQueryError, parse
from .rows import TABLES

#: Rows per answer when ``$top`` is not given, and the most ``$top`` may ask for.
MAX_TOP = 1000
_INVALID_QUERY = {"code": "InvalidQuery", "message": "Query is invalid. Please refer to the documentation for the "
                                                     "Azure Resource Graph service and fix the error before retrying."}


def _support_message() -> str:
    """Resource Graph's top-level error message."""
    return (f"Please provide below info when asking for support: timestamp = {datetime.now(UTC).isoformat()}, "
            f"correlationId = {uuid.uuid4()}.")


def _bad_request(details: list[dict[str, Any]], headers: dict[str, str]) -> ApiError:
    return ApiError(400, "BadRequest", _support_message(), headers=headers, details=details)


def _quota_headers(call: Call) -> dict[str, str]:
    """Count the query against the caller's quota; 429 ``RateLimiting`` when it is used up."""
    user = hashlib.sha256(call.request.headers.get("Authorization", "").encode()).hexdigest()
    quota = call.state.graph_quota
    allowed, remaining, reset_in = quota.take(user)
    if not quota.limit:  # no quota (graph_quota=0): nothing to tell
        return {}
    headers = {"x-ms-user-quota-remaining": str(remaining), "x-ms-user-quota-resets-after": as_duration(reset_in)}
    if not allowed:
        headers["Retry-After"] = str(max(1, round(reset_in + 0.499)))
        raise ApiError(429, "RateLimiting", _support_message(), headers=headers, details=[
            {"code": "RateLimiting", "message": "Client application has been throttled and should not attempt to "
                                                "repeat the request until an amount of time has elapsed. Please "
                                                "see https://aka.ms/resourcegraph-throttling for help."}])
    return headers


def _option(options: dict[str, Any], name: str, headers: dict[str, str], low: int, high: int | None) -> int | None:
    value = options.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        # The service's exact wording for an option out of range is not documented; this is ours.
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _bad_request([{"code": "InvalidQueryOptions", "message": f"Option '{name}' must be an integer {bounds}."}],
                           headers)
    return value


def _table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``table`` result format: columns with types, then rows as lists."""
    def kind(column: str) -> str:
        values = [row.get(column) for row in rows if row.get(column) is not None]
        return "object" if values and isinstance(values[0], dict | list) else "string"

    return {"columns": [{"name": c, "type": kind(c)} for c in COLUMNS],
            "rows": [[row.get(c) for c in COLUMNS] for row in rows]}


def query_resources(call: Call) -> Response:
    """POST /providers/Microsoft.ResourceGraph/resources."""
    headers = _quota_headers(call)
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
        raise _bad_request([{"code": "InvalidRequestContent", "message": "The request must have a 'query'."}],
                           headers)
    try:
        query = parse(body["query"])
    except GraphQueryError as err:
        raise _bad_request([_INVALID_QUERY, {"code": "ParserFailure", "message": "ParserFailure", "line": err.line,
                                             "characterPositionInLine": err.position, "token": err.token}],
                           headers) from None
    known = {s.lower() for s in call.state.subscription_ids}
    asked = body.get("subscriptions")
    scope = known if not asked else {str(s).lower() for s in asked} & known
    options = body.get("options") or {}
    top = _option(options, "$top", headers, 1, MAX_TOP) or MAX_TOP
    skip = _option(options, "$skip", headers, 0, None)
    token_scope = f"{body['query']}|{','.join(sorted(scope))}"
    offset = read_token(options.get("$skipToken"), token_scope) if options.get("$skipToken") else 0
    if skip is not None:
        offset = skip
    rows = query.run(TABLES[query.table](call.state, scope))
    chunk = rows[offset:offset + top]
    answer: dict[str, Any] = {"totalRecords": len(rows), "count": len(chunk), "resultTruncated": "false"}
    if offset + top < len(rows):
        answer["$skipToken"] = make_token(offset + top, token_scope)
    fmt = str(options.get("resultFormat") or "objectArray")
    answer["data"] = _table(chunk) if fmt.lower() == "table" else chunk
    answer["facets"] = []
    return json_response(answer, headers=headers)


ROUTES: list[Route] = [("POST", r"/providers/Microsoft\.ResourceGraph/resources", query_resources,
           versions.RESOURCE_GRAPH_VERSIONS)]
