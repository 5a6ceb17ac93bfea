"""What an inventory could not list, kept where pandas can carry it: JSON records in ``df.attrs["failures"]``.

A frame's ``attrs`` travel with it through pandas (filters, ``concat``, ``merge``) and into Parquet, which
compares them with ``==`` and writes them as JSON: a DataFrame there breaks both ("The truth value of a
DataFrame is ambiguous", "Object of type DataFrame is not JSON serializable"). So an inventory keeps one small
JSON record per VM it could not list (vault, VM name, protected item, error), and :func:`failures` turns them
into a table again:

>>> df = vault.inventory()                 # doctest: +SKIP
>>> rk.failures(df)                        # doctest: +SKIP
   vault  vm_name  protected_item  error
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The key of a frame's ``attrs`` that holds the failures.
KEY = "failures"
#: The fields of each failure record, and the columns of :func:`failures`' table.
COLUMNS = ("vault", "vm_name", "protected_item", "error")


def failure_records(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """JSON records (texts only) of the failures ``rows``, one per VM, fields :data:`COLUMNS`."""
    return [{column: "" if row.get(column) is None else str(row.get(column)) for column in COLUMNS} for row in rows]


def failures(df: pd.DataFrame) -> pd.DataFrame:
    """The VMs an inventory could not list, as a table (vault, VM name, protected item, error); empty when none.

    Reads ``df.attrs["failures"]`` (JSON records); a table kept there by an older restorekit is accepted too. A
    frame that holds no record (not an inventory, or the ``concat`` of inventories whose failures differed,
    which pandas drops) gives an empty table.
    """
    import pandas as pd

    kept = df.attrs.get(KEY)
    if isinstance(kept, pd.DataFrame):
        return kept.reindex(columns=list(COLUMNS))
    return pd.DataFrame(list(kept or []), columns=list(COLUMNS)).astype("string")
