"""The loop every checking command shares (check, report, threats): each scenario in turn, with
whole-run progress on stderr, and the first Ctrl-C answered (:mod:`prosecheck.cli.interrupts`):
the interrupted scenario keeps what it decided, the scenarios not begun are reported INCONCLUSIVE
("not checked"), and the loop ends."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from prosecheck.checker.search import Limits
from prosecheck.cli.progress import Phase, RunProgress, SearchProgress
from prosecheck.results import ScenarioResult
from prosecheck.scenarios.catalog import Scenario

CheckOne = Callable[[Scenario, SearchProgress | None, Phase | None], ScenarioResult]
NOT_BEGUN = "not checked: interrupted before it began"


def check_each(scenarios: Sequence[Scenario], check_one: CheckOne, properties: Sequence[str] | None,
               limits: Limits, quiet: bool) -> list[ScenarioResult]:
    """``check_one`` on each scenario in turn; after an interrupt, the rest are reported not checked."""
    from prosecheck.verify import not_checked

    results: list[ScenarioResult] = []
    with RunProgress(len(scenarios), quiet) as bar:
        for k, s in enumerate(scenarios):
            stop = False
            try:
                progress, phase = bar.scenario(s.id)
                results.append(check_one(s, progress, phase))
            except KeyboardInterrupt:  # outside the check's own phases (the cache, progress, a log line)
                results.append(not_checked(s, properties, f"interrupted during {s.id}", limits))
            try:
                stop = results[-1].interrupted
                bar.finished(results[-1].states, results[-1].phases)
            except KeyboardInterrupt:
                stop = True
            if stop:
                rest = scenarios[k + 1:]
                print(f"prosecheck: interrupted during {s.id}: the verdicts decided so far are kept"
                      + (f"; {len(rest)} scenario(s) not checked (INCONCLUSIVE)" if rest else ""), file=sys.stderr)
                results += [not_checked(r, properties, NOT_BEGUN, limits) for r in rest]
                break
    return results


__all__ = ["NOT_BEGUN", "CheckOne", "check_each"]
