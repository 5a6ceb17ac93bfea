"""What to do with a file recovery script: where to run it, the traps (LVM, RAID), how to unmount.

:func:`instructions` gives the steps as text (a list of lines), per OS, for one session: the file, the region the
machine must reach, the expiry. The traps are the ones users hit: the source VM is not the place to run it when
it is down or compromised; LVM volumes have the source's UUIDs (mount XFS with ``-o nouuid``, rename a clashing
volume group with ``vgimportclone``: MicrosoftDocs/azure-docs#104959); software RAID must be assembled; a session
left open makes the VM's scheduled backups fail, so unmount and revoke when done.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ...core.times import format_moment


def instructions(os_type: str, script: Path, *, region: str | None, expires_at: datetime | None,
                 vm_name: str) -> list[str]:
    """The steps, one line each, for the session's script ``script`` on ``os_type``."""
    where = (f"Run it on a machine that can reach Azure in {region} (outbound TCP 3260 to the iSCSI target, and "
             "HTTPS): any VM or computer, ideally not the source VM " if region else
             "Run it on a machine that can reach the vault's region (outbound TCP 3260 to the iSCSI target, and "
             "HTTPS): any VM or computer, ideally not the source VM ")
    where += f"{vm_name} (never when it is down, unbootable or compromised: that is what the backup is for)."
    until = (f"The session closes by itself at {format_moment(expires_at)}; unmount before then."
             if expires_at is not None else "The session closes by itself 12 hours after it opened.")
    if os_type.lower() == "windows":
        steps = [
            f"Copy {script.name} to a Windows machine (Windows Server 2012 R2 / Windows 8.1 or later). {where}",
            "Run it as an administrator and enter the password (session.reveal_password(), or the form's "
            "'Show password' button); each volume of the recovery point appears as a drive letter.",
            "Storage Spaces or dynamic disks: bring the pool or the disks online in Server Manager / Disk Management "
            "before the volumes show.",
            "Copy the files you need, then unmount: run the executable again and choose to unmount (or close the "
            "disks in Disk Management), and revoke the session (session.revoke()).",
        ]
    else:
        steps = [
            f"Copy {script.name} to a Linux machine with Python 3 whose kernel reads the source's file systems (the "
            f"same distribution or newer). {where}",
            f"Run sudo python3 {script.name} and enter the password (session.reveal_password(), or the form's "
            "'Show password' button); the volumes are mounted in a folder beside the script.",
            "LVM: the logical volumes carry the source's UUIDs. Mount XFS volumes with mount -o nouuid; if the "
            "volume group's name clashes with one of this machine, rename it with vgimportclone first "
            "(MicrosoftDocs/azure-docs#104959).",
            "Software RAID (mdadm): mdadm --assemble --scan, then mount the md device the script lists.",
            "Copy the files you need, then unmount: sudo umount each mount point, run the script again with -clean, "
            "and revoke the session (session.revoke()).",
        ]
    return [*steps, until, "An open session makes the VM's scheduled backups fail: revoke it as soon as you are done "
            "(az.open_file_recoveries() lists the sessions never revoked, from any kernel)."]
