"""Nested Arrow columns (``zones``, ``disk_luns``, ``extra``) read back from Parquet by plain pandas.

``df.to_parquet(path)`` records each column's dtype in the file as text, ``list<item: string>[pyarrow]`` for a
list column, and ``pd.read_parquet(path)`` hands that text to ``pandas_dtype()``, which cannot parse nested Arrow
types: it raises ``TypeError: data type 'list<item: string>[pyarrow]' not understood`` (pandas-dev/pandas#57411,
open). :func:`register` adds a dtype to pandas' registry that reads such a text as "the Arrow type the file
stores", so the column comes back as the very ``pd.ArrowDtype`` it was written with. Every function that builds
or reads a restorekit frame registers it; a kernel that has not loaded restorekit's data layer reads such files
with ``pd.read_parquet(path, dtype_backend="pyarrow")``, or the file was written by :func:`rk.to_parquet
<restorekit.data.snapshots.to_parquet>`, which plain pandas reads anywhere.
"""

from __future__ import annotations

import threading

#: Arrow's text of the nested types pandas cannot parse back.
NESTED_PREFIXES = ("list<", "large_list<", "list_view<", "large_list_view<", "fixed_size_list<", "struct<",
                   "map<")
_SUFFIX = "[pyarrow]"
_lock = threading.Lock()
_registered = False


def is_nested_arrow_text(text: object) -> bool:
    """True for the dtype text of a nested Arrow column, e.g. ``"struct<id: string>[pyarrow]"``."""
    return isinstance(text, str) and text.endswith(_SUFFIX) and text.startswith(NESTED_PREFIXES)


def register() -> None:
    """Teach pandas to read nested Arrow dtype texts back (once per process; pandas is imported here)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        import pandas as pd
        from pandas.api.extensions import ExtensionDtype, register_extension_dtype

        class StoredArrowType(ExtensionDtype):
            """A nested Arrow column as a Parquet file stores it: becomes that ``pd.ArrowDtype`` when read."""

            name = "nested arrow type (as stored)"
            type = object

            @classmethod
            def construct_from_string(cls, string: str) -> StoredArrowType:
                if not is_nested_arrow_text(string):
                    raise TypeError(f"Cannot construct a '{cls.__name__}' from '{string}'")
                return cls()

            @classmethod
            def construct_array_type(cls) -> type:
                return pd.arrays.ArrowExtensionArray

            def __from_arrow__(self, array: object) -> pd.arrays.ArrowExtensionArray:
                return pd.arrays.ArrowExtensionArray(array)

        register_extension_dtype(StoredArrowType)
        # pandas asks its dtypes in order, and ArrowDtype answers a text with brackets (a field named "id (x)")
        # with NotImplementedError, which ends the search: this one goes first (a text check, then TypeError).
        from pandas.core.dtypes import base

        order = getattr(getattr(base, "_registry", None), "dtypes", None)
        if isinstance(order, list) and StoredArrowType in order:
            order.remove(StoredArrowType)
            order.insert(0, StoredArrowType)
        _registered = True
