"""Everything after the search works on what the search stored, and limits hold for the whole check.

* the edges the search records are exactly every stored world's successors, in order;
* projections per component value equal a plain pass over the decoded worlds (distinct
  valuations and the first world of each);
* the array-based liveness (level BFS, SciPy components) equals the plain reference of
  ``tests/liveness_reference.py`` on toys, random toys and scenarios;
* an interrupt after thousands of states gives a consistent partial result, and a limit or an
  interrupt after the search makes the undecided verdicts INCONCLUSIVE, never HOLDS.
"""

from __future__ import annotations

import random

import liveness_reference as reference
import numpy as np
import pytest
from random_toys import random_system
from toy import looper_and_counter, lossy_ping_pong, ping_pong_pairs, waiter

import prosecheck.checker.budget as budget_module
import prosecheck.verify as verify
from prosecheck.checker import liveness
from prosecheck.checker.search import Limits, explore
from prosecheck.model.build import build_system
from prosecheck.scenarios.catalog import HOLDS, SCENARIOS, VIOLATED
from prosecheck.verify import INCONCLUSIVE, check_scenario

TWO_UES = SCENARIOS["m300.ausf_udm"].with_bounds(remote_ues=2, attempts=1, withdrawals=1, restores=0)
SCENARIO_SYSTEMS = {
    "m200": lambda: build_system(SCENARIOS["m200"]),
    "m300.panf_udm@lossy_links_pc5": lambda: build_system(SCENARIOS["m300.panf_udm@lossy_links_pc5"]),
    "m300.ausf_udm, 2 remote UEs": lambda: build_system(TWO_UES),
}


def _systems():
    yield "looper", looper_and_counter(limit=2)
    yield "restless looper", looper_and_counter(limit=1, restless=True)
    yield "waiter", waiter()
    yield "lossy ping-pong", lossy_ping_pong(pings=2, duplication=True)
    yield "ping-pong pairs", ping_pong_pairs(pairs=2)
    for seed in range(12):
        yield f"random toy {seed}", random_system(seed)


@pytest.mark.parametrize("name, system", [pytest.param(n, s, id=n) for n, s in _systems()])
def test_the_recorded_edges_are_every_stored_worlds_successors_in_order(name, system):
    e = explore(system)
    graph, plain = liveness.state_graph(e), reference.state_graph(e)
    assert graph.edges.expanded == e.states
    assert [graph.successors(n) for n in range(e.states)] == plain.edges


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SCENARIO_SYSTEMS))
def test_scenario_edges_are_every_stored_worlds_successors(name):
    e = explore(SCENARIO_SYSTEMS[name]())
    graph, plain = liveness.state_graph(e), reference.state_graph(e)
    recorded = [graph.successors(n) for n in range(e.states)]
    # a split search takes each remote UE's steps in turn, a whole-world one all at once: same edges
    assert [sorted(r, key=repr) for r in recorded] == [sorted(p, key=repr) for p in plain.edges]


def _naive(exploration, slots):
    table = {}
    for i, world in enumerate(exploration.worlds):
        table.setdefault(tuple(world[s] for s in slots), i)
    return table


@pytest.mark.slow
@pytest.mark.parametrize("search", ["one component", "components", "symmetry", "hash compaction"])
def test_projections_equal_a_pass_over_the_decoded_worlds(search):
    scenario = SCENARIOS["m200"] if search in ("one component", "hash compaction") else TWO_UES
    system = build_system(scenario)
    e = explore(system, symmetry=search == "symmetry", hash_compact=search == "hash compaction")
    rng = random.Random(7)
    integer_slots = sorted(system.slot_sorts)
    projector = e.projector(rng.sample(integer_slots, 12))
    for _ in range(8):
        slots = rng.sample(integer_slots, rng.randint(1, 6))
        got = projector.project(slots)
        assert got.table() == _naive(e, slots)
        assert list(got.first) == sorted(got.first)  # numbered in order of first appearance
        worlds = list(e.worlds)
        assert all(got.values[got.codes[i]] == tuple(worlds[i][s] for s in slots) for i in range(0, len(worlds), 97))
        assert projector.project(slots, per_world=False).table() == got.table()
        odd = projector.marks(slots, lambda values: sum(values.values()) % 2 == 1)
        assert odd.tolist() == [sum(w[s] for s in slots) % 2 == 1 for w in worlds]


def _random_marks(rng, size, density):
    return np.array([rng.random() < density for _ in range(size)], dtype=bool)


@pytest.mark.parametrize("name, system", [pytest.param(n, s, id=n) for n, s in _systems()])
def test_liveness_on_arrays_equals_the_plain_reference(name, system):
    e = explore(system)
    graph, plain = liveness.state_graph(e), reference.state_graph(e)
    rng = random.Random(name)
    for _ in range(6):
        trigger, goal = _random_marks(rng, e.states, 0.3), _random_marks(rng, e.states, rng.choice([0.0, 0.1, 0.5]))
        mine = liveness.leads_to(graph, trigger, goal)
        theirs = reference.leads_to(plain, lambda w, t=trigger: t[e.index_of(w)], lambda w, g=goal: g[e.index_of(w)])
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert (mine.stem, mine.tail, mine.cycle) == (theirs.stem, theirs.tail, theirs.cycle)
        assert liveness.stuck(graph, trigger, goal) == \
            reference.stuck(plain, lambda w, t=trigger: t[e.index_of(w)], lambda w, g=goal: g[e.index_of(w)])
    assert liveness.livelocks(graph, e.system.is_final) == reference.livelocks(plain, e.system.is_final)


@pytest.mark.slow
@pytest.mark.parametrize("scenario_id", ["m200", "m300.panf_udm@lossy_links_pc5", "m600.after.panf_local.no_supi"])
def test_scenario_liveness_verdicts_equal_the_plain_reference(scenario_id):
    from prosecheck.liveness_verdicts import world_test
    from prosecheck.properties.catalog import PROPERTIES

    e = explore(build_system(SCENARIOS[scenario_id]))
    graph, plain = liveness.state_graph(e), reference.state_graph(e)
    for pid in ("attempt_ends", "recovers_after_loss", "keys_converge"):
        prop = PROPERTIES[pid]
        goal = world_test(e, prop, "goal")
        trigger = world_test(e, prop, "trigger")
        goal_of = lambda w, g=goal: g[e.index_of(w)]  # noqa: E731
        trigger_of = lambda w, t=trigger: t[e.index_of(w)]  # noqa: E731
        mine, theirs = liveness.leads_to(graph, trigger, goal), reference.leads_to(plain, trigger_of, goal_of)
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert (mine.stem, len(mine.tail), len(mine.cycle)) == (theirs.stem, len(theirs.tail), len(theirs.cycle))
        assert liveness.stuck(graph, trigger, goal) == reference.stuck(plain, trigger_of, goal_of)
    assert liveness.livelocks(graph, e.system.is_final) == reference.livelocks(plain, e.system.is_final)


def _interrupt_after(monkeypatch, system, calls_before):
    original, count = system.successors, {"n": 0}

    def interrupting(world, instances=None):
        count["n"] += 1
        if count["n"] == calls_before:
            raise KeyboardInterrupt
        return original(world, instances)

    monkeypatch.setattr(system, "successors", interrupting)


@pytest.mark.parametrize("scenario_id", ["m200", "m200.5attempts"])
def test_an_interrupt_after_thousands_of_states_gives_a_consistent_partial_result(monkeypatch, scenario_id):
    system = build_system(SCENARIOS[scenario_id])
    _interrupt_after(monkeypatch, system, 3000)  # one component: one successor computation per world
    e = explore(system)
    assert e.stopped == "interrupted" and e.expanded == 2999 and e.states > 3000
    assert len(e.worlds) == len(e.parent) == len(e.via) == len(e.depth) == e.states
    assert e.edges.expanded == e.expanded
    assert all(e.index_of(e.worlds[i]) == i for i in range(0, e.states, 101))


def test_an_interrupted_check_keeps_what_it_found_and_holds_nothing_it_did_not_see(monkeypatch):
    original = verify.build_system

    def interrupted(scenario):
        system = original(scenario)
        _interrupt_after(monkeypatch, system, 2500)
        return system

    monkeypatch.setattr(verify, "build_system", interrupted)
    r = check_scenario(SCENARIOS["m200"])
    assert r.stopped == "interrupted" and r.interrupted and r.states > 2500
    for p in r.properties.values():
        assert p.verdict != HOLDS or p.kind == "sometimes" and p.world is not None, p.id
    assert r.properties["knr_only_after_authorization"].verdict == VIOLATED  # found within 2,500 worlds
    assert r.properties["knr_only_after_authorization"].replay == []


def _clock_jumps_after(monkeypatch, judged: int):
    """The whole-check clock jumps past any limit once ``judged`` properties have been judged."""
    real_judge, real_clock, jumped = verify.judge, budget_module.time.perf_counter, {"n": 0, "offset": 0.0}

    def judge(*args, **kwargs):
        jumped["n"] += 1
        if jumped["n"] == judged:
            jumped["offset"] = 1e6
        return real_judge(*args, **kwargs)

    class Clock:
        @staticmethod
        def perf_counter():
            return real_clock() + jumped["offset"]

    monkeypatch.setattr(verify, "judge", judge)
    monkeypatch.setattr(budget_module, "time", Clock)


def test_a_time_limit_reached_while_judging_gives_inconclusive_never_holds(monkeypatch):
    _clock_jumps_after(monkeypatch, judged=3)
    r = check_scenario(SCENARIOS["m300.ausf_udm"], limits=Limits(max_seconds=3600))
    assert r.complete and r.cut == "max-seconds 3600 during judging"
    decided = [p for p in r.properties.values() if p.verdict not in (INCONCLUSIVE, "n/a")]
    assert [p.id for p in decided if p.kind in ("always", "sometimes")][:3] == [
        "knr_only_after_authorization", "no_knr_after_withdrawal", "knr_agreement"]
    undecided = [p for p in r.properties.values() if p.verdict == INCONCLUSIVE]
    assert len(undecided) >= 10 and all(p.detail == "not decided: max-seconds 3600 during judging" for p in undecided)
    assert r.properties["livelock_free"].verdict == INCONCLUSIVE
    assert r.exit_code == 22


def test_a_memory_limit_reached_during_liveness_cuts_liveness_and_traces(monkeypatch):
    peaks = iter([])
    real_graph = verify.graph_of

    def graph_of(exploration):
        nonlocal peaks
        peaks = iter([10**6] * 1000)
        return real_graph(exploration)

    monkeypatch.setattr(verify, "graph_of", graph_of)
    monkeypatch.setattr(budget_module, "peak_rss_mb", lambda: next(peaks, 0.0))
    r = check_scenario(SCENARIOS["m200"], limits=Limits(max_memory_mb=10**5))
    assert r.cut == "max-memory 100000 MB during liveness"
    assert r.properties["knr_only_after_authorization"].verdict == VIOLATED
    assert "trace not built" in r.properties["knr_only_after_authorization"].detail
    assert r.properties["attempt_ends"].verdict == INCONCLUSIVE
    assert r.properties["livelock_free"].verdict == INCONCLUSIVE


def test_an_interrupt_while_judging_is_answered_with_what_was_decided(monkeypatch):
    real_judge, count = verify.judge, {"n": 0}

    def judge(*args, **kwargs):
        count["n"] += 1
        if count["n"] == 2:
            raise KeyboardInterrupt
        return real_judge(*args, **kwargs)

    monkeypatch.setattr(verify, "judge", judge)
    r = check_scenario(SCENARIOS["m200"])
    assert r.cut == "interrupted during judging" and r.interrupted
    assert r.properties["knr_only_after_authorization"].verdict == VIOLATED
    assert r.properties["knr_only_after_authorization"].trace is None
    assert r.properties["knr_agreement"].verdict == INCONCLUSIVE


def test_every_phase_is_timed_and_the_search_gets_its_share_of_the_time():
    r = check_scenario(SCENARIOS["m200"], limits=Limits(max_seconds=3600))
    assert list(r.phases) == ["build", "search", "judging", "liveness", "traces"]
    assert all(s >= 0 for s in r.phases.values()) and set(r.peak_mb) == set(r.phases)
    assert r.cut is None and r.complete
    b = budget_module.Budget(Limits(max_seconds=100))
    assert b.search_limits(verify.SEARCH_SHARE).max_seconds <= 75


def test_the_cache_reuses_an_exhaustive_result_and_never_a_cut_one(tmp_path, monkeypatch, capsys):
    from prosecheck.cli import main

    monkeypatch.setenv("PROSECHECK_CACHE", str(tmp_path))
    assert main(["check", "m300.ausf_udm", "--quiet", "--json"]) == 0
    fresh = capsys.readouterr().out
    assert len(list(tmp_path.glob("*.json"))) == 1
    assert main(["check", "m300.ausf_udm", "--quiet", "--json"]) == 0
    again = capsys.readouterr().out
    assert '"cached": true' in again and '"cached": false' in fresh
    assert (tmp_path / "proofs" / "validations.json").is_file()  # the ledger's re-check outcomes, kept apart
    strip = lambda text: [ln for ln in text.splitlines() if '"seconds"' not in ln and '"cached"' not in ln  # noqa: E731
                          and "peak_mb" not in ln and not ln.strip().startswith(('"build"', '"search"', '"judging"',
                                                                                 '"liveness"', '"traces"'))]
    assert strip(fresh) == strip(again)
    # another bound, another entry; a run cut by a limit is never stored
    assert main(["check", "m300.ausf_udm", "--quiet", "--attempts", "1", "--max-states", "10"]) == 22
    assert len(list(tmp_path.glob("*.json"))) == 1
    # --no-cache checks again
    assert main(["check", "m300.ausf_udm", "--quiet", "--json", "--no-cache"]) == 0
    assert '"cached": false' in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("damage", [b"", b"\xff\xfe", b"[1, 2]", b'{"scenario": 5}', b'{"results": {}}',
                                    b"[" * 5000, b'{"stats": null, "properties": []}'],
                         ids=["empty", "binary", "list", "bad-id", "bad-results", "deep", "nulls"])
def test_a_damaged_cache_entry_is_ignored_and_the_scenario_checked_again(tmp_path, monkeypatch, capsys, damage):
    from prosecheck.cli import main

    monkeypatch.setenv("PROSECHECK_CACHE", str(tmp_path))
    assert main(["check", "m300.panf_udm", "--quiet", "--json", "--property", "knr_agreement"]) == 0
    capsys.readouterr()
    (entry,) = tmp_path.glob("*.json")
    entry.write_bytes(damage)
    assert main(["check", "m300.panf_udm", "--quiet", "--json", "--property", "knr_agreement"]) == 0
    assert '"cached": false' in capsys.readouterr().out


@pytest.mark.slow
def test_a_report_from_a_saved_check_equals_a_fresh_one_and_a_stale_one_is_refused(tmp_path, capsys):
    import json

    from prosecheck.cli import main

    assert main(["check", "m200", "m300.ausf_udm", "--quiet", "--json"]) == 0
    saved = tmp_path / "run.json"
    saved.write_text(capsys.readouterr().out)
    assert main(["report", str(saved), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert main(["report", "m200", "m300.ausf_udm", "--out", str(tmp_path / "b"), "--quiet"]) == 0
    capsys.readouterr()
    digits = str.maketrans("0123456789", "##########")
    a, b = ((tmp_path / d / "index.html").read_text().translate(digits) for d in "ab")
    assert a == b
    doc = json.loads(saved.read_text())
    doc["results"][0]["assumptions"]["model_sha256"] = "0" * 64
    saved.write_text(json.dumps(doc))
    assert main(["report", str(saved), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "was checked with another model" in err and "Traceback" not in err
    assert not (tmp_path / "c").exists()


def test_the_cache_key_covers_every_source_file_of_the_package():
    """A change anywhere in prosecheck (the search, the judging, the model), not only in cli/, must
    make a cached result stale: the key hashes every module of the package."""
    from prosecheck.cli import cache

    names = {str(p.relative_to(cache.PACKAGE)) for p in cache.source_files()}
    assert {"verify.py", "checker/search.py", "model/elements/ausf.py", "cli/cache.py"} <= names
    assert cache.PACKAGE.name == "prosecheck"
