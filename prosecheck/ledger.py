"""The proof ledger: proofs without bounds, recorded once by ``prove --save``, shown by ``check``.

A proof takes seconds to minutes, so ``check`` does not prove: it reads the ledger
(:data:`LEDGER`, ``prosecheck/data/proofs.json``, shipped with the package) and shows a HOLDS as
*proved without bounds* only when the ledger holds a PROVED result for that scenario and property
whose **fingerprint** is the current one. The fingerprint is a SHA-256 over everything the proof
depends on:

* the compiled system exactly as ``prove`` encodes it (:func:`prosecheck.prove.lifted_system`):
  every instance's element table (states, variables and their initial expressions, kept options,
  every transition's guard, assignments, sends and ghost updates), the links, ghost facts,
  observers, message catalogue and fault settings, the free parameters and the havocked counters;
* the property bound over the world slots (one conjunct per remote UE);
* the source of the encoding and the engines (:data:`SOURCES`): a change there re-opens every proof.

A changed model, option, mutant, bound that the proof does not lift (remote UEs, link
capacity) or encoding gives another fingerprint: the entry is then *stale* and ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import z3

from prosecheck.checker.machine import ElementTable, ModelError
from prosecheck.checker.system import System
from prosecheck.inputs import InputFileError, parse_json, read_text, validate
from prosecheck.model.build import bind_property, options_of
from prosecheck.model.scenarios import HOLDS, SCENARIOS, VIOLATED, Scenario
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.prove import ProofResult, lifted_system
from prosecheck.results import ScenarioResult
from prosecheck.schemas import schema

PACKAGE = Path(__file__).parent
LEDGER = PACKAGE / "data" / "proofs.json"
SOURCES = ("checker/expr.py", "checker/symbolic/*.py", "prove.py")
"""What a proof's validity depends on besides the system: ``to_z3`` (the expression layer),
the encoding and engines, and the lifting of the bounds (relative to the package)."""
FORMAT = 1
PROVED = "PROVED"
REGENERATE = "prosecheck prove --save --timeout 60"
"""The one command that regenerates the ledger for the default scenarios (docs/prove.md)."""


class LedgerError(ValueError):
    """A ledger file that cannot be read: one line naming the file and the problem."""


@dataclass(frozen=True)
class Entry:
    """One PROVED result: what was proved, how, and the fingerprint it was proved for."""

    scenario: str
    property: str
    engine: str
    seconds: float
    fingerprint: str
    invariant: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    z3: str = ""

    def key(self) -> tuple[str, str]:
        return self.scenario, self.property

    def as_dict(self) -> dict[str, object]:
        return {"scenario": self.scenario, "property": self.property, "engine": self.engine,
                "seconds": round(self.seconds, 2), "fingerprint": self.fingerprint,
                "invariant": list(self.invariant), "assumptions": list(self.assumptions), "z3": self.z3}


Ledger = dict[tuple[str, str], Entry]


# ---- fingerprints -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def sources_digest() -> str:
    """SHA-256 over the files in :data:`SOURCES` (path and bytes, in path order)."""
    digest = hashlib.sha256()
    for path in sorted({p for pattern in SOURCES for p in PACKAGE.glob(pattern)}):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _table(t: ElementTable, havocked: Collection[str]) -> dict[str, object]:
    initial = [[v, repr(e)] for v, e in zip(t.initial_locals, t.initial_exprs or [None] * len(t.var_names))]
    return {
        "role": t.role, "states": t.state_ids, "initial": t.initial_state, "rest": sorted(t.rest_states),
        "vars": [[n, s, "havoc" if n in havocked else v] for n, s, v in zip(t.var_names, t.var_sorts, initial)],
        "kept": sorted(t.kept), "local_events": list(t.local_events),
        "transitions": [[tr.source, tr.target, tr.event, tr.effect_name, repr(tr.guard),
                         [[k, repr(e)] for k, e in tr.assign_exprs],
                         [[to, msg, [repr(e) for e in exprs]] for to, msg, exprs in tr.send_exprs],
                         [[g, repr(e)] for g, e in tr.ghost]] for tr in t.transitions],
    }


def describe_system(system: System, havoc: Collection[str] = ()) -> dict[str, object]:
    """A system as plain, ordered data (expressions by their full ``repr``): what a proof is about.
    The initial values of the ``havoc`` counters are left out: the encoding starts them at 0 and
    re-chooses them before every step, so a bound that only sets them (withdrawals, restores,
    update-policy firings) does not change what is proved."""
    return {
        "instances": [[i.name, i.role, i.group, _table(i.table, {h.split(".")[-1] for h in havoc
                                                                  if h.rsplit(".", 1)[0] == i.name})]
                      for i in system.instances],
        "links": [[lk.index, lk.src, lk.dst, lk.kind, lk.capacity, lk.lossy] for lk in system.links],
        "ghosts": list(system.ghost_names), "groups": system.groups,
        "messages": {m: [list(system.message_fields[m]), list(system.message_field_kinds.get(m, ()))]
                     for m in sorted(system.message_fields)},
        "observers": [[o.ghost, sorted(o.link_kinds), sorted(o.field_kinds), sorted(o.to_roles), sorted(o.values)]
                      for o in system.observers],
        "faults": [system.fault_budget, system.duplication],
    }


def _sha(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def fingerprints(scenario: Scenario, property_ids: Iterable[str]) -> dict[str, str]:
    """The current fingerprint of each property of the scenario that ``prove`` can state
    (a property that does not apply or is not an invariant has none)."""
    system, params, havoc = lifted_system(scenario)
    base = _sha({"format": FORMAT, "system": describe_system(system, havoc), "params": sorted(params.items()),
                 "havoc": sorted(havoc), "sources": sources_digest()})
    options = options_of(scenario)
    out = {}
    for pid in property_ids:
        prop = PROPERTIES.get(pid)
        if prop is None or prop.kind != "always" or not prop.applies(options):
            continue
        try:
            expr = bind_property(system, prop).expr
        except ModelError:
            continue
        out[pid] = _sha({"base": base, "property": pid, "expr": repr(expr)})
    return out


# ---- reading and writing ------------------------------------------------------------------------

def load(path: Path = LEDGER, missing_ok: bool = True) -> Ledger:
    """The ledger's entries by (scenario, property); an absent file is an empty ledger if ``missing_ok``.
    The file is read safely (:mod:`prosecheck.inputs`) and checked against ``ledger.schema.json``."""
    if missing_ok and not os.path.lexists(path):
        return {}
    try:
        doc = parse_json(str(path), read_text(str(path)))
        validate(str(path), doc, schema("ledger"))
    except InputFileError as err:
        raise LedgerError(f"ledger {err}") from None
    out: Ledger = {}
    for raw in doc["proofs"]:
        entry = Entry(raw["scenario"], raw["property"], raw["engine"], float(raw["seconds"]), raw["fingerprint"],
                      tuple(raw.get("invariant", ())), tuple(raw.get("assumptions", ())), raw.get("z3", ""))
        out[entry.key()] = entry
    return out


def save(ledger: Ledger, path: Path = LEDGER) -> None:
    """Write the ledger deterministically (entries by scenario and property, sorted keys), atomically."""
    doc = {"format": FORMAT,
           "about": "proofs without bounds recorded by 'prosecheck prove --save' (docs/prove.md); "
                    "'prosecheck check' shows an entry only while its fingerprint is current",
           "proofs": [ledger[k].as_dict() for k in sorted(ledger)]}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


@dataclass
class Update:
    """What ``prove --save`` changed: recorded, removed (no longer PROVED) and kept entries."""

    recorded: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)

    def line(self, path: Path) -> str:
        kept = f", {len(self.kept)} kept (still current; this run did not decide them)" if self.kept else ""
        return f"ledger {path}: {len(self.recorded)} recorded, {len(self.removed)} removed{kept}"


def record(ledger: Ledger, scenario: Scenario, results: Sequence[ProofResult]) -> Update:
    """Merge one scenario's proof results into ``ledger``: each PROVED result is (re)written with its
    fingerprint; an entry whose property is now VIOLATED, n/a or not supported, or which is stale, is
    removed; a current entry whose property got UNKNOWN this time (a shorter time-out) stays."""
    update = Update()
    current = fingerprints(scenario, [r.property for r in results])
    version = z3.get_version_string()
    for r in results:
        key = (scenario.id, r.property)
        old = ledger.get(key)
        if r.verdict == PROVED and r.property in current:
            ledger[key] = Entry(scenario.id, r.property, r.engine, r.seconds, current[r.property],
                                tuple(r.invariant), tuple(r.assumptions), version)
            update.recorded.append(key)
        elif old is not None and r.verdict == "UNKNOWN" and old.fingerprint == current.get(r.property):
            update.kept.append(key)
        elif old is not None:
            del ledger[key]
            update.removed.append(key)
    return update


# ---- what check shows ---------------------------------------------------------------------------

@dataclass
class Reading:
    """The ledger against one ``check`` run: entries shown, stale, and contradicted by a violation."""

    shown: list[Entry] = field(default_factory=list)
    stale: list[Entry] = field(default_factory=list)
    contradicted: list[Entry] = field(default_factory=list)

    def refresh_command(self, path: Path) -> str:
        sids = sorted({e.scenario for e in self.stale})
        pids = sorted({e.property for e in self.stale})
        where = "" if path == LEDGER else f" --ledger {path}"
        return " ".join(["prosecheck prove --save" + where, *sids, *(f"--property {p}" for p in pids)])

    def lines(self, path: Path) -> list[str]:
        """The stderr lines of ``check``: one for stale entries, one per contradiction (never expected)."""
        out = []
        if self.stale:
            out.append(f"prosecheck: {len(self.stale)} proof(s) in the ledger are stale (model or encoding changed) "
                       f"and shown as checked within the bounds; refresh: {self.refresh_command(path)}")
        out += [f"prosecheck: the ledger's proof of {e.property} in {e.scenario} contradicts the search's "
                f"violation: the encoding is not sound for it (report it); ignored" for e in self.contradicted]
        return out


def apply(results: Sequence[ScenarioResult], ledger: Mapping[tuple[str, str], Entry]) -> Reading:
    """Mark each HOLDS whose current fingerprint is in ``ledger`` (``PropertyResult.proved_by``)."""
    reading = Reading()
    for r in results:
        entries = {pid: ledger[(r.scenario.id, pid)] for pid in r.properties if (r.scenario.id, pid) in ledger}
        if not entries:
            continue
        current = fingerprints(r.scenario, entries)
        named = SCENARIOS.get(r.scenario.id) == r.scenario  # else a variant (bound overrides, a scenario file)
        for pid, entry in entries.items():
            p = r.properties[pid]
            if current.get(pid) != entry.fingerprint:
                if named:
                    reading.stale.append(entry)
            elif p.verdict == HOLDS:
                p.proved_by = entry
                reading.shown.append(entry)
            elif p.verdict == VIOLATED:
                reading.contradicted.append(entry)
    return reading


__all__ = ["LEDGER", "REGENERATE", "Entry", "Ledger", "LedgerError", "Reading", "Update", "apply", "describe_system",
           "fingerprints", "load", "record", "save", "sources_digest"]
