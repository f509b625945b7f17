"""What a search produced and when it stops: the exploration, its limits, its label table.

Below every search (:mod:`~prosecheck.checker.search`, :mod:`~prosecheck.checker.compact`,
:mod:`~prosecheck.checker.partition`, :mod:`~prosecheck.checker.parallel`): the sequential search
dispatches to hash compaction, and both fill an :class:`Exploration` and stop at the same
:class:`Limits`, without a circle of imports. :mod:`prosecheck.checker.search` re-exports the public names.
"""

from __future__ import annotations

import resource
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from prosecheck.checker.edges import Edges
from prosecheck.checker.projection import Projector
from prosecheck.checker.store import Encoder, VisitedStore, world_fingerprint
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
    """What one search saw: every distinct world with its parent, plus the facts found.

    ``worlds[i]`` decodes world ``i``; ``index_of(world)`` is its index (or None);
    ``parent``/``via``/``depth`` are indexed the same way."""

    system: System
    worlds: Sequence[World]
    parent: Sequence[int]
    via: Sequence[Label | None]
    depth: Sequence[int]
    transitions: int
    seconds: float
    stopped: str | None  # None when exhaustive, else the limit that stopped it
    expanded: int = 0  # worlds whose successors were generated (all of them when complete)
    deadlocks: list[int] = field(default_factory=list)
    unhandled: list[tuple[int, Unhandled]] = field(default_factory=list)
    fired: set[tuple[int, int]] = field(default_factory=set)  # (instance, transition index)
    encoder: Encoder | None = None
    store: VisitedStore | None = None
    symmetry: bool = False  # counts are of the quotient by permutations of identical groups
    concrete: array[int] | None = None  # under symmetry: the concrete key kept for each orbit
    notes: list[str] = field(default_factory=list)  # how the counts were reduced, if they were
    probabilistic: bool = False  # hash compaction: a world may have been omitted (see notes)
    parallel: Any = None  # a parallel search's overhead (checker.parallel.Overhead)
    edges: Edges | None = None  # every edge of the expanded worlds, recorded by the search (not under symmetry)
    fingerprint_of: Callable[[World], int] = world_fingerprint  # hash compaction: what its store holds per world
    _projector: Projector | None = field(default=None, repr=False, compare=False)

    def projector(self, hint: Iterable[int] = ()) -> Projector:
        """Projections of the stored worlds onto slots (:mod:`prosecheck.checker.projection`), shared
        by every property judged on this exploration; ``hint``: slots that will be asked for."""
        if self._projector is None or self._projector.count != len(self.worlds):
            self._projector = Projector(self.system, self.worlds, self.encoder, self._keys(), hint)
        else:
            self._projector.widen(hint)
        return self._projector

    @property
    def states(self) -> int:
        return len(self.worlds)

    @property
    def max_depth(self) -> int:
        return max(self.depth) if len(self.depth) else 0

    @property
    def complete(self) -> bool:
        return self.stopped is None

    def path_to(self, index: int) -> list[int]:
        """World indices from an initial world to ``index``."""
        path = [index]
        while self.parent[path[-1]] >= 0:
            path.append(self.parent[path[-1]])
        return path[::-1]

    def index_of(self, world: World) -> int | None:
        """The index of a stored world (its canonical form under symmetry), or None."""
        if self.probabilistic and self.store is not None:
            return self.store.find(self.fingerprint_of(world))
        if self.encoder is None or self.store is None:
            return next((i for i, w in enumerate(self.worlds) if w == world), None)
        key = self.encoder.lookup(world)
        return None if key is None else self.store.find(key)

    def _keys(self) -> Sequence[int] | None:
        """The stored worlds' keys, for projections per component (None: no component tables,
        or fingerprints only under hash compaction)."""
        if self.encoder is None or self.probabilistic:
            return None
        return self.concrete if self.concrete is not None else (self.store.keys if self.store is not None else None)

    def store_bytes(self) -> int:
        """Bytes of the visited store, the parent/depth/label arrays and the component tables."""
        kept = (self.parent, self.depth, self.via.ids, self.concrete)  # type: ignore[attr-defined]
        arrays = sum(a.buffer_info()[1] * a.itemsize for a in kept if isinstance(a, array))
        own = (self.store.bytes() if self.store else 0) + (self.encoder.bytes() if self.encoder else 0)
        return arrays + own + (self.edges.bytes() if self.edges else 0)


class LabelView(Sequence[Label | None]):
    """Labels by world index: 4-byte ids into a table of distinct labels."""

    def __init__(self) -> None:
        self.ids = array("I", [0])
        self.table: list[Label | None] = [None]
        self.interned: dict[Label, int] = {}  # label -> id, for searches that intern labels by value

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Label | None: ...

    @overload
    def __getitem__(self, index: slice) -> list[Label | None]: ...

    def __getitem__(self, index: int | slice) -> Label | None | list[Label | None]:
        if isinstance(index, slice):
            return [self.table[i] for i in self.ids[index]]
        return self.table[self.ids[index]]


Progress = Callable[[int, int, int, float], None]


def hit_limit(result: Exploration, limits: Limits, head: int, stored: int, start: float) -> bool:
    """Record and report the limit that stops the search, if one does."""
    if head >= stored:
        return False
    if limits.max_states is not None and stored >= limits.max_states:
        result.stopped = f"max-states {limits.max_states}"
    elif limits.max_seconds is not None and time.perf_counter() - start >= limits.max_seconds:
        result.stopped = f"max-seconds {limits.max_seconds:g}"
    elif limits.max_memory_mb is not None and head % 256 == 1 and peak_rss_mb() >= limits.max_memory_mb:
        result.stopped = f"max-memory {limits.max_memory_mb:g} MB"
    return result.stopped is not None


def note_unhandled(head: int, found: list[Unhandled], result: Exploration, seen: set[tuple[int, str]]) -> None:
    """Record each (instance, message) that world ``head`` could not handle, once per pair."""
    for u in found:
        if (u.instance, u.message[0]) not in seen:
            seen.add((u.instance, u.message[0]))
            result.unhandled.append((head, u))


__all__ = ["Exploration", "LabelView", "Limits", "Progress", "hit_limit", "note_unhandled", "peak_rss_mb"]
