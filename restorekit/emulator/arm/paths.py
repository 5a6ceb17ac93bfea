"""The URL path patterns every route table builds on.

A route (:data:`~restorekit.emulator.call.Route`) matches one of these, extended by its provider's
path, as a regular expression (case-insensitive, anchored, trailing ``/`` allowed).
"""

from __future__ import annotations

#: ``/subscriptions/{sub}``.
SUBSCRIPTION = r"/subscriptions/(?P<sub>[^/]+)"
#: ``/subscriptions/{sub}/resourceGroups/{rg}``.
RESOURCE_GROUP = SUBSCRIPTION + r"/resourceGroups/(?P<rg>[^/]+)"
