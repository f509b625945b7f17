"""Every ``--json`` document validates against its published schema (prosecheck/schemas/, docs/json.md),
readers of a saved ``check --json`` document refuse a format version they do not know, and check's
``outcome`` says what the text says. Small inputs only (m200 with one attempt, the ``tiny`` benchmark)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from prosecheck.cli import COMMANDS, main
from prosecheck.inputs import InputFileError
from prosecheck.report.text import property_code
from prosecheck.schemas import DOCUMENTS, FORMAT_VERSION, check_format, schema

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["m200", "--attempts", "1"]

RUNS: dict[str, list[str]] = {
    "list": ["list", "--json"],
    "mutants": ["mutants", "--fast", "--json", "--quiet", "--mutant", "null_scheme_suci"],
    "mutants-crosscheck": ["mutants", "--engine", "bmc", "--mutant", "null_scheme_suci", "--property",
                           "supi_never_on_air", "--json", "--quiet"],
    "prove": ["prove", "m200", "--property", "pruk_stays_home", "--property", "attempt_ends", "--json", "--quiet"],
    "analyze": ["analyze", "m300.panf_udm", "--json"],
    "review": ["review", "m300.panf_udm", "--json"],
    "bench": ["bench", "tiny", "--json"],
    "bench-phases": ["bench", "tiny", "--phases", "--json"],
    "threats": ["threats", "m200@pc5_attacker", "--attempts", "1", "--json", "--quiet"],
}
"""A small run of each command that prints a document (check and replay: the fixtures below)."""


def _printed(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    main(argv)
    return json.loads(capsys.readouterr().out)


def _valid(name: str, doc: Any) -> None:
    jsonschema.Draft202012Validator(schema(name)).validate(doc)
    assert (doc["format"], doc["format_version"]) == (f"prosecheck-{name}", FORMAT_VERSION)
    assert list(doc)[:2] == ["format", "format_version"]


@pytest.fixture(scope="module")
def saved_check(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """``check m200 --attempts 1 --json``, printed and saved to a file."""
    capture = tmp_path_factory.mktemp("check") / "m200.json"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", *SMALL, "--json", "--quiet"])
    capture.write_text(out.getvalue())
    return capture, json.loads(out.getvalue())


def test_every_schema_is_a_valid_draft_2020_12_schema_with_format_version_1() -> None:
    for name in DOCUMENTS:
        s = schema(name)
        jsonschema.Draft202012Validator.check_schema(s)
        assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert s["$id"].endswith(f"/{name}.schema.json") and s["title"] and s["description"]
        top = s["$defs"]["document"] if name == "check" else s
        assert top["properties"]["format"] == {"const": f"prosecheck-{name}", "description": "what the document is"}
        assert top["properties"]["format_version"]["const"] == FORMAT_VERSION == 1
        assert top["additionalProperties"] is False


def test_every_json_flag_has_a_document() -> None:
    """Each subcommand with --json prints a document listed in DOCUMENTS (a new flag needs a schema)."""
    with_json = set()
    for command in COMMANDS:
        parser = command.register(argparse.ArgumentParser().add_subparsers())
        if any("--json" in a.option_strings for a in parser._actions):
            with_json.add(command.NAME)
    assert with_json == {line.split()[0] for line in DOCUMENTS.values()}


def test_check_document_validates(saved_check: tuple[Path, dict[str, Any]]) -> None:
    _, doc = saved_check
    _valid("check", doc)
    assert all("outcome" in p for r in doc["results"] for p in r["properties"].values())


def test_replay_document_validates(saved_check: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = saved_check
    doc = _printed(capsys, ["replay", str(path), "--json"])
    _valid("replay", doc)
    assert doc["outcomes"] and all(o["confirmed"] for o in doc["outcomes"])


@pytest.mark.parametrize("name", sorted(RUNS))
def test_document_validates(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    _valid(name, _printed(capsys, RUNS[name]))


def test_threats_document_lists_the_texts_violations(capsys: pytest.CaptureFixture[str]) -> None:
    argv = RUNS["threats"]
    doc = _printed(capsys, argv)
    main([a for a in argv if a != "--json"])
    line = capsys.readouterr().out.strip()
    assert line.split()[0] == doc["scenarios"][0]["scenario"]
    assert line.endswith(", ".join(v["property"] for v in doc["scenarios"][0]["violations"]))
    assert {v["outcome"] for v in doc["scenarios"][0]["violations"]} == {"VIOLATED", "UNREACHED"}


def _with(doc: dict[str, Any], path: Path, **fields: Any) -> Path:
    changed = {**doc, **fields}
    for key in [k for k, v in fields.items() if v is None]:
        del changed[key]
    path.write_text(json.dumps(changed))
    return path


def test_readers_refuse_an_unknown_format_version(saved_check: tuple[Path, dict[str, Any]], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, doc = saved_check
    newer = _with(doc, tmp_path / "v2.json", format_version=2)
    assert main(["replay", str(newer)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{newer}: field format_version: 2 is not a version" in err
    for argv in (["diagram", "msc", str(newer), "--out", str(tmp_path / "d")], ["threats", str(newer)]):
        assert main(argv) == 2
        assert "field format_version: 2" in capsys.readouterr().err
    other = _with(doc, tmp_path / "other.json", format="prosecheck-list")
    assert main(["replay", str(other)]) == 2
    assert "field format: \"prosecheck-list\" is not 'prosecheck-check'" in capsys.readouterr().err


def test_a_document_without_format_fields_is_still_read(saved_check: tuple[Path, dict[str, Any]],
                                                          tmp_path: Path) -> None:
    """Documents of a prosecheck before format versions (no format, no format_version) are version 1's shape."""
    _, doc = saved_check
    older = _with(doc, tmp_path / "old.json", format=None, format_version=None)
    assert "format" not in json.loads(older.read_text())
    assert main(["replay", str(older)]) == 0


@pytest.mark.parametrize("bad", [2, 0, "1", True, 1.0, None])
def test_check_format_refuses_every_other_version(bad: Any) -> None:
    with pytest.raises(InputFileError, match=r"^f: field format_version: .* is not a version this prosecheck reads"):
        check_format("f", {"format_version": bad}, "check")
    check_format("f", {"format_version": 1}, "check")
    check_format("f", {}, "check")


def _table_cells(text: str) -> dict[str, str]:
    """The m200 row of ``check --table full``: column name -> cell, without the '!' mark."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("scenario "))
    heads = re.split(r"\s{2,}", lines[at].strip())
    row = next(line for line in lines[at + 2:] if line.startswith("m200 "))
    cells = [c.removesuffix(" !") for c in re.split(r"\s{2,}", row.strip())]
    assert len(cells) == len(heads)
    return dict(zip(heads, cells))


@pytest.mark.parametrize("limit", [[], ["--max-states", "60"]], ids=["exhaustive", "stopped"])
def test_outcome_is_the_text_tables_word(limit: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """The same run as JSON and as the full table: each property's outcome is its cell (INCONCL. spelt out);
    stopped early, INCONCLUSIVE and a measure's lower bound appear too."""
    doc = _printed(capsys, ["check", *SMALL, *limit, "--json", "--quiet"])
    _valid("check", doc)
    main(["check", *SMALL, *limit, "--table", "full", "--quiet"])
    cells = _table_cells(capsys.readouterr().out)
    props = doc["results"][0]["properties"]
    words = {property_code(pid): p["outcome"] for pid, p in props.items()}
    assert {code: ("INCONCLUSIVE" if c == "INCONCL." else c) for code, c in cells.items() if code in words} == words
    assert len(words) == len(props) and set(words) <= set(cells)
    sometimes = [p for p in props.values() if p["kind"] == "sometimes" and p["verdict"] in ("HOLDS", "VIOLATED")]
    assert sometimes and all(p["outcome"] == {"HOLDS": "reached", "VIOLATED": "UNREACHED"}[p["verdict"]]
                             for p in sometimes)
    if limit:
        assert "INCONCLUSIVE" in words.values() and any(w.startswith(">=") for w in words.values())


def test_docs_list_every_document_with_its_schema() -> None:
    """docs/json.md has a row per document: the command line, the format, a link to the schema that exists."""
    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for name, command in DOCUMENTS.items():
        row = f"| `prosecheck {command.replace('|', chr(92) + '|')}` | `prosecheck-{name}` | " \
              f"[{name}.schema.json](../prosecheck/schemas/{name}.schema.json) |"
        assert row in text
        assert (ROOT / "prosecheck" / "schemas" / f"{name}.schema.json").is_file()


def test_the_initial_state_and_the_changes_give_the_full_state_at_every_step(capsys):
    from prosecheck.model.build import build_system
    from prosecheck.report.world_state import trace_states
    from prosecheck.scenarios.catalog import SCENARIOS
    from prosecheck.trace_steps import TraceStep
    from prosecheck.verify import check_scenario

    assert main(["check", "m200", "--attempts", "1", "--json", "--quiet"]) == 12  # declared findings need 2 attempts
    result = json.loads(capsys.readouterr().out)["results"][0]
    initial = result["initial_state"]
    assert len(initial) == build_system(SCENARIOS["m200"].with_bounds(attempts=1)).link_base
    assert initial["remote_ue.state"] == "idle"
    traced = [p for p in result["properties"].values() if p["trace"]]
    assert traced
    steps = [TraceStep(**{k: v for k, v in s.items() if k in TraceStep.__dataclass_fields__})
             for s in traced[0]["trace"]]
    states = trace_states(initial, steps)
    assert len(states) == len(steps) and states[-1] != initial
    untraced = check_scenario(SCENARIOS["m300.panf_udm"].with_bounds(attempts=1), ["knr_agreement"])
    from prosecheck.report.json_out import scenario_json

    assert not any(p.trace for p in untraced.properties.values())
    assert scenario_json(untraced)["initial_state"] is None  # no trace, no need for it
