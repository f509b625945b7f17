"""The command line: parse, call the library, print, exit with a code that says what happened.

Exit codes: 0 every verdict as the scenario declares; 10 INCONCLUSIVE (a limit was hit);
11 unexpected deadlock verdict; 12 unexpected verdict of an invariant (a violation, or a
declared violation that did not happen); 13 unexpected reachability verdict; 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from prosecheck import __version__
from prosecheck.checker.machine import ModelError
from prosecheck.checker.search import Limits
from prosecheck.model.mutants import MUTANTS
from prosecheck.model.scenarios import DEFAULT_SCENARIOS, SCENARIOS, Scenario
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.verify import EXIT_INPUT, ScenarioResult, check_scenario, worst

_BOUND_FLAGS = {
    "remote_ues": "number of remote UEs (each with its own relay session, AMF transaction, AUSF, PAnF and UDM records)",
    "attempts": "connection attempts per remote UE",
    "withdrawals": "times the UDM may withdraw the UE's relay authorization",
    "restores": "times the UDM may restore it",
    "link_capacity": "capacity of every FIFO link",
}


class InputError(Exception):
    """Bad input from the user: reported in one line, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prosecheck",
        description="Model checker for 5G ProSe UE-to-Network relay security on the control plane "
        "(TS 33.503 and US 2025/0260979 A1).",
    )
    parser.add_argument("--version", action="version", version=f"prosecheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lst = sub.add_parser("list", help="list scenarios and properties", description="List scenarios and properties.")
    lst.add_argument("--json", action="store_true", help="print one JSON document")

    chk = sub.add_parser(
        "check",
        help="explore scenarios exhaustively and judge properties",
        description="Explore each scenario's state space breadth-first and let Z3 judge every property. "
        "With no scenario, check the default set and print the verdict table.",
    )
    chk.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario ids (see 'prosecheck list')")
    chk.add_argument("--property", action="append", dest="properties", metavar="ID",
                     help="judge only this property (repeatable)")
    chk.add_argument("--max-states", type=int, metavar="N", help="stop after N distinct states (verdicts not "
                     "already decided become INCONCLUSIVE)")
    chk.add_argument("--max-seconds", type=float, metavar="S", help="stop after S seconds of search")
    chk.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    chk.add_argument("--witnesses", action="store_true", help="also print the witness trace of each reached "
                     "reachability property")
    chk.add_argument("--table", action="store_true", help="print only the verdict table, even for named scenarios")
    for name, text in _BOUND_FLAGS.items():
        chk.add_argument(f"--{name.replace('_', '-')}", type=int, dest=name, metavar="N",
                         help=f"override the scenario's bound: {text}")
    chk.add_argument("--mutant", action="append", dest="mutants", metavar="ID", default=[],
                     help="seed a known modelling mistake into every scenario checked (repeatable; see 'list')")
    chk.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _scenarios(args: argparse.Namespace) -> list[Scenario]:
    chosen = []
    for sid in args.scenarios:
        if sid not in SCENARIOS:
            raise InputError(f"unknown scenario {sid!r}; known: {', '.join(SCENARIOS)}")
        chosen.append(SCENARIOS[sid])
    chosen = chosen or list(DEFAULT_SCENARIOS)
    overrides = {k: getattr(args, k) for k in _BOUND_FLAGS if getattr(args, k) is not None}
    for mid in args.mutants:
        if mid not in MUTANTS:
            raise InputError(f"unknown mutant {mid!r} for --mutant; known: {', '.join(MUTANTS)}")
    out = []
    for s in chosen:
        s = s.with_bounds(**overrides) if overrides else s
        s = s.with_mutants(*args.mutants) if args.mutants else s
        try:
            s.bounds.validate()
        except ModelError as exc:
            raise InputError(f"scenario {s.id}: {exc}") from None
        out.append(s)
    return out


def _properties(args: argparse.Namespace) -> list[str] | None:
    if not args.properties:
        return None
    for pid in args.properties:
        if pid not in PROPERTIES:
            known = ", ".join(PROPERTIES)
            raise InputError(f"unknown property {pid!r} for --property; known: {known}")
    return list(dict.fromkeys(args.properties))


def _limits(args: argparse.Namespace) -> Limits:
    if args.max_states is not None and args.max_states < 1:
        raise InputError(f"--max-states must be a positive integer, got {args.max_states}")
    if args.max_seconds is not None and args.max_seconds <= 0:
        raise InputError(f"--max-seconds must be positive, got {args.max_seconds}")
    return Limits(args.max_states, args.max_seconds)


def cmd_list(args: argparse.Namespace) -> int:
    from prosecheck.report.listing import listing_json, listing_text

    print(json.dumps(listing_json(), indent=2) if args.json else listing_text())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from prosecheck.report.json_out import results_json
    from prosecheck.report.text import scenario_report, stats_line, verdict_table

    scenarios = _scenarios(args)
    properties = _properties(args)
    limits = _limits(args)
    results: list[ScenarioResult] = []
    for s in scenarios:
        progress = None if args.quiet else _progress(s.id)
        results.append(check_scenario(s, properties, limits, progress))
    if args.json:
        print(results_json(results))
    elif args.scenarios and not args.table:
        print("\n\n".join(scenario_report(r, witnesses=args.witnesses) for r in results))
    else:
        for r in results:
            print(f"{r.scenario.id}: {stats_line(r)}")
        print()
        print(verdict_table(results))
    return worst(r.exit_code for r in results)


def _progress(scenario_id: str):  # type: ignore[no-untyped-def]
    def report(states: int, transitions: int, depth: int, seconds: float) -> None:
        rate = states / seconds if seconds else 0.0
        print(f"[{scenario_id}] {states} states, {transitions} transitions, depth {depth}, "
              f"{seconds:.0f} s, {rate:.0f} states/s", file=sys.stderr, flush=True)

    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list(args)
        return cmd_check(args)
    except InputError as exc:
        print(f"prosecheck: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("prosecheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (e.g. `head`) went away: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep Python from failing on exit flush
        return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


__all__ = ["main", "run"]
