"""Who a row is about: the protected item and the VM behind an ARM ID, as categorical columns.

A protected IaaS VM is keyed by ``item_id``: the ARM ID of its protected item, rebuilt in its canonical
form (``…/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;{rg};{vm}/protectedItems/
VM;iaasvmcontainerv2;{rg};{vm}``) and lowercased, since ARM IDs compare without case and the service
writes them in several spellings. ``vm_id`` is the source VM's ARM ID (lowercased too), derived from the
container/item name in the vault's subscription unless the input names it. Two VMs named ``testVM`` in
different vaults or resource groups never share a key; names (``vm_name``, ``resource_group``, ``vault``)
are for display.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.ids import FABRIC, PROVIDER, ItemRef, named_segments, vm_id, vm_of_item_name

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

_ITEM_PATH = {"subscriptions", "resourcegroups", "providers", "vaults", "protectioncontainers", "protecteditems"}
#: The identity columns, in the order frames show them.
FIELDS = ("vault", "vault_resource_group", "resource_group", "vm_name", "protected_item", "subscription_id",
          "item_id", "vm_id")


def identify(arm_id: Any) -> dict[str, str | None] | None:
    """The identity fields of a protected item (or of a recovery point, by its item's part), or None.

    >>> identify("/subscriptions/S/resourceGroups/vrg/providers/Microsoft.RecoveryServices/vaults/v/"
    ...          "backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg;vm1/"
    ...          "protectedItems/VM;iaasvmcontainerv2;rg;vm1")["vm_id"]
    '/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1'
    """
    if not isinstance(arm_id, str):
        return None
    named = named_segments(arm_id)
    if named.keys() >= _ITEM_PATH and named["providers"].lower() == PROVIDER.lower():
        # the fabric is implied in old answers (…/vaults/v/protectionContainers/…)
        return identify_ref(ItemRef(named["subscriptions"], named["resourcegroups"], named["vaults"],
                                    named["protectioncontainers"], named["protecteditems"],
                                    named.get("backupfabrics", FABRIC)))
    try:
        return identify_ref(ItemRef.from_id(arm_id))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def identify_ref(ref: ItemRef) -> dict[str, str | None]:
    """The identity fields of an :class:`~restorekit.core.ids.ItemRef`."""
    try:
        vm_rg, vm = vm_of_item_name(ref.item)
    except (ValueError, AttributeError, TypeError):
        vm_rg = vm = None
    canonical = ref if vm is None else ItemRef.for_vm(ref.subscription_id, ref.vault_resource_group,
                                                      ref.vault_name, vm_rg, vm)
    return {"vault": ref.vault_name, "vault_resource_group": ref.vault_resource_group, "resource_group": vm_rg,
            "vm_name": vm, "protected_item": ref.item, "subscription_id": ref.subscription_id.lower(),
            "item_id": canonical.id.lower(),
            "vm_id": None if vm is None else vm_id(ref.subscription_id, vm_rg, vm).lower()}


def identity_columns(codes: np.ndarray, heads: list[Any], *, default_vault: str | None = None,
                     vm_ids: Any = None) -> dict[str, pd.Categorical]:
    """Categorical identity columns of rows whose item is ``heads[codes[row]]`` (-1: unknown item).

    ``heads`` are ARM IDs (or :class:`ItemRef`); rows of an unknown item get ``default_vault`` as vault
    and missing values elsewhere. Heads naming the same item (any spelling) share every value, taken from
    the first of them. Categories are sorted, so sorting by a column sorts by name. ``vm_ids`` (one per
    row, or None) overrides the derived ``vm_id`` where it is text.
    """
    import numpy as np
    import pandas as pd

    infos = [identify_ref(h) if isinstance(h, ItemRef) else identify(h) for h in heads]
    first_of_item: dict[str, dict[str, Any]] = {}
    for info in infos:
        if info is not None:
            first_of_item.setdefault(info["item_id"], info)
    unknown = dict.fromkeys(FIELDS) | {"vault": default_vault}
    table = [unknown if i is None else first_of_item[i["item_id"]] for i in infos] + [unknown]
    rows = np.where(codes >= 0, codes, len(table) - 1)
    out: dict[str, pd.Categorical] = {}
    for field in FIELDS:
        per_head, categories = pd.factorize(np.array([t[field] for t in table], dtype=object), sort=True)
        out[field] = pd.Categorical.from_codes(per_head[rows], categories=list(categories), validate=False)
    if vm_ids is not None:
        given = pd.Series(vm_ids, dtype=object)
        given = given.where(given.map(lambda v: isinstance(v, str)), None).str.lower()
        if given.notna().any():
            derived = pd.Series(out["vm_id"]).astype(object)
            out["vm_id"] = pd.Categorical(given.where(given.notna(), derived).to_numpy(dtype=object))
    return out


def labels(rows: pd.DataFrame) -> list[str]:
    """A short label per row (one row per protected VM): its VM name, with its resource group, then its vault,
    then its subscription, only where names would collide.

    ``rows`` holds ``vm_name`` and, when present, ``resource_group`` (or ``vm_resource_group``), ``vault``,
    ``subscription_id`` and ``item_id``; a row without a VM name is labelled by its item.
    """
    import pandas as pd

    def column(*names: str) -> pd.Series:
        for name in names:
            if name in rows.columns:
                return rows[name].astype(object).where(rows[name].notna(), "?").astype(str)
        return pd.Series("?", index=rows.index)

    vm = column("vm_name")
    if "item_id" in rows.columns:
        vm = vm.where(rows["vm_name"].notna(), column("item_id").str.rsplit("/", n=1).str[-1])
    label = vm
    for part in (column("resource_group", "vm_resource_group"), column("vault"), column("subscription_id")):
        clash = label.duplicated(keep=False)
        if not clash.any():
            break
        longer = label.where(~clash, part + "/" + label)
        if longer.duplicated(keep=False).sum() < clash.sum():  # this part tells some of them apart
            label = longer
    return label.tolist()
