"""`prosecheck diagram`: element state diagrams, message sequence charts, state graphs, and the
documentation folder (``diagram all``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from prosecheck.cli.common import (
    InputError,
    add_scenario_options,
    check_output_dir,
    int_flag,
    properties_of,
    scenarios_of,
    writing,
)

NAME = "diagram"


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME, help="draw state diagrams, message sequence charts and state graphs",
        description="Draw diagrams from the model itself: element state machines, message sequence charts "
        "(of a trace from 'check --json', or of each method's happy path), the reachable state graph of a "
        "small scenario, or everything the documentation folder holds ('all').")
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")

    states = kinds.add_parser("states", help="one state diagram per element (and per procedure variant)",
                              description="One state diagram per element, and per procedure variant where the "
                              "compiled machine differs. Without --out, prints the diagram(s) to stdout.")
    states.add_argument("elements", nargs="*", metavar="ELEMENT", help="element roles (default: all)")
    states.add_argument("--scenario", metavar="ID", help="only the machines of this scenario, pruned to the transitions its "
                        "exhaustive search fires")
    states.add_argument("--format", choices=("dot", "svg", "mermaid"), action="append", dest="formats",
                        help="output format (repeatable; default with --out: all three, else dot)")
    states.add_argument("--out", type=Path, metavar="DIR", help="write <element>[--<variant>].<ext> files here")

    msc = kinds.add_parser("msc", help="message sequence charts of a trace or of each method's happy path",
                           description="Sequence charts. Give FILE (the output of 'check --json', '-' for stdin, "
                           "or a saved trace: a list of steps or {\"trace\": [...]}) or --happy.")
    msc.add_argument("file", nargs="?", metavar="FILE", help="JSON with traces")
    msc.add_argument("--happy", action="store_true", help="the happy path of each method (checker witnesses)")
    msc.add_argument("--method", action="append", metavar="N", help="with --happy: only this method (200, 300, "
                     "...) or figure (e.g. fig3-m300-panf-udm); repeatable")
    msc.add_argument("--scenario", metavar="ID", help="with FILE: only this scenario's traces")
    msc.add_argument("--property", metavar="ID", help="with FILE: only this property's trace")
    msc.add_argument("--format", choices=("svg", "mermaid", "plantuml"), action="append", dest="formats",
                     help="output format (repeatable; default with --out: all three, else mermaid)")
    msc.add_argument("--out", type=Path, metavar="DIR", help="write <name>.<ext> files here")

    graph = kinds.add_parser("graph", help="the reachable state graph of a small scenario (Graphviz sfdp)",
                             description="The reachable product graph with the counterexample path highlighted, "
                             "laid out by Graphviz sfdp. Keep the bounds small, e.g. --attempts 2 --withdrawals 1 "
                             "--restores 0.")
    add_scenario_options(graph)
    graph.add_argument("--property", action="append", dest="properties", metavar="ID",
                       help="highlight this property's counterexample or witness (default: the first violated "
                       "invariant)")
    graph.add_argument("--max-nodes", type=int_flag(1), default=None, metavar="N", help="refuse graphs with more states "
                       "(default 5000)")
    graph.add_argument("--format", choices=("dot", "svg"), action="append", dest="formats",
                       help="output format (repeatable; default with --out: both, else dot)")
    graph.add_argument("--out", type=Path, metavar="DIR", help="write <scenario>.states.<ext> here")

    everything = kinds.add_parser("all", help="regenerate the documentation diagrams folder",
                                  description="Every element state diagram and each method's happy-path chart, "
                                  "with an index; deterministic.")
    everything.add_argument("--out", type=Path, default=Path("diagrams"), metavar="DIR",
                            help="folder to write (default: diagrams)")
    return parser


def _formats(args: argparse.Namespace, all_formats: tuple[str, ...], single: str) -> list[str]:
    if args.formats:
        return list(dict.fromkeys(args.formats))
    return list(all_formats) if args.out else [single]


def _emit(written: Any, args: argparse.Namespace) -> int:
    for w in written.warnings:
        print(f"prosecheck: {w}", file=sys.stderr)
    for path in written.files:
        print(path)
    return 0


def _states(args: argparse.Namespace) -> int:
    from prosecheck.diagrams import export, states
    from prosecheck.model.elements import ELEMENTS
    from prosecheck.scenarios.catalog import SCENARIOS

    roles = [cls.ROLE for cls in ELEMENTS]
    for e in args.elements:
        if e not in roles:
            raise InputError(f"unknown element {e!r}; known: {', '.join(roles)}")
    if args.scenario is not None and args.scenario not in SCENARIOS:
        raise InputError(f"unknown scenario {args.scenario!r} for --scenario; known: {', '.join(SCENARIOS)}")
    chosen = [SCENARIOS[args.scenario]] if args.scenario else None
    variants = states.variants(chosen, args.elements or None)
    if chosen:  # what the scenario can fire, not all that its options compile
        try:
            variants = states.pruned(variants, chosen[0])
        except ValueError as exc:
            raise InputError(str(exc)) from None
    formats = _formats(args, export.STATE_FORMATS, "dot")
    if args.out:
        check_output_dir(args.out, "--out")
        with writing("--out", args.out):
            written = export.write_states(variants, formats, args.out)
        return _emit(written, args)
    from prosecheck.diagrams.render import RenderUnavailable
    if len(variants) > 1 and formats != ["dot"]:
        raise InputError(f"{len(variants)} diagrams ({', '.join(v.key for v in variants)}): only DOT can share "
                         "stdout; use --out DIR, or name one ELEMENT with --scenario")
    try:
        print("\n".join(export.state_text(v, fmt) for v in variants for fmt in formats), end="")
    except RenderUnavailable as exc:
        raise InputError(str(exc)) from None
    return 0


def _msc(args: argparse.Namespace) -> int:
    from prosecheck.diagrams import export
    from prosecheck.diagrams.traces import TraceFileError, charts_from_file, happy_charts

    if bool(args.file) == bool(args.happy):
        raise InputError("diagram msc: give either a FILE of traces or --happy")
    if args.out and args.happy:  # the happy paths are searches: the folder is checked first
        check_output_dir(args.out, "--out")
    try:
        charts = happy_charts(args.method) if args.happy else charts_from_file(args.file, args.scenario, args.property)
    except TraceFileError as exc:
        raise InputError(str(exc)) from None
    formats = _formats(args, export.CHART_FORMATS, "mermaid")
    if args.out:
        check_output_dir(args.out, "--out")
        written = export.Written()
        with writing("--out", args.out):
            for stem, chart in charts:
                written.add(export.write_chart(chart, stem, formats, args.out))
        return _emit(written, args)
    if len(charts) * len(formats) > 1:
        raise InputError(f"{len(charts)} chart(s) ({', '.join(stem for stem, _ in charts)}) in {len(formats)} "
                         "format(s) cannot share stdout; use --out DIR, or pick one with --property/--method and --format")
    print(export.chart_text(charts[0][1], formats[0]), end="")
    return 0


def _graph(args: argparse.Namespace) -> int:  # noqa: C901 - predates the limit of 10 (issue 26)
    from prosecheck.diagrams.graph import DEFAULT_MAX_NODES, GraphError, build_graph, to_dot
    from prosecheck.diagrams.render import RenderUnavailable, to_svg, write_text

    scenarios = scenarios_of(args)
    if not (args.scenarios or args.scenario_files) or len(scenarios) != 1:
        raise InputError("diagram graph: name exactly one SCENARIO")
    props = properties_of(args) or []
    if len(props) > 1:
        raise InputError("diagram graph: give at most one --property")
    cap = DEFAULT_MAX_NODES if args.max_nodes is None else args.max_nodes
    if args.out:
        check_output_dir(args.out, "--out")
    try:
        sg = build_graph(scenarios[0], cap, props[0] if props else None)
    except GraphError as exc:
        raise InputError(str(exc)) from None
    dot = to_dot(sg)
    formats = _formats(args, ("dot", "svg"), "dot")
    from prosecheck.filenames import safe_stem

    stem = safe_stem(f"{sg.scenario.id}.states")
    written = []
    for fmt in formats:
        try:
            text = dot if fmt == "dot" else to_svg(dot, "sfdp")
        except RenderUnavailable as exc:
            print(f"prosecheck: {exc}", file=sys.stderr)
            if not args.out and "dot" not in formats:
                print(dot, end="")
            continue
        if args.out:
            with writing("--out", args.out):
                written.append(write_text(args.out / f"{stem}.{fmt}", text))
        else:
            print(text, end="")
    if sg.path:
        print(f"{sg.scenario.id}: {sg.graph.number_of_nodes()} states, {sg.graph.number_of_edges()} edges; "
              f"highlighted: {sg.kind} for {sg.property_id}, {len(sg.path) - 1} steps", file=sys.stderr)
    for path in written:
        print(path)
    return 0


def _all(args: argparse.Namespace) -> int:
    from prosecheck.diagrams.export import write_all

    check_output_dir(args.out, "--out")
    with writing("--out", args.out):
        written = write_all(args.out)
    return _emit(written, args)


def run(args: argparse.Namespace) -> int:
    handler = {"states": _states, "msc": _msc, "graph": _graph, "all": _all}[args.kind]
    return handler(args)
