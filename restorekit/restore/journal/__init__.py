"""The journal: every operation restorekit started, written before it is sent, with its continuation token."""
