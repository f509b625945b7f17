"""The proof ledger: proofs without bounds, recorded once by ``prove --save``, re-checked and shown by ``check``.

A proof takes seconds to minutes, so ``check`` does not prove: it reads the ledger
(:data:`LEDGER`, ``prosecheck/data/proofs.json``, shipped with the package). Each entry is a
**certificate**: the inductive invariant as SMT-LIB terms over the encoded system's named
variables (:mod:`prosecheck.checker.symbolic.certify`). ``check`` shows a HOLDS as *proved without
bounds* only when

* the entry's **fingerprint** is the current one: a SHA-256 over what the proof is about, the
  compiled system exactly as ``prove`` encodes it (:func:`prosecheck.prove.lifted_system`: every
  instance's element table, the links, ghost facts, observers, message catalogue and fault
  settings, the free parameters and the havocked counters) and the property bound over the world
  slots. No source file is in it: a docstring edit leaves every proof current;
* and its certificate **re-checks** with Z3 against the encoding built today: initiation,
  consecution rule by rule, implication of the property (and, for a certificate over one tracked
  attempt, that the property is projectable). An entry that fails is shown as not proved, with
  the reason; nothing in the file is trusted, and anyone may write one.

A changed model, option, mutant or bound that the proof does not lift (remote UEs, link capacity)
gives another fingerprint: the entry is then *stale* and ignored. Re-checking takes about a second
per certificate; outcomes are kept in the local result cache under a key that also covers the
checking code (:data:`CHECKING_SOURCES`), so an unchanged ledger is re-checked once per edit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import z3

from prosecheck.checker.machine import ElementTable, ModelError
from prosecheck.checker.symbolic import certify, minimise, tables
from prosecheck.checker.symbolic.encode import Encoding
from prosecheck.checker.symbolic.masks import projectable
from prosecheck.checker.symbolic.render import describe_support
from prosecheck.checker.system import System
from prosecheck.inputs import InputFileError, parse_json, read_text
from prosecheck.inputs import validate as validate_shape
from prosecheck.model.build import bind_property, options_of
from prosecheck.model.vocabulary import WORDS
from prosecheck.proof_entry import Entry
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.prove import ProofResult, attempt_masks, lifted_system, sample_states, symbolic_system
from prosecheck.results import ScenarioResult
from prosecheck.scenarios.catalog import HOLDS, SCENARIOS, VIOLATED, Scenario
from prosecheck.schemas import schema

PACKAGE = Path(__file__).parent
LEDGER = PACKAGE / "data" / "proofs.json"
CHECKING_SOURCES = ("checker/expr.py", "checker/symbolic/*.py", "prove.py", "ledger.py", "model/vocabulary.py")
"""The code a re-check runs (relative to the package): ``to_z3``, the encoding, the certificate
checker and the lifting of the bounds. Only the local cache of re-check outcomes is keyed on it
(never a fingerprint): an edit there costs one re-check, not a proof."""
VALIDATIONS_FILE = "proofs/validations.json"
"""The file of re-check outcomes under the result cache folder (:func:`apply`'s ``cache``), in a
folder of its own beside the cached results."""
FORMAT = 2
PROVED = "PROVED"
REGENERATE = "prosecheck prove --save --timeout 60"
"""The one command that regenerates the ledger for the default scenarios (docs/prove.md)."""


class LedgerError(ValueError):
    """A ledger file that cannot be read: one line naming the file and the problem."""


Ledger = dict[tuple[str, str], Entry]


# ---- fingerprints -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def checking_digest() -> str:
    """SHA-256 over the files in :data:`CHECKING_SOURCES` (path and bytes, in path order): part of
    the key of a cached re-check outcome only."""
    digest = hashlib.sha256()
    for path in sorted({p for pattern in CHECKING_SOURCES for p in PACKAGE.glob(pattern)}):
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
                         [[g, repr(e)] for g, e in tr.ghost]]
                        + ([[[k, repr(e)] for k, e, _ in tr.send_when]] if tr.send_when else [])  # Send.when
                        for tr in t.transitions],
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
        "links": [[lk.index, lk.src, lk.dst, lk.kind, lk.capacity, lk.lossy] + ([list(lk.senders)] if lk.senders else [])
                  for lk in system.links],
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
                 "havoc": sorted(havoc)})
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
        validate_shape(str(path), doc, schema("ledger"))
    except InputFileError as err:
        raise LedgerError(f"ledger {err}") from None
    out: Ledger = {}
    for raw in doc["proofs"]:
        entry = Entry(raw["scenario"], raw["property"], raw["engine"], float(raw["seconds"]), raw["fingerprint"],
                      tuple(raw.get("invariant", ())), tuple(raw.get("assumptions", ())), raw.get("z3", ""),
                      tuple(raw["certificate"]), bool(raw.get("indexed", False)))
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


# ---- certificates --------------------------------------------------------------------------------

def _read(entry: Entry, scenario: Scenario) -> tuple[System, Encoding, z3.BoolRef, list[z3.BoolRef]]:
    """The scenario's encoding for ``entry``, its property there and the certificate's lemmas
    (:class:`ModelError`, :class:`~certify.CertificateError` or :class:`KeyError` when they do not read)."""
    system, enc = _encoding(scenario, entry.indexed)
    bound = bind_property(system, PROPERTIES[entry.property])
    return system, enc, enc.prop(bound.expr, enc.cur), certify.parse(enc, entry.certificate)


def validate(entry: Entry, scenario: Scenario, timeout: float = certify.TIMEOUT) -> certify.Validity:
    """Re-check ``entry``'s certificate against the scenario's encoding as built today (module
    docstring); the reason when it does not hold, in one line."""
    prop = PROPERTIES.get(entry.property)
    if prop is None:
        return certify.Validity(False, f"no property {entry.property!r}")
    try:
        system, enc, good, lemmas = _read(entry, scenario)
        bound = bind_property(system, prop)
    except (ModelError, certify.CertificateError) as exc:
        return certify.Validity(False, str(exc))
    if entry.indexed:
        _, plain = _encoding(scenario, False)
        masks = {system.slots[name] for name in attempt_masks(system)}
        if not projectable(plain.prop(bound.expr, plain.cur), plain.cur, masks):
            return certify.Validity(False, "the certificate tracks one attempt, but the property is not projectable "
                                           "onto one attempt")
    return certify.validate(enc, good, lemmas, timeout)


_ENCODINGS: dict[tuple[str, bool], tuple[System, Encoding]] = {}


def _encoding(scenario: Scenario, indexed: bool) -> tuple[System, Encoding]:
    """The scenario's lifted encoding; the entries of one scenario are re-checked one after the
    other, so the last few are kept (by the scenario's full ``repr``: a scenario is not hashable)."""
    key = (repr(scenario), indexed)
    if key not in _ENCODINGS:
        if len(_ENCODINGS) >= 4:
            del _ENCODINGS[next(iter(_ENCODINGS))]
        _ENCODINGS[key] = symbolic_system(scenario, True, indexed)
    return _ENCODINGS[key]


class Validations:
    """Re-check outcomes, with the certificate's words, kept in the local result cache (``folder``;
    None: re-check every time). The key covers the entry's fingerprint and certificate, Z3's version and the checking code
    (:func:`checking_digest`); a damaged file is ignored and rewritten."""

    def __init__(self, folder: Path | None) -> None:
        self.path = None if folder is None else folder / VALIDATIONS_FILE
        self.known: dict[str, list[object]] = {}
        self.changed = False
        if self.path is not None:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                self.known = {k: v for k, v in raw.items() if isinstance(v, list) and len(v) == 3
                              and isinstance(v[2], list)}
            except (OSError, ValueError, AttributeError):
                self.known = {}

    @staticmethod
    def key(entry: Entry) -> str:
        return _sha({"fingerprint": entry.fingerprint, "certificate": list(entry.certificate),
                     "indexed": entry.indexed, "z3": z3.get_version_string(), "code": checking_digest()})

    def check(self, entry: Entry, scenario: Scenario) -> certify.Validity:
        """The cached outcome, or a re-check (kept for next time, with the certificate's words)."""
        key = self.key(entry)
        if key in self.known:
            ok, reason, _ = self.known[key]
            return certify.Validity(bool(ok), str(reason))
        found = validate(entry, scenario)
        if not found.undecided:  # a time-out is not an outcome worth keeping
            self.known[key] = [found.ok, found.reason, certificate_words(entry, scenario) if found.ok else []]
            self.changed = True
        return found

    def words(self, entry: Entry, scenario: Scenario) -> list[str]:
        """The certificate's lemmas in words (:func:`certificate_words`), kept with its outcome."""
        said = (self.known.get(self.key(entry)) or [None, None, None])[2]
        return [str(line) for line in said] if isinstance(said, list) and said else certificate_words(entry, scenario)

    def save(self) -> None:
        """Write the outcomes atomically; a failure to write is ignored (it is a cache)."""
        if self.path is None or not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.known, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            return


@dataclass
class Update:
    """What ``prove --save`` changed: recorded, removed (no longer PROVED), kept entries, and
    PROVED results whose certificate did not re-check (not recorded, with the reason)."""

    recorded: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[tuple[str, str], str]] = field(default_factory=list)

    def line(self, path: Path) -> str:
        kept = f", {len(self.kept)} kept (still current; this run did not decide them)" if self.kept else ""
        refused = "".join(f"; not recorded: {p} in {s}, its certificate does not re-check ({why})"
                          for (s, p), why in self.refused)
        return f"ledger {path}: {len(self.recorded)} recorded, {len(self.removed)} removed{kept}{refused}"


def record(ledger: Ledger, scenario: Scenario, results: Sequence[ProofResult]) -> Update:
    """Merge one scenario's proof results into ``ledger``: each PROVED result whose certificate
    re-checks is (re)written with its fingerprint; an entry whose property is now VIOLATED, n/a or
    not supported, or which is stale, is removed; a current entry whose property got UNKNOWN this
    time (a shorter time-out) stays."""
    update = Update()
    current = fingerprints(scenario, [r.property for r in results])
    version = z3.get_version_string()
    for r in results:
        key = (scenario.id, r.property)
        old = ledger.get(key)
        if r.verdict == PROVED and r.property in current:
            entry = Entry(scenario.id, r.property, r.engine, r.seconds, current[r.property], tuple(r.invariant),
                          tuple(r.assumptions), version, tuple(r.certificate), r.indexed)
            checked = validate(entry, scenario)
            if checked.ok:
                ledger[key] = entry
                update.recorded.append(key)
                continue
            update.refused.append((key, checked.reason))
        if old is not None and r.verdict in ("UNKNOWN", PROVED) and old.fingerprint == current.get(r.property):
            update.kept.append(key)
        elif old is not None:
            del ledger[key]
            update.removed.append(key)
    return update


def words(enc: Encoding, lemmas: Sequence[z3.ExprRef]) -> list[str]:
    """Every lemma of a certificate in the model's words (:data:`~prosecheck.model.vocabulary.WORDS`), in order."""
    return describe_support(enc, lemmas, WORDS)


def certificate_words(entry: Entry, scenario: Scenario) -> list[str]:
    """``entry``'s certificate in the model's words, read from its lemmas (not from its stored text);
    empty when they do not read back."""
    try:
        _, enc, _, lemmas = _read(entry, scenario)
    except (ModelError, KeyError, certify.CertificateError):
        return []
    return words(enc, lemmas)


@dataclass(frozen=True)
class Shrunk:
    """:func:`minimised`: the entry with a minimal support (None: refused, ``why``), and what it cost."""

    entry: Entry | None
    before: int
    after: int
    cpu_seconds: float
    minimal: bool
    why: str = ""


def minimised(entry: Entry, scenario: Scenario, timeout: float = minimise.TIMEOUT, table: bool = True) -> Shrunk:
    """``entry`` with its certificate cut to a minimal support (:mod:`~prosecheck.checker.symbolic.minimise`),
    with a table lemma of the control states and link contents tried first when ``table`` and the
    certificate is long (:func:`prosecheck.checker.symbolic.tables.shrink`; its rows from the
    scenario's reachable worlds, :func:`prosecheck.prove.sample_states`): only a current entry (same
    fingerprint rule as :func:`record`) whose certificate re-checks, and the result is re-checked
    (:func:`validate`) before it is returned. Its words are the new lemmas'."""
    before = len(entry.certificate)
    if fingerprints(scenario, [entry.property]).get(entry.property) != entry.fingerprint:
        return Shrunk(None, before, before, 0.0, False, "stale: the fingerprint is not the current one")
    checked = validate(entry, scenario)
    if not checked.ok:
        return Shrunk(None, before, before, 0.0, False, f"it does not re-check ({checked.reason})")
    _, enc, good, lemmas = _read(entry, scenario)
    start = time.process_time()
    if table:
        found = tables.shrink(enc, good, lemmas, lambda: sample_states(scenario, enc, True, every_index=False),
                              timeout=timeout)
        kept, minimal, detail = found.lemmas, found.minimal, found.detail
        notes = [f"a table lemma of {found.rows} combinations"
                 + (f" ({found.widened} added by widening)" if found.widened else "")] if found.table_kept else []
        notes += [f"{found.merged} lemmas merged into others with the same conclusion"] if found.merged else []
        detail = "; ".join([detail, *notes] if detail else notes)
    else:
        plain = minimise.minimise(enc, good, lemmas, timeout=timeout)
        kept, minimal, detail = [lemmas[k] for k in plain.kept], plain.minimal, plain.detail
    cpu = time.process_time() - start
    # a lemma kept keeps its stored text, but a table lemma is written anew, in its compact form (tables.text)
    stored = dict(zip((f.get_id() for f in lemmas), entry.certificate))
    texts = [text for f in kept for text in ([stored[f.get_id()]] if f.get_id() in stored and tables.text(f) is None
                                             else certify.to_text([f]))]
    shrunk = dataclasses.replace(entry, certificate=tuple(texts), invariant=tuple(words(enc, certify.parse(enc, texts))))
    again = validate(shrunk, scenario)
    if not again.ok:  # never expected: the minimiser only keeps subsets its own checks accept
        return Shrunk(None, before, len(texts), cpu, False, f"the minimised certificate does not re-check ({again.reason})")
    return Shrunk(shrunk, before, len(texts), cpu, minimal, detail)


def shrink(ledger: Ledger, scenario: Scenario, property_ids: Iterable[str] | None = None,
           timeout: float = minimise.TIMEOUT) -> list[tuple[tuple[str, str], Shrunk]]:
    """Replace each of the scenario's entries in ``ledger`` (those of ``property_ids``, or all) by
    :func:`minimised`; a refused one stays as it is. What happened to each, in order."""
    out = []
    for key in sorted(k for k in ledger if k[0] == scenario.id and (property_ids is None or k[1] in property_ids)):
        found = minimised(ledger[key], scenario, timeout)
        if found.entry is not None:
            ledger[key] = found.entry
        out.append((key, found))
    return out


# ---- what check shows ---------------------------------------------------------------------------

@dataclass
class Reading:
    """The ledger against one ``check`` run: entries shown, stale, not re-checked (with the reason),
    and contradicted by a violation."""

    shown: list[Entry] = field(default_factory=list)
    stale: list[Entry] = field(default_factory=list)
    contradicted: list[Entry] = field(default_factory=list)
    invalid: list[tuple[Entry, str]] = field(default_factory=list)

    def refresh_command(self, path: Path, entries: Sequence[Entry]) -> str:
        sids = sorted({e.scenario for e in entries})
        pids = sorted({e.property for e in entries})
        where = "" if path == LEDGER else f" --ledger {path}"
        return " ".join(["prosecheck prove --save" + where, *sids, *(f"--property {p}" for p in pids)])

    def lines(self, path: Path) -> list[str]:
        """The stderr lines of ``check``: one for stale entries, one per certificate that does not
        re-check, one per contradiction (never expected)."""
        out = []
        if self.stale:
            out.append(f"prosecheck: {len(self.stale)} proof(s) in the ledger are stale (model or encoding changed) "
                       f"and shown as checked within the bounds; refresh: {self.refresh_command(path, self.stale)}")
        out += [f"prosecheck: the ledger's proof of {e.property} in {e.scenario} does not re-check ({why}); "
                f"shown as checked within the bounds" for e, why in self.invalid]
        out += [f"prosecheck: the ledger's proof of {e.property} in {e.scenario} contradicts the search's "
                f"violation: the encoding is not sound for it (report it); ignored" for e in self.contradicted]
        return out


def apply(results: Sequence[ScenarioResult], ledger: Mapping[tuple[str, str], Entry],
          cache: Path | None = None) -> Reading:
    """Mark each HOLDS whose entry in ``ledger`` has the current fingerprint and a certificate that
    re-checks (``PropertyResult.proved_by``, its ``invariant`` the certificate's lemmas in words, read
    from the lemmas and not from the file's text); ``cache``: the folder that keeps re-check outcomes."""
    reading = Reading()
    validations = Validations(cache)
    for r in results:
        entries = {pid: ledger[(r.scenario.id, pid)] for pid in r.properties if (r.scenario.id, pid) in ledger}
        if entries:
            _apply_one(r, entries, validations, reading)
    validations.save()
    return reading


def _apply_one(r: ScenarioResult, entries: dict[str, Entry], validations: Validations, reading: Reading) -> None:
    """:func:`apply` for one scenario's result."""
    current = fingerprints(r.scenario, entries)
    named = SCENARIOS.get(r.scenario.id) == r.scenario  # else a variant (bound overrides, a scenario file)
    for pid, entry in entries.items():
        p = r.properties[pid]
        if current.get(pid) != entry.fingerprint:
            if named:
                reading.stale.append(entry)
        elif p.verdict == VIOLATED:
            reading.contradicted.append(entry)
        elif p.verdict == HOLDS:
            checked = validations.check(entry, r.scenario)
            if checked.ok:
                said = validations.words(entry, r.scenario)  # read from the lemmas just re-checked
                p.proved_by = dataclasses.replace(entry, invariant=tuple(said))
                reading.shown.append(entry)
            else:
                reading.invalid.append((entry, checked.reason))


__all__ = ["LEDGER", "REGENERATE", "Entry", "Ledger", "LedgerError", "Reading", "Shrunk", "Update", "Validations",
           "apply", "certificate_words", "checking_digest", "describe_system", "fingerprints", "load", "minimised",
           "record", "save", "shrink", "validate", "words"]
