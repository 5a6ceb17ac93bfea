"""Every recovery point, job and operation answer of the recorded sessions, read through restorekit.

Per IaaS VM cassette, restorekit's client makes, in recorded order, each read the CLI made of points (lists and
single points, both regions) and jobs (the vault's and the secondary region's), against a replay of the whole
session's reads; every point and job must parse into typed objects, frames and summaries. The operation answers
(``backupOperations``, ``backupCrrOperationsStatus``) are read as restorekit's polling reads them.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
from cassettes import IAAS_VM, canonical, interactions
from server import ReplayServer
from stand_ins import ITEM_FROM_LIST

import restorekit as rk
from restorekit.model.jobs import jobs_frame
from restorekit.transport.polling import AsyncOperationPolling, job_id_of

_VAULT = r"/subscriptions/[^/]+/resourcegroups/(?P<rg>[^/]+)/providers/microsoft\.recoveryservices/vaults/(?P<vault>[^/]+)"
_ITEM = _VAULT + r"/backupfabrics/azure/protectioncontainers/iaasvmcontainer;iaasvmcontainerv2;(?P<vmrg>[^;]+);(?P<vm>[^/]+)/protecteditems/[^/]+"
POINTS = re.compile("^" + _ITEM + r"/recoverypoints(?P<slash>/?)$")
POINT = re.compile("^" + _ITEM + r"/recoverypoints/(?P<rp>[^/]+)$")
JOB = re.compile("^" + _VAULT + r"/backupjobs/(?P<job>[^/]+)$")
CRR_JOB = re.compile(r"^/subscriptions/[^/]+/providers/microsoft\.recoveryservices/locations/(?P<region>[^/]+)/backupcrrjob$")
OPERATION = re.compile(r"/(backupoperations|backupcrroperationsstatus)/[^/]+$")
TOTALS: Counter[str] = Counter()


def read_everything(cassette: str) -> Counter[str]:
    """Replay the session's reads of points and jobs through restorekit; count what parsed.

    The vault is not read (its first recorded GET is the 404 before the scenario test created it): ``rk.Vault``
    names it, as ``az.vault()`` does after its GET.
    """
    counts: Counter[str] = Counter()
    recorded = [i for i in interactions(cassette) if i.on_arm and i.status == 200]
    with ReplayServer(cassette, 0, len(interactions(cassette)) - 1, (ITEM_FROM_LIST,), after_writes=False) as srv:
        az = rk.connect(srv.url)
        points, jobs = [], []
        for i in recorded:
            path = canonical(i.path)
            if i.method == "GET" and (m := POINTS.match(path)):
                item = rk.Vault(az, m["rg"], m["vault"]).vm(m["vmrg"], m["vm"]) if not m["slash"] else None
                if item is not None:
                    found = list(item.recovery_points())
                else:  # the secondary region's copy (trailing slash, passive stamp)
                    crr = az.cross_region(m["rg"], m["vault"], m["vmrg"], m["vm"], secondary_region=_pair(cassette))
                    found = list(crr.recovery_points())
                assert len(found) == len(i.body["value"])
                points += found
            elif i.method == "GET" and (m := POINT.match(path)):
                points.append(rk.Vault(az, m["rg"], m["vault"]).vm(m["vmrg"], m["vm"]).recovery_point(m["rp"]))
            elif i.method == "GET" and (m := JOB.match(path)):
                jobs.append(rk.Vault(az, m["rg"], m["vault"]).job(m["job"]))
            elif i.method == "POST" and (m := CRR_JOB.match(path)):
                vault = re.match("^" + _VAULT, canonical(i.request_body["resourceId"]))
                assert vault is not None
                crr = az.cross_region(vault["rg"], vault["vault"], "clitest.rg000001", "clitest-vm000004",
                                      secondary_region=m["region"])
                jobs.append(crr.job(i.request_body["jobName"]))
            elif i.method == "GET" and OPERATION.search(path):
                status = AsyncOperationPolling().status(200, i.body)
                assert status in ("InProgress", "Succeeded") and (status == "InProgress" or job_id_of(i.body))
                counts["operation answers"] += 1
        for point in points:
            assert point.time is not None and point.consistency and point.tier_labels and repr(point)
            assert point.disk_luns is None or -1 in point.disk_luns
        for job in jobs:
            assert job.status in ("InProgress", "Completed") and job.vm_name and job.summary() and repr(job)
            assert not job.done or job.duration is not None
            if job.operation in ("Restore", "CrossRegionRestore"):
                assert job.restore_kind in ("RestoreDisks", "OriginalLocation", "AlternateLocation")
                assert "vmName" not in job.summary()
            job.to_frame()
        if points:
            frame = rk.RecoveryPoints(points).to_frame()
            assert len(frame) == len(points) and isinstance(frame["time"].dtype, pd.DatetimeTZDtype)
        if jobs:
            assert len(jobs_frame(jobs)) == len(jobs)
        counts["points parsed"] += len(points)
        counts["jobs read"] += len(jobs)
        assert not srv.unseen or {u.answered_by for u in srv.unseen} == {"the item from the CLI's list"}, srv.unseen
    return counts


def _pair(cassette: str) -> str:
    return "eastus2euap"  # the only cross-region session's vault is in centraluseuap


def test_every_recorded_point_job_and_operation_reads_through_restorekit():
    for cassette in IAAS_VM:
        counts = read_everything(cassette)
        print(f"{cassette}: {dict(counts)}")
        TOTALS.update(counts)
    print(f"\nall IaaS VM sessions: {dict(TOTALS)}")
    assert TOTALS["points parsed"] >= 20 and TOTALS["jobs read"] >= 900 and TOTALS["operation answers"] >= 100
