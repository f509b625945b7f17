"""The README and the manual in docs/ stay short, linked and true (pure text: the fast tier).

The README fits on a screen and gives the two commands; every relative link or image in it, in
docs/*.md, ARCHITECTURE.md and diagrams/README.md names a file inside the repository (and a
``#anchor`` a heading of that file, slugged as GitHub does); the table of contents lists every
docs file; docs/cli.md names every flag, docs/exit-codes.md every exit code the code defines.
The verdict table in docs/verdicts.md is checked against the real output in test_docs_verdicts.py
(slow: it checks every default scenario).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
MAX_README_BYTES = 10 * 1024
MAIN_JOB = ".venv/bin/pip install -e . && .venv/bin/prosecheck check"
TEST_COMMAND = ("python3 -m venv .venv && .venv/bin/pip install -e '.[test,ray]' && "
                ".venv/bin/python -m pytest -q -n auto --dist loadgroup")
FAST_TIER = 'pytest -q -m "not slow"'

PAGES = sorted([README, ROOT / "ARCHITECTURE.md", ROOT / "diagrams" / "README.md", *DOCS.glob("*.md")])
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)


def prose(text: str) -> str:
    """The text without fenced code blocks and code spans (a link inside code is not a link)."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def links(text: str) -> list[str]:
    """The targets of the Markdown links and images in ``text`` (inline form, as the docs write them)."""
    return _LINK.findall(prose(text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return "".join(c for c in text if c.isalnum() or c in "-_ ").replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading anchor of a Markdown text, with GitHub's -1, -2 ... for repeated headings."""
    seen: dict[str, int] = {}
    out = set()
    for heading in _HEADING.findall(_FENCE.sub("", text)):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def broken_links(page: Path, text: str | None = None) -> list[str]:
    """Each relative link of ``page`` (its ``text``, read if not given) that leaves the repository,
    names no file, or names a heading the file does not have."""
    text = page.read_text(encoding="utf-8") if text is None else text
    problems = []
    for target in links(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto: ...: not a file
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / unquote(path_part)).resolve() if path_part else page.resolve()
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target}: outside the repository")
        elif path_part and not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md":
            headings = anchors(resolved.read_text(encoding="utf-8") if path_part else text)
            if anchor not in headings:
                problems.append(f"{target}: no heading #{anchor} in {resolved.relative_to(ROOT)}")
    return problems


def test_the_readme_fits_on_a_screen():
    size = len(README.read_bytes())
    assert size <= MAX_README_BYTES, f"README.md is {size} bytes; at most {MAX_README_BYTES} (move detail to docs/)"


def test_the_readme_gives_the_main_job_the_test_command_and_the_fast_tier():
    text = README.read_text(encoding="utf-8")
    assert MAIN_JOB in text
    assert TEST_COMMAND in text
    assert FAST_TIER in text


def test_ci_runs_exactly_the_readme_test_command():
    last = (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip("\n").splitlines()[-1]
    assert last == TEST_COMMAND
    assert any(line.strip() == last for line in README.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(page):
    assert broken_links(page) == []


def test_the_link_check_sees_what_is_broken():
    """The checker itself: a missing file, an escape, a missing heading are found; code is not a link."""
    text = ("# Title\n[a](missing.md) [b](../../outside.md) [c](README.md#no-such-heading) [d](#title) "
            "[e](#nope) ![f](report.png) [g](cli.md#check) `[h](in-code.md)`\n```\n[i](in-fence.md)\n```\n")
    assert links(text) == ["missing.md", "../../outside.md", "README.md#no-such-heading", "#title", "#nope",
                           "report.png", "cli.md#check"]
    problems = [p.split(":")[0] for p in broken_links(DOCS / "not-a-file.md", text)]
    assert problems == ["missing.md", "../../outside.md", "README.md#no-such-heading", "#nope"]


def test_headings_slug_as_on_github():
    assert slug("Methods 400–700 (the 5GPRUK update)") == "methods-400700-the-5gpruk-update"
    assert slug("`prosecheck replay`") == "prosecheck-replay"
    assert slug("Parallel search on Ray (`prosecheck bench large single medium --workers 1,2`)") == \
        "parallel-search-on-ray-prosecheck-bench-large-single-medium---workers-12"


def test_the_table_of_contents_lists_every_docs_file():
    listed = {t.partition("#")[0] for t in links((DOCS / "README.md").read_text(encoding="utf-8"))}
    missing = sorted(p.name for p in DOCS.glob("*.md") if p.name != "README.md" and p.name not in listed)
    assert missing == [], f"docs/README.md does not list {missing}"
    assert "docs/README.md" in links(README.read_text(encoding="utf-8"))


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every (sub-)command's parser by its name, e.g. 'check', 'diagram msc'."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[prefix + name] = sub
                found.update(_commands(sub, prefix + name + " "))
    return found


def test_the_cli_reference_names_every_command_and_flag():
    from prosecheck.cli import _parser

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = []
    for name, sub in _commands(_parser()).items():
        if f"prosecheck {name}" not in text:
            missing.append(name)
        for action in sub._actions:
            missing += [f"{name} {flag}" for flag in action.option_strings
                        if flag not in ("-h", "--help") and not re.search(re.escape(flag) + r"(?![\w-])", text)]
    assert missing == [], f"docs/cli.md does not name {missing}"


def _exit_codes() -> set[int]:
    """Every exit code the code defines: the verdict codes, each command's own, 130 for Ctrl-C."""
    from prosecheck import results
    from prosecheck.cli import analyze_cmd, certify_cmd, interrupts, mutants_cmd, prove_cmd, replay_cmd

    modules = (results, analyze_cmd, certify_cmd, interrupts, mutants_cmd, prove_cmd, replay_cmd)
    return {value for module in modules for name, value in vars(module).items()
            if name.startswith("EXIT_") and isinstance(value, int)}


def test_the_exit_code_table_has_every_code_the_code_defines():
    table = (DOCS / "exit-codes.md").read_text(encoding="utf-8")
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", table, re.M)}
    assert _exit_codes() - documented == set()
    assert {0, 2, 11, 12, 13, 20, 21, 22, 23, 24, 25, 26, 130} <= _exit_codes()  # the introspection finds them


def test_the_scenario_file_example_in_the_docs_loads(tmp_path):
    from prosecheck.scenarios.scenario_file import load_scenario_file

    text = (DOCS / "scenario-files.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block is not None
    path = tmp_path / "example.toml"
    path.write_text(block.group(1), encoding="utf-8")
    scenario = load_scenario_file(path)
    assert scenario.id == "panf_udm.literal_0263.quick"
    assert scenario.bounds.attempts == 2 and scenario.bounds.withdrawals == 1
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    assert len(blocks) == 2  # the second: properties of one's own
    own = tmp_path / "own.toml"
    own.write_text(blocks[1], encoding="utf-8")
    assert [p.id for p in load_scenario_file(own).properties] == ["no_knr_without_check", "request_answered"]


def test_architecture_names_every_module():
    """ARCHITECTURE.md lists every module of the package (by path or by file name in its row)."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    modules = [p for p in (ROOT / "prosecheck").rglob("*.py") if p.name != "__init__.py"]
    missing = [str(p.relative_to(ROOT)) for p in modules
               if not re.search(rf"(?<![\w.]){re.escape(p.name)}\b", text)]
    assert not missing, f"modules ARCHITECTURE.md does not name: {missing}"
