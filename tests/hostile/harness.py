"""The hostile-input corpus's harness (issue 23): run the command line in-process on one bad input
and return what a user sees. A traceback is any exception escaping ``main``: the test fails with it.

Each case of the corpus is ``Case(argv, code, message)``: the exit code the tool must give and a
fragment its standard error (or output) must contain. Files a case needs are written by the test
into ``tmp_path`` first; ``{tmp}`` in an argument is replaced by that folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from prosecheck.cli import main


@dataclass(frozen=True)
class Case:
    """One hostile input: the arguments, the exit code and a fragment of the one-line message."""

    name: str
    argv: tuple[str, ...]
    code: int
    message: str
    files: dict[str, bytes] = field(default_factory=dict)  # relative name -> content, written under {tmp}

    def __str__(self) -> str:
        return self.name


def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """``prosecheck ARGV`` in this process: (exit code, stdout, stderr); argparse's exit counts as a code."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: bad flag -> 2, --help -> 0
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


def run_case(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Write the case's files, run it, and assert its exit code, its message and a one-line error."""
    for name, content in case.files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in case.argv]
    code, out, err = run_cli(capsys, argv)
    assert code == case.code, f"{case.name}: exit {code}, expected {case.code}\nstderr: {err}\nstdout: {out[-2000:]}"
    assert "Traceback" not in err, err
    if case.message:
        assert case.message in err + out, f"{case.name}: {case.message!r} not in:\n{err}{out[-2000:]}"
    if case.code == 2:
        errors = [line for line in err.splitlines() if "error" in line]
        assert len(errors) <= 2, f"{case.name}: more than one error line:\n{err}"
    return code, out, err
