"""What Ctrl-C does in the commands that check (check, report, threats).

* The **first** Ctrl-C, at any phase, stops what is running: the search keeps the worlds it
  stored, a later phase keeps the verdicts it decided, scenarios not begun are reported
  INCONCLUSIVE "not checked", and the command prints its results and exits 22 (INCONCLUSIVE).
  A Ctrl-C while results are being written is noted and the writing finishes.
* A **second** Ctrl-C exits at once with code 130, printing nothing more (for a wind-down that
  takes too long).

Other commands keep Python's default: Ctrl-C ends them with "prosecheck: interrupted" and 130.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Any

from prosecheck.results import EXIT_INTERRUPTED_TWICE


class Interrupts:
    """The SIGINT policy above, while the ``with`` block runs (main thread only; elsewhere a no-op)."""

    def __init__(self) -> None:
        self.presses = 0
        self._writing = False
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
            self._installed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False

    @property
    def interrupted(self) -> bool:
        return self.presses > 0

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Results are being written: a first Ctrl-C lets the writing finish."""
        self._writing = True
        try:
            yield
        finally:
            self._writing = False

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.presses += 1
        if self.presses > 1:
            sys.stderr.write("prosecheck: interrupted again: stopped at once, without results (exit code 130)\n")
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED_TWICE)
        if self._writing:
            sys.stderr.write("prosecheck: interrupted: the results are complete and being written "
                             "(Ctrl-C again to stop at once)\n")
            sys.stderr.flush()
            return
        raise KeyboardInterrupt


__all__ = ["EXIT_INTERRUPTED_TWICE", "Interrupts"]
