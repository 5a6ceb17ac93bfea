"""Restore drills from a connection: ``az.drill(items)``, ``az.cleanup_drills()``, ``az.recent_drills()``.

``az.drill`` turns what the user names (protected items, rows of ``az.fleet()`` or ``az.at_risk()``, a sample of
them) into a :class:`~restorekit.restore.drill.plan.DrillPlan`: the point of each VM (``point="best"`` or any
``select()`` expression), a staging account per region, the isolated place. It prints the plan (what it will
create, where, for how long), then starts a :class:`~restorekit.restore.drill.runner.Drill` whose VMs are restored
through the one restore path (``item.restore(RestoreAsNewVM(...))``). Against Azure it is a dry run unless
``dry_run=False``.

``az.cleanup_drills()`` deletes what drills left behind, after a crash or a failed delete: the drills of the
journal that did not end clean (and whose process is gone), and the resource groups Resource Graph finds with the
drill's marker (its tag, or its name prefix) that are older than ``older_than``; each deletion is verified through
ARM. ``az.recent_drills()`` and ``rk.recent_drills()`` (``client/reattach``) list the journal's drills.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from ..core import api_versions
from ..core.environment import Frontend
from ..core.errors import ValidationError
from ..core.ids import resource_group_of
from ..core.protocols import ConnectionLike
from ..restore.drill.arm import DrillArm
from ..restore.drill.journal import CLEANED, DrillJournal, drill_records, process_alive
from ..restore.drill.plan import (
    GROUP_PREFIX,
    MARKER_TAG,
    SUBNET,
    DrillPlan,
    MachinePlan,
    NetworkPlan,
    drill_vm_name,
    group_name,
    new_drill_id,
)
from ..restore.drill.probe import Probe
from ..restore.drill.runner import Drill
from ..restore.journal.store import Journal

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..model.arm_resources import ResourceReader
    from .resources import ProtectedItem, Vault


class Connection(ConnectionLike, Protocol):
    """What a drill uses of a connection (a :class:`~restorekit.client.connection.Connection`)."""

    journal: Journal
    frontend: Frontend

    def resources(self, subscription_id: str | None = None) -> ResourceReader:
        """The connection's reader of ARM resources."""
        ...

    @property
    def endpoint(self) -> str:
        """The ARM endpoint."""
        ...

    def now(self) -> datetime:
        """The service's now."""
        ...

    def vault(self, resource_group: str, name: str) -> Vault:
        """A vault."""
        ...

    def fleet(self, subscriptions: Any = "all") -> pd.DataFrame:
        """Every protected VM, one row each."""
        ...

#: Default wait for a restored VM's agent: against Azure, and against the emulator (whose VMs boot in seconds).
BOOT_TIMEOUT = {"azure": 900.0, "emulator": 30.0}
#: Default pause between instance view reads.
POLL = {"azure": 10.0, "emulator": 0.5}
#: Pause before the first retry of a failed deletion (doubled for each next one).
PAUSE = {"azure": 30.0, "emulator": 0.5}


def _refused(problem: str) -> ValidationError:
    """The error of a drill refused before anything is sent."""
    return ValidationError([problem], "drill")


def _items(connection: Connection, items: Any) -> list[ProtectedItem]:
    """Protected items from items, a frame of ``az.fleet()``/``az.at_risk()`` rows, or one item."""
    import pandas as pd

    from .resources import ProtectedItem

    if isinstance(items, ProtectedItem):
        return [items]
    if isinstance(items, pd.DataFrame):  # one row per protected VM
        columns = items.columns
        needed = {"vault_resource_group", "vault", "vm_resource_group", "vm_name"}
        if not needed <= set(columns):
            raise _refused(f"the frame needs the columns {sorted(needed)} (rows of az.fleet() or "
                                  f"az.at_risk()); it has {sorted(map(str, columns))}")
        vaults: dict[tuple[str, str], Any] = {}
        out = []
        for row in items.itertuples(index=False):
            key = (str(row.vault_resource_group), str(row.vault))
            vault = vaults.get(key) or vaults.setdefault(key, connection.vault(*key))
            out.append(vault.vm(str(row.vm_resource_group), str(row.vm_name)))
        return out
    listed = list(items) if isinstance(items, Iterable) and not isinstance(items, str) else None
    if not listed or not all(isinstance(i, ProtectedItem) for i in listed):
        raise _refused("give protected items (az.vault(rg, name).vm(rg, vm)), a list of them, or rows "
                              "of az.fleet() / az.at_risk()")
    return listed


def tagged_items(connection: Connection, tag: str) -> pd.DataFrame:
    """The rows of ``az.fleet()`` whose VM carries ``tag`` (``"name=value"``, or ``"name"``: any value), found by
    Resource Graph's ``Resources`` table."""
    from .resource_graph import ResourceGraph

    name, _, value = tag.partition("=")
    if not name.strip() or "'" in tag:
        raise _refused(f"tag must be 'name=value' or 'name' (no quotes), not {tag!r}")
    condition = f"tags['{name.strip()}'] == '{value.strip()}'" if value else f"tags['{name.strip()}'] != ''"
    rows = ResourceGraph(connection.arm).query(
        f"Resources | where type =~ 'microsoft.compute/virtualmachines' and {condition}", [connection.subscription_id])
    ids = {str(r.get("id")).lower() for r in rows}
    fleet = connection.fleet(connection.subscription_id)
    chosen = fleet[fleet["vm_id"].astype(str).str.lower().isin(ids)]
    if chosen.empty:
        raise _refused(f"no protected VM of subscription {connection.subscription_id} is tagged {tag!r} "
                       f"({len(ids)} VM(s) tagged, none of them protected)")
    return chosen


def _staging(connection: Connection, region: str, given: Any) -> str:
    """The staging account's id for ``region``: ``given`` (a name, ``rg/name``, an id, or ``{region: …}``), or the
    first eligible account of the region."""
    from ..restore.request.rules import check_storage_account

    choice = given.get(region) if isinstance(given, dict) else given
    accounts = connection.arm.list(f"/subscriptions/{connection.subscription_id}/providers/Microsoft.Storage/"
                                   "storageAccounts", api_version=api_versions.STORAGE)
    if choice:
        text = str(choice).lower().strip("/")
        found = next((a for a in accounts if text in (a["id"].lower().strip("/"), a["name"].lower(),
                      f"{resource_group_of(a['id'])}/{a['name']}".lower())), None)
        if found is None:
            raise _refused(f"staging account {choice!r} was not found in subscription "
                                  f"{connection.subscription_id}")
        problems = check_storage_account(found, region)
        if problems:
            raise _refused(f"staging account {found['name']} cannot stage a restore in {region}: "
                                  + "; ".join(p.message for p in problems))
        return str(found["id"])
    eligible = sorted((a for a in accounts if not check_storage_account(a, region)), key=lambda a: a["name"].lower())
    if not eligible:
        raise _refused(f"no storage account of subscription {connection.subscription_id} can stage a "
                              f"restore in {region} (same region, standard, not zone-redundant, general purpose); "
                              "create one, or pass staging_account=")
    return str(eligible[0]["id"])


def plan_drill(connection: Connection, items: Any = None, *, tag: str | None = None, sample: int | None = None,
               seed: int | None = None,
               point: str = "best", probe: Probe | str | list[str] | None = None, parallel: int = 4,
               keep_for: float = 0.0, boot_timeout: float | None = None, staging_account: Any = None,
               dry_run: bool | None = None) -> tuple[DrillPlan, dict[str, tuple[ProtectedItem, Any]]]:
    """The plan of a drill over ``items``, and for each VM (by item id) its item and chosen point.

    ``items``: protected items, or rows of ``az.fleet()`` / ``az.at_risk()``; or ``tag="name=value"``: the protected
    VMs carrying that tag. ``sample``: that many of them, drawn at random (``seed``). Bad input is refused here,
    before anything is sent (``ValidationError`` naming the argument).
    """
    if (items is None) == (tag is None):
        raise _refused("give the VMs to drill: items (protected items, rows of az.fleet()), or tag='name=value'")
    chosen = _items(connection, items if tag is None else tagged_items(connection, tag))
    if not chosen:
        raise _refused("no VM to drill (items is empty)")
    if sample is not None:
        if sample < 1:
            raise _refused(f"sample must be a number of VMs >= 1, not {sample!r}")
        chosen = random.Random(seed).sample(chosen, min(sample, len(chosen)))
    if parallel < 1:
        raise _refused(f"parallel must be >= 1, not {parallel!r}")
    if keep_for < 0:
        raise _refused(f"keep_for must be seconds >= 0, not {keep_for!r}")
    kind = "emulator" if connection.is_emulator else "azure"
    dry_run = (kind == "azure") if dry_run is None else dry_run
    drill_id = new_drill_id()
    now = connection.now()
    taken: set[str] = set()
    machines, pairs, staging = [], {}, {}
    for item in chosen:
        chosen_point = item.recovery_points().select(point)
        region = str(item.vault.location or "").lower()
        if region not in staging:
            staging[region] = _staging(connection, region, staging_account)
        plan = MachinePlan(item.ref.path.lower(), item.vm_name, item.vm_resource_group,
                           f"{item.vault.resource_group}/{item.vault.name}", region, chosen_point.name,
                           chosen_point.time, chosen_point.os_type, drill_vm_name(item.vm_name, taken), staging[region])
        if plan.item_id in pairs:
            raise _refused(f"VM {plan.label} is named twice")
        machines.append(plan)
        pairs[plan.item_id] = (item, chosen_point)
    regions = sorted({m.region for m in machines})
    networks = tuple(NetworkPlan(r, f"drill-vnet-{r}", f"drill-nsg-{r}") for r in regions)
    plan = DrillPlan(drill_id, connection.subscription_id, group_name(drill_id, now), machines[0].region,
                     tuple(machines), networks, Probe.of(probe), float(keep_for),
                     float(boot_timeout if boot_timeout is not None else BOOT_TIMEOUT[kind]), parallel, dry_run,
                     connection.where)
    return plan, pairs


def drill(connection: Connection, items: Any = None, *, tag: str | None = None, sample: int | None = None,
          seed: int | None = None,
          point: str = "best", probe: Probe | str | list[str] | None = None, parallel: int = 4, keep_for: float = 0.0,
          boot_timeout: float | None = None, staging_account: Any = None, dry_run: bool | None = None,
          poll: float | None = None, start: bool = True, out: Any = print) -> Drill:
    """Plan a drill, say what it will do (``out``: print by default), and start it; returns the running ``Drill``.

    See :func:`plan_drill` for the arguments; ``poll`` is the pause between instance view reads (10 s against
    Azure, 0.5 s on the emulator).
    """
    from ..restore.request.builders import RestoreAsNewVM

    plan, pairs = plan_drill(connection, items, tag=tag, sample=sample, seed=seed, point=point, probe=probe,
                             parallel=parallel, keep_for=keep_for, boot_timeout=boot_timeout,
                             staging_account=staging_account, dry_run=dry_run)
    if out is not None:
        out(plan.describe())
    kind = "emulator" if connection.is_emulator else "azure"
    arm = DrillArm(connection.arm, plan.subscription, plan.resource_group,
                   poll_interval=0.5 if kind == "emulator" else None)
    fresh = threading.Event()
    lock = threading.Lock()

    def restore(machine: MachinePlan) -> Any:
        item, chosen_point = pairs[machine.item_id]
        with lock:  # the online checks read cached lists: make them see the group and networks just created
            if not fresh.is_set():
                reader = connection.resources()
                reader.resource_groups(fresh=True)
                reader.virtual_networks(fresh=True)
                fresh.set()
        request = RestoreAsNewVM(chosen_point, target_vm_name=machine.target_vm_name,
                                 target_resource_group=plan.resource_group,
                                 virtual_network=arm.network_id(plan.network_for(machine.region).network),
                                 subnet=SUBNET, storage_account=machine.staging_account)
        return item.restore(request, display=False)

    runner = Drill(plan, arm=arm, restore=restore, server_now=connection.now,
                   journal=DrillJournal(connection.journal, plan.drill_id, connection.endpoint),
                   frontend=connection.frontend,
                   poll=poll if poll is not None else POLL[kind], cleanup_pause=PAUSE[kind])
    return runner.start() if start else runner


def _marked_groups(connection: Connection) -> list[dict[str, Any]]:
    """Resource groups with a drill's marker (its tag, or its name prefix), found by Resource Graph."""
    from .resource_graph import ResourceGraph

    graph = ResourceGraph(connection.arm)
    base = "ResourceContainers | where type =~ 'microsoft.resources/subscriptions/resourcegroups'"
    rows = (graph.query(f"{base} and tags['{MARKER_TAG}'] != ''", [connection.subscription_id])
            + graph.query(f"{base} and name startswith '{GROUP_PREFIX}'", [connection.subscription_id]))
    return list({str(r.get("id")).lower(): r for r in rows}.values())


def _started_at(name: str) -> datetime | None:
    """When a drill's group was named (``rk-drill-20261120-1200-…``), or None."""
    try:
        return datetime.strptime(name[len(GROUP_PREFIX):len(GROUP_PREFIX) + 13], "%Y%m%d-%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None


def cleanup_drills(connection: Connection, *, older_than: timedelta | float = timedelta(hours=6),
                   attempts: int = 3, pause: float | None = None) -> pd.DataFrame:
    """Delete what drills left behind and verify it through ARM; one row per resource group.

    Found in the journal (a drill of this subscription that did not end ``cleaned`` and whose process is gone:
    killed, or its deletion failed) and by Resource Graph (a resource group tagged ``restorekit-drill`` or named
    ``rk-drill-…``, named more than ``older_than`` ago: a drill running elsewhere is younger). Columns:
    ``resource_group``, ``drill``, ``found_by``, ``state`` (``deleted``, ``failed``, or why it was kept),
    ``retries``, ``left`` (resources left after verification), ``verified``.
    """
    import pandas as pd

    from ..restore.drill.cleanup import delete_and_verify

    age = older_than if isinstance(older_than, timedelta) else timedelta(seconds=float(older_than))
    kind = "emulator" if connection.is_emulator else "azure"
    now = connection.now()
    journal = connection.journal
    targets: dict[str, dict[str, Any]] = {}
    for record in drill_records(journal):
        group = record.get("resource_group")
        if str(record.get("subscription") or "").lower() != connection.subscription_id.lower() or not group \
                or record.state == CLEANED:
            continue
        keep = "kept: its drill is still running" if process_alive(record) else None
        targets[str(group).lower()] = {"resource_group": str(group), "drill": record.id, "found_by": "journal",
                                       "keep": keep}
    for group in _marked_groups(connection):
        name = str(group.get("name"))
        tags = group.get("tags") if isinstance(group.get("tags"), dict) else {}
        target = targets.get(name.lower())
        if target is not None:
            target["found_by"] = "journal and resource graph"
            continue
        started = _started_at(name)
        keep = "kept: named less than older_than ago" if started is None or now - started < age else None
        targets[name.lower()] = {"resource_group": name, "drill": str(tags.get(MARKER_TAG) or name.rsplit("-", 1)[-1]),
                                 "found_by": "resource graph", "keep": keep}
    rows = []
    for target in targets.values():
        row = {k: target[k] for k in ("resource_group", "drill", "found_by")}
        if target["keep"]:
            rows.append({**row, "state": target["keep"], "retries": 0, "left": None, "verified": ""})
            continue
        arm = DrillArm(connection.arm, connection.subscription_id, target["resource_group"],
                       poll_interval=0.5 if kind == "emulator" else None)
        result = delete_and_verify(arm, target["drill"], attempts=attempts,
                                   pause=PAUSE[kind] if pause is None else pause)
        DrillJournal(journal, target["drill"], connection.endpoint).write(
            "cleaned", state=CLEANED if result.clean else "cleanup failed", cleanup=result.describe(),
            left=len(result.left))
        rows.append({**row, "state": result.state, "retries": len(result.retries), "left": len(result.left),
                     "verified": result.verified})
    return pd.DataFrame(rows, columns=["resource_group", "drill", "found_by", "state", "retries", "left", "verified"])
