"""Restore requests as values: the builders, what a form shows of their keywords, the offline rules, the exports."""
