"""The boot diagnostics blobs, served as Azure Storage serves a blob to a SAS link (not ARM: no bearer token).

``GET /{md-account}/{container}/{vm}.{vmId}.screenshot.bmp?sv=…&se=…&sig=…`` answers the console screenshot
(``image/bmp``), ``….serialconsole.log`` the serial log (``text/plain``), both drawn from the VM's guest now
(:mod:`.console`). A link the emulator did not sign, or one past its expiry, is 403 ``AuthenticationFailed``;
a VM that is gone, 404 ``BlobNotFound``: Storage's XML errors. The gateway asks :func:`blob_endpoint` before
any ARM check, as it asks the token endpoint.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime

from werkzeug.wrappers import Request, Response

from ..estate.inventory import ComputeVM
from ..state import State
from ..state.sas import SIGNED_VERSION
from .console import screenshot, serial_log
from .guest import guest
from .vm_guest import diagnostics_paths

_BLOB = re.compile(r"^/(?P<account>md-[a-z0-9]+)/(?P<container>[^/]+)/(?P<blob>[^/]+)$")
_VM_ID = re.compile(r"\.(?P<uuid>[0-9a-f-]{36})\.(?:screenshot\.bmp|serialconsole\.log)$", re.I)


def _storage_error(status: int, code: str, message: str, detail: str | None = None) -> Response:
    now = format_datetime(datetime.now(UTC), usegmt=True)
    body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}\n'
            f"RequestId:{uuid.uuid4()}\nTime:{now}</Message>")
    if detail:
        body += f"<AuthenticationErrorDetail>{detail}</AuthenticationErrorDetail>"
    body += "</Error>"
    return Response(body, status=status, content_type="application/xml",
                    headers={"x-ms-error-code": code, "x-ms-version": SIGNED_VERSION})


def blob_endpoint(request: Request, state: State) -> Response | None:
    """Answer a GET of a boot diagnostics blob; None when the request is for something else."""
    m = _BLOB.match(request.path)
    if m is None or request.method not in ("GET", "HEAD") or "sig" not in request.args:
        return None
    refused = state.sas.check(request.path, dict(request.args))
    if refused is not None:
        detail = ("Signature fields not well formed." if refused == "signature"
                  else f"Signed expiry time has passed. {refused.split(': ', 1)[1]}")
        return _storage_error(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the "
                              "value of Authorization header is formed correctly including the signature.", detail)
    found = _VM_ID.search(m.group("blob"))
    vm = next((v for v in state.estate.inventory.list(ComputeVM)
               if found is not None and v.vm_uuid.lower() == found.group("uuid").lower()), None)
    if vm is None or request.path not in diagnostics_paths(vm):
        return _storage_error(404, "BlobNotFound", "The specified blob does not exist.")
    g = guest(state, vm, state.clock.now())
    if request.path.endswith(".bmp"):
        body, kind = screenshot(g), "image/bmp"
    else:
        body, kind = serial_log(g).encode(), "text/plain"
    return Response(b"" if request.method == "HEAD" else body, status=200, content_type=kind,
                    headers={"x-ms-blob-type": "BlockBlob" if kind == "image/bmp" else "AppendBlob",
                             "x-ms-version": SIGNED_VERSION, "Content-Length": str(len(body)),
                             "Accept-Ranges": "bytes"})
