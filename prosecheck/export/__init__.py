"""Exporters of a checked system to other tools (Promela for SPIN)."""
