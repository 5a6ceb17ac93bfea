"""A file recovery session: provisioned on a recovery point, followed to its end, revoked when done.

:func:`provision` checks the point (``mountable``), journals the session, sends
``POST {item}/recoveryPoints/{rp}/provisionInstantItemRecovery`` once, follows its long-running operation, reads
the scripts (from the operation's status up to 2026-02-01; from ``listInstantItemRecoveryOperationResult`` from
2026-08-01, an action of its own that RBAC may deny), saves the script for the VM's OS (mode 0600) and returns a
:class:`FileRecovery`: the script's path, the password (hidden), the expiry (12 hours, as Azure keeps a session),
the instructions. :meth:`FileRecovery.revoke` (``revokeInstantItemRecovery``) closes it, deletes the script and
journals the end; :class:`UnclosedFileRecovery` does the same for a session another kernel left open.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.api_versions import BACKUP, FILE_RECOVERY_RESULT
from ...core.errors import ArmError, FileRecoveryRefused, OperationFailed, TransportError
from ...core.ids import ItemRef
from ...core.redaction import redact_text
from ...core.secret import Secret
from ...core.times import format_moment, parse_time
from ...transport.anonymous import download
from ...transport.polling import LongRunningOperation
from . import journal as sessions
from .instructions import instructions
from .mountable import check_mountable
from .scripts import ClientScript, choose, client_scripts, save, script_bytes, split_suffix

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import Json, JsonObject
    from ...core.protocols import ArmApi
    from ...model.points import RecoveryPoint
    from ..context import RestoreConnection
    from ..journal.store import Record

#: How long Azure keeps a session open (then it unmounts by itself).
SESSION_HOURS = 12
#: How long provisioning may take before restorekit stops waiting (the session may still open: revoke it).
PROVISION_TIMEOUT = 900.0


def provision(connection: RestoreConnection, item: ItemRef, point: RecoveryPoint, *,
              item_properties: JsonObject | None = None, vault_location: str | None = None,
              folder: str | Path | None = None, api_version: str | None = None, poll_interval: float | None = None,
              timeout: float = PROVISION_TIMEOUT, sleep: Callable[[float], Any] = time.sleep) -> FileRecovery:
    """Open a file recovery session on ``point`` of ``item`` through ``connection`` and return it, its script saved
    (see the module doc). ``item_properties`` (the item as last read) refuse a soft-deleted item offline."""
    check_mountable(point, item_properties)
    journal = connection.journal
    arm = connection.arm
    version = api_version or BACKUP
    path = f"{item.path}/recoveryPoints/{point.name}"
    source = (item_properties or {}).get("sourceResourceId")
    vm_id = str(source or point.source_vm_id or item.source_vm_id)
    session_id = sessions.begin(journal, endpoint=arm.endpoint, subscription=item.subscription_id,
                                vault=f"{item.vault_resource_group}/{item.vault_name}", item_id=item.path,
                                vm=f"{item.vm_resource_group}/{item.vm_name}", point=point.name,
                                point_time=format_moment(point.time, "iso") if point.time else None,
                                who=connection.principal or "unknown", api_version=version)
    body = {"properties": {"objectType": "IaasVMILRRegistrationRequest", "recoveryPointId": point.name,
                           "virtualMachineId": vm_id,
                           "renewExistingRegistration": bool(point.properties.get("isInstantIlrSessionActive"))}}
    try:
        answer = arm.request("POST", f"{path}/provisionInstantItemRecovery", json_body=body, api_version=version,
                             ok=(200, 202))
    except ArmError as exc:
        if exc.status < 500:  # refused: nothing was opened
            sessions.note(journal, session_id, "closed", state="Refused",
                          error=redact_text(f"{exc.code}: {exc.message}")[:400])
            raise _refused(exc, point) from None
        raise
    operation = LongRunningOperation.from_response(arm, answer, poll_interval=poll_interval, sleep=sleep)
    opened_at = arm.server_now() if hasattr(arm, "server_now") else None
    try:
        result = operation.run(timeout=timeout)
        operation_id = (operation.url or "").split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        target = _recovery_target(arm, path, result.body, operation_id, version, point.name)
        script = choose(client_scripts(target), point.os_type)
        name, password = split_suffix(script.name_suffix)
        data = script_bytes(script, download)
        saved = save(Path(folder) if folder is not None else sessions.scripts_folder(journal), name + script.extension,
                     data)
    except ListingDenied as exc:  # the session is open but its scripts cannot be read: close it again
        revoke_session(connection, item.path, point.name, session_id=session_id, script_path=None,
                       api_version=version, poll_interval=poll_interval, sleep=sleep)
        raise FileRecoveryRefused(f"{exc} The session was revoked again; nothing is left open.") from None
    except OperationFailed as exc:  # the service could not open it: nothing to revoke
        sessions.note(journal, session_id, "closed", state="Failed", error=redact_text(str(exc).splitlines()[0])[:400])
        raise
    except (ArmError, TransportError, TimeoutError) as exc:
        raise TransportError(f"{str(exc).splitlines()[0]}. The file recovery session of point {point.name} may be "
                             "open: az.open_file_recoveries() lists it, .revoke() closes it.") from None
    expires_at = (opened_at or datetime.now(UTC)) + timedelta(hours=SESSION_HOURS)
    sessions.note(journal, session_id, "open", state="Open", operation_id=operation_id, os=script.os_type,
                  script=str(saved), expires_at=format_moment(expires_at, "iso"))
    return FileRecovery(connection=connection, item=item, point_name=point.name, point_time=point.time,
                        script=script, script_path=saved, password=password, expires_at=expires_at,
                        session_id=session_id, operation_id=operation_id, region=vault_location or point.vault_location,
                        api_version=version, poll_interval=poll_interval, sleep=sleep)


class ListingDenied(FileRecoveryRefused):
    """The caller may provision a session but not read its scripts (``listInstantItemRecoveryOperationResult``)."""


def _recovery_target(arm: ArmApi, path: str, body: Json, operation_id: str, version: str, point_name: str) -> Json:
    """The session's ``InstantItemRecoveryTarget``: in the status up to 2026-02-01, from its own action after."""
    props = body.get("properties") if isinstance(body, dict) else None
    target = props.get("recoveryTarget") if isinstance(props, dict) else None
    if target is None and version >= FILE_RECOVERY_RESULT:
        try:
            target = arm.request("POST", f"{path}/listInstantItemRecoveryOperationResult", api_version=version,
                                 json_body={"provisionInstantItemRecoveryOperationId": operation_id}).body
        except ArmError as exc:
            if exc.status != 403:
                raise
            raise ListingDenied(
                f"the file recovery scripts of point {point_name} cannot be read: from api-version "
                f"{FILE_RECOVERY_RESULT} they come from listInstantItemRecoveryOperationResult, an action your role "
                f"lacks ({exc.code}: {exc.message}). Ask for a role that includes "
                "'Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints/"
                "listInstantItemRecoveryOperationResult/action' (Backup Operator), or use an earlier api-version "
                "(api_version='2026-02-01').") from None
    if target is None:
        raise TransportError(f"the file recovery session of point {point_name} opened, but its answer names no "
                             f"script (api-version {version})")
    return target


def _refused(exc: ArmError, point: RecoveryPoint) -> Exception:
    """The service's refusal, said as restorekit says what it refuses itself."""
    return FileRecoveryRefused(f"the Backup service refused to mount recovery point {point.name}: {exc.code}: "
                               f"{exc.message} (HTTP {exc.status}). Nothing was opened.")


def revoke_session(connection: RestoreConnection, item_path: str, point_name: str, *, session_id: str,
                   script_path: str | Path | None, api_version: str = BACKUP, poll_interval: float | None = None,
                   sleep: Callable[[float], Any] = time.sleep, timeout: float = 300.0) -> None:
    """``revokeInstantItemRecovery`` on the point, followed to its end; then the script is deleted and the session
    journaled closed. A point the service no longer knows (expired, purged) has nothing to revoke."""
    arm = connection.arm
    try:
        answer = arm.request("POST", f"{item_path}/recoveryPoints/{point_name}/revokeInstantItemRecovery",
                             api_version=api_version, ok=(200, 202, 204))
    except ArmError as exc:
        if exc.status != 404:
            raise
    else:
        LongRunningOperation.from_response(arm, answer, poll_interval=poll_interval, sleep=sleep).run(timeout=timeout)
    if script_path:
        Path(script_path).unlink(missing_ok=True)
    sessions.note(connection.journal, session_id, "closed", state="Revoked")


class FileRecovery:
    """An open file recovery session: the script to run, its password (hidden), when it closes, how to proceed.

    ``script_path`` (mode 0600), ``password`` (a :class:`~restorekit.core.secret.Secret`; :meth:`reveal_password`
    gives it), ``expires_at``, ``os_type``, :attr:`instructions`; :meth:`revoke` closes it.
    """

    def __init__(self, *, connection: RestoreConnection, item: ItemRef, point_name: str, point_time: datetime | None,
                 script: ClientScript, script_path: Path, password: Secret, expires_at: datetime, session_id: str,
                 operation_id: str, region: str | None, api_version: str, poll_interval: float | None,
                 sleep: Callable[[float], Any]) -> None:
        self._connection = connection
        self.item = item
        self.point_name = point_name
        self.point_time = point_time
        self.os_type = script.os_type
        self.script_path = script_path
        self.password = password
        self.expires_at = expires_at
        self.session_id = session_id
        self.operation_id = operation_id
        self.region = region
        self._api_version = api_version
        self._poll = (poll_interval, sleep)
        self.revoked = False

    @property
    def is_open(self) -> bool:
        """True until revoked or expired (by the service's clock when known)."""
        return not self.revoked and self._connection.arm.server_now() < self.expires_at

    def reveal_password(self) -> str:
        """The session's password, to type when the script asks. Do not print it in a saved notebook."""
        return self.password.reveal()

    @property
    def instructions(self) -> list[str]:
        """Where to run the script, the LVM and RAID notes, how to unmount: one step per line."""
        return instructions(self.os_type, self.script_path, region=self.region, expires_at=self.expires_at,
                            vm_name=self.item.vm_name)

    def revoke(self) -> None:
        """Close the session (``revokeInstantItemRecovery``), delete the script, journal it; twice is harmless."""
        if self.revoked:
            return
        interval, sleep = self._poll
        revoke_session(self._connection, self.item.path, self.point_name, session_id=self.session_id,
                       script_path=self.script_path, api_version=self._api_version, poll_interval=interval,
                       sleep=sleep)
        self.revoked = True

    def __enter__(self) -> FileRecovery:
        return self

    def __exit__(self, *exc: object) -> None:
        self.revoke()

    def _state(self) -> str:
        return "revoked" if self.revoked else f"open until {format_moment(self.expires_at)}"

    def __repr__(self) -> str:
        when = f" ({format_moment(self.point_time)})" if self.point_time else ""
        return (f"<FileRecovery of VM {self.item.vm_resource_group}/{self.item.vm_name}, point {self.point_name}"
                f"{when}: {self._state()}; {self.os_type} script {self.script_path}; password hidden "
                f"(.reveal_password()){self._where()}>")

    def _where(self) -> str:
        return " [local emulator, not Azure]" if self._connection.is_emulator else ""

    def _repr_html_(self) -> str:
        from html import escape

        from ...core.html import fields_table

        table = fields_table([("VM", f"{self.item.vm_resource_group}/{self.item.vm_name}"),
                              ("recovery point", f"{self.point_name} ({format_moment(self.point_time)})"),
                              ("state", self._state()), ("script", str(self.script_path)),
                              ("password", "hidden: session.reveal_password()"), ("OS", self.os_type)]
                             + ([("where", "local emulator, not Azure")] if self._connection.is_emulator else []),
                             "restorekit-file-recovery", "File recovery session")
        steps = "".join(f"<li>{escape(step)}</li>" for step in self.instructions)
        return f"{table}<ol class='restorekit-file-recovery-steps'>{steps}</ol>"


class UnclosedFileRecovery:
    """A journaled session never closed (maybe by a kernel that died): :meth:`revoke` closes it."""

    def __init__(self, record: Record, connection: RestoreConnection) -> None:
        self.record = record
        self._connection = connection

    @property
    def session_id(self) -> str:
        """The journal's id of the session."""
        return self.record.id

    @property
    def expires_at(self) -> datetime | None:
        """When the session closes by itself (None when its provisioning never finished)."""
        return parse_time(self.record.get("expires_at")) if self.record.get("expires_at") else None

    def revoke(self, *, poll_interval: float | None = None, sleep: Callable[[float], Any] = time.sleep) -> None:
        """Close the session, delete its script, journal it."""
        script = self.record.get("script")
        revoke_session(self._connection, str(self.record.get("item_id")), str(self.record.get("point")),
                       session_id=self.session_id, script_path=script if isinstance(script, str) else None,
                       api_version=str(self.record.get("api_version") or BACKUP), poll_interval=poll_interval,
                       sleep=sleep)

    def __repr__(self) -> str:
        r = self.record
        state = (f"open until {format_moment(self.expires_at)}" if self.expires_at else
                 "provisioning never finished: maybe open")
        return (f"<unclosed file recovery of VM {r.get('vm')}, point {r.get('point')}, started {r.submitted} "
                f"by {r.get('who')} on {r.get('host')} (pid {r.get('pid')}): {state}"
                f"{' [local emulator, not Azure]' if self._connection.is_emulator else ''}>")
