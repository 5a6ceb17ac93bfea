"""The pure core: errors, ARM ids, times, regions, api-versions, OData filters, the notebook environment.

Nothing here imports pandas, matplotlib, ipywidgets or any other layer of restorekit; everything above
builds on it. See ``docs/architecture.md``.
"""
