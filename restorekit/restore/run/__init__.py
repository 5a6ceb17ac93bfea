"""Sending and following a restore: routes, the one trigger path, its state, continuation tokens, the operation."""
