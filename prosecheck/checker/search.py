"""Breadth-first exhaustive search with parent pointers, limits, deadlocks and coverage.

Breadth-first order makes the first world found with any fact a shortest witness to it, so
every counterexample reconstructed from the parent pointers is a shortest one. The search is
deterministic: successors come in a fixed order and the visited store is keyed by tuples of
integers and strings whose iteration order never depends on ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from prosecheck.checker.system import Label, System, Unhandled, World


@dataclass(frozen=True)
class Limits:
    """Bounds on a search; hitting one makes every undecided verdict INCONCLUSIVE."""

    max_states: int | None = None
    max_seconds: float | None = None
    max_memory_mb: float | None = None  # peak resident set size of the whole process


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (``getrusage``: KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


@dataclass
class Exploration:
    """What one search saw: every distinct world with its parent, plus the facts found."""

    system: System
    worlds: list[World]
    parent: list[int]
    via: list[Label | None]
    depth: list[int]
    transitions: int
    seconds: float
    stopped: str | None  # None when exhaustive, else the limit that stopped it
    expanded: int = 0  # worlds whose successors were generated (all of them when complete)
    deadlocks: list[int] = field(default_factory=list)
    unhandled: list[tuple[int, Unhandled]] = field(default_factory=list)
    fired: set[tuple[int, int]] = field(default_factory=set)  # (instance, transition index)

    @property
    def states(self) -> int:
        return len(self.worlds)

    @property
    def max_depth(self) -> int:
        return max(self.depth) if self.depth else 0

    @property
    def complete(self) -> bool:
        return self.stopped is None

    def path_to(self, index: int) -> list[int]:
        """World indices from an initial world to ``index``."""
        path = [index]
        while self.parent[path[-1]] >= 0:
            path.append(self.parent[path[-1]])
        return path[::-1]


Progress = Callable[[int, int, int, float], None]


def _expand(
    system: System,
    head: int,
    worlds: list[World],
    index: dict[World, int],
    parent: list[int],
    via: list[Label | None],
    depth: list[int],
    result: Exploration,
    seen_unhandled: set[tuple[int, str]],
) -> None:
    """Generate the successors of world ``head``: new worlds are appended with their parent."""
    world = worlds[head]
    succ, unhandled = system.successors(world)
    for u in unhandled:
        key = (u.instance, u.message[0])
        if key not in seen_unhandled:
            seen_unhandled.add(key)
            result.unhandled.append((head, u))
    if not succ and not system.is_final(world):
        result.deadlocks.append(head)
    for label, nxt in succ:
        result.transitions += 1
        result.fired.add((label.instance, label.transition))
        if nxt in index:
            continue
        index[nxt] = len(worlds)
        worlds.append(nxt)
        parent.append(head)
        via.append(label)
        depth.append(depth[head] + 1)


def explore(system: System, limits: Limits = Limits(), progress: Progress | None = None) -> Exploration:
    """Explore every world reachable from the initial one, breadth first."""
    start = time.perf_counter()
    initial = system.initial()
    worlds: list[World] = [initial]
    index: dict[World, int] = {initial: 0}
    parent: list[int] = [-1]
    via: list[Label | None] = [None]
    depth: list[int] = [0]
    result = Exploration(system, worlds, parent, via, depth, 0, 0.0, None)
    seen_unhandled: set[tuple[int, str]] = set()
    head = 0
    next_report = start + 2.0
    try:
        while head < len(worlds):
            _expand(system, head, worlds, index, parent, via, depth, result, seen_unhandled)
            head += 1
            if limits.max_states is not None and len(worlds) >= limits.max_states and head < len(worlds):
                result.stopped = f"max-states {limits.max_states}"
                break
            now = time.perf_counter()
            if limits.max_seconds is not None and now - start >= limits.max_seconds and head < len(worlds):
                result.stopped = f"max-seconds {limits.max_seconds:g}"
                break
            if limits.max_memory_mb is not None and head % 256 == 1 and head < len(worlds) \
                    and peak_rss_mb() >= limits.max_memory_mb:
                result.stopped = f"max-memory {limits.max_memory_mb:g} MB"
                break
            if progress is not None and now >= next_report:
                progress(len(worlds), result.transitions, depth[head - 1], now - start)
                next_report = now + 2.0
    except KeyboardInterrupt:
        # Keep what is consistent: every stored world has its parent and label; the world being
        # expanded when the interrupt came counts as not expanded.
        stored = min(len(worlds), len(parent), len(via), len(depth))
        del worlds[stored:], parent[stored:], via[stored:], depth[stored:]
        result.stopped = "interrupted"
    result.expanded = head
    result.seconds = time.perf_counter() - start
    return result
