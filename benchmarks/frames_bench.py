"""Recovery points → DataFrame: ``recovery_points_frame`` against ``pd.json_normalize`` on the same dicts.

``python -m benchmarks frames [--points 1000000] [--vms 500]`` prints time and peak memory (tracemalloc)
of each, and the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

RP_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints"


def make_points(n: int, vms: int = 500) -> list[dict[str, Any]]:
    """``n`` realistic recovery-point resources (2026 API shape) spread over ``vms`` VMs, daily."""
    base = dt.datetime(2024, 1, 1, 22, 0, tzinfo=dt.UTC)
    heads = []
    for v in range(vms):
        rg, vm = f"app-rg-{v % 37}", f"vm-{v:04d}"
        heads.append(f"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vault-rg/providers/"
                     f"Microsoft.RecoveryServices/vaults/vault{v % 5}/backupFabrics/Azure/protectionContainers/"
                     f"IaasVMContainer;iaasvmcontainerv2;{rg};{vm}/protectedItems/VM;iaasvmcontainerv2;{rg};{vm}"
                     "/recoveryPoints/")
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
        points.append({"id": heads[v] + name, "name": name, "type": RP_TYPE, "properties": props})
    return points


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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    import warnings

    import pandas as pd

    from restorekit.data.frames import recovery_points_frame

    parser = argparse.ArgumentParser(prog="python -m benchmarks frames", description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--vms", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1, help="timing runs of each (best kept)")
    args = parser.parse_args(argv)

    print(f"generating {args.points:,} recovery-point dicts over {args.vms} VMs ...", flush=True)
    points = make_points(args.points, args.vms)
    warnings.simplefilter("ignore")

    def baseline() -> Any:
        return pd.json_normalize(points)

    def ours() -> Any:
        return recovery_points_frame(points)

    times = {"json_normalize": [], "restorekit": []}
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        times["json_normalize"].append(_timed(baseline))
        times["restorekit"].append(_timed(ours))
    base_t, ours_t = min(times["json_normalize"]), min(times["restorekit"])
    print(f"time   pd.json_normalize      {base_t:8.2f} s")
    print(f"time   recovery_points_frame  {ours_t:8.2f} s   -> {base_t / ours_t:.1f}x faster")
    base_m, ours_m = _peak(baseline), _peak(ours)
    print(f"memory pd.json_normalize      {base_m / 2**20:8.0f} MiB peak (tracemalloc)")
    print(f"memory recovery_points_frame  {ours_m / 2**20:8.0f} MiB peak -> {ours_m / base_m:.2f}x of baseline")
    frame = ours()
    print(f"frame: {len(frame):,} rows x {frame.shape[1]} columns, "
          f"{frame.drop(columns=['extra']).memory_usage(deep=False).sum() / 2**20:.0f} MiB without 'extra'")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
