"""Fleet snapshots on disk: points and items frames to Parquet and back, dtypes and ``attrs`` kept, and compared.

``df.to_parquet`` and ``pd.read_parquet`` round-trip these frames too (their ``attrs`` are JSON, and
:mod:`restorekit.data.arrow_dtypes` lets pandas read nested Arrow dtypes back). :func:`to_parquet` writes a
file that keeps more and that plain pandas reads anywhere, restorekit or not: the Arrow columns as they are
(categoricals as dictionaries, times as UTC timestamps, ``extra`` as a struct), each column's pandas dtype, the
index and the ``attrs`` (frames among them as embedded Parquet) in restorekit's metadata, which
:func:`read_parquet` restores exactly, and the ``attrs`` that are JSON where ``pd.read_parquet`` finds them too.
:func:`compare_snapshots` says what changed per protected item between two snapshots.
"""

from __future__ import annotations

import base64
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import pandas as pd
    import pyarrow as pa

_KEY = b"restorekit"
#: Where pandas (>= 2.1) keeps a frame's ``attrs`` in a Parquet file.
_PANDAS_ATTRS = b"PANDAS_ATTRS"
_FORMAT = 1
#: Columns compared between two items snapshots.
ITEM_STATE = ("protection_state", "protection_status", "health", "last_backup_status", "last_backup_time",
              "last_recovery_point", "policy")


def to_parquet(df: pd.DataFrame, path: str | Path | io.BytesIO) -> None:
    """Save a points or items frame (any frame of these dtypes) to Parquet, with its dtypes, index and ``attrs``.

    >>> to_parquet(fleet, "fleet-2026-11-20.parquet")           # doctest: +SKIP
    """
    import pyarrow.parquet as pq

    pq.write_table(_table(df), path, use_compliant_nested_type=False)  # lists keep Arrow's "item" fields


def read_parquet(path: str | Path | io.BytesIO) -> pd.DataFrame:
    """A frame saved by :func:`to_parquet`, with the dtypes, index and ``attrs`` it had.

    >>> fleet = read_parquet("fleet-2026-11-20.parquet")       # doctest: +SKIP
    """
    import pyarrow.parquet as pq

    from .arrow_dtypes import register

    register()
    return _frame(pq.read_table(path))


def compare_snapshots(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """What changed per protected item between two snapshots (points frames, or items frames).

    Points frames: ``points_old``, ``points_new``, ``added`` and ``removed`` (points by name: new backups,
    expired ones), ``newest_old``, ``newest_new`` and ``change``: ``"backed up"``, ``"no new point"``,
    ``"appeared"`` or ``"disappeared"``. Items frames: ``change`` (``"changed"``, ``"same"``,
    ``"appeared"``, ``"disappeared"``), ``changed`` (the columns of :data:`ITEM_STATE` that differ) and
    their old and new values. One row per item of either snapshot, keyed by ``item_id``, with its VM name.

    >>> compare_snapshots(read_parquet("monday.parquet"), fleet).query("change != 'backed up'")  # doctest: +SKIP
    """
    if "time" in old.columns and "time" in new.columns:
        return _compare_points(old, new)
    if {"item_id", *ITEM_STATE} <= set(old.columns) and {"item_id", *ITEM_STATE} <= set(new.columns):
        return _compare_items(old, new)
    raise ValueError("compare_snapshots expects two points frames or two items frames")


# --- the file -------------------------------------------------------------------------------------------


def _table(df: pd.DataFrame) -> pa.Table:
    import pandas as pd
    import pyarrow as pa

    index: list[str] = []
    frame = df
    if not (isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1):
        index = [name if name is not None else f"level_{i}" for i, name in enumerate(df.index.names)]
        frame = df.reset_index(names=index)
    arrays = [_storable(pa.array(frame[column], from_pandas=True)) for column in frame.columns]
    meta = {"format": _FORMAT, "dtypes": {str(c): str(frame[c].dtype) for c in frame.columns}, "index": index,
            "attrs": {key: _attr(value) for key, value in df.attrs.items()},
            "categories": {str(c): _unused_categories(frame[c]) for c in frame.columns
                           if str(frame[c].dtype) == "category" and _unused_categories(frame[c])}}
    plain = {key: value["json"] for key, value in meta["attrs"].items() if "json" in value}
    return pa.table(arrays, names=[str(c) for c in frame.columns]).replace_schema_metadata(
        {_KEY: json.dumps(meta).encode(), _PANDAS_ATTRS: json.dumps(plain).encode()})


def _frame(table: pa.Table) -> pd.DataFrame:
    import pandas as pd

    raw = (table.schema.metadata or {}).get(_KEY)
    if raw is None:  # not ours: pandas' own reading
        return table.to_pandas()
    meta = json.loads(raw)
    frame = pd.DataFrame({name: _column(table.column(name), meta["dtypes"][name]) for name in table.column_names})
    for name, categories in meta.get("categories", {}).items():  # the vocabulary the data does not use
        frame[name] = frame[name].cat.set_categories(categories)
    if meta["index"]:
        frame = frame.set_index(meta["index"])
        frame.index.names = [None if n.startswith("level_") else n for n in meta["index"]]
    frame.attrs.update({key: _unattr(value) for key, value in meta["attrs"].items()})
    return frame


def _column(column: pa.ChunkedArray, dtype: str) -> Any:
    """A pandas array of ``dtype`` (as recorded) from an Arrow column."""
    import pandas as pd
    import pyarrow as pa

    from .columns import struct

    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if dtype == "category":
        return pd.Series(array.to_pandas()).astype("category")  # all missing: no dictionary in the file
    if dtype == "struct<>[pyarrow]":  # Parquet has no struct without fields: written as nulls
        return pd.arrays.ArrowExtensionArray(struct({}, len(array)))
    if dtype.endswith("[pyarrow]"):
        return pd.arrays.ArrowExtensionArray(array)
    if dtype == "string":
        return pd.array(array, dtype=pd.StringDtype("pyarrow"))
    if dtype in ("boolean", "Int64"):
        mapper = {pa.bool_(): pd.BooleanDtype(), pa.int64(): pd.Int64Dtype()}
        return array.to_pandas(types_mapper=mapper.get)
    return pd.Series(array.to_pandas()).astype(dtype)


def _unused_categories(column: pd.Series) -> list[Any] | None:
    """All the categories, in order, when some are unused (a file keeps only the used ones); else None."""
    import numpy as np

    codes = column.cat.codes.to_numpy()
    used = np.unique(codes[codes >= 0])
    if len(used) == len(column.cat.categories):
        return None
    return column.cat.categories.tolist()


def _storable(array: pa.Array) -> pa.Array:
    """``array``, or nulls for a struct without fields (which Parquet cannot store)."""
    import pyarrow as pa

    return pa.nulls(len(array)) if pa.types.is_struct(array.type) and array.type.num_fields == 0 else array


def _attr(value: Any) -> dict[str, Any]:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        buffer = io.BytesIO()
        to_parquet(value, buffer)
        return {"frame": base64.b64encode(buffer.getvalue()).decode()}
    return {"json": json.loads(json.dumps(value, default=str))}


def _unattr(value: dict[str, Any]) -> Any:
    if "frame" in value:
        return read_parquet(io.BytesIO(base64.b64decode(value["frame"])))
    return value["json"]


# --- comparing ------------------------------------------------------------------------------------------


def _compare_points(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    def per_item(df: pd.DataFrame, suffix: str) -> pd.DataFrame:
        rows = df.dropna(subset=["item_id"]).assign(item_id=lambda d: d["item_id"].astype(str))
        return rows.groupby("item_id").agg(**{f"points_{suffix}": ("time", "size"), f"newest_{suffix}": ("time", "max")})

    both = per_item(old, "old").join(per_item(new, "new"), how="outer")
    keys = ["item_id", "recovery_point"]
    names = pd.merge(_named_points(old), _named_points(new), on=keys, how="outer", indicator=True)
    counts = names.groupby(["item_id", "_merge"], observed=False).size().unstack(fill_value=0)
    both["added"] = counts.get("right_only", pd.Series(dtype="int64")).reindex(both.index).fillna(0).astype("int64")
    both["removed"] = counts.get("left_only", pd.Series(dtype="int64")).reindex(both.index).fillna(0).astype("int64")
    for column in ("points_old", "points_new"):
        both[column] = both[column].fillna(0).astype("int64")
    both["change"] = np.select(
        [both["points_old"] == 0, both["points_new"] == 0, both["newest_new"] > both["newest_old"]],
        ["appeared", "disappeared", "backed up"], "no new point")
    order = ["points_old", "points_new", "added", "removed", "newest_old", "newest_new", "change"]
    return _named_items(both[order], old, new)


def _named_points(df: pd.DataFrame) -> pd.DataFrame:
    return df.loc[df["item_id"].notna(), ["item_id", "recovery_point"]].astype(str).drop_duplicates()


def _compare_items(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    def keyed(df: pd.DataFrame) -> pd.DataFrame:
        rows = df.dropna(subset=["item_id"]).drop_duplicates("item_id")
        return rows.assign(item_id=rows["item_id"].astype(str)).set_index("item_id")[list(ITEM_STATE)]

    before, after = keyed(old), keyed(new)
    both = before.add_suffix("_old").join(after.add_suffix("_new"), how="outer")
    differs = pd.DataFrame({c: ~(_same(both[f"{c}_old"], both[f"{c}_new"])) for c in ITEM_STATE})
    both["changed"] = [", ".join(c for c in ITEM_STATE if row[c]) for row in differs.to_dict("records")]
    both["change"] = np.select([~both.index.isin(before.index), ~both.index.isin(after.index), both["changed"] != ""],
                               ["appeared", "disappeared", "changed"], "same")
    columns = ["change", "changed", *(f"{c}_{when}" for c in ITEM_STATE for when in ("old", "new"))]
    return _named_items(both[columns], old, new)


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Equal values, two missing values counting as equal."""
    a, b = a.astype(object), b.astype(object)
    return (a == b).fillna(False).astype(bool) | (a.isna() & b.isna())


def _named_items(result: pd.DataFrame, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``result`` (indexed by item_id) with each item's VM name, resource group and vault in front."""
    import pandas as pd

    shown = [c for c in ("vm_name", "resource_group", "vm_resource_group", "vault") if c in new.columns]
    names = pd.concat([new, old])[["item_id", *shown]].dropna(subset=["item_id"])
    names = names.assign(item_id=names["item_id"].astype(str)).drop_duplicates("item_id").set_index("item_id")
    names = names.astype(object)
    out = names.reindex(result.index).join(result)
    out.index.name = "item_id"
    return out.sort_values([*shown[:1], "item_id"] if shown else "item_id", kind="stable")
