"""Check one scenario: build the system, explore it, let Z3 judge every property.

This is the library entry point the CLI calls; it returns plain data (:class:`ScenarioResult`)
that the reporters print as text or JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prosecheck.checker.expr import Expr, compile_py
from prosecheck.checker.judge import judge, maximum
from prosecheck.checker.live import check_step, replay_path
from prosecheck.checker.liveness import StateGraph, leads_to, livelocks, state_graph, stuck
from prosecheck.checker.search import Exploration, Limits, Progress, explore
from prosecheck.checker.system import Label, System, World
from prosecheck.model.build import bind_formula, bind_property, build_system, live_elements, options_of
from prosecheck.model.scenarios import HOLDS, VIOLATED, Scenario
from prosecheck.properties.catalog import PROPERTIES, Property
from prosecheck.report.trace import TraceStep, build_trace, describe_message, describe_slot, describe_world

if TYPE_CHECKING:
    from prosecheck.ledger import Entry

INCONCLUSIVE = "INCONCLUSIVE"
NOT_APPLICABLE = "n/a"

# Exit codes (README): the worst mismatch over all scenarios wins, in this order.
EXIT_OK, EXIT_INPUT, EXIT_INCONCLUSIVE, EXIT_DEADLOCK, EXIT_VIOLATION, EXIT_UNREACHED = 0, 2, 10, 11, 12, 13
_PRIORITY = (EXIT_VIOLATION, EXIT_DEADLOCK, EXIT_UNREACHED, EXIT_INCONCLUSIVE)

BUILTIN = {
    "deadlock_free": "every reachable world that is not final (all elements at rest, links empty) has a successor",
    "messages_handled": "no message reaches an element in a state that neither handles nor explicitly ignores it",
    "livelock_free": "no reachable set of worlds keeps the system moving forever without a way to a final world "
                     "(a bottom strongly connected component with a cycle and no final world)",
}


@dataclass
class PropertyResult:
    id: str
    kind: str  # "always" | "sometimes"
    verdict: str
    expected: str
    statement: str
    ref: str
    trace: list[TraceStep] | None = None
    world: int | None = None  # index of the world the trace leads to
    distinct_valuations: int = 0
    detail: str = ""
    replay: list[str] | None = None  # None: no trace; []: every step confirmed by live machines
    probabilistic: bool = False  # HOLDS/UNREACHED from a hash-compacted search: a world may have been omitted
    tail: list[tuple[int, Label]] = field(default_factory=list)  # a liveness lasso's steps after ``world``
    value: int | None = None  # a measure's figure (exact when the verdict is HOLDS, else a lower bound)
    proved_by: Entry | None = None  # a HOLDS also proved without bounds (the proof ledger, prosecheck.ledger)

    @property
    def as_expected(self) -> bool:
        return self.verdict == self.expected

    @property
    def exit_code(self) -> int:
        if self.as_expected:
            return EXIT_OK
        if self.verdict == INCONCLUSIVE:
            return EXIT_INCONCLUSIVE
        if self.id in ("deadlock_free", "livelock_free"):
            return EXIT_DEADLOCK
        return EXIT_UNREACHED if self.kind == "sometimes" else EXIT_VIOLATION


@dataclass
class ScenarioResult:
    scenario: Scenario
    states: int
    transitions: int
    depth: int
    seconds: float
    complete: bool
    stopped: str | None
    properties: dict[str, PropertyResult] = field(default_factory=dict)
    never_fired: list[str] = field(default_factory=list)
    elements: list[dict[str, str]] = field(default_factory=list)  # lifelines: name, role, title (model order)
    notes: list[str] = field(default_factory=list)  # reductions of the search (symmetry), printed with the stats
    exploration: Exploration | None = field(default=None, repr=False)  # kept only when asked (certificates)
    limits: dict[str, float | None] = field(default_factory=dict)  # the limits the search ran under
    coverage_total: int = 0  # compiled transitions of all instances (coverage is fired / total)

    @property
    def exit_code(self) -> int:
        return worst(p.exit_code for p in self.properties.values())


def worst(codes: Iterable[int]) -> int:
    found = set(codes)
    return next((c for c in _PRIORITY if c in found), EXIT_OK)


def check_scenario(
    scenario: Scenario,
    property_ids: Sequence[str] | None = None,
    limits: Limits = Limits(),
    progress: Progress | None = None,
    replay: bool = True,
    symmetry: bool = False,
    keep_exploration: bool = False,
    hash_compact: bool = False,
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """Explore ``scenario`` exhaustively (or to ``limits``) and judge the chosen properties;
    ``replay``: re-execute every trace found on live machines; ``symmetry``: one world per
    permutation class of identical remote UEs (every property binds all UEs alike); ``hash_compact``:
    store 64-bit fingerprints only (verdicts without a found world become probabilistic); ``workers`` (a number):
    the parallel search on Ray (:mod:`prosecheck.checker.parallel`), the same exploration world for world."""
    system = build_system(scenario)
    if workers is not None:
        from functools import partial

        from prosecheck.checker.parallel import explore_parallel
        exploration = explore_parallel(partial(build_system, scenario), workers, limits, progress, log=log)
    else:
        exploration = explore(system, limits, progress, symmetry=symmetry, hash_compact=hash_compact)
    result = ScenarioResult(
        scenario, exploration.states, exploration.transitions, exploration.max_depth,
        exploration.seconds, exploration.complete, exploration.stopped,
        elements=[{"name": i.name, "role": i.role, "title": i.table.title} for i in system.instances],
        notes=list(exploration.notes),
        exploration=exploration if keep_exploration else None,
    )
    options = options_of(scenario)
    graph: StateGraph | None = None
    for pid in property_ids or list(PROPERTIES):
        prop = PROPERTIES[pid]
        if not prop.applies(options):
            result.properties[pid] = PropertyResult(pid, prop.kind, NOT_APPLICABLE, NOT_APPLICABLE, prop.statement,
                                                    str(prop.ref), detail="not meaningful for this procedure")
            continue
        if prop.kind in ("eventually", "possibly"):
            if graph is None and _graph_usable(exploration):
                graph = state_graph(exploration)
            judge_on_graph = _judge_eventually if prop.kind == "eventually" else _judge_possibly
            result.properties[pid] = judge_on_graph(prop, scenario, exploration, graph)
            continue
        bound = bind_property(system, prop)
        if prop.kind == "measure":
            result.properties[pid] = _measure(prop, scenario, exploration, bound.expr, bound.slots)
            continue
        want = prop.kind == "sometimes"
        found = judge(bound.expr, bound.slots, exploration, want)
        verdict = _verdict(prop.kind, found.found, exploration.complete)
        result.properties[pid] = PropertyResult(
            pid, prop.kind, verdict, scenario.expected_verdict(pid), prop.statement, str(prop.ref),
            build_trace(exploration, found.world, method=_method(scenario)) if found.world is not None else None,
            found.world, found.distinct,
        )
    _builtins(result, exploration)
    if exploration.probabilistic:
        _mark_probabilistic(result)
    _livelocks(result, exploration, graph)
    if replay:
        _replay_traces(result, exploration, scenario)
    result.never_fired = _never_fired(exploration)
    result.limits = {"max_states": limits.max_states, "max_seconds": limits.max_seconds,
                     "max_memory_mb": limits.max_memory_mb}
    result.coverage_total = sum(len(inst.table.transitions) for inst in system.instances)
    return result


def _mark_probabilistic(result: ScenarioResult) -> None:
    """Under hash compaction, a verdict that rests on "no world shows it" may be wrong with the
    reported omission probability; a verdict backed by a found world (and its trace) is certain."""
    for p in result.properties.values():
        if p.world is None and p.verdict != INCONCLUSIVE:
            p.probabilistic = True
            p.detail = (p.detail + "; " if p.detail else "") + "probabilistic (hash compaction, see the stats line)"


def _graph_usable(exploration: Exploration) -> bool:
    """Liveness needs every concrete world and edge: an exhaustive search, no symmetry
    reduction (quotient edges) and no hash compaction (omitted worlds)."""
    return exploration.complete and not exploration.symmetry and not exploration.probabilistic


def _method(scenario: Scenario) -> str | None:
    """The method number a scenario's traces are told in ("2".."7"), for their structured steps."""
    return scenario.procedure.id[1] if scenario.procedure.id[:1] == "m" else None


def _world_test(system: System, prop: Property, formula_of: str) -> Callable[[World], bool]:
    """A Python predicate over worlds for the property's trigger or goal, for every remote UE."""
    formula = prop.formula if formula_of == "goal" else prop.trigger
    assert formula is not None
    combine = "and" if formula_of == "goal" else "or"
    expr = bind_formula(system, formula, combine)
    fn = compile_py(expr)
    return lambda world: bool(fn(lambda scope, name: world[int(name)]))


def _measure(prop: Property, scenario: Scenario, exploration: Exploration, expr: Expr,
             slots: list[int]) -> PropertyResult:
    """A figure: the largest value of the property's expression over the explored worlds (a lower
    bound if the search was cut), with the shortest trace to a world that shows it."""
    value, world = maximum(expr, slots, exploration)
    verdict = HOLDS if exploration.complete else INCONCLUSIVE
    return PropertyResult(prop.id, prop.kind, verdict, scenario.expected_verdict(prop.id), prop.statement,
                          str(prop.ref), build_trace(exploration, world, method=_method(scenario)), world,
                          detail=f"largest value {value}" + ("" if exploration.complete else " so far (lower bound)"),
                          value=value)


_NEEDS_GRAPH = ("liveness needs the complete state graph of a search without limits, symmetry reduction or hash "
                "compaction")


def _judge_possibly(prop: Property, scenario: Scenario, exploration: Exploration,
                    graph: StateGraph | None) -> PropertyResult:
    """``AG (trigger -> EF goal)`` on the state graph: a trigger world with no way to the goal is a
    counterexample; the trace is the shortest path to the first such world, and the detail says
    what it looks like."""
    expected = scenario.expected_verdict(prop.id)
    if graph is None:
        return PropertyResult(prop.id, prop.kind, INCONCLUSIVE, expected, prop.statement, str(prop.ref),
                              detail=_NEEDS_GRAPH)
    system = exploration.system
    assert prop.trigger is not None
    world = stuck(graph, _world_test(system, prop, "trigger"), _world_test(system, prop, "goal"))
    if world is None:
        return PropertyResult(prop.id, prop.kind, HOLDS, expected, prop.statement, str(prop.ref))
    found = exploration.worlds[world]
    shown = [f"{name}={describe_slot(system, name, found[system.group_slot(0, name)])}" for name in prop.shows]
    detail = (f"from the last world no run reaches the goal: {describe_world(system, found)}"
              + (f"; {', '.join(shown)}" if shown else ""))
    return PropertyResult(prop.id, prop.kind, VIOLATED, expected, prop.statement, str(prop.ref),
                          build_trace(exploration, world, method=_method(scenario)), world, detail=detail)


def _judge_eventually(prop: Property, scenario: Scenario, exploration: Exploration,
                      graph: StateGraph | None) -> PropertyResult:
    """``trigger ~> goal`` on the state graph: a lasso is a counterexample."""
    expected = scenario.expected_verdict(prop.id)
    if graph is None:
        return PropertyResult(prop.id, prop.kind, INCONCLUSIVE, expected, prop.statement, str(prop.ref),
                              detail=_NEEDS_GRAPH)
    system = exploration.system
    trigger = _world_test(system, prop, "trigger") if prop.trigger else (lambda w: w == exploration.worlds[0])
    lasso = leads_to(graph, trigger, _world_test(system, prop, "goal"))
    if lasso is None:
        return PropertyResult(prop.id, prop.kind, HOLDS, expected, prop.statement, str(prop.ref))
    steps = [*lasso.tail, *lasso.cycle]
    end = lasso.stem[-1]
    start = len(lasso.stem) - 1
    if lasso.ends_in_terminal:
        stop = start + len(lasso.tail)
        detail = (f"the obligation starts at step {start}; at step {stop} the run reaches a world with no successor "
                  "where the goal does not hold")
    else:
        detail = (f"the obligation starts at step {start}; from step {start + len(lasso.tail)} the run loops through "
                  f"{len(lasso.cycle)} step(s) forever, fairly, without reaching the goal")
    return PropertyResult(prop.id, prop.kind, VIOLATED, expected, prop.statement, str(prop.ref),
                          build_trace(exploration, end, steps, _method(scenario)), end, detail=detail, tail=steps)


def _livelocks(result: ScenarioResult, exploration: Exploration, graph: StateGraph | None) -> None:
    expected = VIOLATED if result.scenario.expected.get("livelock_free") == VIOLATED else HOLDS
    if graph is None and _graph_usable(exploration):
        graph = state_graph(exploration)
    if graph is None:
        result.properties["livelock_free"] = PropertyResult(
            "livelock_free", "always", INCONCLUSIVE, expected, BUILTIN["livelock_free"], "DESIGN.md")
        return
    found = livelocks(graph, exploration.system.is_final)
    first = min(found[0]) if found else None
    result.properties["livelock_free"] = PropertyResult(
        "livelock_free", "always", VIOLATED if found else HOLDS, expected, BUILTIN["livelock_free"], "DESIGN.md",
        build_trace(exploration, first, method=_method(result.scenario)) if first is not None else None, first,
        detail=f"{len(found)} livelock(s); the first has {len(found[0])} world(s)" if found else "",
    )


def _replay_traces(result: ScenarioResult, exploration: Exploration, scenario: Scenario) -> None:
    """Re-execute every trace through live python-statemachine machines evaluating the raw rules
    (not the compiled tables the search used); record the disagreements, if any."""
    live = live_elements(scenario)
    system = exploration.system
    for p in result.properties.values():
        if p.world is None:
            continue
        p.replay = replay_path(exploration, p.world, live)
        before = p.world
        for number, (after, label) in enumerate(p.tail, start=len(exploration.path_to(p.world))):
            role = system.instances[label.instance].role
            found = check_step(system, live[role], exploration.worlds[before], label, exploration.worlds[after])
            p.replay += [f"step {number}: {problem}" for problem in found]
            before = after


def _verdict(kind: str, found: bool, complete: bool) -> str:
    """Invariants are violated by a world found; reachability holds when a world is found."""
    if kind == "always":
        return VIOLATED if found else (HOLDS if complete else INCONCLUSIVE)
    return HOLDS if found else (VIOLATED if complete else INCONCLUSIVE)


def _builtins(result: ScenarioResult, exploration: Exploration) -> None:
    scenario = result.scenario
    first_deadlock = exploration.deadlocks[0] if exploration.deadlocks else None
    first_unhandled = exploration.unhandled[0][0] if exploration.unhandled else None
    system = exploration.system
    details = {"deadlock_free": "", "messages_handled": ""}
    if first_deadlock is not None:
        details["deadlock_free"] = f"{len(exploration.deadlocks)} deadlocked world(s); the first: " + describe_world(
            system, exploration.worlds[first_deadlock])
    if exploration.unhandled:
        details["messages_handled"] = "; ".join(
            f"{system.instances[u.instance].name} in state "
            f"{system.instances[u.instance].table.state_ids[system.control(exploration.worlds[w], u.instance)]} "
            f"has no transition for {describe_message(u.message)}"
            for w, u in exploration.unhandled
        )
    for pid, world, expected in (
        ("deadlock_free", first_deadlock, VIOLATED if scenario.expect_deadlock else HOLDS),
        ("messages_handled", first_unhandled, scenario.expected.get("messages_handled", HOLDS)),
    ):
        verdict = _verdict("always", world is not None, exploration.complete)
        trace = build_trace(exploration, world, method=_method(scenario)) if world is not None else None
        result.properties[pid] = PropertyResult(
            pid, "always", verdict, expected, BUILTIN[pid], "DESIGN.md", trace, world, detail=details[pid]
        )


def _never_fired(exploration: Exploration) -> list[str]:
    """Transitions (of the scenario's compiled tables) that no explored step fired."""
    system = exploration.system
    out = []
    for i, inst in enumerate(system.instances):
        for tr in inst.table.transitions:
            if (i, tr.index) not in exploration.fired:
                out.append(f"{inst.name}: {inst.table.edge(tr)} ({tr.effect.ref})")
    return out
