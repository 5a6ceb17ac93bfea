"""The drill's live view without a browser: one line per VM, its phase, then the verdicts and the summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from restorekit.restore.drill.cleanup import CleanupResult
from restorekit.restore.drill.plan import DrillPlan, MachinePlan, NetworkPlan
from restorekit.restore.drill.runner import Drill
from restorekit.widgets.drill_progress import DrillProgress


def _drill(where: str = "local emulator, not Azure") -> Drill:
    machines = tuple(MachinePlan(f"/item/{n}", n, "rg", "rg/vault", "westus", "1", datetime(2026, 11, 20, tzinfo=UTC),
                                 "Linux", f"{n}-drill", "/acct") for n in ("web", "db"))
    plan = DrillPlan("abcd1234", "sub", "rk-drill-20261120-1200-abcd1234", "westus", machines,
                     (NetworkPlan("westus", "drill-vnet-westus", "drill-nsg-westus"),), dry_run=False, where=where)
    return Drill(plan, arm=None, restore=lambda m: None, server_now=lambda: datetime.now(UTC))  # type: ignore[arg-type]


def test_one_line_per_vm_follows_the_drill():
    drill = _drill()
    view = DrillProgress(drill)
    assert "local emulator, not Azure" in view.title.value and "rk-drill-20261120-1200-abcd1234" in view.title.value
    assert [line.value.count("waiting") for line in view.lines] == [1, 1]
    web, db = drill.machines
    web.phase, web.phase_started = "booting", None
    drill._notify(web)  # what the drill's threads do: the view listens
    assert "rg/web: booting" in view.lines[0].value
    web.verdict = web.phase = "passed"
    web.rto, web.rpo = timedelta(seconds=75), timedelta(hours=5)
    db.verdict = db.phase = "failed"
    db.reasons.append("did not boot within 30 s: starting, no VM agent status")
    drill.cleanup = CleanupResult(state="deleted", verified="verified through ARM: resource group gone, 0 resource(s) "
                                                             "left (tag restorekit-drill=abcd1234)")
    drill.state = "done"
    drill._notify(db)
    assert "rg/web: passed, RTO 1 min 15 s, RPO 5 h" in view.lines[0].value and "#1b5e20" in view.lines[0].value
    assert "rg/db: FAILED: did not boot within 30 s" in view.lines[1].value and "#b00020" in view.lines[1].value
    assert "2 VM(s): 1 passed, 1 failed; cleanup: deleted; verified through ARM" in view.summary.value


def test_no_emulator_badge_against_azure_and_a_report_read_too_early_says_so():
    import pytest

    drill = _drill(where="Azure (AzureCloud)")
    assert "emulator" not in DrillProgress(drill).title.value
    with pytest.raises(RuntimeError, match=r"still planned: call drill.wait\(\)"):
        _ = drill.report
