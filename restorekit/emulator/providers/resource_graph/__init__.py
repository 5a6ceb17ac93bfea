"""Azure Resource Graph: ``POST /providers/Microsoft.ResourceGraph/resources``, a KQL query over its tables
(``RecoveryServicesResources``, ``Resources``, ``ResourceContainers``).

The body is ``{subscriptions: [...], query: "...", options: {$top, $skip, $skipToken, resultFormat}}``.
Only the emulator's subscriptions yield rows (no ``subscriptions``: all of them). The query language is
:mod:`.query`'s (parsed there, run by :mod:`.engine` with :mod:`.functions` over :mod:`.values`); the tables
are :mod:`.rows`'. Answers carry ``totalRecords``, ``count``, ``resultTruncated``, ``$skipToken`` (when more
rows follow and the query can be paged), ``data`` (``objectArray`` or ``table``) and ``facets: []``, plus the
per-user quota headers of ``graph_quota``. A query is computed once: its next pages are read from the result
its first page kept (``state.graph_cache``), which the skip token names.

As Resource Graph documents it, a query cannot be paged, and its answer has no ``$skipToken`` (but
``resultTruncated: "true"`` when rows were left out), when it contains ``take``/``limit`` (or ``top``), or
when all its columns are ``dynamic`` or null.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Response

from ...arm import versions
from ...arm.errors import ApiError, bad_request
from ...arm.paging import make_token, read_token
from ...arm.responses import json_response
from ...call import Call, Route
from ...state.graph_quota import as_duration
from .engine import Frame, run_pipeline
from .query import LIMITING, GraphQueryError, Join, Pipeline, parse
from .rows import table_reader
from .values import to_json, type_of

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


#: Resource Graph's names of KQL types in the ``table`` result format.
_TABLE_TYPES = {"string": "string", "long": "integer", "real": "number", "bool": "boolean", "datetime": "datetime",
                "timespan": "string", "dynamic": "object", "null": "string"}


@dataclass(frozen=True)
class Result:
    """A query's rows as the answer writes them, its columns with their KQL types, and whether it pages."""

    rows: list[dict[str, Any]]
    columns: list[tuple[str, str]]
    pageable: bool


def _column_type(frame: Frame, name: str) -> str:
    declared = frame.types.get(name)
    if declared is not None:
        return declared
    return next((type_of(v) for v in frame.columns[name] if v is not None), "null")


def _limited(pipeline: Pipeline) -> bool:
    """True when the query has ``take``/``limit``/``top`` anywhere (a join's right side included)."""
    return any(isinstance(op, LIMITING) or (isinstance(op, Join) and _limited(op.right)) for op in pipeline.operators)


def result_of(frame: Frame, pipeline: Pipeline) -> Result:
    """The answer's rows and columns of a computed frame (times stay Python's: the answer writes them)."""
    columns = [(name, _column_type(frame, name)) for name in frame.columns]
    pageable = not _limited(pipeline) and any(kind not in ("dynamic", "null") for _, kind in columns)
    return Result(frame.rows(), columns, pageable)


def _written(value: Any) -> Any:
    """What JSON has no form for, as Resource Graph writes it: datetimes and timespans as Kusto's text."""
    written = to_json(value)
    if written is value:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return written


def _table(result: Result, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``table`` result format: columns with their types, then rows as lists."""
    return {"columns": [{"name": name, "type": _TABLE_TYPES.get(kind, "string")} for name, kind in result.columns],
            "rows": [[row.get(name) for name, _ in result.columns] for row in rows]}


def _page_token(snapshot: str, offset: int, scope: str) -> str:
    """The skip token of the page at ``offset`` of the result kept as ``snapshot``."""
    inner = make_token(offset, f"{scope}|{snapshot}")
    return base64.urlsafe_b64encode(f"{snapshot}:{inner}".encode()).decode().rstrip("=")


def _read_page_token(token: str, scope: str) -> tuple[str, int]:
    """``(snapshot, offset)`` of a skip token; 400 ``InvalidSkipToken`` when forged or of another query."""
    try:
        snapshot, inner = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":", 1)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("InvalidSkipToken", f"The skip token '{token}' is not valid.", "$skipToken") from None
    return snapshot, read_token(inner, f"{scope}|{snapshot}")


def _invalid_query(err: GraphQueryError, headers: dict[str, str]) -> ApiError:
    detail: dict[str, Any] = {"code": "ParserFailure", "message": "ParserFailure", "line": err.line,
                              "characterPositionInLine": err.position, "token": err.token}
    if err.reason:  # the emulator's own words: Resource Graph's are not documented
        detail["message"] = f"ParserFailure: {err.reason}"
    return _bad_request([_INVALID_QUERY, detail], headers)


def query_resources(call: Call) -> Response:
    """POST /providers/Microsoft.ResourceGraph/resources."""
    headers = _quota_headers(call)
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
        raise _bad_request([{"code": "InvalidRequestContent", "message": "The request must have a 'query'."}],
                           headers)
    try:
        pipeline = parse(body["query"])
    except GraphQueryError as err:
        raise _invalid_query(err, headers) from None
    known = {s.lower() for s in call.state.subscription_ids}
    asked = body.get("subscriptions")
    scope = known if not asked else {str(s).lower() for s in asked} & known
    options = body.get("options") or {}
    top = _option(options, "$top", headers, 1, MAX_TOP) or MAX_TOP
    skip = _option(options, "$skip", headers, 0, None)
    token_scope = f"{body['query']}|{','.join(sorted(scope))}"
    cache = call.state.graph_cache
    result: Result | None = None
    snapshot, offset = "", 0
    if options.get("$skipToken"):
        snapshot, offset = _read_page_token(str(options["$skipToken"]), token_scope)
        result = cache.snapshot(snapshot)
    if result is None:  # a first page, or a snapshot gone: computed (again)
        try:
            frame = run_pipeline(pipeline, table_reader(call.state, scope), call.state.clock.now())
        except GraphQueryError as err:
            raise _invalid_query(err, headers) from None
        result = result_of(frame, pipeline)
        snapshot = ""
    if skip is not None:
        offset = skip
    rows = result.rows
    chunk = rows[offset:offset + top]
    more = offset + top < len(rows)
    answer: dict[str, Any] = {"totalRecords": len(rows), "count": len(chunk),
                              "resultTruncated": "true" if more and not result.pageable else "false"}
    if more and result.pageable:
        answer["$skipToken"] = _page_token(snapshot or cache.keep(result), offset + top, token_scope)
    fmt = str(options.get("resultFormat") or "objectArray")
    answer["data"] = _table(result, chunk) if fmt.lower() == "table" else chunk
    answer["facets"] = []
    return json_response(answer, headers=headers, default=_written)


ROUTES: list[Route] = [("POST", r"/providers/Microsoft\.ResourceGraph/resources", query_resources,
                        versions.RESOURCE_GRAPH_VERSIONS)]
