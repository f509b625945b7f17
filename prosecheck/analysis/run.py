"""Run every analysis over a set of scenarios and gather the results in one value.

The checker runs once per scenario for its verdicts (``verify.check_scenario``: the readings
matrix and the claims), and the search once more for the guard analysis (the distinct
reachable valuations and the unhandled messages)."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from prosecheck.analysis.claims import ClaimVerdict, claim_verdicts
from prosecheck.analysis.conformance import Conformance, check_conformance
from prosecheck.analysis.contradictions import MethodResult
from prosecheck.analysis.guards import GuardFinding, Unhandled, analyze_table, merge, reachable_valuations, unhandled_of
from prosecheck.analysis.patent import load_patent
from prosecheck.analysis.readings import Reading, matrix
from prosecheck.analysis.statements import check_statements
from prosecheck.analysis.text_checks import TextFinding, text_findings
from prosecheck.analysis.traceability import Traceability, model_citations, trace
from prosecheck.checker.search import explore
from prosecheck.model.build import build_system, options_of
from prosecheck.model.messages import MESSAGES
from prosecheck.model.terms import ID_NAMES, REQUESTER_AUSF, REQUESTER_PANF, RESULT_NAMES
from prosecheck.scenarios.catalog import Scenario
from prosecheck.verify import ScenarioResult, check_scenario

T = TypeVar("T")

KIND_DOMAINS: dict[str, list[int]] = {
    "id_type": sorted(ID_NAMES),
    "result": sorted(RESULT_NAMES),
    "requester": [REQUESTER_PANF, REQUESTER_AUSF],
    "flag": [0, 1],
}
"""Declared domains of message fields by kind (terms.py); other fields range over 16 bits."""


@dataclass
class Analysis:
    scenarios: list[str]
    guards: list[GuardFinding]
    unhandled: list[Unhandled]
    traceability: Traceability
    claims: list[ClaimVerdict]
    contradictions: list[MethodResult]
    readings: list[Reading]
    conformance: list[Conformance]
    complete: bool  # every search exhaustive and every enumeration finished
    seconds: float = 0.0
    results: dict[str, ScenarioResult] = field(default_factory=dict)
    text: list[TextFinding] = field(default_factory=list)  # the text read on its own (text_checks.py)

    def not_followed(self) -> dict[tuple[int, str], list[str]]:
        """Each distinct statement (method, id) the model does not follow, not set aside by a reading,
        with the scenarios that show it, once per occurrence (scenario and step)."""
        out: dict[tuple[int, str], list[str]] = {}
        for c in self.conformance:
            for d in c.deviations:
                if not d.by_reading:
                    out.setdefault((c.method, d.statement), []).append(c.scenario)
        return dict(sorted(out.items()))

    def counts(self) -> dict[str, int]:
        """What was found, by kind (the exit code is non-zero when any is non-zero)."""
        return {
            "contradictions": sum(len(m.muses) for m in self.contradictions),
            "vacuous_conditions": sum(len(m.vacuous) for m in self.contradictions),
            "statements_the_model_does_not_follow": len(self.not_followed()),
            "ambiguities": sum(1 for g in self.guards if g.kind == "ambiguity"),
            "gaps": sum(1 for g in self.guards if g.kind == "gap"),
            "unhandled_messages": len(self.unhandled),
            "dangling_references": len(self.traceability.dangling),
            "suspect_references": len(self.traceability.suspect),
            "mismatched_step_references": len(self.traceability.mismatched),
            "steps_without_model": len(self.traceability.uncovered),
            "claims_violated": sum(1 for c in self.claims if c.verdict == "VIOLATED"),
            "text_findings": len(self.text),
            # a scenario that sets several readings at once changes verdicts as a set: counted once
            "readings_that_change_verdicts": len({frozenset({r.option, *c.also}) for r in self.readings
                                                  for c in r.comparisons if c.differs}),
        }


def field_domains() -> dict[str, dict[str, list[int]]]:
    return {n: {f: KIND_DOMAINS[k] for f, k in m.fields if k in KIND_DOMAINS} for n, m in MESSAGES.items()}


def _guards(scenario: Scenario, result: ScenarioResult
            ) -> tuple[list[tuple[str, GuardFinding]], list[Unhandled], bool, Conformance | None]:
    """Guard findings, unhandled messages and the model's conformance to the statements, from the
    search the scenario's check made (searched again only when the check kept no exploration); the
    exploration is let go afterwards, so one scenario's store is alive at a time."""
    exploration = result.exploration if result.exploration is not None else explore(build_system(scenario))
    result.exploration = None
    system = exploration.system
    reachable = reachable_valuations(exploration)
    domains = field_domains()
    found = [(scenario.id, f) for table in {inst.role: inst.table for inst in system.instances}.values()
             for f in analyze_table(table, reachable, domains)]
    return (found, unhandled_of(scenario.id, exploration), exploration.complete,
            check_conformance(scenario, exploration, options_of(scenario)))


def guards_of(scenarios: Sequence[Scenario]) -> tuple[list[GuardFinding], list[Unhandled], bool, list[Conformance]]:
    """The guard, unhandled-message and conformance analyses alone, one search per scenario (no verdicts)."""
    return _all_guards(scenarios, lambda s: ScenarioResult(s, 0, 0, 0, 0.0, True, None,
                                                           exploration=explore(build_system(s))))


def _all_guards(scenarios: Sequence[Scenario], result_of: Callable[[Scenario], ScenarioResult]
                ) -> tuple[list[GuardFinding], list[Unhandled], bool, list[Conformance]]:
    """:func:`_guards` over the scenarios, each from the result ``result_of`` gives (checked in turn)."""
    return _merged([(result, *_guards(s, result)) for s in scenarios for result in [result_of(s)]])


def _merged(parts: Sequence[ScenarioPart]) -> tuple[list[GuardFinding], list[Unhandled], bool, list[Conformance]]:
    """The scenarios' guard findings merged, their unhandled messages, completeness and conformance."""
    found = [f for part in parts for f in part[1]]
    unhandled = [u for part in parts for u in part[2]]
    conformance = [part[4] for part in parts if part[4] is not None]
    return merge(found), unhandled, all(part[3] for part in parts), conformance


ScenarioPart = tuple[ScenarioResult, list[tuple[str, GuardFinding]], list[Unhandled], bool, Conformance | None]


def _scenario_part(scenario: Scenario) -> ScenarioPart:
    """One scenario's check and the analyses of its search, in a worker process: only the small results
    travel back (the exploration is let go in the worker)."""
    result = check_scenario(scenario, keep_exploration=True)
    return (result, *_guards(scenario, result))


def in_processes(work: Callable[[Scenario], T], scenarios: Sequence[Scenario], workers: int) -> list[T]:
    """``work`` on each scenario, on ``workers`` processes (in this one when 1), in the scenarios' order."""
    if workers <= 1:
        return [work(s) for s in scenarios]
    # fork: no re-import of the caller's main module (a script without a main guard works); the parent has
    # started no solver or thread of its own by then
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(work, scenarios))


def check_all(scenarios: Sequence[Scenario], workers: int | None = None) -> dict[str, ScenarioResult]:
    """Each scenario's check (no exploration kept), on ``workers`` processes (default: :func:`default_workers`),
    by id in the scenarios' order."""
    workers = default_workers(len(scenarios)) if workers is None else workers
    return {s.id: r for s, r in zip(scenarios, in_processes(check_scenario, scenarios, workers))}


def default_workers(count: int) -> int:
    """Processes for :func:`analyze`'s checks: one per core, at most :data:`MAX_WORKERS`, at most one per scenario."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, count))


MAX_WORKERS = 4
"""Each worker holds one scenario's exploration at a time (a few hundred MB at most)."""


def analyze(scenarios: Sequence[Scenario], mus_cap: int = 50, mus_seconds: float = 30.0,
            check: Callable[[Scenario], ScenarioResult] | None = None, workers: int | None = None) -> Analysis:
    """Every analysis on ``scenarios`` (the claims and readings use their checker verdicts,
    from ``check``: a caller that already has the results can pass them in). Without ``check``, the
    scenarios are checked on ``workers`` processes (default: :func:`default_workers`); the results are
    the same as one process's, in the same order."""
    start = time.perf_counter()
    patent = load_patent()
    if check is None:
        parts = in_processes(_scenario_part, scenarios, default_workers(len(scenarios)) if workers is None else workers)
    else:
        parts = [(result, *_guards(s, result)) for s in scenarios for result in [check(s)]]
    results = {s.id: part[0] for s, part in zip(scenarios, parts)}
    guards, unhandled, complete, conformance = _merged(parts)
    contradictions = check_statements(scenarios, mus_cap, mus_seconds)
    texts = {n: (c.text, c.depends_on) for n, c in patent.claims.items()}
    analysis = Analysis(
        scenarios=[s.id for s in scenarios],
        guards=guards,
        unhandled=unhandled,
        traceability=trace(patent, model_citations()),
        claims=claim_verdicts(texts, results),
        contradictions=contradictions,
        readings=matrix(results),
        conformance=conformance,
        complete=complete and all(r.complete for r in results.values()) and all(m.complete for m in contradictions),
        results=results,
        text=text_findings(patent),
    )
    analysis.seconds = time.perf_counter() - start
    return analysis
