"""Minimal inductive supports (checker/symbolic/minimise.py): a subset that re-checks as a
certificate (``certify.validate``) and loses that as soon as any one lemma is dropped."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import z3

from prosecheck import ledger
from prosecheck.checker.expr import W
from prosecheck.checker.search import explore
from prosecheck.checker.symbolic import certify, houdini
from prosecheck.checker.symbolic.encode import Encoding
from prosecheck.checker.symbolic.minimise import minimise
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
    found = ledger.minimised(entry, SCENARIOS["m200"])
    assert found.entry is not None and found.minimal and found.after == found.before == len(entry.certificate)
    assert found.entry.fingerprint == entry.fingerprint and ledger.validate(found.entry, SCENARIOS["m200"]).ok


@pytest.mark.slow
@pytest.mark.parametrize("sid", ["m300.ausf_udm", "m300.panf_udm"])
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
