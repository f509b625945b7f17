"""The threat model as a scenario parameter: parsing, ids, validation, and where it is printed."""

from __future__ import annotations

import json
import re

import pytest

from prosecheck.checker.machine import ModelError
from prosecheck.cli import main as run
from prosecheck.model.environment import ThreatModel, parse_threat
from prosecheck.model.scenarios import SCENARIOS


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
