"""Connecting: decide where to talk (an endpoint, Azure, or the local emulator) and with which token.

``rk.connect()`` is the one place that decides, in this order:

1. ``rk.connect("emulator")``: a local emulator started in this process (asked for);
2. ``rk.connect(url)`` or ``RESTOREKIT_ENDPOINT``: that URL (``RESTOREKIT_ENDPOINT=emulator`` starts one);
3. Azure, when a credential is passed or any Azure credential exists on this machine
   (:func:`~restorekit.client.discovery.credential_sources`), in the subscription that ``subscription_id=``,
   ``AZURE_SUBSCRIPTION_ID``, the Azure CLI's default subscription or the credential's only subscription names
   (:mod:`restorekit.client.discovery`);
4. the local emulator, only when no Azure credential exists at all, with a banner that says so and how to
   reach Azure.

``trust_env=False`` ignores the environment (``RESTOREKIT_ENDPOINT``, ``AZURE_SUBSCRIPTION_ID``,
``RESTOREKIT_JOURNAL``, the Azure CLI's profile), as ``requests`` does with ``Session.trust_env``. Everything that
runs on an emulator says so: the connection's repr and HTML, and through it vault and job errors, status lines, job
summaries and the widgets.

A connection owns its context, and hands it to what it starts (nothing below ``client/`` reads the environment):

* its **resource reader** (:meth:`Connection.resources`): the storage accounts, groups, networks and VMs the checks,
  the forms and the outcomes read, cached briefly; it goes away with the connection;
* its **journal** (``connect(journal=path)``; else ``RESTOREKIT_JOURNAL``, read here once; else
  ``journal.jsonl`` in the user data folder): where the restores it starts are written;
* its **frontend** (``connect(headless=...)``): live widgets or plain-text status lines
  (:class:`~restorekit.core.environment.Frontend`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urlsplit

from ..core import api_versions
from ..core.environment import Frontend
from ..core.errors import RestorekitError
from ..core.ids import scope_path
from ..model.arm_resources import ResourceReader
from ..restore.journal.store import Journal, restores_frame
from ..transport.arm import ArmSession, TokenCredential, is_loopback
from .dev_credential import DEV_TOKEN, DevTokenCredential
from .discovery import (
    Subscription,
    azure_config_dir,
    cli_default_subscription,
    credential_sources,
    listed_subscriptions,
    only_subscription,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..core.filters import TimeBound
    from ..restore.drill.runner import Drill
    from ..restore.file_recovery.session import UnclosedFileRecovery
    from .cross_region import CrossRegion
    from .resources import ProtectedItem, Vault

__all__ = ["CLOUDS", "Cloud", "Connection", "DEV_TOKEN", "DevTokenCredential", "EMULATOR_LABEL",
           "EMULATOR_SUBSCRIPTION", "connect"]

EMULATOR_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
#: Which subscriptions a fleet-wide question covers: ``"all"``, one ID or several.
Subscriptions = str | Iterable[str]
#: Tags a fleet view keeps: ``{"environment": "production"}``, ``"environment=production"``, ``"owner"``, or a list.
TagFilter = str | Mapping[str, str | None] | Iterable[str] | None
#: The environment variable that moves the restore journal (a file path), read by :func:`connect`.
JOURNAL_ENV = "RESTOREKIT_JOURNAL"
#: The journal's file name in the user data folder.
JOURNAL_FILE = "journal.jsonl"


class Stoppable(Protocol):
    """Something this connection started and stops when it closes (an emulator server)."""

    def stop(self) -> None:
        """Stop it."""
        ...


@dataclass(frozen=True)
class Context:
    """What a connection owns besides its session: its journal and its frontend (decided once, in connect())."""

    journal: Journal
    frontend: Frontend


def journal_location(env: Mapping[str, str] | None = None) -> Path:
    """Where restores are journaled: ``RESTOREKIT_JOURNAL`` in ``env`` (default ``os.environ``), else
    ``journal.jsonl`` in the user data folder. :func:`connect` asks once; so does ``rk.recent_restores()``
    without a connection."""
    override = (os.environ if env is None else env).get(JOURNAL_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("restorekit")) / JOURNAL_FILE
#: What a user reads wherever something ran on the emulator.
EMULATOR_LABEL = "local emulator, not Azure"


@dataclass(frozen=True)
class Cloud:
    """An Azure cloud: its Resource Manager endpoint, its Entra ID authority host and its portal."""

    name: str
    resource_manager: str
    authority: str
    portal: str


CLOUDS = {
    "AzureCloud": Cloud("AzureCloud", "https://management.azure.com", "login.microsoftonline.com",
                        "https://portal.azure.com"),
    "AzureUSGovernment": Cloud("AzureUSGovernment", "https://management.usgovcloudapi.net",
                               "login.microsoftonline.us", "https://portal.azure.us"),
    "AzureChinaCloud": Cloud("AzureChinaCloud", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn",
                             "https://portal.azure.cn"),
}


class Connection:
    """Where restorekit talks and how: an endpoint, a subscription and an authenticated ARM session.

    Use :func:`connect` to make one. ``vault(resource_group, name)`` is the way in.
    """

    def __init__(
        self,
        arm: ArmSession,
        subscription_id: str,
        *,
        kind: str,
        cloud: Cloud | None = None,
        emulator: Stoppable | None = None,
        reason: str = "",
        journal: Journal | None = None,
        frontend: Frontend | None = None,
    ) -> None:
        self.arm = arm
        self.subscription_id = subscription_id
        self.kind = kind
        self.cloud = cloud
        self.emulator = emulator
        #: Why restorekit talks there, e.g. "the Azure CLI's default subscription".
        self.reason = reason
        #: Where the restores this connection starts are journaled.
        self.journal = journal if journal is not None else Journal(journal_location({}))
        #: Live widgets or status lines (see :class:`~restorekit.core.environment.Frontend`).
        self.frontend = frontend if frontend is not None else Frontend()
        self._readers: dict[str, ResourceReader] = {}

    def resources(self, subscription_id: str | None = None) -> ResourceReader:
        """The reader of the ARM resources of a subscription (this connection's by default), one per subscription.

        What the online checks, the forms and the outcomes read (storage accounts, groups, networks, VMs, disks),
        cached for a short while and shared by all of them; it lives and dies with this connection.
        """
        key = (subscription_id or self.subscription_id).lower()
        reader = self._readers.get(key)
        if reader is None:
            reader = self._readers.setdefault(key, ResourceReader(self.arm, subscription_id or self.subscription_id))
        return reader

    @property
    def endpoint(self) -> str:
        """The Resource Manager endpoint, e.g. ``https://management.azure.com``."""
        return self.arm.endpoint

    @property
    def api_version(self) -> str:
        """The Backup api-version used for calls that do not say otherwise."""
        return self.arm.api_version

    @property
    def principal(self) -> str | None:
        """Who acts through this connection: the principal named in its token's claims (never the token)."""
        return self.arm.identity.principal

    @property
    def is_emulator(self) -> bool:
        """True when talking to a local emulator (started here, or any endpoint on loopback)."""
        return self.kind == "emulator" or (self.kind == "endpoint" and is_loopback(urlsplit(self.endpoint).hostname))

    @property
    def where(self) -> str:
        """Where this connection talks, in words: ``local emulator, not Azure``, ``Azure (AzureCloud)``, …"""
        if self.is_emulator:
            return EMULATOR_LABEL
        if self.kind == "azure":
            return f"Azure ({self.cloud.name if self.cloud else 'AzureCloud'})"
        return f"endpoint {self.endpoint}"

    def portal_url(self, resource_id: str) -> str | None:
        """The Azure portal's page of an ARM resource (None on an emulator or a custom endpoint)."""
        if self.kind != "azure" or not resource_id:
            return None
        portal = (self.cloud or CLOUDS["AzureCloud"]).portal
        return f"{portal}/#resource{quote(resource_id, safe='/;=')}"

    def __repr__(self) -> str:
        where = self.where.upper() if self.is_emulator else self.where
        return (f"<restorekit connection: {where} at {self.endpoint}, subscription {self.subscription_id}, "
                f"api-version {self.api_version}{f'; {self.reason}' if self.reason else ''}>")

    def _repr_html_(self) -> str:
        from html import escape

        from ..core.html import fields_table

        table = fields_table([("talks to", self.where), ("why", self.reason),
                              ("cloud", self.cloud.name if self.cloud else None), ("endpoint", self.endpoint),
                              ("subscription", self.subscription_id), ("api-version", self.api_version)],
                             "restorekit-connection", "restorekit connection")
        if not self.is_emulator:
            return table
        return (f"<div class='restorekit-emulator-banner' style='background:#fff3cd;border:1px solid #e0b400;"
                f"padding:4px 8px;margin:2px 0'><b>Local emulator</b>: nothing here reaches Azure "
                f"({escape(self.endpoint)}).</div>{table}")

    def vault(self, resource_group: str, name: str) -> Vault:
        """The Recovery Services vault ``name`` of ``resource_group`` (checked: the error lists what exists)."""
        from .resources import Vault

        return Vault.fetch(self, resource_group, name)

    def vaults(self) -> list[Vault]:
        """Every Recovery Services vault of the subscription."""
        from .resources import Vault

        return Vault.list(self)

    def cross_region(self, vault_resource_group: str, vault_name: str, vm_resource_group: str, vm_name: str, *,
                     secondary_region: str, poll_interval: float | None = None) -> CrossRegion:
        """Cross-region restore of a VM without any call to the vault's (primary) region.

        For when the primary region is down: the protected item and its points are read from the secondary
        region's API; ``secondary_region`` must be given (the vault's region cannot be read then).
        """
        from .cross_region import CrossRegion
        from .resources import ProtectedItem, Vault

        item = ProtectedItem.unchecked(Vault(self, vault_resource_group, vault_name), vm_resource_group, vm_name)
        return CrossRegion.from_secondary(item, secondary_region=secondary_region, poll_interval=poll_interval)

    def recent_restores(self, limit: int | None = None) -> pd.DataFrame:
        """The restores in this connection's journal, one row each, newest first (see ``rk.recent_restores``)."""
        return restores_frame(self.journal, limit)

    def open_file_recoveries(self, *, include_expired: bool = False) -> list[UnclosedFileRecovery]:
        """The file recovery sessions restorekit opened at this endpoint and never revoked, from any kernel.

        Read from this connection's journal; each has ``.revoke()``. A session whose kernel died before it finished
        provisioning is listed too (it may be open). Expired sessions (closed by the service after 12 hours) are
        left out unless ``include_expired``.
        """
        from ..restore.file_recovery.journal import unclosed
        from ..restore.file_recovery.session import UnclosedFileRecovery

        return [UnclosedFileRecovery(record, self)
                for record in unclosed(self.journal, endpoint=self.endpoint, now=self.now(),
                                       include_expired=include_expired)]

    def now(self) -> datetime:
        """Now, by the service's clock (its ``Date``): what ages and staleness are measured against.

        Against Azure it is the present; an emulator pinned to a day (the demo's) answers with its own day, so
        analyses of its estate read the same whatever the real date.
        """
        if not self.arm.knows_server_time:
            try:  # any answer carries the service's Date: a small one
                self.arm.request("GET", scope_path(self.subscription_id), api_version=api_versions.LOCATIONS)
            except RestorekitError:
                pass  # no answer: the local clock it is
        return self.arm.server_now()

    def subscriptions(self) -> list[Subscription]:
        """The subscriptions the credential can read (``GET /subscriptions``)."""
        return listed_subscriptions(self.arm)

    def _subscription_ids(self, subscriptions: Subscriptions) -> list[str]:
        if subscriptions is None or subscriptions == "all":
            return [s.id for s in self.subscriptions()]
        return [subscriptions] if isinstance(subscriptions, str) else list(subscriptions)

    def fleet(self, subscriptions: Subscriptions = "all", *, tags: TagFilter = None) -> pd.DataFrame:
        """Every protected VM of every subscription the user can read, with its backup state: one row each.

        One Azure Resource Graph query (a request per 1,000 VMs) over ``subscriptions`` (``"all"``, one ID or a
        list); ``tags`` (``{"environment": "production"}``, ``"environment=production"``) keeps the VMs with these
        tags, in the query. Columns of :func:`restorekit.protected_items_frame` (protection state, health, last
        backup status and time, last recovery point, policy). ``frame.attrs["requests"]`` counts the requests.
        """
        from .fleet_views import fleet

        return fleet(self.arm, self._subscription_ids(subscriptions), tags=tags)

    def coverage(self, subscriptions: Subscriptions = "all", *, tags: TagFilter = None,
                 only: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Every VM of every subscription the user can read, and whether a vault backs it up; and the protected
        items whose VM no longer exists.

        One Azure Resource Graph query (``Resources`` joined with ``RecoveryServicesResources``): a row per VM and
        protected item, ``coverage`` ``"not protected"``, ``"VM missing"`` or ``"protected"``, the vault and
        policy, the last backup, the VM's tags. ``tags`` keeps the VMs with these tags; ``only`` one kind of
        coverage or several (``only="not protected"``), in the query. See :func:`rk.coverage_frame`.
        """
        from .fleet_views import coverage

        return coverage(self.arm, self._subscription_ids(subscriptions), tags=tags, only=only)

    def at_risk(self, rpo: str | pd.Timedelta = "1D", *, subscriptions: Subscriptions = "all",
                points: pd.DataFrame | None = None, tags: TagFilter = None, top: int | None = None,
                **options: Any) -> pd.DataFrame:
        """The VMs at risk across ``subscriptions``, worst first, each with its reasons (see :func:`rk.at_risk`).

        VMs no vault protects, newest point older than ``rpo``, last backup failed, protection stopped…: Azure
        Resource Graph scores and ranks them in its query, so only the VMs at risk come back (``top``: only the
        worst ``top``); ``tags`` keeps the VMs with these tags (``tags="environment=production"``). ``points``
        (an inventory frame) refines the ranking with the points themselves (missed backups): then every VM's
        state is read (:meth:`coverage`) and ranked here.
        """
        from ..data.risk import at_risk

        options.setdefault("now", self.now())
        if points is not None:
            ranked = at_risk(self.coverage(subscriptions, tags=tags), points, rpo=rpo, **options)
            return ranked.head(top) if top is not None else ranked
        from .fleet_views import at_risk as ranked_by_graph

        return ranked_by_graph(self.arm, self._subscription_ids(subscriptions), rpo=rpo, tags=tags, top=top,
                               **options)

    def drill(self, items: Any = None, **options: Any) -> Drill:
        """Prove that backups restore: restore ``items`` as new VMs in an isolated place, check they boot (and pass
        ``probe``), measure RPO and RTO, delete everything and prove it; returns the running ``Drill``
        (``drill.wait()`` → its report). A dry run against Azure unless ``dry_run=False``. See
        :func:`restorekit.client.drills.plan_drill` for the options (``tag``, ``sample``, ``point``, ``probe``, ``parallel``,
        ``keep_for``, ``boot_timeout``, ``staging_account``, ``dry_run``)."""
        from .drills import drill

        return drill(self, items, **options)

    def cleanup_drills(self, **options: Any) -> pd.DataFrame:
        """Delete what drills left behind (journal, and Resource Graph's marked groups) and verify it; see
        :func:`restorekit.client.drills.cleanup_drills`."""
        from .drills import cleanup_drills

        return cleanup_drills(self, **options)

    def recent_drills(self, limit: int | None = None) -> pd.DataFrame:
        """The drills in this connection's journal, newest first (see ``rk.recent_drills``)."""
        from ..restore.drill.journal import drills_frame

        return drills_frame(self.journal, limit)

    def inventory(self, start: TimeBound = None, end: TimeBound = None, *, subscriptions: Subscriptions | None = None,
                  items: pd.DataFrame | None = None,
                  **kwargs: Any) -> pd.DataFrame:
        """Recovery points of many protected VMs, as one DataFrame.

        ``items`` (an items frame, e.g. :meth:`fleet`, :meth:`at_risk` or :meth:`coverage`, or rows of it) lists the VMs;
        ``subscriptions`` (``"all"``, an ID or a list) finds them with Resource Graph; with neither, every vault
        of this connection's subscription is listed. Points are read per VM, paced per subscription, so
        subscriptions proceed in parallel (see :mod:`restorekit.client.inventory`).
        """
        from .inventory import collect

        if items is not None:  # rows without an item (VMs no vault protects) have no points
            found = self._items_of(items["item_id"].dropna().astype(str))
        elif subscriptions is not None:
            found = self._items_of(self._graph_item_ids(subscriptions))
        else:
            found = (item for vault in self.vaults() for item in vault.iter_protected_items())
        return collect(found, start=start, end=end, label="inventory", **kwargs)

    def _graph_item_ids(self, subscriptions: Subscriptions) -> Iterator[str]:
        """The protected VMs' ids, page by page from Resource Graph: points are fetched from the first page on."""
        from .resource_graph import PROTECTED_VMS, ResourceGraph

        for page in ResourceGraph(self.arm).pages(PROTECTED_VMS, self._subscription_ids(subscriptions)):
            yield from (str(row["id"]) for row in page if row.get("id"))

    def _items_of(self, item_ids: Iterable[str]) -> Iterator[ProtectedItem]:
        from ..core.ids import ItemRef
        from .resources import ProtectedItem, Vault

        vaults: dict[str, Vault] = {}
        for item_id in item_ids:
            ref = ItemRef.from_id(item_id)
            key = ref.vault_id.lower()
            if key not in vaults:
                vaults[key] = Vault(self, ref.vault_resource_group, ref.vault_name, subscription_id=ref.subscription_id)
            yield ProtectedItem(vaults[key], ref)

    def close(self) -> None:
        """Close the HTTP session, and stop the emulator this connection started."""
        self.arm.close()
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(
    endpoint: str | None = None,
    *,
    subscription_id: str | None = None,
    credential: TokenCredential | None = None,
    api_version: str | None = None,
    cloud: str = "AzureCloud",
    trust_env: bool = True,
    quiet: bool = False,
    journal: str | os.PathLike[str] | Journal | None = None,
    headless: bool | None = None,
    **session_options: Any,
) -> Connection:
    """Connect to Azure, to an ARM endpoint, or to a local emulator (see the module doc for the order).

    >>> az = connect()                                  # Azure, found as the Azure CLI finds it
    >>> az = connect("emulator")                        # a local emulator, started here
    >>> az = connect("http://127.0.0.1:8765")           # an emulator already running
    >>> az = connect(subscription_id="…", credential=DefaultAzureCredential())   # Azure, explicitly
    >>> az = connect(timeout=(5, 30))                   # connect and read timeouts, in seconds
    >>> az = connect(journal="restores.jsonl")          # this connection's restores journaled there

    ``journal`` is where the restores this connection starts are written (a path or a ``Journal``; default
    ``RESTOREKIT_JOURNAL``, else the user data folder); ``headless`` forces status lines (``True``) or live
    widgets (``False``) instead of detecting the frontend.

    ``session_options`` go to :class:`~restorekit.transport.arm.ArmSession`: ``timeout=(connect, read)`` seconds
    (default (10, 60); one number sets both), ``retries`` (urllib3's retries of one send, default 6),
    ``resends`` (times a GET is sent again once those are used up, default 2), ``backoff_factor``,
    ``max_retry_after``, ``pool_size``. A GET slower than the read timeout is retried; a POST that timed out
    is never sent again (a restore looks for the job it may have created instead).
    """
    if cloud not in CLOUDS:
        raise ValueError(f"unknown cloud {cloud!r}; choose one of {', '.join(CLOUDS)}")
    env: Mapping[str, str] = os.environ if trust_env else {}
    context = Context(journal if isinstance(journal, Journal) else Journal(
        Path(journal).expanduser() if journal is not None else journal_location(env)), Frontend(headless=headless))
    api_version = api_version or api_versions.BACKUP
    target = endpoint or env.get("RESTOREKIT_ENDPOINT") or None
    why = "asked for" if endpoint else "RESTOREKIT_ENDPOINT"
    if target and target.strip().lower() == "emulator":
        return _emulator(credential, api_version, session_options, context, quiet=quiet,
                         banner=f"restorekit: started a local emulator ({why}); nothing here reaches Azure")
    if target:
        return _endpoint(target, why, subscription_id, credential, CLOUDS[cloud], api_version, session_options,
                         context)
    chosen = CLOUDS[cloud]
    reason = "subscription_id="
    if not subscription_id and env.get("AZURE_SUBSCRIPTION_ID"):
        subscription_id, reason = env["AZURE_SUBSCRIPTION_ID"], "AZURE_SUBSCRIPTION_ID"
    if not subscription_id and trust_env:
        default = cli_default_subscription(azure_config_dir(env), chosen.name)
        if default is not None:
            subscription_id, reason = default.id, f"the Azure CLI's default subscription {default}"
    sources = credential_sources(env) if trust_env else []
    if credential is None and not sources and not subscription_id:
        return _emulator(None, api_version, session_options, context, quiet=quiet, banner=_no_credential_banner())
    arm = ArmSession(chosen.resource_manager, credential or _default_credential(chosen), api_version=api_version,
                     scope=f"{chosen.resource_manager}/.default", **session_options)
    if not subscription_id:
        found = only_subscription(listed_subscriptions(arm), chosen.resource_manager)
        subscription_id, reason = found.id, f"the only subscription the credential can read: {found}"
    return Connection(arm, subscription_id, kind="azure", cloud=chosen, reason=reason, journal=context.journal,
                      frontend=context.frontend)


def _endpoint(url: str, why: str, subscription_id: str | None, credential: TokenCredential | None, cloud: Cloud,
              api_version: str, session_options: dict[str, Any], context: Context) -> Connection:
    if credential is None:
        credential = (DevTokenCredential(endpoint=url) if is_loopback(urlsplit(url).hostname)
                      else _default_credential(cloud))
    arm = ArmSession(url, credential, api_version=api_version, **session_options)
    return Connection(arm, subscription_id or EMULATOR_SUBSCRIPTION, kind="endpoint", reason=why,
                      journal=context.journal, frontend=context.frontend)


def _emulator(credential: TokenCredential | None, api_version: str, session_options: dict[str, Any],
              context: Context, *, quiet: bool, banner: str) -> Connection:
    from .. import emulator

    server = emulator.start()
    if not quiet:
        print(f"{banner} (emulator at {server.url})", flush=True)
    arm = ArmSession(server.url, credential or DevTokenCredential(endpoint=server.url), api_version=api_version,
                     **session_options)
    return Connection(arm, server.subscription_id, kind="emulator", emulator=server, reason=banner.split(": ", 1)[-1],
                      journal=context.journal, frontend=context.frontend)


def _no_credential_banner() -> str:
    return ("restorekit: no Azure credential found (no service principal or managed identity in the environment, "
            "no Azure CLI or Azure Developer CLI login), so this talks to a LOCAL EMULATOR and nothing reaches "
            "Azure. To use Azure: az login (or set AZURE_SUBSCRIPTION_ID with any DefaultAzureCredential source), "
            "then rk.connect(); rk.connect('emulator') asks for the emulator explicitly")


def _default_credential(cloud: Cloud) -> TokenCredential:
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(authority=cloud.authority)
