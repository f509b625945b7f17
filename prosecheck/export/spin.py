"""Run SPIN on an exported Promela model and read its counts.

``spin -a`` generates the verifier ``pan.c``; ``gcc`` compiles it with ``-DNOREDUCE`` (no
partial-order reduction, so SPIN explores every interleaving as prosecheck does) and
``-DSAFETY``; ``pan -E`` searches exhaustively (default depth-first, full state storage, no
hash compaction) without reporting invalid end states (prosecheck reports deadlocks itself).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class SpinError(Exception):
    """SPIN or gcc is missing, or SPIN/gcc/pan failed; the message says which and why."""


@dataclass(frozen=True)
class SpinResult:
    """What one SPIN run reported, with its compile and run times."""

    states: int  # "states, stored"
    matched: int  # "states, matched"
    transitions: int  # "transitions (= stored+matched)": prosecheck's transitions + 1 (the initial state)
    depth: int
    state_vector: int  # bytes
    memory_mb: float  # "total actual memory usage"
    compile_seconds: float  # spin -a plus gcc
    run_seconds: float  # pan, wall clock
    output: str

    @property
    def edges(self) -> int:
        """Transitions as prosecheck counts them (SPIN also counts the initial state once)."""
        return self.transitions - 1


def available() -> bool:
    """True when both ``spin`` and ``gcc`` are on the PATH."""
    return shutil.which("spin") is not None and shutil.which("gcc") is not None


def _run(cmd: list[str], cwd: Path, what: str) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 or ("Error" in out and what == "spin -a"):
        tail = " | ".join(out.strip().splitlines()[-3:])
        raise SpinError(f"{what} failed (exit {proc.returncode}): {tail}")
    return out


def _number(pattern: str, text: str, default: float | None = None) -> float:
    match = re.search(pattern, text)
    if match is None:
        if default is not None:
            return default
        raise SpinError(f"cannot read {pattern!r} from pan's output")
    return float(match.group(1))


def parse_pan(output: str, compile_seconds: float = 0.0, run_seconds: float = 0.0) -> SpinResult:
    """Read the counts from pan's report."""
    if "max search depth too small" in output:
        raise SpinError("pan: max search depth too small (raise max_depth)")
    errors = int(_number(r"errors: (\d+)", output))
    if errors or "Search not completed" in output:
        first = next((line for line in output.splitlines() if line.startswith("pan")), "search not completed")
        raise SpinError(f"pan reported {errors} error(s): {first}")
    return SpinResult(
        states=int(_number(r"(\d+) states, stored", output)),
        matched=int(_number(r"(\d+) states, matched", output)),
        transitions=int(_number(r"(\d+) transitions \(= stored\+matched\)", output)),
        depth=int(_number(r"depth reached (\d+)", output)),
        state_vector=int(_number(r"State-vector (\d+) byte", output)),
        memory_mb=_number(r"([\d.]+)\s+total actual memory usage", output, 0.0),
        compile_seconds=compile_seconds,
        run_seconds=run_seconds,
        output=output,
    )


def run_spin(
    promela: str, *, max_depth: int = 1_000_000, hash_bits: int = 22, memory_mb: int = 8192, bfs: bool = False,
    workdir: str | Path | None = None, optimize: bool = True,
) -> SpinResult:
    """Compile and run SPIN's exhaustive safety search on ``promela``; raise :class:`SpinError` on failure.

    ``optimize=False`` compiles ``pan`` with ``-O0`` (quicker to build, slower to run: for small models)."""
    if not available():
        raise SpinError("spin and gcc are needed (Debian: apt-get install spin gcc)")
    with tempfile.TemporaryDirectory(prefix="prosecheck-spin-") as tmp:
        where = Path(workdir) if workdir is not None else Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        (where / "model.pml").write_text(promela)
        start = time.perf_counter()
        # -o2: no dead-variable elimination. A variable only written (a ghost, a variable a property
        # reads) would otherwise be reset by SPIN where it is dead, merging worlds prosecheck keeps apart.
        _run(["spin", "-a", "-o2", "model.pml"], where, "spin -a")
        flags = ["-O2" if optimize else "-O0", "-DNOREDUCE", "-DSAFETY", f"-DMEMLIM={memory_mb}", "-DVECTORSZ=65536"]
        flags += ["-DBFS"] if bfs else []
        _run(["gcc", *flags, "-o", "pan", "pan.c"], where, "gcc")
        compiled = time.perf_counter()
        output = _run(["./pan", "-E", "-n", f"-m{max_depth}", f"-w{hash_bits}"], where, "pan")
        done = time.perf_counter()
        return parse_pan(output, compiled - start, done - compiled)


__all__ = ["SpinError", "SpinResult", "available", "parse_pan", "run_spin"]
