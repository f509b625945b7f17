"""The library examples (examples/): counts pinned and equal to SPIN's through the Promela export,
verdicts pinned, and each broken variant caught with a shortest counterexample (issue 20)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from examples import abp, lock_server, peterson, philosophers
from prosecheck.checker.api import HOLDS, VIOLATED, Model, check
from prosecheck.checker.search import explore
from prosecheck.export.promela import to_promela
from prosecheck.export.spin import available, run_spin

needs_spin = pytest.mark.skipif(not available(), reason="spin and gcc not installed (.ci/run installs them)")

# name: (model, invariants, reachable, states, transitions, properties not HOLDS); the counts are SPIN's
# ("states, stored" and "transitions" minus the initial one, -DNOREDUCE) and prosecheck's, which agree
EXAMPLES: dict[str, tuple[Callable[[], Model], dict, dict, int, int, set[str]]] = {
    "peterson": (peterson.model, peterson.INVARIANTS, peterson.REACHABLE, 20, 34, set()),
    "peterson.turn_first": (lambda: peterson.model(turn_first=True), peterson.INVARIANTS, peterson.REACHABLE,
                            32, 60, {"mutual_exclusion"}),
    "philosophers": (philosophers.model, philosophers.INVARIANTS, philosophers.REACHABLE, 14, 27,
                     {"deadlock_free"}),
    "philosophers.asymmetric": (lambda: philosophers.model(asymmetric=True), philosophers.INVARIANTS,
                                philosophers.REACHABLE, 12, 22, set()),
    "philosophers.careless": (lambda: philosophers.model(careless=True), philosophers.INVARIANTS,
                              philosophers.REACHABLE, 26, 55, {"neighbours_never_eat_together"}),
    "abp": (abp.model, abp.INVARIANTS, abp.REACHABLE, 31, 38, set()),
    "abp.budget_1": (lambda: abp.model(budget=1), abp.INVARIANTS, abp.REACHABLE, 19, 21, set()),
    "abp.no_bit": (lambda: abp.model(broken=True), abp.INVARIANTS, abp.REACHABLE, 51, 58, {"delivered_in_order"}),
    "lock_server": (lock_server.model, lock_server.INVARIANTS, lock_server.REACHABLE, 29, 46, set()),
    "lock_server.grant_always": (lambda: lock_server.model(broken=True), lock_server.INVARIANTS,
                                 lock_server.REACHABLE, 65, 120, {"mutual_exclusion", "a_client_waits_for_the_other"}),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_counts_and_verdicts(name: str) -> None:
    build, invariants, reachable, states, transitions, failing = EXAMPLES[name]
    result = check(build(), invariants, reachable)
    assert (result.states, result.transitions) == (states, transitions)
    assert {n for n, v in result.verdicts.items() if v.verdict != HOLDS} == failing
    assert set(result.verdicts) == set(invariants) | set(reachable) | {"deadlock_free", "messages_handled"}


@needs_spin
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_spin_counts_each_example_like_prosecheck(name: str) -> None:
    build, *_, states, transitions, _ = EXAMPLES[name]
    spin = run_spin(to_promela(build().system()), optimize=False)
    assert (spin.states, spin.edges) == (states, transitions)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_properties_add_no_state(name: str) -> None:
    """Invariants are judged on the reached worlds: no ghost variable, the search alone gives the counts."""
    build, *_, states, transitions, _ = EXAMPLES[name]
    plain = explore(build().system())
    assert (plain.states, plain.transitions) == (states, transitions)


def _shortest(name: str, prop: str) -> tuple[int, int]:
    """(length of the reported trace, depth of the first violating world found by an independent scan)."""
    build, invariants, reachable, *_ = EXAMPLES[name]
    result = check(build(), invariants, reachable)
    verdict = result[prop]
    assert verdict.verdict == VIOLATED
    ex = result.exploration
    if prop == "deadlock_free":
        return len(verdict.trace), min(ex.depth[w] for w in ex.deadlocks)
    from prosecheck.checker.api import bind
    from prosecheck.checker.expr import compile_py
    holds = compile_py(bind(result.system, invariants[prop]))
    bad = [i for i, w in enumerate(ex.worlds) if not holds(lambda scope, n, w=w: w[int(n)])]
    return len(verdict.trace), min(ex.depth[i] for i in bad)


def test_peterson_without_flag_first_lets_both_in_shortest() -> None:
    length, depth = _shortest("peterson.turn_first", "mutual_exclusion")
    assert length == depth == 6


def test_philosophers_deadlock_when_each_holds_the_left_fork() -> None:
    build, invariants, reachable, *_ = EXAMPLES["philosophers"]
    result = check(build(), invariants, reachable)
    trace = result["deadlock_free"].trace
    assert [step.action.split(" ")[0:3] for step in trace] == [["thinking", "--take_first-->", "one_fork"]] * 3
    assert _shortest("philosophers", "deadlock_free") == (3, 3)


def test_careless_philosophers_eat_with_one_fork_shortest() -> None:
    length, depth = _shortest("philosophers.careless", "neighbours_never_eat_together")
    assert length == depth


def test_abp_without_the_bit_delivers_a_duplicate_shortest() -> None:
    build, invariants, reachable, *_ = EXAMPLES["abp.no_bit"]
    trace = check(build(), invariants, reachable)["delivered_in_order"].trace
    assert "loses ack" in trace[2].action and "retransmit" in trace[3].action
    assert trace[-1].changes["receiver.delivered"] == 2
    assert _shortest("abp.no_bit", "delivered_in_order") == (5, 5)


def test_lock_server_granting_every_request_lets_both_clients_hold_the_lock_shortest() -> None:
    """Both requests share one channel; the broken server grants the second while the first client holds it."""
    build, invariants, reachable, *_ = EXAMPLES["lock_server.grant_always"]
    trace = check(build(), invariants, reachable)["mutual_exclusion"].trace
    handled = [step.action for step in trace if step.actor == "server"]
    assert handled == ["serving --acquire--> serving [on_acquire] on acquire(1)",
                       "serving --acquire--> serving [on_acquire] on acquire(2)"]
    assert _shortest("lock_server.grant_always", "mutual_exclusion") == (6, 6)


def test_lock_server_exports_one_channel_for_both_clients_and_guards_its_grants() -> None:
    text = to_promela(lock_server.model().system())
    assert text.count("l0!m_acquire") == 2 and "chan l0 = [2]" in text and "client1|client2 -> server" in text
    assert "!((w_server_owner == 0))" in text  # the "not granted" alternative of the conditional send
