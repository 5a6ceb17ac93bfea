"""Azure regions as the emulator knows them: names, pairs, availability zones and their metadata.

One catalogue serves ``GET /subscriptions/{sub}/locations`` (Subscriptions_ListLocations), the restore
validation (does the region offer the zone asked for?) and cross-region restore (the paired region).
It is a subset of Azure's public regions: the US and European ones the demo estate and its neighbours use,
plus two logical regions (``regionType: Logical``) as the real list has them. The metadata (display names,
physical location, coordinates, pairs, zone counts) follows Azure's published values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """One location of ``Subscriptions_ListLocations``."""

    name: str
    display_name: str
    regional_display_name: str
    geography: str
    geography_group: str
    category: str = "Recommended"
    physical_location: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    paired: str | None = None
    zone_count: int = 0
    region_type: str = "Physical"

    @property
    def zones(self) -> tuple[str, ...]:
        """The logical availability zones the region offers (``()`` when it has none)."""
        return tuple(str(z) for z in range(1, self.zone_count + 1))


REGIONS: tuple[Region, ...] = (
    Region("eastus", "East US", "(US) East US", "United States", "US", "Recommended", "Virginia",
           "37.3719", "-79.8164", "westus", 3),
    Region("eastus2", "East US 2", "(US) East US 2", "United States", "US", "Recommended", "Virginia",
           "36.6681", "-78.3889", "centralus", 3),
    Region("westus", "West US", "(US) West US", "United States", "US", "Other", "California",
           "37.783", "-122.417", "eastus", 0),
    Region("westus2", "West US 2", "(US) West US 2", "United States", "US", "Recommended", "Washington",
           "47.233", "-119.852", "westcentralus", 3),
    Region("westus3", "West US 3", "(US) West US 3", "United States", "US", "Recommended", "Phoenix",
           "33.448376", "-112.074036", "eastus", 3),
    Region("centralus", "Central US", "(US) Central US", "United States", "US", "Recommended", "Iowa",
           "41.5908", "-93.6208", "eastus2", 3),
    Region("westcentralus", "West Central US", "(US) West Central US", "United States", "US", "Other",
           "Wyoming", "40.890", "-110.234", "westus2", 0),
    Region("northeurope", "North Europe", "(Europe) North Europe", "Europe", "Europe", "Recommended", "Ireland",
           "53.3478", "-6.2597", "westeurope", 3),
    Region("westeurope", "West Europe", "(Europe) West Europe", "Europe", "Europe", "Recommended", "Netherlands",
           "52.3667", "4.9", "northeurope", 3),
    Region("francecentral", "France Central", "(Europe) France Central", "France", "Europe", "Recommended",
           "Paris", "46.3772", "2.3730", "francesouth", 3),
    Region("francesouth", "France South", "(Europe) France South", "France", "Europe", "Other", "Marseille",
           "43.8345", "2.1972", "francecentral", 0),
    Region("uksouth", "UK South", "(Europe) UK South", "United Kingdom", "Europe", "Recommended", "London",
           "50.941", "-0.799", "ukwest", 3),
    Region("ukwest", "UK West", "(Europe) UK West", "United Kingdom", "Europe", "Other", "Cardiff",
           "53.427", "-3.084", "uksouth", 0),
    Region("unitedstates", "United States", "United States", "United States", "US", "Other",
           region_type="Logical"),
    Region("europe", "Europe", "Europe", "Europe", "Europe", "Other", region_type="Logical"),
)

_BY_NAME = {r.name: r for r in REGIONS}

#: Regions that have availability zones (a zone-pinned restore elsewhere is refused).
ZONAL_REGIONS = frozenset(r.name for r in REGIONS if r.zone_count)
#: The paired (secondary) region of each physical region that has one.
PAIRED_REGION = {r.name: r.paired for r in REGIONS if r.paired}


def region(name: str) -> Region | None:
    """The region named ``name`` (case and spaces ignored: ``West US`` is ``westus``), or None."""
    return _BY_NAME.get(name.lower().replace(" ", ""))


def physical_zone(subscription: str, region_name: str, logical_zone: str) -> str:
    """The physical zone (``eastus-az2``) a subscription's logical zone maps to.

    Azure shuffles the mapping per subscription; here it is a rotation chosen by the subscription's hash,
    so it is stable for one subscription and differs between subscriptions.
    """
    shift = int(hashlib.sha256(subscription.lower().encode()).hexdigest()[:8], 16) % 3
    return f"{region_name}-az{(int(logical_zone) - 1 + shift) % 3 + 1}"
