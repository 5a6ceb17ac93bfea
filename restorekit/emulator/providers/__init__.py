"""The providers behind the gateway, one module (or package) each; every one exports ``ROUTES``.

``backup`` (Microsoft.RecoveryServices, the Azure Backup service, one module per family of routes),
``resources`` (resource groups, locations), ``compute`` (VMs, disks, disk encryption sets), ``storage``
(storage accounts), ``network`` (virtual networks, subnets, NICs), ``subscriptions`` and
``resource_graph``. ``entra`` (the token endpoint) is not routed: the gateway asks it first, since a
token request carries no bearer token.

A new provider is one module exporting ``ROUTES`` and one line in :data:`PROVIDERS`.
"""

from __future__ import annotations

from ..call import Route
from . import backup, compute, network, resource_graph, resources, storage, subscriptions

#: Every routed provider, in the order the gateway tries their routes.
PROVIDERS = (backup, resources, compute, storage, network, subscriptions, resource_graph)

ROUTES: list[Route] = [route for provider in PROVIDERS for route in provider.ROUTES]

__all__ = ["PROVIDERS", "ROUTES"]
