"""The debug log of HTTP requests: one line per request, worth reading, with no secret in it.

``logging.getLogger("restorekit").setLevel(logging.DEBUG)`` shows, for every request :class:`ArmSession` sends:
method, URL (redacted: :func:`~restorekit.core.redaction.redact_url`), status, ``x-ms-request-id``,
``x-ms-correlation-request-id``, the retries urllib3 made (``Retry.history`` of the response: the status or
error of each earlier try) and the time taken::

    GET https://management.azure.com/…/backupJobs?api-version=2026-02-01 -> 200 in 84 ms
        (x-ms-request-id 1c2…, x-ms-correlation-request-id 9f1…, retries 1: 503)

A request that got no answer is logged with the error instead of a status. The same fields are on each record
as attributes (``rk_method``, ``rk_url``, ``rk_status``, ``rk_request_id``, ``rk_correlation_id``,
``rk_retries``, ``rk_elapsed_ms``) for handlers that want them. Headers (``Authorization`` above all) and
bodies are never logged.
"""

from __future__ import annotations

import logging
from typing import Any

from ..core.redaction import redact_text

log = logging.getLogger(__name__)


def retries_of(response: Any) -> list[str]:
    """The earlier tries urllib3 made for this answer, oldest first: a status (``"503"``) or an error's type."""
    retries = getattr(getattr(response, "raw", None), "retries", None)
    history = getattr(retries, "history", None) or ()
    out = []
    for entry in history:
        error = getattr(entry, "error", None)
        out.append(type(error).__name__ if error is not None else str(getattr(entry, "status", "?")))
    return out


def _emit(text: str, fields: dict[str, Any]) -> None:
    log.debug("%s", text, extra={f"rk_{key}": value for key, value in fields.items()})


def answered(method: str, url: str, response: Any, elapsed_ms: float, *, note: str = "") -> None:
    """Log one answered request (any status)."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    headers = response.headers
    retries = retries_of(response)
    fields = {"method": method, "url": url, "status": response.status_code,
              "request_id": headers.get("x-ms-request-id"),
              "correlation_id": headers.get("x-ms-correlation-request-id"), "retries": len(retries),
              "elapsed_ms": round(elapsed_ms)}
    text = (f"{method} {url} -> {response.status_code} in {elapsed_ms:.0f} ms (x-ms-request-id "
            f"{fields['request_id'] or '-'}, x-ms-correlation-request-id {fields['correlation_id'] or '-'}, "
            f"retries {len(retries)}{': ' + ', '.join(retries) if retries else ''})")
    if note:
        text += f"; {note}"
    _emit(redact_text(text), fields)


def unanswered(method: str, url: str, error: BaseException, elapsed_ms: float) -> None:
    """Log one request that got no usable answer (timeout, reset, refused, retries used up)."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    reason = " ".join(str(error).split())[:300]
    fields = {"method": method, "url": url, "status": None, "request_id": None, "correlation_id": None,
              "retries": None, "elapsed_ms": round(elapsed_ms)}
    _emit(redact_text(f"{method} {url} -> no answer after {elapsed_ms:.0f} ms ({type(error).__name__}: {reason})"),
          fields)
