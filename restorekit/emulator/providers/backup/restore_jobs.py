"""The job a restore starts: its property bag, tasks and planned failure, and the operation that reports it.

Used by the restore trigger (active stamp) and the cross-region restore (passive stamp) alike.
"""

from __future__ import annotations

from ...clock import us_datetime
from ...estate.jobs import Job, Operation, new_id
from ...estate.vaults import ProtectedVM
from ...state import State
from ...state.restore_plan import RestorePlan, restored_luns

#: Property-bag "Job Type" per recovery type, as Azure writes it.
JOB_TYPES = {"RestoreDisks": "Recover disks", "AlternateLocation": "Recover VM to an alternate location",
             "OriginalLocation": "Replace disks"}
#: Tasks of a restore job per recovery type, as Azure lists them.
RESTORE_TASKS = {"RestoreDisks": ("Transfer data from vault",),
                 "OriginalLocation": ("Transfer data from vault", "Update the virtual machine"),
                 "AlternateLocation": ("Transfer data from vault", "Create the restored virtual machine")}


def start_restore(state: State, vm: ProtectedVM, plan: RestorePlan, *, operation: str = "Restore",
                  scope: str = "") -> Operation:
    """Create the restore job and the operation that reports it; returns the operation."""
    now = state.clock.now()
    job_id = new_id()
    acc = plan.storage_account
    assert acc is not None
    bags = restore_bags(vm, plan, job_id, cross_region=operation == "CrossRegionRestore")
    with state.lock:
        failure, fraction = state.draw_restore_failure()
        job = Job(id=job_id, vault_key=vm.vault.key, vm_id=vm.vm_id, vm_name=vm.name,
                  container=vm.container.split(";", 1)[1], operation=operation, start=now,
                  seconds=state.settings.job_seconds, property_bag=bags[1], running_bag=bags[0],
                  tasks=RESTORE_TASKS[plan.recovery_type], failure=failure, fail_fraction=fraction,
                  internal_bag=({"AdHoc": "AdHoc"} if operation == "CrossRegionRestore" else {})
                  | {"restoreLocationType": plan.recovery_type})
        op = Operation(id=new_id(), kind="restore", start=now, seconds=state.settings.operation_seconds,
                       job_id=job_id, scope=scope)
        state.outcomes.expect(job, vm, plan)  # first: it refuses a VM name another restore took meanwhile
        state.jobs[job_id] = job
        state.operations[op.id] = op
    return op


def restore_bags(vm: ProtectedVM, plan: RestorePlan, job_id: str, *,
                 cross_region: bool = False) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """A restore job's property bag while it runs and once it completed, keys and values as Azure writes them.

    A disk restore names no VM (Azure's placeholder ``vmName``); a replace-disks restore names its VM once done;
    the VM configuration blobs appear on completion; a restore of selected disks names the disks it recreated
    and the ones backed up (``; ``-separated, by their names in the backup).
    """
    acc = plan.storage_account
    assert acc is not None
    kind = plan.recovery_type
    running: dict[str, str | None] = {"Job Type": JOB_TYPES[kind]}
    if kind == "AlternateLocation":
        running["Original VM Name"] = vm.name
    running["Target VM Name"] = {"RestoreDisks": "vmName", "OriginalLocation": None}.get(kind, plan.target_vm)
    if kind == "AlternateLocation" and plan.network is not None:
        running["Target VNet Name"] = f"Group {plan.network.resource_group} {plan.network.name}"
    running["Target Storage Account Name"] = acc.name
    running["Recovery point time "] = us_datetime(plan.point.time)  # the trailing space is Azure's
    group = vm.resource_group if kind == "OriginalLocation" else plan.target_resource_group
    if group:
        running["Target resource group"] = group
    vault_keys: dict[str, str | None] = {}
    if cross_region:
        vault_keys = {"Subscription Id of the vault": vm.vault.subscription_id,
                      "Resource Group Name of the vault": vm.vault.resource_group, "Vault name": vm.vault.name}
    done = {**running}
    if kind == "OriginalLocation":
        done["Target VM Name"] = vm.name
    if kind == "RestoreDisks":
        container = f"{vm.name.lower()}-{job_id[:8]}"  # Azure's has 32 hex digits (the notebooks' sanitizer: 8)
        blobs = f"https://{acc.name.lower()}.blob.core.windows.net/{container}"
        config = {"Config Blob Name": f"config-{vm.name.lower()}-{job_id}.json", "Config Blob Container Name":
                  container, "Config Blob Uri": f"{blobs}/config-{vm.name.lower()}-{job_id}.json"}
        done = {k: v for k, v in done.items() if k != "Target resource group"} | config
        if group:
            done["Target resource group"] = group
        done["Template Blob Uri"] = f"{blobs}/azuredeploy{job_id}.json"
    if plan.selective:
        names = dict(vm.disks)
        done["Restored disk(s)"] = "; ".join(names.get(lun, f"disk{lun}") for lun in restored_luns(plan))
        done["Backed-up disk(s)"] = "; ".join(names.get(lun, f"disk{lun}") for lun in plan.point.included_luns)
    return running | vault_keys, done | vault_keys
