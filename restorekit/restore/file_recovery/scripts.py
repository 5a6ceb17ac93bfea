"""The script that mounts a recovery point, as the service hands it over, saved where only the user can read it.

The service's ``clientScripts`` (``InstantItemRecoveryTarget``) hold, per OS, a script's content (base64) or the
URL of an executable, its extension, and ``scriptNameSuffix``: the file's name with the session's 15-character
password inserted 32 characters after its last ``_``, which the Azure CLI cuts out (``az backup restore files
mount-rp``) and so does :func:`split_suffix`. A Windows VM's executable (``.exe``, from its signed URL) is
preferred to its PowerShell script, as the CLI does; a Linux VM gets a Python script.

:func:`save` writes the file with mode 0600 in a folder of mode 0700 (the script, like Azure's, is the key to an
iSCSI target); the password becomes a :class:`~restorekit.core.secret.Secret`.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...core.errors import TransportError
from ...core.secret import Secret

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import Json

#: Where the password sits in ``scriptNameSuffix``: 32 characters after the last ``_``, 15 characters long.
PASSWORD_OFFSET, PASSWORD_LENGTH = 33, 15


@dataclass(frozen=True)
class ClientScript:
    """One entry of ``clientScripts``."""

    os_type: str
    extension: str
    name_suffix: str
    content: str | None = None
    url: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Json]) -> ClientScript:
        """Read one entry as the service writes it."""
        return cls(os_type=str(raw.get("osType") or ""), extension=str(raw.get("scriptExtension") or ""),
                   name_suffix=str(raw.get("scriptNameSuffix") or ""), content=raw.get("scriptContent") or None,
                   url=raw.get("url") or None)

    def __repr__(self) -> str:  # the suffix holds the password: never shown
        return f"<ClientScript {self.os_type} {self.extension} ({'URL' if self.url else 'inline'})>"


def client_scripts(target: Json) -> list[ClientScript]:
    """The entries of an ``InstantItemRecoveryTarget`` (``{clientScripts: [...]}``); TransportError when none."""
    raw = target.get("clientScripts") if isinstance(target, Mapping) else None
    scripts = [ClientScript.from_dict(s) for s in raw or [] if isinstance(s, Mapping)]
    if not scripts:
        raise TransportError("the file recovery session's answer carries no script (clientScripts is empty)")
    return scripts


def choose(scripts: list[ClientScript], os_type: str | None) -> ClientScript:
    """The script to use: for the VM's OS (the first script's when unknown), the executable first on Windows."""
    wanted = os_type or scripts[0].os_type
    mine = [s for s in scripts if s.os_type.lower() == wanted.lower()] or scripts
    return next((s for s in mine if s.url), mine[0]) if wanted.lower() == "windows" else mine[0]


def split_suffix(suffix: str) -> tuple[str, Secret]:
    """``scriptNameSuffix`` → (the file name without extension, the password as a :class:`Secret`)."""
    start = suffix.rfind("_") + PASSWORD_OFFSET
    password = suffix[start:start + PASSWORD_LENGTH]
    if suffix.rfind("_") < 0 or len(password) != PASSWORD_LENGTH:
        raise TransportError("the file recovery script's name carries no password where the service puts it")
    return suffix[:start] + suffix[start + PASSWORD_LENGTH:], Secret(password, "the file recovery password")


def script_bytes(script: ClientScript, download: Callable[[str], bytes]) -> bytes:
    """The script's content: decoded from base64, or downloaded from its URL (``download(url)``)."""
    if script.url:
        return download(script.url)
    try:
        return base64.b64decode(script.content or "", validate=True)
    except (binascii.Error, ValueError):
        raise TransportError("the file recovery script's content is not base64") from None


def private_folder(path: Path) -> Path:
    """``path`` created if needed, readable by its owner only (mode 0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def save(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/name`` with mode 0600 (its owner reads it; ``python3 file`` runs it)."""
    path = private_folder(folder) / Path(name).name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):  # an older file of another mode is made private too
            os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return path
