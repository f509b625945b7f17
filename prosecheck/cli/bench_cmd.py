"""`prosecheck bench`: fixed benchmarks of the search (states, time, memory), optionally against SPIN."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from prosecheck.cli.common import MAX_WORKERS, InputError, add_engine_option, pool_flag, use_engine

NAME = "bench"


def register(sub: Any) -> argparse.ArgumentParser:
    from prosecheck.bench import BENCHMARKS, DEFAULT, GROWTH

    parser: argparse.ArgumentParser = sub.add_parser(
        NAME,
        help="benchmark the search (states, transitions, seconds, memory), optionally against SPIN",
        description="Run fixed benchmarks, each in a fresh process: distinct states, transitions, wall seconds, "
        "states/s, peak RSS and bytes per stored state. Benchmarks: "
        + "; ".join(f"{b.name} = {b.scenario} {b.bounds or ''} {b.note}".replace("  ", " ") for b in BENCHMARKS.values())
        + f". Default: {' '.join(DEFAULT)}; --growth: {' '.join(GROWTH)}.",
    )
    parser.add_argument("names", nargs="*", metavar="BENCHMARK", help="benchmarks to run (default: small medium large)")
    parser.add_argument("--growth", action="store_true", help="run the growth series (1, 2, 3 remote UEs)")
    parser.add_argument("--vs-spin", action="store_true", help="also export each benchmark to Promela and run SPIN "
                        "(needs spin and gcc): its counts, compile and run time, agreement and the time ratio")
    parser.add_argument("--symmetry", action="store_true", help="search with symmetry reduction over identical remote "
                        "UEs (counts are of the reduced space; SPIN, if asked, still explores the full one)")
    parser.add_argument("--hash-compact", action="store_true", help="search with hash compaction (64-bit "
                        "fingerprints; the omission probability is printed)")
    parser.add_argument("--workers", metavar="LIST", help="run each benchmark once per worker count, e.g. 1,2 "
                        "(1 = the sequential search; more: the partitioned search, see --pool) and print the "
                        "speed-up, efficiency and exchange overhead")
    parser.add_argument("--pool", type=pool_flag, default="threads", metavar="KIND",
                        help="with --workers: where the partitions run, 'threads' (one thread each in the measured "
                        "process: the default) or 'ray' (one actor each on a local Ray)")
    parser.add_argument("--phases", action="store_true", help="also time the whole check of each benchmark "
                        "(search, judging, liveness, traces) and compare its peak memory with the search's alone, "
                        "each in a fresh process")
    add_engine_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


def run(args: argparse.Namespace) -> int:
    from prosecheck.bench import BENCHMARKS, DEFAULT, GROWTH, as_json, run_bench, table

    use_engine(args)
    names = list(args.names) or (list(GROWTH) if args.growth else list(DEFAULT))
    if args.names and args.growth:
        names += [n for n in GROWTH if n not in names]
    for n in names:
        if n not in BENCHMARKS:
            raise InputError(f"unknown benchmark {n!r}; known: {', '.join(BENCHMARKS)}")
    if args.vs_spin:
        from prosecheck.export.spin import available
        if not available():
            raise InputError("--vs-spin needs spin and gcc on the PATH (Debian: apt-get install spin gcc)")
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    if args.phases:
        import json

        from prosecheck.bench_phases import phases_table, run_phases
        from prosecheck.schemas import document
        found = run_phases(names, say)
        print(json.dumps(document("bench-phases", {"phases": found}), indent=2, allow_nan=False) if args.json
              else phases_table(found))
        return 0
    rows = run_bench(names, _options(args), args.vs_spin, say, _workers(args), args.pool)
    print(as_json(rows) if args.json else table(rows))
    return 0 if all(r.spin is None or r.spin["agree"] is not False for r in rows) else 1


def _workers(args: argparse.Namespace) -> list[int] | None:
    if args.workers is None:
        return None
    try:
        counts = [int(w) for w in args.workers.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1 or max(counts) > MAX_WORKERS:
        raise InputError(f"--workers must be a comma-separated list of integers in 1..{MAX_WORKERS}, "
                         f"got {args.workers!r}")
    if max(counts) > 1:
        if args.symmetry or args.hash_compact:
            raise InputError("--workers above 1 cannot be combined with --symmetry or --hash-compact")
        if args.pool == "ray":
            try:
                import ray  # noqa: F401
            except ImportError:
                raise InputError("--pool ray needs Ray: pip install 'prosecheck[ray]'") from None
    return counts


def _options(args: argparse.Namespace) -> dict[str, Any]:
    if args.symmetry and args.hash_compact:
        raise InputError("--symmetry and --hash-compact cannot be combined")
    return {"symmetry": True} if args.symmetry else {"hash_compact": True} if args.hash_compact else {}
