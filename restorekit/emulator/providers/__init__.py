"""The Azure Resource Manager providers a restore touches, one module each: Resources, Compute, Storage, Network.

Each module shapes its resources as the official management API does and exports ``ROUTES``.
"""

from __future__ import annotations

from ..paths import Route
from . import compute, network, resources, storage

ROUTES: list[Route] = [*resources.ROUTES, *compute.ROUTES, *storage.ROUTES, *network.ROUTES]

__all__ = ["ROUTES"]
