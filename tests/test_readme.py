"""The README stays true: its verdict table is the one the checker prints."""

from __future__ import annotations

import re
from pathlib import Path

from prosecheck.ledger import apply, load
from prosecheck.model.scenarios import DEFAULT_SCENARIOS
from prosecheck.report.text import verdict_table

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_the_readme_verdict_table_is_the_current_output(check_once):
    block = re.search(r"<!-- verdict-table:start -->\n```\n(.*?)\n```\n<!-- verdict-table:end -->", README, re.S)
    assert block is not None
    results = [check_once(s.id) for s in DEFAULT_SCENARIOS]
    reading = apply(results, load())  # as `check` does: the shipped proof ledger marks 'proved'
    assert not reading.stale and not reading.contradicted
    actual = verdict_table(results)
    assert block.group(1) == actual


def test_the_readme_gives_the_run_and_test_commands():
    assert ".venv/bin/prosecheck check" in README
    assert ".venv/bin/python -m pytest -q" in README
