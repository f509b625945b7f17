"""The proof ledger: fingerprints follow the model (never the source files), certificates are
re-checked before anything is shown as proved, stale or contradicted entries are never shown, the
shipped ledger is current and re-checks, and ``prove --save`` feeds what ``check`` shows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prosecheck import ledger
from prosecheck.cli import main
from prosecheck.ledger import LEDGER, Entry, Validations, apply, fingerprints, load, record, save, validate
from prosecheck.prove import ProofResult
from prosecheck.report.json_out import scenario_json
from prosecheck.report.text import verdict_table
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario

HOME, SUPI, AUTH = "pruk_stays_home", "supi_never_on_air", "knr_only_after_authorization"


def _fp(scenario_id: str, pid: str = HOME, **bounds: object) -> str:
    scenario = SCENARIOS[scenario_id]
    return fingerprints(scenario.with_bounds(**bounds) if bounds else scenario, [pid])[pid]


HOME_CERTIFICATE = ("(= ghost.amf_learned_key #x0000)", "(= ghost.relay_learned_key #x0000)")
"""Spacer's inductive invariant for pruk_stays_home (the same in every scenario)."""


def _entry(sid: str, pid: str, fingerprint: str, certificate: tuple[str, ...] = HOME_CERTIFICATE) -> Entry:
    return Entry(sid, pid, "spacer", 1.0, fingerprint, ("ghost.x == 0",), certificate=certificate)


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
    monkeypatch.setattr(ledger, "checking_digest", lambda: "another encoding")
    assert _fp("m200") == base  # the checking code keys only the cache of re-check outcomes


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


def _proof(sid: str, pid: str, verdict: str, certificate: tuple[str, ...] = HOME_CERTIFICATE) -> ProofResult:
    proved = verdict == "PROVED"
    return ProofResult(sid, pid, verdict, "spacer", 2.5, "unbounded", ["a"], ["inv"] if proved else [],
                       certificate=list(certificate) if proved else [])


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
    assert book[("m200", HOME)].certificate == HOME_CERTIFICATE
    path = tmp_path / "ledger.json"
    save(book, path)
    first = path.read_text()
    assert load(path) == book
    save(load(path), path)
    assert path.read_text() == first  # deterministic
    doc = json.loads(first)
    assert [(e["scenario"], e["property"]) for e in doc["proofs"]] == sorted(book)


@pytest.mark.slow  # re-checks every certificate (about 6 s): in the full suite, out of the edit loop
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
    invalid = [(e.key(), why) for e in shipped.values()
               for why in [validate(e, SCENARIOS[e.scenario]).reason] if why]
    assert not invalid, f"certificates that do not re-check: {invalid}"


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
    ('{"format": 0, "proofs": []}', 'field format: 2 was expected'),
    ('{"format": 2, "proofs": [{"scenario": "m200"}]}', "field proofs[0]: 'certificate' is a required property"),
])
def test_a_broken_ledger_is_one_line_before_any_work(tmp_path: Path, text: str, message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    assert main(["check", "m200", "--quiet", "--ledger", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


# ---- certificates ----------------------------------------------------------------------------------

AUTH_ALONE = "knr_only_after_authorization holds, but is not inductive on its own (Houdini needs ~300 lemmas)"


@pytest.mark.parametrize("certificate, reason", [
    (("true",), "implication: it does not imply the property"),
    (("(= ghost.amf_learned_key #x0000)",), "implication"),  # half of it
    (("(= ghost.amf_learned_key #x0001)", "(= ghost.relay_learned_key #x0000)"), "initiation"),
    (("(= no.such.variable #x0000)",), "lemma 1 does not read as a formula"),
    (("(= ghost.amf_learned_key",), "lemma 1 does not read as a formula"),
])
def test_a_certificate_that_is_not_a_proof_is_not_shown_as_proved(certificate: tuple[str, ...], reason: str) -> None:
    result = check_scenario(SCENARIOS["m200"], [HOME])
    reading = apply([result], {("m200", HOME): _entry("m200", HOME, _fp("m200"), certificate)})
    assert not reading.shown and result.properties[HOME].proved_by is None
    [(entry, why)] = reading.invalid
    assert reason in why and entry.property == HOME
    [line] = reading.lines(LEDGER)
    assert f"the ledger's proof of {HOME} in m200 does not re-check ({why})" in line


def test_a_property_that_is_not_inductive_alone_is_refused_by_consecution() -> None:
    scenario = SCENARIOS["m300.panf_udm"]
    from prosecheck.model.build import bind_property
    from prosecheck.properties.catalog import PROPERTIES
    from prosecheck.prove import symbolic_system

    system, enc = symbolic_system(scenario, True, False)
    good = enc.prop(bind_property(system, PROPERTIES[AUTH]).expr, enc.cur)
    entry = Entry(scenario.id, AUTH, "houdini", 1.0, _fp(scenario.id, AUTH), certificate=(good.sexpr(),))
    found = validate(entry, scenario)
    assert not found.ok and found.reason.startswith("consecution: rule "), AUTH_ALONE


def test_re_check_outcomes_are_cached_under_the_checking_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _entry("m200", HOME, _fp("m200"))
    first = Validations(tmp_path)
    assert first.check(entry, SCENARIOS["m200"]).ok
    first.save()
    calls: list[str] = []
    monkeypatch.setattr(ledger, "validate", lambda e, s: calls.append(e.scenario))  # type: ignore[arg-type,return-value]
    assert Validations(tmp_path).check(entry, SCENARIOS["m200"]).ok and not calls  # from the cache
    monkeypatch.setattr(ledger, "checking_digest", lambda: "edited")
    with pytest.raises(AttributeError):  # a cache miss re-checks (here: the stub returns None)
        Validations(tmp_path).check(entry, SCENARIOS["m200"]).ok  # noqa: B018
    assert calls == ["m200"]
    (tmp_path / ledger.VALIDATIONS_FILE).write_text("[not json")
    assert Validations(tmp_path).known == {}  # a damaged cache is ignored


@pytest.mark.slow
def test_a_docstring_edit_under_checker_leaves_every_proof_current(tmp_path: Path) -> None:
    """The package copied, a docstring under checker/ edited: every shipped entry keeps its
    fingerprint, and a sample of certificates still re-checks."""
    copy = tmp_path / "prosecheck"
    shutil.copytree(Path(ledger.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("checker/expr.py", "checker/symbolic/encode.py", "prove.py"):
        path = copy / name
        text = path.read_text()
        path.write_text(text.replace('"""', '"""Edited. ', 1))
    script = (
        "import json, prosecheck, prosecheck.ledger as L\n"
        "from prosecheck.scenarios.catalog import SCENARIOS\n"
        f"assert prosecheck.__file__.startswith({str(tmp_path)!r}), prosecheck.__file__\n"
        "book = L.load()\n"
        "stale = [k for k, e in book.items() if L.fingerprints(SCENARIOS[e.scenario], [e.property]).get(e.property)"
        " != e.fingerprint]\n"
        "sample = sorted(book)[::max(1, len(book) // 4)]\n"
        "bad = [k for k in sample if not L.validate(book[k], SCENARIOS[k[0]]).ok]\n"
        "print(json.dumps({'count': len(book), 'stale': stale, 'bad': bad}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    found = json.loads(out.stdout)
    assert found == {"count": len(load(LEDGER)), "stale": [], "bad": []}
