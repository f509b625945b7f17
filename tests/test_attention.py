"""What `check` prints for people: the attention view, the summary line, --strict, and the names
it accepts (patterns, column names, did-you-mean)."""

from __future__ import annotations

import pytest

from prosecheck.cli import main
from prosecheck.report.attention import MAX_WIDTH, attention_rows, attention_table, summary_line
from prosecheck.scenarios.catalog import SCENARIOS

SMALL = ("m200", "m300.panf_udm", "m200@pc5_attacker")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def small_default_set(monkeypatch):
    monkeypatch.setattr("prosecheck.cli.common.DEFAULT_SCENARIOS", tuple(SCENARIOS[s] for s in SMALL))


def test_the_default_view_lists_only_what_needs_attention_and_ends_with_the_summary(capsys, small_default_set):
    code, out, _ = run(capsys, "check", "--quiet")
    lines = out.rstrip("\n").splitlines()
    assert code == 0
    assert max(len(line) for line in lines) <= MAX_WIDTH
    assert lines[-1].startswith("3 scenarios, ") and lines[-1].endswith("0 unexpected; exit 0")
    m200 = [line for line in lines if line.startswith("m200 ")]
    assert any("VIOLATED" in line and "KNR-AUTH" in line and "WITHDRAWN" in line for line in m200)
    assert not any(line.startswith("m300.panf_udm ") for line in lines)  # all as declared and holding: not shown
    assert "holds" not in out


def test_a_verdict_not_as_declared_comes_first_and_sets_the_exit_code(capsys):
    code, out, _ = run(capsys, "check", "m200", "m300.panf_udm", "--mutant", "panf_skips_udm_check",
                       "--table", "attention", "--quiet")
    rows = [line for line in out.splitlines() if line.startswith("m")]
    assert code == 12
    assert "declared HOLDS" in rows[0] and rows[0].startswith("m300.panf_udm+panf_skips_udm_check")
    assert out.rstrip().endswith("unexpected; exit 12")


def test_strict_makes_a_declared_violation_non_zero(capsys):
    assert run(capsys, "check", "m200", "--quiet")[0] == 0
    code, out, _ = run(capsys, "check", "m200", "--quiet", "--strict")
    assert code == 12 and out.rstrip().endswith("exit 12 (--strict)")


def test_a_limit_hit_is_inconclusive_in_the_view_and_the_summary(capsys):
    code, out, _ = run(capsys, "check", "m300.panf_udm", "--max-states", "100", "--table", "attention", "--quiet")
    assert code == 22
    assert "limit hit" in out and "INCONCL." in out
    assert "1 NOT exhaustive" in out.splitlines()[-1] and "INCONCLUSIVE" in out.splitlines()[-1]


def test_rows_and_summary_count_what_the_results_hold(check_once):
    result = check_once("m200")
    rows = attention_rows([result])
    shown = {code for row in rows for code in row.properties}
    violated = {p.id for p in result.properties.values() if p.verdict == "VIOLATED"}
    assert len(shown) == len(violated) and all(row.declared == "as declared" for row in rows)
    line = summary_line([result])
    held = sum(p.verdict == "HOLDS" for p in result.properties.values())
    assert f"{held} hold" in line and f"{len(violated)} known findings" in line
    assert "nothing needs attention" in attention_table([check_once("m300.panf_udm")])


def test_a_narrow_terminal_wraps_the_properties_column(check_once):
    text = attention_table([check_once("m200"), check_once("m200@pc5_attacker")], width=60)
    assert max(len(line) for line in text.splitlines()[:-2]) <= 60


@pytest.mark.parametrize(("argv", "message"), [
    (["check", "m300.panf_ud"], "unknown scenario 'm300.panf_ud'; did you mean m300.panf_udm"),
    (["check", "m9*"], "scenario pattern 'm9*' matches no scenario"),
    (["check", "m200", "--property", "knr_auth"], "did you mean KNR-AUTH?"),
    (["check", "--attemps", "2"], "check: unrecognized argument --attemps; did you mean --attempts?"),
])
def test_misspelt_names_get_one_line_with_the_nearest(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.splitlines()) == 1
    assert len(err) < 300  # not a list of every scenario


@pytest.mark.slow  # checks three scenarios with traces: about 4 s
def test_patterns_column_names_and_builtins_are_accepted(capsys):
    code, out, _ = run(capsys, "check", "m300.panf_udm.*", "--property", "KNR-AUTH", "--property", "deadlock_free",
                       "--json", "--quiet")
    import json

    doc = json.loads(out)
    assert code == 0
    assert [r["scenario"] for r in doc["results"]] == [s for s in SCENARIOS if s.startswith("m300.panf_udm.")]
    assert set(doc["results"][0]["properties"]) == {"knr_only_after_authorization", "deadlock_free",
                                                   "messages_handled", "livelock_free"}


@pytest.mark.slow
def test_the_whole_default_view_fits_120_columns(check_once):
    from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS

    results = [check_once(s.id) for s in DEFAULT_SCENARIOS]
    lines = [*attention_table(results).splitlines(), summary_line(results)]
    assert max(len(line) for line in lines) <= MAX_WIDTH


def test_list_fits_120_columns_and_names_each_propertys_column(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= MAX_WIDTH
    assert "knr_only_after_authorization (KNR-AUTH, always)" in out and "deadlock_free (DEADLOCK, always)" in out


def test_a_named_scenarios_report_fits_120_columns_with_every_lemma_of_its_proofs(capsys):
    from prosecheck.ledger import load

    code, out, _ = run(capsys, "check", "m300.ausf_udm", "--quiet")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= MAX_WIDTH
    lemmas = len(load()[("m300.ausf_udm", "knr_only_after_authorization")].certificate)
    assert "proved without bounds: houdini" in out and f"inductive invariant of {lemmas}" in out
    assert sum(line.startswith("         - ") for line in out.splitlines()) == lemmas + 2 + 2  # and 2 Spacer proofs
    assert "more lemmas" not in out and "more conjuncts" not in out
    assert out.rstrip().splitlines()[-1].startswith("1 scenario, 5,179 states, exhaustive")


def test_csv_and_markdown_give_the_same_cells_as_the_tables(capsys):
    import csv
    import io

    from prosecheck.report.text import verdict_matrix

    code, out, _ = run(capsys, "check", "m200", "m300.panf_udm", "--format", "csv", "--quiet")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0][:4] == ["scenario", "threats", "states", "KNR-AUTH"]
    assert [r[0] for r in rows[1:]] == ["m200", "m300.panf_udm"] and rows[1][3] == "VIOLATED"
    code, out, _ = run(capsys, "check", "m200", "--format", "md", "--table", "attention", "--quiet")
    lines = out.splitlines()
    assert lines[0] == "| scenario | threats | verdict | standing | properties |" and lines[1] == "|---|---|---|---|---|"
    assert "| m200 | honest | VIOLATED | as declared | KNR-AUTH, WITHDRAWN |" in lines
    assert lines[-1].endswith("0 unexpected; exit 0")
    header, matrix = verdict_matrix([])
    assert header == ["scenario", "threats", "states"] and matrix == []


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch, check_once):
    import sys

    from prosecheck.report import attention

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert attention.use_colour() and "\x1b[" in attention_table([check_once("m200")], width=100)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not attention.use_colour() and "\x1b[" not in attention_table([check_once("m200")], width=100)
