"""Whole-run progress on stderr: which scenario of how many, which phase, counts, time left.

On a terminal it is one live line drawn by ``rich`` (scenario i of n, the phase, the search's
counts, elapsed time and an estimate of the time left from the scenarios done so far); when
stderr is not a terminal (a log, CI) it is plain lines: the search's counts every 2 seconds,
the later phases of a long check as they start, and one line per scenario when it is done.
``--quiet`` silences both. Results go to stdout, never here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

SearchProgress = Callable[[int, int, int, float], None]
Phase = Callable[[str], None]
_LONG = 2.0  # seconds: a check this long so far also reports its later phases in plain mode


class RunProgress:
    """Progress of a run over ``total`` scenarios (a context manager; see the module docstring)."""

    def __init__(self, total: int, quiet: bool = False, stream: IO[str] | None = None) -> None:
        self.total, self.quiet = total, quiet
        self.stream = stream if stream is not None else sys.stderr
        self.live = not quiet and self.stream.isatty()
        self.start = time.perf_counter()
        self.done = 0
        self.current = ""
        self._began = self.start
        self._bar: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> RunProgress:
        if self.live:
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(),
                                 TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), TextColumn("left"),
                                 TimeRemainingColumn(), console=Console(file=self.stream), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("", total=self.total, detail="")
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def scenario(self, scenario_id: str) -> tuple[SearchProgress | None, Phase | None]:
        """The callbacks for the next scenario's check: the search's counts, and each phase's start."""
        if self.quiet:
            return None, None
        self.current, self._began = scenario_id, time.perf_counter()
        self._show("build", "")
        return self._search, self._phase

    def finished(self, states: int, phases: dict[str, float]) -> None:
        """One scenario is checked."""
        if self.quiet:
            return
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
            return
        spent = ", ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items() if name != "build")
        self._line(f"{states} states in {sum(phases.values()):.1f} s ({spent}); {self._eta()}", self.done)

    def _search(self, states: int, transitions: int, depth: int, seconds: float) -> None:
        rate = states / seconds if seconds else 0.0
        text = f"{states} states, {transitions} transitions, depth {depth}, {seconds:.0f} s, {rate:.0f} states/s"
        self._show("search", text)
        if self._bar is None:
            self._line(f"search: {text}")

    def _phase(self, name: str) -> None:
        self._show(name, "")
        if self._bar is None and name != "search" and time.perf_counter() - self._began >= _LONG:
            self._line(f"{name}")

    def _show(self, phase: str, detail: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=f"[{self.done + 1}/{self.total}] {self.current}: {phase}",
                             detail=detail)

    def _line(self, text: str, number: int | None = None) -> None:
        at = self.done + 1 if number is None else number
        print(f"[{at}/{self.total} {self.current}] {text}", file=self.stream, flush=True)

    def _eta(self) -> str:
        elapsed = time.perf_counter() - self.start
        if self.done >= self.total:
            return f"{elapsed:.0f} s in all"
        left = elapsed / self.done * (self.total - self.done)
        return f"{elapsed:.0f} s elapsed, about {left:.0f} s left"


__all__ = ["RunProgress"]
