"""The generic engine on toy systems whose state spaces are counted by hand."""

from __future__ import annotations

import pytest
from toy import Pinger, Ponger, counters, ping_pong, waiter

from prosecheck.checker.expr import V, W
from prosecheck.checker.judge import disagreements, judge
from prosecheck.checker.machine import ModelError, compile_element, parse_condition
from prosecheck.checker.search import Limits, explore


def test_ping_pong_two_rounds_has_seven_states_in_a_line():
    # idle/0 -> waiting/1 [ping] -> waiting/1 [pong] -> idle/1 -> waiting/2 [ping] -> ... -> idle/2
    e = explore(ping_pong(pings=2))
    assert (e.states, e.transitions, e.max_depth) == (7, 6, 6)
    assert e.complete and e.deadlocks == [] and e.unhandled == []


def test_every_transition_fires_in_ping_pong_except_the_ignoring_one():
    e = explore(ping_pong(pings=1))
    system = e.system
    fired = {system.instances[i].table.transitions[t].effect_name for i, t in e.fired}
    assert fired == {"send_ping", "got_pong", "answer"}


def test_independent_counters_give_the_product_of_their_spaces():
    # two counters 0..2: 3 x 3 worlds; each world has one step per counter below the limit
    e = explore(counters(limit=2, copies=2))
    assert (e.states, e.transitions, e.max_depth) == (9, 12, 4)


def test_a_nondeterministic_choice_gives_one_successor_per_enabled_branch():
    # n in 0..3; from n<3 both "increment" and "jump" are enabled (jump from 2 lands on 3 too)
    e = explore(counters(limit=3, copies=1, jump=True))
    assert (e.states, e.transitions) == (4, 6)


def test_a_world_waiting_for_a_message_nobody_sends_is_a_deadlock():
    e = explore(waiter())
    assert (e.states, e.transitions) == (2, 1)
    assert e.deadlocks == [1]


def test_a_message_with_no_transition_in_the_receivers_state_is_reported_unhandled():
    from toy import Deaf

    e = explore(ping_pong(pings=1, ponger=Deaf))
    assert len(e.unhandled) == 1
    world, unhandled = e.unhandled[0]
    assert unhandled.message == ("ping", (1,))
    assert e.system.instances[unhandled.instance].name == "ponger"


def test_a_send_to_a_full_link_blocks_the_step():
    # with capacity 1 the pinger cannot have two pings in flight; the space is the same line
    assert explore(ping_pong(pings=2, capacity=1)).states == 7


def test_the_state_limit_stops_the_search_and_says_so():
    e = explore(counters(limit=5, copies=2), Limits(max_states=10))
    assert not e.complete and e.stopped == "max-states 10"
    assert 10 <= e.states < 36


def test_shortest_counterexample_comes_from_breadth_first_parents():
    e = explore(ping_pong(pings=2))
    system = e.system
    count = W("pinger.count")
    expr = system.bind(count <= 1, 0)
    found = judge(expr, system.slot_refs(expr), e, want=False)
    assert found.found and e.depth[found.world] == 4  # two pings sent takes four steps
    assert len(e.path_to(found.world)) == 5


def test_an_invariant_that_holds_has_no_violating_valuation():
    e = explore(ping_pong(pings=2))
    expr = e.system.bind(W("pinger.count") <= 2, 0)
    assert not judge(expr, e.system.slot_refs(expr), e, want=False).found


def test_a_reachability_property_finds_its_earliest_witness():
    e = explore(ping_pong(pings=2))
    expr = e.system.bind(W("ponger.last") == 2, 0)
    found = judge(expr, e.system.slot_refs(expr), e, want=True)
    assert found.found and e.depth[found.world] == 5


def test_ghost_facts_are_written_by_effects():
    e = explore(ping_pong(pings=2))
    expr = e.system.bind(W("ghost.pings_sent") == 2, 0)
    assert judge(expr, e.system.slot_refs(expr), e, want=True).found
    assert disagreements(expr, e.system.slot_refs(expr), e) == []


def test_search_is_deterministic():
    """Two searches of the same system store the same worlds with the same parents (whichever engine runs:
    the compiled one when an earlier test left this system's library in the cache)."""
    a, b = explore(counters(limit=3, copies=3)), explore(counters(limit=3, copies=3))
    assert a.states == b.states > 1
    assert list(a.worlds) == list(b.worlds) and list(a.parent) == list(b.parent)


def test_conditions_are_parsed_with_not_and_or_and_parentheses():
    guards = {"a": W("x") == 1, "b": W("y") == 1}
    expr = parse_condition("not (a or !b) and b", guards, "test")
    from prosecheck.checker.expr import evaluate

    assert evaluate(expr, {("world", "x"): 0, ("world", "y"): 1}) is True
    assert evaluate(expr, {("world", "x"): 1, ("world", "y"): 1}) is False


@pytest.mark.parametrize(
    "cond, message",
    [("missing", "unknown guard"), ("more and (more", "ends too early"), ("more more", "cannot parse")],
)
def test_malformed_conditions_are_model_errors(cond, message):
    with pytest.raises(ModelError, match=message):
        parse_condition(cond, {"more": W("x") == 0}, "test")


def test_an_option_the_scenario_does_not_set_is_a_model_error():
    with pytest.raises(ModelError, match="option 'pings'"):
        compile_element(Pinger, {}, {"ping": ("n",), "pong": (), "other": ()})


def test_a_transition_whose_guard_folds_to_false_is_pruned():
    from toy import Counter

    table = compile_element(Counter, {"limit": 2, "jump": 0}, {"ping": ("n",), "pong": (), "other": ()})
    assert [t.effect_name for t in table.transitions] == ["increment"]
    assert table.pruned and "jump" in table.pruned[0]


def test_compiled_ponger_replies_to_the_sender():
    e = explore(ping_pong(pings=1))
    labels = [e.via[i] for i in range(1, e.states)]
    answer = next(lb for lb in labels if lb is not None and lb.instance == 1)
    assert answer.sends == ((1, ("pong", ())),)
    assert Ponger.ROLE == "ponger"


def test_unless_is_compiled_as_the_negated_condition():
    from statemachine import State, StateMachine

    from prosecheck.checker.machine import Effect, ElementRules, Var

    class Gate(ElementRules, StateMachine):
        ROLE, TITLE = "gate", "Gate"
        a = State("A", initial=True)
        b = State("B", final=True)
        go = a.to(b, unless="big", on="step") | a.to(a, cond="big", on="stay")
        LOCAL_EVENTS = frozenset({"go"})
        VARIABLES = (Var("n", 0),)
        GUARDS = {"big": V("n") > 5}
        EFFECTS = {"step": Effect("step", "T9"), "stay": Effect("stay", "T9")}

    table = compile_element(Gate, {}, {})
    assert [t[0].effect_name for t in table.step(0, (1,), "go", None)] == ["step"]
    assert [t[0].effect_name for t in table.step(0, (9,), "go", None)] == ["stay"]


def test_the_time_limit_stops_the_search_and_says_so():
    e = explore(counters(limit=9, copies=3), Limits(max_seconds=1e-9))
    assert not e.complete and e.stopped.startswith("max-seconds")
    assert e.states < 1000


def test_an_interrupt_stops_the_search_with_a_consistent_partial_result(monkeypatch):
    system = counters(limit=5, copies=2)
    calls = {"n": 0}
    original = system.successors

    def interrupting(world):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(world)

    monkeypatch.setattr(system, "successors", interrupting)
    e = explore(system)
    assert e.stopped == "interrupted" and not e.complete
    assert len(e.worlds) == len(e.parent) == len(e.via) == len(e.depth) == e.states
