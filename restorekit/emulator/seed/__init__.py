"""Seeding: the demo estate the emulator starts with, built once, deterministically, from the day.

:func:`demo_estate` reads top to bottom: the demo vaults (``demo``), the documentation's cross-region
restore example (``documented_crr``), the at-risk VMs (``at_risk``), the VMs no vault protects and a protected
item whose VM is gone (``coverage``), the generated fleet (``fleet``), then the compute and network resources
behind every VM (``resources``) and the Resource Guard vaults may link to (``security``). ``jobs`` writes the
jobs the estate's past left behind. Seeding builds on :mod:`~restorekit.emulator.estate`; the estate
knows nothing of it.
"""

from __future__ import annotations

from datetime import datetime

from ..estate import Estate
from ..estate.tenancy import SUBSCRIPTION_ID
from .at_risk import add_at_risk_vms
from .coverage import add_coverage_stories
from .demo import add_demo_vaults
from .documented_crr import add_documented_crr_example
from .fleet import add_fleet
from .resources import seed_resources
from .security import add_resource_guards


def demo_estate(now: datetime, fleet: int = 0, subscriptions: tuple[str, ...] = (SUBSCRIPTION_ID,)) -> Estate:
    """Build the demo estate as of ``now`` (plus ``fleet`` VMs spread over ``subscriptions``' fleet vaults)."""
    estate = Estate(today=now.date())
    add_demo_vaults(estate, now)
    add_documented_crr_example(estate)
    add_at_risk_vms(estate)
    add_coverage_stories(estate)
    add_fleet(estate, fleet, subscriptions)
    for v in estate.vaults.values():
        v.seeded_at = now
    seed_resources(estate)
    add_resource_guards(estate)
    return estate
