"""When no token can be had: one restorekit error saying what the credential tried and what to do, said once.

azure-identity's ``DefaultAzureCredential`` (a ``ChainedTokenCredential``) raises azure-core's
``ClientAuthenticationError`` with a dozen lines, one per source it tried, and logs the same text as a WARNING first:
a notebook shows it twice, and nothing says, for instance, that ``az`` is not on the Jupyter kernel's ``PATH``
(JupyterLab started from a desktop launcher) or that ``az login`` is the next step. :func:`asking` wraps a
request for a token: the chain's WARNING is dropped for that call (its text goes into the error), and the failure
becomes :class:`~restorekit.core.errors.AuthenticationError` (``code`` ``"NoToken"``), whose message lists what was
tried in a few words and what to do.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..core.errors import AuthenticationError

#: The logger that repeats a chained credential's failure as a WARNING.
CHAIN_LOGGER = "azure.identity._credentials.chained"
_ATTEMPT = re.compile(r"^\s*(?P<name>[A-Za-z]+Credential): (?P<reason>.+)$")
_asking = threading.local()


class _DropChainFailure(logging.Filter):
    """Drops the chain's "failed to retrieve a token" WARNING while this thread asks for a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (getattr(_asking, "active", False) and "failed to retrieve a token" in record.getMessage())


_filter = _DropChainFailure()


def attempts(text: str) -> list[tuple[str, str]]:
    """(credential, reason) of each source a chained credential's message says it tried."""
    found = []
    for line in text.splitlines():
        match = _ATTEMPT.match(line)
        if match:
            found.append((match["name"], match["reason"].strip()))
    return found


def in_words(name: str, reason: str) -> str:
    """What one attempt says, in a few words: ``Azure CLI: az is not on this kernel's PATH``."""
    low = reason.lower()
    if name == "AzureCliCredential":
        if "not found" in low or "not installed" in low:
            return "Azure CLI: az is not on this kernel's PATH"
        if "az login" in low:
            return "Azure CLI: not logged in (az login)"
    if name == "EnvironmentCredential" and "unavailable" in low:
        return "environment: AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET not set"
    if name == "ManagedIdentityCredential" and "unavailable" in low:
        return "managed identity: none on this machine"
    if name == "AzureDeveloperCliCredential" and ("not be found" in low or "not found" in low):
        return "Azure Developer CLI: azd is not on this kernel's PATH"
    if name == "AzurePowerShellCredential" and "not installed" in low:
        return "Azure PowerShell: not installed"
    first = reason.split(". ")[0].rstrip(".")
    return f"{name.removesuffix('Credential')}: {first[:160]}"


def advice(found: list[tuple[str, str]]) -> str:
    """What to do, from what the credential tried."""
    said = [in_words(name, reason) for name, reason in found]
    if any("az is not on this kernel's PATH" in s for s in said):
        return (f"the Azure CLI is not on the PATH of this Jupyter kernel ({sys.executable}): start Jupyter from a "
                "shell where `az` works, or add az's folder to os.environ['PATH'] in the notebook; then run "
                "az login in a terminal, and rk.connect() again (rk.connect('emulator') practises without Azure)")
    if any("not logged in" in s for s in said):
        return "run az login in a terminal of this machine, then rk.connect() again"
    return ("run az login in a terminal of this machine, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and "
            "AZURE_CLIENT_SECRET, or pass credential= to rk.connect(); then connect again "
            "(rk.connect('emulator') practises without Azure)")


def no_token_error(exc: Exception, credential: str) -> AuthenticationError:
    """The :class:`AuthenticationError` for a credential that gave no token (``exc``: what azure-identity raised)."""
    text = str(getattr(exc, "message", None) or exc)
    found = attempts(text)
    tried = "; ".join(in_words(name, reason) for name, reason in found) or " ".join(text.split())[:300]
    return AuthenticationError(credential=credential, advice=advice(found), tried=tried)


@contextmanager
def asking(credential: str) -> Iterator[None]:
    """Around a request for a token: azure-core's ``ClientAuthenticationError`` becomes :func:`no_token_error`,
    and the chained credential's WARNING of the same failure is not shown."""
    from azure.core.exceptions import ClientAuthenticationError

    logger = logging.getLogger(CHAIN_LOGGER)
    if _filter not in logger.filters:
        logger.addFilter(_filter)
    _asking.active = True
    try:
        yield
    except ClientAuthenticationError as exc:
        raise no_token_error(exc, credential) from None
    finally:
        _asking.active = False

