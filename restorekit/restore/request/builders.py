"""Restore request bodies for the three scenarios of Azure's REST restore guide, checked before sending.

* :class:`RestoreDisks` — ``recoveryType: RestoreDisks``: disks (and ``vmconfig.json``) into a storage account /
  resource group; ``luns=[...]`` restores selected disks (OS disk is LUN -1).
* :class:`ReplaceDisks` — ``recoveryType: OriginalLocation``: replaces the disks of the backed-up VM
  (``destructive = True``). It takes no target VM, network, group, zone or key: those keywords do not exist.
* :class:`RestoreAsNewVM` — ``recoveryType: AlternateLocation``: creates a new VM.

Each builder is a frozen dataclass: change it with :func:`dataclasses.replace`, list its inputs with
``fields()`` (what a form shows), render it with ``to_body()``, ``to_json()``, ``to_curl()``,
``to_az_rest()``. ``problems()`` lists every problem (see :mod:`restorekit.restore.request.rules`), ``validate()``
raises :class:`~restorekit.core.errors.ValidationError` with all of them. Nothing here sends a request.

Names are turned into ARM IDs (``azure.mgmt.core.tools.resource_id``) in the target subscription
(``target_subscription``, default the source VM's) as follows — a full ARM ID is always kept verbatim:

* ``storage_account``: ``"name"`` is in the **source VM's resource group**; ``"rg/name"`` names another group.
* ``target_resource_group``: ``"name"`` → ``/subscriptions/{sub}/resourceGroups/{name}``.
* ``target_vm_name``, ``virtual_network``, ``disk_encryption_set``, ``secured_vm_disk_encryption_set``,
  ``identity``, ``disk_access``: ``"name"`` is in the **target resource group** (the source VM's group when
  there is none); ``"rg/name"`` names another group.
* ``subnet``: ``"name"`` is a subnet of ``virtual_network``.

Bodies carry no ``None`` values, except :class:`ReplaceDisks`, which writes every alternate-location target
(``targetVirtualMachineId``, ``targetResourceGroupId``, ``virtualNetworkId``, ``subnetId``,
``diskEncryptionSetId``, ``targetDomainNameId``) as an explicit ``null`` and ``affinityGroup`` as ``""``: the
request then says that nothing new is targeted, as the documentation's replace-disks body does.
``encryptionDetails.encryptionEnabled`` mirrors the point's ``isSourceVMEncrypted`` unless ``encryption``
says otherwise (it is left out of a replace-disks body unless given).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dc_fields
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from ...core import api_versions
from ...core.errors import ValidationError
from ...core.ids import id_from_name, name_of, resource_group_id, resource_group_of
from ...model.points import RecoveryPoint
from ..checking.report import CheckReport
from .exports import HttpCall, as_az_rest, as_curl, restore_calls
from .fields import FieldSpec, OptionValue, option, specs
from .rules import (
    DISK_NETWORK_ACCESS_OPTIONS,
    REHYDRATION_PRIORITIES,
    REQUEST_KEYS,
    VM_NAME_FIX,
    ZONES,
    Problem,
    StorageAccountFacts,
    check_request,
    vm_name_problem,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import Json, JsonObject

DEFAULT_ENDPOINT = "https://management.azure.com"
DEFAULT_REHYDRATION_PRIORITY = "Standard"
DEFAULT_REHYDRATION_DAYS = 15

__all__ = ["RestoreRequestBuilder", "RestoreDisks", "ReplaceDisks", "RestoreAsNewVM", "FieldSpec", "SCENARIOS",
           "build", "Problem"]



@dataclass(frozen=True, kw_only=True, repr=False)
class RestoreRequestBuilder:
    """Base of the restore builders: the options every scenario shares. Use a subclass."""

    #: Scenario name (key of :data:`SCENARIOS`), the API's ``recoveryType``, a title and one line for a form.
    scenario: ClassVar[str] = ""
    recovery_type: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: True when the restore overwrites existing resources (ask for confirmation).
    destructive: ClassVar[bool] = False
    #: Keywords this scenario needs (``storage_account`` may be replaced by identity-based restore).
    required: ClassVar[frozenset[str]] = frozenset({"point", "storage_account"})

    point: RecoveryPoint = field(kw_only=False, metadata={
        "label": "Recovery point", "kind": "point", "help": "the recovery point to restore", "choices": (),
        "advanced": False})
    storage_account: str | None = option(
        "Staging storage account", "storage_account",
        "name (in the source VM's resource group), 'rg/name' or ARM ID; same region as the vault, not ZRS/premium")
    region: str | None = option("Region", "region", "restore region; default the vault's (give the secondary "
                              "region for a cross-region point)", advanced=True)
    storage_account_properties: StorageAccountFacts | None = option(
        "Storage account properties", "mapping", "what is known of the account: {'location', 'sku': {'name'}, "
        "'kind'} or an SDK StorageAccount; lets validate() check it offline", advanced=True)
    create_new_cloud_service: bool = option("Create new cloud service", "bool", "classic VMs only", False,
                                         advanced=True)
    original_storage_account_option: bool = option(
        "Use original storage accounts", "bool", "unmanaged VMs: restore into the original storage accounts",
        False, advanced=True)
    encryption: bool | Mapping[str, Json] | None = option("Encryption details", "mapping", "encryptionDetails: True/False or a dict "
                           "(kekUrl, secretKeyUrl, kekVaultId, secretKeyVaultId); default follows the point",
                           advanced=True)
    identity: bool | str | None = option("Managed identity", "identity", "'system' (or True) for the vault's system-assigned "
                         "identity, or a user-assigned identity: name, 'rg/name' or ARM ID", advanced=True)
    identity_based_restore: bool = option(
        "Identity-based restore", "bool", "access the storage account with the managed identity "
        "(identityBasedRestoreDetails)", False, advanced=True)
    disk_network_access: str | None = option("Disk network access", "choice", "network access of the restored disks",
                                    choices=DISK_NETWORK_ACCESS_OPTIONS, advanced=True)
    disk_access: str | None = option("Disk access", "arm_id", "disk access for private access: name, 'rg/name' or ARM ID",
                            advanced=True)
    resource_guard_operation_requests: str | Sequence[str] | None = option(
        "Resource Guard operation requests", "id_list", "ARM IDs of approved Resource Guard requests (MUA)",
        advanced=True)
    rehydration_priority: str | None = option(
        "Rehydration priority", "choice", "archive-only points: Standard or High (default Standard when a "
        "duration is given)", choices=REHYDRATION_PRIORITIES)
    rehydration_duration: int | str | timedelta | None = option(
        "Rehydration duration (days)", "days", f"archive-only points: keep the rehydrated copy 10-30 days "
        f"(default {DEFAULT_REHYDRATION_DAYS} when a priority is given); days, 'P15D' or a timedelta")
    extra: Mapping[str, Json] | None = option("Extra properties", "mapping", "other request properties passed through as is "
                      "(e.g. affinityGroup, targetDomainNameId, extendedLocation)", advanced=True)

    # body keys this scenario writes as explicit nulls
    _explicit_nulls: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.point, RecoveryPoint):
            raise ValidationError([Problem("point", f"expected a RecoveryPoint, got {type(self.point).__name__}",
                                           "pass a point from item.recovery_points()")])

    # --- introspection -----------------------------------------------------------------------------
    @classmethod
    def fields(cls) -> list[FieldSpec]:
        """The keywords of this scenario, in order, with labels, widget kinds, help and defaults (for a form)."""
        return specs(cls, cls.required)

    def values(self) -> dict[str, RecoveryPoint | OptionValue]:
        """The builder's keywords and their current values (``point`` included)."""
        return {f.name: getattr(self, f.name) for f in dc_fields(self)}

    # --- where things are --------------------------------------------------------------------------
    @property
    def subscription(self) -> str:
        """Subscription of the restored resources (``target_subscription`` or the source VM's)."""
        target = getattr(self, "target_subscription", None)
        return target if isinstance(target, str) and target else self.point.item.subscription_id

    @property
    def target_group(self) -> str:
        """Resource group where bare names of target resources are looked up."""
        return self.point.item.vm_resource_group

    @property
    def source_resource_id(self) -> str:
        """ARM ID of the backed-up VM (as the protected item says, else derived from its name)."""
        return self.point.source_vm_id or self.point.item.source_vm_id

    @property
    def picks_disks(self) -> bool:
        """True when the request restores chosen disks only (they are checked against the point's disk list)."""
        return False

    @property
    def target_region(self) -> str | None:
        """The restore region: ``region``, else the vault's for a primary-region point, else the secondary region
        a cross-region point was read from (None when unknown)."""
        if self.region is not None:
            return self.region
        if self.point.region == "secondary":
            return self.point.copy_region
        return self.point.vault_location

    @property
    def storage_account_id(self) -> Json:
        """ARM ID of the staging storage account (a bare name is in the source VM's resource group)."""
        return id_from_name(self.storage_account, self.subscription, self.point.item.vm_resource_group,
                      "Microsoft.Storage", "storageAccounts")

    @property
    def wants_rehydration(self) -> bool:
        """True when the body is an ``IaasVMRestoreWithRehydrationRequest``."""
        return self.rehydration_priority is not None or self.rehydration_duration is not None

    # --- body -------------------------------------------------------------------------------------
    def _target_id(self, value: Json | bool, namespace: str, type_: str) -> Json:
        return id_from_name(value, self.subscription, self.target_group, namespace, type_)

    def _encryption(self) -> Json:
        value = self.encryption
        if value is None:
            return {"encryptionEnabled": self.point.encrypted}
        if isinstance(value, bool):
            return {"encryptionEnabled": value}
        if isinstance(value, Mapping):
            names = {"encryption_enabled": "encryptionEnabled", "kek_url": "kekUrl", "secret_key_url": "secretKeyUrl",
                     "kek_vault_id": "kekVaultId", "secret_key_vault_id": "secretKeyVaultId"}
            details = {names.get(k, k): v for k, v in value.items()}
            details.setdefault("encryptionEnabled", self.point.encrypted)
            return details
        return value

    def _identity(self) -> JsonObject | None:
        value = self.identity
        if value is None or value is False:
            return None
        if value is True or (isinstance(value, str) and value.lower() in ("system", "systemassigned")):
            return {"isSystemAssignedIdentity": True}
        ident = self._target_id(value, "Microsoft.ManagedIdentity", "userAssignedIdentities")
        return {"isSystemAssignedIdentity": False, "managedIdentityResourceId": ident}

    def _rehydration(self) -> JsonObject:
        priority = self.rehydration_priority
        if priority is None:
            priority = DEFAULT_REHYDRATION_PRIORITY
        elif isinstance(priority, str):
            priority = {p.lower(): p for p in REHYDRATION_PRIORITIES}.get(priority.strip().lower(), priority)
        duration = self.rehydration_duration
        if duration is None:
            duration = DEFAULT_REHYDRATION_DAYS
        if isinstance(duration, timedelta) and duration == timedelta(days=duration.days):
            duration = duration.days
        if isinstance(duration, int) and not isinstance(duration, bool):
            duration = f"P{duration}D"
        return {"rehydrationRetentionDuration": duration, "rehydrationPriority": priority}

    def _disk_network_access(self) -> JsonObject | None:
        if self.disk_network_access is None and self.disk_access is None:
            return None
        option = self.disk_network_access
        if option is None:
            option = "EnablePrivateAccessForAllDisks"
        settings = {"targetDiskNetworkAccessOption": option}
        if self.disk_access is not None:
            settings["targetDiskAccessId"] = self._target_id(self.disk_access, "Microsoft.Compute", "diskAccesses")
        return settings

    def _scenario_properties(self) -> JsonObject:
        return {}

    def properties(self) -> JsonObject:
        """The request's ``properties`` (an ``IaasVMRestoreRequest``): what a cross-region ``restoreRequest`` holds."""
        rehydrate = self.wants_rehydration
        props: JsonObject = {
            "objectType": "IaasVMRestoreWithRehydrationRequest" if rehydrate else "IaasVMRestoreRequest",
            "recoveryPointId": self.point.name,
            "recoveryType": self.recovery_type,
            "sourceResourceId": self.source_resource_id,
        }
        storage = self.storage_account_id
        if self.identity_based_restore is True:
            props["identityBasedRestoreDetails"] = {"targetStorageAccountId": storage}
        else:
            props["storageAccountId"] = storage
        props["region"] = self.target_region
        props["createNewCloudService"] = self.create_new_cloud_service
        props["originalStorageAccountOption"] = self.original_storage_account_option
        props["encryptionDetails"] = self._encryption()
        props.update(self._scenario_properties())
        props["identityInfo"] = self._identity()
        props["targetDiskNetworkAccessSettings"] = self._disk_network_access()
        guards = self.resource_guard_operation_requests
        props["resourceGuardOperationRequests"] = (
            [guards] if isinstance(guards, str) else list(guards) if isinstance(guards, (list, tuple)) else guards)
        if rehydrate:
            props["recoveryPointRehydrationInfo"] = self._rehydration()
        props = {k: v for k, v in props.items() if v is not None or k in self._explicit_nulls}
        if isinstance(self.extra, Mapping):
            props.update(self.extra)
        return props

    def to_body(self) -> JsonObject:
        """The request body ``{"properties": {...}}`` (a new dict each call; not validated)."""
        return {"properties": self.properties()}

    def to_json(self, indent: int | None = 2) -> str:
        """The body as JSON text."""
        return json.dumps(self.to_body(), indent=indent, default=str)

    # --- where it goes -----------------------------------------------------------------------------
    def _target(self, endpoint: str | None, api_version: str | None) -> tuple[str, str]:
        endpoint = endpoint or self.point.endpoint or DEFAULT_ENDPOINT
        return endpoint.rstrip("/"), api_version or self.point.api_version or api_versions.BACKUP

    def calls(self, endpoint: str | None = None, api_version: str | None = None) -> list[HttpCall]:
        """The HTTP calls this restore makes (one; four for a point of the secondary region), nothing sent."""
        return restore_calls(self, *self._target(endpoint, api_version))

    def url_for(self, endpoint: str | None = None, api_version: str | None = None) -> str:
        """Where the restore is POSTed: ``{item}/recoveryPoints/{rp}/restore``, or ``backupCrossRegionRestore``."""
        trigger = [c for c in self.calls(endpoint, api_version) if c.method == "POST"]
        return trigger[0].url if len(trigger) == 1 else trigger[1].url

    @property
    def url(self) -> str:
        """The restore URL at the endpoint the point was read from (or public Azure and api-version 2026-02-01)."""
        return self.url_for()

    def to_curl(self, endpoint: str | None = None, api_version: str | None = None, *, stdin: bool = False) -> str:
        """POSIX-shell ``curl`` commands that send this restore; the token is read from ``$TOKEN``.

        ``stdin=True`` sends the body with ``-d @-`` from a here-document instead of inline. A point of the
        secondary region gives the four calls of a cross-region restore, the access token kept in a file.
        """
        return as_curl(self.calls(endpoint, api_version), stdin=stdin)

    def to_az_rest(self, endpoint: str | None = None, api_version: str | None = None) -> str:
        """``az rest`` commands that send this restore with the Azure CLI's login."""
        return as_az_rest(self.calls(endpoint, api_version))

    # --- checks ------------------------------------------------------------------------------------
    def _input_problems(self) -> list[Problem]:
        out = []
        if self.identity_based_restore not in (None, True, False):
            out.append(Problem("identity_based_restore", f"must be True or False, got {self.identity_based_restore!r}",
                               "pass identity_based_restore=True to reach the storage account with the identity"))
        if self.extra is not None and not isinstance(self.extra, Mapping):
            out.append(Problem("extra", f"must be a dict of request properties, got {self.extra!r}",
                               "pass extra={'affinityGroup': ''} or leave it out"))
        elif isinstance(self.extra, Mapping):
            modelled = set(self._modelled_keys())
            clash = sorted(str(k) for k in self.extra if k in modelled)
            if clash:
                out.append(Problem("extra", f"{', '.join(clash)} are set by the builder's own keywords",
                                   "use the builder's keywords, and extra only for other properties"))
            unknown = sorted(str(k) for k in self.extra if k not in REQUEST_KEYS)
            if unknown:
                out.append(Problem("extra", f"{', '.join(unknown)} are not restore request properties",
                                   "remove them"))
        guards = self.resource_guard_operation_requests
        if guards is not None and not isinstance(guards, (str, list, tuple)):
            out.append(Problem("resource_guard_operation_requests", f"must be a list of ARM IDs, got {guards!r}",
                               "pass a list of Resource Guard operation request IDs"))
        duration = self.rehydration_duration
        if duration is not None and (isinstance(duration, bool) or not isinstance(duration, (int, str, timedelta))):
            out.append(Problem("rehydration_duration", f"must be days, 'P15D' or a timedelta, got "
                               f"{self.rehydration_duration!r}", "pass rehydration_duration=15"))
        return out

    def _modelled_keys(self) -> tuple[str, ...]:
        return ("objectType", "recoveryPointId", "recoveryType", "sourceResourceId", "storageAccountId", "region",
                "identityBasedRestoreDetails", "createNewCloudService", "originalStorageAccountOption",
                "encryptionDetails", "identityInfo", "targetDiskNetworkAccessSettings",
                "resourceGuardOperationRequests", "recoveryPointRehydrationInfo", *self._explicit_nulls)

    def _storage_target(self, props: Mapping[str, Json]) -> Json:
        details = props.get("identityBasedRestoreDetails")
        if isinstance(details, Mapping) and details.get("targetStorageAccountId"):
            return details["targetStorageAccountId"]
        return props.get("storageAccountId")

    def check(self) -> CheckReport:
        """Every problem and note of this request found offline (nothing is sent).

        The live estate and the service's own verdict are checked by whatever holds the connection:
        ``item.check(request, online=True, service=True)``.
        """
        problems = self._input_problems() + check_request(self.properties(), self.point,
                                                          storage_account=self.storage_account_properties)
        return CheckReport(list(dict.fromkeys(problems)), self.notes())

    def notes(self) -> list[Problem]:
        """What is worth knowing about this request without stopping it (offline)."""
        return []

    def problems(self) -> list[Problem]:
        """Every problem of this request found offline."""
        return self.check().problems

    def validate(self) -> RestoreRequestBuilder:
        """Raise :class:`~restorekit.core.errors.ValidationError` listing every problem found offline; return self.

        ``item.check(request, online=True)`` checks the live estate too (``.raise_for_problems()`` raises).
        """
        self.check().raise_for_problems(self.what)
        return self

    @property
    def what(self) -> str:
        """How errors name this request: ``restore disks request``."""
        return f"{self.title.lower()} request"

    # --- display -----------------------------------------------------------------------------------
    def _summary(self) -> str:
        return ""

    def __repr__(self) -> str:
        vm = self.point.item.vm_name
        text = f"<{type(self).__name__} rp {self.point.name} of {vm}{self._summary()}"
        if isinstance(self.storage_account, str) and self.storage_account:
            text += f", staging {name_of(self.storage_account)}"
        if self.wants_rehydration:
            text += ", with rehydration"
        return text + ">"

    def _repr_html_(self) -> str:
        problems = self.problems()  # offline: displaying a request sends nothing
        warn = ("<p><b>⚠ Destructive:</b> replaces the disks of the backed-up VM.</p>" if self.destructive else "")
        status = ("<p>✔ no problems found offline</p>" if not problems else
                  "<ul>" + "".join(f"<li>{html.escape(str(p))}</li>" for p in problems) + "</ul>")
        return (f"<div><b>{html.escape(self.title)}</b> — {html.escape(self.description)}{warn}"
                f"<p><code>POST {html.escape(self.url)}</code></p>{status}"
                f"<pre>{html.escape(self.to_json())}</pre></div>")


@dataclass(frozen=True, kw_only=True, repr=False)
class _NewResourcesBuilder(RestoreRequestBuilder):
    """Options of the scenarios that create new resources (disks or a VM)."""

    target_resource_group: str | None = option("Target resource group", "resource_group",
                                      "name or ARM ID of the resource group for the restored resources")
    target_subscription: str | None = option("Target subscription", "text", "subscription of the restored resources "
                                    "(cross-subscription restore); default the source VM's", advanced=True)
    zone: str | int | Sequence[str | int] | None = option("Availability zone", "zone", "zone of the restored VM/disks ('1', '2' or '3'); only for "
                     "zone-pinned VMs", choices=ZONES)
    disk_encryption_set: str | None = option("Disk encryption set", "arm_id", "encrypt restored disks with this "
                                    "customer-managed key set: name, 'rg/name' or ARM ID", advanced=True)
    secured_vm_disk_encryption_set: str | None = option(
        "Confidential VM OS disk encryption set", "arm_id", "Confidential VMs: disk encryption set of the OS disk",
        advanced=True)
    restore_with_managed_disks: bool | None = option("Restore with managed disks", "bool",
                                           "unmanaged VMs: restore as managed disks", advanced=True)

    @property
    def target_group(self) -> str:
        """Resource group where bare names of target resources are looked up (target, else source VM's)."""
        rg = self.target_resource_group
        if isinstance(rg, str) and rg:
            if rg.startswith("/"):
                named = resource_group_of(rg)
                if named:
                    return named
            elif "/" not in rg:
                return rg
        return self.point.item.vm_resource_group

    @property
    def target_resource_group_id(self) -> Json:
        """ARM ID of the target resource group (None when not given)."""
        rg = self.target_resource_group
        if isinstance(rg, str) and rg and not rg.startswith("/"):
            return resource_group_id(self.subscription, rg)
        return rg

    def _zones(self) -> Json:
        zone = self.zone
        if zone is None:
            return None
        if isinstance(zone, int) and not isinstance(zone, bool):
            return [str(zone)]
        if isinstance(zone, str):
            return [zone]
        if isinstance(zone, (list, tuple)):
            return [str(z) if isinstance(z, int) and not isinstance(z, bool) else z for z in zone]
        return zone

    def _scenario_properties(self) -> JsonObject:
        secured = self.secured_vm_disk_encryption_set
        return {
            "targetResourceGroupId": self.target_resource_group_id,
            "zones": self._zones(),
            "diskEncryptionSetId": self._target_id(self.disk_encryption_set, "Microsoft.Compute", "diskEncryptionSets"),
            "securedVMDetails": None if secured is None else {
                "securedVMOsDiskEncryptionSetId": self._target_id(secured, "Microsoft.Compute", "diskEncryptionSets")},
            "restoreWithManagedDisks": self.restore_with_managed_disks,
        }

    def _modelled_keys(self) -> tuple[str, ...]:
        return (*super()._modelled_keys(), "targetResourceGroupId", "zones", "diskEncryptionSetId",
                "securedVMDetails", "restoreWithManagedDisks")

    def _input_problems(self) -> list[Problem]:
        out = super()._input_problems()
        sub = self.target_subscription
        if sub is not None and (not isinstance(sub, str) or not sub or any(c in sub for c in "/ \t\n")):
            out.append(Problem("target_subscription", f"{sub!r} is not a subscription ID",
                               "pass the target subscription's ID (a GUID) or leave it out"))
        return out


@dataclass(frozen=True, kw_only=True, repr=False)
class RestoreDisks(_NewResourcesBuilder):
    """Restore the disks of a VM (``recoveryType: RestoreDisks``); ``luns=[...]`` picks disks (OS disk: -1).

    Azure's list of points carries no disk list: given LUNs and a point from a list, the builder reads the point
    alone once (as the Azure CLI does) to check them against its disks.

    Example::

        body = RestoreDisks(point, storage_account="stagingacct", target_resource_group="restored-rg", luns=[0])
        body.validate(); print(body.to_curl())
    """

    scenario: ClassVar[str] = "RestoreDisks"
    recovery_type: ClassVar[str] = "RestoreDisks"
    title: ClassVar[str] = "Restore disks"
    description: ClassVar[str] = ("creates the VM's disks (and its vmconfig.json) from the point; "
                                  "create or attach a VM from them afterwards")

    luns: Sequence[int] | None = option("Disks (LUNs)", "luns", "restore only these disks: LUNs of the point's disk list, -1 is the "
                     "OS disk, [] the OS disk only; default all disks")

    @property
    def picks_disks(self) -> bool:
        """True when ``luns`` names disks: they are checked against the point's disk list (a listed point has none:
        ``item.check``/``item.restore`` read it alone first)."""
        return isinstance(self.luns, (list, tuple)) and bool(self.luns)

    unmanaged: bool = option("Restore as unmanaged disks", "bool", "managed VMs: VHD blobs in the staging account "
                          "instead of managed disks (slower, and not what the portal does)", False, advanced=True)

    @property
    def target_resource_group_id(self) -> Json:
        """ARM ID of the resource group for the restored disks: the one named, else the VM's own for a managed VM.

        That is what the portal does; without a resource group a managed VM's disks would come back as unmanaged
        VHD blobs in the staging account (``unmanaged=True`` asks for exactly that).
        """
        named = super().target_resource_group_id
        if named is not None or self.unmanaged is True or self.point.managed is not True:
            return named
        return resource_group_id(self.subscription, self.point.item.vm_resource_group)

    def notes(self) -> list[Problem]:
        """A managed VM restored as unmanaged disks is said (slower, not what the portal does)."""
        if self.unmanaged is True and self.point.managed is True:
            return [Problem("unmanaged", "the disks of this managed VM will come back as unmanaged VHD blobs in the "
                            "staging storage account: slower, and not what the portal does",
                            "leave unmanaged out to restore managed disks into a resource group")]
        return []

    def _scenario_properties(self) -> JsonObject:
        props = super()._scenario_properties()
        luns = self.luns
        props["restoreDiskLunList"] = list(luns) if isinstance(luns, (list, tuple)) else luns
        return props

    def _modelled_keys(self) -> tuple[str, ...]:
        return (*super()._modelled_keys(), "restoreDiskLunList")

    def _input_problems(self) -> list[Problem]:
        out = super()._input_problems()
        if self.unmanaged not in (True, False):
            out.append(Problem("unmanaged", f"must be True or False, got {self.unmanaged!r}",
                               "pass unmanaged=True only to restore a managed VM's disks as VHD blobs"))
        if self.unmanaged is True and self.target_resource_group is not None:
            out.append(Problem("unmanaged", "an unmanaged restore puts the disks in the storage account, not in a "
                               "resource group", "leave target_resource_group out, or unmanaged"))
        luns = self.luns
        if luns is not None and (not isinstance(luns, (list, tuple)) or not all(
                isinstance(x, int) and not isinstance(x, bool) for x in luns)):
            out.append(Problem("luns", f"must be a list of LUN numbers, got {luns!r}",
                               "pass luns=[0, 1] (-1 is the OS disk) or leave it out to restore every disk"))
        return out

    def _summary(self) -> str:
        return f", LUNs {list(self.luns)}" if isinstance(self.luns, (list, tuple)) else ", all disks"


@dataclass(frozen=True, kw_only=True, repr=False)
class ReplaceDisks(RestoreRequestBuilder):
    """Replace the disks of the backed-up VM with the point's (``recoveryType: OriginalLocation``). Destructive.

    It takes no target VM, network, resource group, zone or disk encryption set: it restores in place.
    """

    scenario: ClassVar[str] = "ReplaceDisks"
    recovery_type: ClassVar[str] = "OriginalLocation"
    title: ClassVar[str] = "Replace disks"
    description: ClassVar[str] = "replaces the current disks of the backed-up VM with the point's disks"
    destructive: ClassVar[bool] = True
    _explicit_nulls: ClassVar[tuple[str, ...]] = ("diskEncryptionSetId", "subnetId", "targetDomainNameId",
                                                  "targetResourceGroupId", "targetVirtualMachineId",
                                                  "virtualNetworkId")

    def _encryption(self) -> Json:
        return None if self.encryption is None else super()._encryption()

    def _scenario_properties(self) -> JsonObject:
        props: JsonObject = {"affinityGroup": ""}
        props.update(dict.fromkeys(self._explicit_nulls))
        return props

    def _modelled_keys(self) -> tuple[str, ...]:
        return (*super()._modelled_keys(), "affinityGroup")

    def _summary(self) -> str:
        return " (replaces its disks)"


@dataclass(frozen=True, kw_only=True, repr=False)
class RestoreAsNewVM(_NewResourcesBuilder):
    """Create a new VM from the point (``recoveryType: AlternateLocation``).

    Example::

        RestoreAsNewVM(point, target_vm_name="web01-restored", target_resource_group="restored-rg",
                       virtual_network="vnet1", subnet="default", storage_account="stagingacct")

    A point of a zone-pinned VM restores into the same zone unless ``zone`` says otherwise.
    """

    scenario: ClassVar[str] = "RestoreAsNewVM"
    recovery_type: ClassVar[str] = "AlternateLocation"
    title: ClassVar[str] = "Restore as a new VM"
    description: ClassVar[str] = "creates a new VM from the point in the given resource group and subnet"
    required: ClassVar[frozenset[str]] = frozenset({"point", "storage_account", "target_vm_name",
                                                    "target_resource_group", "virtual_network", "subnet"})

    target_vm_name: str | None = option("New VM name", "vm_name", "name of the VM to create (1-64 letters, digits, "
                               "'_', '.', '-'), or its ARM ID")
    virtual_network: str | None = option("Virtual network", "virtual_network", "name (in the target resource group), "
                                "'rg/name' or ARM ID")
    subnet: str | None = option("Subnet", "subnet", "subnet name in the virtual network, or its ARM ID")

    @property
    def virtual_network_id(self) -> Json:
        """ARM ID of the virtual network."""
        return self._target_id(self.virtual_network, "Microsoft.Network", "virtualNetworks")

    @property
    def subnet_id(self) -> Json:
        """ARM ID of the subnet (a bare name is a subnet of ``virtual_network``)."""
        subnet, vnet = self.subnet, self.virtual_network_id
        if isinstance(subnet, str) and subnet and "/" not in subnet and isinstance(vnet, str) and vnet:
            return f"{vnet.rstrip('/')}/subnets/{subnet}"
        return subnet

    def _zones(self) -> Json:
        if self.zone is None and self.point.zones:
            return self.point.zones[:1]
        return super()._zones()

    def _scenario_properties(self) -> JsonObject:
        props = {
            "targetVirtualMachineId": self._target_id(self.target_vm_name, "Microsoft.Compute", "virtualMachines"),
            "virtualNetworkId": self.virtual_network_id,
            "subnetId": self.subnet_id,
        }
        props.update(super()._scenario_properties())
        return props

    def _modelled_keys(self) -> tuple[str, ...]:
        return (*super()._modelled_keys(), "targetVirtualMachineId", "virtualNetworkId", "subnetId")

    def _input_problems(self) -> list[Problem]:
        out = super()._input_problems()
        name = self.target_vm_name
        if isinstance(name, str) and name.startswith("/"):
            name = name_of(name)
        if isinstance(name, str) and (why := vm_name_problem(name)):  # other types: the body's shape rule
            out.append(Problem("target_vm_name", why, VM_NAME_FIX))
        return out

    def _summary(self) -> str:
        name = self.target_vm_name
        return f" → new VM {name_of(name)}" if isinstance(name, str) and name else " → new VM (unnamed)"


#: The scenarios by name, in the order a form shows them.
SCENARIOS: dict[str, type[RestoreRequestBuilder]] = {
    "RestoreDisks": RestoreDisks, "RestoreAsNewVM": RestoreAsNewVM, "ReplaceDisks": ReplaceDisks}
_ALIASES = {"restoredisks": "RestoreDisks", "restore_disks": "RestoreDisks", "disks": "RestoreDisks",
            "replacedisks": "ReplaceDisks", "replace_disks": "ReplaceDisks", "originallocation": "ReplaceDisks",
            "replace": "ReplaceDisks", "restoreasnewvm": "RestoreAsNewVM", "restore_as_new_vm": "RestoreAsNewVM",
            "alternatelocation": "RestoreAsNewVM", "new_vm": "RestoreAsNewVM", "newvm": "RestoreAsNewVM"}


def build(kind: str, point: RecoveryPoint, **kwargs: OptionValue) -> RestoreRequestBuilder:
    """A builder by scenario name or recovery type: ``build("AlternateLocation", point, target_vm_name=...)``.

    Accepts ``RestoreDisks``, ``ReplaceDisks``/``OriginalLocation``, ``RestoreAsNewVM``/``AlternateLocation``
    (any case, ``snake_case`` too). A keyword the scenario does not take raises ``TypeError``.
    """
    name = _ALIASES.get(str(kind).replace("-", "_").lower(), None)
    if name is None:
        raise ValueError(f"unknown restore scenario {kind!r}; choose one of {', '.join(SCENARIOS)}")
    return SCENARIOS[name](point, **kwargs)
