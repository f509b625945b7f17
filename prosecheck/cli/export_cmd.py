"""`prosecheck export promela SCENARIO`: the scenario's product system as a Promela model for SPIN."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from prosecheck.checker.machine import ModelError
from prosecheck.cli.common import InputError, add_scenario_options, check_output_file, scenarios_of

NAME = "export"
FORMATS = ("promela",)


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME,
        help="export a scenario to another tool's language (Promela for SPIN)",
        description="Write one scenario as a Promela model: one proctype per element driven by its compiled "
        "transition table, one channel per link, one d_step per step. SPIN without partial-order reduction "
        "finds exactly prosecheck's number of distinct states.",
    )
    parser.add_argument("format", choices=FORMATS, help="output language")
    add_scenario_options(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    return parser


def run(args: argparse.Namespace) -> int:
    from prosecheck.export.promela import to_promela
    from prosecheck.model.build import build_system

    if len(args.scenarios) != 1:
        raise InputError(f"export needs exactly one SCENARIO, got {len(args.scenarios)}")
    (scenario,) = scenarios_of(args)
    if args.output is not None:
        check_output_file(args.output, "--output")
    try:
        text = to_promela(build_system(scenario))
    except ModelError as exc:
        raise InputError(f"scenario {scenario.id}: {exc}") from None
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text)
    except OSError as exc:
        raise InputError(f"--output {args.output}: cannot write: {exc.strerror or exc}") from None
    print(f"wrote {args.output} ({scenario.id}, {scenario.bounds.summary()})", file=sys.stderr)
    return 0
