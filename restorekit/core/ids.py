"""ARM IDs: the one place they are built and parsed (with ``azure.mgmt.core.tools``).

Azure Backup names an IaaS VM's container ``iaasvmcontainer;iaasvmcontainerv2;{rg};{vm}`` and its
protected item ``VM;iaasvmcontainerv2;{rg};{vm}``. Every other module builds and reads IDs through the
functions here (:func:`resource_group_of`, :func:`name_of`, :func:`subscription_of`, :func:`named_segments`,
:func:`id_from_name`, …), never by splitting them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .json_values import Json
from urllib.parse import quote

from azure.mgmt.core.tools import parse_resource_id, resource_id

PROVIDER = "Microsoft.RecoveryServices"
FABRIC = "Azure"


# -- reading any ARM ID ---------------------------------------------------------------------------------------
def parse(arm_id: str) -> dict[str, Any]:
    """``azure.mgmt.core.tools.parse_resource_id``: ``subscription``, ``resource_group``, ``namespace``, ``type``,
    ``name``, ``child_type_1``/``child_name_1``…, ``resource_name`` (the last name)."""
    return parse_resource_id(arm_id)


def subscription_of(arm_id: str) -> str | None:
    """The subscription of an ARM ID (None when it names none)."""
    return parse_resource_id(str(arm_id)).get("subscription") if str(arm_id).startswith("/") else None


def resource_group_of(arm_id: Json) -> str | None:
    """The resource group of an ARM ID (None when it names none, or is not an ID)."""
    text = str(arm_id or "")
    return parse_resource_id(text).get("resource_group") if text.startswith("/") else None


def name_of(arm_id: str) -> str:
    """The last name of an ARM ID (a job's, a point's, a subnet's…); a bare name is returned as it is."""
    return str(arm_id).strip().rstrip("/").rsplit("/", 1)[-1]


def is_resource_group_id(arm_id: str) -> bool:
    """True for ``/subscriptions/{sub}/resourceGroups/{name}`` exactly (nothing below it)."""
    parts = parse_resource_id(arm_id) if isinstance(arm_id, str) and arm_id.startswith("/") else {}
    return set(parts) == {"subscription", "resource_group"} and bool(parts["resource_group"]) \
        and arm_id.rstrip("/").lower().count("/") == 4


def named_segments(arm_id: str) -> dict[str, str]:
    """The ``type/name`` pairs of an ARM ID by lower-case type, fast (no regex): what a column of many IDs needs.

    ``/subscriptions/S/resourceGroups/rg/providers/P/vaults/v`` → ``{"subscriptions": "S", "resourcegroups":
    "rg", "providers": "P", "vaults": "v"}``; empty for text that is not an ARM ID.
    """
    parts = arm_id.split("/")
    if parts[0]:
        return {}
    return {parts[i].lower(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def id_from_name(value: Json | bool, subscription: str, resource_group: str, namespace: str, type_: str) -> Json:
    """A full ARM ID from ``"name"`` (in ``resource_group``), ``"rg/name"`` or a full ID (kept as it is).

    Other values (None, a number, ``"a/b/c"``) are returned unchanged, for validation to report.
    """
    if not isinstance(value, str) or not value or value.startswith("/"):
        return value
    group, sep, name = value.rpartition("/")
    if sep and (not group or not name or "/" in group):
        return value  # not "rg/name": left for validation to report
    return resource_id(subscription=subscription, resource_group=group or resource_group, namespace=namespace,
                       type=type_, name=name)


def container_name(vm_resource_group: str, vm_name: str) -> str:
    """The protection container name of an Azure VM (``iaasvmcontainer;iaasvmcontainerv2;rg;vm``)."""
    return f"iaasvmcontainer;iaasvmcontainerv2;{vm_resource_group};{vm_name}"


def protected_item_name(vm_resource_group: str, vm_name: str) -> str:
    """The protected item name of an Azure VM (``VM;iaasvmcontainerv2;rg;vm``)."""
    return f"VM;iaasvmcontainerv2;{vm_resource_group};{vm_name}"


def vm_of_item_name(name: str) -> tuple[str, str]:
    """(resource group, VM name) from a container or protected item name.

    Accepts ``VM;iaasvmcontainerv2;rg;vm``, ``iaasvmcontainer;iaasvmcontainerv2;rg;vm``,
    ``iaasvmcontainerv2;rg;vm`` and the documentation's short ``VM;rg;vm``.
    """
    parts = name.split(";")
    if len(parts) < 3:
        raise ValueError(f"not an IaaS VM container or item name: {name!r}")
    return parts[-2], parts[-1]


def vault_id(subscription_id: str, resource_group: str, vault_name: str) -> str:
    """ARM ID of a Recovery Services vault."""
    return resource_id(subscription=subscription_id, resource_group=resource_group,
                       namespace=PROVIDER, type="vaults", name=vault_name)


def vm_id(subscription_id: str, resource_group: str, vm_name: str) -> str:
    """ARM ID of a compute virtual machine."""
    return resource_id(subscription=subscription_id, resource_group=resource_group,
                       namespace="Microsoft.Compute", type="virtualMachines", name=vm_name)


def resource_group_id(subscription_id: str, resource_group: str) -> str:
    """ARM ID of a resource group."""
    return resource_id(subscription=subscription_id, resource_group=resource_group)


def scope_path(subscription_id: str, resource_group: str | None = None, provider_type: str = "") -> str:
    """A subscription or resource group, or the list of its ``provider_type`` resources (``"Microsoft.Compute/disks"``).

    >>> scope_path("S", "rg", "Microsoft.Compute/disks")
    '/subscriptions/S/resourceGroups/rg/providers/Microsoft.Compute/disks'
    """
    scope = resource_id(subscription=subscription_id, resource_group=resource_group)
    return f"{scope}/providers/{provider_type}" if provider_type else scope


def location_path(subscription_id: str, region: str) -> str:
    """``/subscriptions/{sub}/providers/Microsoft.RecoveryServices/locations/{region}`` (a region's Backup API)."""
    return f"/subscriptions/{subscription_id}/providers/{PROVIDER}/locations/{quote(region, safe='')}"


def vaults_path(subscription_id: str) -> str:
    """``/subscriptions/{sub}/providers/Microsoft.RecoveryServices/vaults``: every vault of a subscription."""
    return f"/subscriptions/{subscription_id}/providers/{PROVIDER}/vaults"


@dataclass(frozen=True)
class VaultRef:
    """Where a Recovery Services vault is: subscription, resource group and name (parsed from its ID)."""

    subscription_id: str
    resource_group: str
    name: str

    @classmethod
    def from_id(cls, arm_id: str) -> VaultRef:
        """Parse a vault's ARM ID (or the ID of anything below it)."""
        parts = parse_resource_id(arm_id)
        return cls(parts["subscription"], parts["resource_group"], parts["name"])

    @property
    def id(self) -> str:
        """ARM ID of the vault."""
        return vault_id(self.subscription_id, self.resource_group, self.name)


@dataclass(frozen=True)
class ItemRef:
    """Where a protected IaaS VM lives: its vault and its container/item names.

    ``path`` is the ARM path of the protected item (URL-quoted where needed); ``source_vm_id`` is the
    ARM ID of the backed-up VM.
    """

    subscription_id: str
    vault_resource_group: str
    vault_name: str
    container: str
    item: str
    fabric: str = FABRIC

    @classmethod
    def for_vm(cls, subscription_id: str, vault_resource_group: str, vault_name: str,
               vm_resource_group: str, vm_name: str) -> ItemRef:
        """The reference of VM ``vm_resource_group/vm_name`` protected in a vault."""
        return cls(subscription_id, vault_resource_group, vault_name,
                   container_name(vm_resource_group, vm_name), protected_item_name(vm_resource_group, vm_name))

    @classmethod
    def from_id(cls, arm_id: str) -> ItemRef:
        """Parse a protected item or recovery point ARM ID (any case, as the service writes them)."""
        parts = parse_resource_id(arm_id)
        lowered = {k.lower(): v for k, v in parts.items()}
        # parse_resource_id names children child_name_1.. after the vault
        names = [parts.get(f"child_name_{i}") for i in range(1, 6)]
        types = [str(parts.get(f"child_type_{i}") or "").lower() for i in range(1, 6)]
        def child(kind: str) -> str:
            for t, n in zip(types, names, strict=True):
                if t == kind.lower() and n:
                    return n
            raise ValueError(f"{kind} missing from ARM id {arm_id!r}")
        return cls(lowered["subscription"], lowered["resource_group"], lowered["name"],
                   child("protectionContainers"), child("protectedItems"), child("backupFabrics"))

    @property
    def vm_resource_group(self) -> str:
        """Resource group of the backed-up VM."""
        return vm_of_item_name(self.item)[0]

    @property
    def vm_name(self) -> str:
        """Name of the backed-up VM."""
        return vm_of_item_name(self.item)[1]

    @property
    def vault_id(self) -> str:
        """ARM ID of the vault."""
        return vault_id(self.subscription_id, self.vault_resource_group, self.vault_name)

    @property
    def vault(self) -> VaultRef:
        """The vault's reference."""
        return VaultRef(self.subscription_id, self.vault_resource_group, self.vault_name)

    @property
    def source_vm_id(self) -> str:
        """ARM ID of the backed-up VM."""
        return vm_id(self.subscription_id, self.vm_resource_group, self.vm_name)

    @property
    def id(self) -> str:
        """ARM ID of the protected item."""
        return (f"{self.vault_id}/backupFabrics/{self.fabric}/protectionContainers/{self.container}"
                f"/protectedItems/{self.item}")

    @property
    def path(self) -> str:
        """URL path of the protected item (semicolons kept, other reserved characters quoted)."""
        return quote(self.id, safe="/;=")

    def recovery_point_id(self, name: str) -> str:
        """ARM ID of one of this item's recovery points."""
        return f"{self.id}/recoveryPoints/{name}"
