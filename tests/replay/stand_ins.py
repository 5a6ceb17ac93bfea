"""Answers to calls the Azure CLI never made, each derived from what the recorded session does show.

restorekit makes a few calls the CLI does not (a GET of the protected item, the duplicate check, the online
checks) and polls another URL of the same operation. Rather than turn those features off, the replay answers
them from the cassette, and each :class:`~server.StandIn` says why the answer is the one Azure gave or would
have given. Everything a stand-in answers is still logged as a call Azure never saw.
"""

from __future__ import annotations

import re

from cassettes import canonical
from server import Call, ReplayServer, Reply, StandIn

_ITEM = re.compile(r"^(?P<vault>/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.recoveryservices"
                   r"/vaults/[^/]+)/backupfabrics/azure/protectioncontainers/[^/]+/protecteditems/(?P<item>[^/]+)$")
_OPERATION = re.compile(r"^(?P<vault>/subscriptions/.+?/vaults/[^/]+)/backupfabrics/azure/protectioncontainers/"
                        r"[^/]+/protecteditems/[^/]+/operationsstatus/(?P<op>[^/]+)$")
_RESOURCE = re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+(/providers/microsoft\.(storage/storageaccounts|"
                       r"network/virtualnetworks|compute/virtualmachines)/[^/]+)?$")
_RUNNING_RESTORES = "operation eq 'Restore' and status eq 'InProgress'"


def _item_from_list(server: ReplayServer, call: Call) -> Reply | None:
    m = _ITEM.match(canonical(call.path))
    if call.method != "GET" or m is None:
        return None
    lists = [i for i in server.recorded if i.method == "GET" and i.status == 200 and i.index <= server.window[-1].index
             and canonical(i.path) == f"{m['vault']}/backupprotecteditems"]
    for listed in reversed(lists):
        for item in (listed.body or {}).get("value", []):
            if str(item.get("name", "")).lower() == m["item"]:
                return Reply(200, item)
    return None


def _operation_of_vault(server: ReplayServer, call: Call) -> Reply | None:
    m = _OPERATION.match(canonical(call.path))
    if call.method != "GET" or m is None:
        return None
    recorded = server.take(("GET", f"{m['vault']}/backupoperations/{m['op']}", None))
    return server.reply_of(recorded) if recorded is not None else None


def _estate_before_restore(server: ReplayServer, call: Call) -> Reply | None:
    path = canonical(call.path)
    if call.method != "GET" or server.writes_replayed or not _RESOURCE.match(path):
        return None
    first_write = min((i.index for i in server.window if i.is_write), default=len(server.recorded))
    found = [i for i in server.recorded if i.method == "GET" and i.status == 200 and i.on_arm
             and canonical(i.path) == path]
    before = [i for i in found if i.index < first_write]
    chosen = before[-1] if before else (found[0] if found else None)
    return Reply(200, chosen.body) if chosen is not None else None


def _no_restore_running(server: ReplayServer, call: Call) -> Reply | None:
    path = canonical(call.path)
    primary = call.method == "GET" and path.endswith("/backupjobs") and call.filter == _RUNNING_RESTORES
    secondary = call.method == "POST" and path.endswith("/backupcrrjobs")
    if server.writes_replayed or not (primary or secondary):
        return None
    return Reply(200, {"value": []})


ITEM_FROM_LIST = StandIn(
    "the item from the CLI's list",
    "vault.vm(rg, vm) reads the one protected item (ProtectedItems_Get, one read whatever the vault's size); the "
    "CLI lists the vault's items instead. Answered with the item as the CLI's recorded list shows it.",
    _item_from_list)
OPERATION_OF_VAULT = StandIn(
    "the CLI's backupOperations answers",
    "restorekit follows the 202's Azure-AsyncOperation ({item}/operationsStatus/{id}); the CLI polls "
    "{vault}/backupOperations/{id}. Both name the same operation id: answered with the CLI's recorded answers, "
    "in order.",
    _operation_of_vault)
ESTATE_BEFORE_RESTORE = StandIn(
    "the resource as recorded",
    "the online checks (target resource group, network, staging account) and the outcome's 'before' read the "
    "estate before the POST. Answered, before any write is replayed, with the resource as Azure answered its GET "
    "elsewhere in the session (the scenario test created it).",
    _estate_before_restore)
NO_RESTORE_RUNNING = StandIn(
    "no restore running",
    "the duplicate check lists the vault's running restores (cross-region: the secondary region's) before the "
    "POST; the CLI does not check. None was running: each earlier restore of the cassette was read Completed "
    "before the next was sent (the CLI waits for it).",
    _no_restore_running)
#: What every replayed restore may need.
RESTORE = (ITEM_FROM_LIST, OPERATION_OF_VAULT, ESTATE_BEFORE_RESTORE, NO_RESTORE_RUNNING)
