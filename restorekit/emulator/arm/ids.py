"""Identifiers as Azure writes them: ARM resource ids (and the upper-case form used in references), GUIDs."""

from __future__ import annotations

import hashlib
import re


def resource_id(subscription: str, resource_group: str, resource_type: str, name: str) -> str:
    """``/subscriptions/{sub}/resourceGroups/{rg}/providers/{Namespace/type}/{name}``."""
    return f"/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/{resource_type}/{name}"


_RG_SEGMENT = re.compile(r"(/resourceGroups/)([^/]+)", re.I)


def as_referenced(rid: str) -> str:
    """The id with its resource group in upper case, as Azure writes ids *inside* other resources.

    A VM's ``managedDisk.id``, a disk's ``managedBy`` and a NIC's ``virtualMachine.id`` come back as
    ``/subscriptions/…/resourceGroups/TESTRG/providers/…`` while the resources themselves carry the
    resource group as created; clients must compare ids case-insensitively.
    """
    return _RG_SEGMENT.sub(lambda m: m.group(1) + m.group(2).upper(), rid, count=1)


def stable_guid(*parts: object) -> str:
    """A GUID derived from ``parts``: the same parts give the same GUID (resource GUIDs, vmId, uniqueId)."""
    h = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


_TOP_LEVEL = re.compile(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/([^/]+/[^/]+)/([^/]+)/?$", re.I)


def split_resource_id(rid: object) -> tuple[str, str, str, str] | None:
    """``(subscription, resource group, "Namespace/type", name)`` of a top-level resource's id; None otherwise."""
    m = _TOP_LEVEL.match(rid) if isinstance(rid, str) else None
    return (m.group(1), m.group(2), m.group(3), m.group(4)) if m else None
