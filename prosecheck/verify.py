"""Check one scenario: build the system, explore it, let Z3 judge every property.

This is the library entry point the CLI calls; it returns plain data (:class:`ScenarioResult`)
that the reporters print as text or JSON. After the search, everything works on what the
search stored, in phases that each cost about a pass over the stored worlds or edges:

* **judging**: each ``always``/``sometimes``/``measure`` property, by one Z3 query over the
  distinct valuations of its slots (projected per component value, never by decoding worlds);
* **liveness**: ``eventually``/``possibly`` properties and livelocks on the edges the search
  recorded;
* **traces**: the shortest trace to each reported world, replayed on live machines.

``--max-seconds``, ``--max-memory`` and Ctrl-C hold for the whole check (:mod:`prosecheck.checker.budget`):
what was decided before the limit stands, the rest is INCONCLUSIVE, and ``ScenarioResult.cut``
names the limit and the phase it cut.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prosecheck.checker.budget import Budget, LimitReached
from prosecheck.checker.judge import judge, maximum
from prosecheck.checker.live import check_step, replay_path
from prosecheck.checker.parallel import PartitionLost
from prosecheck.checker.search import Exploration, Limits, Progress, explore
from prosecheck.checker.system import Label
from prosecheck.liveness_verdicts import (
    final_test,
    graph_of,
    judge_eventually,
    judge_livelocks,
    judge_possibly,
    world_test_expr,
)
from prosecheck.model.build import BoundProperty, bind_property, build_system, live_elements, options_of
from prosecheck.properties.catalog import PROPERTIES, Property
from prosecheck.results import (
    BUILTIN,
    EXIT_DEADLOCK,
    EXIT_INCONCLUSIVE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_UNREACHED,
    EXIT_VIOLATION,
    INCONCLUSIVE,
    NOT_APPLICABLE,
    PropertyResult,
    ScenarioResult,
    worst,
)
from prosecheck.scenarios.catalog import HOLDS, VIOLATED, Scenario
from prosecheck.trace_steps import build_trace, describe_message, describe_world

LIVENESS_KINDS = ("eventually", "possibly")
SEARCH_SHARE = 0.75  # of --max-seconds; the rest is kept for judging, liveness and traces


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
    phase: Callable[[str], None] | None = None,
    pool: str = "threads",
) -> ScenarioResult:
    """Explore ``scenario`` exhaustively (or to ``limits``) and judge the chosen properties;
    ``replay``: re-execute every trace found on live machines; ``symmetry``: one world per
    permutation class of identical remote UEs (every property binds all UEs alike); ``hash_compact``:
    store 64-bit fingerprints only (verdicts without a found world become probabilistic); ``workers`` (a number):
    the partitioned search (:mod:`prosecheck.checker.native.partitioned`; ``pool``: its partitions in threads of
    this process, or Ray actors), the same exploration world for world;
    ``phase``: called with each phase's name as it starts (progress)."""
    budget = Budget(limits)
    announce = phase or (lambda name: None)
    try:
        with budget.phase("build"):
            system = build_system(scenario)
        announce("search")
        with budget.phase("search"):
            exploration = _search(scenario, system, budget.search_limits(SEARCH_SHARE), progress, symmetry,
                                  hash_compact, workers, log, pool)
    except KeyboardInterrupt:  # before the search could keep anything (the search itself keeps what it stored)
        return not_checked(scenario, property_ids, f"interrupted during {budget.current}", limits)
    if limits.max_seconds is not None and (exploration.stopped or "").startswith("max-seconds"):
        exploration.stopped = f"max-seconds {limits.max_seconds:g} (the search's share: {SEARCH_SHARE:.0%})"
    result = ScenarioResult(
        scenario, exploration.states, exploration.transitions, exploration.max_depth,
        exploration.seconds, exploration.complete, exploration.stopped,
        elements=[{"name": i.name, "role": i.role, "title": i.table.title} for i in system.instances],
        notes=list(exploration.notes),
        exploration=exploration if keep_exploration else None,
        limits={"max_states": limits.max_states, "max_seconds": limits.max_seconds,
                "max_memory_mb": limits.max_memory_mb},
        coverage_total=sum(len(inst.table.transitions) for inst in system.instances),
    )
    chosen = chosen_properties(scenario, property_ids)
    bound = _pending(result, chosen, exploration)
    try:
        announce("judging")
        with budget.phase("judging"):
            _judge_states(result, chosen, bound, exploration, budget)
            _builtins(result, exploration)
        announce("liveness")
        with budget.phase("liveness"):
            _judge_graph(result, chosen, exploration, budget)
        announce("traces")
        with budget.phase("traces"):
            _traces(result, exploration, replay, budget)
    except LimitReached as reason:
        result.cut = f"{reason} during {budget.current}"
    except PartitionLost as lost:  # a partition kept for judging died after the search (its worlds are gone)
        result.cut = f"{lost} during {budget.current}"
    except KeyboardInterrupt:
        result.cut = f"interrupted during {budget.current}"
    _settle(result, exploration)
    result.never_fired = _never_fired(exploration)
    result.phases = {name: round(s, 3) for name, s in budget.seconds.items()}
    result.peak_mb = dict(budget.peak_mb)
    return result


def catalog_ids(property_ids: Sequence[str] | None) -> list[str]:
    """The catalog properties of a selection (None: all of them); the built-ins in it are judged anyway."""
    return list(PROPERTIES) if property_ids is None else [pid for pid in property_ids if pid in PROPERTIES]


def chosen_properties(scenario: Scenario, property_ids: Sequence[str] | None) -> list[Property]:
    """The catalog's chosen properties, then the scenario's own (a scenario file's ``[[properties]]``),
    which are judged in every check of that scenario."""
    return [*(PROPERTIES[pid] for pid in catalog_ids(property_ids)), *scenario.properties]


def not_checked(scenario: Scenario, property_ids: Sequence[str] | None, reason: str,
                limits: Limits = Limits()) -> ScenarioResult:
    """The result of a scenario that was not explored (``reason``: "interrupted during build", "not
    checked: interrupted before it began"): every property that applies INCONCLUSIVE, nothing claimed."""
    result = ScenarioResult(scenario, 0, 0, 0, 0.0, False, "interrupted", cut=reason,
                            limits={"max_states": limits.max_states, "max_seconds": limits.max_seconds,
                                    "max_memory_mb": limits.max_memory_mb})
    options = options_of(scenario)
    for prop in chosen_properties(scenario, property_ids):
        if prop.applies(options):
            result.properties[prop.id] = PropertyResult(prop.id, prop.kind, INCONCLUSIVE,
                                                        scenario.expected_verdict(prop.id), prop.statement,
                                                        str(prop.ref), detail=f"not decided: {reason}")
        else:
            result.properties[prop.id] = PropertyResult(prop.id, prop.kind, NOT_APPLICABLE, NOT_APPLICABLE,
                                                        prop.statement, str(prop.ref),
                                                        detail="not meaningful for this procedure")
    for pid, expected in _builtin_expectations(scenario):
        result.properties[pid] = PropertyResult(pid, "always", INCONCLUSIVE, expected, BUILTIN[pid], "DESIGN.md",
                                                detail=f"not decided: {reason}")
    return result


def _builtin_expectations(scenario: Scenario) -> list[tuple[str, str]]:
    """The built-in properties and the verdict the scenario declares for each."""
    return [("deadlock_free", VIOLATED if scenario.expect_deadlock else HOLDS),
            ("messages_handled", scenario.expected.get("messages_handled", HOLDS)),
            ("livelock_free", VIOLATED if scenario.expected.get("livelock_free") == VIOLATED else HOLDS)]


def _search(scenario: Scenario, system: object, limits: Limits, progress: Progress | None, symmetry: bool,
            hash_compact: bool, workers: int | None, log: Callable[[str], None] | None,
            pool: str = "threads") -> Exploration:
    if workers is None:
        return explore(system, limits, progress, symmetry=symmetry, hash_compact=hash_compact)  # type: ignore[arg-type]
    from functools import partial

    from prosecheck.checker.native.partitioned import explore_workers
    return explore_workers(partial(build_system, scenario), workers, limits, progress, log=log, pool=pool)


def _pending(result: ScenarioResult, chosen: list[Property], exploration: Exploration) -> dict[str, BoundProperty]:
    """Every chosen property (and the built-in ones) in report order, not yet decided (n/a where it
    does not apply); the bound formulas of those judged on states. The projector is told every slot
    that will be asked for, so each component's values are projected in one pass."""
    scenario, options, system = result.scenario, options_of(result.scenario), exploration.system
    bound: dict[str, BoundProperty] = {}
    hint: set[int] = set()
    for prop in chosen:
        if not prop.applies(options):
            result.properties[prop.id] = PropertyResult(prop.id, prop.kind, NOT_APPLICABLE, NOT_APPLICABLE,
                                                        prop.statement, str(prop.ref),
                                                        detail="not meaningful for this procedure")
            continue
        result.properties[prop.id] = _undecided(prop.id, prop.kind, scenario.expected_verdict(prop.id),
                                                prop.statement, str(prop.ref))
        if prop.kind in LIVENESS_KINDS:
            for which in ("goal", "trigger") if prop.trigger else ("goal",):
                hint.update(system.slot_refs(world_test_expr(exploration, prop, which)))
        else:
            bound[prop.id] = bind_property(system, prop)
            hint.update(bound[prop.id].slots)
    for pid, expected in _builtin_expectations(scenario):
        result.properties[pid] = _undecided(pid, "always", expected, BUILTIN[pid], "DESIGN.md")
    exploration.projector(hint)
    return bound


_UNDECIDED = "not decided"


def _undecided(pid: str, kind: str, expected: str, statement: str, ref: str) -> PropertyResult:
    return PropertyResult(pid, kind, INCONCLUSIVE, expected, statement, ref, detail=_UNDECIDED)


def _judge_states(result: ScenarioResult, chosen: list[Property], bound: dict[str, BoundProperty],
                  exploration: Exploration, budget: Budget) -> None:
    """``always``, ``sometimes`` and ``measure`` properties: one Z3 query each over distinct valuations."""
    for prop in chosen:
        if prop.id not in bound:
            continue
        budget.check()
        b, expected = bound[prop.id], result.scenario.expected_verdict(prop.id)
        if prop.kind == "measure":
            value, world = maximum(b.expr, b.slots, exploration)
            result.properties[prop.id] = PropertyResult(
                prop.id, prop.kind, HOLDS if exploration.complete else INCONCLUSIVE, expected, prop.statement,
                str(prop.ref), world=world, value=value,
                detail=f"largest value {value}" + ("" if exploration.complete else " so far (lower bound)"))
            continue
        found = judge(b.expr, b.slots, exploration, prop.kind == "sometimes")
        result.properties[prop.id] = PropertyResult(
            prop.id, prop.kind, _verdict(prop.kind, found.found, exploration.complete), expected, prop.statement,
            str(prop.ref), world=found.world, distinct_valuations=found.distinct)


def _judge_graph(result: ScenarioResult, chosen: list[Property], exploration: Exploration, budget: Budget) -> None:
    """``eventually`` and ``possibly`` properties and livelocks, on the recorded state graph."""
    budget.check()
    graph = graph_of(exploration)
    for prop in chosen:
        if prop.kind in LIVENESS_KINDS and result.properties[prop.id].verdict != NOT_APPLICABLE:
            budget.check()
            decide = judge_eventually if prop.kind == "eventually" else judge_possibly
            result.properties[prop.id] = decide(prop, result.scenario, exploration, graph)
    budget.check()
    result.properties["livelock_free"] = judge_livelocks(result.properties["livelock_free"].expected, exploration,
                                                         graph)
    if graph is not None:
        for pid in ("deadlock_free", "livelock_free"):
            p = result.properties[pid]
            if p.world is not None:  # the step that made it unavoidable, not only the last one
                at = graph.no_return(final_test(exploration), exploration.path_to(p.world))
                p.decisive_step = at if at else None  # position i: the world step i leads to


def _traces(result: ScenarioResult, exploration: Exploration, replay: bool, budget: Budget) -> None:
    """The shortest trace to each reported world (a lasso's tail appended), then, with ``replay``,
    each re-executed on live python-statemachine machines evaluating the raw rules (not the
    compiled tables the search used); disagreements are recorded."""
    method = _method(result.scenario)
    for p in result.properties.values():
        if p.world is not None:
            budget.check()
            p.trace = build_trace(exploration, p.world, p.tail, method, result.scenario.procedure.typed.as_dict())
    if not replay:
        return
    live = live_elements(result.scenario)
    system = exploration.system
    checked: dict[tuple[int, int, Label], list[str]] = {}  # traces share their prefixes: each step once

    def step(before: int, label: Label, after: int) -> list[str]:
        key = (before, after, label)
        if key not in checked:
            role = system.instances[label.instance].role
            checked[key] = check_step(system, live[role], exploration.worlds[before], label, exploration.worlds[after])
        return checked[key]

    for p in result.properties.values():
        if p.world is None:
            continue
        budget.check()
        path = exploration.path_to(p.world)
        p.replay = replay_path(exploration, p.world, live, step)
        before = p.world
        for number, (after, label) in enumerate(p.tail, start=len(path)):
            p.replay += [f"step {number}: {problem}" for problem in step(before, label, after)]
            before = after


def _settle(result: ScenarioResult, exploration: Exploration) -> None:
    """Say why an undecided property is INCONCLUSIVE and which trace was not built; under hash
    compaction, mark the verdicts that rest on "no world shows it" as probabilistic."""
    for p in result.properties.values():
        if p.verdict == INCONCLUSIVE and p.detail == _UNDECIDED:
            p.detail = f"not decided: {result.cut}" if result.cut else \
                f"not decided: the search stopped at {result.stopped}"
        elif p.world is not None and p.trace is None and result.cut:
            p.detail = (p.detail + "; " if p.detail else "") + f"trace not built ({result.cut})"
    if exploration.probabilistic:
        for p in result.properties.values():
            if p.world is None and p.verdict != INCONCLUSIVE and p.id != "livelock_free":
                p.probabilistic = True
                p.detail = (p.detail + "; " if p.detail else "") + "probabilistic (hash compaction, see the stats line)"


def _method(scenario: Scenario) -> str | None:
    """The method number a scenario's traces are told in ("2".."7"), for their structured steps."""
    return scenario.procedure.id[1] if scenario.procedure.id[:1] == "m" else None


def _verdict(kind: str, found: bool, complete: bool) -> str:
    """Invariants are violated by a world found; reachability holds when a world is found."""
    if kind == "always":
        return VIOLATED if found else (HOLDS if complete else INCONCLUSIVE)
    return HOLDS if found else (VIOLATED if complete else INCONCLUSIVE)


def _builtins(result: ScenarioResult, exploration: Exploration) -> None:
    """``deadlock_free`` and ``messages_handled``, from what the search saw."""
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
    for pid, world in (("deadlock_free", first_deadlock), ("messages_handled", first_unhandled)):
        verdict = _verdict("always", world is not None, exploration.complete)
        expected = result.properties[pid].expected
        result.properties[pid] = PropertyResult(pid, "always", verdict, expected, BUILTIN[pid], "DESIGN.md",
                                                world=world, detail=details[pid])


def _never_fired(exploration: Exploration) -> list[str]:
    """Transitions (of the scenario's compiled tables) that no explored step fired."""
    system = exploration.system
    out = []
    for i, inst in enumerate(system.instances):
        for tr in inst.table.transitions:
            if (i, tr.index) not in exploration.fired:
                out.append(f"{inst.name}: {inst.table.edge(tr)} ({tr.effect.ref})")
    return out


__all__ = ["BUILTIN", "EXIT_DEADLOCK", "EXIT_INCONCLUSIVE", "EXIT_INPUT", "EXIT_OK", "EXIT_UNREACHED",
           "EXIT_VIOLATION", "INCONCLUSIVE", "LIVENESS_KINDS", "NOT_APPLICABLE", "PropertyResult", "ScenarioResult",
           "check_scenario", "worst"]
