"""Argument helpers shared by the commands: scenario, property, bound and limit options."""

from __future__ import annotations

import argparse
import fnmatch
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from prosecheck.checker.machine import ModelError
from prosecheck.checker.search import Limits
from prosecheck.model.build import rewrites_of
from prosecheck.model.environment import BOUND_LIMITS, parse_threat
from prosecheck.model.mutants import MUTANTS
from prosecheck.names import did_you_mean
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS, SCENARIOS, Scenario
from prosecheck.scenarios.scenario_file import ScenarioFileError, load_scenario_file
from prosecheck.verify import BUILTIN, EXIT_INPUT, ScenarioResult

if TYPE_CHECKING:
    from prosecheck.ledger import Ledger

BOUND_FLAGS = {
    "remote_ues": "number of remote UEs (each with its own relay session, AMF transaction, AUSF, PAnF and UDM records)",
    "attempts": "connection attempts per remote UE",
    "withdrawals": "times the UDM may withdraw the UE's relay authorization",
    "restores": "times the UDM may restore it",
    "link_capacity": "capacity of every FIFO link",
    "policy_triggers": "times the update policy of the element that owns it may fire (methods 400-700)",
}


class InputError(Exception):
    """Bad input from the user: reported in one line, exit code 2."""


_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
SECONDS_CAP = 1_000_000.0
"""The largest time-out a Z3 query can take (its milliseconds must fit 32 bits): about 11.5 days."""


def int_flag(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type=``: a plain decimal integer in ``low..high``, else one clear line and exit 2."""
    span = f"an integer in {low}..{high}" if high is not None else \
        ("a positive integer" if low == 1 else f"an integer of at least {low}")

    def parse(text: str) -> int:
        if not _INTEGER.fullmatch(text.strip()):
            raise argparse.ArgumentTypeError(f"must be {span}, got {text!r}")
        value = int(text)
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {span}, got {text!r}")
        return value

    parse.__name__ = "integer"
    return parse


def seconds_flag(high: float | None = None, what: str = "number of seconds") -> Callable[[str], float]:
    """An argparse ``type=``: a finite number above 0 (at most ``high``); nan, inf, 0 and negatives refused."""
    span = f"a finite {what} above 0" + (f" and at most {high:g}" if high is not None else "")

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {span}, got {text!r}") from None
        if not math.isfinite(value) or value <= 0 or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {span}, got {text!r}")
        return value

    parse.__name__ = "number"
    return parse


def check_output_dir(path: str | os.PathLike[str], flag: str) -> Path:
    """The folder a command will write into, checked before any work: created if absent, then
    probed with a temporary file that is removed; InputError naming ``flag`` if it cannot be written."""
    folder = Path(path)
    if _kind(folder, flag) not in ("dir", None):
        raise InputError(f"{flag} {folder}: exists and is not a directory")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"{flag} {folder}: cannot create the folder: {err.strerror or err}") from None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".prosecheck-probe-"):
            pass
    except OSError as err:
        raise InputError(f"{flag} {folder}: cannot write there: {err.strerror or err}") from None
    return folder


def check_output_file(path: str | os.PathLike[str], flag: str) -> Path:
    """A file a command will write, checked before any work: not a folder, its folder writable
    (created if absent), its name not too long for the file system."""
    target = Path(path)
    if len(os.fsencode(target.name)) > _name_max(target.parent):
        raise InputError(f"{flag} {target}: file name too long (more than {_name_max(target.parent)} bytes)")
    if _kind(target, flag) == "dir":
        raise InputError(f"{flag} {target}: is a directory")
    check_output_dir(target.parent, flag)
    return target


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _kind(path: Path, flag: str) -> str | None:
    """"dir", "other" or None (absent) for an output path; InputError if it cannot even be looked at
    (a name too long, a loop of links, no permission)."""
    try:
        return "dir" if path.is_dir() else "other" if path.exists() or path.is_symlink() else None
    except OSError as err:
        raise InputError(f"{flag} {path}: {err.strerror or err}") from None


@contextmanager
def writing(flag: str, path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn a failure to write the files of ``flag`` into one line (InputError)."""
    try:
        yield
    except OSError as err:
        where = f" {err.filename}" if err.filename else ""
        raise InputError(f"{flag} {path}: cannot write{where}: {err.strerror or err}") from None


def add_engine_option(parser: argparse.ArgumentParser) -> None:
    """``--engine``: which sequential search runs (see :mod:`prosecheck.checker.native.dispatch`)."""
    parser.add_argument("--engine", choices=("auto", "native", "python"), default=None,
                        help="the sequential search: 'native' compiles the model's successor function to C (gcc) "
                        "and searches there, 'python' never compiles; 'auto' (default, or $PROSECHECK_ENGINE) takes "
                        "native when a C compiler works and the model is one it mirrors. Same counts and traces")


def use_engine(args: argparse.Namespace) -> None:
    """Make ``--engine`` the choice of every search of this run (and of benchmark child processes)."""
    if getattr(args, "engine", None):
        os.environ["PROSECHECK_ENGINE"] = args.engine


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    """SCENARIO ids, bound overrides and seeded mutants, as `check` takes them."""
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario ids or shell-style patterns "
                        "('m300.*', 'm[45]00*@*'; quote them) (see 'prosecheck list')")
    parser.add_argument("--scenario-file", action="append", dest="scenario_files", metavar="FILE", default=[],
                        help="also check the scenario a TOML file describes (repeatable; see examples/)")
    for name, text in BOUND_FLAGS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int_flag(*BOUND_LIMITS[name]), dest=name, metavar="N",
                            help=f"override the scenario's bound: {text}")
    parser.add_argument("--threat", action="append", dest="threats", metavar="THREAT", default=[],
                        help="check every chosen scenario under a threat model (repeatable, combinable): "
                             "pc5_attacker[=N injections/replays, default 1], malicious_relay, leaked_old_pruk, "
                             "lossy_links[:pc5,nas,sbi][=N losses/duplications, default 1]; the scenario id "
                             "becomes ID@THREATS")
    parser.add_argument("--mutant", action="append", dest="mutants", metavar="ID", default=[],
                        help="seed a known modelling mistake into every scenario checked (repeatable; see 'list')")


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-states", type=int_flag(1), metavar="N", help="stop after N distinct states (verdicts not "
                        "already decided become INCONCLUSIVE)")
    parser.add_argument("--max-seconds", type=seconds_flag(), metavar="S", help="stop after S seconds of search")
    parser.add_argument("--max-memory", type=seconds_flag(what="number of megabytes"), metavar="MB",
                        help="stop when the process's peak resident "
                        "memory reaches MB megabytes (checked every 256 expanded states)")


MAX_WORKERS = 1024


POOLS = ("threads", "ray")


def pool_flag(value: str) -> str:
    """``--pool``: where the partitions run."""
    if value not in POOLS:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(POOLS)}, got {value!r}")
    return value


def add_parallel_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int_flag(1, MAX_WORKERS), default=1, metavar="N",
                        help="partitions of the search, each owning its states (default 1: the sequential search in "
                        f"this process; at most {MAX_WORKERS}); the same counts and verdicts (a trace may take another "
                        "path of the same length)")
    parser.add_argument("--pool", type=pool_flag, metavar="KIND", help="where the partitions run: 'threads' (one thread "
                        "each in this process, sharing its memory: the default on one machine) or 'ray' (one Ray actor "
                        "each: a local Ray with N CPUs, or the cluster of --ray-address, which implies it)")
    parser.add_argument("--ray-address", metavar="ADDR", help="run the partitions on the Ray cluster at ADDR "
                        "(e.g. 10.0.0.5:6379 after 'ray start --head'); implies --pool ray")


@contextmanager
def parallel_session(args: argparse.Namespace) -> Iterator[int | None]:
    """Validate --workers/--pool/--ray-address and, for Ray, keep it up for the whole command; yields the
    number of partitions, or None for the sequential search. Sets ``args.pool`` to where the partitions
    run ("threads" unless Ray is asked for)."""
    if args.workers < 1:
        raise InputError(f"--workers must be a positive integer, got {args.workers}")
    pool = getattr(args, "pool", None)
    if pool not in (None, *POOLS):
        raise InputError(f"--pool must be one of {', '.join(POOLS)}, got {pool!r}")
    if args.ray_address and pool == "threads":
        raise InputError("--ray-address runs the partitions on Ray: it cannot be combined with --pool threads")
    args.pool = "ray" if args.ray_address else pool or "threads"
    if args.workers == 1 and not args.ray_address:
        yield None
        return
    if getattr(args, "symmetry", False) or getattr(args, "hash_compact", False):
        raise InputError("--workers/--ray-address cannot be combined with --symmetry or --hash-compact")
    if args.pool == "threads":
        yield args.workers
        return
    from prosecheck.checker.parallel import RayUnavailable, ray_session
    try:
        session = ray_session(args.workers, args.ray_address)
        session.__enter__()
    except RayUnavailable as exc:
        raise InputError(str(exc)) from None
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise InputError(f"--ray-address {args.ray_address}: cannot connect to Ray: {_why(exc)}") from None
    try:
        yield args.workers
    finally:
        session.__exit__(None, None, None)


def _why(exc: Exception) -> str:
    """One line: Ray's message ("Failed to connect to Ray cluster at ..."), and the last line of what
    it wraps (after its own retries, a traceback text); a cluster that wants a token says how to give
    it one."""
    cause = str(exc.__cause__ or "").strip().splitlines()
    last = cause[-1] if cause else ""
    if "AuthenticationError" in last or "InvalidAuthToken" in last:
        return (f"{exc}: the cluster uses token authentication; run with RAY_AUTH_MODE=token and the "
                "cluster's token in ~/.ray/auth_token, RAY_AUTH_TOKEN_PATH or RAY_AUTH_TOKEN")
    return f"{exc}: {last}" if last else str(exc)


def add_ledger_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--ledger", type=Path, metavar="PATH",
                        help=f"the proof ledger {what} (default: the one shipped with prosecheck, "
                        "prosecheck/data/proofs.json)")


def ledger_path(args: argparse.Namespace) -> Path:
    from prosecheck.ledger import LEDGER

    return args.ledger if args.ledger is not None else LEDGER


def load_ledger(args: argparse.Namespace, create: bool = False) -> Ledger:
    """The proof ledger of ``--ledger`` (or the shipped one), read before any work is done; an absent
    file is an empty ledger for the shipped one or when the command will ``create`` it."""
    from prosecheck.ledger import LedgerError, load

    try:
        return load(ledger_path(args), missing_ok=create or args.ledger is None)
    except LedgerError as exc:
        raise InputError(str(exc)) from None


def apply_ledger(args: argparse.Namespace, ledger: Ledger, results: Sequence[ScenarioResult]) -> None:
    """Mark the results' HOLDS that the ledger proves without bounds (certificates re-checked, the
    outcomes kept in the result cache unless ``--no-cache``); stale entries, certificates that do
    not re-check and contradictions in one line each on stderr."""
    from prosecheck.cli import cache
    from prosecheck.ledger import apply

    folder = None if getattr(args, "no_cache", False) else cache.folder()
    for line in apply(results, ledger, folder).lines(ledger_path(args)):
        print(line, file=sys.stderr)


def scenarios_of(args: argparse.Namespace) -> list[Scenario]:
    """The scenarios named on the command line (default set if none), with overrides applied."""
    chosen = [SCENARIOS[sid] for sid in scenario_ids(args.scenarios)]
    for path in args.scenario_files:
        try:
            chosen.append(load_scenario_file(path))
        except ScenarioFileError as exc:
            raise InputError(str(exc)) from None
    chosen = chosen or list(DEFAULT_SCENARIOS)
    overrides = {k: getattr(args, k) for k in BOUND_FLAGS if getattr(args, k) is not None}
    threats: dict[str, object] = {}
    for text in getattr(args, "threats", []):
        try:
            threats.update(parse_threat(text))
        except ModelError as exc:
            raise InputError(f"--threat: {exc}") from None
    for mid in args.mutants:
        if mid not in MUTANTS:
            raise InputError(f"unknown mutant {mid!r} for --mutant; known: {', '.join(MUTANTS)}")
    out = []
    for s in chosen:
        s = s.with_bounds(**overrides) if overrides else s
        s = s.with_threats(**threats) if threats else s
        s = s.with_mutants(*args.mutants) if args.mutants else s
        try:
            s.bounds.validate()
            s.threats.validate()
            rewrites_of(s.mutants)
        except ModelError as exc:
            raise InputError(f"scenario {s.id}: {exc}") from None
        out.append(s)
    return out


def scenario_ids(names: Sequence[str]) -> list[str]:
    """Scenario ids from ids and shell-style patterns (``m300.*``), in the order given, each once; an
    unknown id or a pattern that matches nothing is one line with the nearest ids."""
    chosen: list[str] = []
    for name in names:
        if any(c in name for c in "*?["):
            matched = [sid for sid in SCENARIOS if fnmatch.fnmatchcase(sid, name)]
            if not matched:
                raise InputError(f"scenario pattern {name!r} matches no scenario ('prosecheck list' shows them)")
            chosen += matched
        elif name in SCENARIOS:
            chosen.append(name)
        else:
            raise InputError(f"unknown scenario {name!r}{did_you_mean(name, list(SCENARIOS))} "
                             f"('prosecheck list' shows all {len(SCENARIOS)})")
    return list(dict.fromkeys(chosen))


def property_id(name: str, builtins: bool = False) -> str:
    """A property's id from its id or its column name in the verdict table (``KNR-AUTH``, any case);
    ``builtins``: also ``deadlock_free``, ``messages_handled`` and ``livelock_free``, which every check
    judges (naming one of them alone judges no catalog property)."""
    from prosecheck.report.text import property_code

    ids = [*PROPERTIES, *(BUILTIN if builtins else ())]
    by_code = {property_code(pid).lower(): pid for pid in ids}
    found = name if name in ids else by_code.get(name.lower())
    if found is None:
        raise InputError(f"unknown property {name!r} for --property{did_you_mean(name, [*ids, *map(property_code, ids)])} "
                         "('prosecheck list' shows every property and its column name)")
    return found


def properties_of(args: argparse.Namespace, builtins: bool = False) -> list[str] | None:
    """The --property ids (or column names), validated and de-duplicated; None means every property
    (``builtins``: see :func:`property_id`)."""
    if not args.properties:
        return None
    return list(dict.fromkeys(property_id(name, builtins) for name in args.properties))


def limits_of(args: argparse.Namespace) -> Limits:
    """The limits of ``add_limit_options`` (their argparse types have already refused bad values)."""
    return Limits(args.max_states, args.max_seconds, args.max_memory)


def saved_results(args: argparse.Namespace) -> list[ScenarioResult]:
    """The results of the saved ``check --json`` documents among the SCENARIO arguments (those
    ending in ``.json``), removed from ``args.scenarios``; stale or malformed ones are an input error."""
    from prosecheck.report.saved import SavedResultsError, load_results

    paths = [a for a in args.scenarios if a.endswith(".json")]
    args.scenarios = [a for a in args.scenarios if not a.endswith(".json")]
    results: list[ScenarioResult] = []
    for path in paths:
        try:
            results += load_results(path)
        except SavedResultsError as err:
            raise InputError(str(err)) from None
    return results


def check_all(scenarios: Sequence[Scenario], limits: Limits, quiet: bool) -> list[ScenarioResult]:
    """Check each scenario in turn with whole-run progress on stderr (:func:`prosecheck.cli.checking.check_each`)."""
    from prosecheck.cli.checking import check_each
    from prosecheck.cli.interrupts import Interrupts
    from prosecheck.verify import check_scenario

    with Interrupts():
        return check_each(scenarios, lambda s, progress, phase: check_scenario(s, None, limits, progress, phase=phase),
                          None, limits, quiet)


def line_printer(quiet: bool) -> Callable[[str], None] | None:
    """A callback printing progress lines on stderr, or None under ``--quiet``."""
    return None if quiet else (lambda line: print(line, file=sys.stderr, flush=True))


__all__ = ["BOUND_FLAGS", "EXIT_INPUT", "MAX_WORKERS", "SECONDS_CAP", "InputError", "check_output_dir",
           "check_output_file", "int_flag", "seconds_flag", "writing",
           "add_ledger_option", "add_limit_options", "add_parallel_options", "pool_flag",
           "add_scenario_options", "apply_ledger", "ledger_path", "load_ledger", "parallel_session",
           "check_all", "saved_results", "limits_of", "line_printer", "properties_of", "scenarios_of"]
