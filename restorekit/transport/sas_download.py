"""Reading a blob through its SAS link (boot diagnostics' screenshot and serial log): no bearer token, no ARM.

A SAS link carries its own credential, on another host than ARM's (Azure Storage), so it goes through a session
of its own, never the ARM session (which refuses to send its bearer token elsewhere). urllib3's ``Retry`` retries
throttling, server errors and resets; an answer that is still an error becomes a ``TransportError`` that names the
link without its signature.

>>> png = download(links.screenshot_url)
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..core.errors import TransportError
from ..core.redaction import redact_url

#: Seconds to connect and to read.
TIMEOUT = (5.0, 30.0)
#: Largest body read (a console screenshot is under 1 MB; a serial log a few hundred kB).
MAX_BYTES = 16 * 1024 * 1024


def _session(retries: int) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # a SAS link needs no proxy credentials or netrc
    retry = Retry(total=retries, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504),
                  allowed_methods=frozenset({"GET"}), respect_retry_after_header=True)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def download(url: str, *, timeout: tuple[float, float] = TIMEOUT, retries: int = 3,
             session: requests.Session | None = None) -> bytes:
    """The blob's bytes; ``TransportError`` (the link shown without its signature) when it cannot be read."""
    shown = redact_url(url)
    own = session is None
    client = session or _session(retries)
    try:
        answer = client.get(url, timeout=timeout, stream=True)
        try:
            if answer.status_code != 200:
                code = answer.headers.get("x-ms-error-code") or answer.reason
                raise TransportError(f"GET {shown}: HTTP {answer.status_code} {code}: the link may have expired; "
                                     "ask for new links (retrieveBootDiagnosticsData)")
            body = answer.raw.read(MAX_BYTES + 1, decode_content=True)
        finally:
            answer.close()
    except requests.exceptions.RequestException as exc:
        raise TransportError(f"GET {shown}: no answer ({type(exc).__name__})") from None
    finally:
        if own:
            client.close()
    if len(body) > MAX_BYTES:
        raise TransportError(f"GET {shown}: the blob is larger than {MAX_BYTES // 2**20} MB; not read")
    return body
