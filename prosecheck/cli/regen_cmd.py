"""`prosecheck regen`: rewrite the committed generated files (the registry of
:mod:`prosecheck.report.generated`), or check that they are current.

Exit codes: 0 done (or, with --check, every file current); 26 with --check, some file is stale (each
is listed); 2 bad input (an unknown NAME, a --root that is not a checkout, a file that cannot be
written); 130 Ctrl-C (before anything was written: the files are written only once all are built)."""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prosecheck.cli.common import InputError
from prosecheck.results import EXIT_STALE

if TYPE_CHECKING:
    from prosecheck.report.generated import Artifact, Inputs

NAME = "regen"
"""--check: some generated file differs from what its generator writes today."""


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME, help="rewrite the committed generated files (docs, diagrams, golden traces), or --check them",
        description="Rewrite every committed generated file from the model (or the NAMEd artifacts only; "
        "--list shows them): the verdict table in docs/verdicts.md, docs/threats/, docs/spec-analysis.md, diagrams/ and "
        "tests/golden/. Deterministic; every file is built before any is written, and each is replaced by a "
        "rename (nothing half-written). --check writes nothing and lists the stale files. Exit 0: done, or "
        f"all current; {EXIT_STALE}: --check found a stale file; 2: bad input.")
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these artifacts (default: all)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help=f"write nothing; list each stale file and exit {EXIT_STALE} if there is one")
    mode.add_argument("--list", action="store_true", help="list the artifacts, their files and commands")
    parser.add_argument("--root", type=Path, metavar="DIR",
                        help="the checkout to write or check (default: the one prosecheck runs from)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def _chosen(names: list[str]) -> list[Artifact]:
    from prosecheck.report.generated import ARTIFACTS, REGISTRY

    unknown = [n for n in names if n not in ARTIFACTS]
    if unknown:
        raise InputError(f"unknown artifact {unknown[0]!r}; known: {', '.join(ARTIFACTS)}")
    return [ARTIFACTS[n] for n in dict.fromkeys(names)] if names else list(REGISTRY)


def _root(args: argparse.Namespace) -> Path:
    from prosecheck.report.generated import GeneratedError, checkout_root

    if args.root is None:
        try:
            return checkout_root()
        except GeneratedError as exc:
            raise InputError(str(exc)) from None
    root: Path = args.root
    if not root.is_dir():
        raise InputError(f"--root {root}: not a folder")
    return root


def _list(artifacts: list[Artifact], root: Path) -> int:
    from prosecheck.report.generated import RECORDED_ELSEWHERE, owned_files

    for a in artifacts:
        files = owned_files(a, root)
        largest = max(((root / f).stat().st_size for f in files), default=0)
        print(f"{a.name:<14} {', '.join(a.paths):<22} {len(files):>3} file(s), largest {largest / 1024:.0f} KB: {a.what}")
    print("not regenerated here:")
    for path, how in RECORDED_ELSEWHERE:
        print(f"  {path}: {how}")
    return 0


def _build_all(artifacts: list[Artifact], inputs: Inputs, quiet: bool) -> list[tuple[Artifact, dict[str, str]]]:
    from prosecheck.report.generated import build

    built = []
    for a in artifacts:
        start = time.perf_counter()
        built.append((a, build(a, inputs)))
        if not quiet:
            print(f"prosecheck: built {a.name}: {len(built[-1][1])} file(s) in {time.perf_counter() - start:.1f} s",
                  file=sys.stderr)
    return built


def run(args: argparse.Namespace) -> int:
    from prosecheck.report.generated import GeneratedError, Inputs, no_interrupt, stale_files, write
    from prosecheck.scenarios.catalog import SCENARIOS
    from prosecheck.verify import check_scenario

    artifacts, root = _chosen(args.names), _root(args)
    if args.list:
        return _list(artifacts, root)
    inputs = Inputs(functools.cache(lambda sid: check_scenario(SCENARIOS[sid])), root)
    try:
        built = _build_all(artifacts, inputs, args.quiet)
        for note in dict.fromkeys(inputs.notes):
            print(f"prosecheck: {note}", file=sys.stderr)
        if args.check:
            stale = [(a.name, f) for a, files in built for f in stale_files(a, files, root)]
            for name, f in stale:
                print(f"stale: {f} (prosecheck regen {name})")
            print(f"{len(stale)} stale file(s) in {len({n for n, _ in stale})} of {len(built)} artifact(s)")
            return EXIT_STALE if stale else 0
        with no_interrupt():  # built: now all is written, or (an error) what was written is said
            for a, files in built:
                changed, removed = write(a, files, root)
                print(f"{a.name}: {len(files)} file(s), {len(changed)} rewritten, {len(removed)} removed")
    except GeneratedError as exc:
        raise InputError(str(exc)) from None
    return 0
