"""The providers behind the gateway, one module (or package) each; every one exports ``ROUTES``.

``backup`` (Microsoft.RecoveryServices, the Azure Backup service, one module per family of routes),
``resources`` (resource groups, locations), ``compute`` (VMs, disks, disk encryption sets), ``storage``
(storage accounts), ``network`` (virtual networks, subnets, NICs), ``subscriptions`` and
``resource_graph``; what restore drills need besides: ``resource_groups`` (create, check, delete),
``generic_resources`` (what a subscription or group holds), ``compute_deletes``, ``vm_guest`` (instance view,
Run Command, boot diagnostics), ``network_writes`` (virtual networks, subnets, NIC deletes),
``security_groups``, and ``arm_async`` (those providers' long-running operations). Helpers without routes:
``catalog`` (every resource), ``guest`` (a VM's boot), ``console`` (its screen and serial log) and
``boot_diagnostics`` (the blobs, asked by the gateway before any ARM check). ``entra`` (the token endpoint)
is not routed either: the gateway asks it first, since a token request carries no bearer token.

A new provider is one module exporting ``ROUTES`` and one line in :data:`PROVIDERS`.
"""

from __future__ import annotations

from ..call import Route
from . import (
    arm_async,
    backup,
    compute,
    compute_deletes,
    generic_resources,
    network,
    network_writes,
    resource_graph,
    resource_groups,
    resources,
    security_groups,
    storage,
    subscriptions,
    vm_guest,
)

#: Every routed provider, in the order the gateway tries their routes.
PROVIDERS = (backup, resources, compute, storage, network, subscriptions, resource_graph,
             resource_groups, generic_resources, compute_deletes, vm_guest, network_writes, security_groups,
             arm_async)

ROUTES: list[Route] = [route for provider in PROVIDERS for route in provider.ROUTES]

__all__ = ["PROVIDERS", "ROUTES"]
