"""The ARM calls a drill makes, each confined to the drill's own resource group.

:class:`DrillArm` creates the group, its security group and network (each a long-running PUT, followed to its
end), reads a restored VM's instance view, asks for its boot diagnostics links and runs Run Command on it, deletes
the group (ARM's long-running operation) and lists what is left. **Every write names a path inside the drill's
resource group** (or the group itself): :meth:`DrillArm._inside` refuses anything else before it is sent, so a
drill cannot write to a source VM or its network, whatever it is given.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...core import api_versions
from ...core.errors import ArmError, RestorekitError
from ...core.protocols import ArmApi
from ...transport.polling import LongRunningOperation, header
from .plan import ADDRESS_SPACE, SUBNET, SUBNET_PREFIX

#: Minutes the boot diagnostics links live.
LINK_MINUTES = 60


class OutsideDrill(RestorekitError):
    """A write the drill was about to send outside its own resource group (a bug: nothing was sent)."""


@dataclass(frozen=True)
class BootDiagnosticsLinks:
    """The SAS links of a VM's console screenshot and serial log (secrets: never logged or journaled)."""

    screenshot: str | None
    serial_log: str | None

    def __repr__(self) -> str:
        return "<BootDiagnosticsLinks (SAS links, not shown)>"


class DrillArm:
    """ARM for one drill: ``arm`` (an ``ArmSession``), its subscription and resource group.

    ``poll_interval`` (seconds, None: what ``Retry-After`` says) and ``sleep`` pace the long-running operations.
    """

    def __init__(self, arm: ArmApi, subscription: str, resource_group: str, *, poll_interval: float | None = None,
                 sleep: Callable[[float], Any] | None = None) -> None:
        self.arm = arm
        self.subscription = subscription
        self.resource_group = resource_group
        self.poll_interval = poll_interval
        self.sleep = sleep

    @property
    def group_id(self) -> str:
        """The drill's resource group's id."""
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"

    def _inside(self, path: str) -> str:
        group = self.group_id.lower()
        if posixpath.normpath(path) != path or (path.lower() != group and not path.lower().startswith(group + "/")):
            raise OutsideDrill(f"refusing to write {path}: a drill writes only inside its resource group {group}")
        return path

    def _follow(self, response: Any, timeout: float) -> Any:
        """Follow a long-running answer to its end; returns the last status body (raises when it failed)."""
        kwargs: dict[str, Any] = {"poll_interval": self.poll_interval}
        if self.sleep is not None:
            kwargs["sleep"] = self.sleep
        lro = LongRunningOperation.from_response(self.arm, response, **kwargs)
        if not lro.can_poll:
            return response.body
        return lro.run(timeout=timeout).body

    def _put(self, path: str, body: dict[str, Any], api_version: str, timeout: float = 600.0) -> dict[str, Any]:
        answer = self.arm.request("PUT", self._inside(path), json_body=body, api_version=api_version, ok=(200, 201))
        self._follow(answer, timeout)
        return answer.body if isinstance(answer.body, dict) else {}

    # -- creating the isolated place ----------------------------------------------------------------------
    def group_exists(self) -> bool:
        """True when the drill's resource group exists (any state)."""
        try:
            self.arm.request("GET", self.group_id, api_version=api_versions.RESOURCE_GROUPS, ok=(200,))
        except ArmError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def create_group(self, location: str, tags: dict[str, str]) -> dict[str, Any]:
        """PUT the drill's resource group (the caller checked it did not exist: a drill's group is always new)."""
        answer = self.arm.request("PUT", self._inside(self.group_id), json_body={"location": location, "tags": tags},
                                  api_version=api_versions.RESOURCE_GROUPS, ok=(200, 201))
        return answer.body

    def security_group_id(self, name: str) -> str:
        """The id of a security group of the drill."""
        return f"{self.group_id}/providers/Microsoft.Network/networkSecurityGroups/{name}"

    def network_id(self, name: str) -> str:
        """The id of a virtual network of the drill."""
        return f"{self.group_id}/providers/Microsoft.Network/virtualNetworks/{name}"

    def create_security_group(self, name: str, location: str, rules: list[dict[str, Any]],
                              tags: dict[str, str]) -> dict[str, Any]:
        """PUT a network security group with ``rules`` and wait until it is provisioned."""
        return self._put(self.security_group_id(name), {"location": location, "tags": tags,
                                                        "properties": {"securityRules": rules}}, api_versions.NETWORK)

    def create_network(self, name: str, location: str, security_group: str, tags: dict[str, str]) -> dict[str, Any]:
        """PUT a virtual network (no peering) whose one subnet the security group guards; wait until provisioned."""
        body = {"location": location, "tags": tags, "properties": {
            "addressSpace": {"addressPrefixes": [ADDRESS_SPACE]},
            "subnets": [{"name": SUBNET, "properties": {"addressPrefix": SUBNET_PREFIX, "networkSecurityGroup": {
                "id": self.security_group_id(security_group)}}}]}}
        return self._put(self.network_id(name), body, api_versions.NETWORK)

    # -- a restored VM ---------------------------------------------------------------------------------------
    def vm_id(self, name: str) -> str:
        """The id of a VM the drill restores."""
        return f"{self.group_id}/providers/Microsoft.Compute/virtualMachines/{name}"

    def instance_view(self, vm_name: str) -> dict[str, Any]:
        """``GET {vm}/instanceView``."""
        return self.arm.get(f"{self.vm_id(vm_name)}/instanceView", api_version=api_versions.COMPUTE)

    def boot_diagnostics(self, vm_name: str) -> BootDiagnosticsLinks:
        """``POST {vm}/retrieveBootDiagnosticsData``: SAS links that live :data:`LINK_MINUTES` minutes."""
        path = self._inside(f"{self.vm_id(vm_name)}/retrieveBootDiagnosticsData")
        answer = self.arm.request("POST", path, params={"sasUriExpirationTimeInMinutes": LINK_MINUTES},
                                  api_version=api_versions.COMPUTE, ok=(200,))
        body = answer.body if isinstance(answer.body, dict) else {}
        return BootDiagnosticsLinks(body.get("consoleScreenshotBlobUri"), body.get("serialConsoleLogBlobUri"))

    def run_command(self, vm_name: str, body: dict[str, Any], timeout: float) -> Any:
        """``POST {vm}/runCommand`` followed to its end; returns the ``RunCommandResult``."""
        path = self._inside(f"{self.vm_id(vm_name)}/runCommand")
        answer = self.arm.request("POST", path, json_body=body, api_version=api_versions.COMPUTE, ok=(200, 202))
        if answer.status == 200:
            return answer.body
        status = self._follow(answer, timeout)
        output = (status.get("properties") or {}).get("output") if isinstance(status, dict) else None
        if output is None:  # the result is the Location's (final-state-via location)
            location = header(answer.headers, "Location")
            output = self.arm.get(location) if location else None
        return output

    # -- deleting and proving it -------------------------------------------------------------------------
    def delete_group(self, timeout: float = 3600.0) -> None:
        """DELETE the drill's resource group and wait until ARM says it is gone (raises when the deletion failed)."""
        try:
            answer = self.arm.request("DELETE", self._inside(self.group_id), api_version=api_versions.RESOURCE_GROUPS,
                                      ok=(200, 202, 204))
        except ArmError as exc:
            if exc.status == 404:
                return  # gone already
            raise
        self._follow(answer, timeout)

    def left_in_group(self) -> list[dict[str, Any]] | None:
        """What the drill's group still holds (``GET {rg}/resources``); None when the group does not exist."""
        try:
            return self.arm.list(f"{self.group_id}/resources", api_version=api_versions.RESOURCE_GROUPS)
        except ArmError as exc:
            if exc.status == 404:
                return None
            raise

    def tagged(self, tag: str, value: str) -> list[dict[str, Any]]:
        """Resources and resource groups of the subscription tagged ``tag: value`` (ARM's lists, tag filter)."""
        query = {"$filter": f"tagName eq '{tag}' and tagValue eq '{value}'"}
        sub = f"/subscriptions/{self.subscription}"
        return (self.arm.list(f"{sub}/resourcegroups", params=query, api_version=api_versions.RESOURCE_GROUPS)
                + self.arm.list(f"{sub}/resources", params=query, api_version=api_versions.RESOURCE_GROUPS))
