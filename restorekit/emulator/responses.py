"""HTTP answers as the routes build them: a JSON body, an empty body, or one page of a list."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from .paging import page

if TYPE_CHECKING:
    from .app import Call


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``body`` as ``application/json``."""
    return Response(json.dumps(body), status=status, headers=headers or {}, content_type="application/json")


def empty_response(status: int, headers: dict[str, str] | None = None) -> Response:
    """An answer without a body (and without ``Content-Type``), e.g. a 202 or 204."""
    resp = Response(b"", status=status, headers=headers or {})
    resp.headers.pop("Content-Type", None)
    return resp


def paged_response(call: Call, items: Sequence[dict[str, Any]]) -> Response:
    """One page of ``items`` for the call's ``$skipToken``, its ``nextLink`` keeping api-version and ``$filter``."""
    params = {"api-version": call.api_version}
    if call.request.args.get("$filter") is not None:
        params["$filter"] = call.request.args["$filter"]
    body = page(items, base_url=call.base_url, path=call.request.path, params=params,
                skip_token=call.request.args.get("$skipToken"), page_size=call.state.settings.effective_page_size)
    return json_response(body)
