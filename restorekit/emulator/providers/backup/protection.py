"""An item's protection: ``DELETE {item}`` (stop protection and delete data) and ``PUT {item}`` (undelete, stop,
resume).

Both answer 202 and run a job; the change happens when the job completes (``state.protection_changes``):

* ``DELETE`` (``ProtectedItems_Delete``): Azure-AsyncOperation ``{vault}/backupOperations/{op}`` and Location
  ``{vault}/backupOperationResults/{op}``, a ``DeleteBackupData`` job (property bag ``VM Name``, ``Number of Recovery
  Points``, no tasks), all as recorded; with soft delete on the item then stays soft-deleted, else it is gone. A
  Resource Guard protecting deletions wants an ``unlockDelete`` first.
* ``PUT`` (``ProtectedItems_CreateOrUpdate``), as the Azure CLI sends it: ``isRehydrate: true`` undeletes a
  soft-deleted item (``Undelete`` job: protection stopped, data retained); ``protectionState: ProtectionStopped``
  stops protection retaining data (``DisableBackup``); a ``policyId`` of the vault resumes it (``ConfigureBackup``).
  Azure-AsyncOperation ``{item}/operationsStatus/{op}``, Location ``{item}/operationResults/{op}``, as recorded.
  Protecting a VM the vault does not know is not emulated (404, as for any unknown item).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ...arm.errors import bad_request
from ...call import Call, Route
from ...estate.jobs import Job, Operation, new_id
from ...estate.security import DELETE_PROTECTION
from ...estate.vaults import ProtectedVM
from .lookups import BACKUP, ITEM, item, refuse_soft_deleted
from .mua import require_unlocked
from .operations import accepted
from .vault_config import INVALID_INPUT

VM_ITEM_TYPE = "Microsoft.Compute/virtualMachines"
#: The code when an undelete names an item that is not soft-deleted (our guess).
NOT_SOFT_DELETED = "BMSUserErrorItemNotSoftDeleted"


def delete_item(call: Call) -> Response:
    """DELETE {item}: stop protection and delete the backup data (soft-deleted when the vault keeps it)."""
    found, vm = item(call)
    refuse_soft_deleted(vm)
    require_unlocked(call, found, DELETE_PROTECTION, vm.item_path)
    bag = {"VM Name": vm.name, "Number of Recovery Points": str(len(vm.points()))}
    op = _start(call, vm, "DeleteBackupData", "delete", bag, scope="")
    return accepted(call, f"{found.id}/backupOperations/{op.id}", f"{found.id}/backupOperationResults/{op.id}")


def put_item(call: Call) -> Response:
    """PUT {item}: undelete (isRehydrate), stop protection retaining data, or resume it with a policy."""
    _, vm = item(call)
    props = _properties(call.json_body())
    if props.get("isRehydrate") is True:
        if not vm.protection.soft_deleted:
            raise bad_request(NOT_SOFT_DELETED, f"The protected item '{vm.item}' is not soft-deleted: there is "
                                                "nothing to undelete.", "properties.isRehydrate")
        op = _start(call, vm, "Undelete", "undelete", {"VM Name": vm.name}, scope=vm.item_path.lower())
    else:
        refuse_soft_deleted(vm)
        policy = props.get("policyId") or ""
        if props.get("protectionState") == "ProtectionStopped" and not policy:
            op = _start(call, vm, "DisableBackup", "stop", {"VM Name": vm.name}, scope=vm.item_path.lower())
        elif isinstance(policy, str) and policy.lower().startswith(f"{vm.vault.id}/backupPolicies/".lower()):
            name = policy.rsplit("/", 1)[-1]
            op = _start(call, vm, "ConfigureBackup", "resume", {"VM Name": vm.name, "Policy Name": name},
                        scope=vm.item_path.lower())
        else:
            raise bad_request(INVALID_INPUT, "Send isRehydrate true (undelete), protectionState ProtectionStopped "
                                             "with an empty policyId (stop protection), or a policyId of this vault "
                                             "(resume protection).", "properties")
    return accepted(call, f"{vm.item_path}/operationsStatus/{op.id}", f"{vm.item_path}/operationResults/{op.id}")


def _properties(body: Any) -> dict[str, Any]:
    props = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(props, dict):
        raise bad_request(INVALID_INPUT, "The request body must be a ProtectedItemResource with 'properties'.",
                          "properties")
    kind = props.get("protectedItemType")
    if kind is not None and kind != VM_ITEM_TYPE:
        raise bad_request("BMSUserErrorInvalidObjectType", f"protectedItemType '{kind}' does not match the item "
                                                           f"(a '{VM_ITEM_TYPE}').", "properties.protectedItemType")
    return props


def _start(call: Call, vm: ProtectedVM, operation: str, change: str, bag: dict[str, str | None], *,
           scope: str) -> Operation:
    """The protection job and the operation reporting it (which ends with the job, as recorded)."""
    state = call.state
    now = call.now
    with state.lock:
        if state.protection_changes.running(vm, now) is not None:
            raise bad_request("BMSUserErrorAnotherOperationInProgress",
                              f"Another operation is in progress on the protected item '{vm.item}'. Retry once it "
                              "has completed.")
        job = Job(id=new_id(), vault_key=vm.vault.key, vm_id=vm.vm_id, vm_name=vm.name,
                  container=vm.container.split(";", 1)[1], operation=operation, start=now,
                  seconds=state.settings.job_seconds, property_bag=bag, tasks=())
        op = Operation(id=new_id(), kind=change, start=now, seconds=job.seconds, job_id=job.id, scope=scope)
        state.protection_changes.expect(job, vm, change)
        state.jobs[job.id] = job
        state.operations[op.id] = op
    return op


ROUTES: list[Route] = [
    ("DELETE", ITEM, delete_item, BACKUP),
    ("PUT", ITEM, put_item, BACKUP),
]
