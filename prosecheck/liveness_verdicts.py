"""Verdicts of the properties judged on the state graph: ``eventually``, ``possibly``, livelocks.

The graph is the one the search recorded (:mod:`prosecheck.checker.liveness`); a property's
trigger and goal are per-world boolean arrays, each formula evaluated once per distinct
valuation of its slots (:mod:`prosecheck.checker.projection`). Traces are built later, for the
reported worlds only (:mod:`prosecheck.verify`)."""

from __future__ import annotations

import numpy as np

from prosecheck.checker.expr import Expr, compile_py
from prosecheck.checker.liveness import AtWorlds, LivenessGraph, SlotTest, state_graph
from prosecheck.checker.search import Exploration
from prosecheck.model.build import bind_formula
from prosecheck.properties.catalog import Property
from prosecheck.results import BUILTIN, INCONCLUSIVE, PropertyResult
from prosecheck.scenarios.catalog import HOLDS, VIOLATED, Scenario
from prosecheck.trace_steps import describe_slot, describe_world

NEEDS_GRAPH = ("liveness needs the complete state graph of a search without limits, symmetry reduction or hash "
               "compaction")


def graph_of(exploration: Exploration) -> LivenessGraph | None:
    """The recorded state graph, or None where liveness cannot be judged: an exhaustive search
    without symmetry reduction (quotient edges) or hash compaction (omitted worlds) is needed."""
    usable = exploration.complete and not exploration.symmetry and not exploration.probabilistic
    return state_graph(exploration) if usable else None


def world_test_expr(exploration: Exploration, prop: Property, formula_of: str) -> Expr:
    """The property's trigger (for some remote UE) or goal (for every remote UE) over world slots."""
    formula = prop.formula if formula_of == "goal" else prop.trigger
    assert formula is not None
    return bind_formula(exploration.system, formula, "and" if formula_of == "goal" else "or")


def world_slot_test(exploration: Exploration, prop: Property, formula_of: str) -> SlotTest:
    """The property's trigger or goal as a test of the slots it reads (judged per distinct valuation)."""
    expr = world_test_expr(exploration, prop, formula_of)
    fn = compile_py(expr)
    return SlotTest(tuple(exploration.system.slot_refs(expr)),
                    lambda values: bool(fn(lambda scope, name: values[int(name)])))


def world_test(exploration: Exploration, prop: Property, formula_of: str) -> np.ndarray:
    """Per stored world, whether the property's trigger or goal holds."""
    test = world_slot_test(exploration, prop, formula_of)
    return exploration.projector().marks(test.slots, test.predicate)


def final_test(exploration: Exploration) -> SlotTest:
    """Whether a world is final (:meth:`~prosecheck.checker.system.System.is_final`), as a test of the slots
    finality reads: no world is decoded."""
    system = exploration.system
    return SlotTest(tuple(system.final_slots()), system.is_final_valuation)


def judge_possibly(prop: Property, scenario: Scenario, exploration: Exploration,
                   graph: LivenessGraph | None) -> PropertyResult:
    """``AG (trigger -> EF goal)`` on the state graph: a trigger world with no way to the goal is a
    counterexample (its trace is the shortest path to the first such world); the detail says
    what it looks like."""
    expected = scenario.expected_verdict(prop.id)
    if graph is None:
        return PropertyResult(prop.id, prop.kind, INCONCLUSIVE, expected, prop.statement, str(prop.ref),
                              detail=NEEDS_GRAPH)
    system = exploration.system
    assert prop.trigger is not None
    world = graph.stuck(world_slot_test(exploration, prop, "trigger"), world_slot_test(exploration, prop, "goal"))
    if world is None:
        return PropertyResult(prop.id, prop.kind, HOLDS, expected, prop.statement, str(prop.ref))
    found = exploration.worlds[world]
    shown = [f"{name}={describe_slot(system, name, system.value(found, system.group_slot(0, name)))}" for name in prop.shows]
    detail = (f"from the last world no run reaches the goal: {describe_world(system, found)}"
              + (f"; {', '.join(shown)}" if shown else ""))
    return PropertyResult(prop.id, prop.kind, VIOLATED, expected, prop.statement, str(prop.ref), world=world,
                          detail=detail)


def judge_eventually(prop: Property, scenario: Scenario, exploration: Exploration,
                     graph: LivenessGraph | None) -> PropertyResult:
    """``trigger ~> goal`` on the state graph: a lasso is a counterexample."""
    expected = scenario.expected_verdict(prop.id)
    if graph is None:
        return PropertyResult(prop.id, prop.kind, INCONCLUSIVE, expected, prop.statement, str(prop.ref),
                              detail=NEEDS_GRAPH)
    trigger = world_slot_test(exploration, prop, "trigger") if prop.trigger else AtWorlds((0,))  # else from the start
    lasso = graph.leads_to(trigger, world_slot_test(exploration, prop, "goal"))
    if lasso is None:
        return PropertyResult(prop.id, prop.kind, HOLDS, expected, prop.statement, str(prop.ref))
    steps = [*lasso.tail, *lasso.cycle]
    start = len(lasso.stem) - 1
    if lasso.ends_in_terminal:
        stop = start + len(lasso.tail)
        detail = (f"the obligation starts at step {start}; at step {stop} the run reaches a world with no successor "
                  "where the goal does not hold")
    else:
        detail = (f"the obligation starts at step {start}; from step {start + len(lasso.tail)} the run loops through "
                  f"{len(lasso.cycle)} step(s) forever, fairly, without reaching the goal")
    return PropertyResult(prop.id, prop.kind, VIOLATED, expected, prop.statement, str(prop.ref), world=lasso.stem[-1],
                          detail=detail, tail=steps)


def judge_livelocks(expected: str, exploration: Exploration, graph: LivenessGraph | None) -> PropertyResult:
    """``livelock_free``: no bottom strongly connected component with a cycle and no final world."""
    if graph is None:
        return PropertyResult("livelock_free", "always", INCONCLUSIVE, expected, BUILTIN["livelock_free"], "DESIGN.md")
    found = graph.livelocks(final_test(exploration))
    first = min(found[0]) if found else None
    return PropertyResult(
        "livelock_free", "always", VIOLATED if found else HOLDS, expected, BUILTIN["livelock_free"], "DESIGN.md",
        world=first, detail=f"{len(found)} livelock(s); the first has {len(found[0])} world(s)" if found else "")


__all__ = ["NEEDS_GRAPH", "final_test", "graph_of", "judge_eventually", "judge_livelocks", "judge_possibly",
           "world_slot_test", "world_test", "world_test_expr"]
