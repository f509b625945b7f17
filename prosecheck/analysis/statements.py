"""All encoded statements and cases, by method, and the contradiction check over them.

A case may name the scenario options that represent it (method 300's check placements);
the scenarios of the run with that method and those options are listed with each
contradiction, with the statements their readings set aside (a statement tied to a reading
option, :attr:`Statement.reading`, is set aside by a scenario whose option differs)."""

from __future__ import annotations

from collections.abc import Sequence

from prosecheck.analysis.contradictions import Case, MethodResult, Statement, check_method
from prosecheck.analysis.statements_200_300 import CASES_200, CASES_300, M200, M300
from prosecheck.analysis.statements_400_500 import CASES_400, CASES_500, M400, M500
from prosecheck.analysis.statements_600_700 import CASES_600, CASES_700, M600, M700
from prosecheck.scenarios.catalog import Scenario

METHODS: dict[int, tuple[list[Statement], list[Case]]] = {
    200: (M200, CASES_200),
    300: (M300, CASES_300),
    400: (M400, CASES_400),
    500: (M500, CASES_500),
    600: (M600, CASES_600),
    700: (M700, CASES_700),
}

STATEMENTS: dict[str, Statement] = {s.sid + f"@{s.method}": s for ss, _ in METHODS.values() for s in ss}
"""Every statement by ``<id>@<method>`` (ids are unique within a method)."""


def statement(method: int, sid: str) -> Statement:
    return STATEMENTS[f"{sid}@{method}"]


def _scenarios_for(case: Case, method: int, scenarios: Sequence[Scenario]) -> list[Scenario]:
    if not case.options:
        return []
    return [s for s in scenarios if s.id.startswith(f"m{method}") and not s.mutants and not s.threats.active()
            and all(s.procedure.all_options().get(k) == v for k, v in case.options)]


def check_statements(scenarios: Sequence[Scenario], cap: int = 50, seconds: float = 30.0) -> list[MethodResult]:
    """Every method's contradictions and vacuous conditions, with the scenarios of the run that model each case."""
    out = []
    for method, (statements, cases) in METHODS.items():
        result = check_method(method, statements, cases, cap, seconds)
        by_name = {c.name: c for c in cases}
        for found in result.muses:
            for s in _scenarios_for(by_name[found.case], method, scenarios):
                options = s.procedure.all_options()
                aside = [sid for sid in found.statements if (r := statement(method, sid).reading) is not None
                         and options.get(r[0]) != r[1]]
                found.scenarios[s.id] = ", ".join(f"[{a}]" for a in aside)
        out.append(result)
    return out
