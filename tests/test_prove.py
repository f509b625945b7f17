"""The symbolic engine: its one-step relation is the explicit model's, and its verdicts agree."""

from __future__ import annotations

import json

import pytest
import z3

from prosecheck.checker.expr import W
from prosecheck.checker.machine import compile_element
from prosecheck.checker.search import explore
from prosecheck.checker.symbolic import engines
from prosecheck.checker.symbolic.encode import Encoding
from prosecheck.checker.system import Instance, System
from prosecheck.cli import main
from prosecheck.model.build import build_system
from prosecheck.prove import prove_scenario, replay
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario
from tests import toy


def _successor_sets_agree(system: System, step: int = 1) -> int:
    """For every ``step``-th reachable world: the Z3 models of Next(w, w') = System.successors(w)."""
    enc = Encoding(system)
    exploration = explore(system)
    solver = z3.Solver()
    solver.add(enc.trans(enc.cur, enc.nxt))
    checked = 0
    for k in range(0, exploration.states, step):
        world = exploration.worlds[k]
        expected = {tuple(enc.values(w)) for _, w in system.successors(world)[0]}
        solver.push()
        solver.add(enc.equals(enc.cur, enc.values(world)))
        found = set()
        while solver.check() == z3.sat:
            values = tuple(solver.model().eval(v, model_completion=True).as_long() for v in enc.nxt)
            found.add(values)
            solver.add(z3.Not(enc.equals(enc.nxt, list(values))))
        solver.pop()
        assert found == expected, f"world {k}: {world}"
        assert all(enc.values(enc.world(list(v))) == list(v) for v in found)
        checked += 1
    return checked


@pytest.mark.parametrize("make", [
    lambda: toy.ping_pong(2), lambda: toy.ping_pong(3, capacity=2), lambda: toy.ping_pong(2, ponger=toy.Deaf),
    lambda: toy.counters(2, 2, jump=True), lambda: toy.ping_pong_pairs(2, 2),
])
def test_symbolic_step_is_the_explicit_step_on_toys(make: object) -> None:
    system = make()  # type: ignore[operator]
    enc = Encoding(system)
    solver = z3.Solver()
    solver.add(enc.init(enc.cur))
    assert solver.check() == z3.sat
    start = [solver.model().eval(v, model_completion=True).as_long() for v in enc.cur]
    assert enc.world(start) == system.initial()
    assert _successor_sets_agree(system) == explore(system).states


@pytest.mark.parametrize("sid", ["m200", "m300.panf_udm", "m400.ausf_udm"])
def test_symbolic_step_is_the_explicit_step_on_scenarios(sid: str) -> None:
    """Sampled reachable worlds of small scenarios (blocking sends, observers, ghosts included)."""
    system = build_system(SCENARIOS[sid].with_bounds(attempts=1, withdrawals=1, restores=1))
    assert _successor_sets_agree(system, step=11) > 10


def _ping_pong_property(system: System, formula: object) -> tuple[Encoding, z3.BoolRef]:
    enc = Encoding(system)
    return enc, enc.prop(system.bind(formula, 0), enc.cur)  # type: ignore[arg-type]


def test_bmc_finds_the_breadth_first_depth() -> None:
    system = toy.ping_pong(3)
    enc, good = _ping_pong_property(system, W("ponger.last") < 3)
    exploration = explore(system)
    slot = system.slot("ponger.last")
    shortest = min(exploration.depth[k] for k in range(exploration.states) if exploration.worlds[k][slot] >= 3)
    found = engines.bmc(enc, z3.Not(good), 20, 60)
    assert (found.verdict, found.depth) == (engines.VIOLATED, shortest)
    assert len(found.rules) == shortest and found.rules
    assert engines.spacer(enc, good, 60).verdict == engines.VIOLATED
    assert engines.bmc(enc, z3.Not(good), shortest - 1, 60).verdict == engines.UNKNOWN


def test_a_non_inductive_invariant_needs_a_strengthening() -> None:
    """``last <= count`` is true but not 1-inductive: a ping in flight may carry more than ``count``
    in an unreachable state; Spacer finds the lemma about the message field."""
    enc, good = _ping_pong_property(toy.ping_pong(3), W("ponger.last") <= W("pinger.count"))
    assert engines.kind(enc, good, 1, 60).verdict == engines.UNKNOWN
    proof = engines.spacer(enc, good, 60)
    assert proof.verdict == engines.PROVED and proof.invariant is not None
    assert "pinger->ponger[0].f0" in str(proof.invariant)
    assert engines.kind(enc, good, 4, 60).verdict == engines.PROVED


def test_a_violation_beyond_the_explicit_bound() -> None:
    """The counter stays below 3 with limit=2 (check's bound); with the limit kept symbolic in
    1..14 (prove's lifting), BMC and Spacer find the run that needs limit 3."""
    opts = {"limit": 2, "jump": 0}
    bounded = System([Instance("counter", "counter", 0, compile_element(toy.Counter, opts, toy.MESSAGES))], [], [],
                     1, toy.MESSAGES, toy.KINDS)
    lifted_table = compile_element(toy.Counter, opts, toy.MESSAGES, keep=frozenset({"limit"}))
    lifted = System([Instance("counter", "counter", 0, lifted_table)], [], [], 1, toy.MESSAGES, toy.KINDS)
    formula = W("counter.n") < 3
    exploration = explore(bounded)
    assert all(w[bounded.slot("counter.n")] < 3 for w in exploration.worlds)
    enc = Encoding(bounded)
    assert engines.spacer(enc, enc.prop(bounded.bind(formula, 0), enc.cur), 60).verdict == engines.PROVED
    enc = Encoding(lifted, {"limit": (1, 14)})
    good = enc.prop(lifted.bind(formula, 0), enc.cur)
    found = engines.bmc(enc, z3.Not(good), 10, 60)
    assert (found.verdict, found.depth) == (engines.VIOLATED, 3)
    assert found.states[0][enc.param_pos["limit"]] >= 3
    assert engines.spacer(enc, good, 60).verdict == engines.VIOLATED
    assert engines.spacer(enc, enc.prop(lifted.bind(W("counter.n") <= 14, 0), enc.cur), 60).verdict == engines.PROVED


@pytest.mark.parametrize("sid", ["m200", "m300.panf_udm"])
@pytest.mark.parametrize("unbounded", [False, True])
def test_symbolic_verdicts_equal_explicit_ones(sid: str, unbounded: bool) -> None:
    """Where Spacer decides, its verdict is check's (PROVED for HOLDS)."""
    scenario = SCENARIOS[sid]
    ids = ["pruk_stays_home", "supi_never_on_air"]
    explicit = check_scenario(scenario, ids, replay=False)
    for result in prove_scenario(scenario, ids, "spacer", timeout=120, unbounded=unbounded):
        assert explicit.properties[result.property].verdict == "HOLDS"
        assert result.verdict == "PROVED", result.detail
        assert result.invariant and all("ghost." in line or "->" in line for line in result.invariant)


def test_bmc_depth_and_replay_on_a_scenario() -> None:
    """The first S206 refusal: BMC's shortest trace has the breadth-first depth, and it replays
    step by step through System.successors to the same world."""
    scenario = SCENARIOS["m200"].with_bounds(attempts=1)
    system = build_system(scenario)
    exploration = explore(system)
    slot = system.slot("ghost.relay_refused")
    shortest = min(exploration.depth[k] for k in range(exploration.states) if exploration.worlds[k][slot])
    enc = Encoding(system)
    good = enc.prop(system.bind(W("ghost.relay_refused") == 0, 0), enc.cur)
    found = engines.bmc(enc, z3.Not(good), 12, 300)
    assert (found.verdict, found.depth) == (engines.VIOLATED, shortest)
    world = replay(system, system, [enc.rules[k] for k in found.rules])
    assert world is not None and enc.values(world) == found.states[-1]


def test_prove_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "m200", "--property", "pruk_stays_home", "--property", "attempt_ends", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    verdicts = {r["property"]: r["verdict"] for r in doc["results"]}
    assert verdicts == {"pruk_stays_home": "PROVED", "attempt_ends": "not supported"}
    assert main(["prove", "m200", "--property", "pruk_stays_home"]) == 0
    out = capsys.readouterr().out
    assert "PROVED" in out and "invariant: ghost.relay_learned_key == 0" in out


def test_the_cli_offers_every_engine() -> None:
    """``prove_cmd`` lists the engines itself (importing z3 would slow every command's start)."""
    from prosecheck import prove
    from prosecheck.cli import prove_cmd
    assert prove_cmd.ENGINES == prove.ENGINES
    assert prove_cmd.TABLE_FALLBACK_SECONDS == prove.TABLE_FALLBACK_SECONDS


@pytest.mark.parametrize("argv, message", [
    (["prove", "nosuch"], "unknown scenario 'nosuch'"),
    (["prove", "m200", "--depth", "-1"], "--depth: must be an integer in 0..1000"),
    (["prove", "m200", "--timeout", "0"], "--timeout: must be a finite number of seconds above 0"),
    (["prove", "m200", "--property", "nosuch"], "unknown property 'nosuch'"),
])
def test_prove_cli_bad_input(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_seeded_mutant_is_caught_by_both_engines() -> None:
    """null_scheme_suci puts the SUPI on the air: check and prove (BMC to check's trace length,
    on the lifted system, replayed on the explicit model) both report it; unmutated, neither."""
    scenario = SCENARIOS["m200"].with_mutants("null_scheme_suci")
    explicit = check_scenario(scenario, ["supi_never_on_air"]).properties["supi_never_on_air"]
    assert explicit.verdict == "VIOLATED" and explicit.trace
    depth = len(explicit.trace)
    found = prove_scenario(scenario, ["supi_never_on_air"], "bmc", depth=depth, timeout=300)[0]
    assert found.verdict == "VIOLATED" and len(found.trace) == depth
    assert "confirmed on the explicit model within the scenario's bounds" in found.detail
    clean = prove_scenario(SCENARIOS["m200"], ["supi_never_on_air"], "bmc", depth=depth, timeout=300)[0]
    assert clean.verdict == "UNKNOWN" and f"no violation within {depth} steps" in clean.detail
