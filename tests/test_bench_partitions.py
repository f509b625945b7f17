"""``python -m prosecheck.bench_partitions``: the measured inputs of the parallel model in docs/performance.md."""

from __future__ import annotations

import json

import pytest

from prosecheck import bench_partitions
from prosecheck.bench import BENCHMARKS
from prosecheck.checker.native.build import compiler
from prosecheck.checker.search import explore
from prosecheck.model.build import build_system

pytestmark = pytest.mark.skipif(compiler() is None, reason="no C compiler: the partitioned search does not run")


def test_counts_do_not_depend_on_the_partitions() -> None:
    sequential = explore(build_system(BENCHMARKS["tiny"].build()))
    rows = [bench_partitions.scale("tiny", parts, owner) for parts in (1, 2, 3) for owner in (0, 1)]
    assert {r["states"] for r in rows} == {sequential.states}
    assert {r["levels"] for r in rows} == {max(sequential.depth) + 1}
    for r in rows:
        assert r["stopped"] is None
        assert (r["rows"] == 0) == (r["partitions"] == 1)
        assert r["largest_share"] >= 1.0
        assert r["c_work_max"] <= r["c_work_sum"]


def test_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_partitions.main(["tiny", "1,2", "--owner", "0"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["partitions"] for r in lines] == [1, 2]
    with pytest.raises(SystemExit) as bad:
        bench_partitions.main(["tiny", "two"])
    assert bad.value.code == 2
    with pytest.raises(SystemExit) as zero:
        bench_partitions.main(["tiny", "0"])
    assert zero.value.code == 2
