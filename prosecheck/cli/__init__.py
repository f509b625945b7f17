"""The command line: parse, call the library, print, exit with a code that says what happened.

Each command lives in its own module of this package and exposes ``NAME``, ``register(sub)``
(adds its sub-parser) and ``run(args) -> int``; add a command by adding its module to
``COMMANDS``.

Exit codes: 0 every verdict as the scenario declares; 10 INCONCLUSIVE (a limit was hit);
11 unexpected deadlock verdict; 12 unexpected verdict of an invariant (a violation, or a
declared violation that did not happen); 13 unexpected reachability verdict; 14 a trace given
to `replay` does not replay; 16 a certificate given to `certify` (or written by `check --certify`) is
refuted; 2 bad input; 130 a second Ctrl-C (check, report, threats: the first
prints what was decided, see :mod:`prosecheck.cli.interrupts`), or a Ctrl-C in another command.
`analyze` has its own: 0 nothing found, 20 something found, 10 nothing found but a limit was hit.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

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
    replay_cmd,
    report_cmd,
    threats_cmd,
)
from prosecheck.cli.common import EXIT_INPUT, InputError

COMMANDS: tuple[ModuleType, ...] = (
    list_cmd, check_cmd, replay_cmd, mutants_cmd, certify_cmd, export_cmd, bench_cmd, diagram_cmd, analyze_cmd, report_cmd,
    prove_cmd,
    threats_cmd,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prosecheck",
        description="Model checker for 5G ProSe UE-to-Network relay security on the control plane "
        "(TS 33.503 and US 2025/0260979 A1).",
    )
    parser.add_argument("--version", action="version", version=f"prosecheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    runner = {command.NAME: command.run for command in COMMANDS}[args.command]
    try:
        return int(runner(args))
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


__all__ = ["COMMANDS", "main", "run"]
