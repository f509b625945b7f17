"""`prosecheck replay TRACE.json`: re-execute traces on live machines and confirm what they show."""

from __future__ import annotations

import argparse
import json
from typing import Any

from prosecheck.cli.common import InputError
from prosecheck.results import EXIT_NOT_REPLAYED

NAME = "replay"
"""At least one trace does not re-execute, or its last world does not show what it claims."""


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME,
        help="re-execute counterexamples and witnesses on live machines",
        description="Re-execute every trace of a 'check --json' document (or of one of its results) step by step "
        "on live python-statemachine machines, independently of the checker's tables, and confirm the "
        "violation or witness on the last world. Exit 0: all confirmed; 23: some trace does not replay; "
        "2: the file is not a trace document.",
    )
    parser.add_argument("trace", metavar="TRACE.json", help="a file written by 'prosecheck check --json'")
    parser.add_argument("--json", action="store_true", help="print one JSON document (docs/json.md)")
    return parser


def run(args: argparse.Namespace) -> int:
    from prosecheck.replay import TraceInputError, replay_file
    from prosecheck.schemas import document

    try:
        outcomes = replay_file(args.trace)
    except TraceInputError as err:
        raise InputError(str(err)) from None
    if args.json:
        found = [{"trace": o.where, "confirmed": o.confirmed, "detail": o.detail} for o in outcomes]
        print(json.dumps(document(NAME, {"outcomes": found}), indent=2, allow_nan=False))
    else:
        for o in outcomes:
            print(f"{'confirmed' if o.confirmed else 'REJECTED '}  {o.where}: {o.detail}")
    return 0 if all(o.confirmed for o in outcomes) else EXIT_NOT_REPLAYED
