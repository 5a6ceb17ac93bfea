"""Restores, by step of the flow: ``request/`` (values, nothing sent), ``checking/`` (through a connection),
``run/`` (the one trigger path, the steppable state, the operation a notebook holds) and ``journal/``."""
