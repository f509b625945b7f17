"""The analyses against the real patent text and the real model: every quoted statement is in
its paragraph, the reported contradictions, gaps and dangling references point at text that
exists, and every name the analyses use resolves in the model."""

from __future__ import annotations

import pytest

from prosecheck.analysis.claims import CLAIMS
from prosecheck.analysis.contradictions import check_method
from prosecheck.analysis.patent import load_patent, normalize
from prosecheck.analysis.scope import OUT_OF_SCOPE
from prosecheck.analysis.statements import METHODS, STATEMENTS, statement
from prosecheck.analysis.traceability import model_citations, trace
from prosecheck.analysis.vocab import VARIABLES
from prosecheck.model.elements import ELEMENTS
from prosecheck.model.messages import MESSAGES
from prosecheck.model.procedures import PROCEDURES
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import SCENARIOS

PATENT = load_patent()


def test_the_text_has_its_paragraphs_and_twenty_claims():
    assert len(PATENT.paragraphs) == 821 and list(PATENT.claims) == list(range(1, 21))
    assert PATENT.claims[4].depends_on == 3 and PATENT.claims[16].depends_on is None


@pytest.mark.parametrize("key", sorted(STATEMENTS))
def test_every_statement_quotes_its_paragraph(key):
    s = STATEMENTS[key]
    assert s.paragraph in PATENT.paragraphs, f"no paragraph [{s.paragraph}]"
    assert normalize(s.quote) in PATENT.paragraphs[s.paragraph], f"[{s.sid}] does not contain {s.quote!r}"


def test_every_case_fact_quotes_its_paragraph():
    for _, cases in METHODS.values():
        for case in cases:
            for fact in case.facts:
                assert PATENT.has(fact.paragraph, fact.quote), (case.name, fact.paragraph, fact.quote)


def test_statements_are_encoded_for_every_method_and_ids_are_unique_per_method():
    for method, (statements, cases) in METHODS.items():
        assert len(statements) >= 10 and cases, method
        assert len({s.sid for s in statements}) == len(statements)
        assert all(s.method == method for s in statements)


def test_the_reported_contradictions_name_paragraphs_that_say_what_is_quoted():
    """Every contradiction of methods 300 and 700 (a sample), re-checked against the text."""
    for method in (300, 700):
        result = check_method(method, *METHODS[method])
        assert result.muses, method
        for found in result.muses:
            for sid in found.statements:
                s = statement(method, sid)
                assert PATENT.has(s.paragraph, s.quote)


def test_known_contradictions_are_found():
    m300 = check_method(300, *METHODS[300])
    assert ("the PAnF asks the UDM (S3041) and the check fails", ["0260", "0263b"]) in [
        (c.case, c.statements) for c in m300.muses]
    m700 = check_method(700, *METHODS[700])
    generations = [c.statements for c in m700.muses if "update" in c.case and "decides" in c.case]
    assert ["0750", "0753"] in generations and ["0757", "0758"] in generations
    assert {"0675", "0712b"} <= {v.statement for v in m700.vacuous}


def test_dangling_and_suspect_references_are_in_the_text():
    t = trace(PATENT, model_citations())
    dangling = {r.step for r in t.dangling}
    assert {"S2042", "S412b", "S512b", "S6113", "S7113"} <= dangling
    for r in t.dangling + t.suspect:
        assert r.step in PATENT.paragraphs[r.paragraph] and r.context in PATENT.paragraphs[r.paragraph]
    assert ("S425", "0284") in {(r.step, r.paragraph) for r in t.suspect}
    assert {("S3042", "0267"), ("S710", "0681"), ("S710", "0682")} <= {(r.step, r.paragraph) for r in t.mismatched}
    for r in t.mismatched:
        assert r.context in PATENT.paragraphs[r.paragraph]


def test_coverage_is_computed_from_the_model_citations():
    citations = model_citations()
    t = trace(PATENT, citations)
    assert set(t.covered) == {s for s in citations if s in t.defined}
    assert all(s in t.defined for s in OUT_OF_SCOPE), "the out-of-scope table names a step the text does not define"
    assert not t.scoped_but_cited, "a step listed as out of scope is cited by the model"


def _effects() -> set[str]:
    return {f"{cls.ROLE}.{name}" for cls in ELEMENTS for name in cls.EFFECTS}


def test_every_claim_mapping_resolves_in_the_model():
    effects = _effects()
    assert sorted(CLAIMS) == list(range(1, 21))
    for number, mapping in CLAIMS.items():
        assert set(mapping.transitions) <= effects, (number, set(mapping.transitions) - effects)
        assert set(mapping.properties) <= set(PROPERTIES), number
        assert set(mapping.scenarios) <= set(SCENARIOS), number


def test_every_variable_tie_resolves_in_the_model():
    effects = _effects()
    options = set().union(*(p.all_options() for p in PROCEDURES.values()))
    for v in VARIABLES.values():
        for tie in v.ties:
            if tie.kind == "field":
                assert tie.b in MESSAGES[tie.a].field_names, (v.name, tie)
            elif tie.kind == "effect":
                assert f"{tie.a}.{tie.b}" in effects, (v.name, tie)
            else:
                assert tie.kind == "option" and tie.a in options, (v.name, tie)


def test_statement_readings_name_real_options():
    options = set().union(*(p.all_options() for p in PROCEDURES.values()))
    for s in STATEMENTS.values():
        assert s.reading is None or s.reading[0] in options


def test_every_reported_gap_and_ambiguity_cites_paragraphs_that_exist():
    import re

    from prosecheck.analysis.run import guards_of

    findings, _, complete, _ = guards_of([SCENARIOS["m300.panf_udm"]])
    assert complete and any(f.kind == "gap" for f in findings)
    for f in findings:
        for transition in f.transitions:
            cited = re.findall(r"\[(\d{4})\]", transition)
            assert cited and all(p in PATENT.paragraphs for p in cited), transition
