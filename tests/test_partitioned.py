"""The partitioned compiled search (checker/native/partition.py, partitioned.py) against the sequential one.

In-process partitions, stepped in turn (``local=True``) and in threads (the default pool), for 1, 2 and 3
partitions on the toys, random toys and two scenarios: the same number of worlds, transitions, depth
histogram, deadlocks, unhandled messages and fired transitions, the same set of worlds, and every world's
parent chain reaches the initial world in as many steps as its depth. Then each partition's own store:
the worlds it owns are disjoint from the others' and their union is the sequential search's. The
exploration gathers only when read, and then as the eager gather does. The end-to-end tests run
``check --workers 2`` with threads and on Ray.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import json
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
from random_toys import random_system
from toy import counters, lossy_ping_pong, ping_pong, ping_pong_pairs, waiter

from prosecheck.checker.exploration import Exploration, Limits
from prosecheck.checker.native.engine import explore_native
from prosecheck.checker.native.partition import NativePartition
from prosecheck.checker.native.partitioned import explore_partitioned, explore_workers
from prosecheck.checker.system import System
from prosecheck.model.build import build_system
from prosecheck.scenarios.catalog import SCENARIOS

TOYS: dict[str, Callable[[], System]] = {
    "ping_pong": functools.partial(ping_pong, pings=3),
    "counters_jump": functools.partial(counters, limit=3, copies=3, jump=True),  # 3 components
    "pairs": functools.partial(ping_pong_pairs, pairs=2, pings=2),
    "waiter": waiter,  # a deadlock
    "lossy": functools.partial(lossy_ping_pong, 2, budget=2, duplication=True),
}


def _encodings(e: Exploration) -> list[str]:
    return sorted(repr(w) for w in e.worlds)


def same_search(seq: Exploration, par: Exploration) -> None:
    """Equal counts, depth histogram, deadlocks, reached worlds; parent chains as long as depths."""
    assert (par.states, par.transitions, par.max_depth, par.expanded) == (seq.states, seq.transitions,
                                                                         seq.max_depth, seq.expanded)
    assert np.bincount(np.asarray(par.depth)).tolist() == np.bincount(np.asarray(seq.depth)).tolist()
    assert len(par.deadlocks) == len(seq.deadlocks) and par.stopped == seq.stopped
    assert {(u.instance, u.message[0]) for _, u in par.unhandled} == {(u.instance, u.message[0]) for _, u in seq.unhandled}
    assert par.fired == seq.fired
    assert _encodings(par) == _encodings(seq)
    depth = np.asarray(par.depth)
    for i in range(par.states):
        path = par.path_to(i)
        assert path[0] == 0 and len(path) == depth[i] + 1
        if i:
            label = par.via[i]
            assert label is not None
            assert (label, par.worlds[i]) in par.system.successors(par.worlds[path[-2]])[0]
    for g, u in par.unhandled:  # the first world, breadth first, that meets each unhandled message
        assert depth[g] == min(depth[s] for s, v in seq.unhandled if (v.instance, v.message[0]) ==
                               (u.instance, u.message[0]))
    for i in (0, par.states // 2, par.states - 1):
        assert par.index_of(par.worlds[i]) == i
    start, target, _ = par.edges.arrays()  # type: ignore[union-attr]
    assert len(start) == par.expanded + 1 and int(start[-1]) == par.transitions == len(target)


POOLS = ["local", "threads"]  # in turn in this process; one thread each (the default of --workers)
NO_LIMITS = Limits()


def partitioned(factory: Callable[[], System], parts: int, pool: str, limits: Limits = NO_LIMITS,
                **options: object) -> Exploration:
    out = explore_partitioned(factory, parts, limits, local=pool == "local", **options)  # type: ignore[arg-type]
    assert out.parallel.pool == pool  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("name", TOYS)
@pytest.mark.parametrize("parts", [1, 2, 3])
def test_toys_in_partitions_equal_the_sequential_compiled_search(name: str, parts: int, pool: str) -> None:
    same_search(explore_native(TOYS[name](), Limits(), None), partitioned(TOYS[name], parts, pool))


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("seed", range(12))
def test_random_toys_in_partitions_equal_the_sequential_compiled_search(seed: int, pool: str) -> None:
    factory = functools.partial(random_system, seed)
    sequential = explore_native(factory(), Limits(), None)
    for parts in (2, 3):
        same_search(sequential, partitioned(factory, parts, pool))


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("sid", ["m200", "m300.panf_udm"])
def test_scenarios_in_partitions_equal_the_sequential_compiled_search(sid: str, pool: str) -> None:
    factory = functools.partial(build_system, SCENARIOS[sid])
    sequential = explore_native(factory(), Limits(), None)
    for parts in (1, 2, 3):
        par = partitioned(factory, parts, pool)
        assert par.parallel.levels == sequential.max_depth + 1
        same_search(sequential, par)


def test_a_gather_whose_chunk_ids_outgrow_16_bits_gathers_into_a_wide_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """The partitions searched with 16-bit ids; their chunk values together do not fit (simulated by a
    lower bound set after the search): the worlds are gathered into a wide driver context, on first read."""
    from prosecheck.checker.native import cgen

    factory = TOYS["counters_jump"]
    par = explore_partitioned(factory, 2)
    assert par.gathered == 0  # type: ignore[attr-defined]
    monkeypatch.setattr(cgen, "NARROW_MAX", 2)
    assert par.native is not None and par.native.cid == np.uint32
    same_search(explore_native(factory(), Limits(), None), par)


@pytest.mark.parametrize("where", ["_intern", "_parents"])
def test_a_gather_interrupted_gathers_again_when_read_again(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Ctrl-C while the worlds are gathered (in the judging phase): while the chunk tables are interned,
    or after the world table was loaded. A later read gathers them again, right."""
    from prosecheck.checker.native import gather, lazy

    factory = TOYS["counters_jump"]
    par = explore_partitioned(factory, 2)
    step, calls = getattr(gather, where), itertools.count(1)

    def interrupted(*args: object) -> object:
        if next(calls) == 2 - (where == "_parents"):
            raise KeyboardInterrupt
        return step(*args)

    monkeypatch.setattr(gather, where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        _ = list(par.parent)  # every parent: the gather (one parent is asked of its partition)
    assert par.gathered == 0 and isinstance(par, lazy.PartitionedExploration)  # type: ignore[attr-defined]
    same_search(explore_native(factory(), Limits(), None), par)


@pytest.mark.parametrize("sid, parts", [("m200", 2), ("m300.panf_udm", 3)])
def test_the_lazy_gather_gives_the_eager_gathers_arrays_and_only_when_read(sid: str, parts: int) -> None:
    """Counts, depths, deadlocks, unhandled messages and fired transitions come from the partitions' counts
    (nothing gathered); worlds, parents and labels gather the first stage, edges the second; every array
    equals the eager gather's of the same partitions."""
    import time

    from prosecheck.checker.native import partitioned as pt
    from prosecheck.checker.native.engine import Native
    from prosecheck.checker.native.gather import gather

    factory = functools.partial(build_system, SCENARIOS[sid])
    lazy = explore_partitioned(factory, parts)
    pool = pt.LocalPool(factory, parts, False)
    stopped, snaps = pt._levels(pool, pool.snapshots(), Limits(), None, None, pt.Overhead(parts), time.perf_counter(),
                                False)
    eager = gather(Native(factory()), pool.export(snaps), stopped, 0.0)
    assert lazy.gathered == 0  # type: ignore[attr-defined]
    assert (lazy.states, lazy.transitions, lazy.expanded, lazy.max_depth) == (eager.states, eager.transitions,
                                                                              eager.expanded, eager.max_depth)
    assert np.asarray(lazy.depth).tolist() == np.asarray(eager.depth).tolist()
    assert lazy.deadlocks == eager.deadlocks and lazy.unhandled == eager.unhandled and lazy.fired == eager.fired
    assert lazy.gathered == 0  # type: ignore[attr-defined]
    assert np.asarray(lazy.parent).tolist() == np.asarray(eager.parent).tolist()
    assert lazy.gathered == 1  # type: ignore[attr-defined]
    assert lazy.via.ids.tolist() == eager.via.ids.tolist() and lazy.via.table == eager.via.table  # type: ignore[attr-defined]
    assert list(lazy.worlds) == list(eager.worlds)
    assert lazy.gathered == 1  # type: ignore[attr-defined]
    for a, b in zip(lazy.edges.arrays(), eager.edges.arrays()):  # type: ignore[union-attr]
        assert a.tolist() == b.tolist()
    assert lazy.gathered == 3 and lazy.parallel.gather > 0  # type: ignore[attr-defined]
    pool.close()


@pytest.mark.parametrize("owner", [0, 1, 2])
def test_any_owner_function_gives_the_sequential_search(owner: int) -> None:
    """Two remote UEs: two components; the owner hashes the first one (1), both (0, 2)."""
    factory = functools.partial(build_system, SCENARIOS["m300.ausf_udm"].with_bounds(remote_ues=2, attempts=1,
                                                                                   withdrawals=0, restores=0))
    sequential = explore_native(factory(), Limits(), None)
    for parts in (2, 3):
        par = explore_partitioned(factory, parts, local=True, owner_components=owner)
        assert par.parallel.levels == sequential.max_depth + 1
        same_search(sequential, par)


def test_partitions_own_disjoint_worlds_whose_union_is_the_sequential_search() -> None:
    factory = functools.partial(build_system, SCENARIOS["m200"])
    sequential = explore_native(factory(), Limits(), None)
    parts = [NativePartition(factory, p, 3) for p in range(3)]
    while any(p.snapshot()["frontier"] for p in parts):
        outs = [p.expand() for p in parts]
        for q, p in enumerate(parts):
            p.absorb(*(o[q] for o in outs))
    owned = [{repr(p.native.world(int(k))) for k in p._pvec(1)} for p in parts]
    assert all(len(o) > 0 for o in owned) and sum(len(o) for o in owned) == sequential.states
    assert set().union(*owned) == set(_encodings(sequential))
    assert sum(p.native.stat(2) for p in parts) == sequential.transitions


def _plain(snap: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in snap.items() if k not in ("cpu", "peak_mb")}


def test_the_fused_step_equals_expand_then_absorb_world_for_world() -> None:
    """Partitions driven by ``step`` (one call per level) and by ``expand`` then ``absorb``: the same
    outboxes, counters after every level and exports (every array) at the end."""
    factory = functools.partial(build_system, SCENARIOS["m200"])
    two = [NativePartition(factory, p, 3) for p in range(3)]
    one = [NativePartition(factory, p, 3) for p in range(3)]
    stepped = [[*((r.copy(), v.copy()) for r, v in o[:-1]), o[-1]] for o in (p.step() for p in one)]
    levels = 0
    while any(p.snapshot()["frontier"] for p in two):
        outs = [p.expand() for p in two]
        for q in range(3):
            for (r1, v1), (r2, v2) in zip(outs[q][:-1], stepped[q][:-1]):
                assert np.array_equal(r1, r2) and np.array_equal(v1, v2)
            assert {k: outs[q][-1][k] for k in ("rows", "bytes")} == {k: stepped[q][-1][k] for k in ("rows", "bytes")}
        snaps = [p.absorb(*(o[q] for o in outs)) for q, p in enumerate(two)]
        outs = [[*((r.copy(), v.copy()) for r, v in o[:-1]), o[-1]] for o in outs]
        stepped = [[*((r.copy(), v.copy()) for r, v in o[:-1]), o[-1]]
                   for o in (p.step(*(s[q] for s in stepped)) for q, p in enumerate(one))]
        assert [_plain(c[-1]["snap"]) for c in stepped] == [_plain(s) for s in snaps]
        levels += 1
    assert levels == explore_native(factory(), Limits(), None).max_depth + 1
    for a, b, snap in zip(two, one, snaps):
        ea, eb = a.export(snap), b.export(snap)
        assert ea.keys() == eb.keys()
        for key in ea:
            xs, ys = ea[key], eb[key]
            if isinstance(xs, np.ndarray):
                assert np.array_equal(xs, ys), key
            elif isinstance(xs, list) and xs and isinstance(xs[0], np.ndarray):
                assert all(np.array_equal(x, y) for x, y in zip(xs, ys)), key
            else:
                assert xs == ys, key


@pytest.mark.parametrize("limits", [Limits(max_states=1000), Limits(max_memory_mb=1)])
def test_a_limit_gives_the_same_search_with_and_without_the_pipeline(limits: Limits) -> None:
    """The pipelined driver reads a level's counters one round late (its partitions ran a level more):
    the export cuts that off, the fired transitions included (they are the edges' labels)."""
    factory = functools.partial(build_system, SCENARIOS["m200"])
    late, now = (explore_partitioned(factory, 2, limits, local=True, pipeline=p) for p in (True, False))
    assert late.stopped == now.stopped and late.stopped is not None and late.states < 100_000
    assert (late.states, late.transitions, late.max_depth, late.expanded) == (now.states, now.transitions,
                                                                              now.max_depth, now.expanded)
    assert late.fired == now.fired
    _, _, label = late.edges.arrays()  # type: ignore[union-attr]
    table = late.via.table  # type: ignore[attr-defined]
    assert late.fired == {(table[i].instance, table[i].transition) for i in np.unique(label).tolist()}
    assert _encodings(late) == _encodings(now)


def test_a_chunk_that_outgrows_16_bit_ids_reruns_every_partition_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    from prosecheck.checker.native import cgen

    monkeypatch.setattr(cgen, "NARROW_MAX", 2)
    factory = TOYS["counters_jump"]
    par = explore_partitioned(factory, 2, local=True)
    assert par.native is not None and par.native.cid == np.uint32
    same_search(explore_native(factory(), Limits(), None), par)


@pytest.mark.parametrize("pool", POOLS)
def test_the_state_limit_stops_the_partitioned_search_after_a_level(pool: str) -> None:
    factory = functools.partial(build_system, SCENARIOS["m200"])
    e = partitioned(factory, 2, pool, Limits(max_states=1000))
    full = explore_native(factory(), Limits(), None)
    assert e.stopped == "max-states 1000" and not e.complete and 1000 <= e.states < full.states
    depth = np.asarray(e.depth)
    assert e.expanded == int((depth < depth.max()).sum())  # every level but the last one expanded
    assert e.states == int((np.asarray(full.depth) <= depth.max()).sum())  # whole levels


@pytest.mark.parametrize("pool", POOLS)
def test_a_partition_at_the_memory_limit_stops_the_search_after_its_level(pool: str) -> None:
    e = partitioned(functools.partial(build_system, SCENARIOS["m200"]), 2, pool, Limits(max_memory_mb=1))
    assert e.stopped == "max-memory 1 MB (partition 0 of 2)" and e.max_depth == 1 and e.expanded == 1


@pytest.mark.parametrize("pool, pipeline", [("local", False), ("local", True), ("threads", False),
                                            ("threads", True)])
def test_an_interrupt_keeps_the_levels_complete_before_it(monkeypatch: pytest.MonkeyPatch, pool: str,
                                                          pipeline: bool) -> None:
    """The 21st absorb (one of level 10's; in turn, partition 0's) is interrupted. Without the pipeline the
    driver has read the counters after level 9 (depth 10); with it, it sends a round before it reads the
    one before, so it has read those after level 8 only (depth 9). With threads, the other partition's
    absorb of the level runs to its end before the search stops."""
    factory = functools.partial(build_system, SCENARIOS["m200"])
    calls = itertools.count(1)  # atomic in threads
    method = "absorb_peers" if pool == "threads" else "absorb"  # threads read the outboxes in place
    absorb = getattr(NativePartition, method)

    def interrupting(self: NativePartition, *args: object) -> object:
        if next(calls) == 21:  # in turn: partition 0 absorbed level 10, partition 1 not
            raise KeyboardInterrupt
        return absorb(self, *args)

    monkeypatch.setattr(NativePartition, method, interrupting)
    e = partitioned(factory, 2, pool, pipeline=pipeline)
    full = explore_native(factory(), Limits(), None)
    depth = 9 if pipeline else 10
    assert e.stopped == "interrupted" and e.max_depth == depth
    assert e.states == int((np.asarray(full.depth) <= depth).sum())
    assert e.expanded == int((np.asarray(full.depth) < depth).sum())


def test_a_lost_partition_stops_the_search_inconclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    from prosecheck.checker.native import partitioned
    from prosecheck.checker.parallel import PartitionLost

    collect = partitioned.LocalPool.counters
    rounds = []

    def dying(self: partitioned.LocalPool, *args: object) -> object:
        rounds.append(1)
        if len(rounds) == 5:
            raise PartitionLost("a partition's process died (RayActorError)")
        return collect(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(partitioned.LocalPool, "counters", dying)
    e = explore_partitioned(functools.partial(build_system, SCENARIOS["m200"]), 2, local=True)
    assert e.stopped == "a partition's process died (RayActorError)" and not e.complete and e.states == 1


def test_a_system_the_compiled_engine_declines_runs_the_python_parallel_search() -> None:
    from prosecheck.checker.native import cgen

    factory = TOYS["ping_pong"]
    with pytest.MonkeyPatch.context() as mp:
        def decline(system: System) -> None:
            raise cgen.Declined("test")
        mp.setattr(cgen, "check", decline)
        e = explore_workers(factory, 2, local=True)
    assert e.parallel is not None and not hasattr(e.parallel, "gather") and e.states == 10


def test_without_ray_a_declined_system_runs_the_python_parallel_search_in_this_process() -> None:
    """The default pool (threads) needs no Ray; its fallback, the Python parallel search, runs its partitions
    in turn in this process when Ray is not installed."""
    from prosecheck.checker import parallel
    from prosecheck.checker.native import cgen

    factory = TOYS["ping_pong"]
    seen: list[bool] = []
    explore_parallel, find_spec = parallel.explore_parallel, importlib.util.find_spec
    with pytest.MonkeyPatch.context() as mp:
        def decline(system: System) -> None:
            raise cgen.Declined("test")

        def recorded(*args: object, local: bool = False, **kwargs: object) -> Exploration:
            seen.append(local)
            return explore_parallel(*args, local=local, **kwargs)  # type: ignore[arg-type]

        mp.setattr(cgen, "check", decline)
        mp.setattr(parallel, "explore_parallel", recorded)
        mp.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else find_spec(name, *a))
        e = explore_workers(factory, 2)
    assert seen == [True] and e.states == 10 and not hasattr(e.parallel, "gather")


needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="Ray not installed (pip install "
                               "'.[ray]'; .ci/run installs it)")


def _untimed(doc: object) -> object:
    if isinstance(doc, dict):
        return {k: _untimed(v) for k, v in doc.items() if k not in ("seconds", "phases", "peak_mb", "trace")}
    if isinstance(doc, list):
        return [_untimed(v) for v in doc]
    return doc


@pytest.mark.slow  # Ray in a subprocess (tests/conftest.py: such tests are out of the fast tier)
@pytest.mark.xdist_group("ray")  # one Ray session at a time (tests/conftest.py SERIAL_GROUPS)
@pytest.mark.parametrize("pool", ["threads", pytest.param("ray", marks=needs_ray)])
def test_check_with_two_workers_gives_the_sequential_verdicts_counts_and_trace_lengths(pool: str) -> None:
    docs = {}
    for workers in ("1", "2"):
        proc = subprocess.run([sys.executable, "-m", "prosecheck", "check", "m200", "m300.panf_udm", "--json",
                               "--workers", workers, "--pool", pool, "--no-cache"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        docs[workers] = json.loads(proc.stdout)
    assert _untimed(docs["2"]) == _untimed(docs["1"])
    lengths = {w: [len(p["trace"]) for r in d["results"] for p in r["properties"].values() if p.get("trace")]
               for w, d in docs.items()}
    assert lengths["2"] == lengths["1"] and lengths["1"]
