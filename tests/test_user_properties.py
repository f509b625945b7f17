"""Properties written in scenario files ([[properties]]): read, checked with counterexamples and
witnesses like the catalog's, and refused in one line when they cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prosecheck.cli import main
from prosecheck.report.assumptions import scenario_property_hashes
from prosecheck.scenarios.scenario_file import ScenarioFileError, load_scenario_file
from prosecheck.verify import check_scenario

EXAMPLE = Path(__file__).parent.parent / "examples" / "own_properties.toml"


@pytest.fixture(scope="module")
def result():
    return check_scenario(load_scenario_file(str(EXAMPLE)))


def test_a_hand_written_invariant_gives_the_catalogs_verdict_and_shortest_trace(result):
    own, catalog = result.properties["no_knr_without_check"], result.properties["knr_only_after_authorization"]
    assert own.verdict == catalog.verdict == "VIOLATED" and own.as_expected
    assert own.trace is not None and catalog.trace is not None and len(own.trace) == len(catalog.trace)
    assert own.replay == []  # the counterexample replays on the live machines
    assert own.statement.startswith("no KNR_ProSe is derived")


def test_reachability_and_liveness_of_ones_own(result):
    assert result.properties["remote_ue_secured"].verdict == "HOLDS"  # reached
    assert result.properties["remote_ue_secured"].trace is not None  # with a witness
    assert result.properties["request_answered"].verdict == "HOLDS"
    assert result.exit_code == 0


def test_an_unreachable_goal_and_a_violated_liveness_are_found(tmp_path):
    path = _file(tmp_path, '''
[[properties]]
id = "secured_twice_over"
kind = "sometimes"
formula = 'remote_ue.state == "secured" and remote_ue.state == "idle"'

[[properties]]
id = "always_secured_in_the_end"
kind = "eventually"
trigger = 'remote_ue.state == "idle"'
formula = 'remote_ue.state == "secured"'
''')
    r = check_scenario(load_scenario_file(path))
    assert r.properties["secured_twice_over"].verdict == "VIOLATED"  # UNREACHED
    assert r.properties["always_secured_in_the_end"].verdict == "VIOLATED"  # a withdrawal keeps it from securing
    assert r.exit_code == 13  # a liveness violation (13) outranks an unexpected UNREACHED (21)


def test_check_prints_and_saves_them(capsys):
    assert main(["check", "--scenario-file", str(EXAMPLE), "--quiet", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    props = doc["results"][0]["properties"]
    assert props["no_knr_without_check"]["verdict"] == "VIOLATED" and props["request_answered"]["kind"] == "eventually"
    assert main(["check", "--scenario-file", str(EXAMPLE), "--quiet", "--table", "attention"]) == 0
    assert "MY-AUTH" in capsys.readouterr().out


def test_a_changed_formula_changes_the_hash_the_cache_keys_on(tmp_path):
    text = EXAMPLE.read_text()
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("ghost.authorized_in_attempt) ==", "ghost.check_failed) =="))
    a, b = load_scenario_file(str(EXAMPLE)), load_scenario_file(str(changed))
    assert scenario_property_hashes(a)["no_knr_without_check"] != scenario_property_hashes(b)["no_knr_without_check"]
    assert scenario_property_hashes(a)["knr_agreement"] == scenario_property_hashes(b)["knr_agreement"]


BAD = [
    ("formula = 'ghost.knr_derivd == 0'", "column 1: unknown variable 'ghost.knr_derivd'; did you mean ghost.knr_derived"),
    ("formula = 'remote_ue.state == \"secure\"'", "remote_ue has no state 'secure'; its states: idle"),
    ("formula = 'remote_ue.knr * 2 == 0'", "operator * is not supported"),
    ("formula = '__import__(\"os\").system(\"x\")'", "the only functions are implies(a, b) and has_bit(mask, n)"),
    ("formula = 'remote_ue.knr =='", "not a formula (invalid syntax"),
    ("formula = 'remote_ue.state'", "remote_ue.state is compared with a state id"),
    ("formula = 'x == 1'", "unknown name 'x'"),
    ("formula = 'remote_ue.knr == -1'", "values are unsigned"),
    ("formula = 'remote_ue.knr == 1.5'", "1.5: only integers"),
    ("formula = 'remote_ue.knr in [1]'", "comparison in is not supported"),
    ("formula = 'lambda: 1'", "lambda 'lambda: 1' is not part of the formula language"),
]


@pytest.mark.parametrize(("line", "message"), BAD, ids=[b[1][:30] for b in BAD])
def test_a_formula_that_cannot_be_read_is_one_line_with_file_line_and_column(tmp_path, line, message):
    path = _file(tmp_path, f'[[properties]]\nid = "mine"\nkind = "always"\n{line}\n')
    with pytest.raises(ScenarioFileError) as err:
        load_scenario_file(path)
    assert f"{path}:12: field properties.0.formula: " in str(err.value)
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(("entry", "message"), [
    ('id = "knr_agreement"\nkind = "always"\nformula = "1 == 1"', "'knr_agreement' is taken"),
    ('id = "Mine"\nkind = "always"\nformula = "1 == 1"', "lower-case letters, digits and _ only"),
    ('id = "mine"\nkind = "never"\nformula = "1 == 1"', "kind must be one of always, sometimes, eventually"),
    ('id = "mine"\nkind = "eventually"\nformula = "1 == 1"', "an 'eventually' property needs a trigger"),
    ('id = "mine"\nkind = "always"\ntrigger = "1 == 1"\nformula = "1 == 1"', "needs a trigger (trigger ~> formula); the"),
    ('id = "mine"\nkind = "always"', "needs 'formula'"),
    ('id = "mine"\nkind = "always"\nformula = 3', "field properties.0.formula: must be a string, got an integer"),
    ('id = "mine"\nkind = "always"\nformula = "1 == 1"\nweight = "2"', "unknown key"),
])
def test_a_bad_entry_is_one_line(tmp_path, entry, message):
    path = _file(tmp_path, f"[[properties]]\n{entry}\n")
    with pytest.raises(ScenarioFileError) as err:
        load_scenario_file(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_two_entries_with_one_id_and_an_expectation_for_ones_own(tmp_path):
    twice = '[[properties]]\nid = "mine"\nkind = "always"\nformula = "1 == 1"\n'
    with pytest.raises(ScenarioFileError, match="'mine' is taken"):
        load_scenario_file(_file(tmp_path, twice + twice))
    ok = _file(tmp_path, twice + '\n[expected]\nmine = "HOLDS"\n', name="ok.toml")
    assert [p.id for p in load_scenario_file(ok).properties] == ["mine"]


def test_the_command_line_gives_exit_2_and_no_traceback(tmp_path, capsys):
    path = _file(tmp_path, "[[properties]]\nid = \"mine\"\nkind = \"always\"\nformula = 'ghost.nope == 0'\n")
    assert main(["check", "--scenario-file", path, "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err and "unknown variable 'ghost.nope'" in err


def _file(tmp_path: Path, body: str, name: str = "s.toml") -> str:
    """A small m200 scenario file (the header is 8 lines) with ``body`` appended."""
    path = tmp_path / name
    path.write_text('id = "mine.check"\nprocedure = "m200"\n\n[bounds]\nattempts = 1\nwithdrawals = 1\nrestores = 0\n\n'
                    + body)
    return str(path)
