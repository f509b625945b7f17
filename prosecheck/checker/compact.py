"""Hash compaction: a breadth-first search that stores a 64-bit fingerprint per world, not the world.

For state spaces whose worlds do not split into small components (one remote UE with large
bounds), the exact store keeps every world's values; hash compaction keeps 8 bytes of
fingerprint instead (BLAKE2b of the world's ``repr``: deterministic across processes) plus the
parent, depth and label arrays. Two distinct worlds with the same fingerprint make the second
look visited: it and whatever only it leads to are omitted. With n stored fingerprints the
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
from collections.abc import Iterator, Sequence
from typing import overload

from prosecheck.checker.exploration import Exploration, LabelView, Limits, Progress, hit_limit, note_unhandled
from prosecheck.checker.store import VisitedStore, world_fingerprint
from prosecheck.checker.system import Label, System, World


def omission_bound(states: int) -> float:
    """Upper bound on the probability that hash compaction omitted a world (birthday bound)."""
    return states * (states - 1) / 2 / 2.0**64


def _step(system: System, world: World, label: Label | None) -> World:
    for candidate, nxt in system.successors(world)[0]:
        if candidate == label:
            return nxt
    raise RuntimeError("hash compaction: a stored step no longer applies (the system changed?)")


class ReplayedWorlds(Sequence[World]):
    """Worlds by index, re-derived from the initial world through the stored parents and labels."""

    def __init__(self, system: System, parent: array[int], via: Sequence[Label | None], depth: array[int]) -> None:
        self.system, self.parent, self.via, self.depth = system, parent, via, depth
        self.initial = system.initial()

    def __len__(self) -> int:
        return len(self.parent)

    @overload
    def __getitem__(self, index: int) -> World: ...

    @overload
    def __getitem__(self, index: slice) -> list[World]: ...

    def __getitem__(self, index: int | slice) -> World | list[World]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
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


def explore_compact(system: System, limits: Limits, progress: Progress | None) -> Exploration:
    """Breadth-first search over fingerprints (see the module docstring)."""
    start = time.perf_counter()
    store, parent, depth, via = VisitedStore(), array("i", [-1]), array("I", [0]), LabelView()
    labels: dict[Label, int] = {}
    initial = system.initial()
    store.add(world_fingerprint(initial))
    frontier: deque[World] = deque([initial])
    result = Exploration(system, ReplayedWorlds(system, parent, via, depth), parent, via, depth, 0, 0.0, None,
                         store=store, probabilistic=True)
    seen_unhandled: set[tuple[int, str]] = set()
    head, next_report = 0, start + 2.0
    try:
        while head < len(store):
            world = frontier.popleft()
            succ, unhandled = system.successors(world)
            note_unhandled(head, unhandled, result, seen_unhandled)
            if not succ and not system.is_final(world):
                result.deadlocks.append(head)
            result.transitions += len(succ)
            for label, nxt in succ:
                result.fired.add((label.instance, label.transition))
                if store.add(world_fingerprint(nxt)):
                    if label not in labels:
                        labels[label] = len(via.table)
                        via.table.append(label)
                    parent.append(head)
                    via.ids.append(labels[label])
                    depth.append(depth[head] + 1)
                    frontier.append(nxt)
            head += 1
            if hit_limit(result, limits, head, len(store), start):
                break
            now = time.perf_counter()
            if progress is not None and now >= next_report:
                progress(len(store), result.transitions, depth[head - 1], now - start)
                next_report = now + 2.0
    except KeyboardInterrupt:
        stored = min(len(store), len(parent), len(via), len(depth))
        store.truncate(stored)
        del parent[stored:], via.ids[stored:], depth[stored:]
        result.stopped = "interrupted"
    result.expanded = head
    result.seconds = time.perf_counter() - start
    bound = omission_bound(len(store))
    result.notes.append(f"hash compaction (64-bit fingerprints): probability that a world was omitted "
                        f"<= {bound:.1e}; HOLDS and UNREACHED are probabilistic")
    return result


__all__ = ["ReplayedWorlds", "explore_compact", "omission_bound"]
