"""The evidence of a drill: :class:`DrillReport`, as a DataFrame, an HTML page (screenshots inline) and JSON.

One row per VM: the point and its time, RPO (the point's age when the drill started), RTO (restore POST to VM
agent ready), the verdict (``passed`` / ``failed``), the power and agent states, the probe's exit code, the
cleanup and the reasons of a failure, then each phase's time. ``to_html(path)`` writes a page for an audit or a
change ticket: where it ran (the emulator says so), what was created, each VM with its console screenshot and the
end of its serial log, and the proof of cleanup. ``to_json(path)`` writes the same as data.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.times import format_duration, format_moment
from ...data.readable import for_people
from .cleanup import CleanupResult
from .machine import PASSED, MachineResult
from .plan import DrillPlan

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Columns of :meth:`DrillReport.to_frame`, in order.
COLUMNS = ("vm", "vault", "point", "point_time", "rpo", "rto", "verdict", "power_state", "agent_status",
           "probe_exit_code", "cleanup", "reasons", "restore_time", "boot_time", "diagnostics_time", "probe_time",
           "job_id", "restored_vm")


def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=round(value, 3))


def _iso(value: datetime | None) -> str | None:
    return format_moment(value, "iso") if value is not None else None


@dataclass
class DrillReport:
    """What a drill proved: its plan, each VM's :class:`~restorekit.restore.drill.machine.MachineResult`, the
    cleanup, and when it started and ended."""

    plan: DrillPlan
    machines: list[MachineResult]
    cleanup: CleanupResult
    started: datetime | None = None
    ended: datetime | None = None

    @property
    def passed(self) -> int:
        """How many VMs passed."""
        return sum(1 for m in self.machines if m.verdict == PASSED)

    @property
    def failed(self) -> int:
        """How many VMs did not pass."""
        return len(self.machines) - self.passed

    def summary(self) -> str:
        """``3 VMs: 2 passed, 1 failed; cleanup: deleted after 1 retry; verified …``."""
        if self.plan.dry_run:
            return f"dry run: {len(self.machines)} VM(s) planned, nothing created"
        return (f"{len(self.machines)} VM(s): {self.passed} passed, {self.failed} failed; "
                f"cleanup: {self.cleanup.describe()}")

    # -- as a frame ----------------------------------------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        """One dict per VM, the columns of :data:`COLUMNS`."""
        out = []
        for m in self.machines:
            p = m.plan
            out.append({
                "vm": p.label, "vault": p.vault, "point": p.point_name, "point_time": p.point_time, "rpo": m.rpo,
                "rto": m.rto, "verdict": m.verdict or ("planned" if self.plan.dry_run else m.phase),
                "power_state": m.boot.power, "agent_status": m.boot.agent,
                "probe_exit_code": m.probe.exit_code if m.probe is not None else None,
                "cleanup": self.cleanup.describe(), "reasons": "; ".join(m.reasons),
                "restore_time": _seconds(m.phase_seconds.get("restoring")),
                "boot_time": _seconds(m.phase_seconds.get("booting")),
                "diagnostics_time": _seconds(m.phase_seconds.get("diagnostics")),
                "probe_time": _seconds(m.phase_seconds.get("probing")),
                "job_id": m.job_id, "restored_vm": m.target_vm_id})
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per VM (see the module doc): tz-aware times, durations as timedeltas, verdicts as categories."""
        import pandas as pd

        frame = pd.DataFrame(self.rows(), columns=list(COLUMNS))
        frame["point_time"] = pd.to_datetime(frame["point_time"], utc=True)
        for column in ("rpo", "rto", "restore_time", "boot_time", "diagnostics_time", "probe_time"):
            frame[column] = pd.to_timedelta(frame[column])
        frame["verdict"] = frame["verdict"].astype("category")
        frame["probe_exit_code"] = pd.to_numeric(frame["probe_exit_code"], errors="coerce").astype("Int64")
        frame.attrs["drill"] = {"id": self.plan.drill_id, "resource_group": self.plan.resource_group,
                                "where": self.plan.where, "summary": self.summary()}
        return for_people(frame)

    # -- as JSON -------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (durations in seconds, times in ISO 8601 UTC, no screenshots)."""
        def secs(value: timedelta | None) -> float | None:
            return None if value is None else round(value.total_seconds(), 3)

        plan = self.plan
        return {
            "drill": plan.drill_id, "where": plan.where, "dry_run": plan.dry_run, "subscription": plan.subscription,
            "resource_group": plan.resource_group, "location": plan.location, "started": _iso(self.started),
            "ended": _iso(self.ended), "summary": self.summary(), "passed": self.passed, "failed": self.failed,
            "probe": list(plan.probe.script) if plan.probe else None,
            "networks": [{"region": n.region, "network": n.network, "security_group": n.security_group,
                          "subnet": n.subnet} for n in plan.networks],
            "machines": [{
                "vm": m.plan.label, "vault": m.plan.vault, "item_id": m.plan.item_id, "point": m.plan.point_name,
                "point_time": _iso(m.plan.point_time), "restored_vm": m.target_vm_id, "job_id": m.job_id,
                "verdict": m.verdict, "reasons": list(m.reasons), "rpo_seconds": secs(m.rpo),
                "rto_seconds": secs(m.rto), "posted_at": _iso(m.posted_at), "ready_at": _iso(m.ready_at),
                "power_state": m.boot.power, "agent_status": m.boot.agent, "agent_version": m.boot.agent_version,
                "probe": None if m.probe is None else {"exit_code": m.probe.exit_code, "stdout": m.probe.stdout,
                                                      "stderr": m.probe.stderr, "passed": m.probe.passed},
                "phase_seconds": {k: round(v, 3) for k, v in m.phase_seconds.items()},
                "serial_log_tail": m.serial_tail, "staging_blobs": list(m.staging_blobs)} for m in self.machines],
            "cleanup": self.cleanup.to_dict()}

    def to_json(self, path: str | Path | None = None) -> str:
        """The report as JSON text; written to ``path`` too when given."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    # -- as HTML -------------------------------------------------------------------------------------------
    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained HTML page (screenshots inline); written to ``path`` too when given."""
        plan = self.plan
        badge = ("<p class='note'>Ran on restorekit's <b>local emulator</b> of Azure: nothing reached Azure.</p>"
                 if "emulator" in plan.where.lower() else "")
        rows = "".join(
            f"<tr class='{escape(str(r['verdict']))}'><td>{escape(r['vm'])}</td><td>{escape(str(r['verdict']))}</td>"
            f"<td>{escape(r['point'])}<br><small>{escape(format_moment(r['point_time']))}</small></td>"
            f"<td>{escape(format_duration(r['rpo']))}</td><td>{escape(format_duration(r['rto']))}</td>"
            f"<td>{escape(str(r['power_state'] or '—'))}, agent {escape(str(r['agent_status'] or '—'))}</td>"
            f"<td>{'—' if r['probe_exit_code'] is None else r['probe_exit_code']}</td>"
            f"<td>{escape(r['reasons'] or '')}</td></tr>" for r in self.rows())
        cards = "".join(self._card(m) for m in self.machines)
        cleanup = self.cleanup
        left = "".join(f"<li><code>{escape(rid)}</code></li>" for rid in cleanup.left) or "<li>nothing</li>"
        retried = "".join(f"<li>{escape(r)}</li>" for r in cleanup.retries)
        staging = "".join(f"<li><code>{escape(b)}</code></li>" for m in self.machines for b in m.staging_blobs)
        page = _PAGE.format(
            title=escape(f"Restore drill {plan.drill_id}"), badge=badge, summary=escape(self.summary()),
            when=escape(f"{format_moment(self.started)} → {format_moment(self.ended)}"), where=escape(plan.where),
            group=escape(plan.resource_group), subscription=escape(plan.subscription), location=escape(plan.location),
            plan=escape(plan.describe()), rows=rows, cards=cards, cleanup=escape(cleanup.describe()),
            left=left, retried=f"<p>Failed attempts, retried:</p><ul>{retried}</ul>" if retried else "",
            staging=(f"<p>Blobs the restores left in their staging accounts (listed, not deleted):</p><ul>{staging}"
                     "</ul>") if staging else "")
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    @staticmethod
    def _card(m: MachineResult) -> str:
        image = (f"<img alt='console of {escape(m.plan.target_vm_name)}' src='data:image/png;base64,"
                 f"{base64.b64encode(m.screenshot_png).decode()}'>" if m.screenshot_png else "<p>no screenshot</p>")
        phases = ", ".join(f"{k} {format_duration(timedelta(seconds=v))}" for k, v in m.phase_seconds.items())
        probe = ""
        if m.probe is not None:
            probe = (f"<p>probe: {escape(m.probe.describe())}</p><pre>{escape(m.probe.stdout.strip() or '(no output)')}"
                     "</pre>")
        return (f"<div class='card {escape(str(m.verdict))}'><h3>{escape(m.plan.label)} → "
                f"{escape(m.plan.target_vm_name)}: {escape(str(m.verdict))}</h3>"
                f"<p>{escape(m.boot.describe())}; {escape(phases)}</p>{image}{probe}"
                f"<details><summary>serial log (end)</summary><pre>{escape(m.serial_tail)}</pre></details></div>")

    def _repr_html_(self) -> str:
        frame = self.to_frame()[["vm", "verdict", "rpo", "rto", "agent_status", "probe_exit_code", "reasons"]]
        return (f"<div class='rk-drill-report'><b>Restore drill {escape(self.plan.drill_id)}</b>: "
                f"{escape(self.summary())}{frame.to_html(index=False)}</div>")

    def __repr__(self) -> str:
        return f"<DrillReport {self.plan.drill_id}: {self.summary()}>"


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; padding: 6px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }}
tr.passed td:nth-child(2) {{ color: #1b5e20; font-weight: bold; }} tr.failed td:nth-child(2) {{ color: #b00020; font-weight: bold; }}
.note {{ background: #fff3cd; border: 1px solid #e0b400; padding: 6px 10px; }}
.card {{ border: 1px solid #ddd; margin: 1em 0; padding: 0 1em 1em; }} .card.failed {{ border-color: #b00020; }}
.card img {{ max-width: 100%; border: 1px solid #999; }} pre {{ white-space: pre-wrap; background: #f6f6f6; padding: 6px; }}
</style></head><body>
<h1>{title}</h1>
{badge}
<p><b>{summary}</b></p>
<p>Ran {when} on {where}, in resource group <code>{group}</code> ({location}) of subscription <code>{subscription}</code>.</p>
<details><summary>What the drill created</summary><pre>{plan}</pre></details>
<h2>Verdicts</h2>
<table><tr><th>VM</th><th>verdict</th><th>point</th><th>RPO</th><th>RTO</th><th>boot</th><th>probe exit</th><th>reasons</th></tr>
{rows}
</table>
<h2>Each VM</h2>
{cards}
<h2>Cleanup</h2>
<p>{cleanup}</p>
<p>Left after the cleanup, listed through ARM:</p><ul>{left}</ul>
{retried}
{staging}
</body></html>
"""
