"""The limits of one check, held across every phase: search, judging, liveness, traces.

``--max-seconds`` and ``--max-memory`` bound the whole check of a scenario, not only its search:
the search gets what is left of the time, and every later phase asks :meth:`Budget.check`
between units of work (one property, one trace). A limit reached after the search raises
:class:`LimitReached`; what was decided before it stands, the rest is INCONCLUSIVE, and the
result says which phase was cut. Each phase's seconds and the process's peak memory at its end
are recorded for ``bench --phases``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from prosecheck.checker.search import Limits, peak_rss_mb

PHASES = ("build", "search", "judging", "liveness", "traces")


class LimitReached(Exception):
    """A limit of the whole check was reached in the middle of a phase (the message says which)."""


@dataclass
class Budget:
    """One check's clock, memory limit and per-phase record."""

    limits: Limits
    start: float = field(default_factory=time.perf_counter)
    seconds: dict[str, float] = field(default_factory=dict)  # per phase
    peak_mb: dict[str, float] = field(default_factory=dict)  # the process's peak resident memory at the phase's end
    current: str | None = None

    def remaining(self) -> float | None:
        """Seconds left of ``--max-seconds`` (None: no time limit)."""
        if self.limits.max_seconds is None:
            return None
        return max(self.limits.max_seconds - (time.perf_counter() - self.start), 0.0)

    def search_limits(self, share: float = 1.0) -> Limits:
        """The search's limits: the states and memory limits, and ``share`` of the time that is left
        (the rest is kept for the phases after it)."""
        left = self.remaining()
        return Limits(self.limits.max_states, None if left is None else max(left * share, 1e-9),
                      self.limits.max_memory_mb)

    def exceeded(self) -> str | None:
        """The limit that is reached now, if one is."""
        if self.limits.max_seconds is not None and time.perf_counter() - self.start >= self.limits.max_seconds:
            return f"max-seconds {self.limits.max_seconds:g}"
        if self.limits.max_memory_mb is not None and peak_rss_mb() >= self.limits.max_memory_mb:
            return f"max-memory {self.limits.max_memory_mb:g} MB"
        return None

    def check(self) -> None:
        """Raise :class:`LimitReached` when a limit is reached (called between units of work)."""
        reason = self.exceeded()
        if reason is not None:
            raise LimitReached(reason)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time one phase (added up when a phase is entered more than once)."""
        before, self.current = time.perf_counter(), name
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - before
            self.peak_mb[name] = round(peak_rss_mb(), 1)


__all__ = ["PHASES", "Budget", "LimitReached"]
