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
class Reading:
    option: str
    default: int
    citation: str  # the paragraphs the variant procedure cites
    columns: list[ReadingColumn] = field(default_factory=list)
    differs: list[str] = field(default_factory=list)  # properties whose verdict depends on the reading


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


def _baseline(variant: ScenarioResult, option: str, default: int, results: Mapping[str, ScenarioResult]) -> str | None:
    want = {**variant.scenario.procedure.all_options(), option: default}
    for sid, r in results.items():
        if r.scenario.procedure.all_options() == want and r.scenario.bounds == variant.scenario.bounds \
                and r.scenario.threats == variant.scenario.threats:
            return sid
    return None


def matrix(results: Mapping[str, ScenarioResult]) -> list[Reading]:
    """One row block per reading: the baseline and every scenario that sets the reading."""
    out = []
    for option, default in READINGS.items():
        reading = Reading(option, default, "")
        for sid, result in results.items():
            value = result.scenario.procedure.options.get(option, default)
            if value == default:
                continue
            reading.citation = str(result.scenario.procedure.ref)
            base = _baseline(result, option, default, results)
            if base is not None and all(c.scenario != base for c in reading.columns):
                reading.columns.append(ReadingColumn(base, default, _verdicts(results[base])))
            reading.columns.append(ReadingColumn(sid, value, _verdicts(result)))
        if reading.columns:
            pids = list(reading.columns[0].verdicts)
            reading.differs = [p for p in pids if len({c.verdicts.get(p) for c in reading.columns}) > 1]
        out.append(reading)
    return out
