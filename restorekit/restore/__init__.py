"""Restores: request builders, their checks, the one trigger path (primary or cross-region) and the operation."""
