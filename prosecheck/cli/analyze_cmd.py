"""`prosecheck analyze`: the spec editors' analyses (contradictions, guard ambiguities and gaps,
traceability and claims, the interpretation matrix), in text, Markdown or JSON.

Exit codes: 0 nothing found; 20 something found (any count in the report's "Found" line is
non-zero); 10 nothing found but a search or an enumeration hit its limit; 2 bad input."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from prosecheck.cli.common import SECONDS_CAP, add_scenario_options, int_flag, scenarios_of, seconds_flag
from prosecheck.results import EXIT_FOUND, EXIT_INCONCLUSIVE, EXIT_OK

NAME = "analyze"
EXIT_NOTHING, EXIT_INCOMPLETE = EXIT_OK, EXIT_INCONCLUSIVE


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME, help="find contradictions, ambiguities, gaps and untraced steps in the spec",
        description="Spec editors' analyses of US 2025/0260979 A1 against the model: requirement contradictions "
        "(Z3 unsat cores over the text's statements), guard ambiguities and gaps per element, traceability of "
        "steps and claims, and the interpretation matrix of the readings. Exit code 0: nothing found; 20: "
        "something found; 22: nothing found but a limit was hit; 2: bad input.")
    add_scenario_options(parser)
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON document")
    out.add_argument("--markdown", action="store_true",
                     help="print the Markdown document committed as docs/spec-analysis.md")
    parser.add_argument("--max-cores", type=int_flag(1), default=50, metavar="N",
                        help="stop enumerating contradictions of one case after N (default 50)")
    parser.add_argument("--core-seconds", type=seconds_flag(SECONDS_CAP), default=30.0, metavar="S",
                        help="time-out of one enumeration of contradictions (default 30)")
    return parser


def exit_code(found: dict[str, int], complete: bool) -> int:
    if any(found.values()):
        return EXIT_FOUND
    return EXIT_NOTHING if complete else EXIT_INCOMPLETE


def run(args: argparse.Namespace) -> int:
    from prosecheck.analysis.report_json import as_json
    from prosecheck.analysis.report_text import render
    from prosecheck.analysis.run import analyze

    scenarios = scenarios_of(args)
    if not (args.scenarios or args.scenario_files or args.threats):
        # the analyses read the text: the default set's honest scenarios; threat models are `prosecheck threats`
        scenarios = [s for s in scenarios if not s.threats.active()]
    analysis = analyze(scenarios, args.max_cores, args.core_seconds)
    code = exit_code(analysis.counts(), analysis.complete)
    if args.json:
        print(json.dumps(as_json(analysis, code), indent=2, allow_nan=False))
    else:
        print(render(analysis), end="")
        if not args.markdown:
            print(f"\n(analysis took {analysis.seconds:.1f} s; exit code {code})")
    sys.stdout.flush()
    return code
