"""Frames shown for people: times to the second with their zone, durations in words, reasons never cut."""

from __future__ import annotations

import pandas as pd
from test_frames import DOC_PAGE
from test_items import protected_item

import restorekit as rk
from restorekit.data.analysis import summary
from restorekit.data.frames import recovery_points_frame
from restorekit.data.items import protected_items_frame
from restorekit.data.risk import at_risk


def test_times_to_the_second_with_their_zone_the_data_untouched():
    df = recovery_points_frame(DOC_PAGE)[["recovery_point", "time", "consistency", "tier", "disk_luns"]]
    shown = rk.readable(df)
    text, html = repr(shown), shown.to_html()
    for rendering in (text, html):
        assert "2018-06-04 06:06:00 UTC" in rendering and ".512108" not in rendering
    assert df["time"][0].microsecond == 512108  # the data keeps its precision


def test_durations_in_words():
    jobs = pd.DataFrame({"job": ["a", "b"], "duration": pd.to_timedelta(["00:00:01.359124", "1 days 02:03:04"])})
    text = repr(rk.readable(jobs))
    assert "1 s" in text and "1 day 2 h" in text and "0 days" not in text


def test_reasons_are_never_cut():
    items = protected_items_frame([protected_item("stopped", protectionState="ProtectionStopped",
                                                  lastBackupStatus="Failed", healthStatus="ActionRequired",
                                                  lastRecoveryPoint="2026-10-20T06:00:00Z")])
    risk = at_risk(items, now="2026-11-20T12:00Z")
    reasons = risk["reasons"][0]
    assert len(reasons) > 60 and "health: action required" in reasons
    shown = rk.readable(risk[["vm_name", "severity", "reasons"]])
    assert reasons in repr(shown) and reasons in shown.to_html()
    assert reasons not in repr(risk[["vm_name", "severity", "reasons"]])  # pandas alone cuts it


def test_points_render_readably_in_a_notebook():
    from restorekit.model.points import RecoveryPoint, RecoveryPoints

    points = RecoveryPoints(RecoveryPoint.from_resource(raw) for raw in DOC_PAGE["value"])
    html = points._repr_html_()
    assert "2018-06-04 06:06:00 UTC" in html and "06:06:00.512" not in html


def test_summary_gives_the_largest_gap_of_a_vm_whose_backups_stopped():
    now = pd.Timestamp("2026-11-20T12:00Z")
    daily = [now - pd.Timedelta(days=d) for d in range(60, 40, -1)]  # backups stopped 41 days ago
    raw = [{**DOC_PAGE["value"][0], "name": f"p{k}", "id": DOC_PAGE["value"][0]["id"] + f"x{k}",
            "properties": {**DOC_PAGE["value"][0]["properties"], "recoveryPointTime": t.isoformat()}}
           for k, t in enumerate(daily)]
    out = summary(recovery_points_frame(raw), now=now)
    assert out["largest_gap"].iloc[0] == now - daily[-1]  # the time since the newest point, not NaT
    assert out["missed"].iloc[0] == 30


def test_a_long_frame_shows_its_first_and_last_rows_and_says_so():
    df = pd.DataFrame({"n": range(500), "t": pd.date_range("2026-01-01", periods=500, freq="h", tz="UTC")})
    shown = rk.readable(df)
    text = repr(shown)
    assert text.endswith("500 rows: the first 5 and the last 5 shown") and len(text.splitlines()) == 12
    assert "500 rows" in shown.to_html() and shown.to_html().count("<tr>") < 20
