"""Lossy links, duplication and quiet-network timers in the generic engine, on toy systems counted by hand."""

from __future__ import annotations

import pytest
from toy import Pinger, lossy_ping_pong, sleepers

from prosecheck.checker.liveness import state_graph, stuck
from prosecheck.checker.machine import ModelError
from prosecheck.checker.search import explore
from prosecheck.checker.system import DUPLICATED, LOST, Link, System


def test_a_lost_ping_is_recovered_by_the_pingers_timer():
    # idle -> waiting[ping] -> (pong answered -> idle) | (ping lost -> waiting, nothing in flight -> timer -> idle)
    e = explore(lossy_ping_pong(pings=1))
    assert (e.states, e.transitions) == (6, 5)
    assert e.complete and e.deadlocks == [] and e.unhandled == []
    faults = [label.fault for label in e.via if label is not None]
    assert faults.count(LOST) == 1


def test_without_a_timer_a_lost_ping_is_a_deadlock():
    e = explore(lossy_ping_pong(pings=1, pinger=Pinger))
    assert (e.states, e.transitions) == (5, 4)
    assert len(e.deadlocks) == 1


def test_the_fault_budget_bounds_the_losses():
    one, two = explore(lossy_ping_pong(pings=2, budget=1)), explore(lossy_ping_pong(pings=2, budget=2))
    assert one.states < two.states
    counter = one.system.slot("ghost.link_faults")
    assert max(w[counter] for w in one.worlds) == 1 and max(w[counter] for w in two.worlds) == 2


def test_a_duplicated_ping_is_handled_twice_and_its_second_pong_is_unhandled():
    e = explore(lossy_ping_pong(pings=1, duplication=True))
    assert any(label is not None and label.fault == DUPLICATED for label in e.via)
    assert e.unhandled, "the pinger, back at idle, has no transition for the second pong"


def test_timers_fire_only_when_quiet_and_the_last_instance_first():
    # two sleepers, both timers enabled from the start: only the second may fire first, then the first
    e = explore(sleepers(2))
    assert (e.states, e.transitions) == (3, 2)
    first = e.via[1]
    assert first is not None and first.instance == 1


def test_a_timer_waits_while_a_message_is_in_flight():
    system = lossy_ping_pong(pings=1)
    waiting = system.successors(system.initial())[0][0][1]  # the ping is on the wire
    labels = [label for label, _ in system.successors(waiting)[0]]
    assert all(system.instances[lb.instance].table.transitions[lb.transition].event != "timeout"
               for lb in labels if lb.transition >= 0)


def test_lossy_links_need_the_fault_counter_and_a_budget():
    base = lossy_ping_pong()
    with pytest.raises(ModelError, match="fault budget"):
        System(base.instances, [Link(0, 0, 1, "wire", 1, lossy=True)], ["pings_sent"], 1, base.message_fields,
               base.message_field_kinds, fault_budget=1)


def test_possibly_finds_the_first_world_with_no_way_to_the_goal():
    e = explore(lossy_ping_pong(pings=1, pinger=Pinger))
    graph = state_graph(e)
    answered = e.system.slot("ponger.last")
    # goal: the ponger answered; from the world where the ping was lost, it never will
    bad = stuck(graph, lambda w: True, lambda w: w[answered] == 1)
    assert bad is not None and e.worlds[bad][e.system.slot("ghost.link_faults")] == 1
    assert stuck(graph, lambda w: w[e.system.slot("ghost.link_faults")] == 0, lambda w: True) is None


@pytest.mark.parametrize("workers", [2, 3])
def test_lossy_searches_in_partitions_equal_the_sequential_search(workers):
    from test_parallel import same_exploration
    from toy import lossy_ping_pong as factory

    from prosecheck.checker.parallel import explore_parallel

    same_exploration(explore(factory(pings=2, duplication=True)),
                     explore_parallel(lambda: factory(pings=2, duplication=True), workers, local=True))
