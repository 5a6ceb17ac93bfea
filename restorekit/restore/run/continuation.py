"""Continuation tokens: an operation in flight as one string, to rebuild it anywhere (azure-core's
``continuation_token()`` / ``from_continuation_token()``).

A token is base64url-encoded JSON, versioned, with the operation's ``kind`` (``restore``, ``cross-region restore``;
later flows add theirs) and what rebuilds it: where it was sent (endpoint, item and vault IDs, regions), how far it
got (the operation's polling URL, the job id, the POST's time and point) and what was read before it (for its
outcome). It holds no secret: no bearer token, no CRR access token (following a restore needs neither; a new
process signs its requests with its own credential), and :func:`encode` redacts whatever looks like one (a SAS
key, a ``Bearer`` token, a secret restorekit has met) before anything is written.

>>> token = op.continuation_token()
>>> rk.RestoreOperation.from_continuation_token(az, token)      # in any process, mid-flight or after the end
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

from ...core.redaction import redact_text

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import JsonObject

#: The token format (``v``).
VERSION = 1


def encode(data: JsonObject) -> str:
    """The token of ``data`` (an operation's continuation: JSON without secrets)."""
    text = redact_text(json.dumps({"v": VERSION, **data}, separators=(",", ":"), sort_keys=True, default=str))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token: str) -> JsonObject:
    """The data of a token made by :func:`encode`; ``ValueError`` saying what is wrong otherwise."""
    text = str(token).strip()
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        raise ValueError("not a restorekit continuation token (expected the string op.continuation_token() "
                         "returned)") from None
    if not isinstance(data, dict) or "kind" not in data:
        raise ValueError("not a restorekit continuation token: it says no kind of operation")
    if data.get("v") != VERSION:
        raise ValueError(f"continuation token version {data.get('v')!r}: this restorekit reads version {VERSION}; "
                         "use the restorekit that made it, or follow the job by its id (vault.restore_job(job_id))")
    return data
