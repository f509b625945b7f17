"""``docs/threats.md`` is the current output of its generator over every threat scenario."""

from __future__ import annotations

from pathlib import Path

from prosecheck.model.scenarios import SCENARIOS
from prosecheck.report.threats_doc import inherited_findings, threats_markdown

DOC = Path(__file__).parent.parent / "docs" / "threats.md"


def test_the_threats_document_is_current(check_once):
    results = [check_once(sid) for sid in SCENARIOS if "@" in sid]
    assert DOC.read_text() == threats_markdown(results, inherited_findings(results)), \
        "regenerate: prosecheck threats --markdown > docs/threats.md"


def test_every_security_violation_has_a_trace_and_a_chart():
    text = DOC.read_text()
    for sid in ("m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk",
                "m700.ausf_udm.s723_stores_key_1@pc5_attacker+leaked_old_pruk", "m300.panf_udm@malicious_relay"):
        section = text.split(f"## `{sid}`", 1)[1].split("\n## ", 1)[0]
        assert "Shortest trace" in section and "```mermaid" in section and "participant attacker" in section


def test_every_threat_scenario_is_in_the_document():
    text = DOC.read_text()
    for sid in SCENARIOS:
        if "@" in sid:
            assert f"## `{sid}`" in text


def test_a_lost_message_is_drawn_as_lost_and_the_lock_out_is_explained():
    section = DOC.read_text().split("## `m700.ausf_udm@lossy_links_pc5`", 1)[1].split("\n## ", 1)[0]
    assert "(LOST)" in section and "### `recovers_after_loss` VIOLATED" in section
    assert "remote_ue.pruk_gen=1, panf.pruk_gen=2" in section
    assert "*DoS*" not in section, "a lost message is not an attacker's denial of service"
