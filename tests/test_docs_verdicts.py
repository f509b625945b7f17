"""The verdict table in docs/verdicts.md is the one the checker prints today (slow: every default scenario)."""

from __future__ import annotations

import re
from pathlib import Path

from prosecheck.ledger import apply, load
from prosecheck.model.scenarios import DEFAULT_SCENARIOS
from prosecheck.report.text import verdict_table

VERDICTS = Path(__file__).parent.parent / "docs" / "verdicts.md"


def test_the_docs_verdict_table_is_the_current_output(check_once):
    text = VERDICTS.read_text(encoding="utf-8")
    block = re.search(r"<!-- verdict-table:start -->\n```\n(.*?)\n```\n<!-- verdict-table:end -->", text, re.S)
    assert block is not None, "docs/verdicts.md has no verdict-table block"
    results = [check_once(s.id) for s in DEFAULT_SCENARIOS]
    reading = apply(results, load())  # as `check` does: the shipped proof ledger marks 'proved'
    assert not reading.stale and not reading.contradicted
    actual = verdict_table(results)
    assert block.group(1) == actual, "docs/verdicts.md is stale: paste the table `prosecheck check` prints"
