"""What a VM's console shows: the boot diagnostics screenshot (a BMP, as Azure's) and the serial log.

Both follow the guest's state (:mod:`.guest`): a Linux VM prints its boot to the serial port and ends at a
login prompt, or at a kernel panic when it never boots; a Windows VM shows its lock screen, "Getting devices
ready" while it boots, or a stop error. The screenshot is drawn with Pillow (loaded only when one is asked
for), 720 × 400 pixels like a text-mode console, in 8-bit colour.
"""

from __future__ import annotations

import io

from .guest import GUEST_OS, Guest

#: Console size in pixels (VGA text mode) and the colours of each screen: (background, text).
SIZE = (720, 400)
_LINUX = ((0, 0, 0), (200, 200, 200))
_WINDOWS_LOCK = ((0, 32, 96), (255, 255, 255))
_WINDOWS_STOP = ((0, 120, 215), (255, 255, 255))


def screen_lines(g: Guest) -> tuple[list[str], tuple[tuple[int, int, int], tuple[int, int, int]]]:
    """The text on the VM's screen now, and its colours."""
    name = g.vm.name
    if g.vm.os_type == "Linux":
        if g.boot_failed:
            return ["[    3.412843] VFS: Cannot open root device \"sda1\" or unknown-block(0,0): error -6",
                    "[    3.413271] Please append a correct \"root=\" boot option",
                    "[    3.413845] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
                    "[    3.414402] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs ]---"], _LINUX
        if g.power == "starting":
            return ["Booting `Ubuntu'", "", "Loading Linux 5.15.0-1057-azure ...", "Loading initial ramdisk ..."], _LINUX
        os_name, version, _ = GUEST_OS["Linux"]
        return [f"Ubuntu {version}.4 LTS {name} ttyS0", "", f"{name} login: _"], _LINUX
    if g.boot_failed:
        return [":(", "", "Your PC ran into a problem and needs to restart.",
                "We'll restart for you.", "", "Stop code: INACCESSIBLE_BOOT_DEVICE"], _WINDOWS_STOP
    if g.power == "starting" or g.agent == "absent":
        return ["", "", "Getting devices ready", "", "Please wait"], _LINUX
    return [GUEST_OS["Windows"][0], "", f"{name}", "", "Press Ctrl+Alt+Delete to unlock."], _WINDOWS_LOCK


def screenshot(g: Guest) -> bytes:
    """The console screenshot as a BMP file."""
    from PIL import Image, ImageDraw, ImageFont

    lines, (background, ink) = screen_lines(g)
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=15)
    for row, text in enumerate(lines):
        draw.text((16, 16 + row * 22), text, fill=ink, font=font)
    out = io.BytesIO()
    image.quantize(colors=16).save(out, format="BMP")
    return out.getvalue()


def serial_log(g: Guest) -> str:
    """The serial console's log up to now."""
    name, seconds = g.vm.name, g.seconds_since_boot
    if g.vm.os_type == "Windows":
        lines = ["", "Computer is booting, SAC started and initialized.", "",
                 "Use the \"ch -?\" command for information about using channels.",
                 "Use the \"?\" command for general help.", ""]
        if g.boot_failed:
            lines += ["<?xml version=\"1.0\"?><BP><INSTANCE CLASSNAME=\"BLUESCREEN\"><PROPERTY NAME=\"STOPCODE\" "
                      "TYPE=\"string\"><VALUE>\"0x7B\"</VALUE></PROPERTY></INSTANCE></BP>",
                      "!SAC>", "The system has stopped: INACCESSIBLE_BOOT_DEVICE (0x0000007B)."]
        elif g.agent != "absent":
            lines += ["SAC>", f"EVENT: The CMD command is now available. Computer name: {name[:15].upper()}"]
        return "\r\n".join(lines) + "\r\n"
    os_name, version, agent = GUEST_OS["Linux"]
    lines = ["[    0.000000] Linux version 5.15.0-1057-azure (buildd@lcy02-amd64-031) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) "
             "11.4.0) #65-Ubuntu SMP Fri Feb 9 18:39:24 UTC 2024 (Ubuntu 5.15.0-1057.65-azure 5.15.143)",
             "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-5.15.0-1057-azure root=PARTUUID=4d9f8c2a-01 ro "
             "console=tty1 console=ttyS0 earlyprintk=ttyS0",
             "[    1.204117] hv_vmbus: Vmbus version:5.3",
             "[    2.861302] sd 0:0:0:0: [sda] Attached SCSI disk"]
    if g.boot_failed:
        return "\n".join(lines + screen_lines(g)[0]) + "\n"
    if g.power == "running":
        lines += ["[    4.118542] EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null). Quota mode: none.",
                  "[  OK  ] Started Initial cloud-init job (pre-networking).",
                  "[  OK  ] Reached target Network."]
    if g.agent == "ready":
        lines += [f"[  OK  ] Started Azure Linux Agent (WALinuxAgent {agent}).",
                  "[  OK  ] Reached target Multi-User System.", "",
                  f"Ubuntu {version}.4 LTS {name} ttyS0", "", f"{name} login: "]
    elif g.power == "running":
        lines += [f"         Starting Azure Linux Agent... ({seconds:.0f} s since power on)"]
    return "\n".join(lines) + "\n"
