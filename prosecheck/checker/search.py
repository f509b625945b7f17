"""Breadth-first exhaustive search with parent pointers, limits, deadlocks and coverage.

Breadth-first order makes the first world found with any fact a shortest witness to it, so
every counterexample reconstructed from the parent pointers is a shortest one. The search is
deterministic: successors come in a fixed order and worlds are numbered in order of discovery.

Storage is compact (:mod:`prosecheck.checker.store`): each world is one integer key made of
interned component ids, kept in a :class:`~prosecheck.checker.store.VisitedStore`; parents,
depths and labels are machine arrays (4 bytes each per world); labels are interned. The
successors of a component are computed once per distinct component value and reused
(:class:`~prosecheck.checker.bfs.Stepper`): a step of one group's elements changes only that group's component, so the
successors of a world are the cached steps of each of its components, recombined by key
arithmetic. With ``symmetry`` the keys are canonical (see the store) and counts are those of
the quotient by permutations of identical groups. The loop itself is
:func:`prosecheck.checker.bfs.breadth_first`, over the store that fits: component keys
(:class:`~prosecheck.checker.store.VisitedStore`), whole worlds when the world does not split
(:class:`~prosecheck.checker.store.InternedWorlds`), canonical keys under symmetry
(:class:`~prosecheck.checker.store.CanonicalStore`), or fingerprints (hash compaction).

What a search returns and how it stops (:class:`Exploration`, :class:`Limits`) is in
:mod:`prosecheck.checker.exploration`, shared with hash compaction (:mod:`prosecheck.checker.compact`)
and the partitioned searches; this module re-exports it (``from prosecheck.checker.search import Limits``).
"""

from __future__ import annotations

import time
from array import array
from typing import Any

from prosecheck.checker.bfs import Stepper, Store, breadth_first
from prosecheck.checker.compact import explore_compact
from prosecheck.checker.edges import Edges
from prosecheck.checker.exploration import Exploration, LabelView, Limits, Progress, peak_rss_mb
from prosecheck.checker.machine import ModelError
from prosecheck.checker.store import CanonicalStore, Encoder, InternedWorlds, VisitedStore, WorldView
from prosecheck.checker.system import System

UNLIMITED = Limits()
"""No bound: the default of :func:`explore`."""


def explore(
    system: System, limits: Limits = UNLIMITED, progress: Progress | None = None, *, symmetry: bool = False,
    hash_compact: bool = False, engine: str | None = None,
) -> Exploration:
    """Explore every world reachable from the initial one, breadth first (``hash_compact``:
    store fingerprints only, see :mod:`prosecheck.checker.compact`; not with ``symmetry``).
    ``engine``: "auto" (the compiled search of :mod:`prosecheck.checker.native` when it can run this
    system, else this module's), "native" or "python"; None reads ``$PROSECHECK_ENGINE`` (default auto)."""
    if hash_compact:
        if symmetry:
            raise ModelError("hash compaction and symmetry reduction cannot be combined")
        return explore_compact(system, limits, progress)
    if not symmetry:
        from prosecheck.checker.native.dispatch import try_native

        found = try_native(system, limits, progress, engine,
                           lambda probe: explore(system, probe, progress, engine="python"))
        if found is not None:
            return found
    start = time.perf_counter()
    encoder = Encoder(system, symmetry)
    keys = VisitedStore(identity=encoder.components == 1)
    first = encoder.encode(system.initial())
    keys.add(encoder.canonical(first))  # index 0
    concrete = array("Q", [first]) if encoder.symmetric else None
    worlds = WorldView(encoder, (lambda: keys.keys) if concrete is None else (lambda: concrete))
    result = Exploration(system, worlds, array("i", [-1]), LabelView(), array("I", [0]), 0, 0.0, None,
                         encoder=encoder, store=keys, symmetry=encoder.symmetric, concrete=concrete,
                         edges=None if encoder.symmetric else Edges())
    result.notes += _symmetry_notes(encoder, symmetry)
    stepper = Stepper(system, encoder, result.via, result.fired)  # type: ignore[arg-type]
    store: Store[Any]
    if concrete is not None:
        store = CanonicalStore(encoder, keys, concrete)
    elif stepper.split:
        store = keys
    else:
        store = InternedWorlds(encoder, keys)
    breadth_first(store, stepper.split_steps if stepper.split else stepper.whole_steps, result, limits, progress,
                  start)
    return result


def _symmetry_notes(encoder: Encoder, asked: bool) -> list[str]:
    """What symmetry reduction did to the counts, if it was asked for."""
    if encoder.symmetric:
        return [f"symmetry reduction over {encoder.components} identical groups: "
                "states and transitions count one world per permutation class"]
    if asked:
        return ["symmetry requested but the groups are not identical (or only one): not reduced"]
    return []


__all__ = ["Exploration", "LabelView", "Limits", "Progress", "explore", "peak_rss_mb"]
