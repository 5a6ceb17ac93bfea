"""DataFrames shown for people: times to the second, durations in words, without changing the data.

>>> rk.readable(job.to_frame())        # a pandas Styler: display it in a notebook
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.times import format_duration, format_moment

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler


def _cell(value: Any) -> str:
    import pandas as pd

    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return format_moment(value.to_pydatetime())
    if isinstance(value, pd.Timedelta):
        return format_duration(value.to_pytimedelta())
    return str(value)


def readable(frame: pd.DataFrame) -> Styler:
    """A Styler of ``frame`` showing datetime columns to the second (UTC) and timedeltas as ``8 h 12 min``."""
    import pandas as pd

    columns = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])
               or pd.api.types.is_timedelta64_dtype(frame[c])]
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    # a fixed uuid: the same frame gives the same HTML (notebook outputs stay comparable)
    return (frame.style.set_uuid("restorekit").format(_cell, subset=columns, na_rep="")
            .format("{:g}", subset=floats, na_rep=""))
