"""Fixed benchmarks of the search, optionally side by side with SPIN on the same state space.

Each benchmark runs in a fresh Python process (``python -m prosecheck.bench NAME``) so that its
peak resident set size is its own (reset before the search: a child starts with its parent's peak).
Bytes per stored state = (peak RSS during the search - RSS before it) / distinct states: everything
the search kept, measured by the operating system. The compiled search's C is generated and
compiled beforehand in a process of its own and timed apart, as SPIN's compile is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prosecheck.scenarios.catalog import SCENARIOS, Scenario


@dataclass(frozen=True)
class Benchmark:
    name: str
    scenario: str
    bounds: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def build(self) -> Scenario:
        base = SCENARIOS[self.scenario]
        return base.with_bounds(**self.bounds) if self.bounds else base


_GROWTH = {"attempts": 1, "withdrawals": 1, "restores": 1}
BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in [
    Benchmark("tiny", "m200", {"attempts": 1, "withdrawals": 1, "restores": 0}, "for tests"),
    Benchmark("small", "m300.ausf_udm", note="the default m300.ausf_udm scenario"),
    Benchmark("medium", "m300.ausf_udm.2ue", note="two remote UEs, 2 attempts, 1 withdrawal, 1 restore each"),
    Benchmark("large", "m300.ausf_udm", {"remote_ues": 3, **_GROWTH}, "three remote UEs, 1 attempt, 1 withdrawal, "
              "1 restore each"),
    Benchmark("single", "m200.5attempts", note="one remote UE, 5 attempts: one component, no step reuse across UEs"),
    Benchmark("ue1", "m300.ausf_udm", {"remote_ues": 1, **_GROWTH}, "growth: 1 remote UE"),
    Benchmark("ue2", "m300.ausf_udm", {"remote_ues": 2, **_GROWTH}, "growth: 2 remote UEs"),
    Benchmark("ue3", "m300.ausf_udm", {"remote_ues": 3, **_GROWTH}, "growth: 3 remote UEs (= large)"),
    Benchmark("ue4", "m300.ausf_udm", {"remote_ues": 4, **_GROWTH}, "growth: 4 remote UEs (symmetry only)"),
    Benchmark("huge", "m300.ausf_udm", {"remote_ues": 3, "attempts": 1, "withdrawals": 2, "restores": 2},
              "over 10 million states: three remote UEs, 1 attempt, 2 withdrawals, 2 restores each (the UEs are "
              "independent: 257 worlds per UE, 257^3 = 16,974,593 states); minutes and GBs, never in the default "
              "set or in tests"),
]}
DEFAULT = ("small", "medium", "large")
GROWTH = ("ue1", "ue2", "ue3")


def _reset_peak() -> bool:
    """Reset this process's peak resident set (Linux: ``clear_refs`` 5 resets VmHWM). Needed because a child
    starts with its parent's peak (``ru_maxrss`` survives fork and exec): a search smaller than the parent
    benchmark process would otherwise be charged the parent's memory. False where it cannot be reset."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_mb(reset: bool) -> float:
    """The peak resident set since :func:`_reset_peak` (VmHWM), else since the process started."""
    from prosecheck.checker.search import peak_rss_mb

    if reset:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    return peak_rss_mb()


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import resource
    return pages * resource.getpagesize() / (1 << 20)


def measure(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Explore one benchmark in this process and report its numbers (called in a child process)."""
    from prosecheck.checker.search import explore
    from prosecheck.model.build import build_system

    bench = BENCHMARKS[name]
    options = dict(options)
    workers = options.pop("workers", None)
    pool = options.pop("pool", "threads")
    system = build_system(bench.build())
    before = _rss_mb()
    reset = _reset_peak()
    extra: dict[str, Any] = {}
    cpu = time.process_time()
    if workers is None:
        result = explore(system, **options)
        extra["cpu_seconds"] = round(time.process_time() - cpu, 3)
    else:
        result, extra = _parallel(bench, workers, pool)
        ov = result.parallel
        daemons = extra.pop("ray_daemon_cpu", 0.0)
        if hasattr(ov, "driver_startup_cpu"):  # the partitioned compiled search: its levels and gather
            extra["driver_cpu_seconds"] = round(ov.driver_cpu, 3)
            extra["startup_cpu_seconds"] = round(ov.driver_startup_cpu + sum(ov.startup_cpu), 3)
            # threads: the driver's process CPU has the partitions' (their threads) already
            apart = 0.0 if ov.pool == "threads" else sum(ov.process_cpu)
            extra["cpu_seconds"] = round(ov.driver_cpu + apart + daemons, 3)
        else:
            extra["driver_cpu_seconds"] = round(time.process_time() - cpu, 3)
            extra["cpu_seconds"] = round(extra["driver_cpu_seconds"] + sum(ov.busy) + daemons, 3)
    peak = _peak_mb(reset)
    return {
        "benchmark": name, "scenario": bench.scenario, "bounds": bench.build().bounds.summary(),
        "options": options, "states": result.states, "transitions": result.transitions,
        "depth": result.max_depth, "seconds": round(result.seconds, 3),
        "states_per_second": round(result.states / result.seconds) if result.seconds else 0,
        "peak_rss_mb": round(peak, 1), "bytes_per_state": round((peak - before) * (1 << 20) / max(result.states, 1), 1),
        "complete": result.complete, "notes": list(getattr(result, "notes", [])), "engine": _engine(result, workers),
        **extra,
    }


def _engine(result: Any, workers: int | None) -> str:
    """Which search produced ``result``: "native" (the compiled one), "python" or "parallel"."""
    from prosecheck.checker.native.engine import NativeExploration

    return "parallel" if workers is not None else "native" if isinstance(result, NativeExploration) else "python"


def _parallel(bench: Benchmark, workers: int, pool: str = "threads") -> tuple[Any, dict[str, Any]]:
    """The parallel search with ``workers`` partitions (the partitioned compiled search where it runs, else
    the Python one), in threads of this process or (``pool`` "ray") on a local Ray, whose start-up and the
    partitions' creation are timed apart. CPU seconds of Ray's own processes (raylet, GCS, idle workers:
    every descendant of this process but the partitions, which report their own) are added as
    ``ray_daemon_cpu``."""
    from contextlib import nullcontext
    from functools import partial

    from prosecheck.checker.native.partitioned import explore_workers
    from prosecheck.checker.parallel import ray_session
    from prosecheck.model.build import build_system

    start = time.perf_counter()
    with ray_session(workers) if pool == "ray" else nullcontext():
        ray_start = time.perf_counter() - start
        before = _tree_cpu()
        result = explore_workers(partial(build_system, bench.build()), workers, pool=pool)
        after = _tree_cpu()
    ov = result.parallel
    pids = set(getattr(ov, "pids", []))
    daemons = sum(after[p] - before[p] for p in after if p in before and p not in pids)
    extra = {"workers": workers, "pool": pool, "overhead": ov.as_dict(), "ray_daemon_cpu": round(daemons, 3)}
    if pool == "ray":
        extra["ray_start_seconds"] = round(ray_start, 2)
    if hasattr(ov, "search"):  # the partitioned compiled search: seconds = its levels + the gather
        result.seconds = ov.search + ov.gather
    return result, extra


def _tree_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of every live descendant of this process, by pid (Linux /proc; empty elsewhere)."""
    import os

    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return {}
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    mine, todo = {}, [os.getpid()]
    while todo:
        parent = todo.pop()
        for pid, (ppid, cpu) in stats.items():
            if ppid == parent and pid not in mine:
                mine[pid] = cpu
                todo.append(pid)
    return mine


@dataclass
class BenchRow:
    ours: dict[str, Any]
    spin: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"prosecheck": self.ours, "spin": self.spin}


def run_one(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Measure one benchmark in a fresh Python process (the compiled search's C compiled first, in
    this process, and timed apart: as SPIN's compile, it is not part of the search's seconds or memory)."""
    compiled = _compile_apart(name) if not options else None
    cmd = [sys.executable, "-m", "prosecheck.bench", name, json.dumps(options)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark {name} failed: {proc.stderr.strip().splitlines()[-1:]}")
    row: dict[str, Any] = json.loads(proc.stdout)
    if compiled is not None and row.get("engine") == "native":
        row["compile_seconds"] = round(compiled, 2)
    return row


def _compile_apart(name: str) -> float | None:
    """:func:`_compile` in a child process of its own: building the system here would raise this process's
    resident set, and a child inherits its parent's peak RSS across fork and exec (Linux ``ru_maxrss``)."""
    proc = subprocess.run([sys.executable, "-m", "prosecheck.bench", "--compile", name], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"compiling benchmark {name} failed: {proc.stderr.strip().splitlines()[-1:]}")
    found: float | None = json.loads(proc.stdout)
    return found


def _compile(name: str) -> float | None:
    """Seconds to generate and compile the benchmark's C (0 when cached; None: the compiled search will not run)."""
    from prosecheck.checker.native.dispatch import prepare
    from prosecheck.model.build import build_system

    return prepare(build_system(BENCHMARKS[name].build()))


def spin_numbers(name: str, states_hint: int) -> dict[str, Any]:
    """Export the benchmark to Promela and run SPIN's exhaustive search on it."""
    from prosecheck.export.promela import to_promela
    from prosecheck.export.spin import run_spin
    from prosecheck.model.build import build_system

    text = to_promela(build_system(BENCHMARKS[name].build()))
    bits = max(18, min(28, states_hint.bit_length() + 3))
    r = run_spin(text, hash_bits=bits, max_depth=max(10_000, 2 * states_hint), memory_mb=16384)
    return {"states": r.states, "transitions": r.edges, "depth": r.depth, "compile_seconds": round(r.compile_seconds, 2),
            "run_seconds": round(r.run_seconds, 3), "state_vector_bytes": r.state_vector, "memory_mb": r.memory_mb,
            "settings": f"gcc -O2 -DNOREDUCE -DSAFETY; pan -E -w{bits} (DFS, full state storage)"}


def run_bench(names: list[str], options: dict[str, Any], vs_spin: bool,
              say: Callable[[str], None] = lambda text: None, workers: list[int] | None = None,
              pool: str = "threads") -> list[BenchRow]:
    """Run each benchmark (once per worker count in ``workers``: 1 = the sequential search; more: partitions
    in threads or on Ray, ``pool``)."""
    rows = []
    for name in names:
        for w in workers or [0]:
            more = {"workers": w, "pool": pool} if w > 1 else {}
            rows.append(_bench_one(name, {**options, **more}, vs_spin and w <= 1, say))
            if w:
                rows[-1].ours.setdefault("workers", 1)
                _speedup(rows[-1], rows)
    return rows


def _speedup(row: BenchRow, rows: list[BenchRow]) -> None:
    """Speed-up over the same benchmark's one-worker row, and efficiency = speed-up / workers."""
    o = row.ours
    base = next((r.ours for r in rows if r.ours["benchmark"] == o["benchmark"] and r.ours.get("workers") == 1), None)
    if base is not None and o["seconds"]:
        o["speedup"] = round(base["seconds"] / o["seconds"], 2)
        o["efficiency"] = round(o["speedup"] / o["workers"], 2)


def _bench_one(name: str, options: dict[str, Any], vs_spin: bool, say: Callable[[str], None]) -> BenchRow:
    w = options.get("workers", 1)
    say(f"[bench] {name}: prosecheck {BENCHMARKS[name].build().bounds.summary()}"
        + (f", {w} workers" if w > 1 else "") + " ...")
    start = time.perf_counter()
    row = BenchRow(run_one(name, options))
    say(f"[bench] {name}: {row.ours['states']} states in {time.perf_counter() - start:.1f} s")
    if vs_spin:
        say(f"[bench] {name}: SPIN ...")
        row.spin = spin_numbers(name, row.ours["states"])
        same = (row.spin["states"], row.spin["transitions"]) == (row.ours["states"], row.ours["transitions"])
        row.spin["agree"] = None if row.ours["notes"] else same  # a reduced search counts fewer worlds
        row.spin["time_ratio"] = round(row.ours["seconds"] / max(row.spin["run_seconds"], 1e-6), 2)
        say(f"[bench] {name}: SPIN {row.spin['states']} states in {row.spin['run_seconds']} s")
    return row


def table(rows: list[BenchRow]) -> str:
    head = ["benchmark", "states", "transitions", "seconds", "states/s", "peak MB", "B/state"]
    spin = any(r.spin for r in rows)
    if spin:
        head += ["SPIN states", "SPIN trans", "SPIN compile s", "SPIN run s", "agree", "ratio"]
    parallel = any("workers" in r.ours for r in rows)
    if parallel:
        head += ["workers", "speed-up", "efficiency", "CPU s", "Ray start s", "parts start s", "gather s", "levels",
                 "ms/level", "rows sent", "MB sent", "B sent/state", "worker CPU s", "worker peak MB"]
    lines = [head]
    for r in rows:
        o = r.ours
        cells = [o["benchmark"], o["states"], o["transitions"], o["seconds"], o["states_per_second"],
                 o["peak_rss_mb"], o["bytes_per_state"]]
        if spin and r.spin:
            s = r.spin
            cells += [s["states"], s["transitions"], s["compile_seconds"], s["run_seconds"],
                      {True: "yes", False: "NO", None: "n/a"}[s["agree"]], s["time_ratio"]]
        elif spin:
            cells += [""] * 6
        if parallel:
            cells += _parallel_cells(o)
        lines.append([str(c) for c in cells])
    widths = [max(len(line[i]) for line in lines if i < len(line)) for i in range(len(head))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    out.append("")
    out += [f"{r.ours['benchmark']}: {r.ours['scenario']}, {r.ours['bounds']}" for r in rows]
    out += sorted({f"note: {n}" for r in rows for n in r.ours["notes"]})
    out += _engine_lines(rows)
    if spin:
        out.append("ratio = prosecheck seconds / SPIN run seconds (SPIN compile time excluded, shown beside it)")
    if parallel:
        pools = sorted({r.ours["pool"] for r in rows if "pool" in r.ours})
        out.append("workers 1 = the sequential search; more: the partitioned search, partitions in "
                   + " / ".join(pools or ["threads"]) + " (--pool); seconds (wall) = the levels + the export of the "
                   "partitions' stores + any gather done (gather s: a benchmark reads only counts, so nothing is "
                   "gathered; a check gathers the worlds, then the edges, when it first reads them), without Ray's "
                   "start-up or the partitions' creation (shown beside); speed-up = seconds at 1 worker / seconds; "
                   "efficiency = speed-up / workers; CPU s = every process after the partitions' creation: the "
                   "driver's (with threads, the partitions' threads too), each Ray actor's and Ray's own (raylet, GCS)")
    return "\n".join(out)


def _engine_lines(rows: list[BenchRow]) -> list[str]:
    """Which search engine ran, and the compiled search's compile seconds (not part of its seconds)."""
    out = []
    engines = sorted({r.ours["engine"] for r in rows if "engine" in r.ours})
    if engines:
        out.append(f"search engine: {', '.join(engines)} (--engine or $PROSECHECK_ENGINE: auto, native, python)")
    compiled = [f"{r.ours['benchmark']} {r.ours['compile_seconds']} s" for r in rows if "compile_seconds" in r.ours]
    if compiled:
        out.append("compile (generate C + gcc, 0 when cached; not in seconds): " + ", ".join(compiled))
    return out


def _parallel_cells(o: dict[str, Any]) -> list[Any]:
    ov = o.get("overhead")
    cells = [o.get("workers", 1), o.get("speedup", ""), o.get("efficiency", ""), o.get("cpu_seconds", ""),
             o.get("ray_start_seconds", "")]
    if not ov:
        return cells + [""] * 9
    levels = ov.get("levels", 0)
    per_level = round(1000 * ov["search"] / levels, 1) if levels and "search" in ov else ""
    return cells + [ov.get("startup", ""), ov.get("gather", ""), levels, per_level, ov["candidates"],
                    round(ov["bytes"] / (1 << 20), 1), round(ov["bytes"] / max(o["states"], 1), 1),
                    "/".join(f"{b:.1f}" for b in ov["busy"]), "/".join(f"{m:.0f}" for m in ov["peak_mb"])]


def as_json(rows: list[BenchRow]) -> str:
    """The document ``bench --json`` prints (``prosecheck/schemas/bench.schema.json``)."""
    from prosecheck.schemas import document

    return json.dumps(document("bench", {"benchmarks": [r.as_dict() for r in rows]}), indent=2, allow_nan=False)


if __name__ == "__main__":  # child process: python -m prosecheck.bench NAME OPTIONS_JSON
    if sys.argv[1] == "--compile":
        print(json.dumps(_compile(sys.argv[2])))
    else:
        print(json.dumps(measure(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})))

__all__ = ["BENCHMARKS", "DEFAULT", "GROWTH", "BenchRow", "Benchmark", "as_json", "measure", "run_bench",
           "table"]
