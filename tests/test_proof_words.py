"""A proof's support in the model's words (render.describe_support, model/vocabulary.py): each
phrase says what its lemma says, and check, report and prove print every lemma."""

from __future__ import annotations

import argparse

import pytest
import z3
from markupsafe import escape

from prosecheck import ledger
from prosecheck.checker.expr import BITS
from prosecheck.cli import prove_cmd
from prosecheck.model.messages import MESSAGES
from prosecheck.prove import ProofResult
from prosecheck.report.text import lemma_lines, scenario_report
from prosecheck.results import ScenarioResult
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario

SID, AUTH = "m300.panf_udm", "knr_only_after_authorization"


def _words(texts: list[str]) -> list[str]:
    """SMT-LIB lemmas over m300.panf_udm's indexed encoding, in words."""
    _, enc = ledger._encoding(SCENARIOS[SID], True)
    from prosecheck.checker.symbolic import certify

    return ledger.words(enc, certify.parse(enc, texts))


KNOWN = {
    "(= (bvor (bvshl ghost.knr_derived opt.index) (bvshl ghost.authorized_in_attempt opt.index)) "
    "(bvshl ghost.authorized_in_attempt opt.index))":
        "for every attempt n: a KNR_ProSe was derived in attempt n implies an authorization check succeeded in attempt n",
    "(=> (and (= remote_ue.state #x0002) (= ausf.nonce_1 opt.index)) (or (= #x0001 ghost.authorized_in_attempt)))":
        "for every attempt n: if remote_ue in authenticating and ausf.nonce_1 = n, then an authorization check "
        "succeeded in attempt n",
    "(=> (and (= |udm->ausf[0].msg| #x0004) (= |udm->ausf[0].f0| #x0001)) (or (= #x0001 |udm->ausf[0].f1|)))":
        "if udm->ausf[0] holds av_response and udm->ausf[0].result = 1, then udm->ausf[0].supi = 1",
    "(=> (and (= remote_ue.state #x0000)) (or (= #x0000 |remote_ue->relay_ue[0].msg|) "
    "(= #x0008 |remote_ue->relay_ue[0].msg|)))":
        "if remote_ue in idle, then remote_ue->relay_ue[0] empty or remote_ue->relay_ue[0] holds direct_link_release",
    "(or (= #x0000 ausf.update_planned))": "ausf.update_planned = 0",
    "(not (= ((_ extract 1 1) |remote_ue->relay_ue[0].f1|) #b1))": "not (bit 1 of remote_ue->relay_ue[0].f1 = 1)",
    "(=> (and (= |panf->ausf[0].msg| #x000e) (distinct |panf->ausf[0].f0| #x0000) (= ausf.nonce_1 opt.index)) "
    "(= #x0000 ghost.knr_derived))":
        "for every attempt n: if panf->ausf[0] holds key_query_response and panf->ausf[0].pruk is not 0 and "
        "ausf.nonce_1 = n, then no KNR_ProSe was derived in attempt n",
}


def test_known_lemmas_read_as_expected() -> None:
    assert _words(list(KNOWN)) == list(KNOWN.values())


def test_the_names_in_the_words_are_the_encodings() -> None:
    """State, message and field names come from the model, not from the text: the state ids of the
    compiled tables, the message catalogue's order of ids, and each message's declared fields."""
    system, enc = ledger._encoding(SCENARIOS[SID], True)
    remote = next(i for i in system.instances if i.name == "remote_ue")
    assert remote.table.state_ids[0] == "idle" and remote.table.state_ids[2] == "authenticating"
    assert enc.messages[0x4 - 1] == "av_response" and enc.messages[0x8 - 1] == "direct_link_release"
    assert enc.messages[0xE - 1] == "key_query_response"
    assert [f for f, _ in MESSAGES["av_response"].fields][:2] == ["result", "supi"]
    assert [f for f, _ in MESSAGES["key_query_response"].fields][0] == "pruk"


def test_the_subset_phrase_is_the_formula_on_bits() -> None:
    """``(x << i) | (y << i) == y << i`` reads 'x implies y': equivalent for tracked bits (0 or 1)
    and every index 0..15 (Z3), and not said of any other shape."""
    x, y, i = z3.BitVecs("ghost.knr_derived ghost.authorized_in_attempt opt.index", BITS)
    lemma = ((x << i) | (y << i)) == (y << i)
    bits = z3.And(z3.Or(x == 0, x == 1), z3.Or(y == 0, y == 1), z3.ULE(i, 15))
    solver = z3.Solver()
    solver.add(bits, lemma != z3.Implies(x == 1, y == 1))
    assert solver.check() == z3.unsat
    swapped = _words(["(= (bvor (bvshl ghost.knr_derived opt.index) (bvshl ghost.authorized_in_attempt opt.index)) "
                      "(bvshl ghost.knr_derived opt.index))"])[0]
    assert "implies" not in swapped  # (x | y) == x is y implies x, not x implies y: printed as the formula


@pytest.fixture(scope="module")
def proved() -> ScenarioResult:
    """m300.panf_udm checked for the property, with the shipped ledger applied (its proof shown)."""
    result = check_scenario(SCENARIOS[SID], [AUTH])
    reading = ledger.apply([result], ledger.load())
    assert [e.property for e in reading.shown] == [AUTH]
    return result


def test_check_prints_every_lemma_of_the_support(proved: ScenarioResult) -> None:
    """The shipped m300.panf_udm proof: every lemma of its certificate, in words, in the report."""
    entry, result = ledger.load()[(SID, AUTH)], proved
    said = ledger.certificate_words(entry, SCENARIOS[SID])
    assert len(said) == len(entry.certificate)
    proved_by = result.properties[AUTH].proved_by
    assert proved_by is not None and list(proved_by.invariant) == said  # read from the re-checked lemmas
    text = scenario_report(result)
    assert f"inductive invariant of {len(said)} lemma(s):" in " ".join(text.split())
    listed = [line for line in text.splitlines() if line.startswith("         - ")]
    assert len(listed) == len(said) and "more" not in text.split("inductive invariant", 1)[1].split("no_knr", 1)[0]
    assert listed[0].endswith("- for every attempt n: a KNR_ProSe was derived in attempt n implies an authorization "
                              "check succeeded in attempt")  # wrapped at 120 columns, nothing cut
    assert all(len(line) <= 120 for line in text.splitlines())
    table = next(w for w in said if " combinations, each given by " in w)
    rows = table.split(": (1) ", 1)[1].count("; (") + 1
    numbered = [line for line in text.splitlines() if line.startswith("             (")]
    assert [line.split(")")[0].strip() for line in numbered] == [f"({n}" for n in range(1, rows + 1)]  # one line each


def test_prove_prints_every_lemma(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [f"lemma {k}" for k in range(25)]
    result = ProofResult(SID, AUTH, "PROVED", "houdini", 1.0, "unbounded", invariant=lines)
    prove_cmd._print(argparse.Namespace(engine="houdini", bounded=True), SCENARIOS[SID], [result])
    out = capsys.readouterr().out
    assert all(f"invariant: lemma {k}\n" in out for k in range(25)) and "more" not in out


def test_prove_prints_a_table_lemma_one_combination_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    table = "(a, b) is one of 2 combinations, each given by what differs from a = 0, b = 0: (1) as said; (2) a = 1"
    result = ProofResult(SID, AUTH, "PROVED", "houdini", 1.0, "unbounded", invariant=["x = 0", table])
    prove_cmd._print(argparse.Namespace(engine="houdini", bounded=True), SCENARIOS[SID], [result])
    out = capsys.readouterr().out
    assert "invariant: x = 0\n" in out and "differs from a = 0, b = 0:\n         (1) as said\n         (2) a = 1\n" in out


def test_the_report_page_lists_every_lemma(proved: ScenarioResult) -> None:
    from prosecheck.report.html import scenario_html

    result = proved
    proved_by = result.properties[AUTH].proved_by
    assert proved_by is not None
    page = scenario_html(result, "scenario/x.html")
    listed = page.split('<details id="proof-' + AUTH + '">', 1)[1].split("</details>", 1)[0]
    assert len(proved_by.invariant) == len(ledger.load()[(SID, AUTH)].certificate)
    tables = [lines for lines in map(lemma_lines, proved_by.invariant) if len(lines) > 1]
    assert tables, "the shipped certificate has a table lemma"
    # one item per lemma; a table lemma's combinations as a nested list, one item each
    assert listed.count('<ol class="rows">') == len(tables)
    assert listed.count("<li>") == len(proved_by.invariant) + sum(len(lines) - 1 for lines in tables)
    assert all(f"<li>{escape(row)}</li>" in listed for lines in tables for row in lines[1:])
    assert "<li>for every attempt n: a KNR_ProSe was derived in attempt n implies an authorization check succeeded " \
           "in attempt n</li>" in listed


def test_lemmas_with_one_conclusion_merge_into_an_equivalent_one() -> None:
    """grouping.merge: implications that share a conclusion become one, with the common part of their
    guards factored out; the merged set is equivalent to the input (Z3), and reads as one sentence."""
    from prosecheck.checker.symbolic import certify, grouping

    _, enc = ledger._encoding(SCENARIOS[SID], True)
    texts = [
        "(=> (and (= ausf.state #x0001)) (= remote_ue.nonce_1 ausf.nonce_1))",
        "(=> (and (= |ausf->panf[0].msg| #x000d)) (= remote_ue.nonce_1 ausf.nonce_1))",
        "(=> (and (= remote_ue.state #x0002) (= ausf.nonce_1 opt.index)) (or (= #x0001 ghost.authorized_in_attempt)))",
        "(=> (and (= |panf->ausf[0].msg| #x000e) (distinct |panf->ausf[0].f0| #x0000) (= ausf.nonce_1 opt.index)) "
        "(or (= #x0001 ghost.authorized_in_attempt)))",
        "(or (= #x0000 ausf.update_planned))",
    ]
    lemmas = certify.parse(enc, texts)
    merged = grouping.merge(lemmas)
    assert len(merged) == 3
    solver = z3.Solver()
    solver.add(z3.And(merged) != z3.And(lemmas))
    assert solver.check() == z3.unsat
    said = ledger.words(enc, merged)
    state = next(i for i in enc.system.instances if i.name == "ausf").table.state_ids[1]
    assert said[0] == (f"if ausf in {state} or ausf->panf[0] holds {enc.messages[0xD - 1]}, then "
                       "remote_ue.nonce_1 = ausf.nonce_1")
    assert said[1] == ("for every attempt n: if ausf.nonce_1 = n and (remote_ue in authenticating or "
                       "(panf->ausf[0] holds key_query_response and panf->ausf[0].pruk is not 0)), then an "
                       "authorization check succeeded in attempt n")
    assert said[2] == "ausf.update_planned = 0"
    assert grouping.merge(merged) == merged  # nothing left to merge


def test_the_shipped_table_lemma_names_the_models_states_and_messages() -> None:
    """m300.panf_udm's table lemma in words: every 'X in S' a state of X's compiled table, every
    'holds M' a message of the catalogue, one numbered item per row."""
    import re

    from prosecheck.checker.symbolic import tables

    entry = ledger.load()[(SID, AUTH)]
    _, enc, _, lemmas = ledger._read(entry, SCENARIOS[SID])
    at = [k for k, f in enumerate(lemmas) if tables.read(enc, f) is not None]
    assert len(at) == 1
    table = tables.read(enc, lemmas[at[0]])
    assert table is not None
    said = ledger.certificate_words(entry, SCENARIOS[SID])[at[0]]
    states = {f"{inst.name} in {s}" for inst in enc.system.instances for s in inst.table.state_ids}
    found = re.findall(r"\b(remote_ue|relay_ue|amf|ausf|panf|udm) in (\w+)", said)
    assert found and all(f"{x} in {s}" in states for x, s in found)
    assert all(m in MESSAGES for m in re.findall(r"holds (\w+)", said))
    assert [int(n) for n in re.findall(r"\((\d+)\) ", said)] == list(range(1, len(table.rows) + 1))
