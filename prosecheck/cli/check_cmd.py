"""`prosecheck check`: explore scenarios exhaustively and judge every property."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from prosecheck.checker.search import Limits
from prosecheck.cli import cache
from prosecheck.cli.checking import CheckOne, check_each
from prosecheck.cli.common import (
    InputError,
    add_engine_option,
    add_ledger_option,
    add_limit_options,
    add_parallel_options,
    add_scenario_options,
    apply_ledger,
    check_output_dir,
    limits_of,
    load_ledger,
    parallel_session,
    properties_of,
    scenarios_of,
    use_engine,
)
from prosecheck.cli.interrupts import Interrupts
from prosecheck.cli.progress import Phase, SearchProgress
from prosecheck.results import strict_exit_code
from prosecheck.scenarios.catalog import Scenario
from prosecheck.verify import EXIT_INCONCLUSIVE, ScenarioResult, check_scenario, worst

NAME = "check"


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME,
        help="explore scenarios exhaustively and judge properties",
        description="Explore each scenario's state space breadth-first and let Z3 judge every property. "
        "With no scenario, check the default set and print the verdict table.",
    )
    add_scenario_options(parser)
    parser.add_argument("--property", action="append", dest="properties", metavar="ID",
                        help="judge only this property: its id or its column name (KNR-AUTH); repeatable. deadlock_free, "
                        "messages_handled and livelock_free are judged in every check")
    add_limit_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text (= --format json)")
    parser.add_argument("--format", choices=("text", "md", "csv", "json"), default="text",
                        help="text (default); md or csv: the verdict table chosen by --table (attention by default, "
                        "full with named scenarios) as a Markdown table or CSV; json: as --json")
    parser.add_argument("--witnesses", action="store_true", help="also print the witness trace of each reached "
                        "reachability property")
    parser.add_argument("--table", nargs="?", const="full", choices=("attention", "full"), default=None,
                        help="print a verdict table instead of each named scenario's report: 'attention' (the default "
                        "without named scenarios: only the verdicts not as declared, INCONCLUSIVE, VIOLATED or "
                        "UNREACHED, one row per scenario and verdict, at most 120 columns wide) or 'full' (every "
                        "scenario x every property, with each scenario's counts; '--table' alone)")
    parser.add_argument("--strict", action="store_true",
                        help="exit non-zero for every VIOLATED, UNREACHED or INCONCLUSIVE verdict, declared or not "
                        "(with the exit code an undeclared one would give)")
    parser.add_argument("--symmetry", action="store_true",
                        help="symmetry reduction over identical remote UEs: one world per permutation class "
                        "(same verdicts; counts are of the reduced space)")
    parser.add_argument("--hash-compact", action="store_true",
                        help="store a 64-bit fingerprint per world instead of the world (less memory; a world may be "
                        "omitted with the probability printed, so HOLDS/UNREACHED become probabilistic)")
    add_ledger_option(parser, "to read: a HOLDS it proves without bounds (current fingerprint) is shown as 'proved'")
    add_parallel_options(parser)
    add_engine_option(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr (by default: a live line on a "
                        "terminal, plain lines otherwise: scenario i of n, phase, counts, time left)")
    parser.add_argument("--no-cache", action="store_true", help="check every scenario again instead of reusing a "
                        "result stored by an earlier run of the same model, bounds, properties and limits (the cache: "
                        "$PROSECHECK_CACHE or ~/.cache/prosecheck; only exhaustive results are kept)")
    parser.add_argument("--phases", action="store_true", help="also print, per scenario, the seconds of each phase "
                        "(build, search, judging, liveness, traces) and the process's peak memory after the search "
                        "and at the end (the JSON has them always)")
    parser.add_argument("--itf", metavar="DIR", help="also write each counterexample and witness trace as an ITF file "
                        "(the Informal Trace Format of Apalache and Quint: the whole state at every step) into DIR")
    parser.add_argument("--certify", metavar="DIR", help="write each exhaustively explored scenario's reachable set "
                        "as a certificate into DIR and confirm it with the independent checker ('certify')")
    return parser


def run(args: argparse.Namespace) -> int:
    if args.symmetry and args.hash_compact:
        raise InputError("--symmetry and --hash-compact cannot be combined")
    use_engine(args)
    scenarios = scenarios_of(args)
    properties = properties_of(args, builtins=True)
    limits = limits_of(args)
    ledger = load_ledger(args)
    if args.certify:
        check_output_dir(args.certify, "--certify")
    if args.itf:
        check_output_dir(args.itf, "--itf")
    with parallel_session(args) as workers, Interrupts() as interrupts:
        results = check_each(scenarios, _checker(args, properties, limits, workers), properties, limits, args.quiet)
        certified, write_error = _certify(results, args.certify) if args.certify else (0, None)
        if args.itf and write_error is None:
            with interrupts.writing():
                write_error = _write_itf(results, args.itf)
        apply_ledger(args, ledger, results)
        code = certified or worst(strict_exit_code(r) if args.strict else r.exit_code for r in results)
        with interrupts.writing():
            _print_results(args, results, code)
    if write_error:  # after the verdicts: they are not lost
        raise InputError(write_error)
    return code


def _checker(args: argparse.Namespace, properties: list[str] | None, limits: Limits, workers: Any) -> CheckOne:
    """How one scenario is checked: from the cache when it has the result, else for real (and cached)."""
    options = {"symmetry": args.symmetry, "hash_compact": args.hash_compact}

    def check_one(s: Scenario, progress: SearchProgress | None, phase: Phase | None) -> ScenarioResult:
        log = None if args.quiet else (lambda line: print(f"[{s.id}] {line}", file=sys.stderr, flush=True))
        entry = None if args.no_cache or args.certify or args.itf else cache.key(s, properties, limits, options)
        found = cache.load(entry) if entry else None
        if found is None:
            found = check_scenario(s, properties, limits, progress, symmetry=args.symmetry,
                                   hash_compact=args.hash_compact, keep_exploration=bool(args.certify or args.itf),
                                   workers=workers, log=log, phase=phase, pool=args.pool)
            if entry:
                cache.store(entry, found)
        return found

    return check_one


def _print_results(args: argparse.Namespace, results: list[ScenarioResult], code: int) -> None:
    """JSON, or the reports of named scenarios, or a verdict table; text ends with the summary line."""
    from prosecheck.report.assumptions import model_hash, tool_versions
    from prosecheck.report.attention import attention_table, summary_line
    from prosecheck.report.json_out import results_json
    from prosecheck.report.text import phase_table, scenario_report, stats_line, verdict_table

    fmt = "json" if args.json else args.format
    if fmt == "json":
        print(results_json(results))
        return
    table = args.table or ("full" if args.scenarios or args.scenario_files else "attention")
    if fmt in ("csv", "md"):
        _print_table(fmt, table, results, summary_line(results, code))
        return
    if args.table is None and (args.scenarios or args.scenario_files):
        print("\n\n".join(scenario_report(r, witnesses=args.witnesses) for r in results))
    elif table == "full":
        for r in results:
            print(f"{r.scenario.id}: {stats_line(r)}; model sha256 {model_hash(r.scenario)[:16]}")
        print("tools: " + ", ".join(f"{k} {v}" for k, v in tool_versions().items()))
        print()
        print(verdict_table(results))
    else:
        print(attention_table(results))
    if args.phases:
        print()
        print(phase_table(results))
    print()
    print(summary_line(results, code) + (" (--strict)" if args.strict else ""))


def _print_table(fmt: str, table: str, results: list[ScenarioResult], summary: str) -> None:
    """The attention view or the full matrix as CSV (cells only) or Markdown (then the summary line)."""
    from prosecheck.report.attention import attention_matrix
    from prosecheck.report.tables import as_csv, as_markdown
    from prosecheck.report.text import verdict_matrix

    header, rows = verdict_matrix(results) if table == "full" else attention_matrix(results)
    if fmt == "csv":
        sys.stdout.write(as_csv(header, rows))
    else:
        print(as_markdown(header, rows))
        print(summary)


def _write_itf(results: list[ScenarioResult], directory: str) -> str | None:
    """Each trace as an ITF file in ``directory`` (a line on stderr says how many); a write error's line."""
    from prosecheck.report.itf import write_itf

    try:
        written = write_itf(results, directory)
    except OSError as err:
        return f"--itf {directory}: cannot write {err.filename or ''}: {err.strerror or err}"
    print(f"--itf: {len(written)} trace(s) written to {directory} (ITF: Apalache/Quint's trace format)", file=sys.stderr)
    return None


def _certify(results: list[ScenarioResult], directory: str) -> tuple[int, str | None]:
    """Write and check a certificate per complete result (lines on stderr): EXIT_REFUTED if one fails,
    and the one-line error of a write that failed (the remaining certificates are not written)."""
    from prosecheck.cli.certify_cmd import EXIT_REFUTED, describe

    code = 0
    try:
        for r in results:
            code = _certify_one(r, directory, describe, EXIT_REFUTED) or code
    except OSError as err:
        where = f" {err.filename}" if err.filename else ""
        return code, f"--certify {directory}: cannot write{where}: {err.strerror or err}"
    except KeyboardInterrupt:
        print(f"prosecheck: interrupted while certifying: not every certificate in {directory} was written and "
              "checked", file=sys.stderr)
        return code or EXIT_INCONCLUSIVE, None
    return code, None


def _certify_one(r: ScenarioResult, directory: str, describe: Callable[[str], tuple[bool, str]], refuted: int) -> int:
    """Write and check one scenario's certificate: 0 confirmed (or none written), ``refuted`` if refuted;
    an OSError when it cannot be written."""
    from prosecheck.certificate import write_certificate

    if not r.complete:
        print(f"no certificate for {r.scenario.id}: the search was not exhaustive ({r.stopped})", file=sys.stderr)
        return 0
    try:
        path = write_certificate(r, directory)
    except ValueError as err:
        print(f"no certificate: {err}", file=sys.stderr)
        return 0
    r.exploration = None
    try:
        confirmed, line = describe(str(path))
    except InputError as err:  # the checker refuses the file it was just given: not confirmed
        confirmed, line = False, f"not confirmed: {err}"
    print(line, file=sys.stderr)
    return 0 if confirmed else refuted
