"""The shapes ARM resources arrive in, reduced to one flat list of plain dicts.

What the REST API returns (a resource, a page ``{"value": [...], "nextLink": ...}``, a list of either),
what Azure Resource Graph returns (rows, ``{"data": [...]}`` or the table form
``{"data": {"columns": [...], "rows": [...]}}``) and what the official SDKs give (models, their
``as_dict()``/``serialize()`` forms, camelCase or the passive-stamp SDK's snake_case keys) all become a
``list[dict]`` of resources with the API's camelCase property names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import repeat
from typing import Any

from ..core.errors import RestorekitError


class FrameInputError(RestorekitError, TypeError):
    """The input is not ARM resources: a resource (or page) is a string, a number, None, … instead of a dict.

    Accepted: a resource dict, a page ``{"value": [...]}`` or ``{"data": [...]}``, an iterable of either,
    or SDK models (anything with ``as_dict()``).
    """


# camelCase names of the spec's fields, to undo the passive-stamp SDK's snake_case as_dict()
_CAMEL_NAMES = (
    "objectType recoveryPointType recoveryPointTime recoveryPointAdditionalInfo sourceVMStorageType "
    "isSourceVMEncrypted keyAndSecret isInstantIlrSessionActive recoveryPointTierDetails "
    "isManagedVirtualMachine virtualMachineSize originalStorageAccountOption osType "
    "recoveryPointDiskConfiguration zones recoveryPointMoveReadinessInfo securityType recoveryPointProperties "
    "isPrivateAccessEnabledOnAnyDisk extendedLocation expiryTime ruleName isSoftDeleted "
    "numberOfDisksIncludedInBackup numberOfDisksAttachedToVm includedDiskList excludedDiskList lun name "
    "type status extendedInfo isReadyForMove additionalInfo kekDetails bekDetails encryptionMechanism "
    "keyUrl keyVaultId keyBackupData secretUrl secretVaultId secretData eTag location tags id properties "
    "protectedItemType backupManagementType workloadType containerName sourceResourceId policyId "
    "lastRecoveryPoint backupSetName createMode friendlyName virtualMachineId protectionStatus "
    "protectionState healthStatus healthDetails lastBackupStatus lastBackupTime protectedItemDataId "
    "policyName vaultId isArchiveEnabled"
).split()
#: snake_case keys that only the passive-stamp SDK writes: properties holding one are camelized
SNAKE_MARKERS = frozenset({"object_type", "recovery_point_time", "protected_item_type", "last_backup_status"})


def _snake(name: str) -> str:
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()


_CAMEL_OF_SNAKE = {_snake(n): n for n in _CAMEL_NAMES}


def camelize(value: Any) -> Any:
    """The passive-stamp SDK's snake_case keys turned back into the API's names (unknown keys kept)."""
    if isinstance(value, dict):
        return {_CAMEL_OF_SNAKE.get(k, k) if isinstance(k, str) else k: camelize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camelize(v) for v in value]
    return value


def resources(raw: Any, what: str = "recovery points", *, deferred_pages: bool = False) -> list[dict[str, Any]]:
    """A flat list of resource dicts from any accepted shape; :class:`FrameInputError` otherwise.

    ``what`` names the expected resources in error messages. ``deferred_pages``: a list of dicts is returned as
    it is, not searched for pages (a pass over every dict): the caller looks for them when some dict has no
    ``properties``, as a page has none, by calling this again.
    """
    if isinstance(raw, str | bytes | bytearray) or raw is None or isinstance(raw, int | float):
        raise FrameInputError(f"{what} expected (a dict, a page or a list of them), got {type(raw).__name__}")
    if type(raw) is dict or hasattr(raw, "as_dict") or isinstance(raw, Mapping):
        top = _as_plain(raw, "the input", what)
        return _page_items(top, "the page", what) if _is_page(top) else [top]
    if not isinstance(raw, Iterable):
        raise FrameInputError(f"{what} expected, got {type(raw).__name__}")
    if type(raw) is list and set(map(type, raw)) <= {dict} and (deferred_pages
                                                                 or not any(map(_is_page, _page_like(raw)))):
        return raw  # the usual case: resources already (a page has no id)
    out: list[dict[str, Any]] = []
    for index, element in enumerate(raw):
        d = element if type(element) is dict else _as_plain(element, f"element #{index}", what)
        if _is_page(d):
            out.extend(_page_items(d, f"page #{index}", what))
        else:
            out.append(d)
    return out


def _as_plain(obj: Any, where: str, what: str) -> dict[str, Any]:
    if type(obj) is dict:
        return obj
    as_dict = getattr(obj, "as_dict", None)
    if callable(as_dict) and not isinstance(obj, type):
        converted = as_dict()
        if isinstance(converted, dict):
            return converted
    if isinstance(obj, Mapping):
        return dict(obj)
    text = repr(obj)
    text = text if len(text) <= 60 else text[:57] + "..."
    raise FrameInputError(
        f"{where} is a {type(obj).__name__} ({text}), not a dict: expected {what} as resource dicts, "
        "pages {'value': [...]}, lists of them, or SDK models")


def _page_like(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The dicts that may be pages (no id, no properties): none, usually."""
    if all(map(dict.__contains__, items, repeat("id"))):
        return []
    return [d for d in items if "id" not in d and "properties" not in d]


def _is_page(d: dict[str, Any]) -> bool:
    if "properties" in d or "id" in d:
        return False
    return (isinstance(d.get("value"), list)
            or isinstance(d.get("data"), list)
            or (isinstance(d.get("data"), dict) and "rows" in d["data"] and "columns" in d["data"]))


def _page_items(page: dict[str, Any], where: str, what: str) -> list[dict[str, Any]]:
    items = page["value"] if isinstance(page.get("value"), list) else page["data"]
    if isinstance(items, dict):  # Resource Graph's table form
        names = [c.get("name") if isinstance(c, dict) else c for c in items["columns"]]
        items = [dict(zip(names, row, strict=False)) if isinstance(row, list) else row for row in items["rows"]]
    if all(type(x) is dict for x in items):
        return items
    return [x if type(x) is dict else _as_plain(x, f"{where} value #{i}", what) for i, x in enumerate(items)]


def properties_of(items: list[dict[str, Any]], *, sampled: bool = False) -> tuple[list[dict[str, Any]], list[Any],
                                                                             list[Any]]:
    """Each resource's ``properties`` as a dict with the API's names, the values of ``properties`` that were
    not dicts (None elsewhere; empty when all were), and every key of the properties (``sampled``: the keys
    of a sample, :func:`~restorekit.data.columns.sampled_key_union`, for the caller to check)."""
    from .columns import key_union, sampled_key_union, values_of

    props = values_of(items, "properties")
    odd: list[Any] = []
    if not set(map(type, props)) <= {dict}:
        odd = [None if p is None or type(p) is dict else p for p in props]
        props = [p if type(p) is dict else {} for p in props]
    keys = sampled_key_union(props) if sampled else key_union(props)
    if not SNAKE_MARKERS.isdisjoint(keys):  # the passive-stamp SDK's as_dict()
        props = [camelize(p) if "objectType" not in p and not SNAKE_MARKERS.isdisjoint(p) else p for p in props]
        keys = key_union(props)
    return props, odd, keys
