"""`prosecheck review`: the review list a spec editor works through (issue 24): every distinct issue of
the text once, ranked (security first), with a stable id, a verbatim quote, the computed evidence and
proposed text; as Markdown, CSV, JSON or a change-request draft grouped by clause.

Exit codes: 0 every finding accepted (``--accepted FILE``); 20 some finding open; 22 none open but a
search or an enumeration hit its limit; 2 bad input (a bad suppression file: one line)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from prosecheck.cli.common import InputError, add_scenario_options, check_output_file, scenarios_of, writing
from prosecheck.inputs import InputFileError
from prosecheck.results import EXIT_FOUND, EXIT_INCONCLUSIVE, EXIT_OK

NAME = "review"
FORMATS = ("md", "csv", "json", "cr")


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME, help="the review list: each issue of the text once, ranked, quoted, with evidence and proposed text",
        description="The review list of US 2025/0260979 A1: the findings of 'prosecheck analyze' and the hand-written "
        "findings of docs/spec-findings.md merged, each distinct issue once with a stable id (R-xxxxxxxx), a category "
        "(security, contradiction, procedural, unspecified, editorial), a severity, the paragraphs and steps, a "
        "verbatim quote, the evidence computed by the checker and Z3, and proposed text; security first. Default: "
        "the honest default scenarios. Exit code 0: every finding accepted; 20: some finding open; 22: none open but "
        "a limit was hit; 2: bad input.")
    add_scenario_options(parser)
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--format", choices=FORMATS, default="md",
                     help="md: Markdown (docs/review.md); csv: one row per finding (docs/review.csv); json: one JSON "
                     "document; cr: a change-request draft grouped by the clause each change touches (default md)")
    out.add_argument("--json", action="store_true", help="the same as --format json")
    parser.add_argument("--accepted", metavar="FILE",
                        help="a suppression file (TOML: accepted = [{id = \"R-...\", reason = \"...\"}]): those "
                        "findings are listed as accepted and do not count; an id that names no finding is a warning")
    parser.add_argument("--out", metavar="FILE", help="write the output to FILE instead of standard output")
    return parser


def exit_code(open_count: int, complete: bool) -> int:
    """20 when a finding is open; else 22 when a limit was hit, 0 when not."""
    if open_count:
        return EXIT_FOUND
    return EXIT_OK if complete else EXIT_INCONCLUSIVE


def _accepted(path: str | None) -> dict[str, str]:
    from prosecheck.analysis.review import load_accepted

    if path is None:
        return {}
    try:
        return load_accepted(path)
    except InputFileError as err:
        raise InputError(str(err)) from None


def render(fmt: str, findings: list[Any], scenarios: list[str], complete: bool, code: int, unknown: list[str]) -> str:
    from prosecheck.analysis.report_review import as_json, render_change_request, render_csv, render_markdown

    if fmt == "json":
        return json.dumps(as_json(findings, scenarios, complete, code, unknown), indent=2, allow_nan=False) + "\n"
    if fmt == "csv":
        return render_csv(findings)
    if fmt == "cr":
        return render_change_request(findings)
    return render_markdown(findings, scenarios, complete, unknown)


def run(args: argparse.Namespace) -> int:
    from prosecheck.analysis.review import apply_accepted, build_review, fix_scenarios, open_findings
    from prosecheck.analysis.run import analyze, check_all
    from prosecheck.scenarios.catalog import SCENARIOS

    accepted = _accepted(args.accepted)
    target = check_output_file(args.out, "--out") if args.out else None
    scenarios = scenarios_of(args)
    if not (args.scenarios or args.scenario_files or args.threats):
        scenarios = [s for s in scenarios if not s.threats.active()]  # as analyze: the text's honest scenarios
    analysis = analyze(scenarios)
    # the proposed fixes' scenarios (and the text's beside them), checked for the findings they answer
    more = [SCENARIOS[sid] for sid in fix_scenarios(analysis.results) if sid not in analysis.results]
    results = {**analysis.results, **check_all(more)}
    findings, unknown = apply_accepted(build_review(analysis, results), accepted)
    for i in unknown:
        print(f"prosecheck: warning: {args.accepted}: accepted id {i} names no finding any more", file=sys.stderr)
    code = exit_code(len(open_findings(findings)), analysis.complete)
    text = render("json" if args.json else args.format, findings, analysis.scenarios, analysis.complete, code, unknown)
    if target is None:
        print(text, end="")
    else:
        with writing("--out", target):
            Path(target).write_text(text, encoding="utf-8")
    sys.stdout.flush()
    return code
