"""Independent replay of counterexamples and witnesses (`prosecheck replay TRACE.json`).

Each trace is re-executed from the initial world on live python-statemachine machines
(:mod:`prosecheck.replay.world`), never on the checker's compiled tables: every step must be
enabled, handle the message at the head of its link, send exactly the messages recorded and
change exactly the world variables recorded, to the values recorded. The last world must then
show what the trace claims: the invariant's formula false (VIOLATED), the reachability
formula true (reached), no successor (deadlock) or a message nobody handles."""

from __future__ import annotations

from dataclasses import dataclass

from prosecheck.model.scenarios import HOLDS, SCENARIOS, VIOLATED
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.replay.load import Claim, TraceInputError, claims_of, read_document
from prosecheck.replay.world import LiveWorld, ReplayFailure, Snapshot

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
    for st in claim.steps:
        before = world.snapshot()
        try:
            sends = world.step(st.element, st.event, st.effect, st.source, st.message)
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
    return _confirm(claim, world)


def _changes(before: Snapshot, after: Snapshot) -> Snapshot:
    return {k: v for k, v in after.items() if before.get(k) != v}


def _confirm(claim: Claim, world: LiveWorld) -> str:
    """Check the last world against the claim."""
    pid = claim.property
    if pid == "deadlock_free":
        if claim.verdict != VIOLATED or not world.deadlocked():
            raise ReplayFailure("the last world is not a deadlock (it is final or has a successor)")
        return "the last world is a deadlock: confirmed"
    if pid == "messages_handled":
        problems = world.unhandled()
        if claim.verdict != VIOLATED or not problems:
            raise ReplayFailure("every message at the head of a link in the last world can be handled")
        return f"{problems[0]}: confirmed"
    prop = PROPERTIES[pid]
    values = world.satisfied(prop)
    if prop.kind == "always":
        if claim.verdict != VIOLATED or all(values):
            raise ReplayFailure(f"the last world satisfies the invariant {pid}: no violation")
        return f"the last world violates the invariant {pid}: confirmed"
    if claim.verdict != HOLDS or not any(values):
        raise ReplayFailure(f"the last world does not satisfy {pid}: not a witness")
    return f"the last world satisfies {pid}: witness confirmed"
