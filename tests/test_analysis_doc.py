"""`prosecheck analyze`: the committed report is current, the command's output forms and exit codes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from prosecheck.analysis.report_text import render
from prosecheck.analysis.run import analyze
from prosecheck.cli import main
from prosecheck.cli.analyze_cmd import EXIT_FOUND, EXIT_INCOMPLETE, EXIT_NOTHING, exit_code
from prosecheck.model.scenarios import DEFAULT_SCENARIOS, SCENARIOS

DOC = Path(__file__).parent.parent / "docs" / "spec-analysis.md"


def test_the_committed_spec_analysis_is_the_current_output(check_once):
    honest = [s for s in DEFAULT_SCENARIOS if not s.threats.active()]  # what `analyze` reads by default
    # a copy of each shared result: the analysis reads its kept exploration and then lets go of it
    current = render(analyze(honest, check=lambda s: copy.copy(check_once(s.id))))
    assert DOC.read_text() == current, (
        "docs/spec-analysis.md is stale: regenerate it with `prosecheck analyze --markdown > docs/spec-analysis.md`")


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
                    "## 4. Interpretation matrix"):
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
