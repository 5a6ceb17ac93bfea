"""What every Azure Resource Manager provider shares, at the bottom of the emulator.

The ARM error envelope (``errors``), JSON and empty answers (``responses``), paged lists and their
skip tokens (``paging``), the path patterns every route builds on (``paths``), OData ``$filter``
(``filters``), the api-versions each provider accepts (``versions``) and ARM ids (``ids``).
Nothing here knows the emulator's state or any provider.
"""
