"""Azure regions: names that compare without case and spaces, and the pairs cross-region restore uses."""

from __future__ import annotations

from typing import Any

#: Azure's region pairs: where a geo-redundant vault keeps its secondary copy.
PAIRED_REGIONS: dict[str, str] = {
    "eastus": "westus", "westus": "eastus", "eastus2": "centralus", "centralus": "eastus2",
    "northcentralus": "southcentralus", "southcentralus": "northcentralus", "westus2": "westcentralus",
    "westcentralus": "westus2", "westus3": "eastus", "canadacentral": "canadaeast", "canadaeast": "canadacentral",
    "brazilsouth": "southcentralus", "brazilsoutheast": "brazilsouth", "northeurope": "westeurope",
    "westeurope": "northeurope", "uksouth": "ukwest", "ukwest": "uksouth", "francecentral": "francesouth",
    "francesouth": "francecentral", "germanywestcentral": "germanynorth", "germanynorth": "germanywestcentral",
    "switzerlandnorth": "switzerlandwest", "switzerlandwest": "switzerlandnorth", "norwayeast": "norwaywest",
    "norwaywest": "norwayeast", "swedencentral": "swedensouth", "swedensouth": "swedencentral",
    "eastasia": "southeastasia", "southeastasia": "eastasia", "japaneast": "japanwest", "japanwest": "japaneast",
    "koreacentral": "koreasouth", "koreasouth": "koreacentral", "centralindia": "southindia",
    "southindia": "centralindia", "westindia": "southindia", "australiaeast": "australiasoutheast",
    "australiasoutheast": "australiaeast", "australiacentral": "australiacentral2",
    "australiacentral2": "australiacentral", "southafricanorth": "southafricawest",
    "southafricawest": "southafricanorth", "uaenorth": "uaecentral", "uaecentral": "uaenorth",
    "chinanorth": "chinaeast", "chinaeast": "chinanorth", "chinanorth2": "chinaeast2", "chinaeast2": "chinanorth2",
    "chinanorth3": "chinaeast3", "chinaeast3": "chinanorth3", "usgovvirginia": "usgovtexas",
    "usgovtexas": "usgovarizona", "usgovarizona": "usgovtexas", "usgoviowa": "usgovvirginia",
    "usdodeast": "usdodcentral", "usdodcentral": "usdodeast",
    # the canary (EUAP) regions, paired with each other: Azure's own tests run there (the recorded sessions do)
    "centraluseuap": "eastus2euap", "eastus2euap": "centraluseuap",
}


def norm_region(value: Any) -> str:
    """``"West US"`` → ``"westus"``: Azure region names compare without case and spaces."""
    return str(value).replace(" ", "").lower() if value is not None else ""


def paired_region(region: str | None) -> str | None:
    """The paired (secondary) region of an Azure region, e.g. ``"East US"`` → ``"westus"``; None if unknown."""
    return PAIRED_REGIONS.get(norm_region(region)) if region else None
