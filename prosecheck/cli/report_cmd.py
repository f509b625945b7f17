"""`prosecheck report`: check scenarios and write the HTML report (a folder of self-contained pages)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from prosecheck.cli.common import (
    InputError,
    add_ledger_option,
    add_limit_options,
    add_scenario_options,
    apply_ledger,
    check_all,
    check_output_dir,
    limits_of,
    load_ledger,
    saved_results,
    scenarios_of,
)

NAME = "report"


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME, help="check scenarios and write a self-contained HTML report",
        description="Check the scenarios (default set if none; a FILE.json argument: the saved output of "
        "'check --json', reused instead of checking again) and write DIR/index.html (what needs attention and "
        "the full verdict table, sortable and filterable), DIR/scenario/ID.html per scenario (statistics, "
        "assumptions, properties, a trace explorer per counterexample: each step, the full state, the "
        "sequence chart) and DIR/diagrams.html (happy paths, element state diagrams). Static pages with "
        "inline CSS, script and SVG; they need no network to view.")
    add_scenario_options(parser)
    add_limit_options(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="folder for index.html, scenario/ and diagrams.html")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    add_ledger_option(parser, "to read (proofs without bounds shown as 'proved')")
    return parser


def run(args: argparse.Namespace) -> int:
    from prosecheck.diagrams.render import have_engine
    from prosecheck.report.html import write_report
    from prosecheck.report.text import verdict_table
    from prosecheck.verify import worst

    saved = saved_results(args)
    limits = limits_of(args)
    ledger = load_ledger(args)
    fresh = args.scenarios or args.scenario_files or not saved
    scenarios = scenarios_of(args) if fresh else []
    check_output_dir(args.out, "--out")  # before the search
    results = saved + (check_all(scenarios, limits, args.quiet) if fresh else [])
    apply_ledger(args, ledger, results)
    try:
        page = write_report(results, args.out)
    except OSError as err:  # the verdicts first, then the one error line
        print(verdict_table(results))
        what = err.filename or "the report"  # the page that failed (index.html, scenario/ID.html, ...)
        raise InputError(f"--out {args.out}: cannot write {what}: {err.strerror or err}") from None
    if not have_engine("dot"):
        print("prosecheck: Graphviz's 'dot' is not installed: the state diagrams are included as DOT text; "
              "install Graphviz (apt-get install graphviz) to get them as pictures", file=sys.stderr)
    print(page)
    return worst(r.exit_code for r in results)
