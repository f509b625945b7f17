"""A ``check --json`` document compared across engines: timings dropped, traces by their length."""

from __future__ import annotations


def untimed(doc: object) -> object:
    """The document without timings; a trace by its length (``--workers`` runs the partitioned compiled
    search, which numbers worlds level by level and partition by partition: its shortest traces are as
    long as the sequential search's, their interleavings may differ)."""
    if isinstance(doc, dict):
        return {k: len(v or ()) if k == "trace" else untimed(v) for k, v in doc.items()
                if k not in ("seconds", "phases", "peak_mb")}
    if isinstance(doc, list):
        return [untimed(v) for v in doc]
    return doc
