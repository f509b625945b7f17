"""docs/tutorial.md runs: its ```python blocks, in order, as one program (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_OUTPUT = re.compile(r"^```text\n(.*?)^```", re.S | re.M)


def blocks() -> list[str]:
    return _BLOCK.findall(TUTORIAL.read_text())


def test_the_tutorial_has_code_to_run() -> None:
    assert len(blocks()) >= 6


def test_every_python_block_of_the_tutorial_runs(capsys) -> None:
    namespace: dict[str, object] = {"__name__": "tutorial"}
    for number, code in enumerate(blocks(), 1):
        exec(compile(code, f"{TUTORIAL.name} block {number}", "exec"), namespace)  # noqa: S102 - our own docs
    out = capsys.readouterr().out
    assert "distinct_tickets HOLDS" in out and "issued would become 3" in out
    shown = [line for block in _OUTPUT.findall(TUTORIAL.read_text()) for line in block.splitlines()]
    assert shown and all(line in out.splitlines() for line in shown)  # the output the page shows is real
