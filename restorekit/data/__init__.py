"""Data: recovery points and protected items as typed DataFrames, questions about them, pictures, snapshots.

One module per step: ``inputs`` (the shapes resources arrive in), ``columns`` (dicts to Arrow columns),
``identity`` (who a row is about), ``frames`` (points), ``items`` (protected items), ``analysis``
(latest points, gaps, summary), ``risk`` (VMs at risk), ``timeline`` and ``fleet`` (pictures),
``snapshots`` (Parquet, comparison).

pandas and matplotlib are imported by the functions that need them, never at import time.
"""
