"""The URL path patterns every route table builds on, and the shape of a route.

A route is ``(method, pattern, handler, api_versions)``: the app matches ``pattern`` (a regular
expression, case-insensitive, anchored, trailing ``/`` allowed), checks the api-version against
``api_versions`` and calls ``handler`` with the request's :class:`~restorekit.emulator.app.Call`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from .app import Call

#: ``/subscriptions/{sub}``.
SUBSCRIPTION = r"/subscriptions/(?P<sub>[^/]+)"
#: ``/subscriptions/{sub}/resourceGroups/{rg}``.
RESOURCE_GROUP = SUBSCRIPTION + r"/resourceGroups/(?P<rg>[^/]+)"


Handler: TypeAlias = "Callable[[Call], Response]"
Route: TypeAlias = "tuple[str, str, Handler, tuple[str, ...]]"
