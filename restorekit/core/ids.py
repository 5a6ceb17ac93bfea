"""Names and ARM IDs of vaults, containers, protected items and recovery points.

Azure Backup names an IaaS VM's container ``iaasvmcontainer;iaasvmcontainerv2;{rg};{vm}`` and its
protected item ``VM;iaasvmcontainerv2;{rg};{vm}``. Resource IDs are built and parsed with
``azure.mgmt.core.tools``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from azure.mgmt.core.tools import parse_resource_id, resource_id

PROVIDER = "Microsoft.RecoveryServices"
FABRIC = "Azure"


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
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


def parse_id(rid: str) -> dict[str, str]:
    """The named parts of an ARM id (``subscription``, ``resource_group``, ``namespace``, ``type``, ``name``…)."""
    return parse_resource_id(rid)


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
