"""The mutant cross-check: the explicit search and the symbolic engine on the seeded mutants.

For every mutant, every target scenario and every applicable ``always`` property, both engines
judge the unmutated scenario (*base*) and the mutated one, with the same bounds (small ones by
default, so the counterexamples are short). The symbolic side uses ``prove --bounded`` (the
exact encoding of the explicit model) and is asked only at depths the explicit search gives:

* a side the explicit search finds VIOLATED, with a shortest trace of ``L`` steps: BMC (or
  Spacer, then BMC for the trace) to depth ``L``; it must find a violation of exactly ``L``
  steps that replays on the explicit model;
* a side it finds HOLDS: to the other side's ``L`` when the other side is VIOLATED (the depth at
  which the kill shows), else (``all_cells``) to the explicit search's depth (the longest
  shortest path of the search, so "no violation within it" is HOLDS within the bounds); it must
  find no violation.

A property *kills* a mutant in one engine when that engine's verdicts on base and mutant differ
(one VIOLATED, the other clean to at least that depth); the explicit kill is the verdict change of
``prosecheck mutants``. A time-out is UNKNOWN, never agreement; any other difference is a
disagreement, i.e. a bug in one engine."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from prosecheck.model.mutants import MUTANTS
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.prove import prove_scenario
from prosecheck.scenarios.catalog import SCENARIOS, Scenario
from prosecheck.verify import ScenarioResult, check_scenario

CROSS_BOUNDS = {"attempts": 1, "withdrawals": 1, "restores": 1}
ALWAYS = tuple(p for p in PROPERTIES if PROPERTIES[p].kind == "always")
HOLDS, VIOLATED, UNKNOWN, NOT_RUN = "HOLDS", "VIOLATED", "UNKNOWN", "not run"
STATUSES = ("both", "neither", UNKNOWN, NOT_RUN, "DISAGREE")


@dataclass
class Side:
    """One engine's answer on one system (base or mutant) and property."""

    verdict: str  # HOLDS | VIOLATED | UNKNOWN | not run
    length: int | None = None  # VIOLATED: steps of the counterexample
    depth: int | None = None  # symbolic HOLDS: no violation within this many steps (None: proved, no depth)
    seconds: float = 0.0
    detail: str = ""
    minimal: bool = True  # VIOLATED by BMC: the trace is a shortest one (False: minimising timed out)

    def as_dict(self) -> dict[str, object]:
        return {"verdict": self.verdict, "length": self.length, "depth": self.depth,
                "seconds": round(self.seconds, 2), "detail": self.detail}


def _kills(base: Side, mutant: Side) -> bool | None:
    """Do the two sides differ (one VIOLATED, the other clean at least as deep)? None: undecided."""
    if UNKNOWN in (base.verdict, mutant.verdict) or NOT_RUN in (base.verdict, mutant.verdict):
        return None
    if base.verdict == mutant.verdict:
        return False
    bad, clean = (base, mutant) if base.verdict == VIOLATED else (mutant, base)
    assert bad.length is not None
    return clean.depth is None or clean.depth >= bad.length


def _disagreement(explicit: Side, symbolic: Side) -> str:
    """Why the symbolic answer contradicts the explicit one ('' when it does not)."""
    if symbolic.verdict == VIOLATED:
        if explicit.verdict != VIOLATED:
            return f"symbolic VIOLATED in {symbolic.length} steps, explicit HOLDS"
        if symbolic.length != explicit.length and (symbolic.minimal or (symbolic.length or 0) < (explicit.length or 0)):
            return f"symbolic shortest {symbolic.length} steps, explicit shortest {explicit.length}"
    if symbolic.verdict == HOLDS and explicit.verdict == VIOLATED:
        if symbolic.depth is None or (explicit.length or 0) <= symbolic.depth:
            within = "proved" if symbolic.depth is None else f"none within {symbolic.depth} steps"
            return f"symbolic {within}, explicit VIOLATED in {explicit.length} steps"
    if "does not confirm" in symbolic.detail or "beyond the scenario's bounds" in symbolic.detail:
        return f"symbolic trace not confirmed within the bounds: {symbolic.detail}"
    return ""


@dataclass
class Cell:
    scenario: str
    pid: str
    explicit_base: Side
    explicit_mutant: Side
    symbolic_base: Side
    symbolic_mutant: Side

    @property
    def explicit_kill(self) -> bool:
        return self.explicit_base.verdict != self.explicit_mutant.verdict

    @property
    def symbolic_kill(self) -> bool | None:
        return _kills(self.symbolic_base, self.symbolic_mutant)

    @property
    def disagreements(self) -> list[str]:
        found = [(name, _disagreement(e, s)) for name, e, s in (
            ("base", self.explicit_base, self.symbolic_base), ("mutant", self.explicit_mutant, self.symbolic_mutant))]
        return [f"{self.scenario} {self.pid} ({name}): {why}" for name, why in found if why]

    def as_dict(self) -> dict[str, object]:
        return {"scenario": self.scenario, "property": self.pid, "explicit_kill": self.explicit_kill,
                "symbolic_kill": self.symbolic_kill, "disagreements": self.disagreements,
                **{k: getattr(self, k).as_dict()
                   for k in ("explicit_base", "explicit_mutant", "symbolic_base", "symbolic_mutant")}}


@dataclass
class MutantCross:
    mutant: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def explicit_killed(self) -> bool:
        return any(c.explicit_kill for c in self.cells)

    @property
    def symbolic_killed(self) -> bool | None:
        kills = [c.symbolic_kill for c in self.cells]
        return True if any(kills) else (False if all(k is False for k in kills) else None)

    @property
    def disagreements(self) -> list[str]:
        return [d for c in self.cells for d in c.disagreements]

    @property
    def status(self) -> str:
        """both | neither | DISAGREE | UNKNOWN (a symbolic query timed out) | not run (cells skipped)."""
        if self.disagreements:
            return "DISAGREE"
        symbolic = self.symbolic_killed
        if symbolic is None:
            sides = [s for c in self.cells for s in (c.symbolic_base, c.symbolic_mutant)]
            return UNKNOWN if any(s.verdict == UNKNOWN for s in sides) else NOT_RUN
        if symbolic != self.explicit_killed:
            return "DISAGREE"
        return "both" if symbolic else "neither"

    def as_dict(self) -> dict[str, object]:
        return {"mutant": self.mutant, "status": self.status, "explicit_killed": self.explicit_killed,
                "symbolic_killed": self.symbolic_killed, "disagreements": self.disagreements,
                "cells": [c.as_dict() for c in self.cells]}


def _explicit(result: ScenarioResult, pid: str) -> Side:
    p = result.properties[pid]
    if p.verdict == VIOLATED:
        return Side(VIOLATED, len(p.trace or []))
    return Side(p.verdict)


@dataclass
class _Symbolic:
    """Symbolic queries, cached (the unmutated scenarios are asked again for every mutant)."""

    engine: str
    timeout: float
    cache: dict[tuple[str, str, int], Side] = field(default_factory=dict)
    seconds: float = 0.0

    def ask(self, scenario: Scenario, pid: str, depth: int) -> Side:
        key = (scenario.id, pid, depth)
        if key not in self.cache:
            r = prove_scenario(scenario, [pid], self.engine, depth, self.timeout, unbounded=False)[0]
            self.cache[key] = self._side(r.verdict, r.trace, r.detail, r.seconds, depth)
            # BMC gives each query of its search for the shortest trace the time left: only a
            # search that ran out of time can return a trace it did not minimise
            self.cache[key].minimal = r.seconds < self.timeout
            self.seconds += r.seconds
        return self.cache[key]

    def _side(self, verdict: str, trace: list[str], detail: str, seconds: float, depth: int) -> Side:
        if verdict == "PROVED":
            return Side(HOLDS, seconds=seconds, detail=detail)
        if verdict == VIOLATED:
            return Side(VIOLATED, len(trace), seconds=seconds, detail=detail)
        if verdict == UNKNOWN and f"no violation within {depth} steps" in detail:
            return Side(HOLDS, depth=depth, seconds=seconds, detail=detail)
        return Side(UNKNOWN, seconds=seconds, detail=detail)


def _depth(side: Side, other: Side, search_depth: int, all_cells: bool) -> int | None:
    """The depth to ask the symbolic engine at for this side (None: not asked)."""
    if side.verdict == VIOLATED:
        return side.length
    if other.verdict == VIOLATED:
        return other.length
    return search_depth if all_cells else None


@dataclass
class CrossReport:
    engine: str
    timeout: float
    bounds: dict[str, int]
    all_cells: bool
    mutants: list[MutantCross]
    queries: int  # distinct symbolic queries (the unmutated scenarios' are shared)
    symbolic_seconds: float
    explicit_seconds: float

    def count(self, status: str) -> int:
        return sum(m.status == status for m in self.mutants)

    def as_dict(self) -> dict[str, object]:
        return {"engine": self.engine, "timeout": self.timeout, "bounds": self.bounds, "all_cells": self.all_cells,
                "queries": self.queries, "symbolic_seconds": round(self.symbolic_seconds, 1),
                "explicit_seconds": round(self.explicit_seconds, 1),
                "counts": {s: self.count(s) for s in STATUSES},
                "mutants": [m.as_dict() for m in self.mutants]}


def cross_check(mutant_ids: Sequence[str] | None = None, engine: str = "bmc", timeout: float = 60.0,
                bounds: dict[str, int] | None = None, all_cells: bool = False,
                progress: Callable[[str], None] | None = None,
                property_ids: Sequence[str] | None = None) -> CrossReport:
    """Every chosen mutant (all by default) x target scenario x ``always`` property (or the chosen
    ones), both engines.

    ``all_cells``: also ask the symbolic engine where both explicit verdicts are HOLDS (to the
    explicit search's depth: slow); without it those cells are "not run"."""
    chosen = dict(CROSS_BOUNDS if bounds is None else bounds)
    symbolic = _Symbolic(engine, timeout)
    explicit: dict[str, ScenarioResult] = {}
    report = CrossReport(engine, timeout, chosen, all_cells, [], 0, 0.0, 0.0)
    for mid in mutant_ids or list(MUTANTS):
        cross = MutantCross(mid)
        for sid in MUTANTS[mid].scenarios:
            base = SCENARIOS[sid].with_bounds(**chosen)
            mutant = base.with_mutants(mid)
            start = time.perf_counter()
            if sid not in explicit:
                explicit[sid] = check_scenario(base, list(ALWAYS), replay=False)
            found = check_scenario(mutant, list(ALWAYS), replay=False)
            report.explicit_seconds += time.perf_counter() - start
            for pid in [p for p in ALWAYS if not property_ids or p in property_ids]:
                cell = _cell(symbolic, base, mutant, pid, explicit[sid], found, all_cells)
                if cell is not None:
                    cross.cells.append(cell)
                    if progress is not None and NOT_RUN not in (cell.symbolic_base.verdict, cell.symbolic_mutant.verdict):
                        progress(_progress_line(mid, cell))
        report.mutants.append(cross)
    report.queries, report.symbolic_seconds = len(symbolic.cache), symbolic.seconds
    return report


def _cell(symbolic: _Symbolic, base: Scenario, mutant: Scenario, pid: str, base_result: ScenarioResult,
          mutant_result: ScenarioResult, all_cells: bool) -> Cell | None:
    eb, em = _explicit(base_result, pid), _explicit(mutant_result, pid)
    if eb.verdict not in (HOLDS, VIOLATED) or em.verdict not in (HOLDS, VIOLATED):
        return None  # n/a (or INCONCLUSIVE: a limit; none is set here)
    if base.threats.lossy_links:
        return None  # prove does not support lossy links
    sides = []
    for scenario, side, other, result in ((base, eb, em, base_result), (mutant, em, eb, mutant_result)):
        depth = _depth(side, other, result.depth, all_cells)
        sides.append(Side(NOT_RUN) if depth is None else symbolic.ask(scenario, pid, depth))
    return Cell(base.id, pid, eb, em, sides[0], sides[1])


def _progress_line(mid: str, cell: Cell) -> str:
    def show(side: Side) -> str:
        if side.verdict == VIOLATED:
            return f"VIOLATED/{side.length}"
        if side.verdict == HOLDS and side.depth is not None:
            return f"none<={side.depth}"
        return side.verdict
    sym = f"{show(cell.symbolic_base)} -> {show(cell.symbolic_mutant)}"
    seconds = cell.symbolic_base.seconds + cell.symbolic_mutant.seconds
    flag = "  DISAGREE" if cell.disagreements else ""
    return (f"{mid} {cell.scenario} {cell.pid}: explicit {show(cell.explicit_base)} -> "
            f"{show(cell.explicit_mutant)}; symbolic {sym} ({seconds:.1f} s){flag}")


__all__ = ["ALWAYS", "CROSS_BOUNDS", "STATUSES", "Cell", "CrossReport", "MutantCross", "Side", "cross_check"]
