"""``docs/threats.md`` is the current output of its generator over every threat scenario."""

from __future__ import annotations

from pathlib import Path

from prosecheck.model.scenarios import SCENARIOS
from prosecheck.report.threats_doc import inherited_findings, threats_markdown

DOC = Path(__file__).parent.parent / "docs" / "threats.md"


def test_the_threats_document_is_current(check_once):
    results = [check_once(sid) for sid in SCENARIOS if "@" in sid]
    assert DOC.read_text() == threats_markdown(results, inherited_findings(results)), \
        "regenerate: python -m prosecheck.report.threats_doc > docs/threats.md"


def test_every_security_violation_has_a_trace_and_a_chart():
    text = DOC.read_text()
    for sid in ("m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk",
                "m700.ausf_udm.s723_stores_key_1@pc5_attacker+leaked_old_pruk", "m300.panf_udm@malicious_relay"):
        section = text.split(f"## `{sid}`", 1)[1].split("\n## ", 1)[0]
        assert "Shortest trace" in section and "```mermaid" in section and "participant attacker" in section
