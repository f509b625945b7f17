"""Which search runs: the compiled one when it can, else the Python one (one warning, once).

``engine`` (or ``$PROSECHECK_ENGINE``): ``auto`` (default) runs the compiled search when a C
compiler and cffi work and the system is one it mirrors (:class:`~.cgen.Declined` otherwise),
else the Python search; ``native`` insists (an error when it cannot run); ``python`` never
compiles anything.

A compile costs about half a second, more than the whole Python search of a small system. So
``auto``, when the system's library is not compiled yet, first runs the Python search up to
:data:`PROBE_STATES` worlds: a system that small keeps that result (same counts, same traces);
a larger one is compiled (once: the library is cached) and searched in C.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from prosecheck.checker.exploration import Exploration, Limits, Progress
from prosecheck.checker.machine import ModelError
from prosecheck.checker.system import System

ENGINES = ("auto", "native", "python")
PROBE_STATES = 20_000
"""Worlds the Python search may explore before ``auto`` compiles a system that is not compiled yet."""
_warned: list[str] = []


def chosen(engine: str | None) -> str:
    """The engine asked for: ``engine``, else ``$PROSECHECK_ENGINE``, else auto."""
    name = (engine or os.environ.get("PROSECHECK_ENGINE") or "auto").strip().lower()
    if name not in ENGINES:
        raise ModelError(f"unknown search engine {name!r} (choose from {', '.join(ENGINES)})")
    return name


def warn_once(text: str) -> None:
    """One line on stderr, the first time only."""
    if text not in _warned:
        _warned.append(text)
        print(text, file=sys.stderr)


def customised(system: System) -> bool:
    """True when the system's successor function is not :meth:`System.successors` itself (a subclass
    or a test's patch): the compiled engine mirrors only the real one."""
    return type(system).successors is not System.successors or "successors" in vars(system)


def _compiled(system: System) -> bool:
    from prosecheck.checker.native.build import cached
    from prosecheck.checker.native.cgen import generate

    return cached(generate(system)[0])


PythonSearch = Callable[[Limits], Exploration]
"""The Python search of the system at hand, within some limits (given by the caller: this module
imports nothing of :mod:`prosecheck.checker.search`, which imports it)."""


def _probe(system: System, limits: Limits, progress: Progress | None, python: PythonSearch) -> Exploration | None:
    """The Python search's exploration when it ends within :data:`PROBE_STATES` worlds (or the
    caller's limits stop it first), else the compiled search's."""
    from prosecheck.checker.native.engine import explore_native

    if limits.max_states is not None and limits.max_states <= PROBE_STATES:
        return None  # the Python search runs within the caller's limits
    found = python(Limits(PROBE_STATES, limits.max_seconds, limits.max_memory_mb))
    if found.complete or not (found.stopped or "").startswith("max-states"):
        return found
    return explore_native(system, limits, progress)


def try_native(system: System, limits: Limits, progress: Progress | None, engine: str | None,
               python: PythonSearch) -> Exploration | None:
    """The compiled search's exploration (or, for a small system not compiled yet, the ``python``
    search's), or None when the Python search should run."""
    name = chosen(engine)
    if name == "python" or (name == "auto" and customised(system)):
        return None
    from prosecheck.checker.native.build import NativeUnavailable, compiler
    from prosecheck.checker.native.cgen import Declined

    if compiler() is None:
        if name == "native":
            raise ModelError("the native search engine needs a C compiler (gcc or cc on the PATH, or $CC)")
        warn_once("no C compiler: using the Python search")
        return None
    try:
        from prosecheck.checker.native.engine import explore_native

        if name == "auto" and not _compiled(system):
            return _probe(system, limits, progress, python)
        return explore_native(system, limits, progress)
    except (Declined, NativeUnavailable) as reason:
        if name == "native":
            raise ModelError(f"the native search engine cannot run this system: {reason}") from None
        if isinstance(reason, NativeUnavailable):
            warn_once(f"{reason}: using the Python search")
        return None


def prepare(system: System, engine: str | None = None) -> float | None:
    """Compile the system's library now, if the chosen engine may use it (the seconds it took, 0 when
    already compiled; None when the compiled search will not run): benchmarks time the compile apart
    from the search, as they do SPIN's."""
    import time

    if chosen(engine) == "python" or customised(system):
        return None
    from prosecheck.checker.native.build import NativeUnavailable, compiler, library
    from prosecheck.checker.native.cgen import Declined, generate

    if compiler() is None:
        return None
    start = time.perf_counter()
    try:
        library(generate(system)[0])
    except (Declined, NativeUnavailable):
        return None
    return time.perf_counter() - start
