"""A partition's process killed for real (issue 21): SIGKILL of a Ray actor's OS process partway
through the search, as Ray's memory monitor or a lost node would kill it. The search stops; every
undecided verdict is INCONCLUSIVE (never HOLDS), the reason names the lost partition, and
`check --json` exits 22 with a JSON document on stdout and no traceback.

The kill is `os.kill(pid, SIGKILL)` from this process, never `ray.kill`. In process it is made
at a fixed level (a wrapper around the pool's per-level read of the counters, which also records
that the frontier was not empty then: the search had levels left); in the `check` child process,
once a partition has spent some CPU in its `step` calls (read from /proc), so the test does not
depend on how fast the machine is. A kill that came after the search could not pass: the result
would be complete. tests/conftest.py puts this file in the `ray` group: no other Ray test runs
meanwhile."""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from prosecheck.bench import BENCHMARKS
from prosecheck.results import EXIT_INCONCLUSIVE, HOLDS, INCONCLUSIVE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                       reason="Ray not installed (pip install '.[ray]'; .ci/run installs it)"),
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)"),
]

LARGE = BENCHMARKS["large"]  # m300.ausf_udm, 3 remote UEs: 3 million states, 73 levels
VICTIM = 1  # the partition whose process is killed
KILL_AT = 8  # in process: the level after which it is killed
STEP_CPU = 0.3
"""In the child process: the CPU seconds the victim spends in its `step` calls before it is killed (each
partition spends about 1.5 s there over the whole search of `large`)."""
HANG_BOUND = 600.0
"""How long the test waits for the child's partitions to start, for the kill, then for the child to end
(a guard against a hang, not a measure of speed: the killed check ends in about 10 s)."""
LOST = f"a partition's process died: partition {VICTIM} of 2 ("


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def _undecided_never_hold(properties: dict[str, Any]) -> None:
    """No verdict HOLDS; every `always` property the scenario declares to hold is INCONCLUSIVE."""
    verdicts = {pid: (p["kind"], p["expected"], p["verdict"]) for pid, p in properties.items()}
    assert not [pid for pid, (_, _, v) in verdicts.items() if v == HOLDS]
    always = {pid: v for pid, (kind, expected, v) in verdicts.items() if kind == "always" and expected == HOLDS}
    assert always and set(always.values()) == {INCONCLUSIVE}, always


def test_a_killed_partition_makes_check_scenario_inconclusive(monkeypatch, capfd):
    from prosecheck.checker.native.partitioned import RayPool
    from prosecheck.verify import check_scenario

    killed: dict[str, Any] = {}
    counters = RayPool.counters

    def killing(self: RayPool, stepped: list[list[Any]]) -> list[dict[str, Any]]:
        read = counters(self, stepped)
        levels = killed.setdefault("levels", 0) + 1
        killed["levels"] = levels
        if levels == KILL_AT:
            pids = [int(s["pid"]) for s in self.stats()]
            killed.update(pid=pids[VICTIM], frontier=sum(c["snap"]["frontier"] for c in read), at=time.perf_counter())
            _kill(pids[VICTIM])
        return read

    monkeypatch.setattr(RayPool, "counters", killing)
    result = check_scenario(LARGE.build(), workers=2, pool="ray", keep_exploration=True)
    lost_after = time.perf_counter() - killed["at"]
    assert killed["frontier"] > 0  # killed with levels left to search
    assert result.stopped is not None and result.stopped.startswith(LOST), result.stopped
    assert not result.complete and result.states == 1  # the lost partition's worlds are gone: only the initial one
    exploration = result.exploration
    assert exploration is not None and exploration.parallel.pool == "ray"
    assert KILL_AT <= exploration.parallel.levels < KILL_AT + 3  # stopped within a round or two of the kill
    _undecided_never_hold({pid: {"kind": p.kind, "expected": p.expected, "verdict": p.verdict}
                           for pid, p in result.properties.items()})
    assert result.exit_code == EXIT_INCONCLUSIVE
    # Ray's driver prints "A worker died or was killed ..." on standard output unless told not to
    assert "A worker died" not in capfd.readouterr().out
    print(f"lost after {lost_after:.2f} s", file=sys.stderr)


def test_a_partition_killed_in_the_export_is_lost_too(monkeypatch):
    """Regression: a partition that dies after the last level, while the partitions export their stores,
    stopped the run with a traceback (PartitionLost escaped from the export)."""
    from prosecheck.checker.native.partitioned import RayPool, explore_partitioned
    from prosecheck.model.build import build_system

    export = RayPool.export

    def killing(self: RayPool, snaps: list[Any], *groups: Any) -> list[dict[str, Any]]:
        _kill(int(self.stats()[VICTIM]["pid"]))
        return export(self, snaps, *groups)

    monkeypatch.setattr(RayPool, "export", killing)
    e = explore_partitioned(functools.partial(build_system, BENCHMARKS["small"].build()), 2, pool="ray")
    assert e.stopped is not None and e.stopped.startswith(LOST), e.stopped
    assert not e.complete and e.states == 1


def test_a_killed_partition_stops_the_python_parallel_search_with_a_consistent_prefix(monkeypatch):
    """The Python parallel search (the fallback when the compiled one cannot run) keeps the levels it
    had assembled: the sequential search's first worlds, INCONCLUSIVE beyond them."""
    import ray

    from prosecheck.checker import parallel
    from prosecheck.checker.search import explore
    from prosecheck.model.build import build_system
    from prosecheck.scenarios.catalog import SCENARIOS

    factory = functools.partial(build_system, SCENARIOS["m200"])
    collect, calls = parallel._RayPool.collect, []

    def killing(self: Any, expanded: Any, absorbed: Any) -> Any:
        calls.append(1)
        if len(calls) == 5:
            pids = ray.get([a.__ray_call__.remote(lambda partition: os.getpid()) for a in self.actors])
            _kill(pids[VICTIM])
        return collect(self, expanded, absorbed)

    monkeypatch.setattr(parallel._RayPool, "collect", killing)
    e = parallel.explore_parallel(factory, 2)
    full = explore(factory())
    assert e.stopped is not None and e.stopped.startswith(LOST), e.stopped
    assert not e.complete and 1 < e.states < full.states
    assert e.states == len(e.parent) == len(e.via) == len(e.depth)
    assert list(e.worlds) == list(full.worlds)[:e.states]


def _descendants(root: int) -> dict[int, str]:
    """Every process under ``root`` now: pid -> command line (a Ray worker's shows its actor's title)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [root]
    while todo:
        p = todo.pop()
        children = [c for c, pp in parent.items() if pp == p]
        found += children
        todo += children
    return {p: t for p in found if (t := _title(p))}


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()
    except OSError:
        return ""


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kill_a_partition_in_its_steps(proc: subprocess.Popen[str]) -> dict[str, Any]:
    """Wait until a partition actor of ``proc`` has spent STEP_CPU seconds in `step` calls, then SIGKILL
    its process; what was killed, and its title then."""
    actors: list[int] = []
    give_up = time.monotonic() + HANG_BOUND
    while proc.poll() is None and len(actors) < 2 and time.monotonic() < give_up:
        actors = sorted(p for p, t in _descendants(proc.pid).items() if t.startswith("ray::NativePartition"))
        time.sleep(0.1)
    assert len(actors) == 2, "the child ended (or hung) before its partitions started"
    victim, began = actors[-1], None
    while proc.poll() is None and time.monotonic() < give_up:
        title, cpu = _title(victim), _cpu(victim)
        if began is None and title.startswith("ray::NativePartition.step"):
            began = cpu
        if began is not None and cpu - began >= STEP_CPU:
            _kill(victim)
            return {"pid": victim, "title": title, "step_cpu": cpu - began}
        time.sleep(0.02)
    raise AssertionError("the child ended (or hung) before the kill")


def test_check_json_exits_inconclusive_when_a_partition_process_is_killed():
    bounds = LARGE.build().bounds
    args = [sys.executable, "-m", "prosecheck", "check", LARGE.scenario, "--remote-ues", str(bounds.remote_ues),
            "--attempts", str(bounds.attempts), "--withdrawals", str(bounds.withdrawals),
            "--restores", str(bounds.restores), "--workers", "2", "--pool", "ray", "--json"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out: dict[str, str] = {}
    reader = threading.Thread(target=lambda: out.update(zip(("stdout", "stderr"), proc.communicate())))
    reader.start()
    try:
        killed = _kill_a_partition_in_its_steps(proc)
    finally:
        reader.join(HANG_BOUND)
        if reader.is_alive():  # a hang: end the child and fail
            proc.kill()
            reader.join()
            pytest.fail(f"check did not end within {HANG_BOUND:g} s of the kill")
    # killed after STEP_CPU seconds in its steps (then in a step, or idle between two: both seen), so before
    # the search ended: a kill after it would leave the result complete, and fail the asserts below
    assert killed["step_cpu"] >= STEP_CPU and killed["title"] in ("ray::NativePartition.step", "ray::NativePartition")
    assert proc.returncode == EXIT_INCONCLUSIVE, (killed, out["stderr"][-2000:])
    assert "Traceback" not in out["stderr"]
    doc = json.loads(out["stdout"])  # nothing of Ray's on stdout
    (result,) = doc["results"]
    stats = result["stats"]
    assert not stats["complete"] and stats["states"] == 1, (killed, stats)
    assert stats["stopped"].startswith("a partition's process died: partition "), stats["stopped"]
    _undecided_never_hold(result["properties"])
