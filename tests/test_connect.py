"""How rk.connect() chooses where to talk: Azure found as its tools find it, the emulator only when asked or when
no Azure credential exists at all (and then it says so)."""

from __future__ import annotations

import json

import pytest

import restorekit as rk
from restorekit.client import discovery
from restorekit.client.discovery import Subscription, SubscriptionNotChosen

ENV_VARS = ("RESTOREKIT_ENDPOINT", "AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET",
            "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_USERNAME", "AZURE_PASSWORD",
            "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "AZURE_CONFIG_DIR")
CLI_SUB = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def clean_home(tmp_path, monkeypatch):
    """A home with no Azure login and no Azure variables in the environment."""
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def write_cli_profile(home, subscriptions):
    folder = home / ".azure"
    folder.mkdir(exist_ok=True)
    profile = {"installationId": "x", "subscriptions": subscriptions}
    (folder / "azureProfile.json").write_text("\ufeff" + json.dumps(profile), encoding="utf-8")  # the CLI's BOM


def cli_entry(sub_id, name, default, cloud="AzureCloud"):
    return {"id": sub_id, "name": name, "state": "Enabled", "isDefault": default, "tenantId": "t",
            "environmentName": cloud, "user": {"name": "oncall@example.com", "type": "user"}}


def test_no_credential_at_all_starts_the_emulator_with_a_banner(clean_home, capsys):
    with rk.connect() as az:
        assert az.kind == "emulator" and az.is_emulator
        assert "LOCAL EMULATOR" in repr(az) and "Local emulator" in az._repr_html_()
    out = capsys.readouterr().out
    assert "no Azure credential found" in out and "az login" in out and "LOCAL EMULATOR" in out


def test_an_azure_cli_profile_means_azure_not_the_emulator(clean_home, capsys):
    write_cli_profile(clean_home, [cli_entry("99999999-0000-0000-0000-000000000000", "other", False),
                                   cli_entry(CLI_SUB, "prod", True)])
    az = rk.connect()  # builds a DefaultAzureCredential; nothing is sent until a call is made
    assert az.kind == "azure" and not az.is_emulator and az.subscription_id == CLI_SUB
    assert az.endpoint == "https://management.azure.com" and "default subscription prod" in az.reason
    assert "EMULATOR" not in repr(az).upper() and capsys.readouterr().out == ""


def test_the_cli_default_of_another_cloud_is_not_taken(clean_home):
    write_cli_profile(clean_home, [cli_entry(CLI_SUB, "gov", True, cloud="AzureUSGovernment")])
    az = rk.connect(cloud="AzureUSGovernment")
    assert az.subscription_id == CLI_SUB and az.endpoint == "https://management.usgovcloudapi.net"


def test_azure_config_dir_moves_the_profile(clean_home, monkeypatch):
    folder = clean_home / "elsewhere"
    folder.mkdir()
    (folder / "azureProfile.json").write_text(json.dumps({"subscriptions": [cli_entry(CLI_SUB, "x", True)]}))
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(folder))
    assert rk.connect().subscription_id == CLI_SUB


def test_azure_subscription_id_comes_first(clean_home, monkeypatch):
    write_cli_profile(clean_home, [cli_entry(CLI_SUB, "prod", True)])
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "22222222-0000-0000-0000-000000000000")
    az = rk.connect()
    assert az.subscription_id == "22222222-0000-0000-0000-000000000000" and az.reason == "AZURE_SUBSCRIPTION_ID"


def test_a_credential_and_no_subscription_lists_the_subscriptions(clean_home, monkeypatch):
    monkeypatch.setattr(discovery, "listed_subscriptions", lambda arm: [Subscription(CLI_SUB, "only one")])
    from restorekit.client import connection

    monkeypatch.setattr(connection, "listed_subscriptions", discovery.listed_subscriptions)
    az = rk.connect(credential=rk.DevTokenCredential())
    assert az.kind == "azure" and az.subscription_id == CLI_SUB and "only subscription" in az.reason


def test_several_subscriptions_and_none_chosen_is_a_clear_error(clean_home, monkeypatch):
    from restorekit.client import connection

    monkeypatch.setattr(connection, "listed_subscriptions", lambda arm: [
        Subscription("a" * 8 + "-0000-0000-0000-000000000000", "prod"),
        Subscription("b" * 8 + "-0000-0000-0000-000000000000", "test"),
        Subscription("c" * 8 + "-0000-0000-0000-000000000000", "old", state="Disabled")])
    with pytest.raises(SubscriptionNotChosen) as info:
        rk.connect(credential=rk.DevTokenCredential())
    text = str(info.value)
    assert "prod (aaaaaaaa" in text and "test (bbbbbbbb" in text and "old" not in text
    assert "AZURE_SUBSCRIPTION_ID" in text and "az account set" in text


def test_the_credential_is_never_replaced_by_the_emulator(clean_home, monkeypatch):
    """A credential passed and nothing else: Azure (listing the subscriptions), never the emulator."""
    from restorekit.client import connection

    monkeypatch.setattr(connection, "listed_subscriptions", lambda arm: [])
    with pytest.raises(SubscriptionNotChosen, match="no enabled subscription"):
        rk.connect(credential=rk.DevTokenCredential())


def test_listing_subscriptions_reads_get_subscriptions(clean_home):
    from restorekit import emulator
    from restorekit.transport.arm import ArmSession

    with emulator.start(subscriptions=3, throttle=False) as srv:
        arm = ArmSession(srv.url, rk.DevTokenCredential(), api_version="2026-02-01")
        found = discovery.listed_subscriptions(arm)
        assert [s.id for s in found] == list(srv.subscription_ids)
        with pytest.raises(SubscriptionNotChosen, match="3 subscriptions"):
            discovery.only_subscription(found, srv.url)


def test_the_emulator_when_asked_for(clean_home, capsys, monkeypatch):
    with rk.connect("emulator") as az:
        assert az.kind == "emulator" and "asked for" in capsys.readouterr().out
    monkeypatch.setenv("RESTOREKIT_ENDPOINT", "emulator")
    with rk.connect() as az:
        assert az.kind == "emulator" and "RESTOREKIT_ENDPOINT" in capsys.readouterr().out


def test_trust_env_false_ignores_the_environment(clean_home, monkeypatch, emulator_server):
    monkeypatch.setenv("RESTOREKIT_ENDPOINT", emulator_server.url)
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", CLI_SUB)
    az = rk.connect(trust_env=False, credential=rk.DevTokenCredential(), subscription_id=CLI_SUB)
    assert az.kind == "azure" and az.endpoint == "https://management.azure.com"
    with rk.connect() as local:
        assert local.kind == "endpoint" and local.is_emulator and local.endpoint == emulator_server.url


def test_credential_sources_seen_offline(clean_home):
    assert discovery.credential_sources(env={}, home=clean_home) == []
    assert discovery.credential_sources(env={"AZURE_CLIENT_ID": "a", "AZURE_TENANT_ID": "t",
                                             "AZURE_CLIENT_SECRET": "s"}, home=clean_home)
    assert discovery.credential_sources(env={"IDENTITY_ENDPOINT": "http://169.254.169.254"}, home=clean_home)
    (clean_home / ".azure").mkdir()
    (clean_home / ".azure" / "msal_token_cache.json").write_text("{}")
    assert any("Azure CLI" in s for s in discovery.credential_sources(env={}, home=clean_home))


def test_everything_on_the_emulator_says_so(az):
    point = az.vault("testVaultRG", "testVault").vm("testRG", "testVM").recovery_points().select("best")
    assert az.is_emulator and "local emulator" in az.where
    with pytest.raises(rk.NotFoundError) as info:
        az.vault("prodRG", "prod-vault")
    assert "emulator" in str(info.value).lower()
    assert az.portal_url("/subscriptions/x") is None and point.endpoint == az.endpoint


def test_a_dropped_connection_is_garbage_collected_with_its_session_and_reader(emulator_server):
    """No registry outlives a connection: after an online check (its reader read and cached the estate), dropping
    the connection frees it, its ARM session and its reader."""
    import gc
    import weakref

    az = rk.connect(emulator_server.url)
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    request = rk.RestoreDisks(item.recovery_points().latest(), storage_account="testAccount")
    assert item.check(request, online=True).ok and az.resources().reads
    dropped = [weakref.ref(x) for x in (az, az.arm, az.resources())]
    del az, item, request
    gc.collect()
    assert [ref() for ref in dropped] == [None, None, None]
