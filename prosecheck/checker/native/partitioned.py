"""The partitioned compiled search (issue 21): partitions own their worlds; the driver only steers.

Each partition (:class:`~.partition.NativePartition`) loads the same compiled library and keeps its own
store; it runs in a thread of this process (:class:`ThreadPool`, the default: the compiled calls
release the GIL), in a Ray actor with one CPU (:class:`RayPool`), or in turn in this process
(:class:`LocalPool`, tests). One breadth-first level: every partition absorbs the outboxes of the level
before addressed to it (source order: deterministic), then expands its new frontier into one outbox
per destination. With threads that is two rounds over the threads (absorbs, then expands), the
inboxes read in place in the senders' C memory. With Ray it is one actor call per partition
(:meth:`~.partition.NativePartition.step`); the outboxes are NumPy arrays returned with
``num_returns`` and passed from actor to actor as object references: they never reach the driver,
which sends the per-level calls and reads the per-level counters (new worlds, transitions,
deadlocks) one round behind (it sends round d + 1 before it reads round d's). After the last level
the partitions export their stores and the driver returns a
:class:`~.lazy.PartitionedExploration`, which gathers them (:mod:`.gather`) only when a reader
first needs a table per world.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from prosecheck.checker.exploration import Exploration, Limits, Progress
from prosecheck.checker.native.distributed import Remote
from prosecheck.checker.native.engine import Native, NativeExploration, _result
from prosecheck.checker.native.gather import counts
from prosecheck.checker.native.lazy import PartitionedExploration
from prosecheck.checker.native.partition import GROUPS, OWNER_COMPONENTS, NativePartition, Snapshot, Widen
from prosecheck.checker.parallel import PartitionLost, partition_lost, ray_session
from prosecheck.checker.system import System

Log = Callable[[str], None]
NO_LIMITS = Limits()
POOLS = ("threads", "ray")
"""Where the partitions run: ``threads`` (one thread each in this process: the default on one machine),
``ray`` (one Ray actor each: a local Ray, or the cluster the caller connected to)."""
T = TypeVar("T")


@dataclass
class Overhead:
    """Where a partitioned search's time went."""

    workers: int
    engine: str = "native"
    pool: str = "ray"  # where the partitions ran: "threads", "ray" or "local" (in turn, in this process)
    levels: int = 0
    startup: float = 0.0  # creating the partitions (actors), building the system and loading the library in each
    search: float = 0.0  # wall seconds of the levels (expand + absorb rounds)
    gather: float = 0.0  # wall seconds of the export after the levels, plus each gather stage done so far (lazy.py)
    level_seconds: list[float] = field(default_factory=list)  # wall seconds of each level's round
    busy: list[float] = field(default_factory=list)  # per partition: CPU seconds of its process in its calls
    startup_cpu: list[float] = field(default_factory=list)  # per partition: CPU seconds of its creation
    driver_cpu: float = 0.0  # CPU seconds of the driver process in the levels and the export (threads: theirs too)
    driver_startup_cpu: float = 0.0  # ... before the levels (the system, its library, the partitions' creation)
    gather_cpu: float = 0.0  # ... in the export (with Ray, its transfer) and the gather stages done so far
    peak_mb: list[float] = field(default_factory=list)  # per partition: peak resident memory of its process
    process_cpu: list[float] = field(default_factory=list)  # per partition: CPU of its whole process after creation
    pids: list[int] = field(default_factory=list)  # per partition: its process
    c_expand: list[float] = field(default_factory=list)  # per partition: CPU seconds (its thread) in the C expand
    c_absorb: list[float] = field(default_factory=list)  # per partition: CPU seconds (its thread) in the C absorb
    step_seconds: list[float] = field(default_factory=list)  # per partition: wall seconds inside its step calls
    candidates: int = 0  # rows sent between partitions (distinct foreign worlds)
    bytes: int = 0  # bytes of the rows and component values sent between partitions

    def as_dict(self) -> dict[str, Any]:
        out = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()}
        out["level_seconds"] = [round(s, 4) for s in self.level_seconds]
        return out


class LocalPool:
    """Partitions as objects in this process, stepped one after the other (tests; the same interface as
    :class:`RayPool`)."""

    asynchronous = False  # a step returns when done: a driver gains nothing by reading its counters late
    in_process = True  # a query's arguments need not travel (a predicate, say)

    def __init__(self, factory: Callable[[], System], parts: int, wide: bool, owner: int = OWNER_COMPONENTS) -> None:
        self.parts = [NativePartition(factory, p, parts, wide, owner) for p in range(parts)]

    def snapshots(self) -> list[Snapshot]:
        return [p.snapshot() for p in self.parts]

    def step(self, before: list[list[Any]] | None) -> list[list[Any]]:
        """Every partition absorbs its outboxes of ``before`` (None: the first level) and expands. The outboxes
        are copied (a partition's are views of its C memory, which its next step overwrites while another
        partition may not have read them; Ray copies them as the call returns)."""
        stepped = [p.step() if before is None else p.step(*(out[q] for out in before)) for q, p in enumerate(self.parts)]
        return [[*((r.copy(), v.copy()) for r, v in out[:-1]), out[-1]] for out in stepped]

    def counters(self, stepped: list[list[Any]]) -> list[dict[str, Any]]:
        return [out[-1] for out in stepped]

    def export(self, snaps: list[Snapshot], groups: tuple[str, ...] = GROUPS) -> list[dict[str, Any]]:
        return [p.export(s, groups) for p, s in zip(self.parts, snaps)]

    def query(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]:
        """Call ``method`` of every partition, partition ``p`` with ``args[p]``: their answers."""
        return [getattr(p, method)(*a) for p, a in zip(self.parts, args)]

    def query_one(self, part: int, method: str, *args: Any) -> Any:
        """Call ``method`` of partition ``part``: its answer."""
        return getattr(self.parts[part], method)(*args)

    def graph(self, op: str, args: list[tuple[Any, ...]], before: list[list[Any]] | None) -> list[list[Any]]:
        """A round of the partitions' state graph: partition ``p`` runs ``op`` with ``args[p]`` and the outboxes
        of ``before`` addressed to it (:meth:`.partition.NativePartition.graph`); their answers."""
        return self.query("graph", _graph_args(op, args, before))

    def stats(self) -> list[dict[str, float]]:
        return [p.stats() for p in self.parts]

    def close(self) -> None:
        for p in self.parts:
            p.close()
        self.parts = []


class ThreadPool(LocalPool):
    """Partitions as objects in this process that step concurrently, one thread each (the default on one
    machine: shared memory, as multi-core TLC or SPIN). The compiled calls release the GIL (cffi), so two
    partitions' C run at once. A level is two rounds over the threads: every partition absorbs its inbox,
    read in place from the senders' C memory (no copy), then, once all have, every partition expands
    (which overwrites its outboxes)."""

    asynchronous = False

    def __init__(self, factory: Callable[[], System], parts: int, wide: bool, owner: int = OWNER_COMPONENTS) -> None:
        super().__init__(factory, parts, wide, owner)
        for p in self.parts:
            p.clock = time.thread_time  # a partition's CPU is its thread's: they share the process
        self.executor = ThreadPoolExecutor(max_workers=parts, thread_name_prefix="partition")

    def _all(self, calls: list[Callable[[], T]]) -> list[T]:
        """Run ``calls`` at once, one per partition; their results (the first exception raised once all ended)."""
        futures = [self.executor.submit(c) for c in calls]
        try:
            wait(futures)
        except KeyboardInterrupt:
            wait(futures)  # let every partition end its call: the export then reads quiet stores
            raise
        return [f.result() for f in futures]

    def step(self, before: list[list[Any]] | None) -> list[list[Any]]:
        """Every partition absorbs, in one C call, the outboxes addressed to it straight from the senders'
        memory (none before the first level); once all have, every partition expands (overwriting its
        outboxes). Per partition: its counters, as the last item of a list (the form of :meth:`LocalPool.step`)."""
        def timed(p: NativePartition, call: Callable[[], T]) -> Callable[[], T]:
            def run() -> T:
                t0 = time.perf_counter()
                try:
                    return call()
                finally:
                    p.step_seconds += time.perf_counter() - t0
            return run
        if before is None:
            snaps = [p.snapshot() for p in self.parts]
        else:
            snaps = self._all([timed(p, partial(p.absorb_peers, self.parts)) for p in self.parts])
        counters = self._all([timed(p, p.expand_here) for p in self.parts])
        for c, snap in zip(counters, snaps):
            c["snap"] = snap
        return [[c] for c in counters]

    def query(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]:
        """As :meth:`LocalPool.query`, the partitions at once (NumPy and the compiled calls release the GIL)."""
        return self._all([partial(getattr(p, method), *a) for p, a in zip(self.parts, args)])

    def stats(self) -> list[dict[str, float]]:
        """As :meth:`LocalPool.stats`, a partition's ``process_cpu`` its thread's (the process is the driver's)."""
        return [{**s, "process_cpu": s["cpu"]} for s in super().stats()]

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        super().close()


class RayPool:
    """Partitions as Ray actors (one CPU each): outboxes go from actor to actor as object references."""

    asynchronous = True  # a step returns object references at once: the driver reads its counters a round late
    in_process = False

    def __init__(self, factory: Callable[[], System], parts: int, wide: bool, owner: int = OWNER_COMPONENTS) -> None:
        import ray
        self.ray, self.n = ray, parts
        actor: Any = ray.remote(num_cpus=1)(NativePartition)
        self.actors: list[Any] = [actor.remote(factory, p, parts, wide, owner) for p in range(parts)]
        try:
            self.snapshots()  # wait until every partition has loaded its library
        except PartitionLost:
            self.close()
            raise

    def _get(self, refs: Any) -> Any:
        try:
            return self.ray.get(refs)
        except self.ray.exceptions.RayError as err:
            lost = partition_lost(self.ray, err, self.actors)  # killed (out of memory, node lost): stop, do not crash
            if lost is not None:
                raise lost from err
            if isinstance(err, self.ray.exceptions.RayTaskError):  # a model error, or Widen: raise it as it is
                raise err.as_instanceof_cause() from None  # type: ignore[no-untyped-call]
            raise

    def snapshots(self) -> list[Snapshot]:
        return self._get([a.snapshot.remote() for a in self.actors])  # type: ignore[no-any-return]

    def step(self, before: list[list[Any]] | None) -> list[list[Any]]:
        if before is None:
            return [a.step.options(num_returns=self.n + 1).remote() for a in self.actors]
        return [a.step.options(num_returns=self.n + 1).remote(*(out[q] for out in before))
                for q, a in enumerate(self.actors)]

    def counters(self, stepped: list[list[Any]]) -> list[dict[str, Any]]:
        return self._get([out[-1] for out in stepped])  # type: ignore[no-any-return]

    def export(self, snaps: list[Snapshot], groups: tuple[str, ...] = GROUPS) -> list[dict[str, Any]]:
        return self._get([a.export.remote(s, groups) for a, s in zip(self.actors, snaps)])  # type: ignore[no-any-return]

    def query(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]:
        return self._get([getattr(a, method).remote(*x) for a, x in zip(self.actors, args)])  # type: ignore[no-any-return]

    def query_one(self, part: int, method: str, *args: Any) -> Any:
        return self._get(getattr(self.actors[part], method).remote(*args))

    def graph(self, op: str, args: list[tuple[Any, ...]], before: list[list[Any]] | None) -> list[list[Any]]:
        """As :meth:`LocalPool.graph`: object references, an outbox going from actor to actor (the counters
        are read with :meth:`counters`)."""
        return [a.graph.options(num_returns=self.n + 1).remote(*x)
                for a, x in zip(self.actors, _graph_args(op, args, before))]

    def stats(self) -> list[dict[str, float]]:
        return self._get([a.stats.remote() for a in self.actors])  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.ray.is_initialized():  # else the session's end has already ended the actors
            for a in self.actors:
                self.ray.kill(a)
        self.actors = []


def _graph_args(op: str, args: list[tuple[Any, ...]], before: list[list[Any]] | None) -> list[tuple[Any, ...]]:
    return [(op, a, *(() if before is None else (out[p] for out in before))) for p, a in enumerate(args)]


def explore_workers(factory: Callable[[], System], workers: int, limits: Limits = NO_LIMITS,
                    progress: Progress | None = None, *, log: Log | None = None, local: bool = False,
                    pool: str = "threads") -> Exploration:
    """The partitioned compiled search when the compiled engine can run the system (engine ``auto`` or
    ``native``, a C compiler, a system :mod:`.cgen` mirrors), else the Python parallel search
    (:func:`~prosecheck.checker.parallel.explore_parallel`: on Ray when installed, else in turn in this
    process): the same counts and verdicts either way. ``pool``: see :data:`POOLS`; ``local``: partitions
    in this process, stepped in turn (tests)."""
    from prosecheck.checker.native.build import NativeUnavailable, compiler
    from prosecheck.checker.native.cgen import Declined, check
    from prosecheck.checker.native.dispatch import chosen, customised

    system = factory()
    if chosen(None) != "python" and not customised(system) and compiler() is not None:
        try:
            check(system)
            return explore_partitioned(factory, workers, limits, progress, log=log, local=local, pool=pool)
        except (Declined, NativeUnavailable):
            pass
    from prosecheck.checker.parallel import explore_parallel
    if not local and pool == "threads":  # the Python search holds the GIL: its partitions need processes
        import importlib.util
        local = importlib.util.find_spec("ray") is None
    return explore_parallel(factory, workers, limits, progress, log=log, local=local)


def explore_partitioned(factory: Callable[[], System], workers: int, limits: Limits = NO_LIMITS,
                        progress: Progress | None = None, *, log: Log | None = None,
                        local: bool = False, owner_components: int = OWNER_COMPONENTS,
                        pipeline: bool | None = None, pool: str = "threads") -> NativeExploration:
    """Explore breadth first with ``workers`` partitions of the compiled search (``pool``: threads of this
    process or Ray actors, see :data:`POOLS`; ``local``: objects in this process stepped in turn;
    ``owner_components``: see :data:`~.partition.OWNER_COMPONENTS`; ``pipeline``: the driver reads each
    level's counters one round late, see :func:`_levels`; default: with Ray only). Raises
    :class:`~.cgen.Declined` / :class:`~.build.NativeUnavailable` when the compiled search cannot run the
    system (the caller falls back to the Python search)."""
    if pool not in POOLS:
        raise ValueError(f"pool must be one of {', '.join(POOLS)}, got {pool!r}")
    start, cpu = time.perf_counter(), time.process_time()
    system = factory()
    driver = Native(system)  # compiles the library once, before any partition loads it
    kind = "local" if local else pool
    try:
        return _session(factory, driver, workers, limits, progress, log, kind, (start, cpu), False, owner_components,
                        pipeline)
    except Widen:
        return _session(factory, Native(system, wide=True), workers, limits, progress, log, kind, (start, cpu), True,
                        owner_components, pipeline)


def _session(factory: Callable[[], System], driver: Native, workers: int, limits: Limits, progress: Progress | None,
             log: Log | None, kind: str, start: tuple[float, float], wide: bool, owner: int,
             pipeline: bool | None) -> NativeExploration:
    if kind == "local":
        return _run(driver, LocalPool(factory, workers, wide, owner), workers, limits, progress, log, start, pipeline)
    if kind == "threads":
        return _run(driver, ThreadPool(factory, workers, wide, owner), workers, limits, progress, log, start, pipeline)
    import ray
    outlives = ray.is_initialized()  # a caller's Ray (a command's session) outlives this search: keep the actors
    with ray_session(workers):
        try:
            pool = RayPool(factory, workers, wide, owner)
        except PartitionLost as lost:  # before the first level: only the initial world
            return _result(driver, str(lost), start[0])
        return _run(driver, pool, workers, limits, progress, log, start, pipeline, keep_actors=outlives)


def _run(driver: Native, pool: LocalPool | RayPool, workers: int, limits: Limits, progress: Progress | None,
         log: Log | None, began: tuple[float, float], pipeline: bool | None = None,
         keep_actors: bool = False) -> NativeExploration:
    """The levels, then the result. In process (threads, local) the partitions stay, and the result asks
    them (:mod:`.distributed`) rather than gathering them; Ray actors stay too when the caller's Ray session
    outlives this call (``keep_actors``: then only the counts travel now), else their whole stores are
    exported (copied here) and the actors end."""
    start = began[0]
    cpu = time.process_time()
    kind = "ray" if isinstance(pool, RayPool) else "threads" if isinstance(pool, ThreadPool) else "local"
    overhead = Overhead(workers, pool=kind, startup=time.perf_counter() - start, driver_startup_cpu=cpu - began[1])
    stopped: str | None = None
    late = pool.asynchronous if pipeline is None else pipeline
    keep = keep_actors or not isinstance(pool, RayPool)  # the pool outlives this call: the result asks it
    kept = False
    try:
        try:
            stopped, snaps = _levels(pool, pool.snapshots(), limits, progress, log, overhead, start, late)
            t0, c0 = time.perf_counter(), time.process_time()
            # in process: views of the partitions' memory (no copy); Ray: copies, of the counts only if the actors stay
            exports = pool.export(snaps, GROUPS if not isinstance(pool, RayPool) or not keep else ("counts",))
            stats = pool.stats()
            if keep:
                pool.query("settle", [(snap,) for snap in snaps])
        except PartitionLost as lost:  # in the levels or the export: its worlds are gone
            result = _result(driver, str(lost), start)  # only the initial world is certain
            result.parallel = overhead
            return result
        overhead.busy = [round(s["cpu"] - s["startup_cpu"], 3) for s in stats]
        overhead.startup_cpu = [round(s["startup_cpu"], 3) for s in stats]
        overhead.peak_mb = [round(s["peak_mb"], 1) for s in stats]
        overhead.process_cpu = [round(s["process_cpu"] - s["startup_cpu"], 3) for s in stats]
        overhead.pids = [int(s["pid"]) for s in stats]
        overhead.c_expand = [round(s["c_expand"], 3) for s in stats]
        overhead.c_absorb = [round(s["c_absorb"], 3) for s in stats]
        overhead.step_seconds = [round(s["step_seconds"], 3) for s in stats]
        remote = Remote(pool, snaps, counts(exports), pool.close) if keep else None
        result = PartitionedExploration(driver, exports, stopped, overhead, remote=remote)
        kept = keep
        overhead.gather, overhead.gather_cpu = time.perf_counter() - t0, time.process_time() - c0  # the export
    finally:
        if not kept:
            pool.close()
    overhead.driver_cpu = time.process_time() - cpu
    result.seconds = time.perf_counter() - start
    return result


def _levels(pool: LocalPool | RayPool, snaps: list[Snapshot], limits: Limits, progress: Progress | None,
            log: Log | None, overhead: Overhead, start: float, pipeline: bool = True) -> tuple[str | None, list[Snapshot]]:
    """Level rounds until no partition has a frontier or a limit stops them; the reason (None when
    complete) and the partitions' counters after the last complete level.

    One round per level: every partition's :meth:`~.partition.NativePartition.step` absorbs its inbox of
    level d and expands level d + 1; the driver reads its counters (the snapshot after level d). With
    ``pipeline`` the driver sends round d + 1 before it reads round d's counters: a limit (states, memory,
    seconds) is then seen one round late, but the search still stops after the level whose counters
    reached it (levels are whole; the rounds run beyond it are cut off by the export)."""
    next_report = start + 2.0
    if not any(s["frontier"] for s in snaps):
        return None, snaps
    t0 = time.perf_counter()
    first = pool.step(None)  # level 0's expand
    stepped = pool.step(first)  # level 0's absorb, level 1's expand
    reason: str | None = None
    try:
        while True:
            ahead = pool.step(stepped) if pipeline else None
            counters = pool.counters(stepped)
            frontier = sum(s["frontier"] for s in snaps)
            snaps = [c["snap"] for c in counters]
            overhead.candidates += sum(c["rows"] for c in counters)
            overhead.bytes += sum(c["bytes"] for c in counters)
            now = time.perf_counter()
            overhead.level_seconds.append(now - t0)
            t0 = now
            overhead.levels += 1
            overhead.search += overhead.level_seconds[-1]
            reason = _limit(limits, sum(s["owned"] for s in snaps), now - start, snaps)
            done = not any(s["frontier"] for s in snaps)
            if progress is not None and (now >= next_report or reason or done):
                _report(progress, log, snaps, overhead.levels, frontier, now - start)
                next_report = now + 2.0
            if reason or done:
                break
            stepped = ahead if ahead is not None else pool.step(stepped)
    except KeyboardInterrupt:
        return "interrupted", snaps
    counters = pool.counters(first)
    overhead.candidates += sum(c["rows"] for c in counters)
    overhead.bytes += sum(c["bytes"] for c in counters)
    return reason, snaps


def _report(progress: Progress, log: Log | None, snaps: list[Snapshot], levels: int, frontier: int,
            seconds: float) -> None:
    stored, transitions = sum(s["owned"] for s in snaps), sum(s["transitions"] for s in snaps)
    progress(stored, transitions, levels, seconds)
    if log is not None:
        log(f"level {levels}: {stored} states, frontier {frontier} -> {sum(s['frontier'] for s in snaps)}, "
            f"{transitions} transitions, {stored / max(seconds, 1e-9):.0f} states/s over {len(snaps)} workers")


def _limit(limits: Limits, stored: int, seconds: float, snaps: list[Snapshot]) -> str | None:
    if limits.max_states is not None and stored >= limits.max_states:
        return f"max-states {limits.max_states}"
    if limits.max_seconds is not None and seconds >= limits.max_seconds:
        return f"max-seconds {limits.max_seconds:g}"
    if limits.max_memory_mb is not None:
        full = [p for p, s in enumerate(snaps) if s["peak_mb"] >= limits.max_memory_mb]
        if full:
            return f"max-memory {limits.max_memory_mb:g} MB (partition {full[0]} of {len(snaps)})"
    return None


__all__ = ["LocalPool", "Overhead", "RayPool", "explore_partitioned", "explore_workers"]
