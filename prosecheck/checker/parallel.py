"""Parallel exhaustive search: partitions of the visited set on Ray actors, level by level.

The state space is partitioned by a deterministic 64-bit fingerprint of each world
(:func:`prosecheck.checker.partition.route`); partition ``p`` (a Ray actor, or an object in this
process for tests) keeps the worlds it owns and expands them. One breadth-first level is: every
partition expands its frontier and sends each successor, in large batches, to the partition that
owns it; every partition keeps the first occurrence, in ``(parent index, successor ordinal)``
order, of each world it has not seen; the driver merges the partitions' new worlds in that same
order. That is exactly the order the sequential search (:func:`prosecheck.checker.search.explore`)
numbers worlds in, so the driver's :class:`~prosecheck.checker.search.Exploration` is the
sequential one world for world: same counts, parents, labels, depths, deadlocks and unhandled
messages, hence the same verdicts and the same shortest traces.

The driver keeps the assembled exploration (judging, traces and liveness read it), in the same
compact store as the sequential search. Workers build the system themselves from ``factory``
(a picklable callable), so only fingerprints, rows and first-seen component values travel.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from prosecheck.checker.partition import Absorbed, Facts, Partition, _component, _world, route, value_fingerprint
from prosecheck.checker.search import Exploration, LabelView, Limits, Progress, peak_rss_mb
from prosecheck.checker.store import Encoder, VisitedStore, WorldView
from prosecheck.checker.system import Label, System, Unhandled, World

Log = Callable[[str], None]


class RayUnavailable(Exception):
    """``--workers`` / ``--ray-address`` without Ray installed."""


class PartitionLost(Exception):
    """A partition's process died (Ray's memory monitor, a lost node): the search stops, INCONCLUSIVE."""


def partition_lost(ray: Any, err: BaseException, actors: list[Any]) -> PartitionLost | None:
    """``err`` (raised by ``ray.get``) as a :class:`PartitionLost` naming the partition whose process died (its
    actor, or an object it stored, is gone: Ray's memory monitor, a SIGKILL, a lost node), directly or as the
    failed input of another partition's call; None when ``err`` is something else (a task's own exception)."""
    gone = (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError)
    cause = err.cause if isinstance(err, ray.exceptions.RayTaskError) else err
    if not isinstance(cause, gone):
        return None
    ids = [a._actor_id.hex() for a in actors]
    who = getattr(cause, "actor_id", None)
    which = f": partition {ids.index(who)} of {len(actors)}" if who is not None and who in ids else ""
    return PartitionLost(f"a partition's process died{which} ({type(cause).__name__})")


@dataclass
class Overhead:
    """Where a parallel search's time went (seconds, summed over levels)."""

    workers: int
    levels: int = 0
    startup: float = 0.0  # creating the partitions (actors) and building the system in each
    exchange: float = 0.0  # wall time from sending a level's frontier to having its new worlds (expand + absorb)
    merge: float = 0.0  # the driver ordering the new worlds (on the critical path)
    assemble: float = 0.0  # the driver storing them (overlapped with the partitions' next expansion)
    busy: list[float] = field(default_factory=list)  # per partition: CPU seconds expanding and absorbing
    driver_cpu: float = 0.0  # CPU seconds of the driver process during the search
    peak_mb: list[float] = field(default_factory=list)  # per partition: peak resident memory of its process
    candidates: int = 0  # successor rows sent between partitions
    bytes: int = 0  # bytes of those rows (component values first sent come on top)

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


class _LocalPool:
    """Partitions as objects in this process (tests, and a reference for the Ray pool)."""

    def __init__(self, factory: Callable[[], System], parts: int, max_memory_mb: float | None) -> None:
        self.parts = [Partition(p, parts, factory, max_memory_mb) for p in range(parts)]

    def expand(self, indices: list[bytes]) -> list[list[Any]]:
        """Each partition's batches (one per destination) and then its facts."""
        return [part.expand(ix) for part, ix in zip(self.parts, indices)]

    def absorb(self, expanded: list[list[Any]]) -> list[Any]:
        return [part.absorb(*(out[q] for out in expanded)) for q, part in enumerate(self.parts)]

    def collect(self, expanded: list[list[Any]], absorbed: list[Any]) -> tuple[list[Facts], list[Absorbed]]:
        return [out[-1] for out in expanded], absorbed

    def stats(self) -> list[tuple[float, float]]:
        return [p.stats() for p in self.parts]

    def close(self) -> None:
        self.parts = []


class _RayPool:
    """Partitions as Ray actors: calls return at once (object references); batches go from actor to
    actor through Ray's object store, never through the driver."""

    def __init__(self, factory: Callable[[], System], parts: int, max_memory_mb: float | None) -> None:
        import ray
        self.ray, self.n = ray, parts
        actor: Any = ray.remote(num_cpus=1)(Partition)
        self.actors: list[Any] = [actor.remote(p, parts, factory, max_memory_mb) for p in range(parts)]
        try:
            self.stats()  # wait until every partition has built its system
        except PartitionLost:
            self.close()
            raise

    def expand(self, indices: list[bytes]) -> list[list[Any]]:
        return [a.expand.options(num_returns=self.n + 1).remote(ix) for a, ix in zip(self.actors, indices)]

    def absorb(self, expanded: list[list[Any]]) -> list[Any]:
        return [a.absorb.remote(*(out[q] for out in expanded)) for q, a in enumerate(self.actors)]

    def collect(self, expanded: list[list[Any]], absorbed: list[Any]) -> tuple[list[Facts], list[Absorbed]]:
        return self._get([out[-1] for out in expanded]), self._get(absorbed)

    def stats(self) -> list[tuple[float, float]]:
        return [(float(b), float(m)) for b, m in self._get([a.stats.remote() for a in self.actors])]

    def _get(self, refs: Any) -> Any:
        try:
            return self.ray.get(refs)
        except self.ray.exceptions.RayError as err:  # killed (out of memory, node lost): stop, do not crash
            lost = partition_lost(self.ray, err, self.actors)
            if lost is None:
                raise
            raise lost from err

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a)
        self.actors = []


@contextmanager
def ray_session(workers: int, address: str | None = None) -> Iterator[None]:
    """Ray for the duration of a command: a local instance with ``workers`` CPUs, or the cluster at
    ``address``; left running if the caller had already started it, else shut down at the end."""
    try:
        import ray
    except ImportError:
        raise RayUnavailable("parallel search needs Ray: pip install 'prosecheck[ray]'") from None
    if ray.is_initialized():
        yield
        return
    import logging
    if address:
        _reachable(address)
    printing = _ray_prints(False)
    try:
        if address:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
        try:
            yield
        finally:
            ray.shutdown()
    finally:
        _ray_prints(printing)


def _ray_prints(on: bool) -> bool:
    """Let Ray's driver print the messages its raylet publishes, or not; whether it did. Ray prints them on
    standard output ("A worker died or was killed ..." when a partition's process is killed), where they
    would corrupt ``check --json``; with ``log_to_driver`` off they are all it prints there. Off during a
    session: the search's ``stopped`` reason names the lost partition instead."""
    import ray._private.worker as driver  # the flag Ray's debugger turns off to keep its prompt clean
    was = bool(getattr(driver, "_worker_logs_enabled", True))
    driver._worker_logs_enabled = on
    return was


def _reachable(address: str) -> None:
    """Fail fast (ConnectionError) when a HOST:PORT address does not accept connections: Ray itself
    would retry for minutes."""
    import socket
    host, _, port = address.rpartition("://")[2].rpartition(":")
    if not host or not port.isdigit():
        return  # "auto" or another form Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as err:
        raise ConnectionError(f"nothing answers at {host}:{port} ({err.strerror or err})") from None


def explore_parallel(
    factory: Callable[[], System], workers: int, limits: Limits = Limits(), progress: Progress | None = None,
    *, log: Log | None = None, local: bool = False,
) -> Exploration:
    """Explore breadth first with ``workers`` partitions (Ray actors; ``local``: objects in this
    process); the result equals :func:`~prosecheck.checker.search.explore`'s world for world."""
    start = time.perf_counter()
    system = factory()
    if local:
        pool: _LocalPool | _RayPool = _LocalPool(factory, workers, limits.max_memory_mb)
    else:
        with ray_session(workers):
            try:
                ray_pool = _RayPool(factory, workers, limits.max_memory_mb)
            except PartitionLost as lost:  # before the first level: only the initial world
                result = _Driver(system, workers).result
                result.stopped, result.seconds = str(lost), time.perf_counter() - start
                return result
            return _run(system, ray_pool, workers, limits, progress, log, start)
    return _run(system, pool, workers, limits, progress, log, start)


def _run(system: System, pool: _LocalPool | _RayPool, workers: int, limits: Limits, progress: Progress | None,
         log: Log | None, start: float) -> Exploration:
    overhead = Overhead(workers, startup=time.perf_counter() - start)
    cpu = time.process_time()
    driver = _Driver(system, workers)
    result = driver.result
    result.parallel = overhead
    try:
        driver.loop(pool, limits, progress, log, overhead, start)
    except KeyboardInterrupt:
        driver.truncate()
        result.stopped = "interrupted"
    except PartitionLost as lost:
        result.stopped = str(lost)
    finally:
        try:
            if result.stopped is None or not result.stopped.startswith(("interrupted", "a partition")):
                try:
                    stats = pool.stats()
                except PartitionLost:  # after the last level: the search is whole, only its statistics are lost
                    stats = []
                overhead.busy = [round(b, 3) for b, _ in stats]
                overhead.peak_mb = [round(m, 1) for _, m in stats]
        finally:
            pool.close()
    result.seconds = time.perf_counter() - start
    overhead.driver_cpu = time.process_time() - cpu
    return result


class _Driver:
    """The global exploration, assembled level by level from the partitions' new worlds."""

    def __init__(self, system: System, workers: int) -> None:
        self.workers = workers
        self.encoder = enc = Encoder(system)
        self.split = enc.components > 1
        self.store = VisitedStore(identity=not self.split)
        self.parent, self.depth, self.via = array("i", [-1]), array("I", [0]), LabelView()
        self.bids: list[dict[int, int]] = [{} for _ in range(enc.components)]  # fingerprint -> driver block id
        self.labels: list[list[int]] = [[0] for _ in range(workers)]  # partition's label id -> driver label id
        self.label_ids: dict[Label, int] = {}
        self.seen_unhandled: set[tuple[int, str]] = set()
        self.count = 1  # worlds numbered so far (stored, or ordered and pending)
        self.pending: tuple[list[tuple[int, ...]], dict[int, World], int] | None = None
        initial = system.initial()
        key = enc.encode(initial)
        self.store.add(key)
        fps = [value_fingerprint((c, b[0])) for c, b in enumerate(enc.blocks)] if self.split \
            else [value_fingerprint(initial)]
        if self.split:
            for c, fp in enumerate(fps):
                self.bids[c][fp] = 0
        owner = route(fps, workers)
        self.indices = [array("Q", [0] if p == owner else []) for p in range(workers)]
        self.result = Exploration(system, WorldView(enc, lambda: self.store.keys), self.parent, self.via, self.depth,
                                  0, 0.0, None, encoder=enc, store=self.store)

    def loop(self, pool: Any, limits: Limits, progress: Progress | None, log: Log | None, overhead: Overhead,
             start: float) -> None:
        """Level by level; the driver assembles level d while the partitions expand level d + 1."""
        result, level, next_report = self.result, 0, start + 2.0
        try:
            while any(self.indices):
                frontier = sum(len(ix) for ix in self.indices)
                t0 = time.perf_counter()
                expanded = pool.expand([ix.tobytes() for ix in self.indices])
                self._assemble(overhead)
                absorbed = pool.absorb(expanded)
                facts, news = pool.collect(expanded, absorbed)
                t1 = time.perf_counter()
                overhead.levels, overhead.exchange = level + 1, overhead.exchange + t1 - t0
                self._facts(facts, overhead)
                result.expanded += frontier
                full = next((n[2] for n in news if n[2]), None)
                if full:
                    result.stopped = full
                    return
                level += 1
                self._order(news, level, limits)
                overhead.merge += time.perf_counter() - t1
                now = time.perf_counter()
                if result.stopped is None:
                    result.stopped = _limit(limits, self.count, now - start)
                if progress is not None and (now >= next_report or result.stopped or not any(self.indices)):
                    progress(self.count, result.transitions, level, now - start)
                    if log is not None:
                        log(f"level {level}: {self.count} states, frontier {frontier} -> "
                            f"{sum(len(ix) for ix in self.indices)}, {result.transitions} transitions, "
                            f"{self.count / max(now - start, 1e-9):.0f} states/s over {self.workers} workers")
                    next_report = now + 2.0
                if result.stopped:
                    return
        finally:
            self._assemble(overhead)

    def _facts(self, facts: list[Facts], overhead: Overhead) -> None:
        result = self.result
        candidates: list[tuple[int, int, Unhandled]] = []
        for p, f in enumerate(facts):
            for label in f["labels"]:
                lid = self.label_ids.get(label)
                if lid is None:
                    lid = self.label_ids[label] = len(self.via.table)
                    self.via.table.append(label)
                self.labels[p].append(lid)
            result.transitions += f["transitions"]
            result.deadlocks += f["deadlocks"]
            candidates += f["unhandled"]
            result.fired.update(f["fired"])
            overhead.candidates += f["candidates"]
            overhead.bytes += f["bytes"]
        result.deadlocks.sort()
        for g, _, u in sorted(candidates, key=lambda t: (t[0], t[1])):
            if (u.instance, u.message[0]) not in self.seen_unhandled:
                self.seen_unhandled.add((u.instance, u.message[0]))
                result.unhandled.append((g, u))

    def _order(self, news: list[Absorbed], depth: int, limits: Limits) -> None:
        """Number the partitions' new worlds in (parent, ordinal) order after every world so far: the
        next frontier's global indices per partition; the worlds themselves are stored by _assemble."""
        width = 4 + self.encoder.components
        rows: list[tuple[int, ...]] = []
        worlds: dict[int, World] = {}
        for owner, (data, shipped, _, _) in enumerate(news):
            flat = array("Q")
            flat.frombytes(data)
            if self.split:
                for fp, shipment in shipped.items():
                    c, block = _component(shipment)
                    if fp not in self.bids[c]:
                        self.bids[c][fp] = self.encoder.block_id(c, block)
            else:
                worlds.update((fp, _world(shipment)) for fp, shipment in shipped.items())
            rows += zip(*(flat[i::width] for i in range(width)), repeat(owner))
        rows.sort()  # one sorted run per owner, parents disjoint between owners: (parent, ordinal) order
        if limits.max_states is not None and self.count + len(rows) > limits.max_states:
            del rows[max(limits.max_states - self.count, 0):]
            self.result.stopped = f"max-states {limits.max_states}"
        indices = [array("Q") for _ in range(self.workers)]
        for n, row in enumerate(rows, self.count):
            indices[row[-1]].append(n)
        self.indices, self.count = indices, self.count + len(rows)
        self.pending = (rows, worlds, depth)

    def _assemble(self, overhead: Overhead) -> None:
        """Store the last ordered level: keys, parents, labels, depths (while the partitions work)."""
        if self.pending is None:
            return
        t0 = time.perf_counter()
        rows, worlds, depth = self.pending
        self.pending = None
        parent, via, store, enc, labels = array("i"), array("I"), self.store, self.encoder, self.labels
        bids = self.bids
        shifts = list(enumerate(enc.shifts, 4))
        for row in rows:
            if self.split:
                key = 0
                for c, shift in shifts:
                    key |= bids[c - 4][row[c]] << shift
                store.add(key)
            else:
                store.keys.append(enc.block_id(0, worlds[row[4]]))
            parent.append(row[0])
            via.append(labels[row[2]][row[3]])
        self.parent.extend(parent)
        self.via.ids.extend(via)
        self.depth.extend(array("I", [depth]) * len(rows))
        overhead.assemble += time.perf_counter() - t0

    def truncate(self) -> None:
        stored = min(len(self.store), len(self.parent), len(self.via), len(self.depth))
        self.store.truncate(stored)
        del self.parent[stored:], self.via.ids[stored:], self.depth[stored:]


def _limit(limits: Limits, stored: int, seconds: float) -> str | None:
    if limits.max_states is not None and stored >= limits.max_states:
        return f"max-states {limits.max_states}"
    if limits.max_seconds is not None and seconds >= limits.max_seconds:
        return f"max-seconds {limits.max_seconds:g}"
    if limits.max_memory_mb is not None and peak_rss_mb() >= limits.max_memory_mb:
        return f"max-memory {limits.max_memory_mb:g} MB (driver)"
    return None
