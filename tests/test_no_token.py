"""No token at all: one AuthenticationError saying what the credential tried and what to do, said once."""

from __future__ import annotations

import logging

import pytest
from azure.identity import AzureCliCredential, ChainedTokenCredential, EnvironmentCredential

import restorekit as rk
from restorekit.transport.no_token import in_words


@pytest.fixture
def no_az_on_path(tmp_path, monkeypatch):
    """A kernel whose PATH has no az and whose environment names no service principal."""
    monkeypatch.setenv("PATH", str(tmp_path))
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
                 "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)


def test_no_token_is_one_restorekit_error_with_what_was_tried_and_what_to_do(emulator_server, no_az_on_path,
                                                                             caplog):
    credential = ChainedTokenCredential(EnvironmentCredential(), AzureCliCredential())  # as DefaultAzureCredential
    caplog.set_level(logging.DEBUG, logger="azure.identity")
    with rk.connect(emulator_server.url, credential=credential) as az, pytest.raises(rk.AuthenticationError) as info:
        az.vault("testVaultRG", "testVault")
    error = info.value
    text = str(error)
    assert text.startswith("no Azure token could be had from ChainedTokenCredential, so nothing was sent.")
    assert "Azure CLI: az is not on this kernel's PATH" in text
    assert "environment: AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET not set" in text
    assert "az login" in text and "PATH" in error.advice
    assert error.code == "NoToken" and error.status == 0
    assert error.__cause__ is None and error.__suppress_context__  # no azure-core traceback chained to it
    assert len(text.splitlines()) <= 3  # not the 13 lines of azure-identity
    said = [r for r in caplog.records if "failed to retrieve a token" in r.getMessage() and r.levelno >= logging.WARNING]
    assert said == []  # said once: in the error, not also as azure-identity's WARNING


def test_each_attempt_in_a_few_words():
    assert in_words("AzureCliCredential", "Please run 'az login' to set up an account") == \
        "Azure CLI: not logged in (az login)"
    assert in_words("ManagedIdentityCredential", "ManagedIdentityCredential authentication unavailable, no response "
                                                 "from the IMDS endpoint.") == "managed identity: none on this machine"
    assert in_words("SharedTokenCacheCredential", "No accounts were found in the cache. More text") == \
        "SharedTokenCache: No accounts were found in the cache"
