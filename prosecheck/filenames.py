"""File names built from data (a scenario id, a property name read from a JSON document): kept
inside their folder and short enough for any file system. Used by every writer (diagrams,
certificates)."""

from __future__ import annotations

import hashlib
import re

MAX_STEM = 150
"""Longest stem :func:`safe_stem` returns: with any suffix, well within a file system's 255-byte names."""


def safe_stem(stem: str) -> str:
    """A file name stem that stays inside its folder whatever a document says: characters outside
    letters, digits and ``._@+=-`` become ``_``, and a leading dot too (no ``..``, no ``/``, no
    absolute path from a scenario id or property name read from JSON); a longer stem than
    ``MAX_STEM`` (a scenario id with many mutants) is cut and ends in a hash of the whole."""
    cleaned = re.sub(r"[^A-Za-z0-9._@+=-]", "_", stem) or "chart"
    cleaned = "_" + cleaned[1:] if cleaned.startswith(".") else cleaned
    if len(cleaned) > MAX_STEM:
        digest = hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        cleaned = f"{cleaned[:MAX_STEM - 17]}-{digest}"
    return cleaned


__all__ = ["MAX_STEM", "safe_stem"]
