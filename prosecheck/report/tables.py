"""A table of cells as CSV (for spreadsheets) or as a Markdown table (for documents): the
``--format csv|md`` of ``check``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence


def as_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """RFC 4180 CSV with a header row (``\\r\\n`` line ends, as the csv module writes them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def as_markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table (``|`` in a cell escaped)."""
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
