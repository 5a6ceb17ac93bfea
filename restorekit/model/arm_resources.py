"""The Azure resources a restore names or touches, read from ARM: storage accounts, resource groups, networks,
VMs and their disks, and the zones of a region.

A :class:`ResourceReader` belongs to one connection (``connection.resources()``: no registry outlives it) and
caches what it reads for a short while (30 s), so a form that re-checks on every keystroke does not flood ARM;
``fresh=True`` reads again (before and after a restore).
Each resource comes back as ARM's JSON (a dict) and ``None`` when ARM says 404.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core import api_versions
from ..core.errors import ArmError
from ..core.ids import is_resource_group_id, resource_group_of, scope_path
from ..core.regions import norm_region

if TYPE_CHECKING:  # pragma: no cover
    from ..core.protocols import ArmApi

#: How long a read stays fresh (seconds).
CACHE_SECONDS = 30.0

@dataclass(frozen=True)
class Located:
    """A resource's name, resource group, region and ARM ID, and its raw JSON."""

    id: str
    name: str
    resource_group: str
    location: str
    raw: dict[str, Any]

    @property
    def label(self) -> str:
        """How a person names it: ``group/name``, or the name alone for a resource group itself."""
        is_group = is_resource_group_id(self.id)
        return self.name if is_group or not self.resource_group else f"{self.resource_group}/{self.name}"


def _located(raw: dict[str, Any]) -> Located:
    rid = str(raw.get("id") or "")
    return Located(rid, str(raw.get("name") or ""), resource_group_of(rid) or "", norm_region(raw.get("location")),
                   raw)


class ResourceReader:
    """Reads (and briefly caches) the resources of one subscription through one ARM session."""

    def __init__(self, arm: ArmApi, subscription_id: str, *, ttl: float = CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.arm = arm
        self.subscription_id = subscription_id
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self.reads = 0

    def _cached(self, key: tuple[str, str], read: Callable[[], Any], fresh: bool) -> Any:
        now = self.clock()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and not fresh and now - hit[0] < self.ttl:
            return hit[1]
        value = read()
        self.reads += 1
        with self._lock:
            self._cache[key] = (self.clock(), value)
        return value

    def _get(self, path: str, api_version: str, fresh: bool = False) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            try:
                body = self.arm.get(path, api_version=api_version)
            except ArmError as exc:
                if exc.status == 404:
                    return None
                raise
            return body if isinstance(body, dict) else None

        return self._cached(("get", path.lower()), read, fresh)

    def _list(self, path: str, api_version: str, fresh: bool = False) -> list[Located]:
        return self._cached(("list", path.lower()), lambda: [_located(r) for r in self.arm.list(
            path, api_version=api_version) if isinstance(r, dict)], fresh)

    def _path(self, provider_type: str = "", resource_group: str | None = None) -> str:
        return scope_path(self.subscription_id, resource_group, provider_type)

    # -- one resource ----------------------------------------------------------------------------------------
    def get(self, resource_id: str, *, fresh: bool = False) -> dict[str, Any] | None:
        """Any of the resources below by ARM ID (None when ARM says 404), with the right api-version."""
        return self._get(resource_id, api_version_for(resource_id), fresh)

    # -- lists -----------------------------------------------------------------------------------------------
    def resource_groups(self, *, fresh: bool = False) -> list[Located]:
        """The subscription's resource groups."""
        return self._list(f"{self._path()}/resourcegroups", api_versions.RESOURCE_GROUPS, fresh)

    def storage_accounts(self, *, fresh: bool = False) -> list[Located]:
        """The subscription's storage accounts."""
        return self._list(self._path("Microsoft.Storage/storageAccounts"), api_versions.STORAGE, fresh)

    def virtual_networks(self, *, fresh: bool = False) -> list[Located]:
        """The subscription's virtual networks (subnets inline in each ``raw``)."""
        return self._list(self._path("Microsoft.Network/virtualNetworks"), api_versions.NETWORK, fresh)

    def virtual_machines(self, resource_group: str | None = None, *, fresh: bool = False) -> list[Located]:
        """The VMs of a resource group, or of the subscription."""
        return self._list(self._path("Microsoft.Compute/virtualMachines", resource_group), api_versions.COMPUTE, fresh)

    def disks(self, resource_group: str, *, fresh: bool = False) -> list[Located]:
        """The managed disks of a resource group."""
        return self._list(self._path("Microsoft.Compute/disks", resource_group), api_versions.DISKS, fresh)

    def network_interfaces(self, resource_group: str, *, fresh: bool = False) -> list[Located]:
        """The network interfaces of a resource group."""
        return self._list(self._path("Microsoft.Network/networkInterfaces", resource_group), api_versions.NETWORK,
                          fresh)

    def zones(self, region: str) -> list[str] | None:
        """The availability zones a region offers (``[]`` for none), None when the subscription does not list it."""
        locations = self._cached(("list", "locations"), lambda: self.arm.list(
            f"{self._path()}/locations", api_version=api_versions.LOCATIONS), False)
        for location in locations:
            if isinstance(location, dict) and norm_region(location.get("name")) == norm_region(region):
                mappings = location.get("availabilityZoneMappings")
                if isinstance(mappings, list):
                    return sorted(str(m.get("logicalZone")) for m in mappings if isinstance(m, dict))
                return []  # ARM lists no zone mapping for a region without zones
        return None


def api_version_for(resource_id: str) -> str:
    """The api-version restorekit reads a resource with, from its ARM ID's provider and type."""
    lowered = resource_id.lower()
    if "/providers/microsoft.storage/" in lowered:
        return api_versions.STORAGE
    if "/providers/microsoft.network/" in lowered:
        return api_versions.NETWORK
    if "/providers/microsoft.compute/disks" in lowered or "/providers/microsoft.compute/diskencryptionsets" in lowered:
        return api_versions.DISKS
    if "/providers/microsoft.compute/" in lowered:
        return api_versions.COMPUTE
    return api_versions.RESOURCE_GROUPS
