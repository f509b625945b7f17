"""Liveness on toy state graphs: ``trigger ~> goal`` under weak fairness, and livelocks."""

from __future__ import annotations

from toy import looper_and_counter, waiter

from prosecheck.checker.liveness import leads_to, livelocks, state_graph
from prosecheck.checker.search import explore


def _graph(system):
    return state_graph(explore(system))


def test_an_unfair_cycle_does_not_count_against_a_goal_the_counter_reaches():
    # The looper can toggle forever while the counter never moves; weak fairness rules that out.
    graph = _graph(looper_and_counter(limit=2))
    slot = graph.exploration.system.slots["counter.n"]
    assert leads_to(graph, lambda w: w[slot] == 0, lambda w: w[slot] == 2) is None


def test_a_goal_never_reached_gives_a_fair_lasso():
    graph = _graph(looper_and_counter(limit=2))
    slot = graph.exploration.system.slots["counter.n"]
    lasso = leads_to(graph, lambda w: w[slot] == 0, lambda w: w[slot] == 3)
    assert lasso is not None and not lasso.ends_in_terminal
    assert lasso.stem == [0]
    # the cycle returns to where it started, and it is the looper that keeps moving
    start = lasso.tail[-1][0] if lasso.tail else lasso.stem[-1]
    assert lasso.cycle[-1][0] == start
    looper = graph.exploration.system.instances.index(
        next(i for i in graph.exploration.system.instances if i.name == "looper"))
    assert {label.instance for _, label in lasso.cycle} == {looper}


def test_a_deadlock_on_the_way_is_a_lasso_ending_in_a_terminal_world():
    graph = _graph(waiter())
    system = graph.exploration.system
    slot = system.slots["pinger.state"]
    waiting = system.instances[0].table.state_index("waiting")
    lasso = leads_to(graph, lambda w: w[slot] == waiting, lambda w: w[slot] != waiting)
    assert lasso is not None and lasso.ends_in_terminal and lasso.cycle == []


def test_a_trigger_that_never_happens_is_vacuously_satisfied():
    graph = _graph(waiter())
    assert leads_to(graph, lambda w: False, lambda w: False) is None


def test_a_cycle_with_no_final_world_and_no_way_out_is_a_livelock():
    restless = _graph(looper_and_counter(limit=1, restless=True))
    found = livelocks(restless, restless.exploration.system.is_final)
    assert len(found) == 1 and len(found[0]) == 2  # counter at its limit, looper on or off
    calm = _graph(looper_and_counter(limit=1))
    assert livelocks(calm, calm.exploration.system.is_final) == []


def test_a_deadlock_is_not_a_livelock():
    graph = _graph(waiter())
    assert livelocks(graph, graph.exploration.system.is_final) == []


def _ends_well(system, world) -> bool:
    """Independent of the graph code: some run from ``world`` reaches a final world (plain BFS)."""
    seen, frontier = {world}, [world]
    while frontier:
        w = frontier.pop()
        if system.is_final(w):
            return True
        for _, nxt in system.successors(w)[0]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


def test_a_deadlock_counterexample_names_the_step_that_made_it_unavoidable():
    from prosecheck.diagrams.msc import build_chart
    from prosecheck.report.text import format_trace
    from prosecheck.scenarios.catalog import SCENARIOS
    from prosecheck.verify import check_scenario

    r = check_scenario(SCENARIOS["m200@pc5_attacker"], ["knr_agreement"], keep_exploration=True)
    p, ex = r.properties["deadlock_free"], r.exploration
    assert p.verdict == "VIOLATED" and p.trace is not None and ex is not None
    path = ex.path_to(p.world)
    k = p.decisive_step
    assert k is not None and k < len(p.trace)  # not merely the last step
    system = ex.system
    assert _ends_well(system, ex.worlds[path[k - 1]]) and not _ends_well(system, ex.worlds[path[k]])
    assert p.trace[k - 1].element == "attacker"  # the attacker's drop, not the operator's later restore
    text = format_trace(p.trace, "violates deadlock_free", k)
    assert "from here no final world can be reached" in next(line for line in text if line.startswith(f"  {k:>3}."))
    chart = build_chart([s.as_dict() for s in p.trace], r.elements, "t", "violates deadlock_free", decisive=k)
    hot = {e.number for e in chart.events if e.highlight}  # the step, and the arrow of the message it handled
    assert k in hot and max(hot) == k and chart.marker.endswith(f"step {k} made it unavoidable")
