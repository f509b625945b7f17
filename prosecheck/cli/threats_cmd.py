"""`prosecheck threats`: the violations found under threat models (docs/threats/)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from prosecheck.cli.common import add_limit_options, add_scenario_options, check_all, limits_of, saved_results, scenarios_of

NAME = "threats"


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME, help="list the violations found under threat models (docs/threats/)",
        description="Check the scenarios that run under a threat model (default: every built-in scenario whose id "
                    "carries one, ID@THREATS; or the given SCENARIOs, or any with --threat; a FILE.json "
                    "argument: the saved output of 'check --json', reused) and list every "
                    "violation; --markdown prints the pages docs/threats/ holds (the index, then one page per threat "
                    "model; 'prosecheck regen threats' writes them), with the shortest trace and a Mermaid chart "
                    "per violation.")
    add_scenario_options(parser)
    add_limit_options(parser)
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--markdown", action="store_true", help="print the Markdown pages of docs/threats/ as one document")
    out.add_argument("--json", action="store_true", help="print one JSON document: per scenario its threat model, "
                     "counts and violations (docs/json.md)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def run(args: argparse.Namespace) -> int:
    from prosecheck.model.fixes import is_fix_scenario
    from prosecheck.report.threats_doc import inherited_findings, threats_markdown, threats_text
    from prosecheck.scenarios.catalog import SCENARIOS
    from prosecheck.verify import worst

    saved = [r for r in saved_results(args) if r.scenario.threats.active()]
    chosen = args.scenarios or args.scenario_files or args.threats
    scenarios = [s for s in scenarios_of(args) if s.threats.active()] if chosen else \
        [] if saved else [s for s in SCENARIOS.values() if s.threats.active() and not is_fix_scenario(s.id)]
    if not scenarios and not saved:
        print("no scenario under a threat model among those chosen (give --threat, or an id with '@')",
              file=sys.stderr)
        return 2
    limits = limits_of(args)
    results = saved + check_all(scenarios, limits, args.quiet)
    if args.json:
        from prosecheck.report.threats_json import threats_json

        print(json.dumps(threats_json(results), indent=2, allow_nan=False))
    else:
        sys.stdout.write(threats_markdown(results, inherited_findings(results)) if args.markdown
                         else threats_text(results))
    return worst(r.exit_code for r in results)
