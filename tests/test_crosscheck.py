"""The mutant cross-check: the explicit search and the symbolic engine kill the same mutants,
and BMC to the explicit search's depth finds the explicit search's shortest counterexample."""

from __future__ import annotations

import json

import pytest

from prosecheck.checker.machine import Rewrite
from prosecheck.cli import main
from prosecheck.cli.mutants_cmd import EXIT_DISAGREE
from prosecheck.crosscheck import HOLDS, NOT_RUN, UNKNOWN, VIOLATED, Cell, CrossReport, MutantCross, Side, cross_check
from prosecheck.model.mutants import MUTANTS, Mutant
from prosecheck.report.crosscheck import cross_table

SHORT = ["null_scheme_suci", "ue_reject_read_as_accept"]
"""Mutants whose shortest counterexamples (attempts, withdrawals, restores = 1) have 1 to 6 steps
(a remote UE's, the second one on m300.panf_udm); with the AMF's refusal answered with a key on
one property (7 steps), three elements' mistakes."""


def test_bmc_kills_the_short_mutants_with_the_explicit_shortest_lengths() -> None:
    report = cross_check(SHORT, "bmc", timeout=600)
    amf = cross_check(["amf_refusal_answered_with_key"], "bmc", timeout=600,
                      property_ids=["no_link_through_refused_relay"])
    mutants = report.mutants + amf.mutants
    assert [m.status for m in mutants] == ["both"] * 3
    kills = [c for m in mutants for c in m.cells if c.explicit_kill]
    assert len(kills) == 4
    for cell in kills:
        assert (cell.explicit_base.verdict, cell.explicit_mutant.verdict) == (HOLDS, VIOLATED)
        length = cell.explicit_mutant.length
        assert length is not None and 1 <= length <= 7
        assert (cell.symbolic_mutant.verdict, cell.symbolic_mutant.length, cell.symbolic_mutant.minimal) == \
            (VIOLATED, length, True), cell.symbolic_mutant.detail
        assert "confirmed on the explicit model within the scenario's bounds" in cell.symbolic_mutant.detail
        assert (cell.symbolic_base.verdict, cell.symbolic_base.depth) == (HOLDS, length)
        assert cell.symbolic_kill and not cell.disagreements
    assert not any(m.disagreements for m in mutants)


def test_an_unmutated_scenario_is_killed_by_neither(monkeypatch: pytest.MonkeyPatch) -> None:
    """A mutant that rewrites nothing is the unmutated m200: no verdict changes, and Spacer proves
    both properties on both sides (so the symbolic engine does not kill it either)."""
    monkeypatch.setitem(MUTANTS, "no_change", Mutant("no_change", "udm", "rewrites nothing", Rewrite(), ("m200",)))
    ids = ["pruk_stays_home", "supi_never_on_air"]
    report = cross_check(["no_change"], "spacer", timeout=600, all_cells=True, property_ids=ids)
    (m,) = report.mutants
    assert m.status == "neither" and [c.pid for c in m.cells] == ids
    for cell in m.cells:
        assert cell.explicit_base.verdict == cell.explicit_mutant.verdict == HOLDS
        assert [(s.verdict, s.depth) for s in (cell.symbolic_base, cell.symbolic_mutant)] == [(HOLDS, None)] * 2
    assert report.queries == 4


def _cell(eb: Side, em: Side, sb: Side, sm: Side) -> Cell:
    return Cell("m200", "knr_agreement", eb, em, sb, sm)


def test_a_time_out_is_undecided_and_a_contradiction_is_loud() -> None:
    held, broken = Side(HOLDS), Side(VIOLATED, 7)
    timed_out = MutantCross("a", [_cell(held, broken, Side(HOLDS, depth=7), Side(UNKNOWN, detail="time-out"))])
    assert timed_out.symbolic_killed is None and timed_out.status == UNKNOWN
    skipped = MutantCross("b", [_cell(held, held, Side(NOT_RUN), Side(NOT_RUN))])
    assert skipped.status == NOT_RUN
    shorter = MutantCross("c", [_cell(held, broken, Side(HOLDS, depth=7), Side(VIOLATED, 6))])
    assert shorter.status == "DISAGREE" and "symbolic shortest 6 steps, explicit shortest 7" in shorter.disagreements[0]
    missed = MutantCross("d", [_cell(held, broken, Side(HOLDS, depth=7), Side(HOLDS, depth=7))])
    assert missed.status == "DISAGREE" and "none within 7 steps, explicit VIOLATED in 7" in missed.disagreements[0]
    shallow = MutantCross("e", [_cell(held, broken, Side(HOLDS, depth=7), Side(HOLDS, depth=5))])
    assert shallow.status == "DISAGREE" and not shallow.disagreements  # explicit kills, symbolic does not
    report = CrossReport("bmc", 60, {"attempts": 1}, False, [timed_out, skipped, shorter, missed, shallow], 0, 0, 0)
    text = cross_table(report)
    assert "5 mutants: 0 both, 0 neither, 1 UNKNOWN, 1 not run, 3 DISAGREE" in text
    assert "DISAGREEMENT in c: m200 knr_agreement (mutant): symbolic shortest 6 steps" in text
    assert "DISAGREEMENT in e: explicit killed, symbolic -" in text


def test_the_cli_cross_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mutants", "--engine", "bmc", "--mutant", "null_scheme_suci", "--quiet"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("null_scheme_suci"))
    assert row.split()[1:4] == ["killed", "killed", "both"] and "supi_never_on_air e:H->V1 s:H<=1->V1" in row
    assert "1 mutants: 1 both" in out
    assert main(["mutants", "--engine", "bmc", "--mutant", "null_scheme_suci", "--property", "supi_never_on_air",
                 "--json", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["counts"]["both"] == 1 and doc["bounds"] == {"attempts": 1, "withdrawals": 1, "restores": 1}
    (cell,) = doc["mutants"][0]["cells"]
    assert cell["symbolic_mutant"]["length"] == cell["explicit_mutant"]["length"] == 1
    assert EXIT_DISAGREE == 25


@pytest.mark.parametrize("argv, message", [
    (["mutants", "--engine", "bmc", "--fast"], "--fast and --engine cannot be combined"),
    (["mutants", "--engine", "bmc", "--attempts", "0"], "--attempts: must be an integer in 1..14"),
    (["mutants", "--engine", "bmc", "--timeout", "0"], "--timeout: must be a finite number of seconds above 0"),
    (["mutants", "--engine", "bmc", "--property", "attempt_ends"], "not an 'always' property"),
    (["mutants", "--all-cells"], "add --engine bmc|spacer"),
])
def test_cross_check_bad_input(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
