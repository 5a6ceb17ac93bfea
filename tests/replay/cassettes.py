"""The Azure CLI's recorded ``az backup`` sessions (``../shared/recordings/azure-cli/cassettes``), read for replay.

Each cassette is a vcrpy YAML file: every HTTP call the CLI made against Azure, in order, with Azure's answer.
:func:`interactions` reads one into :class:`Interaction` values (index = position in the cassette, as the
recordings' README and ``azure-cli-backup.json`` count them). The ARM host is dropped from URLs; nothing else
is changed.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

RECORDINGS = Path(__file__).resolve().parents[2].parent / "shared" / "recordings" / "azure-cli"
CASSETTES = RECORDINGS / "cassettes"
#: The IaaS VM sessions (the cassettes of anything else: ``test_cvm_os_des_id`` records one 404 of a group).
IAAS_VM = ("test_backup_restore", "test_backup_disk_exclusion", "test_backup_job", "test_backup_crr",
           "test_backup_restore_when_storage_in_different_rg", "test_backup_rp", "test_backup_archive",
           "test_backup_encryption", "test_backup_identity")
ARM = "https://management.azure.com"


def canonical(path: str) -> str:
    """A path as ARM compares them: percent-decoded, without case (``resourcegroups`` = ``resourceGroups``)."""
    return unquote(path).lower()


@dataclass(frozen=True)
class Interaction:
    """One recorded call and Azure's answer."""

    cassette: str
    index: int
    method: str
    path: str
    query: dict[str, str]
    request_body: Any
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def key(self) -> tuple[str, str, str | None]:
        """What a replayed request must match: method, path and ``$filter`` (the api-version does not count)."""
        return self.method, canonical(self.path), self.query.get("$filter")

    @property
    def on_arm(self) -> bool:
        """True for a call to Azure Resource Manager (not to a blob endpoint or GitHub)."""
        return not self.path.startswith("http")

    @property
    def is_write(self) -> bool:
        """True for a call that may change something (every method but GET): answers recorded after it come later."""
        return self.method != "GET"

    def __repr__(self) -> str:
        return f"<{self.cassette}#{self.index} {self.method} {self.status} {self.path[-70:]}>"


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("string")
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        value = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def _json(value: Any) -> Any:
    text = _text(value)
    if not text or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


@cache
def interactions(cassette: str) -> tuple[Interaction, ...]:
    """Every call of ``cassette`` (e.g. ``"test_backup_restore"``), in recorded order."""
    with open(CASSETTES / f"{cassette}.yaml", encoding="utf-8") as f:
        doc = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out = []
    for index, recorded in enumerate(doc["interactions"]):
        request, response = recorded["request"], recorded["response"]
        url = urlsplit(request["uri"])
        on_arm = request["uri"].startswith(ARM)
        headers = {name: (values[0] if isinstance(values, list) else values)
                   for name, values in (response.get("headers") or {}).items()}
        out.append(Interaction(cassette, index, request["method"].upper(), url.path if on_arm else request["uri"],
                               dict(parse_qsl(url.query, keep_blank_values=True)), _json(request.get("body")),
                               int(response["status"]["code"]), headers, _json(response.get("body"))))
    return tuple(out)


def find(cassette: str, method: str, path_end: str) -> list[Interaction]:
    """The calls of ``cassette`` with ``method`` whose decoded path ends with ``path_end`` (any case)."""
    end = path_end.lower()
    return [i for i in interactions(cassette) if i.method == method and i.on_arm and canonical(i.path).endswith(end)]
