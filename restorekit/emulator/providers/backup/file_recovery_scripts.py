"""The scripts a file recovery session hands over (``InstantItemRecoveryTarget.clientScripts``), per OS.

As the Azure CLI reads them (``az backup restore files mount-rp``): a Linux VM gets one script, its content in
base64 (``scriptContent``, ``.py``); a Windows VM gets a PowerShell script and an executable to download (``url``,
``.exe``). ``scriptNameSuffix`` is the file's name without its extension, with the session's 15-character password
inserted 32 characters after its last ``_``: the CLI cuts the password out of it to name the file and shows it
to the user. The emulator's scripts connect to nothing: they say what Azure's would do.
"""

from __future__ import annotations

import base64
from typing import Any

from ...clock import iso
from ...state.file_recovery import FileRecoverySession

#: Where a session's Windows executable is downloaded from: ``/fileRecovery/{download key}/{file}.exe``.
DOWNLOAD_PREFIX = "/fileRecovery/"


def file_stem(session: FileRecoverySession) -> str:
    """The script's file name without extension: ``{vm}_{region}_{32 hex digits}``."""
    return f"{session.vm.name}_{session.vm.vault.location}_{session.id.replace('-', '')}"


def name_suffix(session: FileRecoverySession) -> str:
    """``scriptNameSuffix``: the file stem with the password after the 32 characters that follow its last ``_``."""
    return file_stem(session) + session.password


def client_scripts(session: FileRecoverySession, base_url: str) -> list[dict[str, Any]]:
    """The session's ``clientScripts``: a Python script for Linux; a PowerShell script and an executable for Windows."""
    suffix = name_suffix(session)
    if session.vm.os_type == "Linux":
        return [{"scriptContent": _b64(linux_script(session)), "scriptExtension": ".py", "osType": "Linux",
                 "scriptNameSuffix": suffix}]
    return [{"scriptContent": _b64(windows_script(session)), "scriptExtension": ".ps1", "osType": "Windows",
             "scriptNameSuffix": suffix},
            {"url": f"{base_url}{DOWNLOAD_PREFIX}{session.download_key}/{file_stem(session)}.exe",
             "scriptExtension": ".exe", "osType": "Windows", "scriptNameSuffix": suffix}]


def recovery_target(session: FileRecoverySession, base_url: str) -> dict[str, Any]:
    """An ``InstantItemRecoveryTarget``."""
    return {"clientScripts": client_scripts(session, base_url)}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def linux_script(session: FileRecoverySession) -> str:
    """The Linux script (Python 3): it prints what Azure's script does and mounts nothing."""
    return f'''#!/usr/bin/env python3
"""Azure Backup file recovery script: a stand-in written by the restorekit emulator (it mounts nothing).

VM {session.vm.name}, recovery point {session.point_name}; iSCSI target {session.target} at {session.portal};
the session closes at {iso(session.expires_at)} unless revoked sooner.
"""
import sys

STEPS = (
    "install open-iscsi if it is missing",
    "ask for the session's password (shown where the script was generated)",
    "log in to {session.target} at {session.portal}",
    "mount each volume of the recovery point under ./{file_stem(session)}/ (LVM: mount -o nouuid)",
)


def main() -> int:
    print("Azure's script would:")
    for step in STEPS:
        print(" -", step)
    print("This is the restorekit emulator: there is nothing to mount.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''


def windows_script(session: FileRecoverySession) -> str:
    """The Windows PowerShell script: it prints what Azure's executable does and mounts nothing."""
    return (f"# Azure Backup file recovery: a stand-in written by the restorekit emulator (it mounts nothing).\r\n"
            f"# VM {session.vm.name}, recovery point {session.point_name}; iSCSI target {session.target} at "
            f"{session.portal}; the session closes at {iso(session.expires_at)} unless revoked sooner.\r\n"
            "Write-Host \"Azure's executable would start the iSCSI initiator, ask for the session's password, \"\r\n"
            "Write-Host \"and attach each volume of the recovery point as a drive letter.\"\r\n"
            "Write-Host \"This is the restorekit emulator: there is nothing to mount.\"\r\n")


def windows_executable(session: FileRecoverySession) -> bytes:
    """The executable's stand-in: an ``MZ`` header and a note (not a program)."""
    note = (f"restorekit emulator stand-in for Azure Backup's file recovery executable: VM {session.vm.name}, "
            f"recovery point {session.point_name}. It is not a program and mounts nothing.\r\n")
    return b"MZ" + bytes(62) + note.encode()
