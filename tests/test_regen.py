"""`prosecheck regen` (fast tier): the registry's files stay small, --list, --check and the writing
on a toy artifact (nothing half-written on an error or a Ctrl-C). Whether the committed files are
current is tests/test_generated.py (``pytest -m generated``)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from prosecheck.cli import main
from prosecheck.cli.regen_cmd import EXIT_STALE
from prosecheck.report import generated
from prosecheck.report.generated import MAX_BYTES, RECORDED_ELSEWHERE, REGISTRY, Artifact, GeneratedError

ROOT = Path(__file__).resolve().parent.parent


def _files(root: Path, rel: str) -> list[Path]:
    path = root / rel
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def test_no_committed_generated_file_is_over_200_kb():
    sizes = {p.relative_to(ROOT).as_posix(): p.stat().st_size for a in REGISTRY for rel in a.paths
             for p in _files(ROOT, rel)}
    assert len(sizes) > 100  # the verdict table's file, docs/threats/, spec-analysis, diagrams/, tests/golden/
    over = {name: size for name, size in sizes.items() if size > MAX_BYTES}
    assert not over, f"generated files over {MAX_BYTES // 1024} KB (split them or make them smaller): {over}"


def test_every_artifact_owns_committed_files_and_no_two_own_the_same():
    owners: dict[str, str] = {}
    for a in REGISTRY:
        files = generated.owned_files(a, ROOT)
        assert files, f"{a.name}: no committed file under {a.paths}"
        for f in files:
            assert owners.setdefault(f, a.name) == a.name, f"{f} is owned by {owners[f]} and {a.name}"


def test_list_names_every_artifact_and_what_is_recorded_elsewhere(capsys):
    assert main(["regen", "--list"]) == 0
    out = capsys.readouterr().out
    for a in REGISTRY:
        assert out.count(f"\n{a.name} ") + out.startswith(f"{a.name} ") == 1
    assert "not regenerated here:" in out
    for path, _ in RECORDED_ELSEWHERE:
        assert f"  {path}: " in out
    assert "prosecheck/data/proofs.json: recorded by `prosecheck prove --save" in out


def test_an_unknown_name_is_bad_input(capsys):
    assert main(["regen", "--check", "nonesuch"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("prosecheck: error: unknown artifact 'nonesuch'; known: verdict-table, threats")
    assert "Traceback" not in err


# ---- a toy artifact: the machinery, in milliseconds -----------------------------------------------

def _toy(pages: dict[str, str], fail: bool = False) -> Artifact:
    def generate(inputs: generated.Inputs) -> dict[str, str]:
        if fail:
            raise KeyboardInterrupt  # a Ctrl-C while it builds
        return {f"out/{name}": text for name, text in pages.items()}

    return Artifact("toy" if not fail else "broken", ("out",), "a test artifact", generate)


@pytest.fixture
def registry(monkeypatch):
    """Replace the registry by the given artifacts (``regen`` looks them up at run time)."""
    def use(*artifacts: Artifact) -> None:
        monkeypatch.setattr(generated, "REGISTRY", artifacts)
        monkeypatch.setattr(generated, "ARTIFACTS", {a.name: a for a in artifacts})
    return use


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_check_lists_each_stale_file_and_writes_nothing(tmp_path, registry, capsys):
    registry(_toy({"a.md": "A\n", "b.md": "B\n", "c.md": "C\n"}))
    (tmp_path / "out").mkdir()
    (tmp_path / "out/a.md").write_text("A\n")  # current
    (tmp_path / "out/b.md").write_text("tampered\n")  # c.md missing
    (tmp_path / "out/old.md").write_text("no longer generated\n")
    before = _tree(tmp_path)
    assert main(["regen", "--check", "--root", str(tmp_path), "--quiet"]) == EXIT_STALE
    out = capsys.readouterr().out.splitlines()
    assert out == ["stale: out/b.md (prosecheck regen toy)", "stale: out/c.md (prosecheck regen toy)",
                   "stale: out/old.md (prosecheck regen toy)", "3 stale file(s) in 1 of 1 artifact(s)"]
    assert _tree(tmp_path) == before


def test_regen_rewrites_what_changed_removes_what_is_gone_and_then_checks_clean(tmp_path, registry, capsys):
    registry(_toy({"a.md": "A\n", "b.md": "B", "sub/c.md": "C\n"}))
    (tmp_path / "out").mkdir()
    (tmp_path / "out/a.md").write_text("A\n")
    (tmp_path / "out/old.md").write_text("no longer generated\n")
    assert main(["regen", "toy", "--root", str(tmp_path), "--quiet"]) == 0
    assert capsys.readouterr().out == "toy: 3 file(s), 2 rewritten, 1 removed\n"
    assert _tree(tmp_path) == {"out/a.md": "A\n", "out/b.md": "B\n", "out/sub/c.md": "C\n"}  # one final newline
    assert main(["regen", "--check", "--root", str(tmp_path), "--quiet"]) == 0
    assert main(["regen", "--root", str(tmp_path), "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "toy: 3 file(s), 0 rewritten, 0 removed"


def test_a_ctrl_c_while_building_writes_nothing(tmp_path, registry, capsys):
    """Every artifact is built before any file is written: an interrupted build leaves the checkout."""
    registry(_toy({"a.md": "new\n"}), _toy({}, fail=True))
    (tmp_path / "out").mkdir()
    (tmp_path / "out/a.md").write_text("old\n")
    assert main(["regen", "--root", str(tmp_path), "--quiet"]) == 130
    assert capsys.readouterr().err == "prosecheck: interrupted\n"
    assert _tree(tmp_path) == {"out/a.md": "old\n"}


def test_a_failed_write_changes_nothing_and_leaves_no_temporary_file(tmp_path, registry, monkeypatch, capsys):
    registry(_toy({"a.md": "new A\n", "b.md": "new B\n"}))
    (tmp_path / "out").mkdir()
    (tmp_path / "out/a.md").write_text("old A\n")
    (tmp_path / "out/b.md").write_text("old B\n")
    real = generated._temp_copy

    def full_disk(path: Path, text: str) -> Path:
        if path.name == "b.md":
            raise OSError(28, "No space left on device", str(path))
        return real(path, text)

    monkeypatch.setattr(generated, "_temp_copy", full_disk)
    assert main(["regen", "--root", str(tmp_path), "--quiet"]) == 2
    assert capsys.readouterr().err == f"prosecheck: error: {tmp_path / 'out/b.md'}: cannot write: No space left on device\n"
    assert _tree(tmp_path) == {"out/a.md": "old A\n", "out/b.md": "old B\n"}  # a.md's temporary copy removed too


def test_a_block_in_a_hand_written_file_is_replaced_between_its_markers():
    start, end = "<!-- t:start -->\n", "\n<!-- t:end -->"
    text = f"intro\n{start}old\nlines{end}\nafter\n"
    assert generated.replace_block(text, start, end, "new", "F") == f"intro\n{start}new{end}\nafter\n"
    with pytest.raises(GeneratedError, match="^F: no block between '<!-- t:start -->' and '<!-- t:end -->'$"):
        generated.replace_block("no markers\n", start, end, "new", "F")


def test_a_root_that_is_not_a_folder_is_bad_input(tmp_path, capsys):
    assert main(["regen", "--check", "--root", str(tmp_path / "nowhere")]) == 2
    assert "--root" in capsys.readouterr().err


def test_a_ctrl_c_while_writing_waits_until_every_file_is_written(tmp_path, registry, monkeypatch, capsys):
    """A SIGINT that arrives while the files are written is held back until all are: the checkout is
    never left with one artifact new and another old; the command then ends as interrupted (130)."""
    registry(_toy({"a.md": "new A\n", "b.md": "new B\n"}))
    (tmp_path / "out").mkdir()
    real = generated._temp_copy

    def interrupted(path: Path, text: str) -> Path:
        if path.name == "a.md":
            os.kill(os.getpid(), signal.SIGINT)
        return real(path, text)

    monkeypatch.setattr(generated, "_temp_copy", interrupted)
    assert main(["regen", "--root", str(tmp_path), "--quiet"]) == 130
    assert _tree(tmp_path) == {"out/a.md": "new A\n", "out/b.md": "new B\n"}
    assert capsys.readouterr().err == "prosecheck: interrupted\n"
