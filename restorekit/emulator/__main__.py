"""``python -m restorekit.emulator``: same as ``restorekit emulator``."""

import sys

from .cli import main

sys.exit(main())
