"""Differential test: the compiled element tables against live python-statemachine machines.

For each scenario, steps sampled from the breadth-first search are replayed on live machines
(:mod:`prosecheck.checker.live`), which evaluate the raw rules, and must agree with the compiled
step on the target state, the locals and the messages sent."""

from __future__ import annotations

from dataclasses import replace

import pytest

from prosecheck.checker.live import LiveElement, LiveError, check_step
from prosecheck.checker.search import Exploration, explore
from prosecheck.checker.system import Label, System
from prosecheck.model.build import build_system, live_elements, options_of
from prosecheck.model.elements import AusfRemote
from prosecheck.model.messages import field_names
from prosecheck.model.terms import RESULT_FORBIDDEN
from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS, SCENARIOS, Scenario

SAMPLES = 50
MUTANT_SCENARIOS = (
    SCENARIOS["m300.ausf_udm"].with_mutants("ausf_ignores_check_result"),
    SCENARIOS["m300.panf_udm"].with_mutants("panf_skips_udm_check"),
    SCENARIOS["m200"].with_mutants("ausf_eap_never_verifies"),
    SCENARIOS["m200"].with_mutants("ue_knr_without_nonce_2"),
)


_CACHE: dict[str, tuple[System, Exploration, dict[str, LiveElement]]] = {}


def _explored(scenario: Scenario) -> tuple[System, Exploration, dict[str, LiveElement]]:
    if scenario.id in _CACHE:
        return _CACHE[scenario.id]
    system = build_system(scenario)
    exploration = explore(system)
    live = live_elements(scenario)  # with the threat model's attacker and redirected PC5 sends, if any
    _CACHE[scenario.id] = system, exploration, live
    return _CACHE[scenario.id]


def _sampled_worlds(exploration: Exploration) -> list[int]:
    """Every world on the BFS path to 50 evenly spaced world indices (the initial world excluded)."""
    n = exploration.states
    targets = sorted({round(k * (n - 1) / (SAMPLES - 1)) for k in range(SAMPLES)})
    return sorted({w for t in targets for w in exploration.path_to(t) if exploration.parent[w] >= 0})


def _replay(
    scenario: Scenario, world: int, label: Label | None = None, child: tuple | None = None,
    live: LiveElement | None = None,
) -> list[str]:
    """Replay the step into ``world`` (or a tampered ``label`` / ``child``) on a live machine."""
    system, exploration, machines = _explored(scenario)
    label = label or exploration.via[world]
    assert label is not None
    parent = exploration.worlds[exploration.parent[world]]
    machine = live or machines[system.instances[label.instance].role]
    return check_step(system, machine, parent, label, child or exploration.worlds[world])


def _role(scenario: Scenario, world: int) -> str:
    """The role of the instance whose step reached ``world``."""
    system, exploration, _ = _explored(scenario)
    label = exploration.via[world]
    assert label is not None
    return system.instances[label.instance].role


def _find(scenario: Scenario, role: str, effect: str) -> int:
    """The first world reached by ``role`` firing ``effect``."""
    system, exploration, _ = _explored(scenario)
    for w, label in enumerate(exploration.via):
        if label is not None and system.instances[label.instance].role == role:
            if system.instances[label.instance].table.transitions[label.transition].effect_name == effect:
                return w
    raise AssertionError(f"{role} never fires {effect} in {scenario.id}")


@pytest.mark.parametrize("scenario", DEFAULT_SCENARIOS + MUTANT_SCENARIOS, ids=lambda s: s.id)
def test_sampled_steps_agree_with_live_machines(scenario: Scenario) -> None:
    system, exploration, _ = _explored(scenario)
    assert exploration.complete
    worlds = _sampled_worlds(exploration)
    mismatches = [m for w in worlds for m in _replay(scenario, w)]
    assert mismatches == []
    roles = {_role(scenario, w) for w in worlds}
    assert len(worlds) >= SAMPLES and roles == {system.instances[i].role for i, _ in exploration.fired}


@pytest.mark.parametrize("scenario", DEFAULT_SCENARIOS, ids=lambda s: s.id)
def test_live_initial_values_match_compiled_tables(scenario: Scenario) -> None:
    system, _, live = _explored(scenario)
    for inst in system.instances:
        machine = LiveElement(inst.table.cls, options_of(scenario), field_names())
        assert machine.state == inst.table.state_ids[inst.table.initial_state]
        assert tuple(machine.local[n] for n in machine.var_names) == inst.table.initial_locals
        assert live[inst.role].var_names == inst.table.var_names


def test_a_forced_choice_fires_even_when_an_earlier_transition_is_enabled() -> None:
    """S215a: EAP verification succeeds or (fault) fails; both transitions are enabled at once."""
    live = LiveElement(AusfRemote, options_of(SCENARIOS["m200"]), field_names())
    local = tuple(1 for _ in live.var_names)
    eap_2 = tuple(1 for _ in field_names()["prose_authentication_request_2"])
    expected = {None: "storing_key", "refuse_failed_eap": "idle", "verify_eap_and_derive_pruk": "storing_key"}
    for forced, target in expected.items():
        live.restore("authenticating", local)
        step = live.step("prose_authentication_request_2", eap_2, forced=forced)
        assert (step.effect, step.state) == (forced or "verify_eap_and_derive_pruk", target)
    live.restore("authenticating", local)
    with pytest.raises(LiveError, match="enables no transition"):
        live.step("prose_authentication_request_2", eap_2, forced="refuse_unauthorized_ue")


def test_a_tampered_message_field_that_falsifies_the_guard_is_detected() -> None:
    scenario = SCENARIOS["m200"]
    world = _find(scenario, "ausf", "start_eap")
    assert _replay(scenario, world) == []
    label = _explored(scenario)[1].via[world]
    assert label is not None and label.message is not None
    name, fields = label.message
    result = field_names()[name].index("result")
    tampered = replace(label, message=(name, fields[:result] + (RESULT_FORBIDDEN,) + fields[result + 1 :]))
    [mismatch] = _replay(scenario, world, label=tampered)
    assert "enables no transition with effect start_eap" in mismatch


def test_a_tampered_target_state_locals_or_send_is_detected() -> None:
    scenario = SCENARIOS["m300.ausf_udm"]
    system, exploration, _ = _explored(scenario)
    world = _find(scenario, "ausf", "derive_knr_after_check")
    label = exploration.via[world]
    assert label is not None and label.sends
    i = label.instance
    child = list(exploration.worlds[world])
    state_slot = system.slot(f"{system.instances[i].name}.state")
    wrong_state = list(child)
    wrong_state[state_slot] = (child[state_slot] + 1) % len(system.instances[i].table.state_ids)
    assert any("state compiled" in m for m in _replay(scenario, world, child=tuple(wrong_state)))
    wrong_local = list(child)
    wrong_local[system.slot(f"{system.instances[i].name}.nonce_2_count")] += 1
    assert any("locals compiled" in m for m in _replay(scenario, world, child=tuple(wrong_local)))
    (link, (message, values)), *rest = label.sends
    wrong_send = replace(label, sends=((link, (message, (values[0] ^ 1, *values[1:]))), *rest))
    assert any("sends compiled" in m for m in _replay(scenario, world, label=wrong_send))


def test_rules_the_compiled_tables_did_not_see_are_detected() -> None:
    """Live machines without a seeded mutant's rewrite disagree with the mutant's tables."""
    scenario = SCENARIOS["m300.ausf_udm"].with_mutants("ausf_ignores_check_result")
    honest = LiveElement(AusfRemote, options_of(scenario), field_names())
    worlds = range(1, _explored(scenario)[1].states)
    mismatches = [m for w in worlds if _role(scenario, w) == "ausf" for m in _replay(scenario, w, live=honest)]
    assert mismatches and all("derive_knr_after_check" in m for m in mismatches)
