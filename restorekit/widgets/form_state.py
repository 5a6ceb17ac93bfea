"""The restore form's Restore button as a state machine, apart from the widgets that show it.

``editing`` (the request has problems, or needs the VM's name typed) → ``armed`` → ``submitting`` (the one POST
is being sent) → ``submitted`` (→ ``editing`` again with :meth:`SubmitState.reset`). One click sends one restore:
a click while another is handled (re-entrant from a callback, or from another thread) or after the restore was
sent does nothing. Nothing here imports ipywidgets: the form reads :meth:`SubmitState.arming` to enable its button
and calls :meth:`SubmitState.submit` from its click handler.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Readiness:
    """What the form says of its request: whether there is one, how many problems, whether it is confirmed."""

    has_request: bool
    problems: int
    destructive: bool
    confirmed: bool
    vm_name: str | None


class SubmitState(Generic[T]):
    """Whether the Restore button is armed, and the one restore it sends (``T``: what sending returns)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.submitting = False
        self.submitted = False
        #: What the last click sent (the operation), or None.
        self.sent: T | None = None
        #: Why the last click could not send, or None.
        self.error: BaseException | None = None

    @property
    def phase(self) -> str:
        """``editing``, ``submitting`` or ``submitted`` (armed is a reading of the request: :meth:`arming`)."""
        return "submitting" if self.submitting else "submitted" if self.submitted else "editing"

    def arming(self, ready: Readiness) -> tuple[bool, str]:
        """Whether the button sends the request now, and why (not), in words."""
        if self.submitting:
            return False, "submitting the restore…"
        if self.submitted:
            return False, "restore submitted (see below); click “New restore…” to prepare another"
        if not ready.has_request:
            return False, "choose a recovery point"
        if ready.problems:
            return False, f"fix the {ready.problems} problem(s) above to arm Restore"
        if ready.destructive and not ready.confirmed:
            return False, f"type {ready.vm_name or 'the VM name'} in the confirmation box to arm Restore"
        return True, "ready: Restore sends this request once"

    def submit(self, ready: Callable[[], Readiness], send: Callable[[], T],
               on_change: Callable[[], object] = lambda: None) -> bool:
        """Send once if armed: ``send()`` in state ``submitting``, then ``submitted`` (or back to ``editing`` with
        :attr:`error` when it raised). False when the click was ignored (busy, already sent, not armed)."""
        if not self._lock.acquire(blocking=False):
            return False  # re-entrant or concurrent click while one is being handled
        try:
            if not self.arming(ready())[0]:
                return False
            self.submitting = True
            on_change()
            try:
                self.sent = send()
            except Exception as exc:  # noqa: BLE001 - shown in the form, never as a traceback in the cell
                self.error = exc
            else:
                self.error = None
                self.submitted = True
            finally:
                self.submitting = False
            return True
        finally:
            self._lock.release()

    def reset(self) -> None:
        """Prepare another restore: the button must be armed again (a confirmation too)."""
        with self._lock:
            self.submitted = False
