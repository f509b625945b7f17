"""The interpretation matrix: for each named reading of an ambiguous passage, which properties
hold under each reading, side by side.

A reading is an option of :data:`prosecheck.model.procedures.READINGS` with its default value.
A scenario *sets* a reading when its procedure overrides that option; its *baseline* is the
scenario whose procedure has the same options except that one at its default, with the same
bounds. Verdicts come from the checker (``verify.check_scenario``) run on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from prosecheck.model.procedures import READINGS
from prosecheck.verify import ScenarioResult


@dataclass
class ReadingColumn:
    scenario: str
    value: int
    verdicts: dict[str, str]


@dataclass
class Comparison:
    """One scenario that sets the reading beside its own baseline: the scenario with the same
    options, bounds and threats except every reading it sets at its default (None: not in the run).
    ``also`` names the other readings the scenario sets at once: a difference is the set's, not
    this reading's alone."""

    variant: ReadingColumn
    baseline: ReadingColumn | None
    also: dict[str, int] = field(default_factory=dict)
    differs: list[str] = field(default_factory=list)


@dataclass
class Reading:
    option: str
    default: int
    citation: str  # the paragraphs the variant procedure cites
    columns: list[ReadingColumn] = field(default_factory=list)  # every baseline and variant, in order, once
    differs: list[str] = field(default_factory=list)  # properties whose verdict differs in some comparison
    comparisons: list[Comparison] = field(default_factory=list)


def _verdicts(result: ScenarioResult) -> dict[str, str]:
    out = {}
    for pid, p in result.properties.items():
        if p.kind == "measure":
            out[pid] = str(p.value) if p.verdict == "HOLDS" else p.verdict
        elif p.kind == "sometimes":
            out[pid] = {"HOLDS": "reached", "VIOLATED": "UNREACHED"}.get(p.verdict, p.verdict)
        else:
            out[pid] = {"HOLDS": "holds"}.get(p.verdict, p.verdict)
    return out


def _set_readings(result: ScenarioResult) -> dict[str, int]:
    """The readings the scenario's procedure sets away from their defaults."""
    return {o: v for o, v in result.scenario.procedure.options.items() if o in READINGS and v != READINGS[o]}


def _baseline(variant: ScenarioResult, results: Mapping[str, ScenarioResult]) -> str | None:
    """The scenario that differs from ``variant`` only in the readings it sets (each at its default):
    the same method, check placement, update trigger, bounds and threats, so a difference in verdicts
    comes from the readings and from nothing else."""
    want = {**variant.scenario.procedure.all_options(), **{o: READINGS[o] for o in _set_readings(variant)}}
    for sid, r in results.items():
        if r.scenario.procedure.all_options() == want and r.scenario.bounds == variant.scenario.bounds \
                and r.scenario.threats == variant.scenario.threats:
            return sid
    return None


def _compare(option: str, sid: str, results: Mapping[str, ScenarioResult]) -> Comparison:
    variant = results[sid]
    column = ReadingColumn(sid, variant.scenario.procedure.options[option], _verdicts(variant))
    base = _baseline(variant, results)
    baseline = ReadingColumn(base, READINGS[option], _verdicts(results[base])) if base is not None else None
    also = {o: v for o, v in _set_readings(variant).items() if o != option}
    differs = [p for p in column.verdicts if baseline is not None and baseline.verdicts.get(p) != column.verdicts[p]]
    return Comparison(column, baseline, also, differs)


def matrix(results: Mapping[str, ScenarioResult]) -> list[Reading]:
    """One block per reading: every scenario that sets it, each beside its own baseline."""
    out = []
    for option, default in READINGS.items():
        reading = Reading(option, default, "")
        for sid, result in results.items():
            if result.scenario.procedure.options.get(option, default) == default:
                continue
            reading.citation = str(result.scenario.procedure.ref)
            found = _compare(option, sid, results)
            reading.comparisons.append(found)
            for column in (found.baseline, found.variant):
                if column is not None and all(c.scenario != column.scenario for c in reading.columns):
                    reading.columns.append(column)
            reading.differs += [p for p in found.differs if p not in reading.differs]
        out.append(reading)
    return out
