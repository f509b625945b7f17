"""`prosecheck mutants`: run the seeded mutants and print the kill matrix (mutant x property)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from prosecheck.cli.common import SECONDS_CAP, InputError, int_flag, line_printer, seconds_flag
from prosecheck.model.environment import BOUND_LIMITS
from prosecheck.results import EXIT_INCONCLUSIVE, EXIT_REFUTED, EXIT_SURVIVOR

NAME = "mutants"
EXIT_UNDECIDED = EXIT_INCONCLUSIVE
"""--engine: some mutant's symbolic kill was not decided (a time-out, or cells not run)."""
EXIT_DISAGREE = EXIT_REFUTED
"""--engine: the explicit and the symbolic engine disagree on some mutant (a bug in one of them)."""


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME,
        help="run the seeded mutants and print the kill matrix",
        description="Run every seeded mutant on its target scenarios and print which properties kill it (give "
        "a verdict other than on the unmutated scenario). Exit 0: every mutant killed; 24: some mutant survived.",
    )
    parser.add_argument("--mutant", action="append", dest="mutants", metavar="ID", default=[],
                        help="run only this mutant (repeatable)")
    parser.add_argument("--fast", action="store_true", help="first target scenario only, attempts=2, "
                        "withdrawals=1, restores=1, no trace replay")
    parser.add_argument("--json", action="store_true", help="print the matrix as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    cross = parser.add_argument_group("cross-check with the symbolic engine (prove --bounded)")
    cross.add_argument("--engine", choices=("bmc", "spacer"),
                       help="cross-check every mutant x scenario x 'always' property: explicit verdicts and shortest "
                       "counterexample lengths against this engine's, asked to the explicit search's depths")
    cross.add_argument("--property", action="append", dest="properties", metavar="ID", default=[],
                       help="only this 'always' property (repeatable)")
    cross.add_argument("--timeout", type=seconds_flag(SECONDS_CAP), default=60.0, metavar="S",
                       help="seconds per symbolic query (60)")
    cross.add_argument("--all-cells", action="store_true", help="also ask where both explicit verdicts are HOLDS "
                       "(to the explicit search's depth; slow)")
    for name, default in (("attempts", 1), ("withdrawals", 1), ("restores", 1)):
        cross.add_argument(f"--{name}", type=int_flag(*BOUND_LIMITS[name]), default=default, metavar="N",
                           help=f"bound for both engines ({default})")
    return parser


def run(args: argparse.Namespace) -> int:
    from prosecheck.model.mutants import MUTANTS
    from prosecheck.mutation import PROPERTY_IDS, kill_matrix
    from prosecheck.report.text import property_code
    from prosecheck.schemas import document

    for mid in args.mutants:
        if mid not in MUTANTS:
            raise InputError(f"unknown mutant {mid!r} for --mutant; known: {', '.join(MUTANTS)}")
    progress = line_printer(args.quiet)
    if args.engine:
        return _cross_check(args, progress)
    if args.properties or args.all_cells:
        raise InputError("--property and --all-cells belong to the cross-check: add --engine bmc|spacer")
    outcomes = kill_matrix(args.mutants or None, fast=args.fast, progress=progress)
    killed = sum(o.killed for o in outcomes)
    if args.json:
        print(json.dumps(document(NAME, {
            "mutants": [{"id": o.mutant.id, "element": o.mutant.role, "description": o.mutant.description,
                         "scenarios": list(o.scenarios), "killed": o.killed, "killed_by": o.killed_by,
                         "states": o.states, "replay_problems": o.replay_problems} for o in outcomes],
            "killed": killed, "total": len(outcomes), "fast": args.fast,
        }), indent=2, allow_nan=False))
    else:
        used = [pid for pid in PROPERTY_IDS if any(pid in o.killed_by for o in outcomes)]
        heads = [property_code(pid) for pid in used]
        width = max(len(o.mutant.id) for o in outcomes)
        print("  ".join(["mutant".ljust(width), *heads, "killed by"]))
        for o in outcomes:
            cells = [("X" if pid in o.killed_by else ".").ljust(len(h)) for pid, h in zip(used, heads)]
            print("  ".join([o.mutant.id.ljust(width), *cells, str(len(o.killed_by)) if o.killed else "SURVIVED"]))
        print(f"\n{killed} of {len(outcomes)} mutants killed; columns: "
              + "; ".join(f"{h} = {pid}" for pid, h in zip(used, heads)))
        for o in outcomes:
            for problem in o.replay_problems:
                print(f"replay disagreement in {o.mutant.id}: {problem}")
    ok = killed == len(outcomes) and not any(o.replay_problems for o in outcomes)
    return 0 if ok else EXIT_SURVIVOR


def _cross_check(args: argparse.Namespace, progress: Callable[[str], None] | None) -> int:
    """``--engine``: the explicit search against the symbolic engine on every chosen mutant."""
    from prosecheck.checker.machine import ModelError
    from prosecheck.crosscheck import ALWAYS, NOT_RUN, UNKNOWN, cross_check
    from prosecheck.model.environment import Bounds
    from prosecheck.report.crosscheck import cross_table
    from prosecheck.schemas import document

    if args.fast:
        raise InputError("--fast and --engine cannot be combined (the cross-check has its own bounds)")
    bounds = {"attempts": args.attempts, "withdrawals": args.withdrawals, "restores": args.restores}
    try:
        Bounds(**bounds).validate()
    except ModelError as exc:
        raise InputError(str(exc)) from None
    for pid in args.properties:
        if pid not in ALWAYS:
            raise InputError(f"--property {pid!r}: not an 'always' property; known: {', '.join(ALWAYS)}")
    report = cross_check(args.mutants or None, args.engine, args.timeout, bounds, args.all_cells, progress,
                         args.properties or None)
    print(json.dumps(document("mutants-crosscheck", report.as_dict()), indent=2, allow_nan=False) if args.json
          else cross_table(report))
    if report.count("DISAGREE"):
        return EXIT_DISAGREE
    return EXIT_UNDECIDED if report.count(UNKNOWN) or report.count(NOT_RUN) else 0
