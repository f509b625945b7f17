"""Certificates for HOLDS: every small default scenario's reachable set is confirmed by the
independent checker; tampered certificates are refuted; malformed ones are input errors."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import pytest

from prosecheck.certificate import check_certificate, write_certificate
from prosecheck.cli import main
from prosecheck.cli.certify_cmd import EXIT_REFUTED
from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS, SCENARIOS
from prosecheck.verify import check_scenario


def _certify(scenario, directory: Path) -> Path:
    return write_certificate(check_scenario(scenario, keep_exploration=True, replay=False), str(directory))


@pytest.mark.parametrize("sid", [s.id for s in DEFAULT_SCENARIOS])
def test_every_default_scenario_has_a_confirmed_certificate(tmp_path, check_once, sid):
    """The certificate of the session's shared check (tests/conftest.py: it keeps a default scenario's
    exploration), written, read back and decided by the independent checker (lossy links and their
    quiet-network timers included: the shared product models them)."""
    verdict = check_certificate(str(write_certificate(check_once(sid), str(tmp_path))))
    assert verdict.confirmed, verdict.problems  # the counts are the search's too (a claim the checker checks)


def test_losses_and_duplicates_are_in_the_independent_product(tmp_path):
    """A lossy scenario with duplication is confirmed, and the worlds only a lost or duplicated message
    reaches cannot be left out: the independent product reaches them itself."""
    base = SCENARIOS["m200@lossy_links_pc5"]
    scenario = replace(base, id=base.id + "_dup", threats=replace(base.threats, duplication=True))
    path = _certify(scenario, tmp_path)
    assert check_certificate(str(path)).confirmed
    with gzip.open(path, "rt") as f:
        doc = json.load(f)
    at = doc["variables"].index("ghost.link_faults")
    doc["worlds"] = [w for w in doc["worlds"] if w[at] == 0]
    doc["claims"]["states"] = len(doc["worlds"])
    verdict = check_certificate(_write(doc, tmp_path / "no-faults.cert.json.gz"))
    assert not verdict.confirmed and any("not closed" in p for p in verdict.problems), verdict.problems


def test_two_remote_ues_and_a_mutant_are_certified_too(tmp_path):
    scenario = SCENARIOS["m300.ausf_udm"].with_bounds(remote_ues=2, attempts=1, withdrawals=1, restores=0)
    assert check_certificate(str(_certify(scenario.with_mutants("udm_silent_on_denial"), tmp_path))).confirmed


@pytest.fixture(scope="module")
def m300(tmp_path_factory, check_once) -> dict:
    path = write_certificate(check_once("m300.panf_udm"), str(tmp_path_factory.mktemp("cert")))
    with gzip.open(path, "rt") as f:
        return json.load(f)


def _write(doc: dict, path: Path) -> str:
    with gzip.open(path, "wt") as f:
        json.dump(doc, f)
    return str(path)


def _drop_world(doc: dict) -> None:
    del doc["worlds"][len(doc["worlds"]) // 2]
    doc["claims"]["states"] -= 1


def _drop_initial(doc: dict) -> None:
    del doc["worlds"][0]


def _flip_ghost(doc: dict) -> None:
    at = doc["variables"].index("ghost.knr_derived")
    doc["worlds"][1][at] = 7


def _claim_deadlock(doc: dict) -> None:
    doc["claims"]["verdicts"]["deadlock_free"] = "VIOLATED"


def _claim_violated(doc: dict) -> None:
    doc["claims"]["verdicts"]["knr_only_after_authorization"] = "VIOLATED"


def _counts(doc: dict) -> None:
    doc["claims"]["transitions"] += 1


def _other_scenario(doc: dict) -> None:
    doc["scenario"], doc["procedure"], doc["options"] = "m200", "m200", {"check": 0}


@pytest.mark.parametrize("tamper", [_drop_world, _drop_initial, _flip_ghost, _claim_violated,
                                    _claim_deadlock, _counts, _other_scenario])
def test_a_tampered_certificate_is_refuted(capsys, tmp_path, m300, tamper):
    doc = json.loads(json.dumps(m300))
    tamper(doc)
    path = _write(doc, tmp_path / "x.cert.json.gz")
    assert main(["certify", path]) == EXIT_REFUTED
    assert capsys.readouterr().out.startswith("REFUTED")


def test_a_certificate_of_a_violated_invariant_must_show_the_violation(tmp_path, check_once):
    verdict = check_certificate(str(write_certificate(check_once("m200"), str(tmp_path))))
    assert verdict.confirmed  # m200 claims knr_only_after_authorization VIOLATED, and the set shows it
    doc_path = tmp_path / "m200.cert.json.gz"
    with gzip.open(doc_path, "rt") as f:
        doc = json.load(f)
    doc["claims"]["verdicts"]["knr_only_after_authorization"] = "HOLDS"
    assert not check_certificate(_write(doc, doc_path)).confirmed


def test_check_certify_writes_and_confirms(capsys, tmp_path):
    code = main(["check", "m300.panf_udm", "--certify", str(tmp_path), "--quiet", "--table"])
    err = capsys.readouterr().err
    assert code == 0 and "confirmed" in err and (tmp_path / "m300.panf_udm.cert.json.gz").exists()


def test_no_certificate_after_a_cut_search(capsys, tmp_path):
    code = main(["check", "m300.panf_udm", "--certify", str(tmp_path), "--max-states", "100", "--quiet", "--table"])
    assert code == 22 and "no certificate" in capsys.readouterr().err and not list(tmp_path.iterdir())


@pytest.mark.parametrize("content, message", [(None, "no such file"), (b"plain text", "not a gzip file"),
                                              (gzip.compress(b"[1]", mtime=0), "is not of type 'object'")])
def test_malformed_certificates_are_input_errors(capsys, tmp_path, content, message):
    path = tmp_path / "c.gz"
    if content is not None:
        path.write_bytes(content)
    assert main(["certify", str(path)]) == 2
    assert message in capsys.readouterr().err
