"""Recover files in a notebook: :class:`FileRecoveryPanel` mounts a point, shows the script, the expiry and the
steps, keeps the password hidden until asked, and revokes the session.

The panel is a tab of :class:`~restorekit.widgets.form.RestoreForm` and works alone. Mounting runs in a
background thread that only sets widget traits (the cell returns at once); a double click mounts once. The
password appears only after a click on "Show password", for :data:`SHOW_SECONDS`, then is hidden again (a
widget's value may be saved with the notebook's widget state: it does not stay there).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from html import escape
from typing import TYPE_CHECKING, Any, Protocol

import ipywidgets as widgets
import traitlets

from ..core.errors import FileRecoveryRefused, RestorekitError
from ..core.times import format_moment
from ..model.points import RecoveryPoint, RecoveryPoints
from ..restore.file_recovery.mountable import check_mountable
from .picker import RecoveryPointPicker

if TYPE_CHECKING:  # pragma: no cover
    from ..core.json_values import JsonObject
    from ..restore.file_recovery.session import FileRecovery

#: How long a revealed password stays on screen.
SHOW_SECONDS = 60.0
_HIDDEN = "<code>•••••••••••••••</code> <small>(hidden)</small>"


class FileRecoveryItem(Protocol):
    """What the panel needs of the VM (a :class:`~restorekit.client.resources.ProtectedItem`)."""

    @property
    def vm_name(self) -> str:
        """The VM's name."""
        ...

    @property
    def properties(self) -> JsonObject:
        """The item as last read (a soft-deleted item cannot be mounted)."""
        ...

    def recovery_points(self) -> RecoveryPoints:
        """The points the picker offers."""
        ...

    def file_recovery(self, point: RecoveryPoint, **options: Any) -> FileRecovery:
        """Mount ``point`` (the Mount button)."""
        ...


class FileRecoveryPanel(widgets.VBox):
    """Mount a recovery point of ``item`` for file recovery, then unmount it (see the module doc).

    ``session`` is the :class:`~restorekit.restore.file_recovery.session.FileRecovery` once mounted; ``options``
    go to ``item.file_recovery`` (``folder``, ``api_version``, ``poll_interval``…). :meth:`wait` waits for a
    mount or revoke running in the background.
    """

    session = traitlets.Any(None, allow_none=True, help="the open file recovery session, or None")

    def __init__(self, item: FileRecoveryItem, point: RecoveryPoint | None = None, *,
                 points: Iterable[RecoveryPoint] | None = None, **options: Any) -> None:
        self.item = item
        self.options = options
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._busy = False
        self._worker: threading.Thread | None = None
        self._hide_timer: threading.Timer | None = None
        listed = list(points) if points is not None else list(item.recovery_points())
        self.picker = RecoveryPointPicker(listed, value=point)
        self.picker.add_class("rk-file-recovery-point")
        archive = self.picker.tier_buttons.get("archive")
        if archive is not None and not (isinstance(point, RecoveryPoint) and point.is_archived_only):
            archive.value = False  # archived points cannot be mounted: not offered unless asked for
        self.point_message = widgets.HTML()
        self.point_message.add_class("rk-file-recovery-point-message")
        wide = widgets.Layout(width="auto")
        self.mount_button = widgets.Button(description="Mount recovery point", icon="hdd-o", button_style="primary",
                                           tooltip="open a file recovery session on this point (nothing is restored)",
                                           layout=wide)
        self.mount_button.add_class("rk-file-recovery-mount")
        self.mount_button.on_click(self._on_mount)
        self.revoke_button = widgets.Button(description="Unmount and revoke", icon="eject", button_style="warning",
                                            disabled=True, tooltip="close the session: backups of the VM work again",
                                            layout=widgets.Layout(width="auto"))
        self.revoke_button.add_class("rk-file-recovery-revoke")
        self.revoke_button.on_click(self._on_revoke)
        self.show_button = widgets.Button(description="Show password", icon="eye", disabled=True,
                                          tooltip=f"show the session's password for {SHOW_SECONDS:.0f} s",
                                          layout=widgets.Layout(width="auto"))
        self.show_button.add_class("rk-file-recovery-show-password")
        self.show_button.on_click(self._on_show)
        self.status = widgets.HTML()
        self.status.add_class("rk-file-recovery-status")
        self.password = widgets.HTML(_HIDDEN)
        self.password.add_class("rk-file-recovery-password")
        self.details = widgets.HTML()
        self.details.add_class("rk-file-recovery-details")
        self.picker.observe(self._on_point, "value")
        name = item.vm_name or "?"
        super().__init__([
            widgets.HTML(f"<h3 style='margin:4px 0'>Recover files from VM {escape(name)}</h3>"
                         "<small>Mounts the point's disks on a machine of yours through a script: nothing is "
                         "restored, nothing is overwritten.</small>"),
            self.picker, self.point_message, widgets.HBox([self.mount_button, self.revoke_button, self.status]),
            widgets.HBox([widgets.HTML("<b>Password</b>&nbsp;"), self.password, self.show_button]), self.details])
        self.add_class("rk-file-recovery")
        self._on_point()

    # --- choosing -------------------------------------------------------------------------------------
    def _refusal(self, point: RecoveryPoint | None) -> str | None:
        if point is None:
            return "choose a recovery point"
        try:
            check_mountable(point, self.item.properties)
        except FileRecoveryRefused as exc:
            return str(exc)
        return None

    def _on_point(self, _change: object = None) -> None:
        refusal = self._refusal(self.picker.value)
        self.point_message.value = (f"<div style='color:#b00020'>{escape(refusal)}</div>" if refusal else "")
        self._render_buttons()

    def _render_buttons(self) -> None:
        open_ = self.session is not None and not self.session.revoked
        self.mount_button.disabled = self._busy or open_ or self._refusal(self.picker.value) is not None
        self.revoke_button.disabled = self._busy or not open_
        self.show_button.disabled = self._busy or not open_

    # --- mounting and revoking ------------------------------------------------------------------------
    def _start(self, work: Callable[[], None], label: str) -> None:
        """Run ``work`` in a background thread, once at a time (a double click starts it once)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self._busy:
                return
            self._busy = True
        finally:
            self._lock.release()
        self._render_buttons()
        self.status.value = f"<small>{escape(label)}…</small>"
        self._worker = threading.Thread(target=self._run, args=(work,), name="restorekit-file-recovery", daemon=True)
        self._worker.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
            self.error = None
        except (RestorekitError, OSError) as exc:  # shown in the panel, never as a traceback
            self.error = exc
            self.status.value = f"<div style='color:#b00020'><pre style='white-space:pre-wrap'>{escape(str(exc))}</pre></div>"
        finally:
            self._busy = False
            self._render_buttons()

    def _on_mount(self, _button: widgets.Button | None = None) -> None:
        self.mount_button.disabled = True  # first: a second click in flight finds it off
        point = self.picker.value
        if self._refusal(point) is not None or (self.session is not None and not self.session.revoked):
            self._render_buttons()
            return

        def mount() -> None:
            session = self.item.file_recovery(point, **self.options)
            self.session = session
            self.status.value = (f"<span style='color:#1b5e20'>✔ Mounted: open until "
                                 f"{escape(format_moment(session.expires_at))}</span>")
            steps = "".join(f"<li>{escape(step)}</li>" for step in session.instructions)
            self.details.value = (f"<div><b>Script</b> (only you can read it): <code>{escape(str(session.script_path))}"
                                  f"</code> ({escape(session.os_type)})</div><ol>{steps}</ol>")

        self._start(mount, "mounting (provisioning the file recovery session)")

    def _on_revoke(self, _button: widgets.Button | None = None) -> None:
        self.revoke_button.disabled = True
        session = self.session
        if session is None or session.revoked:
            return

        def revoke() -> None:
            session.revoke()
            self._hide()
            self.status.value = "<span>Session revoked: the disks are unmounted, the script deleted.</span>"
            self.details.value = ""

        self._start(revoke, "revoking")

    def _on_show(self, _button: widgets.Button | None = None) -> None:
        session = self.session
        if session is None or session.revoked:
            return
        self.password.value = f"<code>{escape(session.reveal_password())}</code>"
        if self._hide_timer is not None:
            self._hide_timer.cancel()
        self._hide_timer = threading.Timer(SHOW_SECONDS, self._hide)
        self._hide_timer.daemon = True
        self._hide_timer.start()

    def _hide(self) -> None:
        self.password.value = _HIDDEN

    def wait(self, timeout: float | None = 120.0) -> FileRecoveryPanel:
        """Wait for a mount or revoke running in the background; returns the panel."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return self

    def __repr__(self) -> str:
        state = repr(self.session) if self.session is not None else "nothing mounted"
        return f"<FileRecoveryPanel VM {self.item.vm_name}: {state}>"


__all__ = ["FileRecoveryPanel"]
