"""Requests that carry no token: a signed download URL, and ARM's challenge that names a subscription's tenant.

Both go through a ``requests.Session`` with urllib3's ``Retry`` (the ARM session's own settings when one is
given) and no ``Authorization`` header, on purpose:

* :func:`download` fetches a URL that signs itself (a file recovery executable's SAS URL): sending the ARM
  token to another host would leak it;
* :func:`subscription_tenant` asks ARM ``GET /subscriptions/{id}`` without a token: ARM answers 401 with
  ``WWW-Authenticate: Bearer authorization_uri="https://login.windows.net/{tenant}"``, the tenant the
  subscription belongs to (how tools find the tenant of a subscription of another organisation, e.g. a
  Resource Guard's).
"""

from __future__ import annotations

import re

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .._version import __version__
from ..core.errors import TransportError
from ..core.redaction import redact_url

#: Retries of an anonymous request when no ARM session lends its own.
DEFAULT_RETRY = Retry(total=4, connect=3, read=2, status=4, allowed_methods=frozenset({"GET"}),
                      status_forcelist=frozenset({429, 500, 502, 503, 504}), backoff_factor=0.5,
                      respect_retry_after_header=True, raise_on_status=False)
#: The largest download accepted (a file recovery executable is a few MB).
MAX_BYTES = 64 * 1024 * 1024
_TENANT = re.compile(r'authorization_uri="https://[^/"]+/([0-9a-fA-F-]{36})', re.I)


def _session(retry: Retry | None) -> requests.Session:
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry or DEFAULT_RETRY))
    session.mount("https://", HTTPAdapter(max_retries=retry or DEFAULT_RETRY))
    session.headers["User-Agent"] = f"restorekit/{__version__} python-requests/{requests.__version__}"
    session.trust_env = False
    return session


def download(url: str, *, retry: Retry | None = None, timeout: tuple[float, float] = (10.0, 120.0)) -> bytes:
    """The bytes at ``url`` (a signed URL: no token is sent); ``TransportError`` naming the redacted URL."""
    shown = redact_url(url)
    with _session(retry) as session:
        try:
            response = session.get(url, timeout=timeout, stream=True)
        except requests.RequestException as exc:
            raise TransportError(f"could not download {shown}: {type(exc).__name__}") from None
        with response:
            if response.status_code != 200:
                raise TransportError(f"could not download {shown}: HTTP {response.status_code}")
            data = bytearray()
            for chunk in response.iter_content(1 << 16):
                data += chunk
                if len(data) > MAX_BYTES:
                    raise TransportError(f"could not download {shown}: larger than {MAX_BYTES // (1 << 20)} MB")
    return bytes(data)


def subscription_tenant(endpoint: str, subscription_id: str, *, retry: Retry | None = None,
                        api_version: str = "2022-12-01") -> str | None:
    """The tenant ``subscription_id`` belongs to, from ARM's 401 challenge; None when ARM does not say."""
    url = f"{endpoint.rstrip('/')}/subscriptions/{subscription_id}"
    with _session(retry) as session:
        try:
            response = session.get(url, params={"api-version": api_version}, timeout=(5.0, 15.0))
        except requests.RequestException:
            return None
    match = _TENANT.search(response.headers.get("WWW-Authenticate", "")) if response.status_code == 401 else None
    return match.group(1).lower() if match else None
