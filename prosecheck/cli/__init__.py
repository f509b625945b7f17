"""The command line: parse, call the library, print, exit with a code that says what happened.

Each command lives in its own module of this package and exposes ``NAME``, ``register(sub)``
(adds its sub-parser) and ``run(args) -> int``; add a command by adding its module to
``COMMANDS``.

Exit codes (all in :mod:`prosecheck.results`; docs/exit-codes.md): 0 every verdict as the scenario
declares; 2 bad input; 11, 12, 13 as for TLC: a deadlock_free/livelock_free, an invariant (or
measure), a liveness verdict other than the declared one; 20 `analyze` found something; 21 a
reachability verdict other than the declared one; 22 INCONCLUSIVE (a limit was hit, a first Ctrl-C;
`prove`: UNKNOWN); 23 a trace given to `replay` does not replay; 24 a mutant survived; 25 a
certificate refuted (or `mutants --engine` disagreeing); 26 a generated file is stale
(`regen --check`); 130 a second Ctrl-C (check, report, threats: the first prints what was decided,
see :mod:`prosecheck.cli.interrupts`), or a Ctrl-C in another command.

Bad flags (argparse) and a standard output that cannot be written (a full disk) are bad input too:
one line ``prosecheck: error: ...`` and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NoReturn, TextIO

from prosecheck import __version__
from prosecheck.cli import (
    analyze_cmd,
    bench_cmd,
    certify_cmd,
    check_cmd,
    diagram_cmd,
    export_cmd,
    list_cmd,
    mutants_cmd,
    prove_cmd,
    regen_cmd,
    replay_cmd,
    report_cmd,
    review_cmd,
    threats_cmd,
)
from prosecheck.cli.common import EXIT_INPUT, InputError

COMMANDS: tuple[ModuleType, ...] = (
    list_cmd, check_cmd, replay_cmd, mutants_cmd, certify_cmd, export_cmd, bench_cmd, diagram_cmd, analyze_cmd, report_cmd,
    prove_cmd,
    review_cmd,
    threats_cmd,
    regen_cmd,
)


class UsageError(InputError):
    """A flag argparse refuses (unknown, missing, or a value its ``type=`` rejects)."""


class _Parser(argparse.ArgumentParser):
    """argparse with its errors as one line (no usage block) for ``main`` to print, exit code 2;
    the sub-parsers of the commands are of this class too."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


class StdoutError(Exception):
    """Standard output cannot be written (e.g. no space left on the device it is redirected to)."""


class _GuardedStdout:
    """Standard output with a failed write or flush turned into :class:`StdoutError` (a reader that
    went away stays a BrokenPipeError, answered quietly)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _guard(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as err:
            raise StdoutError(err.strerror or str(err)) from None

    def write(self, text: str) -> int:
        return int(self._guard(self._stream.write, text))

    def flush(self) -> None:
        self._guard(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _silence(stream: TextIO) -> None:
    """Point ``stream``'s file descriptor at /dev/null, so that Python's own flush of what is still
    buffered, at exit, cannot fail a second time."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="prosecheck",
        description="Model checker for 5G ProSe UE-to-Network relay security on the control plane "
        "(TS 33.503 and US 2025/0260979 A1).",
    )
    parser.add_argument("--version", action="version", version=f"prosecheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The parsed command line; an argument the command does not know is one line naming the
    command and the nearest flags it does know."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        from prosecheck.cli.common import did_you_mean

        command = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[args.command]
        flags = [flag for action in command._actions for flag in action.option_strings]
        word = extra[0].split("=", 1)[0]
        hint = did_you_mean(word, flags) if word.startswith("-") else ""
        raise UsageError(f"{args.command}: unrecognized argument{'s' if len(extra) > 1 else ''} {' '.join(extra)}{hint} "
                         f"(see 'prosecheck {args.command} --help')")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parse(argv)
    except UsageError as exc:
        print(f"prosecheck: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    runner = {command.NAME: command.run for command in COMMANDS}[args.command]
    stdout = sys.stdout
    sys.stdout = _GuardedStdout(stdout)  # type: ignore[assignment]
    try:
        return _run(runner, args, stdout)
    finally:
        if isinstance(sys.stdout, _GuardedStdout):
            sys.stdout = stdout


def _run(runner: Any, args: argparse.Namespace, stdout: TextIO) -> int:
    """Run one command; every way it can end becomes an exit code (stdout flushed here, not at exit)."""
    try:
        try:
            code = int(runner(args))
        except InputError as exc:
            sys.stdout.flush()  # what was printed (e.g. verdicts) comes before the error line
            print(f"prosecheck: error: {exc}", file=sys.stderr)
            return EXIT_INPUT
        sys.stdout.flush()
        return code
    except StdoutError as exc:
        print(f"prosecheck: error: cannot write to standard output: {exc}", file=sys.stderr)
        _silence(stdout)
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


__all__ = ["COMMANDS", "main", "run"]
