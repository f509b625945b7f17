"""Hash compaction: a breadth-first search that stores a 64-bit fingerprint per world, not the world.

For state spaces whose worlds do not split into small components (one group with large
bounds), the exact store keeps every world's values; hash compaction keeps 8 bytes of
fingerprint instead (BLAKE2b of the world's ``repr``: deterministic across processes) plus the
parent, depth and label arrays. When the world splits into components (several independent groups), the
search reuses each component's steps as the exact search does, and a world's fingerprint is the
sum of its components' BLAKE2b fingerprints times odd constants, each computed once per component
value (:class:`~prosecheck.checker.store.ComponentFingerprints`). Two distinct worlds with the
same fingerprint make the second look visited: it and whatever only it leads to are omitted. With n stored fingerprints the
probability that any omission happened is at most n(n-1)/2 / 2^64 (the birthday bound, for a
uniform hash); a HOLDS verdict is then probabilistic and says so. Violations found are real:
every stored world is reached by real steps, and traces are re-derived from those steps.

Worlds are not kept after their expansion. ``worlds[i]`` re-derives world ``i`` by replaying
the labels on its path from the initial world; iteration re-derives level by level.
"""

from __future__ import annotations

import time
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prosecheck.checker.bfs import Expansion, Stepper, WorldSteps, breadth_first
from prosecheck.checker.exploration import Exploration, LabelView, Limits, Progress
from prosecheck.checker.store import ComponentFingerprints, Encoder, LazyWorlds, VisitedStore, world_fingerprint
from prosecheck.checker.system import Label, System, World


def omission_bound(states: int) -> float:
    """Upper bound on the probability that hash compaction omitted a world (birthday bound)."""
    return states * (states - 1) / 2 / 2.0**64


def _step(system: System, world: World, label: Label | None) -> World:
    for candidate, nxt in system.successors(world)[0]:
        if candidate == label:
            return nxt
    raise RuntimeError("hash compaction: a stored step no longer applies (the system changed?)")


class ReplayedWorlds(LazyWorlds):
    """Worlds by index, re-derived from the initial world through the stored parents and labels."""

    def __init__(self, system: System, parent: array[int], via: Sequence[Label | None], depth: array[int]) -> None:
        self.system, self.parent, self.via, self.depth = system, parent, via, depth
        self.initial = system.initial()

    def __len__(self) -> int:
        return len(self.parent)

    def world_at(self, index: int) -> World:
        path = [index]
        while self.parent[path[-1]] >= 0:
            path.append(self.parent[path[-1]])
        world = self.initial
        for b in reversed(path[:-1]):
            world = _step(self.system, world, self.via[b])
        return world

    def __iter__(self) -> Iterator[World]:
        previous: dict[int, World] = {}
        current: dict[int, World] = {0: self.initial}
        level = 0
        yield self.initial
        for i in range(1, len(self)):
            if self.depth[i] != level:
                previous, current, level = current, {}, self.depth[i]
            current[i] = _step(self.system, previous[self.parent[i]], self.via[i])
            yield current[i]


class FingerprintStore:
    """The visited set of hash compaction: a 64-bit fingerprint per world (an exact
    :class:`VisitedStore` of fingerprints), and the handles of the worlds stored but not yet
    expanded (each handed out once, in order, then dropped). A handle is the world itself
    (fingerprint: :func:`world_fingerprint`), or its component key when the world splits
    (fingerprint: :class:`~prosecheck.checker.store.ComponentFingerprints`)."""

    def __init__(self, first: Any, fingerprint_of: Callable[[Any], int] = world_fingerprint) -> None:
        self.fingerprint_of = fingerprint_of
        self.fingerprints = VisitedStore()
        self.fingerprints.add(fingerprint_of(first))
        self.frontier: deque[Any] = deque([first])
        self.handle: Callable[[int], Any] = self._next

    def __len__(self) -> int:
        return len(self.fingerprints)

    def _next(self, index: int) -> Any:
        return self.frontier.popleft()

    def admit(self, items: list[Any]) -> list[int]:
        """Each world's index by its fingerprint; a world whose fingerprint is new joins the frontier."""
        n = len(self.fingerprints)
        out = self.fingerprints.admit(list(map(self.fingerprint_of, items)))
        for at, item in zip(out, items):
            if at == n:
                self.frontier.append(item)
                n += 1
        return out

    def truncate(self, size: int) -> None:
        self.fingerprints.truncate(size)


def explore_compact(system: System, limits: Limits, progress: Progress | None) -> Exploration:
    """Breadth-first search over fingerprints (see the module docstring): the one loop
    (:func:`~prosecheck.checker.bfs.breadth_first`) over a :class:`FingerprintStore`. When the world
    splits into components, their steps are cached per component value as in the exact search and
    a world's fingerprint is combined from its components' (the small interning tables are kept; the
    frontier holds 8-byte keys, not worlds)."""
    start = time.perf_counter()
    parent, depth, via = array("i", [-1]), array("I", [0]), LabelView()
    result = Exploration(system, ReplayedWorlds(system, parent, via, depth), parent, via, depth, 0, 0.0, None,
                         probabilistic=True)
    encoder = Encoder(system)
    store: FingerprintStore
    steps: Callable[[Any], Expansion]
    if encoder.components > 1:
        fingerprints = ComponentFingerprints(encoder)
        store = FingerprintStore(encoder.encode(system.initial()), fingerprints.of_key)
        steps = Stepper(system, encoder, via, result.fired).split_steps
        result.fingerprint_of = fingerprints.of_world
    else:
        store = FingerprintStore(system.initial())
        steps = WorldSteps(system, via, result.fired).whole_steps
    result.store = store.fingerprints
    breadth_first(store, steps, result, limits, progress, start)
    bound = omission_bound(len(store))
    result.notes.append(f"hash compaction (64-bit fingerprints): probability that a world was omitted "
                        f"<= {bound:.1e}; HOLDS and UNREACHED are probabilistic")
    return result


__all__ = ["FingerprintStore", "ReplayedWorlds", "explore_compact", "omission_bound"]
