"""Charts from trace files (``check --json`` output, or a saved trace) and from the figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from prosecheck.diagrams.figures import FIGURES, happy_path
from prosecheck.diagrams.msc import Chart, build_chart
from prosecheck.inputs import InputFileError, parse_json, read_text, validate
from prosecheck.schemas import check_format, part

REQUIRED = ("number", "element", "event", "action", "outputs")


class TraceFileError(Exception):
    """A trace file that cannot be read or does not have the expected shape."""


def _load(path: str) -> Any:
    """The JSON value in ``path`` (``-``: standard input), read safely (:mod:`prosecheck.inputs`)."""
    try:
        return parse_json("<stdin>" if path == "-" else path, read_text(path, allow_stdin=True))
    except InputFileError as exc:
        raise TraceFileError(str(exc)) from None


def _check(path: str, doc: Any, definition: str) -> None:
    """The document's shape, as ``check.schema.json`` describes ``definition`` (a whole document:
    its ``format`` and ``format_version`` first, :func:`prosecheck.schemas.check_format`)."""
    try:
        if definition in ("document", "result"):
            check_format("<stdin>" if path == "-" else path, doc, "check")
        validate("<stdin>" if path == "-" else path, doc, part("check", definition))
    except InputFileError as exc:
        raise TraceFileError(str(exc)) from None


def _checked_steps(path: str, where: str, steps: Any) -> list[Mapping[str, Any]]:
    if not isinstance(steps, list) or not steps:
        raise TraceFileError(f"{path}: {where}: the trace must be a non-empty list of steps")
    for i, st in enumerate(steps, start=1):
        if not isinstance(st, dict):
            raise TraceFileError(f"{path}: {where}: step {i} is not an object")
        for key in REQUIRED:
            if key not in st:
                raise TraceFileError(f"{path}: {where}: step {i} has no {key!r} field (written by an older "
                                     "prosecheck? run 'prosecheck check --json' again)")
    return steps


def _from_results(path: str, doc: Mapping[str, Any], scenario: str | None, prop: str | None) -> list[tuple[str, Chart]]:
    results = doc.get("results")
    if not isinstance(results, list):
        raise TraceFileError(f"{path}: field 'results' must be a list")
    charts: list[tuple[str, Chart]] = []
    present: list[str] = []
    for r in results:
        sid = str(r.get("scenario", "?"))
        if scenario is not None and sid != scenario:
            continue
        for pid, p in (r.get("properties") or {}).items():
            if p.get("trace") is None:
                continue
            present.append(f"{sid}/{pid}")
            # a trace of a sometimes property is a witness; of any other kind, a counterexample
            witness = p.get("kind") == "sometimes"
            counterexample = not witness and p.get("verdict") == "VIOLATED"
            if (prop is not None and pid != prop) or (prop is None and not counterexample):
                continue
            steps = _checked_steps(path, f"{sid}/{pid}", p["trace"])
            what = "witness of" if witness else "counterexample to"
            marker = ("reaches " if witness else "violates ") + pid
            title = f"{sid}: {what} {pid} ({len(steps)} steps, shortest)"
            decisive = p.get("decisive_step")
            charts.append((f"{sid}.{pid}", build_chart(steps, r.get("elements") or [], title, marker,
                                                       decisive=decisive if isinstance(decisive, int) else None)))
    if not charts:
        wanted = f"property {prop!r}" if prop else "counterexample"
        scope = f" for scenario {scenario!r}" if scenario else ""
        known = ", ".join(present) if present else "none"
        raise TraceFileError(f"{path}: no {wanted} trace{scope} in it (traces present: {known}; name one with "
                             "--scenario/--property)")
    return charts


def charts_from_file(path: str, scenario: str | None = None, prop: str | None = None) -> list[tuple[str, Chart]]:
    """Every chart the file asks for: counterexamples of a ``check --json`` document (or the
    named property's trace), or the one trace of a saved trace file."""
    doc = _load(path)
    if isinstance(doc, dict) and "properties" in doc and "scenario" in doc:  # one result of a 'check --json'
        _check(path, doc, "result")
        doc = {"results": [doc]}
    elif isinstance(doc, dict) and "results" in doc:
        _check(path, doc, "document")
    if isinstance(doc, dict) and "results" in doc:
        return _from_results(path, doc, scenario, prop)
    if isinstance(doc, dict) and "trace" in doc:
        _check(path, doc, "saved_trace")
        steps = _checked_steps(path, "trace", doc["trace"])
        name = str(doc.get("property") or "trace")
        marker = str(doc.get("marker") or "")
        return [(name, build_chart(steps, doc.get("elements") or [], str(doc.get("title") or name), marker))]
    if isinstance(doc, list):
        _check(path, doc, "chart_steps")
        steps = _checked_steps(path, "trace", doc)
        return [("trace", build_chart(steps, [], f"trace from {path}", ""))]
    raise TraceFileError(f"{path}: expected the output of 'check --json', an object with 'trace', or a list of steps")


def happy_charts(methods: Sequence[str] | None = None) -> list[tuple[str, Chart]]:
    """The happy-path chart of each available figure of the given methods (a method number such as
    ``300``, or a figure key such as ``fig3-m300-panf-udm``)."""
    chosen = [f for f in FIGURES if not methods or f.method in methods or f.key in methods]
    for m in methods or ():
        figs = [f for f in chosen if m in (f.method, f.key)]
        if not figs:
            known = sorted({f.method for f in FIGURES}) + [f.key for f in FIGURES]
            raise TraceFileError(f"no figure for method {m!r}; known: {', '.join(known)}")
        if not any(f.available() for f in figs):
            raise TraceFileError("; ".join(f.pending_reason() for f in figs))
    return [(f.key, happy_path(f).chart) for f in chosen if f.available()]
