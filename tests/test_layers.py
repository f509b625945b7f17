"""Layers that only point down (issue 26): every module of ``prosecheck`` has a layer, and an import
may only point to its own layer or a lower one, and never close a circle.

Read from the source with ``ast`` (imports inside functions count too). The imports that point up
today and the circles that exist today are listed below: a new one fails the test, and one that is
gone must be taken off its list (so the lists stay true). Moving them away is the rest of issue 26.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "prosecheck"

# lowest first; a module belongs to the longest prefix that names it
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("prosecheck.inputs", "prosecheck.schemas", "prosecheck.filenames", "prosecheck.names")),
    ("checker", ("prosecheck.checker",)),
    ("model", ("prosecheck.model", "prosecheck.properties")),
    ("scenarios", ("prosecheck.model.scenarios", "prosecheck.model.scenario_file", "prosecheck.model.threat_scenarios",
                   "prosecheck.model.labels")),
    ("verdicts", ("prosecheck.verify", "prosecheck.results", "prosecheck.liveness_verdicts", "prosecheck.prove",
                  "prosecheck.ledger", "prosecheck.trace_steps", "prosecheck.step_labels")),
    ("assurance", ("prosecheck.replay", "prosecheck.certificate", "prosecheck.export", "prosecheck.mutation",
                   "prosecheck.crosscheck", "prosecheck.bench", "prosecheck.bench_phases")),
    ("reports", ("prosecheck.report", "prosecheck.diagrams", "prosecheck.analysis")),
    ("cli", ("prosecheck.cli", "prosecheck.__main__")),
)

# today's imports that point up (module -> what it imports): to be moved, never added to
KNOWN_UPWARD = {
    ("prosecheck.model.build", "prosecheck.model.scenarios"),
}

# today's circles: to be broken, never added to
KNOWN_CYCLES = {
    frozenset({"prosecheck.checker.compact", "prosecheck.checker.projection", "prosecheck.checker.search"}),
    frozenset({"prosecheck.model.scenarios", "prosecheck.model.threat_scenarios"}),
    frozenset({"prosecheck.ledger", "prosecheck.results"}),  # results names ledger.Entry (under TYPE_CHECKING)
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports() -> dict[str, set[str]]:
    """Each module's imports of other prosecheck modules (``from pkg import mod`` resolved to ``pkg.mod``)."""
    modules = _modules()
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("prosecheck"))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("prosecheck"):
                base = node.module or ""
                named = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                found.update(named or [base])
        out[name] = found - {name}
    return out


def layer_of(module: str) -> int:
    """The index of ``module``'s layer in :data:`LAYERS` (-1: none)."""
    best, length = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    return best


def test_every_module_has_a_layer():
    assert [m for m in _modules() if m != "prosecheck" and layer_of(m) < 0] == []


def test_imports_point_down_except_the_known_ones():
    upward = {(m, t) for m, targets in _imports().items() for t in targets if layer_of(t) > layer_of(m)}
    assert upward - KNOWN_UPWARD == set(), "a new import points up a layer (see LAYERS)"
    assert KNOWN_UPWARD - upward == set(), "a known upward import is gone: take it off KNOWN_UPWARD"


def test_no_new_circle_of_imports():
    graph = nx.DiGraph((m, t) for m, targets in _imports().items() for t in targets)
    cycles = {frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1}
    assert cycles - KNOWN_CYCLES == set(), "a new circle of imports"
    assert KNOWN_CYCLES - cycles == set(), "a known circle is broken or changed: update KNOWN_CYCLES"


def test_the_rules_see_an_upward_import_and_a_circle():
    """The checks are not vacuous: the CLI sits on top and the checker imports nothing above it."""
    imports = _imports()
    assert layer_of("prosecheck.cli.check_cmd") > layer_of("prosecheck.verify") > layer_of("prosecheck.checker.search")
    assert any(layer_of(t) < layer_of("prosecheck.cli") for t in imports["prosecheck.cli.check_cmd"])
    assert ("prosecheck.model.build", "prosecheck.model.scenarios") in {(m, t) for m, ts in imports.items() for t in ts}
