"""A cache of check results, so that a repeated ``check`` of an unchanged scenario costs nothing.

A result is stored (as the JSON ``check --json`` prints for it) under a key that covers
everything its verdicts depend on: the compiled model (``model_hash``), the scenario's id,
declared verdicts, bounds, threat model and mutants, the properties asked for and their formula
hashes, the limits and search options, and the bytes of prosecheck's own source (any change to
the checker makes every entry unreachable). Only exhaustive checks that no limit cut are stored,
so a cached verdict is never a partial one. Reading a result back re-checks its model and formula
hashes (:mod:`prosecheck.report.saved`).

The folder is ``$PROSECHECK_CACHE`` or ``$XDG_CACHE_HOME/prosecheck`` (``~/.cache/prosecheck``);
``check --no-cache`` or ``PROSECHECK_CACHE=off`` turns the cache off. Writes are atomic (a
temporary file renamed), so an interrupted run leaves no half-written entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from prosecheck.checker.search import Limits
from prosecheck.results import ScenarioResult
from prosecheck.scenarios.catalog import Scenario


def folder() -> Path | None:
    """Where entries live, or None when the cache is off."""
    chosen = os.environ.get("PROSECHECK_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "prosecheck"


PACKAGE = Path(__file__).resolve().parent.parent
"""The prosecheck package (this module is in its cli/ folder): every source file under it is hashed."""


def source_files() -> list[Path]:
    """Every Python source file of the prosecheck package, in a fixed order."""
    return sorted(PACKAGE.rglob("*.py"))


@cache
def source_hash() -> str:
    """SHA-256 of every source file of the prosecheck package (paths and bytes, in a fixed order)."""
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def key(scenario: Scenario, property_ids: Sequence[str] | None, limits: Limits, options: dict[str, Any]) -> str:
    """The entry's name: a SHA-256 of everything the result depends on."""
    from prosecheck.report.assumptions import model_hash, scenario_property_hashes

    hashes = scenario_property_hashes(scenario)
    # every property when none is named (the scenario's own are among the hashes), else those and its own
    chosen = [*property_ids, *(p.id for p in scenario.properties)] if property_ids else sorted(hashes)
    parts = {
        "source": source_hash(), "model": model_hash(scenario), "scenario": scenario.id,
        "expected": dict(sorted(scenario.expected.items())), "expect_deadlock": scenario.expect_deadlock,
        "bounds": scenario.bounds.as_dict(), "threats": scenario.threats.as_dict(), "mutants": list(scenario.mutants),
        "properties": {pid: hashes.get(pid) for pid in chosen},
        "limits": [limits.max_states, limits.max_seconds, limits.max_memory_mb], "options": options,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def load(name: str) -> ScenarioResult | None:
    """The stored result, or None (absent, unreadable or no longer current: it is then ignored)."""
    from prosecheck.report.saved import SavedResultsError, result_of

    where = folder()
    if where is None:
        return None
    path = where / f"{name}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        result = result_of(entry, str(path))
    except (OSError, ValueError, SavedResultsError):
        return None
    except Exception:  # noqa: BLE001 - a damaged entry of any shape is ignored: the scenario is checked again
        return None
    result.cached = str(path)
    return result


def store(name: str, result: ScenarioResult) -> None:
    """Keep an exhaustive, uncut result (anything else is never stored); failures to write are ignored."""
    from prosecheck.report.json_out import scenario_json

    where = folder()
    if where is None or not result.complete or result.cut or result.exploration is not None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        temporary = where / f".{name}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(scenario_json(result)), encoding="utf-8")
        temporary.replace(where / f"{name}.json")
    except OSError:
        return


__all__ = ["folder", "key", "load", "source_hash", "store"]
