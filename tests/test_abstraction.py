"""The explicit counter / per-attempt abstraction (prosecheck/abstraction.py, issue 22): it simulates the
concrete system, it is not vacuous, and it refuses what it cannot abstract."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from prosecheck import abstraction as ab
from prosecheck import abstraction_choice as choice
from prosecheck import abstraction_retire as retire
from prosecheck.checker.expr import And, Const, If, M, Not, V, W
from prosecheck.checker.machine import Effect, Rewrite, compile_element
from prosecheck.checker.search import explore
from prosecheck.model.build import bind_property, build_system, options_of
from prosecheck.model.messages import field_names
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.prove import ProofResult
from prosecheck.scenarios.catalog import SCENARIOS


@pytest.mark.parametrize("bounds", [dict(attempts=2, withdrawals=2, restores=1, policy_triggers=1),
                                    dict(attempts=2, withdrawals=0, restores=0, policy_triggers=0)])
def test_every_concrete_world_is_abstracted_into_the_abstract_reachable_set(bounds: dict[str, int]) -> None:
    """Simulation: for budgets above and below the abstraction's, alpha of every reachable concrete world is
    reachable in the abstract system, for every tracked attempt."""
    system = build_system(SCENARIOS["m300.panf_udm"].with_bounds(**bounds))
    prop = bind_property(system, PROPERTIES["knr_only_after_authorization"]).expr
    concrete = explore(system, engine="python")
    worlds = [concrete.worlds[k] for k in range(concrete.states)]
    for keep in (1 << 1, 1 << 2, 0xFFFF & ~0b110):
        abstraction = ab.build(system, prop, keep)
        reached: set = set()
        ab.search(system, abstraction, Const(True), collect=reached)
        assert all(abstraction.alpha(w) in reached for w in worlds)


def test_method_200_violation_is_found() -> None:
    verdict = ab.decide(SCENARIOS["m200"], "knr_only_after_authorization", 3)
    assert verdict.verdict == "VIOLATED-ABSTRACT"
    assert verdict.trace[-1].startswith("ausf: querying_key --key_query_response-->")


def test_sometimes_twin_is_reachable_in_the_abstraction() -> None:
    system = build_system(SCENARIOS["m300.panf_udm"].with_bounds(attempts=2))
    prop = bind_property(system, PROPERTIES["knr_only_after_authorization"]).expr
    twin = bind_property(system, PROPERTIES["pc5_secured_by_pruk_id"]).expr
    found = ab.search(system, ab.build(system, prop, 1 << 2), Not(twin))
    assert found.violation  # a world where the twin holds is reached


def test_the_authorization_properties_hold_in_the_abstraction_for_small_bounds() -> None:
    for prop in ("knr_only_after_authorization", "no_knr_after_withdrawal"):
        verdict = ab.decide(SCENARIOS["m300.panf_udm"], prop, 2)
        assert verdict.verdict == "HOLDS" and verdict.states > 0 and len(verdict.digest) == 64


def test_a_property_that_is_not_projectable_is_refused() -> None:
    system = build_system(SCENARIOS["m300.panf_udm"].with_bounds(attempts=1))
    prop = system.bind(W("ghost.knr_derived") != 3, 0)
    with pytest.raises(ab.ModelError, match="not projectable"):
        ab.build(system, prop, 1 << 1)


def test_the_compiled_abstraction_reaches_what_the_alpha_search_reaches() -> None:
    """The rewritten rules (abstract_system) and the successor-then-alpha search agree, up to the budget
    slots (pinned to 1 by alpha, left at their unread initial values by the rewrite)."""
    scenario = SCENARIOS["m300.panf_udm"].with_bounds(attempts=2)
    concrete = build_system(scenario)
    prop = bind_property(concrete, PROPERTIES["knr_only_after_authorization"]).expr
    abstraction = ab.build(concrete, prop, 1 << 2)
    reached: set = set()
    ab.search(concrete, abstraction, Const(True), collect=reached)
    compiled = explore(ab.abstract_system(scenario, 1 << 2), engine="python")
    rewritten = {abstraction.alpha(compiled.worlds[k]) for k in range(compiled.states)}
    assert rewritten == reached


def test_a_seeded_mutant_that_breaks_the_property_is_not_held() -> None:
    scenario = replace(SCENARIOS["m300.panf_udm"], mutants=("panf_skips_udm_check",))
    verdict = ab.decide_compiled(scenario, "knr_only_after_authorization", 3)
    assert verdict.verdict == "VIOLATED-ABSTRACT"


def test_a_budget_test_under_a_negation_is_refused() -> None:
    positive = ab._is_positive_test("policy_left")
    assert ab._only_positive(And(V("x") > 1, V("policy_left") > 0), positive)
    assert not ab._only_positive(Not(V("policy_left") > 0), positive)
    assert not ab._only_positive(If(V("policy_left") > 0, V("x"), 0) == 1, positive)


def test_leaving_out_unread_ghosts_is_exact_on_every_other_slot() -> None:
    """The cone of influence (unread_ghosts): the sliced abstract system reaches exactly the unsliced one's
    worlds with the dropped ghost facts at 0 (m400.panf_udm, where ghost.pruk_history is dropped)."""
    scenario = SCENARIOS["m400.panf_udm"].with_bounds(attempts=2)
    concrete = build_system(scenario)
    props = [bind_property(concrete, PROPERTIES[p]).expr for p in ("knr_only_after_authorization",
                                                                    "no_knr_after_withdrawal")]
    dropped = ab.unread_ghosts(concrete, props)
    assert "pruk_history" in dropped and "knr_derived" not in dropped and "authorized_in_attempt" not in dropped
    slots = {concrete.slots[f"ghost.{g}"] for g in dropped}

    def worlds(system: ab.System) -> set:
        found = explore(system, engine="python")
        return {tuple(0 if i in slots else v for i, v in enumerate(found.worlds[k])) for k in range(found.states)}

    assert worlds(ab.abstract_system(scenario, 1 << 1, dropped)) == worlds(ab.abstract_system(scenario, 1 << 1))


# -- the early-stop shortcut: one search at the largest attempts bound covers every smaller one -------------------

SMALL = dict(withdrawals=1, restores=1, policy_triggers=1)


def _shifted(system: ab.System, world: tuple, by: int) -> tuple:
    """``world`` with every remote UE's attempt counter raised by ``by`` (the simulation relation)."""
    slots = {slot for name, slot in system.slots.items() if name.rsplit(".", 1)[-1] == ab.COUNTER}
    return tuple(v + by if i in slots else v for i, v in enumerate(world))


@pytest.mark.parametrize("scenario_id, stop_early", [("m300.panf_udm", True), ("m300.panf_udm", False),
                                                     ("m400.panf_udm", True), ("m500.indication.panf_udm", True)])
def test_every_smaller_bound_is_simulated_by_the_early_stop_system(scenario_id: str, stop_early: bool) -> None:
    """Every reachable world of bounds k = 1..3, its counter shifted by 3 - k, is reachable (up to alpha) in the
    early-stop system at bound 3; without the early stop it is not (the stop after fewer attempts is missing)."""
    top = 3
    scenario = SCENARIOS[scenario_id].with_bounds(attempts=top, **SMALL)
    ok, how = ab.shortcut(scenario, ["knr_only_after_authorization"], top)
    assert ok and "finish" in how
    concrete_top = build_system(scenario)
    prop = bind_property(concrete_top, PROPERTIES["knr_only_after_authorization"]).expr
    for keep in (1 << 1, 1 << 3, 0xFFFF & ~0b1110):
        abstraction = ab.build(concrete_top, prop, keep)
        found = explore(ab.abstract_system(scenario, keep, stop_early=stop_early), engine="python")
        reached = {abstraction.alpha(found.worlds[i]) for i in range(found.states)}
        missing = 0
        for k in range(1, top + 1):
            system = build_system(scenario.with_bounds(attempts=k))
            assert system.slots == concrete_top.slots
            concrete = explore(system, engine="python")
            missing += sum(abstraction.alpha(_shifted(system, concrete.worlds[i], top - k)) not in reached
                           for i in range(concrete.states))
        assert (missing == 0) == stop_early


def test_the_early_stop_is_labelled_and_reached() -> None:
    scenario = SCENARIOS["m300.panf_udm"].with_bounds(attempts=3, **SMALL)
    system = ab.abstract_system(scenario, 1 << 1, stop_early=True)
    table = system.instances[system.instance_of(0, "remote_ue")].table
    stops = [tr for tr in table.transitions if tr.effect_name == ab.EARLY_STOP]
    assert [tr.effect.label for tr in stops] == [ab.EARLY_STOP_LABEL]
    done, left = table.state_index("done"), system.slots["remote_ue.attempts_left"]
    found = explore(system, engine="python")
    state = system.slots["remote_ue.state"]
    assert any(found.worlds[i][state] == done and found.worlds[i][left] > 0 for i in range(found.states))


def test_the_shortcut_refuses_an_attacker_scenario() -> None:
    ok, how = ab.shortcut(SCENARIOS["m300.panf_udm@pc5_attacker"], ["knr_only_after_authorization"], 14)
    assert not ok and "attacker" in how and "per attempts bound" in how


@pytest.mark.parametrize("rewrite, reason", [
    (Rewrite(guards={"attempts_remain": V("attempts_left") == 1}), "other than as"),
    (Rewrite(effects={"stop_attempts": Effect("stop", assign={"knr": V("attempts_left")})}), "other than as"),
    (Rewrite(effects={"stop_attempts": Effect("stop", assign={"knr": 0})}), "under a negation and has an effect"),
    (Rewrite(effects={"release_link": Effect("release", assign={"attempts_left": V("attempts_left") - 1})}),
     "without the conjunct"),
])
def test_the_shortcut_refuses_rules_that_read_the_counter_otherwise(rewrite: Rewrite, reason: str) -> None:
    scenario = SCENARIOS["m300.panf_udm"].with_bounds(attempts=3)
    system = build_system(scenario, frozenset({"attempts"}))
    assert ab.check_attempts(system) == ["remote_ue idle --finish--> done [stop_attempts]"]
    index = system.instance_of(0, "remote_ue")
    inst = system.instances[index]
    options = options_of(scenario)
    table = compile_element(inst.table.cls, options, field_names(options), rewrite, frozenset({"attempts"}))
    system.instances[index] = ab.Instance(inst.name, inst.role, inst.group, table)
    with pytest.raises(ab.ModelError, match=reason):
        ab.check_attempts(system)


def test_method_200_violation_is_found_with_the_shortcut_and_confirmed_concretely() -> None:
    result = ProofResult("m200", "knr_only_after_authorization", "", "abstract", 0.0, "")
    ab.fill(result, SCENARIOS["m200"], ["knr_only_after_authorization"], {})
    assert result.verdict == "VIOLATED" and "found again" in result.detail and "attempts/UE=2" in result.detail
    assert result.trace[-1].startswith("ausf: querying_key --key_query_response-->")


def test_sometimes_twin_is_reachable_in_the_early_stop_system() -> None:
    scenario = SCENARIOS["m300.panf_udm"].with_bounds(attempts=3)
    system = ab.abstract_system(scenario, 1 << 2, stop_early=True)
    twin = bind_property(system, PROPERTIES["pc5_secured_by_pruk_id"]).expr
    prop = bind_property(system, PROPERTIES["knr_only_after_authorization"]).expr
    _, bad, _ = ab.compiled_search(system, {"twin": Not(twin), "prop": prop})
    assert "twin" in bad and "prop" not in bad  # a world where the twin holds is reached; the property holds


def test_the_shortcut_proves_what_the_per_bound_loop_proves_for_small_bounds() -> None:
    ids = ["knr_only_after_authorization", "no_knr_after_withdrawal"]
    scenario = SCENARIOS["m300.panf_udm"]
    one = ab.decide_many(scenario, ids, 3)
    loop = ab.decide_many(scenario, ids, 3, allow_shortcut=False)
    assert {v.verdict for v in one.values()} == {v.verdict for v in loop.values()} == {"HOLDS"}
    assert one[ids[0]].searches == 4 and loop[ids[0]].searches == 2 + 3 + 4
    assert "one search at attempts=3" in one[ids[0]].how


# -- one search instead of one per tracked attempt: the tracked attempt chosen when it begins --------------------

IDS = ["knr_only_after_authorization", "no_knr_after_withdrawal"]


@pytest.mark.parametrize("scenario_id", ["m300.panf_udm", "m400.panf_udm", "m300.panf_local", "m200"])
def test_the_choice_system_decides_as_the_separate_searches(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    one = ab.decide_many(scenario, IDS, 3, one_search=choice.decide_or_why)
    each = ab.decide_many(scenario, IDS, 3)
    assert {p: v.verdict for p, v in one.items()} == {p: v.verdict for p, v in each.items()}
    assert {v.searches for v in one.values()} == {1} and {v.searches for v in each.values()} <= {2, 3, 4}
    assert all("the tracked attempt chosen when it begins" in v.how and choice.RETIRES in v.how for v in one.values())


def _without_choice_ghosts(system: ab.System, world: tuple) -> tuple:
    drop = {system.slots[f"ghost.{choice.TRACKED}"], system.slots[f"ghost.{choice.UNTRACKED}"]}
    return tuple(v for i, v in enumerate(world) if i not in drop)


@pytest.mark.parametrize("scenario_id", ["m300.panf_udm", "m400.panf_udm"])
def test_every_world_of_each_search_is_a_world_of_the_choice_system_and_back(scenario_id: str) -> None:
    """Search n's worlds (masks cut to bit n) are the choice system's worlds with tracked = n, together
    with those with nothing tracked (every mask 0 there); the unused-bits search's are those with nothing
    tracked, cut to bits 0 and 15 (so 0)."""
    top = 3
    scenario = SCENARIOS[scenario_id].with_bounds(attempts=top, **SMALL)
    system = choice.choice_system(scenario)
    found = explore(system, engine="python")
    tracked = system.slots[f"ghost.{choice.TRACKED}"]
    by_tracked: dict[int, set] = {}
    for i in range(found.states):
        world = found.worlds[i]
        by_tracked.setdefault(world[tracked], set()).add(_without_choice_ghosts(system, world))
    assert sorted(by_tracked) == list(range(top + 1))
    untracked = by_tracked[0]
    masks = [slot for name, slot in build_system(scenario).slots.items()
             if name.startswith("ghost.") and name.split(".", 1)[1] in ab.MASKS]
    assert all(not any(w[m] for m in masks) for w in untracked)  # nothing tracked: every mask 0
    for n in range(1, top + 1):
        search = explore(ab.abstract_system(scenario, 1 << n, stop_early=True), engine="python")
        worlds = {tuple(search.worlds[i]) for i in range(search.states)}
        assert worlds <= by_tracked[n] | untracked and by_tracked[n] <= worlds
    unused = explore(ab.abstract_system(scenario, 0xFFFF & ~0b1110, stop_early=True), engine="python")
    assert {tuple(unused.worlds[i]) for i in range(unused.states)} == untracked


def test_a_seeded_mutant_is_found_by_the_choice_system() -> None:
    scenario = replace(SCENARIOS["m300.panf_udm"], mutants=("panf_skips_udm_check",))
    verdict = ab.decide_many(scenario, ["knr_only_after_authorization"], 3,
                             one_search=choice.decide_or_why)["knr_only_after_authorization"]
    assert verdict.verdict == "VIOLATED-ABSTRACT" and verdict.searches == 1 and "tracked attempt" in verdict.where


def test_sometimes_twin_is_reachable_in_the_choice_system() -> None:
    system = choice.choice_system(SCENARIOS["m300.panf_udm"].with_bounds(attempts=3))
    twin = bind_property(system, PROPERTIES["pc5_secured_by_pruk_id"]).expr
    prop = bind_property(system, PROPERTIES["knr_only_after_authorization"]).expr
    tracked_secured = system.bind(And(W(f"ghost.{choice.TRACKED}") > 0, W("ghost.pc5_secured") != 0), 0)
    _, bad, _ = ab.compiled_search(system, {"twin": Not(And(twin, tracked_secured)), "prop": prop})
    assert "twin" in bad and "prop" not in bad  # the tracked attempt is secured with the 5GPRUK ID


def test_a_mask_bit_of_an_attempt_not_begun_makes_the_choice_give_up() -> None:
    """A request that also sets the next attempt's bit: the untracked worlds are not all 0, so the choice
    system cannot stand for the separate searches; they decide."""
    system = choice.choice_system(SCENARIOS["m300.panf_udm"].with_bounds(attempts=3))
    table = system.instances[system.instance_of(0, "remote_ue")].table
    for tr in table.transitions:
        tr.ghost = [(g, e | (W("remote_ue.attempts_left") << 3) if g == "by_pruk_id" else e) for g, e in tr.ghost]
    _, bad, _ = ab.compiled_search(system, {choice.UNTRACKED_ZERO: choice.untracked_zero(system)})
    assert choice.UNTRACKED_ZERO in bad


def test_the_choice_is_refused_with_two_remote_ues() -> None:
    system = build_system(SCENARIOS["m300.panf_udm"].with_bounds(attempts=2, remote_ues=2))
    with pytest.raises(ab.ModelError, match="exactly one"):
        choice.check_choice(system)


# -- retiring the tracked attempt once no attempt value holds its number --------------------------------------------


def _moved(system: ab.System, world: tuple) -> tuple:
    """``r(world)``: the tracked attempt's mask bits moved to bit 15, the attempt retired."""
    tracked = world[system.slots[f"ghost.{choice.TRACKED}"]]
    out = list(world)
    for name, slot in system.slots.items():
        if name.startswith("ghost.") and name.split(".", 1)[1] in ab.MASKS:
            out[slot] = ((world[slot] >> tracked) & 1) << retire.RETIRED
    out[system.slots[f"ghost.{choice.TRACKED}"]] = retire.RETIRED
    out[system.slots[f"ghost.{choice.UNTRACKED}"]] = 0xFFFF ^ (1 << retire.RETIRED)
    return tuple(out)


@pytest.mark.parametrize("scenario_id", ["m300.panf_udm", "m400.ausf_udm"])
def test_retirement_simulates_the_choice_system(scenario_id: str) -> None:
    """Every world of the choice system is one of the retiring system's (up to the in-flight count), or its
    tracked attempt retired is; every retired world is a choice-system world with its attempt retired."""
    scenario = SCENARIOS[scenario_id].with_bounds(attempts=3, **SMALL)
    plain = choice.choice_system(scenario)
    retiring = choice.choice_system(scenario, retired=True)
    inflight = retiring.slots[f"ghost.{retire.INFLIGHT}"]
    assert {n: s for n, s in plain.slots.items()} == {n: s if s < inflight else s - 1 for n, s in retiring.slots.items()
                                                       if s != inflight}
    before = explore(plain, engine="python")
    after = explore(retiring, engine="python")
    kept = {tuple(v for i, v in enumerate(after.worlds[k]) if i != inflight) for k in range(after.states)}
    worlds = {tuple(before.worlds[k]) for k in range(before.states)}
    tracked = plain.slots[f"ghost.{choice.TRACKED}"]
    retired = {w for w in kept if w[tracked] == retire.RETIRED}
    assert retired and kept - retired <= worlds
    assert retired <= {_moved(plain, w) for w in worlds if 0 < w[tracked] < retire.RETIRED}
    assert all(w in kept or _moved(plain, w) in kept for w in worlds)
    assert len(kept) < len(worlds)


def test_the_attempt_values_are_nonce_1_and_its_copies() -> None:
    concrete = build_system(SCENARIOS["m400.panf_udm"].with_bounds(attempts=2))
    masks = [g for g in concrete.ghost_names if g in ab.MASKS]
    values = retire.attempt_values([inst.table for inst in concrete.instances], masks, 2)
    assert ("local", "remote_ue", "nonce_1") in values and ("msg", "direct_communication_request", "nonce_1") in values
    assert ("local", "ausf", "nonce_1") in values
    assert not any(name in ("pruk_gen", "knr", "attempts_left") for _, _, name in values)


@pytest.mark.parametrize("expr, reason", [(V("nonce_1") + 1, "computed"), (Const(3), "constant 3"),
                                          (Const(15), "constant 15")])
def test_an_attempt_value_that_is_not_a_copy_is_refused(expr: Any, reason: str) -> None:
    with pytest.raises(ab.ModelError, match=reason):
        retire.sources(expr, "remote_ue", "x", 14, True, "here")
    assert retire.sources(If(V("a") == 1, V("nonce_1"), M("nonce_1")), "r", "e", 14, True, "here") == [
        ("local", "r", "nonce_1"), ("msg", "e", "nonce_1")]
    assert retire.sources(Const(14) - V("attempts_left") + 1, "r", "e", 14, True, "here") == []
    with pytest.raises(ab.ModelError):  # the next attempt's number only where an attempt begins
        retire.sources(Const(14) - V("attempts_left") + 1, "r", "e", 14, False, "here")
    table = build_system(SCENARIOS["m300.panf_udm"].with_bounds(attempts=2)).instances[0].table
    begins = {tr.effect_name for tr in table.transitions if retire._fresh(table, tr)}
    assert table.role == "remote_ue" and "request_with_suci" in begins and "answer_eap" not in begins


def test_a_mask_update_that_singles_out_bit_15_is_refused() -> None:
    assert retire.bit_arguments("m", If(V("c") == 1, W("ghost.m").with_bit(V("n")), 0)) != []
    with pytest.raises(ab.ModelError, match="bit 15"):
        retire.bit_arguments("m", W("ghost.m") | 0x8000)


def test_a_property_that_tells_bit_15_apart_is_not_retired() -> None:
    system = build_system(SCENARIOS["m300.panf_udm"].with_bounds(attempts=2))
    ok = bind_property(system, PROPERTIES["knr_only_after_authorization"]).expr
    assert choice.retirement_refused(system, [ok]) == ""
    assert "bit 15" in choice.retirement_refused(system, [system.bind(W("ghost.knr_derived") < 0x100, 0)])
    assert "more than" in choice.retirement_refused(system, [system.bind(W("remote_ue.knr") == 0, 0)])


def _untracked(system: ab.System, world: tuple, bound: int) -> tuple:
    """The world of the same run in which no attempt was chosen: masks 0, nothing tracked, bits 1..made."""
    out = list(world)
    for name, slot in system.slots.items():
        if name.startswith("ghost.") and name.split(".", 1)[1] in ab.MASKS:
            out[slot] = 0
    made = bound - world[system.slots[f"remote_ue.{ab.COUNTER}"]]
    out[system.slots[f"ghost.{choice.TRACKED}"]] = 0
    out[system.slots[f"ghost.{choice.UNTRACKED}"]] = (1 << (made + 1)) - 2
    return tuple(out)


def test_a_tracked_attempt_is_retired_into_the_untracked_worlds() -> None:
    """With the catalogue properties (no step after the freeze turns them false) a frozen world's successors are
    untracked worlds of the same run: the retiring system's worlds are choice-system worlds, and every choice-system
    world it lacks is tracked, satisfies the properties, and has its untracked counterpart there."""
    top = 3
    scenario = SCENARIOS["m400.ausf_udm"].with_bounds(attempts=top, **SMALL)
    concrete = build_system(scenario)
    props = [bind_property(concrete, PROPERTIES[p]).expr for p in IDS]
    plain = choice.choice_system(scenario)
    merging = choice.choice_system(scenario, retired=True, props=props)
    inflight = merging.slots[f"ghost.{retire.INFLIGHT}"]
    before, after = explore(plain, engine="python"), explore(merging, engine="python")
    kept = {tuple(v for i, v in enumerate(after.worlds[k]) if i != inflight) for k in range(after.states)}
    worlds = {tuple(before.worlds[k]) for k in range(before.states)}
    tracked = plain.slots[f"ghost.{choice.TRACKED}"]
    judged = [ab.compile_py(plain.bind(bind_property(plain, PROPERTIES[p]).expr, 0)) for p in IDS]
    lacking = worlds - kept
    assert kept < worlds and all(w[tracked] > 0 and _untracked(plain, w, top) in kept for w in lacking)
    assert all(j(lambda scope, name, w=w: w[int(name)]) for w in lacking for j in judged)
    assert not any(w[tracked] == retire.RETIRED for w in kept)


def test_a_property_a_reset_can_falsify_keeps_the_retired_masks() -> None:
    concrete = build_system(SCENARIOS["m400.panf_udm"].with_bounds(attempts=2))
    masks = [g for g in concrete.ghost_names if g in ab.MASKS]
    tables = [inst.table for inst in concrete.instances]
    names = {slot: name for name, slot in concrete.slots.items()}
    props = [bind_property(concrete, PROPERTIES[p]).expr for p in IDS]
    assert retire.truth_kept(tables, masks, props, names)
    same = concrete.bind(W("ghost.begun_while_withdrawn") == W("ghost.knr_derived"), 0)  # the restoration's reset
    assert not retire.truth_kept(tables, masks, [same], names)


def test_a_refused_choice_leaves_the_separate_searches_and_says_why() -> None:
    scenario = SCENARIOS["m300.panf_udm"].with_bounds(attempts=2, remote_ues=2)
    chosen, how = choice.decide_or_why(scenario, IDS, 2, "early stop")
    assert chosen is None and how.startswith("early stop; one search per tracked attempt")
    assert "choice refused: 2 instances hold 'attempts_left'" in how
