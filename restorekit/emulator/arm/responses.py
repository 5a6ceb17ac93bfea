"""HTTP answers as the routes build them: a JSON body, or an empty one (a page of a list: ``call.paged_response``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Response


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None,
                  default: Callable[[Any], Any] | None = None) -> Response:
    """``body`` as ``application/json`` (``default`` writes what JSON has no form for, as ``json.dumps``)."""
    return Response(json.dumps(body, default=default), status=status, headers=headers or {},
                    content_type="application/json")


def empty_response(status: int, headers: dict[str, str] | None = None) -> Response:
    """An answer without a body (and without ``Content-Type``), e.g. a 202 or 204."""
    resp = Response(b"", status=status, headers=headers or {})
    resp.headers.pop("Content-Type", None)
    return resp

