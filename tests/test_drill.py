"""Restore drills on the emulator: verdicts, RPO and RTO, the cleanup proven through ARM, a killed drill cleaned up
by a new process, a deletion retried, the requests spec-valid, and what is refused before anything is sent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest
import requests
from azure.mgmt.compute import models as compute_models
from azure.mgmt.network import models as network_models
from azure.mgmt.resource.resources import models as resource_models
from emulator.sdk_models import unknown_fields
from test_restore_bodies import assert_spec_valid, needs_specs

import restorekit as rk
from restorekit import emulator
from restorekit.core.errors import ValidationError
from restorekit.restore.drill.arm import DrillArm, OutsideDrill
from restorekit.restore.drill.boot import boot_state
from restorekit.restore.drill.probe import Probe, probe_result

SUB = "00000000-0000-0000-0000-000000000000"
AUTH = {"Authorization": "Bearer x"}


def _items(az):
    ops = az.vault("opsVaultRG", "opsVault")
    return [az.vault("testVaultRG", "testVault").vm("testRG", "testVM"), ops.vm("opsRG", "linuxWeb"),
            ops.vm("opsRG", "linuxDb")]


def _left_through_arm(srv) -> list[str]:
    """What ARM lists of any drill: groups named rk-drill-…, resources tagged restorekit-drill, VMs named …-drill."""
    base = f"{srv.url}/subscriptions/{SUB}"
    groups = requests.get(f"{base}/resourcegroups?api-version=2025-04-01", headers=AUTH).json()["value"]
    tagged = requests.get(f"{base}/resources?api-version=2025-04-01&$filter=tagName eq 'restorekit-drill'",
                          headers=AUTH).json()["value"]
    vms = requests.get(f"{base}/providers/Microsoft.Compute/virtualMachines?api-version=2026-04-01",
                       headers=AUTH).json()["value"]
    return ([g["id"] for g in groups if g["name"].startswith("rk-drill-")] + [r["id"] for r in tagged]
            + [v["id"] for v in vms if v["name"].endswith("-drill")])


@pytest.fixture(scope="module")
def drilled(tmp_path_factory):
    """A 3-VM drill on its own emulator: linuxDb never boots, linuxWeb's probe passes, the first deletion fails.

    Every request the drill sends is kept (``sent``: method, path, body)."""
    journal = tmp_path_factory.mktemp("drill") / "journal.jsonl"
    saved = os.environ.get("RESTOREKIT_JOURNAL")
    os.environ["RESTOREKIT_JOURNAL"] = str(journal)
    with emulator.start(job_seconds=2, retry_after=0, throttle=False, boot_seconds=2,
                        machine_faults={"never_boots": ["linuxDb"], "delete_fails_once": ["rk-drill-"]}) as srv:
        with rk.connect(srv.url) as az:
            sent = []
            az.arm._session.hooks["response"].append(  # a spy: what went over the wire
                lambda response, **kw: sent.append((response.request.method, response.request.path_url,
                                                    response.request.body)))
            drill = az.drill(_items(az), probe="echo drill-probe", boot_timeout=8, parallel=3, out=None)
            lines = []
            report = drill.wait(out=lines.append)
            yield srv, journal, drill, report, lines, sent
    if saved is None:
        os.environ.pop("RESTOREKIT_JOURNAL", None)
    else:
        os.environ["RESTOREKIT_JOURNAL"] = saved


def test_three_vms_two_pass_one_never_boots(drilled):
    _, _, _, report, _, _ = drilled
    frame = report.to_frame().set_index("vm")
    assert list(frame["verdict"]) == ["passed", "passed", "failed"]
    assert (report.passed, report.failed) == (2, 1)
    failed = frame.loc["opsRG/linuxDb"]
    assert "did not boot within 8 s: starting, no VM agent status" in failed["reasons"]
    assert "Kernel panic" in failed["reasons"]  # the serial log says why
    assert pd_isna(failed["rto"]) and failed["power_state"] == "starting"
    for vm in ("testRG/testVM", "opsRG/linuxWeb"):
        row = frame.loc[vm]
        assert row["agent_status"] == "Ready" and row["power_state"] == "running" and row["reasons"] == ""
        assert timedelta(seconds=2) < row["rto"] < timedelta(minutes=1)
        assert row["restore_time"] > timedelta(0) and row["boot_time"] > timedelta(0)
    assert frame.loc["opsRG/linuxWeb", "probe_exit_code"] == 0
    assert pd_isna(frame.loc["testRG/testVM", "probe_exit_code"])  # Windows: Run Command reports no exit code
    assert all(frame["rpo"] > timedelta(0)) and all(frame["rpo"] < timedelta(days=2))


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_nothing_is_left_checked_by_listing_through_arm(drilled):
    srv, _, _, report, _, _ = drilled
    assert report.cleanup.clean and report.cleanup.left == []
    assert "verified through ARM: resource group gone, 0 resource(s) left" in report.cleanup.verified
    assert _left_through_arm(srv) == []
    group = requests.get(f"{srv.url}/subscriptions/{SUB}/resourceGroups/{report.plan.resource_group}"
                         "?api-version=2025-04-01", headers=AUTH)
    assert group.status_code == 404


def test_a_deletion_that_failed_once_was_retried_and_the_report_says_so(drilled):
    _, _, _, report, lines, _ = drilled
    assert len(report.cleanup.retries) == 1 and "ResourceGroupDeletionBlocked" in report.cleanup.retries[0]
    assert report.cleanup.describe().startswith("deleted after 1 retry")
    assert any(line.startswith("cleanup failed, retrying: ResourceGroupDeletionBlocked") for line in lines)
    assert "Failed attempts, retried" in report.to_html() and "deleted after 1 retry" in report.summary()


def test_the_report_as_html_json_and_the_journal(drilled, tmp_path):
    _, journal, drill, report, lines, _ = drilled
    page = report.to_html(tmp_path / "drill.html")
    assert (tmp_path / "drill.html").read_text() == page
    assert page.count("data:image/png;base64,") == 3 and "local emulator" in page
    assert "2 passed, 1 failed" in page
    data = json.loads(report.to_json(tmp_path / "drill.json"))
    assert data["passed"] == 2 and data["cleanup"]["retries"] and len(data["machines"]) == 3
    linux_db = next(m for m in data["machines"] if m["vm"] == "opsRG/linuxDb")
    assert linux_db["verdict"] == "failed" and linux_db["rto_seconds"] is None and "sig=" not in json.dumps(data)
    assert lines[0] == f"restore drill {report.plan.drill_id}: preparing"
    assert lines[-1].endswith("2 passed, 1 failed; cleanup: deleted after 1 retry; verified through ARM: resource "
                              f"group gone, 0 resource(s) left (tag restorekit-drill={report.plan.drill_id})")
    from restorekit.restore.journal.store import Journal

    recent = rk.recent_drills(journal=Journal(journal))
    row = recent.iloc[0]
    assert row["drill"] == report.plan.drill_id and row["state"] == "cleaned"
    assert (row["vms"], row["passed"], row["failed"]) == (3, 2, 1)
    assert drill.report.summary() == report.summary() and "2 passed" in repr(drill)


@needs_specs
def test_the_drills_requests_are_spec_valid_and_known_to_the_official_clients(drilled):
    _, _, _, report, _, sent = drilled
    bodies: dict[str, list[dict]] = {}
    for method, path, body in sent:
        if body is None or method not in ("PUT", "POST"):
            continue
        kind = ("restore" if path.split("?")[0].endswith("/restore") else "runCommand" if "/runCommand" in path
                else "nsg" if "/networkSecurityGroups/" in path else "vnet" if "/virtualNetworks/" in path
                else "group" if "/resourcegroups/" in path.lower() and method == "PUT" else "other")
        bodies.setdefault(kind, []).append(json.loads(body))
    assert len(bodies["restore"]) == 3 and len(bodies["runCommand"]) == 2
    for body in bodies["restore"]:
        assert_spec_valid(body)
        props = body["properties"]
        assert props["recoveryType"] == "AlternateLocation"
        assert props["targetResourceGroupId"].endswith(f"/resourceGroups/{report.plan.resource_group}")
        assert props["subnetId"].endswith("/virtualNetworks/drill-vnet-westus/subnets/drill")
    for kind, model in (("group", resource_models.ResourceGroup), ("nsg", network_models.NetworkSecurityGroup),
                        ("vnet", network_models.VirtualNetwork), ("runCommand", compute_models.RunCommandInput)):
        for body in bodies[kind]:
            assert not unknown_fields(model, body), (kind, unknown_fields(model, body))
    nsg = bodies["nsg"][0]["properties"]["securityRules"]
    assert [(r["properties"]["direction"], r["properties"]["access"]) for r in nsg] == [
        ("Outbound", "Allow"), ("Inbound", "Deny"), ("Outbound", "Deny")]
    assert nsg[0]["properties"]["destinationAddressPrefix"] == "AzureCloud"
    assert bodies["vnet"][0]["properties"].get("virtualNetworkPeerings") is None


def test_the_drill_writes_only_inside_its_own_group(drilled):
    _, _, _, report, _, sent = drilled
    group = f"/subscriptions/{SUB}/resourcegroups/{report.plan.resource_group}".lower()
    writes = [(m, p.split("?")[0]) for m, p, _ in sent if m in ("PUT", "DELETE", "PATCH")]
    assert writes and all(p.lower().startswith(group) for _, p in writes)
    posts = [p.split("?")[0] for m, p, _ in sent if m == "POST"]
    foreign = [p for p in posts if not p.lower().startswith(group) and not p.endswith("/restore")
               and "/providers/Microsoft.ResourceGraph/" not in p]
    assert foreign == []
    arm = DrillArm(None, SUB, "rk-drill-x")
    with pytest.raises(OutsideDrill):
        arm.run_command("../../../testRG/providers/Microsoft.Compute/virtualMachines/testVM", {}, 1)


def test_a_killed_drill_is_cleaned_up_by_a_new_process(tmp_path):
    journal = tmp_path / "journal.jsonl"
    script = tmp_path / "drill.py"
    script.write_text(textwrap.dedent("""
        import sys
        import restorekit as rk
        az = rk.connect(sys.argv[1])
        ops = az.vault("opsVaultRG", "opsVault")
        drill = az.drill([ops.vm("opsRG", "linuxDb"), ops.vm("opsRG", "linuxWeb")], boot_timeout=600, out=None)
        drill.wait(out=lambda line: print(line, flush=True))
    """))
    env = {**os.environ, "RESTOREKIT_JOURNAL": str(journal)}
    with emulator.start(job_seconds=2, retry_after=0, throttle=False, boot_seconds=1,
                        machine_faults={"never_boots": ["linuxDb"]}) as srv:
        proc = subprocess.Popen([sys.executable, str(script), srv.url], stdout=subprocess.PIPE, text=True, env=env)
        try:
            deadline = time.monotonic() + 120
            seen = []
            while time.monotonic() < deadline:
                line = proc.stdout.readline()
                seen.append(line)
                if line.startswith("opsRG/linuxWeb: passed"):  # one VM done, linuxDb stuck booting: kill now
                    break
            assert seen[-1].startswith("opsRG/linuxWeb: passed"), seen
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
        left = _left_through_arm(srv)
        assert any("/virtualMachines/linuxDb-drill" in rid for rid in left)  # the kill left the drill's resources
        os.environ["RESTOREKIT_JOURNAL"] = str(journal)  # the new process: same journal, a new connection
        try:
            with rk.connect(srv.url) as az:
                assert rk.recent_drills().iloc[0]["state"] == "running"
                cleaned = az.cleanup_drills()
        finally:
            os.environ.pop("RESTOREKIT_JOURNAL", None)
        assert list(cleaned["state"]) == ["deleted"] and cleaned.iloc[0]["left"] == 0
        assert cleaned.iloc[0]["found_by"] == "journal and resource graph"
        assert _left_through_arm(srv) == []


def test_a_dry_run_creates_nothing(az, emulator_server):
    before = _left_through_arm(emulator_server)
    drill = az.drill(_items(az)[:1], dry_run=True, out=None)
    report = drill.wait(out=None)
    assert report.summary() == "dry run: 1 VM(s) planned, nothing created"
    assert report.to_frame()["verdict"].tolist() == ["planned"]
    assert _left_through_arm(emulator_server) == before


def test_the_plan_says_what_where_and_how_long(az):
    from restorekit.client.drills import plan_drill

    plan, _ = plan_drill(az, _items(az), probe="systemctl is-active nginx", keep_for=600, dry_run=True)
    text = plan.describe()
    assert plan.resource_group.startswith("rk-drill-") and plan.tags == {"restorekit-drill": plan.drill_id}
    assert "dry run: nothing is created" in text and "no public IP" in text and "without peering" in text
    assert "denying all inbound and outbound traffic except HTTPS out to AzureCloud" in text
    assert "keeps them 10 min" in text and "testRG/testVM (vault testVaultRG/testVault)" in text
    assert [m.target_vm_name for m in plan.machines] == ["testVM-drill", "linuxWeb-drill", "linuxDb-drill"]


def test_vms_chosen_by_tag_and_sampled(az):
    from restorekit.client.drills import plan_drill

    plan, _ = plan_drill(az, tag="drill=weekly", dry_run=True)
    assert sorted(m.label for m in plan.machines) == ["opsRG/linuxDb", "opsRG/linuxWeb"]
    assert {m.os_type for m in plan.machines} == {"Linux"}
    one, _ = plan_drill(az, tag="drill", sample=1, seed=3, dry_run=True)
    assert len(one.machines) == 1 and one.machines[0].label in ("opsRG/linuxDb", "opsRG/linuxWeb")


@pytest.mark.parametrize(("options", "message"), [
    ({"items": None}, "give the VMs to drill"),
    ({"items": None, "tag": "nobody=here"}, "no protected VM of subscription"),
    ({"tag": "drill=weekly"}, "give the VMs to drill"),
    ({"items": []}, "give protected items"),
    ({"sample": 0}, "sample must be"),
    ({"parallel": 0}, "parallel must be"),
    ({"keep_for": -1}, "keep_for must be"),
    ({"staging_account": "zrsAccount"}, "cannot stage a restore in westus"),
    ({"staging_account": "nowhere"}, "staging account 'nowhere' was not found"),
    ({"probe": ""}, "the script is empty"),
])
def test_bad_input_is_refused_before_anything_is_sent(az, emulator_server, options, message):
    items = options.pop("items") if "items" in options else _items(az)[:1]
    before = _left_through_arm(emulator_server)
    with pytest.raises((ValidationError, ValueError), match=message):
        az.drill(items, dry_run=False, out=None, **options)
    assert _left_through_arm(emulator_server) == before


def test_reading_boots_and_probes():
    assert boot_state({"statuses": [{"code": "PowerState/running"}],
                       "vmAgent": {"statuses": [{"displayStatus": "Ready"}]}}).booted
    not_ready = boot_state({"statuses": [{"code": "PowerState/running"}], "vmAgent": {
        "vmAgentVersion": "Unknown", "statuses": [{"displayStatus": "Not Ready", "message": "no status"}]}})
    assert not not_ready.booted and not_ready.describe() == "running, VM agent Not Ready: no status"
    assert boot_state(None).describe() == "power state unknown, no VM agent status"
    linux = probe_result({"value": [{"code": "ProvisioningState/failed/3", "message": "Enable failed: failed to "
                                     "execute command: command terminated with exit status=3\n[stdout]\nup\n"
                                     "[stderr]\ncurl: (7) refused\n"}]})
    assert (linux.exit_code, linux.stdout, linux.stderr, linux.passed) == (3, "up", "curl: (7) refused", False)
    assert linux.describe() == "exit 3: curl: (7) refused"
    windows = probe_result({"value": [{"code": "ComponentStatus/StdOut/succeeded", "message": "ok"},
                                      {"code": "ComponentStatus/StdErr/succeeded", "message": ""}]})
    assert (windows.exit_code, windows.passed) == (None, True)
    with pytest.raises(ValueError):
        probe_result({"value": []})
    assert Probe("echo ok").command("Windows") == "RunPowerShellScript"
    assert Probe(["a", "b"], shell="shell").body("Windows") == {"commandId": "RunShellScript", "script": ["a", "b"]}


def test_a_kept_drill_is_stopped_early_and_awaited(az, emulator_server):
    import asyncio

    ops = az.vault("opsVaultRG", "opsVault")
    drill = az.drill([ops.vm("opsRG", "linuxWeb")], keep_for=600, boot_timeout=30, out=None)
    deadline = time.monotonic() + 60
    while drill.state != "keeping" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert drill.state == "keeping" and not drill.done  # the VM is up, kept for a person to look at
    assert any(rid.endswith("/virtualMachines/linuxWeb-drill") for rid in _left_through_arm(emulator_server))
    drill.stop()  # cuts the keep short: the cleanup runs now

    async def awaited():
        return await drill

    report = asyncio.run(asyncio.wait_for(awaited(), 60))
    assert report.passed == 1 and report.cleanup.clean
    assert _left_through_arm(emulator_server) == []
