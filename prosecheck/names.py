"""Nearest names for a misspelt one: the "did you mean" of every one-line input error."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """``; did you mean X?`` (or ``X or Y``) for the names closest to a misspelt ``word`` (any case), else ``""``."""
    by_lower = {k.lower(): k for k in reversed(known)}
    close = [by_lower[k] for k in difflib.get_close_matches(word.lower(), list(by_lower), n=3, cutoff=0.6)]
    return f"; did you mean {' or '.join(close)}?" if close else ""
