"""Layers that only point down (issue 26): every module of ``prosecheck`` has a layer, and an import
may only point to its own layer or a lower one, and never close a circle.

Read from the source with ``ast`` (imports inside functions and under ``TYPE_CHECKING`` count too).
The lists of known exceptions below are empty: the last upward import and circles were moved away
(issue 26). A new one fails the test; if one must be tolerated for a while it goes on its list, and
one that is gone must be taken off (so the lists stay true).
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
    ("scenarios", ("prosecheck.scenarios",)),  # the configuration layer, out of model/
    ("verdicts", ("prosecheck.verify", "prosecheck.results", "prosecheck.liveness_verdicts", "prosecheck.prove",
                  "prosecheck.abstraction", "prosecheck.abstraction_choice", "prosecheck.abstraction_retire",
                  "prosecheck.ledger", "prosecheck.proof_entry", "prosecheck.trace_steps", "prosecheck.step_labels")),
    ("assurance", ("prosecheck.replay", "prosecheck.certificate", "prosecheck.export", "prosecheck.mutation",
                   "prosecheck.crosscheck", "prosecheck.bench", "prosecheck.bench_phases",
                   "prosecheck.bench_partitions")),
    ("reports", ("prosecheck.report", "prosecheck.diagrams", "prosecheck.analysis")),
    ("cli", ("prosecheck.cli", "prosecheck.__main__")),
)

# imports that point up (module -> what it imports): none is left; a new one is moved, never listed here
KNOWN_UPWARD: set[tuple[str, str]] = set()

# circles of imports: none is left; a new one is broken, never listed here
KNOWN_CYCLES: set[frozenset[str]] = set()


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


def _upward(imports: dict[str, set[str]]) -> set[tuple[str, str]]:
    """The (module, import) pairs whose import sits in a higher layer than the module."""
    return {(m, t) for m, targets in imports.items() for t in targets if layer_of(t) > layer_of(m)}


def _cycles(imports: dict[str, set[str]]) -> set[frozenset[str]]:
    """The circles of imports: the strongly connected components of more than one module."""
    graph = nx.DiGraph((m, t) for m, targets in imports.items() for t in targets)
    return {frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1}


def test_imports_point_down_except_the_known_ones():
    upward = _upward(_imports())
    assert upward - KNOWN_UPWARD == set(), "a new import points up a layer (see LAYERS)"
    assert KNOWN_UPWARD - upward == set(), "a known upward import is gone: take it off KNOWN_UPWARD"


def test_no_new_circle_of_imports():
    cycles = _cycles(_imports())
    assert cycles - KNOWN_CYCLES == set(), "a new circle of imports"
    assert KNOWN_CYCLES - cycles == set(), "a known circle is broken or changed: update KNOWN_CYCLES"


def test_the_rules_see_an_upward_import_and_a_circle():
    """The checks are not vacuous: the CLI sits on top, the reader sees imports inside functions and
    under ``TYPE_CHECKING``, and an upward import or a circle added to the real graph is caught."""
    imports = _imports()
    assert layer_of("prosecheck.cli.check_cmd") > layer_of("prosecheck.verify") > layer_of("prosecheck.checker.search")
    assert any(layer_of(t) < layer_of("prosecheck.cli") for t in imports["prosecheck.cli.check_cmd"])
    assert "prosecheck.checker.parallel" in imports["prosecheck.bench"]  # imported inside a function only
    assert "prosecheck.properties.catalog" in imports["prosecheck.scenarios.scenario"]  # under TYPE_CHECKING
    planted = {**imports, "prosecheck.checker.search": imports["prosecheck.checker.search"] | {"prosecheck.verify"}}
    assert ("prosecheck.checker.search", "prosecheck.verify") in _upward(planted)
    assert any({"prosecheck.checker.search", "prosecheck.verify"} <= c for c in _cycles(planted))
