"""The kill matrix: every seeded mutant on its target scenarios, judged by every property.

A property *kills* a mutant when its verdict on the mutated scenario differs from its verdict
on the same scenario unmutated (a new violation, a path no longer reached, a declared
violation gone, a deadlock or an unhandled message). A mutant no property kills is a mistake
the properties cannot see: a property is missing. ``fast`` runs each mutant on its first
target scenario only, with smaller bounds and without replaying the traces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from prosecheck.model.mutants import MUTANTS, Mutant
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import SCENARIOS, Scenario
from prosecheck.verify import BUILTIN, ScenarioResult, check_scenario

PROPERTY_IDS = (*PROPERTIES, *BUILTIN)
FAST_BOUNDS = {"attempts": 2, "withdrawals": 1, "restores": 1}


@dataclass
class MutantOutcome:
    mutant: Mutant
    scenarios: tuple[str, ...]
    killed_by: dict[str, list[str]] = field(default_factory=dict)  # property -> scenarios where it changed
    replay_problems: list[str] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)

    @property
    def killed(self) -> bool:
        return bool(self.killed_by)


def _verdicts(result: ScenarioResult) -> dict[str, str]:
    return {pid: p.verdict for pid, p in result.properties.items()}


def kill_matrix(mutant_ids: Sequence[str] | None = None, fast: bool = False,
                progress: Callable[[str], None] | None = None) -> list[MutantOutcome]:
    """Run the mutants (all by default) on their scenarios; the outcome of each."""
    base: dict[str, dict[str, str]] = {}

    def scenario(sid: str) -> Scenario:
        s = SCENARIOS[sid]
        return s.with_bounds(**FAST_BOUNDS) if fast else s

    outcomes = []
    for mid in mutant_ids or list(MUTANTS):
        mutant = MUTANTS[mid]
        targets = mutant.scenarios[:1] if fast else mutant.scenarios
        outcome = MutantOutcome(mutant, targets)
        for sid in targets:
            if sid not in base:
                base[sid] = _verdicts(check_scenario(scenario(sid), replay=False))
            result = check_scenario(scenario(sid).with_mutants(mid), replay=not fast)
            outcome.states[sid] = result.states
            for pid, verdict in _verdicts(result).items():
                if verdict != base[sid][pid]:
                    outcome.killed_by.setdefault(pid, []).append(sid)
            outcome.replay_problems += [f"{sid} {p.id}: {x}" for p in result.properties.values() for x in p.replay or []]
        if progress is not None:
            progress(f"{mid}: {'killed by ' + ', '.join(outcome.killed_by) if outcome.killed else 'SURVIVED'}")
        outcomes.append(outcome)
    return outcomes
