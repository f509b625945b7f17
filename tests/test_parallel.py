"""The parallel search (checker/parallel.py) numbers worlds exactly as the sequential search does.

In-process partitions (``local=True``) check the protocol on toys, random toys and scenarios with
1, 2, 3 and 4 partitions; the end-to-end tests run `check --json --workers N` with threads and on Ray
(`--pool ray`: Ray started and shut down by the command) and compare the JSON with the sequential one,
timing aside."""

from __future__ import annotations

import functools
import importlib.util
import json
import subprocess
import sys
import time

import jsonschema
import pytest
from random_toys import random_system
from toy import counters, ping_pong, ping_pong_pairs, waiter
from untimed import untimed

from prosecheck.checker.parallel import explore_parallel
from prosecheck.checker.partition import Partition, route, value_fingerprint
from prosecheck.checker.search import Exploration, Limits, explore
from prosecheck.model.build import build_system
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.schemas import schema
from prosecheck.verify import check_scenario


def same_exploration(a: Exploration, b: Exploration) -> None:
    assert (a.states, a.transitions, a.max_depth, a.expanded) == (b.states, b.transitions, b.max_depth, b.expanded)
    assert list(a.parent) == list(b.parent) and list(a.depth) == list(b.depth)
    assert list(a.via) == list(b.via)
    assert list(a.worlds) == list(b.worlds)
    assert a.deadlocks == b.deadlocks and a.unhandled == b.unhandled and a.fired == b.fired
    assert a.stopped == b.stopped
    for i in (0, a.states // 2, a.states - 1):
        assert b.index_of(a.worlds[i]) == i


FP_AB = 0x492ECEAE4A60DAC6  # value_fingerprint(("ab", 1, ()))

TOYS = {
    "ping_pong": functools.partial(ping_pong, pings=3),
    "counters_jump": functools.partial(counters, limit=3, copies=3, jump=True),  # 3 components
    "pairs": functools.partial(ping_pong_pairs, pairs=2, pings=2),
    "waiter": waiter,  # a deadlock
}


@pytest.mark.parametrize("name", TOYS)
@pytest.mark.parametrize("workers", [1, 2, 3, 4])
def test_toys_in_partitions_equal_the_sequential_search(name, workers):
    same_exploration(explore(TOYS[name]()), explore_parallel(TOYS[name], workers, local=True))


@pytest.mark.parametrize("seed", range(16))
def test_random_toys_with_deadlocks_and_unhandled_messages_equal_the_sequential_search(seed):
    factory = functools.partial(random_system, seed)
    sequential = explore(factory())
    for workers in (2, 3):
        same_exploration(sequential, explore_parallel(factory, workers, local=True))


@pytest.mark.parametrize("sid", ["m200", "m300.panf_udm", "m400.ausf_udm"])
def test_scenarios_in_partitions_equal_the_sequential_search(sid):
    factory = functools.partial(build_system, SCENARIOS[sid])
    sequential = explore(factory())
    for workers in (1, 2, 4):
        same_exploration(sequential, explore_parallel(factory, workers, local=True))


def test_two_remote_ues_split_into_components_and_equal_the_sequential_search():
    factory = functools.partial(build_system, SCENARIOS["m200"].with_bounds(remote_ues=2, attempts=1, withdrawals=1,
                                                                            restores=0))
    sequential = explore(factory())
    assert sequential.encoder is not None and sequential.encoder.components == 2
    same_exploration(sequential, explore_parallel(factory, 3, local=True))


def test_routing_is_deterministic_and_spreads_worlds():
    system = build_system(SCENARIOS["m200"])
    e = explore(system)
    owners = [route([value_fingerprint(w)], 4) for w in e.worlds]
    assert min(owners.count(p) for p in range(4)) > e.states // 8
    # pinned: the same in every process and on every machine (BLAKE2b of marshal bytes, no hash() of a str)
    assert value_fingerprint(("ab", 1, ())) == FP_AB


def test_the_state_limit_stops_the_parallel_search_with_partial_counts():
    factory = functools.partial(build_system, SCENARIOS["m200"])
    e = explore_parallel(factory, 2, Limits(max_states=1000), local=True)
    assert e.stopped == "max-states 1000" and not e.complete
    assert e.states == 1000 == len(e.parent) == len(e.depth) == len(e.via)
    full = explore(factory())
    assert list(e.parent) == list(full.parent)[:1000] and list(e.worlds) == list(full.worlds)[:1000]


def test_a_full_partition_stops_the_search_cleanly():
    factory = functools.partial(build_system, SCENARIOS["m200"])
    e = explore_parallel(factory, 2, Limits(max_memory_mb=1), local=True)
    assert e.stopped is not None and e.stopped.startswith("max-memory 1 MB (partition ")
    assert e.states == len(e.parent) == len(e.via) == len(e.depth) >= 1


def test_an_interrupt_stops_the_parallel_search_with_a_consistent_result(monkeypatch):
    factory = functools.partial(build_system, SCENARIOS["m200"])
    calls = []
    expand = Partition.expand

    def interrupting(self, indices):
        calls.append(indices)
        if len(calls) == 41:  # in the middle of level 21 (two partitions)
            raise KeyboardInterrupt
        return expand(self, indices)

    monkeypatch.setattr(Partition, "expand", interrupting)
    e = explore_parallel(factory, 2, local=True)
    assert e.stopped == "interrupted" and 100 < e.states < 4809
    assert e.states == len(e.parent) == len(e.via) == len(e.depth)
    full = explore(factory())
    assert list(e.worlds) == list(full.worlds)[:e.states]


# --- end to end on Ray (CI installs it) ---

needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="Ray not installed (pip install "
                               "'.[ray]'; .ci/run installs it)")


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prosecheck", "check", *args], capture_output=True, text=True)


@pytest.mark.parametrize("pool", ["threads", pytest.param("ray", marks=needs_ray)])
def test_check_json_is_the_same_with_1_2_and_4_workers(pool):
    scenarios = ["m200", "m300.panf_udm", "m200.s215b_with_nonce_1"]
    docs = {}
    for workers in (1, 2, 4):
        proc = _check(*scenarios, "--json", "--workers", str(workers), "--pool", pool)
        assert proc.returncode == 0, proc.stderr[-2000:]
        docs[workers] = untimed(json.loads(proc.stdout))
        if workers > 1:
            assert f"over {workers} workers" in proc.stderr and "frontier" in proc.stderr
    assert docs[2] == docs[1] and docs[4] == docs[1]
    assert any(p["verdict"] == "VIOLATED" and p["trace"] for r in docs[1]["results"]  # type: ignore[index]
               for p in r["properties"].values())


@pytest.mark.parametrize("pool", ["threads", pytest.param("ray", marks=needs_ray)])
def test_a_limit_on_workers_gives_inconclusive_with_partial_counts(pool):
    proc = _check("m200", "--json", "--workers", "2", "--max-states", "500", "--quiet", "--pool", pool)
    assert proc.returncode == 22, proc.stderr[-2000:]
    stats = json.loads(proc.stdout)["results"][0]["stats"]
    # the partitioned compiled search stops after the level that reached the limit (whole levels)
    assert 500 <= stats["states"] < 4809 and stats["stopped"] == "max-states 500" and not stats["complete"]


@needs_ray
def _partitions() -> set[str]:
    """The pids of Ray partition actors alive on this machine now."""
    found = subprocess.run(["pgrep", "-f", "ray::Partition"], capture_output=True, text=True)
    return set(found.stdout.split())


def test_ray_is_shut_down_after_a_run():
    """This run leaves no partition actor behind. (Actors of an earlier test, such as one whose driver a
    SIGINT killed in tests/test_interrupts.py, may still be exiting: they are not this run's, so only the
    actors that were not there before count.) Ray stops its worker processes asynchronously after
    ``ray.shutdown()``: on a loaded machine an actor can outlive the driver by a moment, so the test
    waits for them to go, up to a generous bound; one still alive then is a leak. This bounds teardown,
    not speed: nothing here measures how fast the search is."""
    before = _partitions()
    proc = _check("m200", "--workers", "2", "--pool", "ray", "--quiet", "--property", "no_knr_after_withdrawal")
    assert proc.returncode == 0, proc.stderr[-2000:]
    deadline = time.monotonic() + TEARDOWN_SECONDS
    while (left := _partitions() - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == set()


TEARDOWN_SECONDS = 60.0
"""How long a finished run's Ray actors may take to exit before they count as left behind."""


@pytest.mark.parametrize("args, message", [
    (["--workers", "0"], "--workers: must be an integer in 1..1024"),
    (["--workers", "2", "--symmetry"], "cannot be combined"),
    (["--workers", "2", "--hash-compact"], "cannot be combined"),
    (["--workers", "2", "--pool", "mpi"], "--pool: must be one of threads, ray, got 'mpi'"),
    (["--workers", "2", "--pool", "threads", "--ray-address", "127.0.0.1:1"], "cannot be combined with --pool threads"),
])
def test_bad_parallel_options_are_one_line_and_exit_2(args, message):
    proc = _check("m200", *args)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("pool", ["threads", pytest.param("ray", marks=needs_ray)])
def test_bench_workers_reports_speedup_efficiency_and_overhead(capsys, pool):
    from prosecheck.cli import main

    assert main(["bench", "tiny", "--workers", "1,2", "--json", "--pool", pool]) == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(schema("bench")).validate(doc)  # the --workers fields too (docs/json.md)
    rows = [b["prosecheck"] for b in doc["benchmarks"]]
    one, two = rows
    assert (one["workers"], two["workers"]) == (1, 2)
    assert (one["states"], one["transitions"]) == (two["states"], two["transitions"])
    assert two["speedup"] == round(one["seconds"] / two["seconds"], 2) and two["efficiency"] == round(
        two["speedup"] / 2, 2)
    overhead = two["overhead"]
    # the partitioned compiled search: one round per level, distinct foreign worlds sent (not every world)
    assert 0 < overhead["candidates"] < two["states"] and overhead["bytes"] > 0 and len(overhead["busy"]) == 2
    assert overhead["levels"] == len(overhead["level_seconds"]) == two["depth"] + 1 and overhead["gather"] > 0
    assert two["pool"] == pool and two["cpu_seconds"] > 0
    assert ("ray_start_seconds" in two) == (pool == "ray") and two.get("ray_start_seconds", 1) > 0
    assert main(["bench", "tiny", "--workers", "0,2"]) == 2
    assert "--workers must be" in capsys.readouterr().err
    assert main(["bench", "tiny", "--workers", "1,2", "--pool", "mpi"]) == 2
    assert "--pool: must be one of threads, ray, got 'mpi'" in capsys.readouterr().err


@needs_ray
def test_liveness_in_ray_actors_equals_liveness_in_threads() -> None:
    """m200@pc5_attacker has edges back to lower-numbered worlds but no cycle: the actors peel it, search the
    regions and reach backwards in rounds, and every result equals the threads' (nothing gathered either way)."""
    from prosecheck.checker.native.lazy import PartitionedExploration
    from prosecheck.checker.parallel import ray_session

    scenario = SCENARIOS["m200@pc5_attacker"]
    threads = check_scenario(scenario, replay=False, workers=2, keep_exploration=True)
    with ray_session(2):
        ray = check_scenario(scenario, replay=False, workers=2, pool="ray", keep_exploration=True)
        for r in (threads, ray):
            assert isinstance(r.exploration, PartitionedExploration) and r.exploration.gathered == 0
            assert r.exploration._graph is not None and r.exploration._graph.rounds > 100
        assert [(p.verdict, p.world, p.detail, p.trace, p.tail, p.decisive_step) for p in ray.properties.values()] == \
            [(p.verdict, p.world, p.detail, p.trace, p.tail, p.decisive_step) for p in threads.properties.values()]
        ray.exploration.remote.close()  # type: ignore[union-attr]


@needs_ray
def test_ray_partitions_answer_after_the_search_when_the_session_outlives_it() -> None:
    """Inside a caller's Ray session the actors stay after the search: only their counts travel, and they
    project, decode worlds, give parent links and judge liveness as the same partitions stepped in turn and
    gathered do."""
    from prosecheck.checker.liveness import AtWorlds, SlotTest, recorded_graph
    from prosecheck.checker.native.lazy import EDGES, WORLDS, PartitionedExploration
    from prosecheck.checker.native.partitioned import explore_partitioned
    from prosecheck.checker.parallel import ray_session
    from prosecheck.liveness_verdicts import final_test

    factory = functools.partial(build_system, SCENARIOS["m300.panf_udm"])
    gathered = explore_partitioned(factory, 2, local=True)
    assert isinstance(gathered, PartitionedExploration)
    gathered.gather(WORLDS)
    with ray_session(2):
        par = explore_partitioned(factory, 2, pool="ray")
        assert isinstance(par, PartitionedExploration) and par.remote is not None
        assert "own_kid" not in par._parts[0] and "estart" not in par._parts[0]  # the counts only, so far
        slots = list(range(par.system.link_base))
        for some in (slots[:3], slots[-2:], slots[::5]):
            a, b = gathered.projector().project(some, False), par.projector().project(some, False)
            assert (b.values, b.first.tolist()) == (a.values, a.first.tolist())
            odd = lambda valuation, s=tuple(some): sum(valuation[x] for x in s) % 2 == 1  # noqa: E731
            assert par.projector().marks(some, odd).tolist() == gathered.projector().marks(some, odd).tolist()
        for index in (0, par.states // 2, par.states - 1, *par.deadlocks[:3]):
            path = par.path_to(index)
            assert path == gathered.path_to(index)
            assert [par.worlds[i] for i in path] == [gathered.worlds[i] for i in path]
            assert [par.via[i] for i in path] == [gathered.via[i] for i in path]
        graph, recorded = par.liveness_graph(), recorded_graph(gathered)  # liveness in the actors
        assert graph is not None
        some = SlotTest(tuple(slots[:3]), lambda valuation: sum(valuation.values()) % 2 == 1)
        never = SlotTest((), lambda valuation: False)
        for trigger, goal in ((AtWorlds((0,)), never), (some, never), (AtWorlds((0,)), some), (some, some)):
            assert graph.leads_to(trigger, goal) == recorded.leads_to(trigger, goal)
            assert graph.stuck(trigger, goal) == recorded.stuck(trigger, goal)
        assert graph.livelocks(final_test(par)) == recorded.livelocks(final_test(gathered)) == []
        assert par.gathered == 0
        edges = par.edges  # fetched from the actors now
        assert par.gathered == EDGES and edges is not None and gathered.edges is not None
        for x, y in zip(edges.arrays(), gathered.edges.arrays()):
            assert x.tolist() == y.tolist()
        par.remote.close()
