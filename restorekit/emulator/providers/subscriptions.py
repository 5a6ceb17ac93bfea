"""Microsoft.Resources' Subscriptions_List and Subscriptions_Get over the emulator's subscriptions.

The subscriptions' ids are ``estate.tenancy``'s (the demo one first). Requests naming any other
subscription answer 404 ``SubscriptionNotFound`` (the gateway checks it for every route with a subscription).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.paging import page
from ..arm.responses import json_response
from ..call import Call, Route
from ..estate.tenancy import TENANT_ID


def display_name(index: int) -> str:
    """The display name of the ``index``-th subscription (0-based)."""
    return "restorekit demo" if index == 0 else f"restorekit fleet {index + 1}"


def subscription(sub_id: str, index: int, api_version: str) -> dict[str, Any]:
    """A Subscription as Microsoft.Resources answers it for ``api_version``."""
    body: dict[str, Any] = {
        "id": f"/subscriptions/{sub_id}", "authorizationSource": "RoleBased", "subscriptionId": sub_id,
        "displayName": display_name(index), "state": "Enabled",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01",
                                 "spendingLimit": "Off"},
    }
    if api_version >= "2020-01-01":  # tenantId and managedByTenants arrived after 2016-06-01
        body.update({"managedByTenants": [], "tenantId": TENANT_ID, "tags": {}})
    return body


def list_subscriptions(call: Call) -> Response:
    """GET /subscriptions: every subscription of the emulator."""
    ids = call.state.subscription_ids
    values = [subscription(sub, i, call.api_version) for i, sub in enumerate(ids)]
    body = page(values, base_url=call.base_url, path=call.request.path, params={"api-version": call.api_version},
                skip_token=call.request.args.get("$skipToken"), page_size=call.state.settings.effective_page_size)
    if call.api_version >= "2020-01-01":
        body["count"] = {"type": "Total", "value": len(values)}
    return json_response(body)


def get_subscription(call: Call) -> Response:
    """GET /subscriptions/{id} (unknown ids never get here: the gateway answers SubscriptionNotFound)."""
    ids = [s.lower() for s in call.state.subscription_ids]
    index = ids.index(call.groups["sub"].lower())
    return json_response(subscription(call.state.subscription_ids[index], index, call.api_version))


ROUTES: list[Route] = [
    ("GET", r"/subscriptions", list_subscriptions, versions.SUBSCRIPTION_VERSIONS),
    ("GET", r"/subscriptions/(?P<sub>[^/]+)", get_subscription, versions.SUBSCRIPTION_VERSIONS),
]
