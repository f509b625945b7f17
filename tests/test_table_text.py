"""The compact SMT-LIB text of a table lemma (checker/symbolic/tables.py ``text``/``expand``): one
concatenation of the variables and one constant per row, written by ``certify.to_text`` and read
back by ``certify.parse`` as the ``or`` of ``and``s it stands for; the old form still reads."""

from __future__ import annotations

import dataclasses

import pytest
import z3

from prosecheck import ledger
from prosecheck.checker.symbolic import certify, tables
from prosecheck.checker.symbolic.encode import Encoding
from prosecheck.report.generated import MAX_BYTES
from prosecheck.scenarios.catalog import SCENARIOS
from tests import toy
from tests.test_minimise import _toy_table


def _same(a: z3.BoolRef, b: z3.BoolRef) -> bool:
    """Z3: ``a`` and ``b`` are equivalent."""
    solver = z3.Solver()
    solver.add(a != b)
    return solver.check() == z3.unsat


def test_a_table_is_written_compact_and_reads_back_as_the_same_formula() -> None:
    enc, good, inductive, table = _toy_table()
    formula = table.formula(enc.cur)
    (text,) = certify.to_text([formula])
    names = " ".join(enc.cur[p].sexpr() for p in table.positions)
    assert text.startswith(f"(let (({tables.ROW} (concat {names}))) (or (= {tables.ROW} #x")
    assert text.count(f"(= {tables.ROW} #x") == len(table.rows) and "\n" not in text
    assert len(text) < len(certify._one_line(formula.sexpr())) / 2
    (back,) = certify.parse(enc, [text])
    assert _same(back, formula)
    assert tables.columns(back) is not None  # the or of ands, as Table.formula writes it
    assert tables.read(enc, back) == table and certify.to_text([back]) == [text]  # a fixed point
    assert certify.validate(enc, good, [back, *inductive]).ok


def test_every_value_lands_in_its_column() -> None:
    """Rows of distinct, wide values (not the toy's small ones): each comes back in its own column."""
    enc = Encoding(toy.ping_pong(3))
    positions = (enc.names.index("pinger.count"), enc.names.index("ponger.last"), enc.names.index("pinger.state"))
    table = tables.Table(positions, ((0xFFFF, 1, 0x8000), (0x1234, 0xABCD, 0), (0, 0, 7)))
    (text,) = certify.to_text([table.formula(enc.cur)])
    assert "#xffff00018000" in text and "#x1234abcd0000" in text
    (back,) = certify.parse(enc, [text])
    assert tables.read(enc, back) == table and _same(back, table.formula(enc.cur))


def test_a_table_in_the_old_form_still_reads() -> None:
    """A ledger written before the compact form stored the ``or`` of ``and``s as Z3 printed it."""
    enc, good, inductive, table = _toy_table()
    old = certify._one_line(table.formula(enc.cur).sexpr())
    assert old.startswith("(or (and (= ")
    (back,) = certify.parse(enc, [old])
    assert tables.read(enc, back) == table and _same(back, table.formula(enc.cur))
    assert certify.validate(enc, good, [back, *inductive]).ok
    assert certify.to_text([back])[0].startswith("(let ")  # written again: compact


def test_other_lemmas_are_written_as_before_and_lookalikes_are_not_expanded() -> None:
    enc = Encoding(toy.ping_pong(3))
    a, b = enc.cur[enc.names.index("pinger.count")], enc.cur[enc.names.index("ponger.last")]
    one_column = z3.Or(z3.And(a == 1), z3.And(a == 2))
    for lemma in (a == 1, z3.Or(a == 1, b == 2), z3.Implies(a == 1, b == 2), one_column):
        assert certify.to_text([lemma]) == [certify._one_line(lemma.sexpr())]
    decls = {name: z3.BitVec(name, 16) for name in enc.names}
    for text in ["(or (= (concat pinger.count ponger.last) #x00010002) (= (concat ponger.last pinger.count) #x00010002))",
                 "(or (= (concat pinger.count pinger.count) #x00010002) (= (concat pinger.count pinger.count) #x00000000))",
                 "(or (= (concat pinger.count (bvadd ponger.last #x0001)) #x00010002)"
                 " (= (concat pinger.count (bvadd ponger.last #x0001)) #x00000000))",
                 "(or (= (concat pinger.count ponger.last) #x00010002) (= pinger.count #x0000))"]:
        parsed = z3.parse_smt2_string(f"(assert {text})", decls=decls)[0]
        assert tables.expand(parsed) is None, text
        (back,) = certify.parse(enc, [text])  # still a formula, checked as it stands
        assert _same(back, parsed) and tables.read(enc, back) is None


def test_every_table_of_the_shipped_ledger_is_stored_compact_and_re_checks() -> None:
    """Read with its encoding, each certificate that has a disjunction (as Z3 writes one, or the
    compact form): every table lemma in it is stored exactly as ``tables.text`` writes it."""
    book = ledger.load()
    found = 0
    for (sid, _), entry in sorted(book.items()):
        if not any(text.startswith(("(or ", "(let ")) for text in entry.certificate):
            continue  # a lemma of another shape is no table: not worth building the encoding
        _, enc, _, lemmas = ledger._read(entry, SCENARIOS[sid])
        for text, lemma in zip(entry.certificate, lemmas):
            compact = tables.text(lemma)
            if compact is not None:
                found += 1
                assert text == compact, (entry.key(), text[:80])
            assert not text.startswith("(or (and "), (entry.key(), text[:80])
    assert found > 0
    entry = book[("m300.panf_udm", "knr_only_after_authorization")]
    assert ledger.validate(entry, SCENARIOS["m300.panf_udm"]).ok
    said = ledger.certificate_words(entry, SCENARIOS["m300.panf_udm"])
    assert any(line.startswith("the control states and link contents are one of") for line in said)


@pytest.mark.slow
def test_minimise_saved_writes_an_old_form_table_compact() -> None:
    """``prove --minimise-saved`` keeps the stored text of the lemmas it keeps, but a table's is written anew."""
    sid, pid = "m300.ausf_udm", "knr_only_after_authorization"
    entry = ledger.load()[(sid, pid)]
    _, enc, _, lemmas = ledger._read(entry, SCENARIOS[sid])
    at = next(k for k, f in enumerate(lemmas) if tables.text(f) is not None)
    old = certify._one_line(lemmas[at].sexpr())
    before = dataclasses.replace(entry, certificate=(*entry.certificate[:at], old, *entry.certificate[at + 1:]))
    assert ledger.validate(before, SCENARIOS[sid]).ok
    found = ledger.minimised(before, SCENARIOS[sid], table=False)
    assert found.entry is not None and found.minimal
    assert set(found.entry.certificate) == set(entry.certificate) and old not in found.entry.certificate


def test_the_committed_ledger_stays_under_the_size_limit() -> None:
    size = ledger.LEDGER.stat().st_size
    assert size < MAX_BYTES, f"{ledger.LEDGER} is {size} bytes (limit {MAX_BYTES}): store its lemmas more compactly"
