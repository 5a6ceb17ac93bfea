"""A vault whose region does not answer: said within seconds, naming the call that still works.

The reads that lead a session (``az.vault(...)``, ``vault.vm(...)``) are interactive (see
:mod:`restorekit.transport.arm`): one quick retry, short timeouts. When the vault's region still answers 5xx, or
nothing, :func:`region_unavailable` turns that into :class:`~restorekit.core.errors.RegionUnavailable`: the
region is not answering, and ``az.cross_region(...)`` with this vault's own arguments restores from the secondary
copy in the paired region, without any call to the vault's region.

>>> az.vault("testVaultRG", "testVault")          # doctest: +SKIP
RegionUnavailable: vault 'testVault' (resource group testVaultRG) does not answer: its region westus is not ...
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..core.api_versions import VAULTS
from ..core.errors import ArmError, RegionUnavailable, RestorekitError, TransportError
from ..core.ids import resource_group_of, vaults_path
from ..core.regions import norm_region, paired_region

if TYPE_CHECKING:  # pragma: no cover
    from ..core.protocols import ConnectionLike as Connection

#: HTTP statuses that say the region's service is not answering (ARM's gateway or the service itself).
UNAVAILABLE_STATUSES = frozenset({500, 502, 503, 504})


def is_region_down(exc: BaseException) -> bool:
    """True for an answer that says the service is not answering (5xx), or for no answer at all."""
    if isinstance(exc, ArmError):
        return exc.status in UNAVAILABLE_STATUSES
    return isinstance(exc, TransportError)


def vault_region(connection: Connection, resource_group: str, name: str) -> tuple[bool, str | None]:
    """Whether Resource Manager answers at all, and the vault's region from the subscription's list of vaults.

    One quick request (no retry, short timeouts); the region is None when the list failed or lacks the vault.
    """
    probe = connection.arm.probe(timeout=(3.0, 4.0))
    try:
        vaults = probe.list(vaults_path(connection.subscription_id), api_version=VAULTS)
    except TransportError:
        return False, None
    except RestorekitError:
        return True, None
    finally:
        probe.close()
    for raw in vaults:
        group = resource_group_of(raw.get("id")) or ""
        if str(raw.get("name", "")).lower() == name.lower() and group.lower() == resource_group.lower():
            return True, norm_region(raw.get("location")) or None
    return True, None


def region_unavailable(connection: Connection, exc: BaseException, vault_resource_group: str, vault_name: str, *,
                       region: str | None = None, vm_resource_group: str | None = None,
                       vm_name: str | None = None) -> RegionUnavailable | None:
    """The :class:`RegionUnavailable` for ``exc`` raised by a read of vault ``vault_resource_group/vault_name``.

    ``region`` is the vault's region when known (else it is looked up quickly); the VM's names go into the
    ``az.cross_region(...)`` line when known, placeholders otherwise. None when nothing answers at all (the
    endpoint or the network is down, not a region: ``exc`` says so better).
    """
    region = norm_region(region) or None
    if region is None or isinstance(exc, TransportError):
        answers, found = vault_region(connection, vault_resource_group, vault_name)
        if not answers:
            return None
        region = region or found
    secondary = paired_region(region)
    if isinstance(exc, ArmError):
        cause = f"{exc.code}: {exc.message} (HTTP {exc.status})"
    else:
        cause = str(exc).splitlines()[0]
    names = [vault_resource_group, vault_name, vm_resource_group or "<VM resource group>", vm_name or "<VM name>"]
    call = (f"az.cross_region({', '.join(json.dumps(n) for n in names)}, "
            f"secondary_region={json.dumps(secondary or '<the paired region>')})")
    where = f"its region {region}" if region else "its region"
    message = (f"vault {vault_name!r} (resource group {vault_resource_group}) does not answer: {where} is not "
               f"answering ({cause}). Its backups can still be restored in the paired region"
               f"{f' {secondary}' if secondary else ''} from their secondary copy (a geo-redundant vault with "
               f"cross-region restore), without any call to {region or 'the vault region'}:\n"
               f"  crr = {call}\n"
               "Otherwise try again later.")
    return RegionUnavailable(message, region=region, secondary_region=secondary, cross_region_call=call,
                             cause=cause)
