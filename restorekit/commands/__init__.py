"""The ``restorekit`` command line: ``restorekit demo``, ``restorekit emulator``."""
