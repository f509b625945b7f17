"""`prosecheck certify CERT...`: confirm certificates written by `check --certify DIR` independently."""

from __future__ import annotations

import argparse
from typing import Any

from prosecheck.cli.common import InputError
from prosecheck.results import EXIT_REFUTED

NAME = "certify"
"""A certificate is not closed, misses the initial world, or does not show its claimed verdicts."""


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME,
        help="confirm certificates of 'check --certify' with an independent checker",
        description="Confirm that each certificate's set of worlds contains the initial world, is closed under the "
        "transition relation (rebuilt from the compiled rules, not by the search), is exactly the set reachable from "
        "the initial world, satisfies every invariant it claims HOLDS and, for each it claims VIOLATED, contains a "
        "path from the initial world to a violating world. Exit 0: all confirmed; 25: some certificate refuted "
        "(a claim is false or not shown); 2: not a certificate, or a claim it cannot decide (an unknown property or "
        "verdict, a property that is not an invariant, a label that contradicts the recorded options).",
    )
    parser.add_argument("certificates", nargs="+", metavar="CERT", help="*.cert.json.gz files")
    return parser


def describe(path: str) -> tuple[bool, str]:
    """Check one certificate: (confirmed, one line)."""
    from prosecheck.certificate import CertificateError, check_certificate

    try:
        verdict = check_certificate(path)
    except CertificateError as err:
        raise InputError(str(err)) from None
    if verdict.confirmed:
        shown = ", ".join(f"{pid} in {n} step(s)" for pid, n in verdict.paths.items())
        return True, (f"confirmed  {path}: {verdict.worlds} worlds, closed under {verdict.transitions} transitions, "
                      "initial world in, every claimed invariant verdict true"
                      + (f" (each VIOLATED by a path from the initial world: {shown})" if shown else ""))
    return False, f"REFUTED    {path}: " + "; ".join(verdict.problems)


def run(args: argparse.Namespace) -> int:
    ok = True
    for path in args.certificates:
        confirmed, line = describe(path)
        ok &= confirmed
        print(line)
    return 0 if ok else EXIT_REFUTED
