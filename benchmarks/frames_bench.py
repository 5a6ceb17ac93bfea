"""Recovery points → DataFrame: ``recovery_points_frame`` against ``pd.json_normalize`` on the same dicts.

``python -m benchmarks frames [--points 200000 1000000] [--shape doc|2026|recorded] [--decode page|point]
[--vms 500] [--repeat 3]``
prints, per size, the time of each (best of the interleaved runs), the deep memory of each frame
(``DataFrame.memory_usage(deep=True)``), the peak of traced allocations while building it, and the ratios.

Shapes: ``doc`` is the documentation's own answer (``RecoveryPoints_List`` at api-version 2019-05-13:
tier types and statuses as numbers, ``sourceVMStorageType``, no zones, no expiry) plus a
``recoveryPointDiskConfiguration``; ``2026`` is the 2026 API (tier names, zones, expiry and rule, a third
of the points with numeric tiers); ``recorded`` the recovery points of Azure's recorded list answers,
decoded a page at a time as the transport decodes them (``--decode point``: one ``json.loads`` per point).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

RP_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def _item_ids(vms: int, doc: bool = False) -> list[str]:
    """Protected item ids, in the documentation's spelling (lowercase provider, short item name) or the 2026 one."""
    provider, item = ("microsoft.recoveryservices", "VM;{rg};{vm}") if doc else (
        "Microsoft.RecoveryServices", "VM;iaasvmcontainerv2;{rg};{vm}")
    ids = []
    for v in range(vms):
        rg, vm = f"app-rg-{v % 37}", f"vm-{v:04d}"
        ids.append(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/vault-rg/providers/{provider}/vaults/vault{v % 5}/"
                   f"backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;{rg};{vm}/"
                   f"protectedItems/{item.format(rg=rg, vm=vm)}")
    return ids


def doc_points(n: int, vms: int = 500) -> list[dict[str, Any]]:
    """``n`` points of the documentation's shape (``/work/shared/reference``, 2019-05-13) over ``vms`` VMs, daily.

    As the recorded answer: numeric tier details ``{"type": 1, "status": 1}``, ``sourceVMStorageType``,
    no zones, no ``osType``, no ``recoveryPointProperties``; plus a ``recoveryPointDiskConfiguration``.
    """
    base = dt.datetime(2018, 6, 4, 6, 6, tzinfo=dt.UTC)
    heads = _item_ids(vms, doc=True)
    points = []
    for i in range(n):
        v, day = i % vms, i // vms
        when = base - dt.timedelta(days=day, minutes=(v * 7) % 120, microseconds=(i * 7919) % 60_000_000)
        name = str(20_982_486_783_671 + i)
        points.append({"id": f"{heads[v]}/recoveryPoints/{name}", "name": name, "type": RP_TYPE, "properties": {
            "objectType": "IaasVMRecoveryPoint",
            "recoveryPointType": "AppConsistent" if i % 2 else "CrashConsistent",
            "recoveryPointTime": when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "1Z",
            "recoveryPointAdditionalInfo": "",
            "sourceVMStorageType": "NormalStorage",
            "isSourceVMEncrypted": False,
            "isInstantIlrSessionActive": False,
            "recoveryPointTierDetails": [{"type": 1, "status": 1}, {"type": 2, "status": 1}],
            "isManagedVirtualMachine": True,
            "virtualMachineSize": "Standard_A1_v2",
            "originalStorageAccountOption": False,
            "recoveryPointDiskConfiguration": {
                "numberOfDisksIncludedInBackup": 2, "numberOfDisksAttachedToVm": 2,
                "includedDiskList": [{"lun": -1, "name": "osdisk"}, {"lun": 0, "name": "datadisk0"}],
                "excludedDiskList": []},
        }})
    return points


def make_points(n: int, vms: int = 500) -> list[dict[str, Any]]:
    """``n`` realistic recovery-point resources (2026 API shape) spread over ``vms`` VMs, daily."""
    base = dt.datetime(2024, 1, 1, 22, 0, tzinfo=dt.UTC)
    heads = _item_ids(vms)
    points = []
    for i in range(n):
        v, day = i % vms, i // vms
        when = base + dt.timedelta(days=day, minutes=(v * 7) % 120, microseconds=(i * 7919) % 60_000_000)
        tiers = ([{"type": "InstantRP", "status": "Valid"}, {"type": "HardenedRP", "status": "Valid"}]
                 if i % 3 else [{"type": 2, "status": 1}])
        props = {
            "objectType": "IaasVMRecoveryPoint",
            "recoveryPointType": ("AppConsistent", "CrashConsistent", "FileSystemConsistent")[i % 3],
            "recoveryPointTime": when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "1Z",
            "recoveryPointAdditionalInfo": "",
            "sourceVMStorageType": "NormalStorage",
            "isSourceVMEncrypted": v % 4 == 0,
            "isInstantIlrSessionActive": False,
            "recoveryPointTierDetails": tiers,
            "isManagedVirtualMachine": True,
            "virtualMachineSize": ("Standard_D2s_v3", "Standard_A1_v2")[v % 2],
            "originalStorageAccountOption": False,
            "osType": ("Windows", "Linux")[v % 2],
            "recoveryPointDiskConfiguration": {
                "numberOfDisksIncludedInBackup": 2, "numberOfDisksAttachedToVm": 2,
                "includedDiskList": [{"lun": -1, "name": "osdisk"}, {"lun": 0, "name": "data0"}],
                "excludedDiskList": []},
            "recoveryPointProperties": {"expiryTime": (when + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                        "ruleName": "DailyRule"},
        }
        if v % 3 == 0:
            props["zones"] = ["1"]
        name = str(20_000_000_000_000 + i)
        points.append({"id": f"{heads[v]}/recoveryPoints/{name}", "name": name, "type": RP_TYPE, "properties": props})
    return points


RECORDINGS = Path("shared") / "recordings" / "azure-cli" / "azure-cli-backup.json"


def recorded_templates() -> list[dict[str, Any]]:
    """The recovery points of the recorded list answers (``GET …/recoveryPoints``), as Azure wrote them."""
    for folder in Path(__file__).resolve().parents:
        if (folder / RECORDINGS).is_file():
            entries = json.loads((folder / RECORDINGS).read_text())
            break
    else:
        raise FileNotFoundError(f"{RECORDINGS} not found beside the repository or above it")
    return [point for e in entries if e["method"] == "GET" and e["status"] == 200
            and e["path"].rstrip("/").lower().endswith("/recoverypoints")
            for point in (e["body"] or {}).get("value", [])
            if point.get("properties", {}).get("objectType") == "IaasVMRecoveryPoint"]


def recorded_points(n: int, vms: int = 500, decode: str = "page") -> list[dict[str, Any]]:
    """``n`` points shaped as Azure's recorded answers (see the module doc), over ``vms`` VMs, daily.

    ``decode="page"`` (the default) hands them over as restorekit's transport does: each page of
    :data:`PAGE` points decoded from its JSON bytes by ``orjson.loads``, so the keys of a page's points are
    shared objects (orjson caches keys, as ``json.loads`` does within one document). ``decode="point"``
    leaves each point as ``json.loads`` of its own template, every key a fresh string: no transport
    decodes points one at a time, and every dict lookup then compares the key's text.
    """
    templates = [json.dumps(t) for t in recorded_templates()]
    base = dt.datetime(2024, 4, 28, 6, 37, tzinfo=dt.UTC)
    heads = []
    for v in range(vms):
        rg, vm = f"clitest.rg{v % 37:06d}", f"clitest-vm{v:06d}"
        heads.append(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/vault-rg/providers/Microsoft.RecoveryServices/"
                     f"vaults/clitest-vault{v % 5:06d}/backupFabrics/Azure/protectionContainers/"
                     f"IaasVMContainer;iaasvmcontainerv2;{rg};{vm}/protectedItems/VM;iaasvmcontainerv2;{rg};{vm}")
    points = []
    for i in range(n):
        v, day = i % vms, i // vms
        point = json.loads(templates[i % len(templates)])
        when = base - dt.timedelta(days=day, minutes=(v * 7) % 120, microseconds=(i * 7919) % 60_000_000)
        name = str(756_515_038_178_331 + i)
        point["id"], point["name"] = f"{heads[v]}/recoveryPoints/{name}", name
        props = point["properties"]
        props["recoveryPointTime"] = when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "1Z"
        if "recoveryPointProperties" in props:
            props["recoveryPointProperties"]["expiryTime"] = (when + dt.timedelta(days=30)).strftime(
                "%Y-%m-%dT00:00:00.0000000")
        points.append(point)
    if decode == "point":
        return points
    import orjson

    return [point for start in range(0, n, PAGE)
            for point in orjson.loads(orjson.dumps({"value": points[start:start + PAGE]}))["value"]]


PAGE = 50  # points per page, as the emulator's list answers (the recordings' pages hold one point each)


SHAPES: dict[str, Callable[[int, int], list[dict[str, Any]]]] = {"doc": doc_points, "2026": make_points,
                                                                  "recorded": recorded_points}


def _timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    del result
    gc.collect()
    return elapsed


def _peak(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    gc.collect()
    return peak


def _deep(frame: Any) -> int:
    return int(frame.memory_usage(deep=True).sum())


def run(points: int, vms: int, shape: str, repeat: int, peak: bool, decode: str = "page") -> dict[str, float]:
    """Measure one size; print and return the figures."""
    import warnings

    import pandas as pd

    from restorekit.data.frames import recovery_points_frame

    print(f"\n{points:,} recovery points, {shape} shape{f' ({decode} decoded)' if shape == 'recorded' else ''},"
          f" {vms} VMs", flush=True)
    raw = recorded_points(points, vms, decode) if shape == "recorded" else SHAPES[shape](points, vms)
    warnings.simplefilter("ignore")

    def baseline() -> Any:
        return pd.json_normalize(raw)

    def ours() -> Any:
        return recovery_points_frame(raw)

    times: dict[str, list[float]] = {"json_normalize": [], "restorekit": []}
    for _ in range(repeat):  # interleaved, so both see the same machine load
        times["json_normalize"].append(_timed(baseline))
        times["restorekit"].append(_timed(ours))
    base_t, ours_t = min(times["json_normalize"]), min(times["restorekit"])
    base_m, ours_m = _deep(baseline()), _deep(ours())
    gc.collect()
    print(f"time   pd.json_normalize      {base_t:8.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times['json_normalize'])})")
    print(f"time   recovery_points_frame  {ours_t:8.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times['restorekit'])})"
          f"  -> {base_t / ours_t:.2f}x faster")
    print(f"memory pd.json_normalize      {base_m / 2**20:8.0f} MiB deep ({base_m / points:.0f} B/point)")
    print(f"memory recovery_points_frame  {ours_m / 2**20:8.0f} MiB deep ({ours_m / points:.0f} B/point)"
          f"  -> {ours_m / base_m:.2f}x of baseline")
    figures = {"base_t": base_t, "ours_t": ours_t, "base_m": base_m, "ours_m": ours_m}
    if peak:
        base_p, ours_p = _peak(baseline), _peak(ours)
        print(f"peak   pd.json_normalize      {base_p / 2**20:8.0f} MiB traced while building")
        print(f"peak   recovery_points_frame  {ours_p / 2**20:8.0f} MiB traced  -> {ours_p / base_p:.2f}x "
              "(pyarrow's buffers are not traced: see the deep memory above)")
        figures.update(base_p=base_p, ours_p=ours_p)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks frames", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="doc")
    parser.add_argument("--vms", type=int, default=500)
    parser.add_argument("--decode", choices=["page", "point"], default="page",
                        help="recorded shape: points decoded a page at a time (as the transport does) or one by one")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved timing runs of each (best kept)")
    parser.add_argument("--peak", action="store_true", help="also trace the peak of Python allocations")
    args = parser.parse_args(argv)
    for points in args.points:
        run(points, args.vms, args.shape, args.repeat, args.peak, args.decode)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
