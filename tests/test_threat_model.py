"""The threat model as a scenario parameter: parsing, ids, validation, and where it is printed."""

from __future__ import annotations

import json
import re

import pytest

from prosecheck.checker.expr import evaluate
from prosecheck.checker.machine import ModelError
from prosecheck.cli import main as run
from prosecheck.model.build import elements_of, links_of, options_of
from prosecheck.model.elements.attacker import Pc5Attacker
from prosecheck.model.environment import THREATS, ThreatModel, attacker_on_pc5, parse_threat
from prosecheck.model.pc5 import ATTACKER, ATTACKER_ON_PATH
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import SCENARIOS


def test_parse_threat_gives_field_changes() -> None:
    assert parse_threat("pc5_attacker") == {"pc5_attacker": 1}
    assert parse_threat("pc5_attacker=3") == {"pc5_attacker": 3}
    assert parse_threat("malicious_relay") == {"malicious_relay": True}
    assert parse_threat("lossy_links") == {"lossy_links": ("pc5", "nas", "sbi"), "duplication": False}
    assert parse_threat("lossy_links:pc5,sbi=2") == {"lossy_links": ("pc5", "sbi"), "link_faults": 2,
                                                     "duplication": False}
    assert parse_threat("lossy_links:pc5+dup") == {"lossy_links": ("pc5",), "duplication": True}


@pytest.mark.parametrize("text, problem", [
    ("dolev_yao", "unknown threat model"),
    ("malicious_relay=2", "takes no bound"),
    ("leaked_old_pruk:pc5", "takes no link kinds"),
    ("pc5_attacker=x", "must be a number"),
    ("malicious_relay+dup", "takes no '+dup'"),
    ("lossy_links+dup:pc5", "'+dup' comes last"),
])
def test_parse_threat_rejects_bad_text(text: str, problem: str) -> None:
    with pytest.raises(ModelError, match=re.escape(problem)):
        parse_threat(text)


def test_threat_scenario_ids_and_names() -> None:
    base = SCENARIOS["m300.panf_udm"]
    assert base.threats.name() == "honest"
    both = base.with_threats(pc5_attacker=2, leaked_old_pruk=True)
    assert both.id == "m300.panf_udm@pc5_attacker+leaked_old_pruk"
    assert both.with_threats(pc5_attacker=0, leaked_old_pruk=False).id == "m300.panf_udm"
    assert "PC5 attacker (2 injection(s)/replay(s))" in both.threats.summary()


@pytest.mark.parametrize("threats, problem", [
    (ThreatModel(pc5_attacker=15), "pc5_attacker must be an integer in 0..14"),
    (ThreatModel(lossy_links=("air",)), "unknown link kind 'air'"),
    (ThreatModel(lossy_links=("pc5", "pc5")), "names a link kind twice"),
    (ThreatModel(link_faults=0), "link_faults must be an integer in 1..14"),
])
def test_threat_model_validation(threats: ThreatModel, problem: str) -> None:
    with pytest.raises(ModelError, match=problem):
        threats.validate()


def test_bad_threat_on_the_command_line_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "m200", "--threat", "eavesdropper"]) == 2
    err = capsys.readouterr().err
    assert "--threat: unknown threat model 'eavesdropper'" in err and "Traceback" not in err


def test_threat_model_is_in_the_json_and_text_reports(capsys: pytest.CaptureFixture[str]) -> None:
    run(["check", "m200", "--threat", "lossy_links:pc5", "--json", "--max-states", "50"])
    doc = json.loads(capsys.readouterr().out)
    result = doc["results"][0]
    assert result["scenario"] == "m200@lossy_links_pc5"
    assert result["threats"]["lossy_links"] == ["pc5"]
    assert result["assumptions"]["threat_model"] == "lossy pc5 links (at most 1 loss(es) per remote UE)"
    run(["check", "m200", "--threat", "leaked_old_pruk", "--max-states", "50"])
    assert "threat model: superseded 5GPRUK leaked" in capsys.readouterr().out


def test_the_stale_key_finding_needs_the_lost_message(check_once) -> None:
    """Without loss, method 700 replaces the old key everywhere; with one loss on PC5 it cannot recover."""
    honest = check_once("m700.ausf_udm")
    lossy = check_once("m700.ausf_udm@lossy_links_pc5")
    assert honest.properties["old_pruk_replaced"].verdict == "HOLDS"
    assert honest.properties["recovers_after_loss"].verdict == "n/a"
    p = lossy.properties["recovers_after_loss"]
    assert p.verdict == "VIOLATED" and p.replay == []
    assert p.trace is not None and [s.fault for s in p.trace].count("lost") == 1
    lost = next(s for s in p.trace if s.fault == "lost")
    assert lost.event == "direct_security_mode_command" and lost.role == "remote_ue"
    assert "no message in flight" in p.detail
    assert "remote_ue.pruk_gen=1, panf.pruk_gen=2, remote_ue.update_due=0" in p.detail
    assert lossy.properties["secured_after_loss"].verdict == "HOLDS"


def test_method_400_recovers_because_the_ue_still_wants_the_update(check_once) -> None:
    r = check_once("m400.panf_udm@lossy_links_pc5")
    assert r.properties["recovers_after_loss"].verdict == "HOLDS"
    assert r.properties["old_pruk_replaced"].verdict == "VIOLATED"


def test_lossy_traces_replay_from_the_json_document(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "lossy.json"
    assert run(["check", "m700.ausf_udm@lossy_links_pc5", "--json"]) == 0
    doc.write_text(capsys.readouterr().out)
    assert run(["replay", str(doc)]) == 0
    out = capsys.readouterr().out
    assert "recovers_after_loss" in out and "REFUTED" not in out.upper().replace("NOT REFUTED", "")


def test_a_lost_step_on_a_reliable_link_is_refused_by_replay(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "m700.ausf_udm@lossy_links_pc5", "--json", "--property", "recovers_after_loss"]) == 0
    text = capsys.readouterr().out
    doc = json.loads(text)
    doc["results"][0]["threats"]["lossy_links"] = ["sbi"]  # the PC5 link of the recorded loss is now reliable
    doc["results"][0]["scenario"] = "m700.ausf_udm@lossy_links_sbi"  # (and the label says so)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(doc))
    assert run(["replay", str(path)]) != 0
    assert "is not lossy" in capsys.readouterr().out


def test_lossy_scenarios_have_a_certificate_and_a_promela_export(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """Since issue 20 the Promela export encodes losses (and SPIN counts them as prosecheck does:
    tests/test_promela.py's slow tier); a certificate of a lossy scenario is checked by ``certify``."""
    assert run(["export", "promela", "m300.panf_udm@lossy_links_pc5"]) == 0
    assert "proctype" in capsys.readouterr().out
    run(["check", "m300.panf_udm@lossy_links_pc5", "--certify", str(tmp_path), "--property", "knr_agreement"])
    capsys.readouterr()
    (cert,) = tmp_path.glob("*.cert.json.gz")
    assert run(["certify", str(cert)]) == 0


def test_prove_refuses_lossy_scenarios_rather_than_prove_them_without_losses() -> None:
    from prosecheck.prove import prove_scenario

    (result,) = prove_scenario(SCENARIOS["m300.panf_udm@lossy_links_pc5"], ["pruk_stays_home"], timeout=5)
    assert result.verdict == "not supported" and "lossy_links" in result.detail


def test_one_definition_of_an_attacker_on_pc5() -> None:
    """Every scenario agrees on whether an attacker sits on PC5: the threat model, the rules' guard
    expression, the elements and links built, and the properties that apply only under attack."""
    on_pc5 = {"pc5_attacker", "malicious_relay", "leaked_old_pruk"}
    seen = set()
    for scenario in SCENARIOS.values():
        options = options_of(scenario)
        attacked = bool(on_pc5 & set(scenario.threats.active()))
        seen.add(attacked)
        guard = evaluate(ATTACKER_ON_PATH, {("opt", k): v for k, v in options.items()})
        assert attacker_on_pc5(options) == scenario.threats.puts_attacker_on_pc5 == bool(guard) == attacked, scenario.id
        assert (Pc5Attacker in elements_of(scenario)) == attacked, scenario.id
        assert any(ATTACKER in link for link in links_of(scenario)) == attacked, scenario.id
        assert PROPERTIES["secrecy_knr"].applies(options) == attacked, scenario.id
    assert seen == {False, True}
    for threat in THREATS:
        changes = parse_threat(threat)
        assert ThreatModel(**changes).puts_attacker_on_pc5 == (threat in on_pc5), threat  # type: ignore[arg-type]
