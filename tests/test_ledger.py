"""The proof ledger: fingerprints follow the model, stale or contradicted entries are never shown,
the shipped ledger is current, and ``prove --save`` feeds what ``check`` shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prosecheck import ledger
from prosecheck.cli import main
from prosecheck.ledger import LEDGER, Entry, apply, fingerprints, load, record, save
from prosecheck.model.scenarios import SCENARIOS
from prosecheck.prove import ProofResult
from prosecheck.report.json_out import scenario_json
from prosecheck.report.text import verdict_table
from prosecheck.verify import check_scenario

HOME, SUPI, AUTH = "pruk_stays_home", "supi_never_on_air", "knr_only_after_authorization"


def _fp(scenario_id: str, pid: str = HOME, **bounds: object) -> str:
    scenario = SCENARIOS[scenario_id]
    return fingerprints(scenario.with_bounds(**bounds) if bounds else scenario, [pid])[pid]


def _entry(sid: str, pid: str, fingerprint: str) -> Entry:
    return Entry(sid, pid, "spacer", 1.0, fingerprint, ("ghost.x == 0",))


def test_the_fingerprint_follows_what_the_proof_is_about(monkeypatch: pytest.MonkeyPatch) -> None:
    base = _fp("m200")
    assert base == _fp("m200")  # deterministic
    mutant = SCENARIOS["m200"].with_mutants("relay_stale_nonce_2")
    assert fingerprints(mutant, [HOME])[HOME] != base  # a changed model
    assert _fp("m300.panf_udm") != base  # another scenario
    assert _fp("m200", SUPI) != base  # another property
    assert _fp("m200", link_capacity=2) != base  # a bound the proof keeps
    assert _fp("m200", remote_ues=2) != base
    # bounds the proof lifts (attempts free in 1..14, budget counters havocked) do not matter
    assert _fp("m200", attempts=1, withdrawals=1, restores=0, policy_triggers=3) == base
    monkeypatch.setattr(ledger, "sources_digest", lambda: "another encoding")
    assert _fp("m200") != base  # a changed encoding or engine re-opens the proof


def test_properties_that_prove_cannot_state_have_no_fingerprint() -> None:
    found = fingerprints(SCENARIOS["m200"], [HOME, "attempt_ends", "old_pruk_replaced", "nosuch"])
    assert set(found) == {HOME}  # 'eventually', not applicable to m200, unknown


def test_a_wrong_fingerprint_is_not_shown_as_proved() -> None:
    result = check_scenario(SCENARIOS["m200"], [HOME, SUPI, AUTH])
    entries = {(e.scenario, e.property): e for e in (
        _entry("m200", HOME, _fp("m200")),
        _entry("m200", SUPI, "0" * 64),  # stale
        _entry("m200", AUTH, _fp("m200", AUTH)),  # current, but the search finds a violation
    )}
    reading = apply([result], entries)
    assert [e.property for e in reading.shown] == [HOME]
    assert [e.property for e in reading.stale] == [SUPI]
    assert [e.property for e in reading.contradicted] == [AUTH]
    props = result.properties
    assert props[HOME].proved_by is not None and props[SUPI].proved_by is None and props[AUTH].proved_by is None
    row = next(line for line in verdict_table([result]).splitlines() if line.startswith("m200 "))
    assert row.split()[3:6] == ["proved", "holds", "VIOLATED"]  # HOME, SUPI, AUTH (the order asked)
    lines = reading.lines(LEDGER)
    assert len(lines) == 2 and "1 proof(s) in the ledger are stale" in lines[0]
    assert lines[0].endswith(f"refresh: prosecheck prove --save m200 --property {SUPI}")
    assert "contradicts the search's violation" in lines[1]
    doc = scenario_json(result)["properties"]
    assert isinstance(doc, dict)
    assert doc[HOME]["proof"] == "unbounded" and doc[HOME]["proved_by"]["engine"] == "spacer"
    assert doc[SUPI]["proof"] == "bounded" and "proved_by" not in doc[SUPI]
    assert doc[AUTH]["proof"] == "bounded"


def test_a_variant_of_a_named_scenario_is_not_called_stale() -> None:
    """A bound override that the proof does not lift is another system, not a stale proof."""
    result = check_scenario(SCENARIOS["m200"].with_bounds(link_capacity=2), [HOME])
    reading = apply([result], {("m200", HOME): _entry("m200", HOME, _fp("m200"))})
    assert not reading.shown and not reading.stale and result.properties[HOME].proved_by is None


def _proof(sid: str, pid: str, verdict: str) -> ProofResult:
    return ProofResult(sid, pid, verdict, "spacer", 2.5, "unbounded", ["a"], ["inv"] if verdict == "PROVED" else [])


def test_record_merges_replaces_and_removes(tmp_path: Path) -> None:
    m200, other = SCENARIOS["m200"], ("m300.panf_udm", HOME)
    book = {other: _entry(*other, "f"), ("m200", SUPI): _entry("m200", SUPI, "stale"),
            ("m200", AUTH): _entry("m200", AUTH, _fp("m200", AUTH)),
            ("m200", "knr_agreement"): _entry("m200", "knr_agreement", _fp("m200", "knr_agreement"))}
    update = record(book, m200, [_proof("m200", HOME, "PROVED"), _proof("m200", SUPI, "UNKNOWN"),
                                 _proof("m200", AUTH, "VIOLATED"), _proof("m200", "knr_agreement", "UNKNOWN")])
    assert update.recorded == [("m200", HOME)]
    assert update.removed == [("m200", SUPI), ("m200", AUTH)]  # stale and UNKNOWN; VIOLATED
    assert update.kept == [("m200", "knr_agreement")]  # current: a time-out does not undo a proof
    assert set(book) == {other, ("m200", HOME), ("m200", "knr_agreement")}
    assert book[("m200", HOME)].fingerprint == _fp("m200") and book[("m200", HOME)].invariant == ("inv",)
    path = tmp_path / "ledger.json"
    save(book, path)
    first = path.read_text()
    assert load(path) == book
    save(load(path), path)
    assert path.read_text() == first  # deterministic
    doc = json.loads(first)
    assert [(e["scenario"], e["property"]) for e in doc["proofs"]] == sorted(book)


def test_the_shipped_ledger_is_current(tmp_path: Path) -> None:
    """Every entry of prosecheck/data/proofs.json names a scenario and its current fingerprint
    (fingerprints only; regenerate with the command in docs/prove.md)."""
    shipped = load(LEDGER, missing_ok=False)
    assert shipped, "the shipped ledger is empty"
    by_scenario: dict[str, list[Entry]] = {}
    for e in shipped.values():
        assert e.scenario in SCENARIOS, f"{e.scenario}: no such scenario"
        by_scenario.setdefault(e.scenario, []).append(e)
    stale = [(sid, e.property) for sid, entries in by_scenario.items()
             for e, fp in [(e, fingerprints(SCENARIOS[sid], [e.property]).get(e.property)) for e in entries]
             if fp != e.fingerprint]
    assert not stale, f"stale proofs (run: {ledger.REGENERATE}): {stale}"
    save(shipped, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == LEDGER.read_text()  # as 'prove --save' writes it


def test_prove_save_then_check_shows_the_proof(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "proofs.json"
    assert main(["prove", "m200", "--property", HOME, "--save", "--ledger", str(path)]) == 0
    assert "1 recorded, 0 removed" in capsys.readouterr().err
    entry = load(path)[("m200", HOME)]
    assert entry.engine == "spacer" and entry.fingerprint == _fp("m200") and entry.invariant
    assert main(["check", "m200", "--json", "--quiet", "--ledger", str(path)]) == 0
    props = json.loads(capsys.readouterr().out)["results"][0]["properties"]
    assert props[HOME]["proof"] == "unbounded" and props[HOME]["proved_by"]["fingerprint"] == entry.fingerprint
    assert props[SUPI]["proof"] == "bounded" and props["old_pruk_replaced"]["proof"] is None
    assert main(["check", "m200", "--table", "--quiet", "--ledger", str(path)]) == 0
    out, err = capsys.readouterr()
    row = next(line for line in out.splitlines() if line.startswith("m200 "))
    assert row.split()[6:8] == ["proved", "holds"] and not err  # HOME, SUPI


@pytest.mark.parametrize("argv, message", [
    (["prove", "m200", "--ledger", "x.json"], "--ledger PATH names the ledger that --save writes"),
    (["prove", "m200", "--save", "--bounded"], "--save records proofs without bounds"),
    (["prove", "m300.panf_udm", "--save", "--link-capacity", "2"],
     "--link-capacity changes a bound the proof does not lift"),
    (["prove", "m300.panf_udm", "--save", "--remote-ues", "2"], "--remote-ues changes a bound the proof does not lift"),
    (["check", "m200", "--ledger", "/nonexistent/proofs.json"], "ledger /nonexistent/proofs.json: no such file"),
])
def test_ledger_bad_input(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("text, message", [
    ("{", "bad.json:1:2: not JSON"),
    ('{"format": 0, "proofs": []}', 'field format: 1 was expected'),
    ('{"format": 1, "proofs": [{"scenario": "m200"}]}', "field proofs[0]: 'engine' is a required property"),
])
def test_a_broken_ledger_is_one_line_before_any_work(tmp_path: Path, text: str, message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    assert main(["check", "m200", "--quiet", "--ledger", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
