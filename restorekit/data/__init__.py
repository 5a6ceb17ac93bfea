"""Data: recovery points as typed DataFrames, questions about them, and pictures of them.

pandas and matplotlib are imported by the functions that need them, never at import time.
"""
