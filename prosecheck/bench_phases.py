"""``bench --phases``: where a whole ``check`` spends its time and memory, against its search alone.

Each benchmark runs twice, each time in a fresh process so that peak memory is its own: the
search alone (:func:`prosecheck.bench.measure`), and the whole check of the same scenario
(:func:`measure_check`: every property judged, liveness, traces replayed). The table gives each
phase's seconds, the check's total as a multiple of its search, and the two processes' peak
resident memory and their ratio.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from prosecheck.bench import BENCHMARKS, run_one

PHASES = ("build", "search", "judging", "liveness", "traces")


def measure_check(name: str) -> dict[str, Any]:
    """Check one benchmark's scenario in this process (called in a child process)."""
    from prosecheck.verify import check_scenario

    result = check_scenario(BENCHMARKS[name].build())
    return {"benchmark": name, "states": result.states, "phases": result.phases, "peak_mb": result.peak_mb,
            "complete": result.complete}


def run_phases(names: list[str], say: Callable[[str], None] = lambda text: None) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        say(f"[bench --phases] {name}: the search alone ...")
        search = run_one(name, {})
        say(f"[bench --phases] {name}: the whole check ...")
        proc = subprocess.run([sys.executable, "-m", "prosecheck.bench_phases", name], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark {name} failed: {proc.stderr.strip().splitlines()[-1:]}")
        check = json.loads(proc.stdout)
        total = sum(check["phases"].values())
        rows.append({**check, "total_seconds": round(total, 3),
                     "x_search": round(total / check["phases"]["search"], 2) if check["phases"]["search"] else None,
                     "search_only_peak_mb": search["peak_rss_mb"], "check_peak_mb": max(check["peak_mb"].values()),
                     "x_search_memory": round(max(check["peak_mb"].values()) / search["peak_rss_mb"], 2)})
    return rows


def phases_table(rows: list[dict[str, Any]]) -> str:
    head = ["benchmark", "states", *PHASES, "total s", "x search", "peak MB search alone", "peak MB check",
            "x memory"]
    lines = [head] + [[r["benchmark"], str(r["states"]), *(f"{r['phases'].get(p, 0.0):.2f}" for p in PHASES),
                       f"{r['total_seconds']:.2f}", str(r["x_search"]), f"{r['search_only_peak_mb']:.0f}",
                       f"{r['check_peak_mb']:.0f}", str(r["x_search_memory"])] for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    out.append("")
    out.append("seconds per phase of the whole check (wall); x search = total / search; peak MB = the process's peak "
               "resident memory (Python, the libraries and Z3 included), the search alone and the whole check each "
               "in a fresh process")
    return "\n".join(out)


if __name__ == "__main__":  # child process: python -m prosecheck.bench_phases NAME
    print(json.dumps(measure_check(sys.argv[1])))

__all__ = ["measure_check", "phases_table", "run_phases"]
