"""Restore drills: prove that backups restore, boot and serve, measure how long recovery takes, leave nothing.

One module per step of a drill, read in this order: ``plan`` (what the drill will create, where, for how
long: a value), ``arm`` (the ARM calls it makes, each inside its own resource group), ``boot`` (the instance
view read), ``probe`` (Run Command), ``machine`` (one VM: restore, boot, diagnostics, probe, each timed),
``cleanup`` (the resource group deleted, retried, and the deletion proven through ARM), ``journal`` (what is
written before each resource is created, so a later process can clean up), ``report`` (``DrillReport``: frame,
HTML, JSON), ``progress_text`` (status lines) and ``runner`` (``Drill``: the VMs in parallel, in a background
thread). ``az.drill()``, ``az.cleanup_drills()`` and ``rk.recent_drills()`` are in ``client/drills``.
"""
