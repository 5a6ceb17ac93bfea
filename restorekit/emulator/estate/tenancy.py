"""The tenant and the emulator's subscriptions.

The first subscription is the demo one, ``00000000-0000-0000-0000-000000000000``; the k-th (k >= 2)
has a GUID derived from k (``uuid5``), the same on every run.
"""

from __future__ import annotations

import uuid

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "00000000-0000-0000-0000-000000000000"
#: The principal the emulator says asked when a bearer token names no object it issued.
OPERATOR_ID = "00000000-0000-0000-0000-0000000000a1"

#: The namespace of the derived subscription ids (any fixed GUID: only stability matters).
_NAMESPACE = uuid.UUID("6f1c6f8e-3d1e-4d5c-9a53-726573746f72")


def subscription_ids(count: int) -> tuple[str, ...]:
    """The ids of ``count`` subscriptions: the demo subscription first, then derived GUIDs."""
    if count < 1:
        raise ValueError("subscriptions must be >= 1")
    return (SUBSCRIPTION_ID, *(str(uuid.uuid5(_NAMESPACE, f"subscription-{k}")) for k in range(2, count + 1)))
