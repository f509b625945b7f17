"""Independent replay of counterexamples and witnesses (`prosecheck replay TRACE.json`).

Each trace is re-executed from the initial world on live python-statemachine machines
(:mod:`prosecheck.replay.world`), never on the checker's compiled tables: every step must be
enabled, handle the message at the head of its link, send exactly the messages recorded and
change exactly the world variables recorded, to the values recorded. The last world must then
show what the trace claims: the invariant's formula false (VIOLATED), the reachability
formula true (reached), no successor (deadlock) or a message nobody handles. A liveness
counterexample (``eventually``) must end either in a world with no successor or by returning to
an earlier world of the trace, the goal false from there on; a livelock trace must reach a
world that is not final and still has a successor (that the component cannot be left is the
checker's claim, not re-derived here)."""

from __future__ import annotations

from dataclasses import dataclass

from prosecheck.properties.catalog import PROPERTIES
from prosecheck.replay.load import Claim, TraceInputError, claims_of, read_document
from prosecheck.replay.world import LiveWorld, ReplayFailure, Snapshot
from prosecheck.scenarios.catalog import HOLDS, SCENARIOS, VIOLATED

__all__ = ["Outcome", "ReplayFailure", "TraceInputError", "replay_claim", "replay_file"]


@dataclass(frozen=True)
class Outcome:
    where: str
    confirmed: bool
    detail: str


def replay_file(path: str) -> list[Outcome]:
    """Replay every trace in ``path``; :class:`TraceInputError` if it is not a trace document."""
    return [replay_claim(c) for c in claims_of(read_document(path), path)]


def replay_claim(claim: Claim) -> Outcome:
    try:
        detail = _replay(claim)
    except ReplayFailure as err:
        return Outcome(claim.where, False, str(err))
    return Outcome(claim.where, True, f"{len(claim.steps)} steps re-executed on live machines; {detail}")


def _consistent(claim: Claim) -> None:
    """A built-in scenario's name must match the procedure and options the trace records."""
    scenario = claim.scenario
    suffix = "".join(f"+{m}" for m in scenario.mutants)
    if not scenario.id.endswith(suffix) or "+" in scenario.id[: len(scenario.id) - len(suffix)]:
        raise ReplayFailure(f"scenario {scenario.id} does not name the mutants the trace records {list(scenario.mutants)}")
    base = SCENARIOS.get(scenario.id.split("+")[0])
    if base is None:
        return  # a scenario from a file: its definition is the one recorded
    if base.procedure.id != scenario.procedure.id or base.procedure.options != scenario.procedure.options:
        raise ReplayFailure(f"scenario {base.id} is procedure {base.procedure.id} with options {base.procedure.options}, "
                            f"the trace records {scenario.procedure.id} with {scenario.procedure.options}")


def _replay(claim: Claim) -> str:
    _consistent(claim)
    world = LiveWorld(claim.scenario)
    history = [world.full_snapshot()]
    goal_held: list[bool] = []
    prop = PROPERTIES.get(claim.property)
    if prop is not None and prop.kind == "eventually":
        goal_held.append(all(world.satisfied(prop)))
    for st in claim.steps:
        before = world.snapshot()
        try:
            sends = world.step(st.element, st.event, st.effect, st.source, st.message, st.fault)
        except ReplayFailure as err:
            raise ReplayFailure(f"step {st.number} ({st.element} {st.event} [{st.effect}]): {err}") from None
        if sends != st.sends:
            raise ReplayFailure(f"step {st.number}: the live {st.element} sent {sends}, the trace records {st.sends}")
        changed = _changes(before, world.snapshot())
        if changed != st.after:
            diff = sorted(k for k in set(changed) | set(st.after) if changed.get(k) != st.after.get(k))
            shown = ", ".join(f"{k}: live {changed.get(k, '(unchanged)')}, trace {st.after.get(k, '(unchanged)')}"
                              for k in diff)
            raise ReplayFailure(f"step {st.number} ({st.element} [{st.effect}]): the world differs: {shown}")
        history.append(world.full_snapshot())
        if prop is not None and prop.kind == "eventually":
            goal_held.append(all(world.satisfied(prop)))
    if prop is not None and prop.kind == "eventually":
        return _confirm_lasso(claim, world, history, goal_held)
    return _confirm(claim, world)


def _confirm_lasso(claim: Claim, world: LiveWorld, history: list[tuple], goal_held: list[bool]) -> str:
    """An ``eventually`` counterexample: a terminal world, or a return to an earlier world, goal false."""
    pid = claim.property
    if claim.verdict != VIOLATED:
        raise ReplayFailure(f"{pid}: only a violation of a liveness property has a trace")
    if not world.has_successor():
        if goal_held[-1]:
            raise ReplayFailure(f"the last world has no successor but satisfies the goal of {pid}")
        return f"the run stops in a world with no successor where the goal of {pid} does not hold: confirmed"
    last = history[-1]
    start = next((i for i, snap in enumerate(history[:-1]) if snap == last), None)
    if start is None:
        raise ReplayFailure(f"the last world has a successor and repeats no earlier world: not a lasso for {pid}")
    if any(goal_held[start:]):
        raise ReplayFailure(f"the goal of {pid} holds somewhere on the cycle from step {start}")
    return f"the run returns at the last step to the world after step {start}, goal of {pid} false throughout: confirmed"


def _changes(before: Snapshot, after: Snapshot) -> Snapshot:
    return {k: v for k, v in after.items() if before.get(k) != v}


def _confirm(claim: Claim, world: LiveWorld) -> str:  # noqa: C901 - predates the limit of 10 (issue 26)
    """Check the last world against the claim."""
    pid = claim.property
    if pid == "deadlock_free":
        if claim.verdict != VIOLATED or not world.deadlocked():
            raise ReplayFailure("the last world is not a deadlock (it is final or has a successor)")
        return "the last world is a deadlock: confirmed"
    if pid == "livelock_free":
        if claim.verdict != VIOLATED or world.is_final() or not world.has_successor():
            raise ReplayFailure("the last world is final or has no successor: not inside a livelock")
        return "the last world is not final and keeps moving (inside the livelock the checker reports): confirmed"
    if pid == "messages_handled":
        problems = world.unhandled()
        if claim.verdict != VIOLATED or not problems:
            raise ReplayFailure("every message at the head of a link in the last world can be handled")
        return f"{problems[0]}: confirmed"
    prop = PROPERTIES[pid]
    if prop.kind == "measure":
        figure = max(world.value(prop))
        if claim.value is not None and figure != claim.value:
            raise ReplayFailure(f"the last world shows {pid} = {figure}, the document claims {claim.value}")
        return f"the last world shows {pid} = {figure}: confirmed"
    values = world.satisfied(prop)
    if prop.kind == "possibly":
        assert prop.trigger is not None
        if claim.verdict != VIOLATED or all(values) or not any(world.satisfied(prop, prop.trigger)):
            raise ReplayFailure(f"the last world does not satisfy the trigger of {pid} without its goal")
        return (f"the last world satisfies the trigger of {pid} and not its goal (that no run from it reaches the "
                "goal rests on the checker's state graph): confirmed")
    if prop.kind == "always":
        if claim.verdict != VIOLATED or all(values):
            raise ReplayFailure(f"the last world satisfies the invariant {pid}: no violation")
        return f"the last world violates the invariant {pid}: confirmed"
    if claim.verdict != HOLDS or not any(values):
        raise ReplayFailure(f"the last world does not satisfy {pid}: not a witness")
    return f"the last world satisfies {pid}: witness confirmed"
