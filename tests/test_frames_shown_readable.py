"""Issue 19, point 8: the frames restorekit returns are shown readable in a notebook, with no call.

``points.to_frame()`` in a cell used to show ``06:14:30.484043000+00:00`` and ``vault.jobs()``
``0 days 00:00:01.359124``. In IPython (JupyterLab, papermill) a frame restorekit made is now shown as
``rk.readable`` shows it, and so is what pandas derives from it (a filter, a selection, ``concat``, a Parquet
round trip); its data keeps full precision; any other frame is shown exactly as pandas shows it.
"""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

import restorekit as rk
from restorekit.data.readable import SHOWN
from restorekit.model.jobs import Job, jobs_frame


@pytest.fixture
def shown():
    """What an IPython shell with restorekit imported shows for an object: {mimetype: text}."""
    shell = InteractiveShell.instance()
    try:
        rk._register_display_hook()
        yield lambda obj: shell.display_formatter.format(obj)[0]
    finally:
        InteractiveShell.clear_instance()  # no shell left for the tests that follow (they are scripts)


@pytest.fixture
def points_frame(az):
    return az.vault("testVaultRG", "testVault").vm("testRG", "testVM").recovery_points().to_frame()


def test_points_are_shown_to_the_second_with_their_zone_and_keep_their_precision(points_frame, shown):
    frame = points_frame[["vm_name", "time", "consistency"]].head(3)
    text, html = shown(frame)["text/plain"], shown(frame)["text/html"]
    newest = frame["time"].iloc[0]
    assert newest.microsecond or newest.nanosecond  # the data: full precision
    said = f"{newest:%Y-%m-%d %H:%M:%S} UTC"
    assert said in text and said in html
    assert f"{newest:%H:%M:%S}." not in text and "+00:00" not in text


def test_what_pandas_derives_keeps_the_readable_display(points_frame, shown, tmp_path):
    filtered = points_frame[points_frame["consistency"] == "AppConsistent"][["vm_name", "time"]]
    both = pd.concat([points_frame.head(2), points_frame.tail(2)])[["time"]]
    points_frame.to_parquet(tmp_path / "points.parquet")
    back = pd.read_parquet(tmp_path / "points.parquet")[["time"]].head(2)
    for derived in (filtered, both, back):
        assert derived.attrs.get(SHOWN) == "readable"
        assert " UTC" in shown(derived)["text/plain"]


def test_durations_are_shown_in_words():
    job = Job({"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.RecoveryServices/vaults/v/backupJobs/j1",
               "name": "j1", "properties": {"jobType": "AzureIaaSVMJob", "operation": "Restore",
                                            "status": "Completed", "entityFriendlyName": "testVM",
                                            "startTime": "2026-11-20T06:19:37.1234567Z",
                                            "endTime": "2026-11-20T06:19:38.4825807Z", "duration": "PT1.359124S"}})
    frame = jobs_frame([job])
    assert frame["duration"].iloc[0] == pd.Timedelta("1.359124s")
    shell = InteractiveShell.instance()
    try:
        rk._register_display_hook()
        text = shell.display_formatter.format(frame[["job_id", "status", "duration"]])[0]["text/plain"]
    finally:
        InteractiveShell.clear_instance()
    assert "1 s" in text and "0 days" not in text


def test_any_other_frame_is_shown_as_pandas_shows_it(shown):
    mine = pd.DataFrame({"t": pd.to_datetime(["2026-01-01 00:00:01.123456"], utc=True), "n": [1]})
    out = shown(mine)
    assert out["text/plain"] == repr(mine) and out["text/html"] == mine._repr_html_()
    assert "00:00:01.123456" in out["text/plain"]
