"""docs/threats.md is the current output of `prosecheck threats --markdown`."""

from __future__ import annotations

from pathlib import Path

from prosecheck.model.scenarios import DEFAULT_SCENARIOS
from prosecheck.report.threats_doc import threats_markdown

DOC = Path(__file__).parent.parent / "docs" / "threats.md"


def test_docs_threats_is_current(check_once):
    results = [check_once(s.id) for s in DEFAULT_SCENARIOS if s.threats.active()]
    assert DOC.read_text() == threats_markdown(results), "regenerate: prosecheck threats --markdown > docs/threats.md"


def test_every_threat_scenario_and_violation_is_in_the_document(check_once):
    text = DOC.read_text()
    for s in DEFAULT_SCENARIOS:
        if not s.threats.active():
            continue
        assert f"## `{s.id}`" in text
        for pid, p in check_once(s.id).properties.items():
            if p.verdict == "VIOLATED" and p.kind != "sometimes":
                assert f"### `{s.id}`: `{pid}`" in text


def test_a_lost_message_is_drawn_as_lost():
    assert "(LOST)" in DOC.read_text()
