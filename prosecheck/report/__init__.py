"""Reporters: results as text for people and JSON for programs; traces in spec words."""
