"""Every committed generated file is current: one test per artifact of the registry
(:mod:`prosecheck.report.generated`), the same comparison as ``prosecheck regen --check``. The
tier of its own: ``pytest -m generated`` (slow too). After a deliberate model change: ``prosecheck
regen`` and review the diff."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prosecheck.cli import main
from prosecheck.cli.regen_cmd import EXIT_STALE
from prosecheck.report.generated import ARTIFACTS, REGISTRY, Inputs, build, stale_files

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.generated
@pytest.mark.parametrize("name", [a.name for a in REGISTRY])
def test_the_committed_files_are_current(check_once, name):
    artifact = ARTIFACTS[name]
    inputs = Inputs(check_once, ROOT)
    stale = stale_files(artifact, build(artifact, inputs), ROOT)
    assert not stale, f"stale (run: prosecheck regen {name}, and review the diff): {stale}"
    assert not inputs.notes or name == "diagrams", inputs.notes  # diagrams: a missing Graphviz is only a note


@pytest.mark.generated
def test_regen_check_names_a_tampered_diagram_and_regen_repairs_it(tmp_path, capsys):
    """On a copy of the committed diagrams/: an edited chart, a deleted one and a stray file are
    reported (exit 26) and nothing is written; ``regen diagrams`` puts all three right."""
    shutil.copytree(ROOT / "diagrams", tmp_path / "diagrams")
    edited, deleted = tmp_path / "diagrams/msc/fig2-m200-suci.mmd", tmp_path / "diagrams/states/amf.dot"
    edited.write_text(edited.read_text() + "%% edited\n")
    deleted.unlink()
    (tmp_path / "diagrams/states/gone.mmd").write_text("stateDiagram-v2\n")
    assert main(["regen", "--check", "diagrams", "--root", str(tmp_path), "--quiet"]) == EXIT_STALE
    out = capsys.readouterr().out
    for rel in ("diagrams/msc/fig2-m200-suci.mmd", "diagrams/states/amf.dot", "diagrams/states/gone.mmd"):
        assert f"stale: {rel} (prosecheck regen diagrams)" in out
    assert edited.read_text().endswith("%% edited\n") and not deleted.exists()
    assert main(["regen", "diagrams", "--root", str(tmp_path), "--quiet"]) == 0
    assert "diagrams: " in capsys.readouterr().out
    assert edited.read_bytes() == (ROOT / "diagrams/msc/fig2-m200-suci.mmd").read_bytes()
    assert deleted.read_bytes() == (ROOT / "diagrams/states/amf.dot").read_bytes()
    assert not (tmp_path / "diagrams/states/gone.mmd").exists()
    assert main(["regen", "--check", "diagrams", "--root", str(tmp_path), "--quiet"]) == 0
    assert not [p for p in tmp_path.rglob("*.regen")], "a temporary file was left behind"
