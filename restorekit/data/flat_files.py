"""Frames as flat files for spreadsheets and other tools: CSV and Excel, lists and structs as JSON text.

A CSV or Excel cell holds one value. Left to pandas, restorekit's list columns become numpy's text (``[-1  0]``),
``extra`` a Python repr, and Excel refuses times that carry a zone. :func:`flat` gives a copy whose list, struct
and dict cells are JSON text (``[-1, 0]``, ``{"securityType": "Standard"}``) that any tool reads back
(``json.loads``); :func:`to_csv` writes it; :func:`to_excel` also writes times as UTC without their zone, in
columns named so (``time (UTC)``), with openpyxl (the ``excel`` extra: ``pip install 'restorekit[excel]'``).

>>> rk.to_csv(points, "points.csv")                    # doctest: +SKIP
>>> rk.to_excel(rk.summary(points), "summary.xlsx")    # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: What installs openpyxl, which pandas writes ``.xlsx`` files with.
EXCEL_INSTALL = "pip install 'restorekit[excel]'"


def flat(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose list, struct and dict cells are JSON text (missing values stay missing)."""
    out = df.copy()
    for column in out.columns:
        if _holds_nested(out[column]):
            out[column] = _as_json(out[column])
    return out


def to_csv(df: pd.DataFrame, path_or_buf: Any = None, **options: Any) -> str | None:
    """``df.to_csv`` of :func:`flat` ``(df)``: lists and structs as JSON text; ``options`` go to pandas.

    Returns the text when ``path_or_buf`` is None, as pandas does.
    """
    return flat(df).to_csv(path_or_buf, **options)


def to_excel(df: pd.DataFrame, path: Any, **options: Any) -> None:
    """Write ``df`` to an ``.xlsx`` file: lists and structs as JSON text, times in UTC in columns named ``… (UTC)``.

    Needs openpyxl; without it, an ``ImportError`` says what installs it (:data:`EXCEL_INSTALL`). ``options`` go
    to ``DataFrame.to_excel`` (``sheet_name=``, ``index=``…).
    """
    import pandas as pd

    if importlib.util.find_spec("openpyxl") is None:
        raise ImportError(f"writing Excel files needs openpyxl, which is not installed in this Python: "
                          f"{EXCEL_INSTALL} (or pip install openpyxl); rk.to_csv needs nothing more")
    out = flat(df)
    zoned = {c: f"{c} (UTC)" for c in out.columns if isinstance(out[c].dtype, pd.DatetimeTZDtype)}
    for column in zoned:
        out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
    if isinstance(out.index, pd.DatetimeIndex) and out.index.tz is not None:
        out.index = out.index.tz_convert("UTC").tz_localize(None).rename(f"{out.index.name or 'time'} (UTC)")
    out.rename(columns=zoned).to_excel(path, **options)


def _holds_nested(column: pd.Series) -> bool:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_nested(dtype.pyarrow_dtype)
    if pd.api.types.is_object_dtype(dtype):
        return any(isinstance(v, list | tuple | dict | np.ndarray) for v in column.dropna().head(50))
    return False


def _as_json(column: pd.Series) -> pd.Series:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(column.dtype, pd.ArrowDtype):
        values = pa.array(column.array).to_pylist()  # Python lists and dicts, nested ones included
    else:
        values = [v.tolist() if isinstance(v, np.ndarray) else v for v in column.tolist()]
    text = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v)
            else json.dumps(v, default=str, ensure_ascii=False) for v in values]
    return pd.Series(text, index=column.index, name=column.name, dtype="string")
