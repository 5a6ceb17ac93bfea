"""What ARM's gateway checks before a request reaches a provider, one concern a module.

``body_limit`` (413 over 4 MB), ``auth`` (the bearer token), ``throttle`` (per-subscription token
buckets, 429) and ``outage`` (a region's stamp down, 503). :mod:`~restorekit.emulator.app` runs them
in that order, after the injected faults and the token endpoint and before routing.
"""
