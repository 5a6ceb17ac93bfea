"""Microsoft.Compute: what a VM's guest says: its instance view, Run Command, and its boot diagnostics' links.

* ``GET {vm}/instanceView`` (and ``GET {vm}?$expand=instanceView``): ``VirtualMachineInstanceView`` with the
  provisioning and power states (``PowerState/starting`` → ``PowerState/running``), the VM agent's status
  (absent while starting, ``Not Ready``, then ``Ready`` with its version, the OS name and computer name), the
  disks (:mod:`.guest` says when).
* ``POST {vm}/runCommand`` (``RunCommandInput``): a long-running operation (202, ``Azure-AsyncOperation`` and
  ``Location`` with ``monitor=true``); its result is a ``RunCommandResult``: on Linux one ``InstanceViewStatus``
  whose message holds ``[stdout]`` and ``[stderr]`` (code ``ProvisioningState/failed/{exit code}`` when the script
  fails), on Windows ``ComponentStatus/StdOut/succeeded`` and ``ComponentStatus/StdErr/succeeded`` (Run Command
  reports no exit code there). The emulator runs no script: the output is what its ``echo`` / ``Write-Output``
  lines print; ``machine_faults.probe_fails`` makes it fail. A VM whose agent is not ready fails the operation
  with ``VMAgentStatusCommunicationError``; a second command while one runs is 409 ``Conflict``.
* ``POST {vm}/retrieveBootDiagnosticsData?sasUriExpirationTimeInMinutes=N`` (1-1440, default 120): the SAS links
  of the console screenshot and the serial log, which the emulator serves (``boot_diagnostics``).
"""

from __future__ import annotations

import hashlib
import re
import shlex
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from ..arm import versions
from ..arm.errors import ApiError, bad_request, resource_not_found
from ..arm.paths import RESOURCE_GROUP
from ..arm.responses import json_response
from ..call import Call, Route
from ..clock import iso
from ..estate.inventory import VM_TYPE, ComputeVM
from .arm_async import COMPUTE, accepted
from .guest import GUEST_OS, Guest, guest
from .resources import resource_group_name

#: Run Command's built-in commands per OS (``az vm run-command list``).
COMMANDS = {"Linux": ("RunShellScript", "ifconfig"),
            "Windows": ("RunPowerShellScript", "IPConfig", "EnableAdminAccount", "EnableRemotePS", "RDPSettings",
                        "ResetRDPCert", "SetRDPPort")}
#: Default and bounds of ``sasUriExpirationTimeInMinutes``.
SAS_MINUTES, SAS_MINUTES_RANGE = 120, range(1, 1441)


def _status(code: str, display: str, level: str = "Info", time: datetime | None = None,
            message: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "level": level, "displayStatus": display}
    if message is not None:
        out["message"] = message
    if time is not None:
        out["time"] = iso(time)
    return out


def find_vm(call: Call) -> ComputeVM:
    """The VM of the path; 404 ``ResourceNotFound`` when none."""
    rg = resource_group_name(call)
    vm = call.state.estate.inventory.get(ComputeVM, rg, call.groups["name"])
    if vm is None:
        raise resource_not_found(VM_TYPE, call.groups["name"], rg)
    return vm


def instance_view(g: Guest, now: datetime) -> dict[str, Any]:
    """The VM's ``VirtualMachineInstanceView`` now."""
    vm = g.vm
    out: dict[str, Any] = {"platformUpdateDomain": 0, "platformFaultDomain": 0}
    os_name, os_version, agent_version = GUEST_OS[vm.os_type]
    if g.agent == "ready":
        out.update(computerName=vm.name[:15] if vm.os_type == "Windows" else vm.name, osName=os_name,
                   osVersion=os_version)
        out["vmAgent"] = {"vmAgentVersion": agent_version, "statuses": [_status(
            "ProvisioningState/succeeded", "Ready", time=now,
            message="GuestAgent is running and processing the extensions." if vm.os_type == "Windows"
            else "Guest Agent is running")], "extensionHandlers": []}
    elif g.agent == "not_ready":
        out["vmAgent"] = {"vmAgentVersion": "Unknown", "statuses": [_status(
            "ProvisioningState/Unavailable", "Not Ready", "Warning", now,
            "VM status blob is found but not yet populated.")]}
    out["hyperVGeneration"] = "V2"
    out["disks"] = [{"name": slot.name, "statuses": [_status("ProvisioningState/succeeded", "Provisioning succeeded",
                                                              time=vm.created)]} for slot in vm.slots]
    power = ("PowerState/running", "VM running") if g.power == "running" else ("PowerState/starting", "VM starting")
    out["statuses"] = [_status("ProvisioningState/succeeded", "Provisioning succeeded", time=vm.created),
                       _status(*power)]
    return out


def get_instance_view(call: Call) -> Response:
    """GET {vm}/instanceView."""
    vm = find_vm(call)
    return json_response(instance_view(guest(call.state, vm, call.now), call.now))


# --- Run Command -----------------------------------------------------------------------------------------

_PRINT = re.compile(r"^\s*(?:echo|Write-Output|Write-Host)\s+(?P<text>.+?)\s*;?\s*$", re.I)


def printed(script: list[str]) -> str:
    """What the script's ``echo`` / ``Write-Output`` / ``Write-Host`` lines print (the emulator runs nothing else)."""
    out = []
    for line in script:
        m = _PRINT.match(line)
        if m:
            try:
                out.append(" ".join(shlex.split(m.group("text"))))
            except ValueError:
                out.append(m.group("text"))
    return "\n".join(out)


def run_command_result(g: Guest, command: str, script: list[str], call: Call) -> dict[str, Any]:
    """The ``RunCommandResult`` of ``script`` on the guest."""
    failure = call.state.machine_faults.probe_failure(g.names)
    stdout = printed(script) if command in ("RunShellScript", "RunPowerShellScript") else _builtin(g, command)
    stderr = failure.stderr if failure else ""
    if g.vm.os_type == "Windows":
        return {"value": [_status("ComponentStatus/StdOut/succeeded", "Provisioning succeeded", message=stdout),
                          _status("ComponentStatus/StdErr/succeeded", "Provisioning succeeded", message=stderr)]}
    if failure is None:
        return {"value": [_status("ProvisioningState/succeeded", "Provisioning succeeded",
                                  message=f"Enable succeeded: \n[stdout]\n{stdout}\n[stderr]\n{stderr}\n")]}
    return {"value": [_status(f"ProvisioningState/failed/{failure.exit_code}", "Provisioning failed", "Error",
                              message=f"Enable failed: failed to execute command: command terminated with exit "
                                      f"status={failure.exit_code}\n[stdout]\n{stdout}\n[stderr]\n{stderr}\n")]}


def _builtin(g: Guest, command: str) -> str:
    digits = int(hashlib.sha256(g.vm.id.lower().encode()).hexdigest()[:4], 16)
    address = f"10.{digits % 200}.0.4"
    if command == "ifconfig":
        return (f"eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        inet {address}  netmask "
                "255.255.255.0  broadcast 10.0.0.255")
    if command == "IPConfig":
        return f"Windows IP Configuration\n\nEthernet adapter Ethernet:\n   IPv4 Address. . . . . . . . . . . : {address}"
    return f"{command} completed."


def run_command(call: Call) -> Response:
    """POST {vm}/runCommand: a long-running operation whose result is the ``RunCommandResult``."""
    vm = find_vm(call)
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("commandId"), str) or not body["commandId"]:
        raise bad_request("InvalidParameter", "Required parameter 'commandId' is missing (null).", "commandId")
    command = next((c for c in COMMANDS[vm.os_type] if c.lower() == body["commandId"].lower()), None)
    if command is None:
        raise bad_request("InvalidParameter", f"Run command '{body['commandId']}' is not available for VMs of OS type "
                                              f"'{vm.os_type}'; the commands are {', '.join(COMMANDS[vm.os_type])}.",
                          "commandId")
    script = body.get("script") or []
    if not isinstance(script, list) or not all(isinstance(line, str) for line in script):
        raise bad_request("InvalidParameter", "'script' must be a list of lines of text.", "script")
    parameters = body.get("parameters") or []
    if not isinstance(parameters, list) or not all(isinstance(p, dict) and isinstance(p.get("name"), str)
                                                   and isinstance(p.get("value"), str) for p in parameters):
        raise bad_request("InvalidParameter", "'parameters' must be a list of {name, value} text pairs.", "parameters")
    ops = call.state.arm_operations
    if ops.running(vm.id, call.now, "runCommand") is not None:
        raise ApiError(409, "Conflict", "Run command extension execution is in progress. Please wait for completion "
                                        "before invoking a run command.")
    g = guest(call.state, vm, call.now)
    seconds = call.state.settings.operation_seconds
    if g.agent != "ready":
        op = ops.start("runCommand", vm.id, vm.location, call.now, 2 * seconds, error={
            "code": "VMAgentStatusCommunicationError",
            "message": f"VM '{vm.name}' has not reported status for VM agent or extensions. Verify that the OS is up "
                       "and healthy, the VM has a running VM agent, and that it can establish outbound connections to "
                       "Azure storage. Please refer to https://aka.ms/vmextensionlinuxtroubleshoot for additional VM "
                       "agent troubleshooting information."})
    else:
        op = ops.start("runCommand", vm.id, vm.location, call.now, seconds,
                       result=run_command_result(g, command, script, call))
    return accepted(call, op, COMPUTE)


# --- boot diagnostics ------------------------------------------------------------------------------------

def diagnostics_account(vm: ComputeVM) -> str:
    """The managed storage account (``md-…``) holding the VM's boot diagnostics."""
    return "md-" + hashlib.sha256(f"{vm.subscription}|{vm.location}".lower().encode()).hexdigest()[:12]


def diagnostics_paths(vm: ComputeVM) -> tuple[str, str]:
    """The paths (path-style: account, container, blob) of the VM's screenshot and serial log."""
    base = f"/{diagnostics_account(vm)}/bootdiagnostics-{vm.name.lower()[:9]}-{vm.vm_uuid}/{vm.name}.{vm.vm_uuid}"
    return f"{base}.screenshot.bmp", f"{base}.serialconsole.log"


def retrieve_boot_diagnostics_data(call: Call) -> Response:
    """POST {vm}/retrieveBootDiagnosticsData: SAS links to the console screenshot and the serial log."""
    vm = find_vm(call)
    raw = call.request.args.get("sasUriExpirationTimeInMinutes")
    minutes = SAS_MINUTES
    if raw is not None:
        if not raw.isdigit() or int(raw) not in SAS_MINUTES_RANGE:
            raise bad_request("InvalidParameter", f"The value '{raw}' of sasUriExpirationTimeInMinutes is invalid: use "
                                                  f"a number of minutes between 1 and 1440.", "sasUriExpirationTimeInMinutes")
        minutes = int(raw)
    shot, log = diagnostics_paths(vm)
    sign = call.state.sas.sign
    return json_response({"consoleScreenshotBlobUri": f"{call.base_url}{shot}?{sign(shot, minutes)}",
                          "serialConsoleLogBlobUri": f"{call.base_url}{log}?{sign(log, minutes)}"})


_VM = RESOURCE_GROUP + r"/providers/Microsoft\.Compute/virtualMachines/(?P<name>[^/]+)"

ROUTES: list[Route] = [
    ("GET", _VM + r"/instanceView", get_instance_view, versions.COMPUTE_VERSIONS),
    ("POST", _VM + r"/runCommand", run_command, versions.COMPUTE_VERSIONS),
    ("POST", _VM + r"/retrieveBootDiagnosticsData", retrieve_boot_diagnostics_data, versions.COMPUTE_VERSIONS),
]
