"""Hostile flags and output paths for every command (issue 23, items 5-8): each bad value is one
line and exit 2 before any search; an output folder is checked before the search and a write that
fails later is reported after the verdicts; standard output on a full disk is one line too."""

from __future__ import annotations

import errno
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prosecheck.cli import main
from tests.hostile.harness import Case, run_case

LONG = "n" * 300  # longer than any file system's 255-byte name
SMALL = ("--attempts", "1", "--withdrawals", "1", "--restores", "0")  # m200 with these: 96 states


def _case(name: str, argv: tuple[str, ...], message: str, code: int = 2) -> Case:
    return Case(name, argv, code, message)


def _bound_and_limit_cases() -> list[Case]:
    """The bounds of every scenario option and the search limits: each flag, each kind of nonsense."""
    cases = []
    bounds = {"remote-ues": "1..4", "attempts": "1..14", "withdrawals": "0..14", "restores": "0..14",
              "link-capacity": "1..4", "policy-triggers": "0..14"}
    for flag, span in bounds.items():
        for value in ("-1", "99", "99999999999999999999999", "1.5", "²", "x", ""):
            cases.append(_case(f"check --{flag}={value!r}", ("check", "m200", f"--{flag}={value}"),
                               f"--{flag}: must be an integer in {span}"))
    for command in (("analyze",), ("prove",), ("threats",), ("export", "promela"), ("diagram", "graph"),
                    ("report", "--out", "{tmp}/r")):
        cases.append(_case(f"{command[0]} --attempts=0", (*command, "m200", "--attempts=0"),
                           "--attempts: must be an integer in 1..14"))
    limits = {
        "--max-states": (("0", "-1", "x", "1.5", "1e3", "nan"), "must be a positive integer"),
        "--max-seconds": (("nan", "NaN", "inf", "-inf", "infinity", "1e999", "-1", "0", "x", ""),
                          "must be a finite number of seconds above 0"),
        "--max-memory": (("nan", "inf", "-inf", "0", "-5", "x", "1e400"), "must be a finite number of megabytes above 0"),
    }
    for flag, (values, message) in limits.items():
        cases += [_case(f"check {flag}={v!r}", ("check", "m200", f"{flag}={v}"), f"{flag}: {message}") for v in values]
    for command in (("report", "m200", "--out", "{tmp}/r"), ("threats", "m200@pc5_attacker")):
        for flag, value in (("--max-seconds", "nan"), ("--max-seconds", "inf"), ("--max-memory", "nan"),
                            ("--max-memory", "0"), ("--max-states", "0")):
            cases.append(_case(f"{command[0]} {flag}={value}", (*command, f"{flag}={value}"), f"{flag}: must be"))
    for value in ("0", "-1", "1025", "99999999999999999999", "x", "2.0"):
        cases.append(_case(f"check --workers={value}", ("check", "m200", f"--workers={value}"),
                           "--workers: must be an integer in 1..1024"))
    return cases


def _threat_and_name_cases() -> list[Case]:
    """Threat models (item 6: '²' passed isdigit and crashed int) and unknown names."""
    threats = {
        "pc5_attacker=²": "must be a number", "pc5_attacker=³": "must be a number", "pc5_attacker=": "must be a number",
        "pc5_attacker=-1": "must be a number", "pc5_attacker=1.5": "must be a number",
        "pc5_attacker=" + "9" * 5000: "must be a number", "pc5_attacker=15": "must be an integer in 0..14",
        "lossy_links=0": "must be an integer in 1..14", "lossy_links:pc5=²": "must be a number",
        "lossy_links:radio": "unknown link kind", "lossy_links+dup+dup": "'+dup' comes last",
        "malicious_relay=1": "takes no bound", "malicious_relay=": "takes no bound",
        "leaked_old_pruk:pc5": "takes no link kinds", "pc5_attacker+dup": "takes no '+dup'",
        "eavesdropper": "unknown threat", "": "unknown threat",
    }
    cases = [_case(f"check --threat {text[:20]!r}", ("check", "m200", f"--threat={text}"), message)
             for text, message in threats.items()]
    cases += [
        _case("threats --threat pc5_attacker=²", ("threats", "--threat=pc5_attacker=²"), "must be a number"),
        _case("prove --threat pc5_attacker=²", ("prove", "m200", "--threat=pc5_attacker=²"), "must be a number"),
    ]
    for command in (("check",), ("analyze",), ("prove",), ("threats",), ("export", "promela"), ("diagram", "graph"),
                    ("report", "--out", "{tmp}/r")):
        cases.append(_case(f"{command[0]} unknown scenario", (*command, "m999"), "unknown scenario 'm999'"))
        cases.append(_case(f"{command[0]} unknown mutant", (*command, "m200", "--mutant", "nope"), "unknown mutant 'nope'"))
    cases += [
        _case("check unknown property", ("check", "m200", "--property", "nope"), "unknown property 'nope'"),
        _case("prove unknown property", ("prove", "m200", "--property", "nope"), "unknown property 'nope'"),
        _case("mutants unknown mutant", ("mutants", "--mutant", "nope"), "unknown mutant 'nope'"),
        _case("bench unknown benchmark", ("bench", "nope"), "unknown benchmark 'nope'"),
        _case("unknown command", ("nosuchcommand",), "invalid choice"),
        _case("list unknown flag", ("list", "--bogus"), "list: unrecognized argument --bogus"),
        _case("check flag without value", ("check", "m200", "--max-states"), "expected one argument"),
    ]
    return cases


def _command_cases() -> list[Case]:
    """The numeric and choice flags of analyze, prove, mutants, diagram, bench and export."""
    cases = [_case(f"analyze --max-cores={v}", ("analyze", f"--max-cores={v}"), "--max-cores: must be a positive integer")
             for v in ("0", "-1", "x", "1e3")]
    cases += [_case(f"analyze --core-seconds={v}", ("analyze", f"--core-seconds={v}"), "--core-seconds: must be a finite")
              for v in ("nan", "inf", "0", "-1", "2e6")]
    cases += [_case(f"prove --depth={v}", ("prove", "m200", f"--depth={v}"), "--depth: must be an integer in 0..1000")
              for v in ("-1", "1001", "x", "99999999999999999999")]
    cases += [_case(f"prove --timeout={v}", ("prove", "m200", f"--timeout={v}"), "--timeout: must be a finite")
              for v in ("nan", "inf", "0", "-1", "1e12")]
    cases += [_case(f"mutants --timeout={v}", ("mutants", "--engine", "bmc", f"--timeout={v}"),
                    "--timeout: must be a finite") for v in ("nan", "inf", "0")]
    cases += [_case(f"mutants --{flag}={value}", ("mutants", "--engine", "bmc", f"--{flag}={value}"),
                    f"--{flag}: must be an integer in {span}")
              for flag, value, span in (("attempts", "0", "1..14"), ("attempts", "15", "1..14"), ("attempts", "x", "1..14"),
                                        ("withdrawals", "-1", "0..14"), ("restores", "15", "0..14"))]
    cases += [_case(f"diagram graph --max-nodes={v}", ("diagram", "graph", "m200", f"--max-nodes={v}"),
                    "--max-nodes: must be a positive integer") for v in ("0", "-1", "x")]
    cases += [_case(f"bench --workers={v!r}", ("bench", "tiny", f"--workers={v}"),
                    "--workers must be a comma-separated list") for v in ("0,2", "2000", "x", "1,,2", "", "-1")]
    cases += [
        _case("prove --engine bogus", ("prove", "m200", "--engine", "bogus"), "invalid choice"),
        _case("prove --ledger without --save", ("prove", "m200", "--ledger", "{tmp}/l.json"), "add --save"),
        _case("mutants --engine bogus", ("mutants", "--engine", "bogus"), "invalid choice"),
        _case("diagram graph --format bogus", ("diagram", "graph", "m200", "--format", "bogus"), "invalid choice"),
        _case("diagram graph unknown property", ("diagram", "graph", "m200", "--property", "nope"),
              "unknown property 'nope'"),
        _case("diagram graph without scenario", ("diagram", "graph"), "name exactly one SCENARIO"),
        _case("diagram graph liveness property", ("diagram", "graph", "m200", *SMALL, "--property", "attempt_ends"),
              "is of kind 'eventually'"),
        _case("diagram graph attacker property in an honest scenario",
              ("diagram", "graph", "m200", *SMALL, "--property", "secrecy_pruk"), "does not apply to scenario m200"),
        _case("diagram states --format bogus", ("diagram", "states", "--format", "bogus"), "invalid choice"),
        _case("diagram states unknown element", ("diagram", "states", "nope"), "unknown element 'nope'"),
        _case("diagram states unknown scenario", ("diagram", "states", "--scenario", "nope"), "unknown scenario 'nope'"),
        _case("diagram msc --format bogus", ("diagram", "msc", "--happy", "--format", "bogus"), "invalid choice"),
        _case("diagram msc neither file nor --happy", ("diagram", "msc"), "give either a FILE of traces or --happy"),
        _case("diagram msc unknown method", ("diagram", "msc", "--happy", "--method", "999"), "no figure for method '999'"),
        _case("diagram unknown kind", ("diagram", "pie"), "invalid choice"),
        _case("export bogus format", ("export", "bogus", "m200"), "invalid choice"),
        _case("export without scenario", ("export", "promela"), "export needs exactly one SCENARIO"),
        _case("export two scenarios", ("export", "promela", "m200", "m300.panf_udm"), "export needs exactly one SCENARIO"),
    ]
    return cases


def _path_cases() -> list[Case]:
    """Output paths that cannot be written: refused before any search, in one line."""
    cases: list[Case] = []
    writers = {
        "report": (("report", "m200", "--out"), "--out"),
        "check --certify": (("check", "m200", "--certify"), "--certify"),
        "diagram states": (("diagram", "states", "--out"), "--out"),
        "diagram msc --happy": (("diagram", "msc", "--happy", "--method", "200", "--out"), "--out"),
        "diagram graph": (("diagram", "graph", "m200", *SMALL, "--out"), "--out"),
        "diagram all": (("diagram", "all", "--out"), "--out"),
    }
    for name, (argv, flag) in writers.items():
        cases.append(Case(f"{name} into a file", (*argv, "{tmp}/file"), 2, f"{flag} ", files={"file": b"x"}))
        cases.append(Case(f"{name} into /proc", (*argv, "/proc/x"), 2, f"{flag} /proc/x"))
        cases.append(Case(f"{name} below a file", (*argv, "{tmp}/file/sub"), 2, f"{flag} ", files={"file": b"x"}))
        cases.append(Case(f"{name} with a 300-character name", (*argv, f"{{tmp}}/{LONG}"), 2, "too long"))
    cases += [
        Case("export into a folder", ("export", "promela", "m200", "-o", "{tmp}"), 2, "is a directory"),
        Case("export into /proc", ("export", "promela", "m200", "-o", "/proc/x/m.pml"), 2, "--output /proc/x"),
        Case("export below a file", ("export", "promela", "m200", "-o", "{tmp}/file/m.pml"), 2, "--output",
             files={"file": b"x"}),
        Case("export with a 300-character name", ("export", "promela", "m200", "-o", f"{{tmp}}/{LONG}.pml"), 2,
             "too long"),
        Case("prove --save into /proc", ("prove", "m200", "--save", "--ledger", "/proc/x/l.json"), 2, "--ledger /proc/x"),
        # item 8: the attacker's properties do not apply to an honest scenario: skipped, not a crash
        Case("diagram graph of an honest scenario without a violated invariant",
             ("diagram", "graph", "m300.panf_udm", "--attempts", "1", "--withdrawals", "1", "--restores", "0"), 0, ""),
    ]
    return cases


CASES = _bound_and_limit_cases() + _threat_and_name_cases() + _command_cases() + _path_cases()


def test_the_corpus_is_large_and_its_names_unique() -> None:
    assert len(CASES) >= 110
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_flag(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_case(case, tmp_path, capsys)
    if case.code == 2:
        assert "Traceback" not in out and "usage:" not in err  # one line, no usage block
        assert not (tmp_path / "r").exists()  # refused before anything was written


def _cli(*argv: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-m", "prosecheck", *argv], cwd=root, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, check=False)


needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")


@pytest.mark.slow
@needs_dev_full
@pytest.mark.parametrize("argv", [("list",), ("list", "--json"),
                                  ("check", "m200", *SMALL, "--json", "--quiet", "--no-cache"),
                                  ("diagram", "states", "relay_ue"), ("export", "promela", "m200", *SMALL)],
                         ids=" ".join)
def test_a_full_standard_output_is_one_line_and_exit_2(argv: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        proc = _cli(*argv, stdout=full)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "prosecheck: error: cannot write to standard output: No space left on device\n"


def test_a_reader_that_goes_away_is_still_quiet() -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(f"'{sys.executable}' -m prosecheck export promela m200 | head -c 10", shell=True, cwd=root,
                          capture_output=True, text=True, check=False)
    assert len(proc.stdout) == 10 and proc.stderr == ""


def test_check_json_is_strict_json_with_finite_limits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "m200", *SMALL, "--max-seconds", "1e300", "--max-memory", "1e300", "--json", "--quiet",
                 "--no-cache"]) != 2
    doc = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert doc["results"][0]["stats"]["complete"] is True


def test_the_json_writer_never_emits_nan_or_infinity() -> None:
    from prosecheck.checker.search import Limits
    from prosecheck.report.json_out import results_json
    from prosecheck.scenarios.catalog import SCENARIOS
    from prosecheck.verify import check_scenario

    scenario = SCENARIOS["m200"].with_bounds(attempts=1, withdrawals=1, restores=0)
    result = check_scenario(scenario, ["knr_agreement"], Limits(max_seconds=math.nan))  # as the old CLI allowed
    with pytest.raises(ValueError, match="JSON compliant"):
        results_json([result])


def _long_id_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "long.toml"
    path.write_text(f'id = "{LONG}"\nprocedure = "m200"\n[bounds]\nattempts = 1\nwithdrawals = 1\nrestores = 0\n')
    return path


def test_a_scenario_id_too_long_for_a_file_name_still_gets_its_certificate(tmp_path: Path, capsys) -> None:
    code = main(["check", "--scenario-file", str(_long_id_scenario(tmp_path)), "--certify", str(tmp_path / "c"),
                 "--quiet", "--table"])
    out, err = capsys.readouterr()
    assert code != 2 and "Traceback" not in err and LONG[:40] in out  # the verdicts
    (cert,) = (tmp_path / "c").iterdir()
    assert cert.name.endswith(".cert.json.gz") and len(cert.name) <= 200 and "confirmed" in err


def test_a_scenario_id_too_long_for_a_file_name_still_gets_its_graph(tmp_path: Path, capsys) -> None:
    code = main(["diagram", "graph", "--scenario-file", str(_long_id_scenario(tmp_path)), "--format", "dot",
                 "--out", str(tmp_path / "g")])
    assert code == 0, capsys.readouterr().err
    (dot,) = (tmp_path / "g").iterdir()
    assert dot.suffix == ".dot" and len(dot.name) <= 200


def _full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "x")


def test_a_certificate_that_cannot_be_written_is_reported_after_the_verdicts(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("prosecheck.certificate.write_certificate", _full)
    code = main(["check", "m200", *SMALL, "--certify", str(tmp_path / "c"), "--quiet", "--table", "--no-cache"])
    out, err = capsys.readouterr()
    assert code == 2 and "m200" in out and "KNR-AUTH" in out  # the verdict table is printed
    assert err.strip().splitlines()[-1] == (f"prosecheck: error: --certify {tmp_path / 'c'}: cannot write x: "
                                            "No space left on device")


def test_a_report_that_cannot_be_written_prints_the_verdicts_then_one_line(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("prosecheck.report.html.write_text", _full)
    code = main(["report", "m200", *SMALL, "--out", str(tmp_path / "r"), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 2 and "KNR-AUTH" in out
    assert err.strip().splitlines() == [f"prosecheck: error: --out {tmp_path / 'r'}: cannot write x: "
                                        "No space left on device"]


def test_report_checks_its_folder_before_the_search(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("prosecheck.cli.report_cmd.check_all", lambda *a: pytest.fail("searched first"))
    assert main(["report", "m200", "--out", "/proc/x", "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("prosecheck: error: --out /proc/x: cannot create the folder")


def test_an_unwritable_folder_is_refused_by_the_probe(tmp_path, capsys, monkeypatch) -> None:
    """What a read-only folder gives, simulated (root may write anywhere)."""
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    assert main(["check", "m200", "--certify", str(tmp_path), "--quiet"]) == 2
    assert capsys.readouterr().err == f"prosecheck: error: --certify {tmp_path}: cannot write there: Permission denied\n"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write into a 0o500 folder")
@pytest.mark.parametrize("argv", [("check", "m200", "--certify"), ("report", "m200", "--out"), ("diagram", "all", "--out"),
                                  ("diagram", "graph", "m200", *SMALL, "--out")], ids=" ".join)
def test_a_read_only_folder_is_refused_before_the_search(argv, tmp_path, capsys) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    try:
        assert main([*argv, str(folder)]) == 2
    finally:
        folder.chmod(0o700)
    assert "cannot write there: Permission denied" in capsys.readouterr().err
    assert list(folder.iterdir()) == []


def test_the_honest_graph_skips_the_attackers_properties() -> None:
    """Item 8: no ModelError 'no element attacker' in an honest scenario without a violated invariant."""
    from prosecheck.diagrams.graph import build_graph
    from prosecheck.scenarios.catalog import SCENARIOS

    sg = build_graph(SCENARIOS["m300.panf_udm"].with_bounds(attempts=1, withdrawals=1, restores=0))
    assert sg.graph.number_of_nodes() > 0 and sg.path == [] and sg.kind == ""


def test_the_threat_bound_takes_ascii_digits_only() -> None:
    from prosecheck.checker.machine import ModelError
    from prosecheck.model.environment import parse_threat

    assert parse_threat("pc5_attacker=3") == {"pc5_attacker": 3}
    for text in ("pc5_attacker=²", "pc5_attacker=٣", "pc5_attacker= 3", "pc5_attacker=+3"):
        with pytest.raises(ModelError, match="must be a number"):
            parse_threat(text)
