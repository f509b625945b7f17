"""`prosecheck prove`: invariants proved beyond the scenario's bounds (Spacer, Houdini, k-induction, BMC)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

from prosecheck.cli.common import (
    SECONDS_CAP,
    InputError,
    add_ledger_option,
    add_scenario_options,
    check_output_file,
    int_flag,
    ledger_path,
    line_printer,
    load_ledger,
    properties_of,
    scenarios_of,
    seconds_flag,
)
from prosecheck.model.terms import MAX_ATTEMPTS
from prosecheck.results import EXIT_INCONCLUSIVE

if TYPE_CHECKING:
    from prosecheck.ledger import Ledger
    from prosecheck.prove import ProofResult
    from prosecheck.scenarios.catalog import Scenario

NAME = "prove"
ENGINES = ("auto", "houdini", "abstract", "table", "spacer", "kind", "bmc")
"""= prosecheck.prove.ENGINES (not imported: z3 is slow)."""
TABLE_FALLBACK_SECONDS = 30.0
"""= prosecheck.prove.TABLE_FALLBACK_SECONDS (for the help text)."""
MAX_DEPTH = 1000
"""--depth beyond this would unroll the transition relation further than any solver finishes."""
EXIT_UNKNOWN = EXIT_INCONCLUSIVE
DEFAULT_BUDGET = 600.0
"""``prove`` with no scenario named works through the default scenarios within this many seconds."""
"""Some property got no verdict (time-out, depth or an unconfirmed counterexample)."""


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME,
        help="prove invariants without the scenario's bounds (Z3 Spacer, Houdini, k-induction, BMC)",
        description="Decide each 'always' property symbolically, from the same compiled rules as the search, "
        f"with attempts free in 1..{MAX_ATTEMPTS} and withdrawals, restores and update-policy firings unbounded "
        "(docs/prove.md). PROVED comes with the inductive invariant, VIOLATED with a trace replayed on the "
        "explicit model. Exit 0: every property decided; 22: some UNKNOWN.",
    )
    add_scenario_options(parser)
    parser.add_argument("--property", action="append", dest="properties", metavar="ID", default=[],
                        help="only this property (repeatable; 'always' properties are proved)")
    parser.add_argument("--engine", choices=ENGINES, default="auto",
                        help="auto (default): spacer for a quarter of the time-out, then houdini; spacer: Horn "
                        "clauses, invariant; houdini: an inductive subset of lemmas mined from the explicit "
                        "search's worlds; abstract: explicit search of the counter / per-attempt abstraction for every "
                        "attempts bound (docs/prove.md); table: the property and one table lemma of the control "
                        "variables, PROVED or UNKNOWN with a counterexample to induction (CTI); kind: k-induction; "
                        f"bmc: bounded. Any engine's UNKNOWN without a CTI then gets the table engine for at most "
                        f"min({TABLE_FALLBACK_SECONDS:g} s, --timeout) CPU more: a proof (engine 'table') or the CTI in "
                        "the detail (and in --json as 'cti')")
    parser.add_argument("--depth", type=int_flag(0, MAX_DEPTH), default=40, metavar="K",
                        help="steps for bmc, k for k-induction, trace depth after Spacer finds a violation")
    parser.add_argument("--timeout", type=seconds_flag(SECONDS_CAP), default=60.0, metavar="S",
                        help="seconds per property (--engine abstract: per search, one search per group of properties "
                             "that keep the same ghost facts; past it the group's properties are UNKNOWN)")
    parser.add_argument("--budget", type=seconds_flag(SECONDS_CAP), default=None, metavar="S",
                        help=f"seconds for the whole run: each property gets at most what is left, and none is "
                        f"started once it is spent (UNKNOWN, 'not attempted'); default: {DEFAULT_BUDGET:g} s when "
                        "no scenario is named (the default scenarios), else none. Printed at the start")
    parser.add_argument("--bounded", action="store_true",
                        help="keep the scenario's bounds (the exact encoding of the explicit model)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--save", action="store_true",
                        help="record each PROVED result, with its fingerprint, in the proof ledger that 'check' "
                        "reads; remove entries that are no longer PROVED (written after each scenario)")
    parser.add_argument("--no-minimise", action="store_true",
                        help="houdini: print and save the support as found (unsat cores), without cutting it to a "
                        "minimal one (docs/prove.md)")
    parser.add_argument("--minimise-saved", action="store_true",
                        help="prove nothing: cut each current ledger entry of the chosen scenarios and properties to "
                        "a minimal support (a table lemma tried on a long one, lemmas with one conclusion merged), "
                        "re-check it and write the ledger")
    add_ledger_option(parser, "that --save or --minimise-saved writes (created if absent with --save)")
    return parser


def run(args: argparse.Namespace) -> int:
    from prosecheck.prove import chosen_properties, prove_scenario

    _check_save_flags(args)
    scenarios = scenarios_of(args)
    properties = properties_of(args)
    if args.minimise_saved:
        return _minimise_saved(args, scenarios, properties)
    ledger = load_ledger(args, create=True) if args.save else None
    if ledger is not None:
        check_output_file(ledger_path(args), "--ledger")
    results = []
    save_error: str | None = None
    progress = line_printer(args.quiet)
    total = len(scenarios) * len(chosen_properties(properties))
    budget = args.budget if args.budget is not None else (None if args.scenarios else DEFAULT_BUDGET)
    deadline = None if budget is None else time.monotonic() + budget
    say = progress or (lambda line: None)
    say(f"prove: {len(scenarios)} scenario(s), {total} result(s) to decide; budget "
             + (f"{budget:g} s (--budget)" if budget is not None else "none (--budget S sets one)")
             + f", at most {args.timeout:g} s per property (--timeout)")
    started = time.monotonic()

    def done(r: ProofResult) -> None:
        results.append(r)
        left = "" if deadline is None else f"; {max(0.0, deadline - time.monotonic()):.0f} s of the budget left"
        say(f"[{len(results)}/{total}] {r.scenario} {r.property}: {r.verdict} in {r.seconds:.1f} s "
                 f"({r.engine}){left}")

    for scenario in scenarios:
        found = prove_scenario(scenario, properties, args.engine, args.depth, args.timeout, not args.bounded,
                               progress, deadline, done, minimal=not args.no_minimise)
        if not args.json:
            _print(args, scenario, found)
        if ledger is not None:
            try:
                _save(args, ledger, scenario, found)
            except InputError as err:  # reported after the results, which are not lost
                save_error, ledger = str(err), None
    if args.json:
        from prosecheck.schemas import document

        print(json.dumps(document(NAME, {"engine": args.engine, "results": [r.as_dict() for r in results]}),
                         indent=2, allow_nan=False))
    say(f"prove: {len(results)} result(s) in {time.monotonic() - started:.0f} s")
    if save_error:
        raise InputError(save_error)
    return EXIT_UNKNOWN if any(r.verdict == "UNKNOWN" for r in results) else 0


def _check_save_flags(args: argparse.Namespace) -> None:
    """``--ledger`` needs ``--save``; ``--save`` records unbounded proofs keyed by scenario id, so neither
    ``--bounded`` nor a bound the proof does not lift (remote UEs, link capacity: another system under the
    same id, whose save would replace or remove the scenario's own entry)."""
    from prosecheck.cli.common import BOUND_FLAGS
    from prosecheck.prove import MAX_BOUNDS

    if args.minimise_saved and (args.save or args.bounded or args.json):
        raise InputError("--minimise-saved proves nothing and writes the ledger itself: drop --save, --bounded and --json")
    if args.ledger is not None and not (args.save or args.minimise_saved):
        raise InputError("--ledger PATH names the ledger that --save writes: add --save")
    if not args.save:
        return
    if args.bounded:
        raise InputError("--save records proofs without bounds: drop --bounded")
    if args.engine == "abstract":
        raise InputError("--save records Z3 certificates, and --engine abstract has none (its certificate is the "
                         "abstract reachable set, re-validated by re-running it): drop --save")
    unlifted = [name for name in BOUND_FLAGS if name not in MAX_BOUNDS and getattr(args, name, None) is not None]
    if unlifted:
        flags = ", ".join(f"--{n.replace('_', '-')}" for n in unlifted)
        raise InputError(f"--save records a proof under the scenario's own id, but {flags} changes a bound the proof "
                         "does not lift, so it would replace that scenario's entry: drop --save (or the override)")


def _print(args: argparse.Namespace, scenario: Scenario, found: list[ProofResult]) -> None:
    from prosecheck.prove import assumptions
    from prosecheck.report.text import lemma_lines

    print(f"== {scenario.id} ({args.engine}; {found[0].bounds if found else ''})")
    common = assumptions(not args.bounded)
    if found and not args.bounded:
        print("   assumptions: " + "; ".join(common))
    for r in found:
        print(f"   {r.property:<34} {r.verdict:<13} {r.seconds:7.2f} s  [{r.engine}] {r.detail}")
        for line in r.assumptions:
            if line not in common:
                print(f"      assumption: {line}")
        for lemma in r.invariant:
            head, *rows = lemma_lines(lemma)
            print(f"      invariant: {head}")
            for row in rows:
                print(f"         {row}")
        for k, step in enumerate(r.trace, 1):
            print(f"      {k:3}. {step}")


def _minimise_saved(args: argparse.Namespace, scenarios: list[Scenario], properties: list[str] | None) -> int:
    """``--minimise-saved``: each current entry of the chosen scenarios cut to a minimal support
    (:func:`prosecheck.ledger.shrink`: re-checked before it replaces the entry), the ledger written after each."""
    from prosecheck.ledger import save, shrink

    ledger = load_ledger(args)
    path = ledger_path(args)
    check_output_file(path, "--ledger")
    refused = 0
    for scenario in scenarios:
        outcomes = shrink(ledger, scenario, properties or None)
        for (sid, pid), found in outcomes:
            if found.entry is None:
                refused += 1
                print(f"{sid} {pid}: not minimised: {found.why}")
                continue
            state = ("minimal" + (f"; {found.why}" if found.why else "")) if found.minimal \
                else f"not shown minimal ({found.why})"
            print(f"{sid} {pid}: {found.before} -> {found.after} lemmas ({state}; {found.cpu_seconds:.1f} CPU s), "
                  "re-checked")
        if outcomes:
            try:
                save(ledger, path)
            except OSError as err:
                raise InputError(f"--ledger {path}: cannot write: {err.strerror or err}") from None
    return EXIT_UNKNOWN if refused else 0


def _save(args: argparse.Namespace, ledger: Ledger, scenario: Scenario, found: list[ProofResult]) -> None:
    """Merge one scenario's results into the ledger and write it (so an interrupted run keeps its proofs)."""
    from prosecheck.ledger import record, save

    path = ledger_path(args)
    update = record(ledger, scenario, found)
    try:
        save(ledger, path)
    except OSError as err:
        raise InputError(f"--ledger {path}: cannot write: {err.strerror or err}") from None
    print(f"[{scenario.id}] {update.line(path)}", file=sys.stderr, flush=True)
