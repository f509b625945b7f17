"""`prosecheck bench` on the tiny configuration only (the real benchmarks take minutes)."""

from __future__ import annotations

import json

from prosecheck.bench import BENCHMARKS, table
from prosecheck.cli import main
from prosecheck.verify import check_scenario


def test_bench_tiny_reports_the_counts_of_a_check(capsys) -> None:
    assert main(["bench", "tiny", "--json"]) == 0
    captured = capsys.readouterr()
    row = json.loads(captured.out)["benchmarks"][0]["prosecheck"]
    checked = check_scenario(BENCHMARKS["tiny"].build(), ["knr_agreement"])
    assert (row["states"], row["transitions"], row["depth"]) == (checked.states, checked.transitions, checked.depth)
    assert row["complete"] and row["peak_rss_mb"] > 0 and row["seconds"] >= 0
    assert "[bench] tiny" in captured.err  # progress on stderr


def test_bench_table_and_bad_names(capsys) -> None:
    assert main(["bench", "nope"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err
    assert main(["bench", "tiny"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("benchmark") and "tiny: m200" in text
    assert table([]).startswith("benchmark")
