"""Dry-run exports: the HTTP calls a restore makes, as ``curl`` or ``az rest`` commands, with no secret in them.

A restore in the vault's region is one call, ``POST {item}/recoveryPoints/{rp}/restore``. A cross-region restore
is four, in order (the documentation's steps):

1. ``GET {loc}/backupAadProperties`` — the secondary region's AAD properties;
2. ``POST {item}/recoveryPoints/{rp}/accessToken`` with them — a CRR access token (a secret: kept in a file);
3. ``POST {loc}/backupCrossRegionRestore`` with ``{crossRegionRestoreAccessDetails: <step 2's properties>,
   restoreRequest: …}`` — the token is never written in the command, ``jq`` reads it from step 2's file;
4. ``POST {loc}/backupCrrJob`` — the job, once the operation of step 3 names it.

The bearer token is read from ``$TOKEN`` (``curl``) or the Azure CLI's login (``az rest``).
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from ...core.api_versions import PASSIVE_STAMP
from ...core.filters import IAAS_FILTER
from ...core.ids import location_path

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import Json, JsonObject
    from ...model.points import RecoveryPoint

#: Where a secondary-region export reads the access token's properties (step 2 writes it).
TOKEN_FILE = "crr-token.json"


@dataclass(frozen=True)
class HttpCall:
    """One call of a dry-run export: what it does, method, URL, and its JSON body (or a shell stand-in)."""

    step: str
    method: str
    url: str
    body: Json = None
    #: A shell command whose output is the body (e.g. ``jq`` assembling it from a file), instead of ``body``.
    body_from: str | None = None
    #: A file the answer is written to, for a later step.
    save_as: str | None = None


class Exportable(Protocol):
    """What an export reads of a restore request (a builder of :mod:`restorekit.restore.request.builders`)."""

    point: RecoveryPoint

    @property
    def target_region(self) -> str | None:
        """Where the restore lands."""
        ...

    def properties(self) -> JsonObject:
        """The request's ``properties``."""
        ...

    def to_body(self) -> JsonObject:
        """The request's body."""
        ...


def restore_calls(request: Exportable, endpoint: str, api_version: str) -> list[HttpCall]:
    """The calls ``request`` makes: one for the vault's region, four for a secondary-region point."""
    point = request.point
    rp = quote(point.name, safe="")
    item = f"{endpoint}{point.item.path}/recoveryPoints/{rp}"
    if point.region != "secondary":
        return [HttpCall("trigger the restore", "POST", f"{item}/restore?api-version={api_version}",
                         request.to_body())]
    region = request.target_region if isinstance(request.target_region, str) and request.target_region \
        else "<secondary region>"  # an unchecked request may carry anything
    loc = f"{endpoint}{location_path(point.item.subscription_id, region)}"
    job_body = {"resourceId": point.item.vault_id, "jobName": "<jobId from the operation of step 3>"}
    assemble = (f"jq --argjson request {shlex.quote(json.dumps(request.properties()))} "
                f"'{{crossRegionRestoreAccessDetails: .properties, restoreRequest: $request}}' {TOKEN_FILE}")
    return [
        HttpCall("1. the AAD properties of the secondary region", "GET",
                 f"{loc}/backupAadProperties?api-version={PASSIVE_STAMP}&$filter={quote(IAAS_FILTER)}",
                 save_as="crr-aad.json"),
        HttpCall(f"2. a CRR access token for point {point.name} (a secret: delete {TOKEN_FILE} afterwards)", "POST",
                 f"{item}/accessToken?api-version={PASSIVE_STAMP}", body_from="cat crr-aad.json",
                 save_as=TOKEN_FILE),
        HttpCall("3. the cross-region restore (its Azure-AsyncOperation header names the operation to poll)",
                 "POST", f"{loc}/backupCrossRegionRestore?api-version={PASSIVE_STAMP}", body_from=assemble),
        HttpCall("4. the cross-region restore job, once the operation gives its jobId", "POST",
                 f"{loc}/backupCrrJob?api-version={PASSIVE_STAMP}", job_body),
    ]


def as_curl(calls: list[HttpCall], *, stdin: bool = False) -> str:
    """POSIX-shell ``curl`` commands, one per call; the bearer token comes from ``$TOKEN``."""
    out = []
    for call in calls:
        lines = [f"curl -sS -X {call.method} {shlex.quote(call.url)}", '  -H "Authorization: Bearer $TOKEN"']
        if call.body is not None or call.body_from:
            lines.append("  -H 'Content-Type: application/json'")
        if call.body_from:
            lines.append("  -d @-")
        elif call.body is not None and stdin:
            lines.append("  -d @- <<'JSON'")
        elif call.body is not None:
            lines.append(f"  -d {shlex.quote(json.dumps(call.body, default=str))}")
        if call.save_as:
            lines.append(f"  -o {call.save_as}")
        command = " \\\n".join(lines)
        if call.body_from:
            command = f"{call.body_from} | \\\n{command}"
        elif call.body is not None and stdin:
            command += f"\n{json.dumps(call.body, indent=2, default=str)}\nJSON"
        out.append(command if len(calls) == 1 else f"# {call.step}\n{command}")
    return "\n\n".join(out)


def as_az_rest(calls: list[HttpCall]) -> str:
    """``az rest`` commands, one per call, with the Azure CLI's login."""
    out = []
    for call in calls:
        parts = [f"az rest --method {call.method.lower()} --url {shlex.quote(call.url)}"]
        if call.body_from:
            parts.append("--headers 'Content-Type=application/json' --body @/dev/stdin")
        elif call.body is not None:
            parts.append(f"--headers 'Content-Type=application/json' --body {shlex.quote(json.dumps(call.body, default=str))}")
        if call.save_as:
            parts.append(f"--output-file {call.save_as}")
        command = " ".join(parts)
        if call.body_from:
            command = f"{call.body_from} | {command}"
        out.append(command if len(calls) == 1 else f"# {call.step}\n{command}")
    return "\n\n".join(out)
