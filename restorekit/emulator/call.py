"""One request being answered (:class:`Call`), what a route is, and the answers that depend on the call.

The gateway matches a route ``(method, pattern, handler, api_versions)``, checks the api-version and
calls ``handler(call)``; every handler of every provider takes a :class:`Call` and returns a werkzeug
``Response`` (or raises :class:`~restorekit.emulator.arm.errors.ApiError`). A call carries the
emulator's :class:`~restorekit.emulator.state.State`, so it sits above the state and below the providers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeAlias
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from .arm.errors import bad_request
from .arm.paging import page
from .arm.responses import json_response
from .state import State


class Call:
    """One request being answered: the parsed request, the route's path groups and the state."""

    def __init__(self, request: Request, groups: dict[str, str], state: State, api_version: str, base_url: str):
        self.request = request
        self.groups = groups
        self.state = state
        self.api_version = api_version
        self.base_url = base_url

    @property
    def now(self) -> datetime:
        """The clock's now."""
        return self.state.clock.now()

    def json_body(self) -> Any:
        """The request body as JSON; 400 ``InvalidRequestContent`` when it does not parse."""
        raw = self.request.get_data(cache=True)
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise bad_request("InvalidRequestContent",
                              "The request content was invalid and could not be deserialized.") from None

    def url(self, path: str, api_version: str | None = None) -> str:
        """An absolute URL on this server for ``path`` with the api-version."""
        return f"{self.base_url}{quote(path, safe='/;=,')}?api-version={api_version or self.api_version}"


#: What answers a route: ``handler(call) -> Response``.
Handler: TypeAlias = Callable[[Call], Response]
#: ``(method, pattern, handler, api_versions)``: the pattern is matched case-insensitively, anchored, with an
#: optional trailing ``/``; the request's api-version must be one of ``api_versions``.
Route: TypeAlias = tuple[str, str, Handler, tuple[str, ...]]


def paged_response(call: Call, items: Sequence[dict[str, Any]]) -> Response:
    """One page of ``items`` for the call's ``$skipToken``, its ``nextLink`` keeping api-version and ``$filter``."""
    params = {"api-version": call.api_version}
    if call.request.args.get("$filter") is not None:
        params["$filter"] = call.request.args["$filter"]
    body = page(items, base_url=call.base_url, path=call.request.path, params=params,
                skip_token=call.request.args.get("$skipToken"), page_size=call.state.settings.effective_page_size)
    return json_response(body)
