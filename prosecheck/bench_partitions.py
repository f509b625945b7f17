"""How the partitioned search scales with the number of partitions, measured in one process.

``python -m prosecheck.bench_partitions BENCHMARK P1,P2,... [--owner N]`` runs the partitioned
compiled search (:mod:`prosecheck.checker.native.partitioned`) with its in-process pool, so no Ray
and no second core are needed: each partition is its own C store, the counts are deterministic, and
the CPU seconds are per partition. It prints one JSON line per partition count: states, levels, rows
and bytes sent between partitions (per state), the C work summed over the partitions and that of the
slowest, and the largest partition's share of the states against a fair share. These are the
measured inputs of the model in docs/performance.md ("A model for more workers").
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from prosecheck.bench import BENCHMARKS
from prosecheck.checker.exploration import Limits
from prosecheck.checker.native.engine import Native
from prosecheck.checker.native.partition import OWNER_COMPONENTS
from prosecheck.checker.native.partitioned import LocalPool, Overhead, _levels
from prosecheck.checker.system import System
from prosecheck.model.build import build_system


def scale(name: str, parts: int, owner: int = OWNER_COMPONENTS) -> dict[str, Any]:
    """One partitioned search of benchmark ``name`` over ``parts`` in-process partitions, measured."""
    def factory() -> System:
        return build_system(BENCHMARKS[name].build())

    Native(factory())  # compiled (or loaded from the cache) once, before the partitions load it
    pool = LocalPool(factory, parts, False, owner)
    try:
        snaps = pool.snapshots()
        overhead = Overhead(parts)
        stopped, snaps = _levels(pool, snaps, Limits(), None, None, overhead, time.perf_counter())
        owned = [int(s["owned"]) for s in snaps]
        work = [s["c_expand"] + s["c_absorb"] for s in pool.stats()]
    finally:
        pool.close()
    states = sum(owned)
    return {"benchmark": name, "partitions": parts, "owner_components": owner, "stopped": stopped,
            "states": states, "levels": overhead.levels, "rows": overhead.candidates, "bytes": overhead.bytes,
            "bytes_per_state": round(overhead.bytes / states, 2), "c_work_sum": round(sum(work), 3),
            "c_work_max": round(max(work), 3), "largest_share": round(max(owned) * parts / states, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m prosecheck.bench_partitions", description=__doc__.split("\n\n")[0])
    parser.add_argument("benchmark", choices=sorted(BENCHMARKS), help="a benchmark of prosecheck bench")
    parser.add_argument("partitions", help="comma-separated partition counts, e.g. 1,2,4,8")
    parser.add_argument("--owner", type=int, default=OWNER_COMPONENTS,
                        help=f"components whose values decide a world's owner (0: all; default {OWNER_COMPONENTS})")
    args = parser.parse_args(argv)
    try:
        counts = [int(p) for p in args.partitions.split(",")]
    except ValueError:
        parser.error(f"partitions must be comma-separated integers, got {args.partitions!r}")
    if any(p < 1 for p in counts):
        parser.error("partition counts must be at least 1")
    for parts in counts:
        print(json.dumps(scale(args.benchmark, parts, args.owner)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
