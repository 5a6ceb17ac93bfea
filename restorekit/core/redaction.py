"""Redaction: what keeps secrets out of URLs, log lines, errors and the restore journal.

Three tools, used by every layer above:

* :func:`redact_url` replaces the values of secret query keys (SAS signatures and the other SAS keys, tokens,
  codes) by ``***``;
* a :class:`Scrubber` removes one known secret (or any truncated or URL-quoted copy of it) from text, JSON and
  errors;
* :func:`remember` keeps a scrubber for the life of the process, and :func:`scrub_known` applies every
  remembered one, so a secret met once (a cross-region restore's access token) is removed from whatever is
  logged or journaled later, even from a URL a service echoed it into.

>>> redact_url("https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=abc")
'https://acct.blob.core.windows.net/c/b?sv=***&sig=***'
"""

from __future__ import annotations

import re
import threading
from collections import deque
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from .errors import ArmError, TransportError

REDACTED = "***"

#: Query keys of a shared access signature (service, account and user delegation SAS).
SAS_QUERY_KEYS = frozenset({
    "sig", "sv", "ss", "srt", "sp", "st", "se", "sip", "spr", "sr", "si", "sdd", "ses", "skoid", "sktid", "skt",
    "ske", "sks", "skv", "saoid", "suoid", "scid", "rscc", "rscd", "rsce", "rscl", "rsct"})
#: Query keys whose value is a secret wherever they appear.
SECRET_QUERY_KEYS = SAS_QUERY_KEYS | {"signature", "token", "access_token", "code", "client_secret",
                                      "accesstokenstring"}
#: How many remembered secrets are kept (the oldest are forgotten first).
REMEMBERED = 64


def redact_url(url: str) -> str:
    """The URL with secret query values (SAS keys such as ``sig``, ``token``, ``code`` …) replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.query:
        return scrub_known(url)
    query = [(k, REDACTED if k.lower() in SECRET_QUERY_KEYS else v) for k, v in parse_qsl(parts.query, True)]
    return scrub_known(urlunsplit(parts._replace(query=urlencode(query, safe="$':;,/*", quote_via=quote))))


_QUERY_SECRET = re.compile(r"(?i)(?<![A-Za-z0-9_])(" + "|".join(sorted(SECRET_QUERY_KEYS, key=len, reverse=True))
                           + r")=([^&\s'\"<>]+)")
_BEARER = re.compile(r"(?i)\bBearer\s+[A-Za-z0-9_\-.~+/=]+")


def redact_text(text: str) -> str:
    """Free text (an error message, a log line) with secret query values, bearer tokens and remembered secrets
    replaced by ``***``."""
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    return scrub_known(_BEARER.sub(f"Bearer {REDACTED}", text))


class Scrubber:
    """Replaces a secret in text and JSON by ``***``; keeps only the secret's first characters, never all of it."""

    __slots__ = ("_patterns",)
    _TAIL = r"[A-Za-z0-9_\-.~+/=%]*"

    def __init__(self, secret: str) -> None:
        prefix = secret[:12] if len(secret) >= 24 else secret
        forms = {prefix, quote(prefix, safe="")}
        self._patterns = [re.compile(re.escape(f) + self._TAIL) for f in sorted(forms, key=len, reverse=True) if f]

    def text(self, value: str) -> str:
        """``value`` with every occurrence of the secret (or of a truncated copy of it) replaced."""
        for pattern in self._patterns:
            value = pattern.sub(REDACTED, value)
        return value

    def data(self, value: Any) -> Any:
        """A copy of a JSON value with the secret scrubbed from every string."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        return value

    def error(self, exc: ArmError | TransportError) -> ArmError | TransportError:
        """A new exception like ``exc`` with the secret scrubbed from everything it says."""
        if isinstance(exc, ArmError):
            return ArmError(exc.status, exc.code, self.text(exc.message), url=self.text(exc.url),
                            request_id=exc.request_id, details=self.data(exc.details),
                            target=self.data(exc.target), recommendations=self.data(exc.recommendations),
                            method=exc.method, retry_after=exc.retry_after)
        return type(exc)(self.text(str(exc)))

    def __repr__(self) -> str:
        return "<secret scrubber>"


_remembered: deque[Scrubber] = deque(maxlen=REMEMBERED)
_lock = threading.Lock()


def remember(scrubber: Scrubber) -> Scrubber:
    """Keep ``scrubber`` so that :func:`scrub_known` removes its secret from now on; returns it."""
    with _lock:
        _remembered.append(scrubber)
    return scrubber


def scrub_known(text: str) -> str:
    """``text`` with every remembered secret removed (see :func:`remember`)."""
    with _lock:
        scrubbers = list(_remembered)
    for scrubber in scrubbers:
        text = scrubber.text(text)
    return text
