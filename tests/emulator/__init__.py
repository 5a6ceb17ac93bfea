"""Tests of restorekit.emulator."""
