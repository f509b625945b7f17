"""Scenarios from TOML files: the example runs; every kind of bad input is one line naming the
file, line and field, exit code 2, no traceback; Hypothesis fuzzes the loader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prosecheck.cli import main
from prosecheck.scenarios.catalog import Scenario
from prosecheck.scenarios.scenario_file import KEYS, ScenarioFileError, load_scenario_file

EXAMPLE = Path(__file__).parent.parent / "examples" / "panf_udm_quick.toml"

GOOD = """\
id = "mine"
procedure = "m300.panf_udm"
note = "a note"
mutants = []

[options]
s3042_answers_failure = true
check = "panf_udm"

[bounds]
attempts = 2
withdrawals = 1
restores = 1
eap_can_fail = true

[expected]
knr_agreement = "HOLDS"
"""


def test_the_example_file_loads_and_checks_as_declared(capsys):
    assert main(["check", "--scenario-file", str(EXAMPLE), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "panf_udm.literal_0263.quick" in out and "deadlock_free" in out and "as declared" in out


def test_a_good_file_gives_its_scenario(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(GOOD)
    s = load_scenario_file(str(path))
    assert s.id == "mine" and s.procedure.id == "m300.panf_udm" and s.bounds.attempts == 2
    assert s.procedure.all_options()["s3042_answers_failure"] == 1 and s.expected == {"knr_agreement": "HOLDS"}


def test_mutants_and_method_alias(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('id = "x"\nmethod = "m300.ausf_udm"\nmutants = ["ausf_ignores_check_result"]\n'
                    '[bounds]\nattempts = 2\n[expected]\nknr_only_after_authorization = "VIOLATED"\n')
    s = load_scenario_file(str(path))
    assert s.id == "x+ausf_ignores_check_result" and s.mutants == ("ausf_ignores_check_result",)


OPTIONS = '[options]\ns3042_answers_failure = true\ncheck = "panf_udm"\n'
BOUNDS = "[bounds]\nattempts = 2\nwithdrawals = 1\nrestores = 1\neap_can_fail = true\n"
EXPECTED = '[expected]\nknr_agreement = "HOLDS"\n'


def _without(section: str) -> str:
    assert section in GOOD
    return GOOD.replace(section, "")


def _swap(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


# (file content, expected line or None, text the message must contain)
BAD: list[tuple[str, int | None, str]] = [
    # malformed TOML
    ('id = "mine\n', 1, "malformed TOML"),
    ("id = \n", 1, "malformed TOML"),
    (GOOD + "attempts = 3\n[bounds]\n", 19, "malformed TOML"),
    (_swap('attempts = 2', 'attempts = 2\nattempts = 3'), 12, "malformed TOML"),
    (_swap("[bounds]", "[bounds"), 10, "malformed TOML"),
    (_swap('note = "a note"', 'note = "a \\q note"'), 3, "malformed TOML"),
    (_swap("attempts = 2", "attempts = 2 3"), 11, "malformed TOML"),
    (_swap("mutants = []", "mutants = [,]"), 4, "malformed TOML"),
    ("= 1\n", 1, "malformed TOML"),
    (_swap("[options]", "[options]]"), 6, "malformed TOML"),
    # empty or nearly
    ("", None, "empty file"),
    ("   \n\n", None, "empty file"),
    ("# only a comment\n", None, "field id: missing"),
    # unknown and unsupported keys
    (GOOD.replace('id = "mine"', 'id = "mine"\nprocedue = "m200"'), 2, "unknown key (did you mean 'procedure'?)"),
    ("colour = 1\n" + GOOD, 1, "field colour: unknown key"),
    ("threat_model = \"dolev-yao\"\n" + GOOD, 1, "the threat model is the [threats] table"),
    (GOOD + "[threats]\nattacker = \"pc5\"\n", 19, "field threats.attacker: unknown threat model"),
    (GOOD + "[threats]\npc5_attacker = true\n", 19, "field threats.pc5_attacker: must be an integer"),
    (GOOD + "[threats]\nlossy_links = [\"air\"]\n", 19, "unknown link kind 'air'"),
    (GOOD + "[threats]\nlink_faults = 0\n", 19, "link_faults must be an integer in 1..14"),
    (GOOD + "[threat_model]\nattacker = \"pc5\"\n", 18, "field threat_model"),
    (GOOD.replace("[options]", "default = true\n[options]"), 6, "field default: unknown key"),
    # id
    (GOOD.replace('id = "mine"\n', ""), None, "field id: missing"),
    (_swap('id = "mine"', "id = 3"), 1, "field id: must be a string, got an integer"),
    (_swap('id = "mine"', 'id = ""'), 1, "is not an id"),
    (_swap('id = "mine"', 'id = "my scenario"'), 1, "is not an id"),
    (_swap('id = "mine"', 'id = "m200+x"'), 1, "is not an id"),
    (_swap('id = "mine"', 'id = "m200"'), 1, "is a built-in scenario"),
    (_swap('id = "mine"', 'id = ["a"]'), 1, "must be a string, got an array"),
    # procedure
    (_swap('procedure = "m300.panf_udm"\n', ""), None, "field procedure: missing"),
    (_swap('procedure = "m300.panf_udm"', 'procedure = "m400"'), 2, "unknown procedure 'm400'"),
    (_swap('procedure = "m300.panf_udm"', 'procedure = "m300.panf_ud"'), 2, "did you mean 'm300.panf_udm'"),
    (_swap('procedure = "m300.panf_udm"', "procedure = 300"), 2, "must be a string, got an integer"),
    (_swap('procedure = "m300.panf_udm"', 'procedure = "m200"\nmethod = "m200"'), 3, "not both"),
    (_swap('procedure = "m300.panf_udm"', 'method = "m1"'), 2, "field method: unknown procedure"),
    # options
    ("options = 3\n" + _without(OPTIONS), 1, "field options: must be a table"),
    (_swap("check = \"panf_udm\"", "chek = \"panf_udm\""), 8, "field options.chek: unknown option (did you mean 'check'?)"),
    (_swap("check = \"panf_udm\"", "check = \"udm\""), 8, "field options.check: must be one of"),
    (_swap("check = \"panf_udm\"", "check = 2"), 8, "field options.check: must be one of"),
    (_swap("s3042_answers_failure = true", "s3042_answers_failure = 2"), 7, "a reading is true or false"),
    (_swap("s3042_answers_failure = true", 's3042_answers_failure = "yes"'), 7, "got a string"),
    (_swap("s3042_answers_failure = true", "s3042_answers_failure = 1.0"), 7, "got a float"),
    # bounds
    ("bounds = [1]\n" + _without(BOUNDS), 1, "field bounds: must be a table"),
    (_swap("attempts = 2", "attempts = 0"), 11, "field bounds.attempts: bound attempts must be an integer in 1..14"),
    (_swap("attempts = 2", "attempts = 15"), 11, "in 1..14, got 15"),
    (_swap("attempts = 2", "attempts = -1"), 11, "in 1..14, got -1"),
    (_swap("attempts = 2", 'attempts = "two"'), 11, "field bounds.attempts: must be an integer, got a string"),
    (_swap("attempts = 2", "attempts = 2.0"), 11, "must be an integer, got a float"),
    (_swap("attempts = 2", "attempts = true"), 11, "must be an integer, got a boolean"),
    (_swap("withdrawals = 1", "withdrawals = -1"), 12, "field bounds.withdrawals"),
    (_swap("restores = 1", "restores = 99"), 13, "field bounds.restores"),
    (_swap("attempts = 2", "remote_ues = 0"), 11, "field bounds.remote_ues"),
    (_swap("attempts = 2", "remote_ues = 5"), 11, "in 1..4"),
    (_swap("attempts = 2", "link_capacity = 0"), 11, "field bounds.link_capacity"),
    (_swap("attempts = 2", "link_capacity = 9"), 11, "in 1..4"),
    (_swap("eap_can_fail = true", "eap_can_fail = 1"), 14, "field bounds.eap_can_fail: must be a boolean"),
    (_swap("eap_can_fail = true", 'relay_authorization_can_fail = "no"'), 14, "must be a boolean, got a string"),
    (_swap("attempts = 2", "atempts = 2"), 11, "unknown bound (did you mean 'attempts'?)"),
    (_swap("attempts = 2", "attempts = [2]"), 11, "got an array"),
    (GOOD + "[bounds.extra]\nx = 1\n", 18, "field bounds.extra: unknown bound"),
    # mutants
    (_swap("mutants = []", 'mutants = "panf_skips_udm_check"'), 4, "field mutants: must be an array"),
    (_swap("mutants = []", "mutants = [1]"), 4, "must hold strings, got an integer"),
    (_swap("mutants = []", 'mutants = ["nope"]'), 4, "unknown mutant 'nope'"),
    (_swap("mutants = []", 'mutants = ["panf_skip_udm_check"]'), 4, "did you mean 'panf_skips_udm_check'"),
    (_swap("mutants = []", 'mutants = ["udm_omits_supi", "udm_never_answers_av"]'), 4, "both rewrite the udm"),
    (_swap("mutants = []", 'mutants = ["udm_omits_supi", "udm_omits_supi"]'), 4, "both rewrite the udm"),
    # expected
    ("\n\nexpected = 1\n" + _without(EXPECTED), 3, "field expected: must be a table"),
    (_swap('knr_agreement = "HOLDS"', 'knr_agreemnt = "HOLDS"'), 17, "unknown property (did you mean 'knr_agreement'?)"),
    (_swap('knr_agreement = "HOLDS"', 'knr_agreement = "holds"'), 17, 'must be "HOLDS" or "VIOLATED"'),
    (_swap('knr_agreement = "HOLDS"', "knr_agreement = true"), 17, "got True"),
    (_swap('knr_agreement = "HOLDS"', 'messages_handled = "VIOLATED"'), 17, "only HOLDS"),
    # note
    (_swap('note = "a note"', "note = 1"), 3, "field note: must be a string"),
    # dotted keys and inline tables are located too
    ("# dotted\nbounds.attempts = 0\n" + _without(BOUNDS), 2, "field bounds.attempts"),
    ("bounds = {attempts = 2, withdrawals = 99}\n" + _without(BOUNDS), 1, "field bounds.withdrawals"),
    (_swap("[bounds]\nattempts = 2", "[ bounds ]  # spaced header\nattempts = 0  # too few"), 11,
     "field bounds.attempts"),
]


@pytest.mark.parametrize("content, line, message", BAD, ids=[f"bad{n:02d}" for n in range(len(BAD))])
def test_bad_scenario_files_are_one_line_naming_file_line_and_field(capsys, tmp_path, content, line, message):
    path = tmp_path / "scenario.toml"
    path.write_text(content)
    code = main(["check", "--scenario-file", str(path), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "", err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert message in err, err
    where = f"{path}:{line}:" if line else f"{path}:"
    assert where in err and (line is not None or f"{path}:1" not in err), err


def test_at_least_fifty_bad_inputs_are_pinned():
    assert len(BAD) + 4 >= 50


@pytest.mark.parametrize("kind", ["missing", "directory", "binary", "unreadable"])
def test_files_that_cannot_be_read(capsys, tmp_path, kind):
    path = tmp_path / "s.toml"
    if kind == "directory":
        path.mkdir()
    elif kind == "binary":
        path.write_bytes(b"id = \"\xff\xfe\"\n")
    elif kind == "unreadable":
        path = tmp_path / "s.toml" / "x"  # under a file that does not exist: still one clear line
    code = main(["check", "--scenario-file", str(path)])
    err = capsys.readouterr().err
    expected = {"missing": "no such file", "directory": "is a directory", "binary": "not UTF-8",
                "unreadable": "no such file"}[kind]
    assert code == 2 and expected in err and err.count("\n") == 1


# -- Hypothesis: the loader either returns a scenario or raises its one-line error --------------------

def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


_scalars = st.one_of(st.booleans(), st.integers(-3, 20), st.floats(allow_nan=False, allow_infinity=False),
                     st.text(max_size=12), st.sampled_from(["m200", "m300.panf_udm", "panf_udm", "HOLDS", "VIOLATED",
                                                            "udm_omits_supi", "knr_agreement"]))
_names = st.one_of(st.sampled_from([*KEYS, "attempts", "withdrawals", "check", "s3042_answers_failure",
                                    "knr_agreement", "deadlock_free", "remote_ues", "eap_can_fail"]),
                   st.from_regex(r"[a-z_]{1,10}", fullmatch=True))
_tables = st.dictionaries(_names, st.one_of(_scalars, st.lists(_scalars, max_size=3)), max_size=5)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    top = draw(st.dictionaries(st.sampled_from(["id", "procedure", "method", "note", "mutants", "colour"]),
                               st.one_of(_scalars, st.lists(_scalars, max_size=3)), max_size=5))
    lines = [f"{k} = {_toml_value(v)}" for k, v in top.items()]
    tables = ["options", "bounds", "threats", "expected", "threat_model", "x"]
    for table in draw(st.lists(st.sampled_from(tables), unique=True, max_size=4)):
        lines.append(f"[{table}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in draw(_tables).items()]
    return "\n".join(lines) + "\n"


def _load(tmp_path: Path, text: str) -> Scenario | None:
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    try:
        scenario = load_scenario_file(str(path))
    except ScenarioFileError as err:
        message = str(err)
        assert "\n" not in message and message.startswith(str(path)), message
        return None
    scenario.bounds.validate()
    return scenario


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_documents())
def test_fuzzed_documents_load_or_fail_in_one_line(tmp_path, text):
    _load(tmp_path, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_fuzzed_text_never_escapes_the_loader(tmp_path, text):
    _load(tmp_path, text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(GOOD)), st.text(max_size=8))
def test_fuzzed_edits_of_a_good_file_never_escape_the_loader(tmp_path, at, insert):
    _load(tmp_path, GOOD[:at] + insert + GOOD[at:])
