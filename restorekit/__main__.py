"""``python -m restorekit`` runs the ``restorekit`` command."""

from restorekit.commands.cli import main

raise SystemExit(main())
