"""Deleting what a drill created, retrying a deletion that fails, and proving that nothing is left.

The drill's resource group holds everything the drill made (its networks and security groups, and the VMs,
disks and NICs the restores created): deleting it deletes them all. A deletion that fails (ARM rolls the group
back) is tried again, up to ``attempts`` times, with a growing pause; each failure is kept, so the report can say
"deleted after 1 retry". Then the cleanup is **verified through ARM**: the group is gone (404), and no resource
or group of the subscription carries the drill's tag.

Blobs a restore left in its staging account (the job's configuration and template blobs, when its property bag
names them) live outside the group: they are listed, not deleted (deleting them needs the storage account's data
plane and a role on it, which a drill does not ask for).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...core.errors import ArmError, OperationFailed, TransportError
from .arm import DrillArm
from .plan import MARKER_TAG


@dataclass
class CleanupResult:
    """How a drill's cleanup went: ``state`` (``deleted``, ``failed``, ``skipped``), the failed attempts before
    the last (``retries``: their errors), what verification found (``left``: ids; ``verified``: how), and time."""

    state: str = "pending"
    retries: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    verified: str = ""
    seconds: float = 0.0
    staging_blobs: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def clean(self) -> bool:
        """True when the group is deleted and verification found nothing left."""
        return self.state == "deleted" and not self.left

    def describe(self) -> str:
        """``deleted after 1 retry; verified through ARM: 0 resources left`` …"""
        if self.state == "skipped":
            return self.verified or "nothing to clean (dry run)"
        if self.state == "pending":
            return "not cleaned yet"
        retried = f" after {len(self.retries)} retr{'y' if len(self.retries) == 1 else 'ies'}" if self.retries else ""
        text = f"{self.state}{retried}"
        if self.error:
            text += f": {self.error}"
        if self.verified:
            text += f"; {self.verified}"
        if self.staging_blobs:
            text += f"; {len(self.staging_blobs)} staging blob(s) listed, not deleted"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"state": self.state, "retries": list(self.retries), "left": list(self.left),
                "verified": self.verified, "seconds": round(self.seconds, 3), "staging_blobs": list(self.staging_blobs),
                "error": self.error}


def delete_and_verify(arm: DrillArm, drill_id: str, *, attempts: int = 3, pause: float = 5.0,
                      sleep: Callable[[float], Any] = time.sleep, clock: Callable[[], float] = time.monotonic,
                      on_retry: Callable[[str], Any] | None = None) -> CleanupResult:
    """Delete the drill's resource group (``attempts`` tries, ``pause`` × 2ⁿ between them), then verify."""
    result = CleanupResult()
    started = clock()
    for attempt in range(attempts):
        try:
            arm.delete_group()
        except (ArmError, OperationFailed, TransportError) as exc:
            reason = " ".join(str(exc).split())[:300]
            result.retries.append(reason)
            if on_retry is not None:
                on_retry(reason)
            if attempt + 1 < attempts:
                sleep(pause * 2 ** attempt)
            continue
        result.state = "deleted"
        break
    else:
        result.state = "failed"
        result.error = result.retries.pop()  # the last failure is the error, the others were retried
    verify(arm, drill_id, result)
    result.seconds = clock() - started
    return result


def verify(arm: DrillArm, drill_id: str, result: CleanupResult) -> CleanupResult:
    """Ask ARM what is left of the drill: its group's resources (if the group remains) and anything tagged."""
    try:
        inside = arm.left_in_group()
        tagged = arm.tagged(MARKER_TAG, drill_id)
    except (ArmError, TransportError) as exc:
        result.verified = f"not verified: {' '.join(str(exc).split())[:200]}"
        return result
    left = {str(r.get("id")) for r in (inside or [])} | {str(r.get("id")) for r in tagged}
    if inside is not None:
        left.add(arm.group_id)
    result.left = sorted(left)
    group = "resource group gone" if inside is None else f"resource group {arm.resource_group} still exists"
    result.verified = (f"verified through ARM: {group}, {len(result.left)} resource(s) left "
                       f"(tag {MARKER_TAG}={drill_id})")
    return result
