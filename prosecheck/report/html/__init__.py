"""The HTML report (``prosecheck report``): a folder of static pages that need no network.

``index.html``: the summary line, the verdicts that need attention, and the full verdict table
(every property column; sortable by a click on a header, filterable by scenario text and by
"only rows that need attention"; its first column sticky and its horizontal scroll inside the
table's box, so the page fits 1280 px). ``scenario/<id>.html``: one per scenario, with its
statistics, assumptions, properties and a trace explorer per counterexample (step list,
previous/next buttons and arrow keys, the full state at the selected step with the changed
variables marked, the sequence chart with the step's rows highlighted). ``diagrams.html``: the
happy paths and the element state diagrams.

Pages are rendered by Jinja2 with autoescaping on: every string from a result or a scenario file
is escaped; CSS and the script are inlined from the package's ``templates/`` folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from prosecheck import __version__
from prosecheck.diagrams.render import write_text
from prosecheck.report.attention import attention_rows, summary_line
from prosecheck.report.html.figures import happy_paths, state_diagrams
from prosecheck.report.html.views import columns, page_names, rows, scenario_view
from prosecheck.report.text import PROOF_LEGEND
from prosecheck.verify import ScenarioResult

TITLE = "prosecheck report: 5G ProSe UE-to-Network relay security (TS 33.503, US 2025/0260979 A1)"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment: autoescape on for every template (``.html.j2`` and the inlined files)."""
    return Environment(loader=PackageLoader("prosecheck.report.html", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _common(generated: datetime | None) -> dict[str, object]:
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return {"title": TITLE, "version": __version__, "generated": when}


def index_html(results: Sequence[ScenarioResult], generated: datetime | None = None) -> str:
    """The index page."""
    cols = columns(results)
    pages = page_names(results)
    return environment().get_template("index.html.j2").render(
        **_common(generated), root="", summary=summary_line(results), attention=attention_rows(results),
        pages=pages, columns=cols, rows=rows(results, cols), proof_legend=PROOF_LEGEND)


def scenario_html(r: ScenarioResult, page: str, generated: datetime | None = None) -> str:
    """One scenario's page."""
    return environment().get_template("scenario.html.j2").render(**_common(generated), root="../",
                                                                  **scenario_view(r, page))


def diagrams_html(results: Sequence[ScenarioResult], generated: datetime | None = None) -> str:
    """The happy paths and state diagrams page."""
    return environment().get_template("diagrams.html.j2").render(
        **_common(generated), root="", happy=happy_paths(results), diagrams=state_diagrams(results))


def write_report(results: Sequence[ScenarioResult], out: Path, generated: datetime | None = None) -> Path:
    """Write every page under ``out``; return the index's path."""
    when = generated or datetime.now(UTC)
    pages = page_names(results)
    for r in results:
        page = pages[r.scenario.id]
        write_text(out / "scenario" / page, scenario_html(r, page, when))
    write_text(out / "diagrams.html", diagrams_html(results, when))
    return write_text(out / "index.html", index_html(results, when))


__all__ = ["diagrams_html", "index_html", "scenario_html", "write_report"]
