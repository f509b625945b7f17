"""Minimal inductive supports (checker/symbolic/minimise.py): a subset that re-checks as a
certificate (``certify.validate``) and loses that as soon as any one lemma is dropped."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
import z3

from prosecheck import ledger
from prosecheck.checker.expr import W
from prosecheck.checker.search import explore
from prosecheck.checker.symbolic import certify, houdini, tables
from prosecheck.checker.symbolic.encode import Encoding
from prosecheck.checker.symbolic.minimise import minimise
from prosecheck.checker.symbolic.render import describe_table
from prosecheck.scenarios.catalog import SCENARIOS
from tests import toy


def _toy() -> tuple[Encoding, z3.BoolRef, list[z3.BoolRef], list[int]]:
    """Ping-pong (3 pings), ``last <= count`` (not inductive alone): Houdini's mined lemmas, the
    inductive survivors and the property as lemma 0."""
    system = toy.ping_pong(3)
    enc = Encoding(system)
    good = enc.prop(system.bind(W("ponger.last") <= W("pinger.count"), 0), enc.cur)
    exploration = explore(system)
    samples = [enc.values(exploration.worlds[k]) for k in range(exploration.states)]
    lemmas = [good, *[lemma.formula(enc.cur) for lemma in houdini.candidates(enc, samples)]]
    pruned = houdini.houdini(enc, lemmas, 120, goal=0)
    assert pruned.complete and 0 in pruned.alive
    return enc, good, lemmas, pruned.alive


def _assert_minimal(enc: Encoding, good: z3.BoolRef, lemmas: Sequence[z3.BoolRef]) -> None:
    """``lemmas`` re-check, and without any one of them they do not."""
    assert certify.validate(enc, good, lemmas).ok
    for k in range(len(lemmas)):
        dropped = certify.validate(enc, good, [f for j, f in enumerate(lemmas) if j != k])
        assert not dropped.ok and not dropped.undecided, (k, lemmas[k])


def test_the_minimised_support_re_checks_and_is_minimal() -> None:
    enc, good, lemmas, alive = _toy()
    inductive = [lemmas[k] for k in alive]
    found = minimise(enc, good, inductive)
    assert found.minimal and found.detail == "" and found.checks > 0 and found.seconds >= 0
    assert found.kept == sorted(set(found.kept)) and set(found.kept) <= set(range(len(inductive)))
    assert 1 < len(found.kept) < len(inductive)  # the property alone is not inductive; most survivors are not needed
    _assert_minimal(enc, good, [inductive[k] for k in found.kept])
    cores = houdini.support(enc, lemmas, alive, 0, 120)  # the unsat-core support is no smaller
    assert len(found.kept) <= len(cores)


def test_kept_lemmas_stay_and_a_non_certificate_is_returned_whole() -> None:
    enc, good, lemmas, alive = _toy()
    inductive = [lemmas[k] for k in alive]
    free = minimise(enc, good, inductive)
    spare = next(k for k in range(len(inductive)) if k not in free.kept)
    pinned = minimise(enc, good, inductive, keep=[spare])
    assert spare in pinned.kept and certify.validate(enc, good, [inductive[k] for k in pinned.kept]).ok
    alone = minimise(enc, good, [good])  # not inductive: nothing to minimise
    assert not alone.minimal and alone.kept == [0] and "not a certificate" in alone.detail
    late = minimise(enc, good, inductive, timeout=0.0)  # no time: the input, said not to be minimal
    assert not late.minimal and late.kept == list(range(len(inductive))) and "time limit" in late.detail


def _shipped(sid: str, pid: str) -> tuple[ledger.Entry, Encoding, z3.BoolRef, list[z3.BoolRef]]:
    entry = ledger.load()[(sid, pid)]
    _, enc, good, lemmas = ledger._read(entry, SCENARIOS[sid])
    return entry, enc, good, lemmas


@pytest.mark.parametrize(("sid", "pid"), [("m200", "supi_never_on_air"), ("m300.panf_udm", "pruk_stays_home")])
def test_a_shipped_spacer_certificate_is_already_minimal(sid: str, pid: str) -> None:
    _, enc, good, lemmas = _shipped(sid, pid)
    found = minimise(enc, good, lemmas)
    assert found.minimal and found.kept == list(range(len(lemmas)))
    _assert_minimal(enc, good, lemmas)


def test_minimised_refuses_a_stale_entry_and_keeps_the_fingerprint() -> None:
    import dataclasses

    entry = ledger.load()[("m200", "supi_never_on_air")]
    stale = ledger.minimised(dataclasses.replace(entry, fingerprint="0" * 64), SCENARIOS["m200"])
    assert stale.entry is None and stale.why.startswith("stale")
    for table in (True, False):  # a short certificate: the table makes no difference
        found = ledger.minimised(entry, SCENARIOS["m200"], table=table)
        assert found.entry is not None and found.minimal and found.after == found.before == len(entry.certificate)
        assert found.entry.fingerprint == entry.fingerprint and ledger.validate(found.entry, SCENARIOS["m200"]).ok
        assert found.entry.certificate == entry.certificate


@pytest.mark.slow
@pytest.mark.parametrize("sid", ["m300.ausf_udm", "m300.panf_udm", "m400.ausf_udm", "m600.after.panf_udm"])
def test_the_shipped_houdini_certificates_are_minimal(sid: str) -> None:
    """The ledger's Houdini supports (cut by ``prove --minimise-saved``): no lemma can go (about a
    minute of CPU each: one re-check per lemma)."""
    _, enc, good, lemmas = _shipped(sid, "knr_only_after_authorization")
    _assert_minimal(enc, good, lemmas)
    assert minimise(enc, good, lemmas).kept == list(range(len(lemmas)))


def test_prove_minimise_saved_cuts_a_ledger_entry_and_refuses_a_stale_one(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Two inductive invariants together are a certificate with spare lemmas: ``--minimise-saved``
    keeps a minimal part of it (re-checked, fingerprint kept); a stale entry is left alone (exit 22)."""
    import dataclasses

    from prosecheck.cli import main

    shipped = ledger.load()
    home, supi = shipped[("m200", "pruk_stays_home")], shipped[("m200", "supi_never_on_air")]
    padded = dataclasses.replace(home, certificate=home.certificate + supi.certificate)
    stale = dataclasses.replace(supi, fingerprint="0" * 64)
    path = tmp_path / "proofs.json"
    ledger.save({home.key(): padded, supi.key(): stale}, path)
    assert ledger.validate(padded, SCENARIOS["m200"]).ok
    assert main(["prove", "--minimise-saved", "m200", "--ledger", str(path)]) == 22
    out = capsys.readouterr().out
    assert f"m200 pruk_stays_home: {len(padded.certificate)} -> {len(home.certificate)} lemmas (minimal;" in out
    assert "m200 supi_never_on_air: not minimised: stale" in out
    written = ledger.load(path)
    assert written[home.key()].certificate == home.certificate and written[home.key()].fingerprint == home.fingerprint
    assert written[supi.key()] == stale
    assert main(["prove", "--minimise-saved", "m200", "--save"]) == 2  # it proves nothing, so nothing to --save


# ---- table lemmas (checker/symbolic/tables.py) ------------------------------------------------------

def _toy_table() -> tuple[Encoding, z3.BoolRef, list[z3.BoolRef], tables.Table]:
    """The ping-pong toy's inductive survivors and the table of its reachable control combinations."""
    enc, good, lemmas, alive = _toy()
    system = toy.ping_pong(3)
    exploration = explore(system)
    table = tables.sampled(enc, [enc.values(exploration.worlds[k]) for k in range(exploration.states)])
    return enc, good, [lemmas[k] for k in alive], table


def test_a_sampled_table_re_checks_and_reads_back() -> None:
    enc, good, inductive, table = _toy_table()
    names = {enc.names[p] for p in table.positions}
    assert names == {"pinger.state", "ponger.state", "pinger->ponger.len", "pinger->ponger[0].msg",
                     "ponger->pinger.len", "ponger->pinger[0].msg"}
    assert len(table.rows) > 2
    assert certify.validate(enc, good, [table.formula(enc.cur), *inductive]).ok
    text = certify.to_text([table.formula(enc.cur)])
    assert len(text) == 1 and "\n" not in text[0]  # one lemma, one line
    assert tables.read(enc, certify.parse(enc, text)[0]) == table
    assert tables.widen(enc, table, inductive, time.process_time() + 60) == table  # reachable rows are closed


def test_a_table_without_a_reachable_row_is_refused() -> None:
    """Each row is a reachable combination: a table without it is no invariant, and validate says so."""
    enc, good, inductive, table = _toy_table()
    for k in range(len(table.rows)):
        cut = tables.Table(table.positions, table.rows[:k] + table.rows[k + 1:])
        found = certify.validate(enc, good, [cut.formula(enc.cur), *inductive])
        assert not found.ok and not found.undecided, k
        assert found.reason.startswith(("initiation", "consecution"))


def test_widening_adds_the_rows_a_step_reaches() -> None:
    """A table with only the initial combination grows back, by steps from its rows, to a superset
    of the reachable ones that re-checks."""
    enc, good, inductive, table = _toy_table()
    system = toy.ping_pong(3)
    start = tables.sampled(enc, [enc.values(system.initial())])
    assert len(start.rows) == 1
    grown = tables.widen(enc, start, inductive, time.process_time() + 60)
    assert grown is not None and set(table.rows) <= set(grown.rows)
    assert certify.validate(enc, good, [grown.formula(enc.cur), *inductive]).ok


def test_shrink_with_a_table_is_a_minimal_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    enc, good, inductive, table = _toy_table()
    system = toy.ping_pong(3)
    exploration = explore(system)

    def samples() -> list[list[int]]:
        return [enc.values(exploration.worlds[k]) for k in range(exploration.states)]

    monkeypatch.setattr(tables, "SMALL", len(inductive))  # few enough lemmas: no table tried
    plain = tables.shrink(enc, good, inductive, samples)
    assert plain.rows == 0 and not plain.table_kept and plain.minimal
    monkeypatch.setattr(tables, "SMALL", 0)
    found = tables.shrink(enc, good, inductive, samples)
    assert found.minimal and found.rows == len(table.rows) and found.widened == 0
    _assert_minimal(enc, good, found.lemmas)
    if found.table_kept:
        assert tables.read(enc, found.lemmas[-1]) == table


def test_a_table_in_words_names_the_models_states_and_messages() -> None:
    enc, _, _, table = _toy_table()
    said = describe_table(enc, table)
    assert said.startswith(f"the control states and link contents are one of {len(table.rows)} combinations")
    rows = said.split(": ", 1)[1].split("; ")
    assert len(rows) == len(table.rows) and all(r.startswith(f"({n})") for n, r in enumerate(rows, 1))
    states = {f"{inst.name} in {s}" for inst in enc.system.instances for s in inst.table.state_ids}
    for phrase in re.findall(r"\b(\w+ in \w+)", said):
        if not phrase.startswith("one "):
            assert phrase in states, phrase
    for message in re.findall(r"holds (\w+)", said):
        assert message in enc.messages


SHIPPED_TABLES = ["m300.ausf_udm", "m300.panf_udm", "m400.ausf_udm", "m600.after.panf_udm"]


@pytest.mark.parametrize("sid", SHIPPED_TABLES)
def test_the_shipped_houdini_certificates_carry_a_table_and_at_most_20_lemmas(sid: str) -> None:
    entry, enc, good, lemmas = _shipped(sid, "knr_only_after_authorization")
    read = [tables.read(enc, f) for f in lemmas]
    found = [t for t in read if t is not None]
    assert len(found) == 1 and len(lemmas) <= 20
    said = ledger.certificate_words(entry, SCENARIOS[sid])
    assert said[read.index(found[0])].startswith("the control states and link contents are one of")
    assert entry.invariant == tuple(said)


def test_the_shipped_table_without_a_reachable_row_is_refused() -> None:
    """The first, a middle and the last row of m300.ausf_udm's table (all rows: slow tier)."""
    _, enc, good, lemmas = _shipped("m300.ausf_udm", "knr_only_after_authorization")
    at = next(k for k, f in enumerate(lemmas) if tables.read(enc, f) is not None)
    table = tables.read(enc, lemmas[at])
    assert table is not None
    for k in sorted({0, len(table.rows) // 2, len(table.rows) - 1}):
        _refused_without_row(enc, good, lemmas, at, table, k)


def _refused_without_row(enc: Encoding, good: z3.BoolRef, lemmas: Sequence[z3.BoolRef], at: int, table: tables.Table,
                         k: int) -> None:
    cut = tables.Table(table.positions, table.rows[:k] + table.rows[k + 1:])
    found = certify.validate(enc, good, [*lemmas[:at], cut.formula(enc.cur), *lemmas[at + 1:]])
    assert not found.ok and not found.undecided, k


@pytest.mark.slow
@pytest.mark.parametrize("sid", SHIPPED_TABLES)
def test_every_row_of_a_shipped_table_is_needed(sid: str) -> None:
    _, enc, good, lemmas = _shipped(sid, "knr_only_after_authorization")
    at = next(k for k, f in enumerate(lemmas) if tables.read(enc, f) is not None)
    table = tables.read(enc, lemmas[at])
    assert table is not None
    for k in range(len(table.rows)):
        _refused_without_row(enc, good, lemmas, at, table, k)


def test_a_table_over_other_variables_names_them() -> None:
    """A lemma of the table shape over variables that are not control variables reads as that tuple."""
    enc, _, _, _ = _toy_table()
    count, last = enc.names.index("pinger.count"), enc.names.index("ponger.last")
    table = tables.Table((count, last), ((0, 0), (1, 0), (1, 1)))
    read = tables.read(enc, certify.parse(enc, certify.to_text([table.formula(enc.cur)]))[0])
    assert read == table
    assert describe_table(enc, table) == ("(pinger.count, ponger.last) is one of 3 combinations, each given by what "
                                          "differs from pinger.count = 1, ponger.last = 0: (1) pinger.count = 0; "
                                          "(2) as said; (3) ponger.last = 1")
    assert tables.read(enc, z3.Or(enc.cur[count] == 1, enc.cur[last] == 2)) is None  # not rows of one shape


def test_a_houdini_proof_tries_a_table_and_ends_minimal(monkeypatch: pytest.MonkeyPatch) -> None:
    """prove's Houdini path (table tried even for a short support here): PROVED with a certificate
    that re-checks and is minimal, its words one line per lemma."""
    from prosecheck import prove

    enc, good, _, _ = _toy_table()
    exploration = explore(toy.ping_pong(3))
    samples = [enc.values(exploration.worlds[k]) for k in range(exploration.states)]
    monkeypatch.setattr(tables, "SMALL", 0)
    found = prove._houdini(enc, good, samples, 120)
    assert found.verdict == "PROVED" and "minimal" in found.detail and "not shown minimal" not in found.detail
    _assert_minimal(enc, good, found.lemmas)
    assert len(found.lines) == len(found.lemmas)
