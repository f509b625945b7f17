"""What needs attention after a check, and the one line that ends every check.

The full verdict matrix (:func:`prosecheck.report.text.verdict_table`) is 37+ columns wide; the
default view of ``prosecheck check`` shows only the verdicts a reader must look at: those not as
the scenario declares (they set the exit code), INCONCLUSIVE ones (a limit was hit), then the
declared VIOLATED and UNREACHED ones (known findings), one row per scenario and kind, wrapped to
the terminal (at most :data:`MAX_WIDTH` columns)."""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from prosecheck.report.text import property_cell, property_code, threat_cell
from prosecheck.scenarios.catalog import HOLDS
from prosecheck.verify import INCONCLUSIVE, NOT_APPLICABLE, PropertyResult, ScenarioResult, worst

MAX_WIDTH = 120
"""The widest the attention view gets, whatever the terminal (a pipe or a file gets this width)."""

_NOT_AS_DECLARED, _INCONCLUSIVE, _DECLARED = 0, 1, 2
_RANK_WORDS = {_NOT_AS_DECLARED: "NOT AS DECLARED", _INCONCLUSIVE: "limit hit", _DECLARED: "as declared"}


def needs_attention(p: PropertyResult) -> bool:
    """A verdict a reader must look at: not as declared, INCONCLUSIVE, VIOLATED or UNREACHED."""
    return p.verdict != NOT_APPLICABLE and (not p.as_expected or p.verdict != HOLDS)


def _rank(p: PropertyResult) -> int:
    if p.verdict == INCONCLUSIVE:
        return _INCONCLUSIVE
    return _DECLARED if p.as_expected else _NOT_AS_DECLARED


@dataclass(frozen=True)
class AttentionRow:
    """The properties of one scenario with the same verdict and the same standing."""

    rank: int
    scenario: str
    threats: str
    verdict: str  # the cell word: VIOLATED, UNREACHED, INCONCL., holds, reached, ...
    declared: str  # "as declared", or what the scenario declares instead
    properties: tuple[str, ...]  # column names (KNR-AUTH, ...)


def attention_rows(results: Sequence[ScenarioResult]) -> list[AttentionRow]:
    """Rows in order of urgency (not as declared, INCONCLUSIVE, declared findings), scenarios in run order."""
    groups: dict[tuple[int, int, str, str], list[str]] = {}
    for index, r in enumerate(results):
        for p in r.properties.values():
            if not needs_attention(p):
                continue
            rank = _rank(p)
            declared = f"declared {p.expected}"
            groups.setdefault((rank, index, property_cell(p), declared), []).append(
                property_code(p.id, r.scenario))
    rows = []
    for (rank, index, verdict, declared), codes in sorted(groups.items()):
        r = results[index]
        rows.append(AttentionRow(rank, r.scenario.id, threat_cell(r), verdict,
                                 declared if rank == _NOT_AS_DECLARED else _RANK_WORDS[rank], tuple(codes)))
    return rows


ATTENTION_HEADER = ["scenario", "threats", "verdict", "standing", "properties"]


def attention_matrix(results: Sequence[ScenarioResult]) -> tuple[list[str], list[list[str]]]:
    """The rows of :func:`attention_rows` as plain cells (for CSV and Markdown)."""
    return ATTENTION_HEADER, [[r.scenario, r.threats, r.verdict, r.declared, ", ".join(r.properties)]
                              for r in attention_rows(results)]


def terminal_width() -> int:
    """The terminal's width capped at :data:`MAX_WIDTH`; :data:`MAX_WIDTH` when stdout is not a terminal."""
    if not sys.stdout.isatty():
        return MAX_WIDTH
    return min(MAX_WIDTH, shutil.get_terminal_size((MAX_WIDTH, 24)).columns)


def attention_table(results: Sequence[ScenarioResult], width: int | None = None) -> str:
    """The rows of :func:`attention_rows` as a text table no wider than ``width`` (long cells wrap)."""
    rows = attention_rows(results)
    if not rows:
        return "every verdict holds or is reached, as declared: nothing needs attention"
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for name, ratio in (("scenario", None), ("threats", None), ("verdict", None), ("standing", None),
                        ("properties", 1)):
        table.add_column(name, ratio=ratio, overflow="fold", no_wrap=name != "properties")
    for row in rows:
        style = _STYLES.get(row.rank, "") if row.rank != _DECLARED else _VERDICT_STYLES.get(row.verdict, "")
        table.add_row(row.scenario, row.threats, Text(row.verdict, style=style), Text(row.declared, style=style),
                      ", ".join(row.properties))
    legend = ("properties: the full table's column names ('prosecheck check --table full'; 'prosecheck list' "
              "describes each property)")
    return _render(table, width or terminal_width()) + "\n\n" + legend


_STYLES = {_NOT_AS_DECLARED: "bold red", _INCONCLUSIVE: "bold yellow"}
_VERDICT_STYLES = {"VIOLATED": "red", "UNREACHED": "yellow"}


def use_colour() -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _render(table: Table, width: int) -> str:
    """A rich table as text, ``width`` columns at most, no trailing spaces; ANSI colour only where
    :func:`use_colour` allows it (pipes, files and tests get plain text)."""
    buffer = io.StringIO()
    colour = use_colour()
    Console(file=buffer, width=width, color_system="standard" if colour else None, force_terminal=colour,
            highlight=False, emoji=False, legacy_windows=False, soft_wrap=False).print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()).strip("\n")


def summary_line(results: Sequence[ScenarioResult], exit_code: int | None = None) -> str:
    """One line for the end of a check: scenarios, states, verdicts by standing, and the exit code
    (known findings: VIOLATED or UNREACHED as the scenario declares; unexpected: not as declared)."""
    verdicts = [p for r in results for p in r.properties.values() if p.verdict != NOT_APPLICABLE]
    off = sum(not p.as_expected and p.verdict != INCONCLUSIVE for p in verdicts)
    inconclusive = sum(p.verdict == INCONCLUSIVE for p in verdicts)
    findings = sum(p.as_expected and p.verdict not in (HOLDS, INCONCLUSIVE) for p in verdicts)
    holding = sum(p.verdict == HOLDS for p in verdicts)
    proved = sum(p.verdict == HOLDS and p.proved_by is not None for p in verdicts)
    exhaustive = sum(r.complete and not r.cut for r in results)
    code = worst(r.exit_code for r in results) if exit_code is None else exit_code
    searched = "exhaustive" if exhaustive == len(results) else f"{len(results) - exhaustive} NOT exhaustive"
    undecided = f", {inconclusive} INCONCLUSIVE" if inconclusive else ""
    return (f"{len(results)} scenario{'s' if len(results) != 1 else ''}, {sum(r.states for r in results):,} states, "
            f"{searched}: {holding:,} hold ({proved} proved), {findings} known findings{undecided}, {off} unexpected; "
            f"exit {code}")
