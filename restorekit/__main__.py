"""``python -m restorekit`` runs the ``restorekit`` command."""

from restorekit.cli import main

raise SystemExit(main())
