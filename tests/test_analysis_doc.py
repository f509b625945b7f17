"""`prosecheck analyze`: the command's output forms and exit codes (that docs/spec-analysis.md is current:
tests/test_generated.py, `prosecheck regen spec-analysis`)."""

from __future__ import annotations

import json

from prosecheck.analysis.run import analyze
from prosecheck.cli import main
from prosecheck.cli.analyze_cmd import EXIT_FOUND, EXIT_INCOMPLETE, EXIT_NOTHING, exit_code
from prosecheck.scenarios.catalog import SCENARIOS


def test_the_exit_code_says_whether_anything_was_found():
    assert exit_code({"gaps": 0, "contradictions": 0}, True) == EXIT_NOTHING
    assert exit_code({"gaps": 0, "contradictions": 0}, False) == EXIT_INCOMPLETE
    assert exit_code({"gaps": 1, "contradictions": 0}, True) == EXIT_FOUND


def test_json_is_one_document_with_the_four_reports(capsys):
    code = main(["analyze", "m300.panf_udm", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == doc["exit_code"] == EXIT_FOUND
    assert {"contradictions", "guards", "traceability", "readings"} <= set(doc)
    assert doc["scenarios"] == ["m300.panf_udm"]
    m300 = next(m for m in doc["contradictions"]["methods"] if m["method"] == 300)
    found = next(c for c in m300["muses"] if c["statements"] == ["0260", "0263b"])
    assert found["scenarios"] == {"m300.panf_udm": "[0263b]"}  # its reading sets [0263b] aside
    assert len(doc["traceability"]["claims"]) == 20


def test_text_output_and_bad_input(capsys):
    assert main(["analyze", "m200"]) == EXIT_FOUND
    out = capsys.readouterr().out
    for heading in ("## 1. Requirement contradictions", "## 2. Guard analysis", "## 3. Traceability",
                    "## 4. Interpretation matrix", "## 5. The text read on its own"):
        assert heading in out
    assert main(["analyze", "no-such-scenario"]) == 2
    assert "unknown scenario" in capsys.readouterr().err
    assert main(["analyze", "--max-cores", "0"]) == 2


def test_the_interpretation_matrix_shows_each_reading_beside_its_baseline():
    chosen = [SCENARIOS[s] for s in ("m300.panf_udm", "m300.panf_udm.s3042_success_only")]
    analysis = analyze(chosen)
    reading = next(r for r in analysis.readings if r.option == "s3042_answers_failure")
    assert [c.scenario for c in reading.columns] == ["m300.panf_udm", "m300.panf_udm.s3042_success_only"]
    assert "deadlock_free" in reading.differs
