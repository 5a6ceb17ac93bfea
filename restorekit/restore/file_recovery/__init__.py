"""File recovery: one file from a recovery point, not a whole VM (the portal's "File Recovery").

The flow, one module per step: ``mountable`` (what the service cannot mount is refused before anything is sent),
``session`` (provision the iSCSI session on the point and follow its operation, then revoke it), ``scripts``
(the script or executable for the right OS, saved to a file only the user can read, its password kept hidden),
``instructions`` (where to run it, LVM and RAID notes, how to unmount) and ``journal`` (every session is
journaled before it is provisioned, so a session left open by a dead kernel is found and revoked later).

>>> session = item.file_recovery(point)      # doctest: +SKIP
>>> session.script_path, session.expires_at  # doctest: +SKIP
>>> session.revoke()                         # doctest: +SKIP
"""
