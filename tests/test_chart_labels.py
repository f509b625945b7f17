"""Charts and traces in the words of the method they draw (issue 24): each step labelled with that
method's own step numbers and Manner, and the readings of ambiguous passages marked."""

from __future__ import annotations

import re

import pytest

from prosecheck.analysis.patent import load_patent
from prosecheck.diagrams.figures import FIGURES, happy_path
from prosecheck.diagrams.msc import Chart, build_chart
from prosecheck.diagrams.msc_render import to_mermaid, to_plantuml
from prosecheck.model.procedures import READINGS
from prosecheck.model.spec import cite, ref_in_method, step_labels, steps_in_method
from prosecheck.step_labels import MANNERS, READING_NOTES, manner_label

FIGURE = {f.key: f for f in FIGURES}


@pytest.fixture(scope="module")
def charts() -> dict[str, Chart]:
    return {key: happy_path(FIGURE[key]).chart for key in
            ("fig3-m300-panf-udm", "fig4-m400-update", "fig7-m700-update")}


def _labels(chart: Chart) -> list[str]:
    return [s for ev in chart.events for s in ev.steps]


def _notes(chart: Chart, actor: str) -> list[str]:
    return [ev.label for ev in chart.events if ev.kind == "note" and ev.sender == actor]


def test_step_labels_keep_only_the_drawn_methods_steps_and_say_when_there_is_none():
    assert step_labels(("S304", "S4110", "S5110", "S6110", "S7110"), "3") == ["S304"]
    assert step_labels(("S208", "S409", "S509"), "2") == ["S208"]
    assert step_labels(("S409", "S509"), "2") == ["(no step in method 200; as S409 of method 400)"]
    assert step_labels(("S206", "S207"), "3") == ["(no step in method 300; as S206/S207 of method 200)"]
    assert step_labels(("S204", "S302"), "4") == ["S405"]  # methods 200/300 steps become method 400's
    assert step_labels(("S409", "S509"), None) == ["S409", "S509"]  # no method: as cited
    assert steps_in_method(("S409", "S509"), "2") == []  # the pure mapping (the analysis reads it) stays silent
    ref = cite("S208", "[0140]", "S409", "[0321]", "S509", "TS 33.503 6.3.3.3")
    assert ref_in_method(ref, "2") == "S208 [0140] [0321] TS 33.503 6.3.3.3"
    assert ref_in_method(ref, None) == str(ref)


def test_the_fig3_chart_carries_no_step_of_methods_400_to_700(charts):
    chart = charts["fig3-m300-panf-udm"]
    labels = _labels(chart)
    assert not [s for s in labels if re.fullmatch(r"S[4-7]\d{2,3}[ab]?", s)]
    assert not [s for s in labels if re.fullmatch(r"S2\d{2}[ab]?", s)]  # method 200's numbers only as "as ..."
    assert {"S301", "S302", "S3031", "S304", "S3041", "S3042", "S3032", "S306", "S307"} <= set(labels)
    mmd = to_mermaid(chart)
    assert "S4110" not in mmd and "S7110" not in mmd and "S409" not in mmd
    assert "Note over panf: 26. S304 look up 5GPRUK" in mmd
    assert "relay_ue->>amf: 23. (no step in method 300, as S205 of method 200) Relay Key Request" in mmd


def test_the_m200_counterexample_chart_carries_no_step_of_methods_300_to_700(check_once):
    result = check_once("m200")
    steps = [s.as_dict() for s in result.properties["no_knr_after_withdrawal"].trace]
    chart = build_chart(steps, result.elements, "m200", "violates no_knr_after_withdrawal")
    assert not [s for s in _labels(chart) if re.fullmatch(r"S[3-7]\d{2,3}[ab]?", s)]
    text = to_mermaid(chart) + to_plantuml(chart)
    for before in ("S409/S509", "S423/S523/S622/S724", "S220/S306", "S204/S302"):
        assert before not in text
    # the text trace (check's output) and the JSON steps tell the same numbers
    for st in steps:
        assert str(st["ref"]).startswith(" ".join(st["steps"])), st


def test_the_key_query_and_the_suci_path_are_named_by_each_methods_manner(charts):
    fig4, fig7 = _notes(charts["fig4-m400-update"], "ausf"), _notes(charts["fig7-m700-update"], "ausf")
    assert "Manner 2: request an authentication vector for the SUCI from the UDM" in fig4  # [0321]
    assert not [n for n in fig4 if n.startswith("Manner 1: request")]
    assert "Manner 1: send key query request with the 5GPRUK ID and RSC to the PAnF" in fig7  # [0673]-[0674]
    assert not [n for n in fig7 if n.startswith("Manner 2")]
    assert "Manner 2 ([0321])" in charts["fig4-m400-update"].title
    assert "Manner 1 (key query, [0673]-[0674]), then Manner 3" in charts["fig7-m700-update"].title
    label = "Manner 2: send key query request with the 5GPRUK ID and RSC to the PAnF"
    assert manner_label("ausf", "query_key", label, "2") == label  # method 200 keeps its own ([0140])


@pytest.mark.parametrize(("method", "para", "phrase"), [
    ("2", "0140", "when the ProSe authentication request message #1 carries the SUCI of the remote UE, Manner 1"),
    ("4", "0321", "determines to perform Manner 2 based on the SUCI"),
    ("5", "0440", "based on the SUCI carried in the ProSe authentication request message #1, to perform Manner 3"),
    ("7", "0675", "carries the SUCI of the remote UE, it is determined to perform Manner 3"),
])
def test_the_suci_paths_manner_is_the_texts(method, para, phrase):
    assert phrase in load_patent().paragraphs[para]
    assert MANNERS[("ausf", "request_av")][method] in phrase


@pytest.mark.parametrize(("method", "para", "phrase"), [
    ("2", "0140", "when the ProSe authentication request message #1 carries the 5GPRUK ID, Manner 2"),
    ("4", "0321", "determines to perform Manner 1 based on the 5GPRUK ID #1"),
    ("7", "0674", "carries the 5GPRUK ID #1, it is determined to perform Manner 1"),
])
def test_the_key_querys_manner_is_the_texts(method, para, phrase):
    assert phrase in load_patent().paragraphs[para]
    assert MANNERS[("ausf", "query_key")][method] in phrase


def test_every_reading_option_has_words_and_a_finding_that_names_it():
    assert set(READING_NOTES) == set(READINGS)
    findings = open("docs/spec-findings.md", encoding="utf-8").read()
    for name, note in READING_NOTES.items():
        row = re.search(rf"^\| {note.finding} \|.*$", findings, re.M)
        assert row is not None and name in row.group(0), (name, note.finding)
        assert set(note.words) == {0, 1}


def test_the_m700_chart_marks_the_s723_reading(charts):
    chart = charts["fig7-m700-update"]
    notes = _notes(chart, "ausf")
    marked = [n for n in notes if "option s723_stores_key_1=0; see docs/spec-findings.md #15" in n]
    assert marked and marked[0].startswith("reading: S723 stores the new 5GPRUK #2")
    assert "reading: S723 stores the new 5GPRUK #35;2" in to_mermaid(chart)
    # the note sits with the step that sends S723
    number = next(ev.number for ev in chart.events if ev.label == marked[0])
    assert "S723" in [s for ev in chart.events if ev.number == number and ev.kind == "arrow" for s in ev.steps]
