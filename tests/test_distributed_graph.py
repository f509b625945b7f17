"""Liveness judged in the partitions (issue 21, ``checker.native.distributed_graph``) equals the recorded graph's.

On toys (acyclic, with edges back to lower-numbered worlds, and cyclic: fair and unfair cycles, a livelock),
random toys (four of them cyclic) and scenarios, with 1-3 partitions stepped in turn and in threads: for
random slot tests as triggers and goals, ``stuck``, ``leads_to``, ``no_return`` and ``livelocks`` answer
exactly as the recorded graph of the same partitions, gathered, and peeling finds a cycle exactly when the
recorded graph has one; nothing is gathered unless the cycle search gives up. A check with workers equals
the check that gathered the edges, and the sequential verdicts.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from random_toys import random_system
from toy import counters, looper_and_counter, lossy_ping_pong, ping_pong_pairs, waiter

from prosecheck.checker.liveness import AtWorlds, SlotTest, _components, _looped, recorded_graph
from prosecheck.checker.native import distributed_cycles
from prosecheck.checker.native.distributed_graph import DistributedGraph
from prosecheck.checker.native.lazy import EDGES, PartitionedExploration
from prosecheck.checker.native.partitioned import explore_partitioned
from prosecheck.checker.system import System
from prosecheck.liveness_verdicts import final_test
from prosecheck.model.build import build_system
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario

SYSTEMS: dict[str, Callable[[], System]] = {
    "counters_jump": functools.partial(counters, limit=3, copies=3, jump=True),
    "pairs": functools.partial(ping_pong_pairs, pairs=2, pings=2),
    "waiter": waiter,
    "looper": functools.partial(looper_and_counter, limit=2),  # cycles
    "restless looper": functools.partial(looper_and_counter, limit=1, restless=True),
    "lossy": functools.partial(lossy_ping_pong, 2, budget=2, duplication=True),
    **{f"random toy {seed}": functools.partial(random_system, seed) for seed in range(4)},
    **{f"random cyclic toy {seed}": functools.partial(random_system, seed) for seed in (13, 24, 26, 35)},
    "m200": functools.partial(build_system, SCENARIOS["m200"]),
    "m200@pc5_attacker": functools.partial(build_system, SCENARIOS["m200@pc5_attacker"]),  # backward edges, no cycle
}


def _slot_tests(system: System, rng: random.Random, count: int = 4) -> list[SlotTest]:
    """Random tests over one to three slots: a valuation's sum, modulo a small number, equals a remainder."""
    slots = list(range(system.link_base))
    tests = []
    for _ in range(count):
        some = tuple(sorted(rng.sample(slots, min(len(slots), rng.randint(1, 3)))))
        modulus, remainder = rng.randint(2, 3), rng.randint(0, 1)
        tests.append(SlotTest(some, functools.partial(_sum_is, some, modulus, remainder)))
    return tests


def _sum_is(slots: tuple[int, ...], modulus: int, remainder: int, valuation: dict[int, Any]) -> bool:
    return sum(int(valuation[s]) if not isinstance(valuation[s], tuple) else len(valuation[s]) for s in slots) \
        % modulus == remainder


def _partitioned(factory: Callable[[], System], parts: int, local: bool) -> PartitionedExploration:
    found = explore_partitioned(factory, parts, local=local)
    assert isinstance(found, PartitionedExploration) and found.remote is not None and found.complete
    return found


@pytest.mark.parametrize("local", [True, False], ids=["in turn", "threads"])
@pytest.mark.parametrize("parts", [1, 2, 3])
@pytest.mark.parametrize("name", SYSTEMS)
def test_liveness_in_the_partitions_equals_the_recorded_graphs(name: str, parts: int, local: bool) -> None:
    e = _partitioned(SYSTEMS[name], parts, local)
    graph = e.liveness_graph()
    assert isinstance(graph, DistributedGraph)
    rng = random.Random(f"{name} {parts}")
    tests = _slot_tests(e.system, rng)
    nothing = SlotTest((), lambda valuation: False)  # a goal never reached: counterexamples to compare
    pairs = [(a, b) for a in [*tests, AtWorlds((0,))] for b in [*tests, nothing] if a is not b]
    final = final_test(e)
    paths = [e.path_to(i) for i in sorted({0, e.states // 3, e.states - 1, *e.deadlocks[:2]})]
    answers = [(graph.stuck(a, b), graph.leads_to(a, b)) for a, b in pairs]
    returns = [graph.no_return(final, path) for path in paths]
    livelocks = graph.livelocks(final)
    cyclic = graph._cyclic("")  # peeled in the partitions
    assert graph.gathered == 0 and e.gathered == 0  # judged in the partitions, cycles included
    recorded = recorded_graph(e)
    assert e.gathered == EDGES  # the recorded graph: the edges gathered, the worlds not
    assert answers == [(recorded.stuck(a, b), recorded.leads_to(a, b)) for a, b in pairs]
    assert returns == [recorded.no_return(final, path) for path in paths]
    assert livelocks == recorded.livelocks(final)
    labels = _components(recorded, None)
    assert cyclic == bool(_looped(recorded, labels, None).any())  # a component of two worlds or a self-loop
    assert any(answer is not None for pair in answers for answer in pair)  # some counterexample compared
    e.remote.close()  # type: ignore[union-attr]


def test_liveness_gathers_nothing_and_gives_up_on_too_many_components(monkeypatch: pytest.MonkeyPatch) -> None:
    """counters (every run bounded): no cycle; m200@pc5_attacker has edges back to worlds numbered lower but no
    cycle (peeled); the loopers have cycles (taken apart in the partitions): nothing gathered. With no
    component allowed, the cycle search gives up and the recorded graph answers."""
    everything = SlotTest((), lambda valuation: True)
    nothing = SlotTest((), lambda valuation: False)
    bounded = _partitioned(functools.partial(counters, limit=3, copies=3), 2, False)
    graph = bounded.liveness_graph()
    assert isinstance(graph, DistributedGraph) and graph.livelocks(final_test(bounded)) == []
    lasso = graph.leads_to(AtWorlds((0,)), nothing)  # never reached: the run ends in a terminal world
    assert lasso is not None and lasso.ends_in_terminal and lasso.stem == [0]
    assert graph.stuck(everything, nothing) == 0 and graph.stuck(everything, everything) is None
    assert graph.gathered == 0 and bounded.gathered == 0 and not graph._backward
    attacked = _partitioned(SYSTEMS["m200@pc5_attacker"], 2, False)  # edges back to lower numbers, yet no cycle
    graph = attacked.liveness_graph()
    assert isinstance(graph, DistributedGraph) and graph.livelocks(final_test(attacked)) == []
    assert graph._backward and graph._whole_cyclic is False and graph.gathered == 0 and attacked.gathered == 0
    for name, livelocks in (("looper", 0), ("restless looper", 1)):
        looping = _partitioned(SYSTEMS[name], 2, False)
        graph = looping.liveness_graph()
        assert isinstance(graph, DistributedGraph)
        lasso = graph.leads_to(AtWorlds((0,)), nothing)
        assert lasso is not None and lasso.cycle and len(graph.livelocks(final_test(looping))) == livelocks
        assert graph.cycles.components > 0 and graph.gathered == 0 and looping.gathered == 0
    monkeypatch.setattr(distributed_cycles, "MAX_COMPONENTS", 0)
    looping = _partitioned(SYSTEMS["restless looper"], 2, False)
    graph = looping.liveness_graph()
    assert isinstance(graph, DistributedGraph)
    assert graph.leads_to(AtWorlds((0,)), nothing) == recorded_graph(looping).leads_to(AtWorlds((0,)), nothing)
    assert len(graph.livelocks(final_test(looping))) == 1 and graph.gathered == 2 and looping.gathered == EDGES


@pytest.mark.parametrize("sid", ["m200", "m300.panf_udm", "m200@pc5_attacker"])
def test_a_check_with_workers_judges_liveness_in_the_partitions(sid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exactly the results of the check that gathered the edges; the sequential verdicts."""
    par = check_scenario(SCENARIOS[sid], replay=False, workers=2, keep_exploration=True)
    assert isinstance(par.exploration, PartitionedExploration)
    graph = par.exploration._graph
    assert graph is not None and graph.rounds > 0
    assert par.exploration.gathered == (0 if graph.gathered == 0 else EDGES)
    monkeypatch.setattr(PartitionedExploration, "liveness_graph", lambda self: None)
    old = check_scenario(SCENARIOS[sid], replay=False, workers=2, keep_exploration=True)
    assert isinstance(old.exploration, PartitionedExploration) and old.exploration.gathered & EDGES
    seq = check_scenario(SCENARIOS[sid], replay=False)
    for pid, o in old.properties.items():
        p, s = par.properties[pid], seq.properties[pid]
        assert (p.verdict, p.world, p.detail, p.trace, p.tail, p.decisive_step) == \
            (o.verdict, o.world, o.detail, o.trace, o.tail, o.decisive_step), pid
        assert p.verdict == s.verdict, pid
        if p.tail is not None and s.tail is not None:
            assert len(p.tail) == len(s.tail), pid


def test_marks_from_valuations_equal_marks_from_the_predicate() -> None:
    """What travels to a Ray actor (the set of valuations a test holds on) marks the worlds as the predicate does."""
    e = _partitioned(SYSTEMS["pairs"], 2, True)
    graph = e.liveness_graph()
    assert isinstance(graph, DistributedGraph)
    test = _slot_tests(e.system, random.Random(5), 1)[0]
    graph.mark("a", test)
    pool = e.remote.pool  # type: ignore[union-attr]
    pool.in_process = False  # as Ray: the driver judges each distinct valuation
    graph.mark("b", test)
    for part in pool.parts:
        marks = part.owned_graph.marks
        assert np.array_equal(marks["a"], marks["b"]) and marks["a"].any()
    e.remote.close()  # type: ignore[union-attr]


def test_a_partition_lost_during_liveness_leaves_it_inconclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    """A partition gone while the rounds run (a Ray actor killed): the liveness properties not decided yet are
    INCONCLUSIVE, saying why; the state properties judged before keep their verdicts."""
    from prosecheck.checker.native.partition import NativePartition
    from prosecheck.checker.parallel import PartitionLost
    from prosecheck.results import HOLDS, INCONCLUSIVE

    graph = NativePartition.graph

    def lost(self: NativePartition, op: str, *args: Any) -> Any:
        if op == "region_start":
            raise PartitionLost(f"partition {self.part}'s process died (simulated)")
        return graph(self, op, *args)

    monkeypatch.setattr(NativePartition, "graph", lost)
    r = check_scenario(SCENARIOS["m200"], replay=False, workers=2)
    assert r.complete and r.cut is not None and "during liveness" in r.cut and "process died" in r.cut
    live = [p for p in r.properties.values() if p.kind in ("eventually", "possibly")]
    assert any(p.verdict == INCONCLUSIVE and "process died" in p.detail for p in live)
    assert not any(p.verdict == HOLDS for p in live)
    assert any(p.verdict == HOLDS for p in r.properties.values() if p.kind == "always")
