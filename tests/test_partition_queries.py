"""A partitioned search's result asks its partitions instead of gathering them (checker/native/owned.py,
distributed.py): projections merged from the partitions' own, worlds, parents and labels by global index.

Against the same partitions' worlds gathered into the driver (the global numbering: level, then partition,
then owned order), for 1, 2 and 3 partitions stepped in turn and in threads, on toys and scenarios: every
projection (distinct valuations in order of first appearance, first worlds, and the valuation of each
world), marks, traces (path, worlds, labels) are the same, and none of it gathers the worlds. A check with
workers judges without gathering the worlds, gives exactly what it gave when it gathered them, and the
sequential check's verdicts with first worlds at the same depths.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable

import numpy as np
import pytest
from toy import counters, lossy_ping_pong, ping_pong_pairs, waiter

from prosecheck.checker.exploration import Exploration
from prosecheck.checker.native.lazy import EDGES, WORLDS, PartitionedExploration
from prosecheck.checker.native.partitioned import explore_partitioned
from prosecheck.checker.system import System
from prosecheck.model.build import build_system
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario

SYSTEMS: dict[str, Callable[[], System]] = {
    "counters_jump": functools.partial(counters, limit=3, copies=3, jump=True),  # 3 components
    "pairs": functools.partial(ping_pong_pairs, pairs=2, pings=2),
    "waiter": waiter,
    "lossy": functools.partial(lossy_ping_pong, 2, budget=2, duplication=True),
    "m200": functools.partial(build_system, SCENARIOS["m200"]),
    "m300.panf_udm": functools.partial(build_system, SCENARIOS["m300.panf_udm"]),
}


def _slot_sets(system: System, rng: random.Random) -> list[tuple[int, ...]]:
    """Single slots, the empty set, every slot, and random subsets (integer slots and links mixed)."""
    slots = list(range(system.link_base + len(system.links)))
    picks = [(), tuple(slots), *((s,) for s in slots[:12])]
    picks += [tuple(rng.sample(slots, min(len(slots), rng.randint(2, 5)))) for _ in range(8)]
    return picks


def _gathered(factory: Callable[[], System], parts: int, local: bool) -> Exploration:
    """The partitioned search with its worlds gathered into the driver (what the result gave before it asked)."""
    out = _remote(explore_partitioned(factory, parts, local=local))
    out.gather(WORLDS)
    assert out.gathered == WORLDS and out.projector().__class__.__name__ == "Projector"
    return out


def _remote(par: Exploration) -> PartitionedExploration:
    assert isinstance(par, PartitionedExploration) and par.remote is not None
    return par


@pytest.mark.parametrize("local", [True, False], ids=["in turn", "threads"])
@pytest.mark.parametrize("parts", [1, 2, 3])
@pytest.mark.parametrize("name", SYSTEMS)
def test_projections_merged_from_the_partitions_equal_the_sequential_ones(name: str, parts: int, local: bool) -> None:
    factory = SYSTEMS[name]
    seq = _gathered(factory, parts, local)
    par = _remote(explore_partitioned(factory, parts, local=local))
    rng = random.Random(f"{name}{parts}")
    picks = _slot_sets(seq.system, rng)
    hint = sorted({s for pick in picks for s in pick if s < seq.system.link_base})
    for slots in picks:
        for per_world in (False, True):
            a = seq.projector(hint).project(slots, per_world)
            b = par.projector(hint).project(slots, per_world)
            assert (b.slots, b.values, b.first.tolist()) == (a.slots, a.values, a.first.tolist()), slots
            if per_world:  # without it the codes may be left out (the Projector computes them when it must)
                assert b.codes.tolist() == a.codes.tolist(), slots
        if slots:
            truth = dict.fromkeys(a.values[::2], True)
            predicate = lambda valuation, s=slots, t=truth: t.get(tuple(valuation[x] for x in s), False)  # noqa: E731
            assert seq.projector().marks(slots, predicate).tolist() == par.projector().marks(slots, predicate).tolist()
    assert par.gathered == 0


@pytest.mark.parametrize("local", [True, False], ids=["in turn", "threads"])
@pytest.mark.parametrize("name", SYSTEMS)
def test_traces_follow_parents_across_partitions(name: str, local: bool) -> None:
    """Paths, the worlds on them and the labels of their steps, asked of the partitions world by world."""
    factory = SYSTEMS[name]
    seq = _gathered(factory, 3, local)
    par = _remote(explore_partitioned(factory, 3, local=local))
    assert [seq.path_to(i) for i in range(0, seq.states, 7)] != [] and par.states == seq.states
    rng = random.Random(name)
    wanted = {0, seq.states - 1, *seq.deadlocks[:5], *rng.sample(range(seq.states), min(40, seq.states))}
    for index in sorted(wanted):
        path = par.path_to(index)
        assert path == seq.path_to(index)
        assert [par.worlds[i] for i in path] == [seq.worlds[i] for i in path]
        assert [par.via[i] for i in path] == [seq.via[i] for i in path]
        assert par.parent[index] == seq.parent[index]
    with pytest.raises(IndexError):
        par.worlds[seq.states]
    assert par.gathered == 0
    assert list(par.worlds) == list(seq.worlds)  # a pass over every world gathers them instead
    assert par.gathered == WORLDS


@pytest.mark.parametrize("sid", ["m200", "m300.panf_udm", "m200@pc5_attacker"])
def test_a_check_with_workers_judges_without_gathering_the_worlds(sid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exactly the results of the check that gathered the worlds first; the worlds never gathered (the edges
    only where a region of a liveness property may hold a cycle).
    The sequential check's verdicts, with first worlds at the same depths."""
    par = check_scenario(SCENARIOS[sid], replay=False, workers=2, keep_exploration=True)
    assert par.exploration is not None and _remote(par.exploration).gathered in (0, EDGES)
    projector = PartitionedExploration.projector

    def gathering(self: PartitionedExploration, hint: object = ()) -> object:
        self.gather(WORLDS)
        return projector(self, hint)  # type: ignore[arg-type]

    monkeypatch.setattr(PartitionedExploration, "projector", gathering)
    old = check_scenario(SCENARIOS[sid], replay=False, workers=2, keep_exploration=True)
    assert old.exploration is not None and _remote(old.exploration).gathered & WORLDS
    seq = check_scenario(SCENARIOS[sid], replay=False, keep_exploration=True)
    assert seq.exploration is not None
    assert (par.states, par.transitions) == (old.states, old.transitions) == (seq.states, seq.transitions)
    assert list(par.properties) == list(old.properties) == list(seq.properties)
    depth_par, depth_seq = np.asarray(par.exploration.depth), np.asarray(seq.exploration.depth)
    for pid, o in old.properties.items():
        p, s = par.properties[pid], seq.properties[pid]
        assert (p.verdict, p.world, p.distinct_valuations, p.detail, p.value) == (o.verdict, o.world, o.distinct_valuations,
                                                                                  o.detail, o.value), pid
        assert p.trace == o.trace and p.tail == o.tail and p.decisive_step == o.decisive_step, pid
        assert (p.verdict, p.distinct_valuations) == (s.verdict, s.distinct_valuations), pid
        assert (p.world is None) == (s.world is None), pid
        if p.world is not None and s.world is not None:
            assert depth_par[p.world] == depth_seq[s.world], pid


def test_a_partition_lost_while_judging_leaves_the_undecided_inconclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search completed, then a partition kept for judging is gone (a Ray actor killed): the properties
    not decided yet are INCONCLUSIVE, saying so; none holds."""
    from prosecheck.checker.native.partition import NativePartition
    from prosecheck.checker.parallel import PartitionLost
    from prosecheck.results import HOLDS, INCONCLUSIVE

    def lost(self: NativePartition, *args: object) -> object:
        raise PartitionLost(f"partition {self.part}'s process died (simulated)")

    monkeypatch.setattr(NativePartition, "project", lost)
    r = check_scenario(SCENARIOS["m200"], replay=False, workers=2)
    assert r.complete and r.cut is not None and "during judging" in r.cut
    judged = [p for p in r.properties.values() if p.kind in ("always", "sometimes") and p.id in
              {"knr_agreement", "knr_only_after_authorization"}]
    assert judged and all(p.verdict == INCONCLUSIVE and "process died" in p.detail for p in judged)
    assert not any(p.verdict == HOLDS for p in r.properties.values() if p.kind in ("always", "sometimes", "eventually"))


def test_the_partitions_end_when_the_result_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """No reference cycle keeps a partitioned result, so its partitions (their whole stores) end as soon as
    the check that used it returns, without waiting for the cyclic garbage collector."""
    import gc

    from prosecheck.checker.native.partitioned import ThreadPool

    closed: list[int] = []
    close = ThreadPool.close

    def recording(self: ThreadPool) -> None:
        closed.append(len(self.parts))
        close(self)

    monkeypatch.setattr(ThreadPool, "close", recording)
    gc.disable()
    try:
        check_scenario(SCENARIOS["m200"], replay=False, workers=2)
        assert closed == [2]
    finally:
        gc.enable()
