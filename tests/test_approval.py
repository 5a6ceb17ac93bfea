"""Multi-user authorization from restorekit: a guarded vault's restore refused before sending (guard, tenant, what to
ask for), sent with the Resource Guard's request and an auxiliary token of its tenant, the token in no output."""

from __future__ import annotations

import logging

import pytest
import requests

import restorekit as rk
from restorekit import emulator
from restorekit.core.errors import ApprovalRequired, ValidationError
from restorekit.emulator.estate.security import GUARD_SUBSCRIPTION_ID, GUARD_TENANT_ID
from restorekit.emulator.seed.security import GUARD_ID
from restorekit.model.resource_guard import RESTORE, read_guard
from restorekit.transport.anonymous import subscription_tenant


@pytest.fixture
def server():
    with emulator.start(job_seconds=1, retry_after=0, throttle=False) as srv:
        yield srv


@pytest.fixture
def az(server):
    with rk.connect(server.url) as connection:
        yield connection


def _link_guard(az) -> None:
    vault = az.vault("testVaultRG", "testVault")
    az.arm.request("PUT", f"{vault.id}/backupResourceGuardProxies/VaultProxy",
                   json_body={"properties": {"resourceGuardResourceId": GUARD_ID}})


def _restores(server) -> int:
    return sum(1 for job in server.state.jobs.values() if job.operation == "Restore")


def _request(item):
    return rk.RestoreDisks(item.recovery_points().select("latest"), storage_account="testAccount")


def _approval(az, tenant: str = GUARD_TENANT_ID) -> rk.Approval:
    return rk.Approval(rk.DevTokenCredential(endpoint=az.endpoint, tenant=tenant, client_id="backup-operator"),
                       tenant_id=tenant)


def test_the_guard_and_its_tenant_are_read(az):
    assert read_guard(az.arm, az.vault("testVaultRG", "testVault").id) is None
    _link_guard(az)
    guard = read_guard(az.arm, az.vault("testVaultRG", "testVault").id)
    assert (guard.name, guard.tenant_id, guard.subscription_id) == ("contosoResourceGuard", GUARD_TENANT_ID,
                                                                    GUARD_SUBSCRIPTION_ID)
    assert guard.protects(RESTORE) and guard.request_for(RESTORE) == f"{GUARD_ID}/triggerRestoreRequests/default"
    assert subscription_tenant(az.endpoint, az.subscription_id) == "00000000-0000-0000-0000-000000000000"


def test_a_guarded_restore_is_explained_before_sending_then_succeeds_with_the_auxiliary_token(az, server, caplog):
    caplog.set_level(logging.DEBUG, logger="restorekit")
    _link_guard(az)
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    with pytest.raises(ApprovalRequired) as refused:
        item.restore(_request(item), display=False)
    message = str(refused.value)
    assert "Resource Guard 'contosoResourceGuard'" in message and GUARD_TENANT_ID in message
    assert "Backup MUA Operator" in message and "Privileged Identity Management" in message
    assert "Nothing was sent" in message and _restores(server) == 0
    assert refused.value.tenant_id == GUARD_TENANT_ID

    approval = _approval(az)
    token = approval.token(az.arm.scope).reveal()
    operation = item.restore(_request(item), approval=approval, display=False, poll_interval=0.05)
    server.state.clock.advance(2)
    assert operation.wait(timeout=30).status == "Completed" and _restores(server) == 1

    outputs = [caplog.text, repr(approval), str(approval), repr(operation), str(refused.value),
               az.recent_restores().to_string(), repr(az.arm), az.journal.path.read_text()]
    assert all(token not in text and token[:20] not in text for text in outputs)
    with pytest.raises(TypeError):
        __import__("pickle").dumps(approval)


def test_a_token_of_another_tenant_is_refused_before_sending(az, server):
    _link_guard(az)
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    wrong = _approval(az, tenant="11111111-1111-1111-1111-111111111111")
    with pytest.raises(ValidationError, match=f"Resource Guard 'contosoResourceGuard' is in tenant {GUARD_TENANT_ID}"):
        item.restore(_request(item), approval=wrong, display=False)
    assert _restores(server) == 0


def test_a_vault_read_before_the_guard_was_linked_gets_the_services_refusal_explained(az, server):
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")  # the vault says MUA is off
    _link_guard(az)
    with pytest.raises(ApprovalRequired, match="the service refused: BMSUserErrorResourceGuardOperationRequestMissing"):
        item.restore(_request(item), display=False)
    assert _restores(server) == 0


def test_without_the_pim_role_the_refusal_says_what_to_ask_for(az, server):
    _link_guard(az)
    server.state.estate.resource_guards[GUARD_ID.lower()].roles = {}  # roles only through PIM, none active
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    with pytest.raises(ApprovalRequired, match="LinkedAuthorizationFailed") as refused:
        item.restore(_request(item), approval=_approval(az), display=False)
    assert "time-limited Backup MUA Operator role" in str(refused.value)


def test_approval_takes_a_credential_or_a_token_and_hides_it(az):
    with pytest.raises(ValueError):
        rk.Approval()
    token = requests.post(f"{az.endpoint}/{GUARD_TENANT_ID}/oauth2/v2.0/token", data={
        "grant_type": "client_credentials", "client_id": "x", "client_secret": "y",
        "scope": f"{az.endpoint}/.default"}).json()["access_token"]
    approval = rk.Approval(token=token)
    assert token not in repr(approval) and "hidden" in repr(approval)
    assert approval.token("scope").reveal() == token


def test_the_form_says_an_approval_is_needed_and_sends_it(az, server):
    _link_guard(az)
    item = az.vault("testVaultRG", "testVault").vm("testRG", "testVM")
    form = rk.RestoreForm(item, request=_request(item))
    form.restore_button.click()
    assert "An approval is needed" in form.messages.value and "contosoResourceGuard" in form.messages.value
    assert _restores(server) == 0
    approved = rk.RestoreForm(item, request=_request(item), approval=_approval(az))
    approved.restore_button.click()
    assert approved.operation is not None and _restores(server) == 1
    server.state.clock.advance(2)
    approved.operation.wait(timeout=30)
