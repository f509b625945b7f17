"""The text read on its own (prosecheck/analysis/text_checks.py), on the real text of US 2025/0260979 A1:
each analysis finds a slip a reader confirmed, and leaves alone the passages next to it that are right."""

from __future__ import annotations

import dataclasses

import jsonschema
import pytest

from prosecheck.analysis.patent import Patent, load_patent, normalize, parse
from prosecheck.analysis.text_checks import ANALYSES, TextFinding, by_analysis, group_by_analysis, text_findings
from prosecheck.analysis.text_common import change, edit_distance, raw_body
from prosecheck.analysis.text_labels import keys_on_the_air, manner_names
from prosecheck.analysis.text_numbering import figure_mismatches, paragraph_sequence, undefined_steps
from prosecheck.analysis.text_subjects import performers, send_receive_pairs
from prosecheck.analysis.text_support import claim_support, summary_conditions
from prosecheck.analysis.text_terms import doubled_words, terms, typos


@pytest.fixture(scope="module")
def found() -> dict[str, list[TextFinding]]:
    return by_analysis()


def _keys(items: list[TextFinding]) -> set[str]:
    return {f.key for f in items}


def _one(items: list[TextFinding], key: str) -> TextFinding:
    hits = [f for f in items if f.key == key]
    assert len(hits) == 1, f"{key} not found once in {sorted(_keys(items))}"
    return hits[0]


def _about(items: list[TextFinding], paragraph: str) -> list[TextFinding]:
    return [f for f in items if paragraph in f.paragraphs]


def _source(patent: Patent, where: str) -> str:
    return patent.claims[int(where.split()[1])].text if where.startswith("claim ") else patent.paragraphs[where]


def test_every_quote_is_the_texts_and_every_key_is_unique(found: dict[str, list[TextFinding]]) -> None:
    patent = load_patent()
    items = [f for v in found.values() for f in v]
    assert items
    for f in items:
        assert normalize(f.quote) in _source(patent, f.paragraphs[0]), f.key
        assert f.proposal and f.proposal != f.quote, f.key
    assert len(_keys(items)) == len(items)


def test_two_runs_give_the_same_findings(found: dict[str, list[TextFinding]]) -> None:
    again = text_findings()
    assert again == [f for v in found.values() for f in v]
    assert group_by_analysis(again) == found


def test_a_finding_refuses_an_unknown_category() -> None:
    with pytest.raises(ValueError, match="category"):
        TextFinding("k", "security", "high", ("0001",), "q", "p", "x")


# 1. numbering

def test_another_methods_step_is_found_with_the_methods_own_step(found: dict[str, list[TextFinding]]) -> None:
    f = _one(found["numbering"], "numbering:[0284]:S425 in method 300")
    assert "the following step S306 is performed" in f.proposal  # S306 generates the key in method 300
    assert "S3031" in _one(found["numbering"], "numbering:[0268]:S410 in method 300").proposal


def test_an_undescribed_step_gets_the_described_one_a_character_away(found: dict[str, list[TextFinding]]) -> None:
    assert "S304 to S3042" in _one(found["numbering"], "numbering:[0286]:S2042 undefined").proposal
    assert "steps S713 and S714" in _one(found["numbering"], "numbering:[0674]:S7113 undefined").proposal
    assert "S7110 to S7112" in _one(found["numbering"], "numbering:[0712]:S7113 undefined").proposal
    assert "S6110 to S6112" in _one(found["numbering"], "numbering:[0560]:S6113 undefined").proposal


def test_references_that_name_their_method_and_correct_numbers_are_left_alone(found: dict[str, list[TextFinding]]) -> None:
    numbering = found["numbering"]
    assert not _about(numbering, "0266")  # "in the step S208 of the method 200"
    assert not _about(numbering, "0236")  # "the network architecture shown in FIG. 1" beside "method 300"
    assert not _about(numbering, "0710")  # "steps S7110 to S7112 in Manner 1": all described
    assert paragraph_sequence(raw_body()) == []  # [0001] to [0821], each once, in order


def test_paragraph_numbers_out_of_sequence_or_twice_are_found() -> None:
    body = "[0001] One.\n\n[0002] Two.\n\n[0004] Four.\n\n[0004] Again.\n"
    assert [f.key for f in paragraph_sequence(body)] == ["numbering:[0004]:after [0002]", "numbering:[0004]:duplicate"]


def test_a_figure_tied_to_another_figures_method_is_found() -> None:
    patent = parse("[0001] FIG. 3 is a flowchart of a communication method 300.\n\n"
                   "[0002] FIG. 4 is a flowchart of a communication method 400.\n\n"
                   "[0003] As shown in FIG. 4, the method 300 includes the following steps.\n")
    assert [f.key for f in figure_mismatches(patent)] == ["numbering:[0003]:FIG. 4 vs method 300"]


def test_undefined_steps_on_a_small_text() -> None:
    patent = parse("[0001] S301: The AUSF sends a message.\n\n[0002] S302: The UDM answers.\n\n"
                   "[0003] After S3O2 and S303, the AUSF stops.\n")
    assert [f.key for f in undefined_steps(patent)] == ["numbering:[0003]:S303 undefined"]


# 2. labels

def test_the_key_carried_where_its_id_is_meant_is_found(found: dict[str, list[TextFinding]]) -> None:
    f = _one(found["labels"], "label:[0241]:5GPRUK #1 vs 5GPRUK ID #1")
    assert f.category == "contradiction" and f.severity == "high"
    assert "adds the 5GPRUK ID #1 and a key update indication to the step S302" in f.proposal
    carrying = _keys(keys_on_the_air(load_patent()))
    for right in ("0429", "0311", "0430", "0545", "0555", "0252"):  # the ID on the air; the key in the PAnF's answer
        assert not any(f"[{right}]" in k for k in carrying), right


def test_one_decision_told_with_two_generations_is_found(found: dict[str, list[TextFinding]]) -> None:
    assert "5GPRUK #1 does not need to be updated" in _one(
        found["labels"], "label:[0307]:decision on 5GPRUK #2 vs #1").proposal
    assert "key 5GPRUK #1 is currently still valid" in _one(found["labels"], "label:[0681]:valid 5GPRUK #2 vs #1").proposal
    assert not _about(found["labels"], "0311")  # both branches decide about the 5GPRUK #1


_MANNERS = """[0001] S508: The AUSF decides.

Manner 1:

[0002] S5110: The PAnF sends an authorization check request message to the UDM.

[0003] S5112: The UDM sends an authorization check response message to the PAnF.

Manner 2:

[0004] S512: The AUSF sends an authorization check request message to the UDM.

Manner 3

[0005] S514: The AUSF creates a key. Either steps S5110 to S5112 in Manner 2 or steps S512 in Manner 2 may be performed.
"""


def test_a_step_cited_under_another_manner_is_found(found: dict[str, list[TextFinding]]) -> None:
    keys = [f.key for f in manner_names(parse(_MANNERS), _MANNERS)]
    assert keys == ["label:[0005]:S5110 in Manner 2", "label:[0005]:S5112 in Manner 2"]
    assert not [f for f in found["labels"] if "in Manner" in f.key]  # the real text's "in Manner n" all agree


# 3. subjects

def test_an_implementation_whose_lead_and_body_name_other_elements_is_found(found: dict[str, list[TextFinding]]) -> None:
    f = _one(found["subjects"], "subject:[0022]:panf vs ausf")
    assert f.proposal.startswith("that the authentication server function network element")
    assert not _about(found["subjects"], "0034")  # the PAnF's aspect: lead and body both the PAnF


def test_every_receiving_sentence_of_the_real_text_agrees_and_a_changed_one_is_found() -> None:
    patent = load_patent()
    assert send_receive_pairs(patent) == [] and performers(patent) == []
    changed = dict(patent.paragraphs)
    changed["0702"] = changed["0702"].replace("from the UDM (remote)", "from the AUSF (remote)")
    changed["0685"] = changed["0685"].replace("the PAnF performs the step S711", "the UDM performs the step S711")
    other = Patent(changed, patent.claims)
    assert [f.key for f in send_receive_pairs(other)] == ["subject:[0702]:S7112 receipt"]
    assert [f.key for f in performers(other)] == ["subject:[0685]:udm performs S711"]


# 4. terms and spelling

def test_spelling_slips_the_text_itself_shows_are_found(found: dict[str, list[TextFinding]]) -> None:
    terms_found = found["terms"]
    assert _one(terms_found, "term:5GPURK vs 5GPRUK").paragraphs == ("0037", "0048", "0292", "0784")
    assert "home subscriber server, HSS" in _one(terms_found, "term:typo serve for server").proposal
    assert "Nonce_1" in _one(terms_found, "term:Nounce_1 vs Nonce_1").proposal  # as TS 33.503 writes it
    assert _one(terms_found, "term:K_{NR_Prose} vs K_{NR_ProSe}").paragraphs == ("0504", "0625", "0752")
    failure = _one(terms_found, "term:failure shown as success")
    assert "0704" in failure.paragraphs and "0284" not in failure.paragraphs  # [0284] says "authentication fails"
    assert "authorization succeeds" in _one(terms_found, "term:authentication for authorization").proposal


def test_right_words_are_not_flagged(found: dict[str, list[TextFinding]]) -> None:
    keys = " ".join(_keys(found["terms"]))
    for right in ("EEPROM", "KAUSF", "mechanisms", "applications", "S4111", "[0095]", "Proximity-based"):
        assert right not in keys, right


def test_a_doubled_word_and_a_rare_misspelling_on_a_small_text() -> None:
    patent = parse("[0001] The the key is stored. " + "The subscriber server answers. " * 12
                   + "\n\n[0002] A data network network element. " + "A network element. " * 12
                   + "\n\n[0003] The subscriber serve answers.\n")
    assert [f.key for f in doubled_words(patent)] == ["term:[0001]:doubled The"]
    assert [f.key for f in typos(patent)] == ["term:typo serve for server"]
    assert len(terms(patent)) == 2


def test_edit_distance_counts_a_swap_once() -> None:
    assert edit_distance("5GPURK", "5GPRUK") == 1
    assert edit_distance("Nounce_1", "Nonce_1") == 1
    assert edit_distance("EPROM", "EEPROM") == 1 and edit_distance("abc", "xyz") == 3


# 5. claim support; 6. the summary against the description

def test_claim_elements_the_description_never_says_are_found(found: dict[str, list[TextFinding]]) -> None:
    support = found["support"]
    f = _one(support, "support:claim 2:rsc")
    assert f.quote.startswith("the relay service code is used by the first communication apparatus to establish")
    assert not [g for g in support if g.paragraphs[0] in ("claim 1", "claim 4", "claim 6", "claim 9")]


def test_a_claim_element_no_paragraph_holds_on_a_small_text() -> None:
    text = ("DESCRIPTION OF EMBODIMENTS\n\n[0001] The AUSF sends a key query request message to the PAnF.\n\n"
            "What is claimed is:\n\n1. A communication method, comprising: sending, by an authentication server function "
            "network element, a key query request message; and teleporting a quantum state to the moon.\n")
    patent = parse(text)
    keys = [f.key for f in claim_support(patent, text.partition("What is claimed is:")[0])]
    assert keys == ["support:claim 1:moon quantum state teleport"]


def test_a_summary_condition_the_description_states_in_its_own_words_is_not_a_finding(
        found: dict[str, list[TextFinding]]) -> None:
    """[0035] bases the PAnF's decision "on whether RSC is locally stored": [0683] says it in other words
    ("locally queries whether RSC #1 ... is stored", "not stored locally"), a hand check found."""
    assert not _about(found["support"], "0035")
    assert not _about(found["support"], "0034")  # "according to a local policy": the description's own criterion


def test_a_summary_condition_the_description_never_uses_is_found_on_a_small_text() -> None:
    text = ("[0001] The PAnF determines, based on whether the moon is full, that the key needs updating.\n\n"
            "DESCRIPTION OF EMBODIMENTS\n\n[0002] The PAnF determines that the key needs updating when its "
            "validity period expires.\n\nWhat is claimed is:\n\n1. A method.\n")
    patent = parse(text)
    found = summary_conditions(patent, text.partition("What is claimed is:")[0])
    assert [f.key for f in found] == ["summary:[0001]:whether moon is full"]


# wiring

def test_the_markdown_and_json_show_the_text_findings(found: dict[str, list[TextFinding]]) -> None:
    from prosecheck.analysis.report_json import as_json
    from prosecheck.analysis.report_text import text_section
    from prosecheck.analysis.run import Analysis
    from prosecheck.analysis.traceability import trace
    from prosecheck.schemas import schema

    items = [f for v in found.values() for f in v]
    lines = text_section(items)
    assert len([line for line in lines if line.startswith("- ")]) == len(items)
    assert any(line.startswith("### Contradiction") for line in lines)
    analysis = Analysis([], [], [], trace(load_patent(), {}), [], [], [], [], True, text=items)
    doc = as_json(analysis, 20)
    jsonschema.Draft202012Validator(schema("analyze")).validate(doc)
    assert [d["key"] for d in doc["text_findings"]] == [f.key for f in items]
    assert doc["found"]["text_findings"] == len(items)
    assert {d["analysis"] for d in doc["text_findings"]} <= set(ANALYSES)
    assert dataclasses.asdict(items[0])["quote"] == doc["text_findings"][0]["quote"]


def test_change_shows_the_rewritten_words() -> None:
    assert change("in the method of S304 to S2042, the SUPI", "in the method of S304 to S3042, the SUPI") == (
        "S304 to S2042, the SUPI", "S304 to S3042, the SUPI")
    assert change("a b", "Add a sentence.") is None
