"""DataFrames shown for people: times to the second with their zone, durations in words, text never cut.

A restorekit frame is data: times keep their full precision (``06:14:30.484043+00:00``), durations are
timedeltas (``0 days 00:00:01.359124``), and pandas cuts long text at 50 characters in its display (``protection
stopped; newest point 30 days 6 h o...``). :func:`readable` shows the same frame for a person, without changing
it: times as ``2026-11-20 06:19:37 UTC``, durations as ``8 h 12 min``, lists as ``-1, 0``, maps (tags) as
``environment=production``, every text whole, in the notebook (HTML) and as text (a console, a headless run).

>>> rk.readable(az.at_risk())          # doctest: +SKIP

The frames restorekit returns carry a mark in ``attrs`` (:func:`for_people`; pandas keeps it through filters,
selections, copies, ``concat``, Parquet), and in IPython (JupyterLab, papermill) such a frame is shown as
:func:`readable` shows it, with no call: ``points.to_frame()`` in a cell shows ``2026-11-20 06:19:37 UTC``,
``vault.jobs()`` shows ``3 s``. Any other frame is shown as pandas shows it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from ..core.times import format_duration, format_moment

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler


#: The ``attrs`` key of a frame shown for people in a notebook (its value: ``"readable"``).
SHOWN = "restorekit_shown"


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark ``frame`` (in place, and return it) so that IPython shows it as :func:`readable` does.

    The data is unchanged; only a notebook's display of it (and of what pandas derives from it keeping its
    ``attrs``) reads times to the second with their zone, durations in words and text whole.
    """
    frame.attrs[SHOWN] = "readable"
    return frame


def notebook_html(frame: pd.DataFrame) -> str | None:
    """The HTML IPython shows for ``frame``: :func:`readable`'s for a marked frame, pandas' own otherwise."""
    if frame.attrs.get(SHOWN) == "readable":
        return readable(frame)._repr_html_()
    return frame._repr_html_()


def notebook_text(frame: pd.DataFrame) -> str:
    """The text IPython shows for ``frame`` (a console, a headless run): readable for a marked frame."""
    return repr(readable(frame)) if frame.attrs.get(SHOWN) == "readable" else repr(frame)


def _cell(value: Any) -> str:
    import pandas as pd

    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return format_moment(value.to_pydatetime(warn=False))
    if isinstance(value, pd.Timedelta):
        return format_duration(value.to_pytimedelta())
    if isinstance(value, list) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return ", ".join(f"{_cell(k)}={_cell(v)}" for k, v in value)  # a map column: tags
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str, ensure_ascii=False)
    if hasattr(value, "tolist") and not isinstance(value, str):  # a numpy array from a list column
        return _cell(value.tolist())
    return str(value)


def _shown_columns(frame: pd.DataFrame) -> tuple[list[Any], list[Any]]:
    """The columns shown as words (times, durations, lists, structs) and the float columns."""
    import pandas as pd
    import pyarrow as pa

    worded = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])
              or pd.api.types.is_timedelta64_dtype(frame[c])
              or (isinstance(frame[c].dtype, pd.ArrowDtype) and pa.types.is_nested(frame[c].dtype.pyarrow_dtype))]
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    return worded, floats


@cache
def _readable_styler() -> type:
    """The Styler that also prints as readable text (defined once pandas is imported)."""
    from pandas.io.formats.style import Styler

    class ReadableFrame(Styler):
        """A Styler of a frame shown for people (:func:`readable`); ``repr()`` is the same table as text."""

        def __repr__(self) -> str:
            text = as_text(self.data).to_string(max_colwidth=None)
            return f"{text}\n{self.caption}" if self.caption else text

    return ReadableFrame


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its times, durations, lists and floats written as :func:`readable` shows them (text)."""
    worded, floats = _shown_columns(frame)
    out = frame.copy()
    for column in worded:
        out[column] = [_cell(v) for v in out[column]]
    for column in floats:
        out[column] = ["" if v != v else f"{v:g}" for v in out[column]]
    for column in _other_columns(frame, worded, floats):  # a missing text (a VM with no vault) is blank, not NaN
        out[column] = out[column].astype(object).where(out[column].notna(), "")
    return out


def _other_columns(frame: pd.DataFrame, worded: list[Any], floats: list[Any]) -> list[Any]:
    return [c for c in frame.columns if c not in worded and c not in floats]


def readable(frame: pd.DataFrame) -> Styler:
    """``frame`` shown for people: times to the second with their zone, durations in words, text never cut.

    Returns a pandas Styler (display it in a notebook; ``repr()`` prints the same as text); the frame itself is
    unchanged. Datetime columns read ``2026-11-20 06:19:37 UTC``, timedeltas ``8 h 12 min``, list columns
    ``-1, 0``, floats without trailing zeros, missing values blank; long texts (reasons, errors) are shown whole. A frame longer than
    pandas' ``display.max_rows`` shows its first and last rows (``display.min_rows``), as pandas does, and says so.
    """
    import pandas as pd

    worded, floats = _shown_columns(frame)
    shown, caption = frame, None
    limit = pd.get_option("display.max_rows")
    if limit and len(frame) > limit:
        half = max(1, (pd.get_option("display.min_rows") or 10) // 2)
        shown = pd.concat([frame.head(half), frame.tail(half)])
        caption = f"{len(frame)} rows: the first {half} and the last {half} shown"
    # a fixed uuid: the same frame gives the same HTML (notebook outputs stay comparable)
    styler = (_readable_styler()(shown).set_uuid("restorekit").format(_cell, subset=worded, na_rep="")
              .format("{:g}", subset=floats, na_rep="")
              .format(None, subset=_other_columns(frame, worded, floats), na_rep=""))
    return styler.set_caption(caption) if caption else styler
