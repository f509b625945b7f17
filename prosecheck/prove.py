"""``prosecheck prove``: invariants beyond the scenario's bounds, from the same rules as the search.

The symbolic system (:mod:`prosecheck.checker.symbolic`) is built from the scenario's compiled
tables with two over-approximations that lift the explicit search's bounds:

* **attempts**: the option stays symbolic (``compile_element(keep={"attempts"})``), a rigid
  parameter free in ``1..14`` at the initial world. The system is the union of the scenario's
  systems for every attempts bound the model can represent (Nonce_1 is the attempt's number and
  has 4 bits in the KNR_ProSe term and the attempt masks are 16 bits, so 15 or more attempts
  would wrap: :class:`~prosecheck.model.environment.Bounds` rejects them, and so does prove).
  Key generations follow the attempts (one per successful ProSe authentication), so they are
  covered up to the same limit.
* **withdrawals, restores, update-policy firings**: their budget counters (``udm.withdrawals_left``,
  ``udm.restores_left``, ``*.policy_left``) are read only by their own guard ``x > 0`` and written
  only by their own decrement; the encoding re-chooses them freely before every step, so the
  environment may withdraw, restore and fire the update policy any number of times.

* **attempt masks** (``ghost.knr_derived`` and the other masks with one bit per attempt,
  :data:`ATTEMPT_MASKS`): for a property that reads them and is *projectable* (it holds as soon as
  it holds on every one-bit projection of the masks, checked by Z3:
  :func:`~prosecheck.checker.symbolic.masks.projectable`), the encoding tracks one bit of each,
  for a rigid attempt index chosen freely at the start; the other bits are free when read.

All only add behaviours, so an invariant PROVED here holds for every bound of these counters;
a violation found here is replayed on the explicit model (:meth:`System.successors`) first with
the scenario's bounds, then with the largest bounds the model accepts, and counts only if the
replay reaches a world that breaks the property (else the verdict is UNKNOWN).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import z3

from prosecheck.checker.expr import BITS, compile_py, refs
from prosecheck.checker.machine import ModelError
from prosecheck.checker.search import Limits, explore
from prosecheck.checker.symbolic import certify, engines, houdini, relative, tables
from prosecheck.checker.symbolic.encode import INDEX, Encoding, Rule
from prosecheck.checker.symbolic.masks import projectable
from prosecheck.checker.symbolic.render import describe_invariant, describe_state, describe_support
from prosecheck.checker.system import System, World
from prosecheck.model.build import bind_property, build_system, options_of
from prosecheck.model.environment import BOUND_LIMITS
from prosecheck.model.terms import NONCE_BITS
from prosecheck.model.vocabulary import WORDS
from prosecheck.properties.catalog import PROPERTIES, Property
from prosecheck.scenarios.catalog import Scenario

ATTEMPTS_RANGE = BOUND_LIMITS["attempts"]
"""Every attempts bound the model can represent: 1..MAX_ATTEMPTS, from the width of Nonce_1."""
HAVOC_COUNTERS = ("withdrawals_left", "restores_left", "policy_left")
MAX_BOUNDS = {name: BOUND_LIMITS[name][1] for name in ("attempts", "withdrawals", "restores", "policy_triggers")}
"""The largest bounds the explicit model accepts, where an unconfirmed symbolic trace is replayed."""
NOT_SUPPORTED = "not supported"
NOT_ATTEMPTED = "not attempted: the run's budget was spent (--budget)"
ATTEMPT_MASKS = ("authorized_in_attempt", "check_failed", "knr_derived", "knr_while_withdrawn", "begun_while_withdrawn",
                 "pc5_secured", "rejected", "by_pruk_id", "relay_refused", "knr_from_superseded", "updated")
"""Ghost masks with bit n set when something happened in connection attempt n (Nonce_1 = n)."""
Progress = Callable[[str], None]
SAMPLE_ATTEMPTS = (1, 2, 3)
"""Houdini's samples: the scenario's worlds with these attempts bounds (the other bounds its own)."""
SAMPLE_LIMIT = 200_000
ENGINES = ("auto", "houdini", "abstract", "table", *engines.ENGINES)
TABLE_FALLBACK_SECONDS = 30.0
"""An UNKNOWN without a counterexample to induction gets the table engine for at most this many
CPU seconds (and at most ``--timeout``): a proof, or the CTI in the model's words."""
AUTO_SPACER_SHARE = 0.25
HOUDINI_MIN_SECONDS = 10.0
"""``--engine auto`` does not start Houdini with less time than this left: sampling the explicit
search and its first solver round alone take longer, so it could only overrun the time-out."""
"""``--engine auto``: the share of the time-out Spacer gets before Houdini takes the rest."""


@dataclass
class ProofResult:
    scenario: str
    property: str
    verdict: str  # PROVED | VIOLATED | UNKNOWN | n/a | not supported
    engine: str
    seconds: float
    bounds: str
    assumptions: list[str] = field(default_factory=list)
    invariant: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    detail: str = ""
    certificate: list[str] = field(default_factory=list)  # PROVED: the lemmas as SMT-LIB terms (certify.py)
    indexed: bool = False  # PROVED: the certificate is over the indexed encoding
    cti: dict[str, object] | None = None  # UNKNOWN: the counterexample to induction (relative.as_json)

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in ("scenario", "property", "verdict", "engine", "seconds", "bounds",
                                              "assumptions", "invariant", "trace", "detail", "certificate",
                                              "indexed", "cti")}


def lifted_system(scenario: Scenario) -> tuple[System, dict[str, tuple[int, int]], list[str]]:
    """The compiled system with the counters lifted (module docstring), its free parameters and
    havocked counters: what :func:`symbolic_system` encodes (and :mod:`prosecheck.ledger` fingerprints)."""
    system = build_system(scenario, frozenset({"attempts"}))
    havoc = [name for name in system.slots if name.rsplit(".", 1)[-1] in HAVOC_COUNTERS]
    return system, {"attempts": ATTEMPTS_RANGE}, havoc


def symbolic_system(scenario: Scenario, unbounded: bool = True, indexed: bool = False) -> tuple[System, Encoding]:
    """The scenario's encoding: with its own bounds, or with the counters lifted (module docstring),
    and then optionally with the attempt masks indexed."""
    if not unbounded:
        system = build_system(scenario)
        return system, Encoding(system)
    system, params, havoc = lifted_system(scenario)
    return system, Encoding(system, params, havoc, attempt_masks(system) if indexed else [])


def attempt_masks(system: System) -> list[str]:
    """The names of the world slots that hold attempt masks (:data:`ATTEMPT_MASKS`)."""
    return [name for name in system.slots if name.rsplit(".", 1)[-1] in ATTEMPT_MASKS]


def assumptions(unbounded: bool, indexed: bool = False) -> list[str]:
    if not unbounded:
        return ["the scenario's own bounds (exact encoding of the explicit model)"]
    out = [f"attempts: any bound {ATTEMPTS_RANGE[0]}..{ATTEMPTS_RANGE[1]} ({NONCE_BITS}-bit Nonce_1, "
           f"{BITS}-bit attempt masks)",
           "key generations: as many as the attempts make",
           "withdrawals, restores, update-policy firings: unbounded (budget counters havocked)",
           "remote UEs and link capacity: the scenario's",
           "16-bit arithmetic as in the explicit model"]
    if indexed:
        out.append("attempt masks: one tracked attempt (any of 0..15), the other attempts' bits free when read "
                   "(the property is projectable: checked by Z3)")
    return out


def chosen_properties(property_ids: Sequence[str] | None) -> list[str]:
    """The properties each scenario gets a result for: those named, or every 'always' one."""
    return list(property_ids) if property_ids else [p for p in PROPERTIES if PROPERTIES[p].kind == "always"]


def prove_scenario(scenario: Scenario, property_ids: Sequence[str] | None = None, engine: str = "auto",
                   depth: int = 40, timeout: float = 60.0, unbounded: bool = True,
                   progress: Progress | None = None, deadline: float | None = None,
                   on_result: Callable[[ProofResult], None] | None = None, minimal: bool = True) -> list[ProofResult]:
    """Every chosen ``always`` property of the scenario, decided by ``engine``; ``progress`` gets a
    line now and then on long runs (Houdini's phases). With a ``deadline`` (``time.monotonic()``)
    each property gets at most the time left, and none is started once it has passed (UNKNOWN,
    :data:`NOT_ATTEMPTED`); ``on_result`` hears each result as it is decided. ``minimal``: Houdini's
    support is cut to a minimal one (:mod:`~prosecheck.checker.symbolic.minimise`)."""
    ids = chosen_properties(property_ids)
    encodings: dict[bool, tuple[System, Encoding]] = {}
    samples: dict[bool, list[list[int]]] = {}

    def encoding(indexed: bool) -> tuple[System, Encoding]:
        if indexed not in encodings:
            encodings[indexed] = symbolic_system(scenario, unbounded, indexed)
        return encodings[indexed]

    def sampled(indexed: bool) -> list[list[int]]:
        if indexed not in samples:
            samples[indexed] = sample_states(scenario, encoding(indexed)[1], unbounded)
        return samples[indexed]

    bounds = "unbounded (see assumptions)" if unbounded else scenario.bounds.summary()
    abstract_verdicts: dict[str, Any] = {}
    out = []
    for pid in ids:
        prop = PROPERTIES[pid]
        base = ProofResult(scenario.id, pid, NOT_SUPPORTED, engine, 0.0, bounds, assumptions(unbounded))
        if not _unprovable(scenario, prop, base, deadline):
            note = None if progress is None else (lambda line, pid=pid: progress(f"[{scenario.id} {pid}] {line}"))
            left = timeout if deadline is None else min(timeout, deadline - time.monotonic())
            if engine == "abstract":  # explicit search of the counter / per-attempt abstraction (issue 22)
                _abstract(scenario, ids, base, abstract_verdicts, note, left)
                target = _target(encoding, prop, unbounded) if base.verdict == engines.UNKNOWN else "decided"
                if not isinstance(target, str):
                    enc, good, indexed = target
                    _table_fallback(base, enc, good, indexed, partial(sampled, indexed), left, deadline, unbounded)
            else:
                base = _prove(scenario, encoding, sampled, prop, engine, depth, left, base, unbounded, note, minimal,
                              deadline)
        out.append(base)
        if on_result is not None:
            on_result(base)
    return out


def _abstract(scenario: Scenario, ids: Sequence[str], result: ProofResult, verdicts: dict[str, Any],
              progress: Progress | None, timeout: float) -> None:
    """``--engine abstract``: ``result`` filled by the abstract searches of every property, one per ghost
    group (:func:`prosecheck.abstraction.ghost_groups`; the verdicts kept in ``verdicts``)."""
    from prosecheck.abstraction import fill
    from prosecheck.abstraction_choice import decide_or_why

    always = [p for p in ids if PROPERTIES[p].kind == "always" and PROPERTIES[p].applies(options_of(scenario))]
    fill(result, scenario, always, verdicts, progress, one_search=decide_or_why, timeout=timeout)


def _unprovable(scenario: Scenario, prop: Property, result: ProofResult, deadline: float | None) -> bool:
    """Fill in ``result`` and say so when ``prop`` is not for prove here (or the budget is spent)."""
    if prop.kind != "always":
        result.detail = f"prove decides 'always' properties only ({prop.id} is '{prop.kind}'): use check"
    elif scenario.threats.lossy_links:
        result.detail = ("the encoding has no lost messages and no quiet-network timers (threat model lossy_links): "
                         "use check")
    elif not prop.applies(options_of(scenario)):
        result.verdict, result.detail = "n/a", "the property does not apply to this procedure"
    elif deadline is not None and deadline - time.monotonic() < 1.0:
        result.verdict, result.detail = "UNKNOWN", NOT_ATTEMPTED
    else:
        return False
    return True


def sample_states(scenario: Scenario, enc: Encoding, unbounded: bool, every_index: bool = True) -> list[list[int]]:
    """Reachable worlds of the explicit model as encoded states (Houdini's samples): with the
    scenario's bounds, or lifted, with 1-3 attempts and every attempt index up to one past them
    (only index 0 unless ``every_index``: enough for what does not read the tracked bits)."""
    out = []
    for attempts in SAMPLE_ATTEMPTS if unbounded else (scenario.bounds.attempts,):
        system = build_system(scenario.with_bounds(attempts=attempts))
        exploration = explore(system, Limits(max_states=SAMPLE_LIMIT))
        indices = range(attempts + 2 if every_index else 1)
        params = [{"attempts": attempts, INDEX: index} for index in indices] if enc.indexed else [{"attempts": attempts}]
        for k in range(exploration.states):
            world = exploration.worlds[k]
            out += [enc.values(world, p) for p in params]
    return out


def _target(encoding: Callable[[bool], tuple[System, Encoding]], prop: Property,
            unbounded: bool) -> tuple[Encoding, z3.BoolRef, bool] | str:
    """The sliced encoding ``prop`` is decided on, the property over it, and whether it is the indexed
    one (:data:`ATTEMPT_MASKS`); why not, when the property cannot be encoded."""
    system, plain = encoding(False)
    bound = bind_property(system, prop)
    try:
        good = plain.prop(bound.expr, plain.cur)
    except ModelError as exc:
        return str(exc)
    masks = {system.slots[name] for name in attempt_masks(system)}
    reads = {int(name) for scope, name in refs(bound.expr) if scope == "slot"}
    indexed = unbounded and bool(reads & masks) and projectable(good, plain.cur, masks)
    enc = encoding(indexed)[1] if indexed else plain
    if indexed:
        good = enc.prop(bound.expr, enc.cur)
    return enc.sliced(good), good, indexed


def _prove(scenario: Scenario, encoding: Callable[[bool], tuple[System, Encoding]],
           sampled: Callable[[bool], list[list[int]]], prop: Property, engine: str, depth: int, timeout: float,
           result: ProofResult, unbounded: bool, progress: Progress | None = None, minimal: bool = True,
           deadline: float | None = None) -> ProofResult:
    start = time.perf_counter()
    target = _target(encoding, prop, unbounded)
    if isinstance(target, str):
        result.detail = target
        return result
    enc, good, indexed = target
    if indexed:
        result.assumptions = assumptions(unbounded, indexed)

    found = _decide(enc, good, engine, depth, timeout, lambda: sampled(indexed), progress, minimal)
    if found.verdict == engines.VIOLATED and not found.rules and found.engine == "spacer":
        trace = engines.bmc(enc, z3.Not(good), depth, max(1.0, timeout - (time.perf_counter() - start)))
        if trace.verdict == engines.VIOLATED:
            found = trace
        else:
            found = engines.SymbolicResult(found.engine, engines.UNKNOWN, found.seconds,
                                           detail=f"Spacer: the error is reachable, but BMC found no trace within "
                                                  f"{depth} steps ({trace.detail}); raise --depth")
    result.engine = found.engine
    result.verdict, result.detail = found.verdict, found.detail
    if found.verdict == engines.PROVED:
        result.invariant = found.lines if found.invariant is None else describe_invariant(enc, found.invariant)
        result.certificate, result.indexed = certify.to_text(found.lemmas), indexed
    if found.verdict == engines.VIOLATED:
        result.trace = [enc.rules[k].name for k in found.rules]
        verdict, detail = confirm(scenario, prop, [enc.rules[k] for k in found.rules], enc.system)
        result.verdict = verdict
        result.detail = f"{detail} ({found.detail})" if "not minimised" in found.detail else detail
    result.cti = found.cti
    if result.verdict == engines.UNKNOWN and engine != "table":
        _table_fallback(result, enc, good, indexed, lambda: sampled(indexed), timeout, deadline, unbounded)
    result.seconds = time.perf_counter() - start
    return result


def _table_fallback(result: ProofResult, enc: Encoding, good: z3.BoolRef, indexed: bool,
                    samples: Callable[[], list[list[int]]], timeout: float, deadline: float | None,
                    unbounded: bool) -> None:
    """An UNKNOWN ``result`` without a counterexample to induction: the table engine within
    :data:`TABLE_FALLBACK_SECONDS` (at most ``timeout``, and what is left before ``deadline``)
    either proves the property (the verdict becomes PROVED by "table") or adds its CTI in words."""
    if result.cti is not None:
        return
    budget = min(TABLE_FALLBACK_SECONDS, timeout)
    if deadline is not None:
        budget = min(budget, deadline - time.monotonic())
    if budget < 1.0:
        return
    start = time.perf_counter()
    found = _table(enc, good, samples(), budget)
    if found.verdict == engines.PROVED:
        result.verdict, result.engine = engines.PROVED, found.engine
        result.detail = f"{result.detail}; proved by the {found.detail}"
        result.invariant, result.certificate, result.indexed = found.lines, certify.to_text(found.lemmas), indexed
        result.assumptions, result.trace = assumptions(unbounded, indexed), []
    else:
        result.detail, result.cti = f"{result.detail}; then the {found.detail}", found.cti
    result.seconds += time.perf_counter() - start


def _decide(enc: Encoding, good: z3.BoolRef, engine: str, depth: int, timeout: float,
            samples: Callable[[], list[list[int]]], progress: Progress | None = None,
            minimal: bool = True) -> engines.SymbolicResult:
    """Run the chosen engine (``auto``: Spacer for a share of the time-out, then Houdini)."""
    start = time.perf_counter()
    if engine == "auto":
        found = engines.spacer(enc, good, timeout * AUTO_SPACER_SHARE)
        if found.verdict != engines.UNKNOWN:
            return found
        note = found.detail
        left = timeout - (time.perf_counter() - start)
        if left < HOUDINI_MIN_SECONDS:
            found.detail = f"{note}; Houdini not started with {left:.0f} s left (it needs {HOUDINI_MIN_SECONDS:g})"
            return found
        if progress is not None:
            progress(f"Spacer: no answer in {found.seconds:.0f} s; Houdini next")
        found = _houdini(enc, good, samples(), max(1.0, timeout - (time.perf_counter() - start)), progress, minimal)
        if found.verdict == engines.UNKNOWN:
            found.detail = f"{note}; then {found.detail}"
        return found
    if engine == "houdini":
        return _houdini(enc, good, samples(), timeout, progress, minimal)
    if engine == "table":
        return _table(enc, good, samples(), timeout)
    if engine == "spacer":
        return engines.spacer(enc, good, timeout)
    if engine == "kind":
        return engines.kind(enc, good, depth, timeout)
    return engines.bmc(enc, z3.Not(good), depth, timeout)


def _houdini(enc: Encoding, good: z3.BoolRef, samples: list[list[int]], timeout: float,
             progress: Progress | None = None, minimal: bool = True) -> engines.SymbolicResult:
    """Houdini over candidates mined from ``samples``; the property is candidate 0. The support
    (unsat cores) is then cut to a minimal one unless not ``minimal`` (a time-out keeps the smaller
    certificate found so far)."""
    start = time.perf_counter()
    mined = houdini.candidates(enc, samples)
    lemmas = [good, *[lemma.formula(enc.cur) for lemma in mined]]
    mining = time.perf_counter() - start
    if progress is not None:
        progress(f"Houdini: {len(mined)} candidate lemmas from {len(samples)} sampled states ({mining:.0f} s)")
    pruned = houdini.houdini(enc, lemmas, max(1.0, timeout - mining), progress, goal=0)
    seconds = time.perf_counter() - start
    counts = (f"{len(samples)} sampled states, {len(mined)} candidate lemmas ({mining:.0f} s), "
              f"{pruned.rounds} rounds ({pruned.seconds:.0f} s)")
    if not pruned.complete and 0 in pruned.alive:
        return engines.SymbolicResult("houdini", engines.UNKNOWN, seconds,
                                      detail=f"Houdini: no answer within {timeout:g} s ({pruned.detail}; {counts})")
    if 0 not in pruned.alive:
        return engines.SymbolicResult("houdini", engines.UNKNOWN, seconds,
                                      detail=f"Houdini: the candidates do not make the property inductive ({counts}; "
                                             f"{len(pruned.alive)} lemmas alive when it was dropped)"
                                             + _counterexample_words(enc, good, pruned.cti),
                                      cti=None if pruned.cti is None else relative.as_json(enc, good, pruned.cti))
    if progress is not None:
        progress(f"Houdini: the property is inductive with {len(pruned.alive)} lemmas; picking its support")
    needed = houdini.support(enc, lemmas, pruned.alive, 0, max(1.0, timeout - seconds))
    closing = time.perf_counter() - start - seconds
    cut = ""
    if minimal:
        left = max(1.0, timeout - (time.perf_counter() - start))
        if progress is not None:
            progress(f"Houdini: a support of {len(needed)} lemmas; cutting it to a minimal one")
        shrunk = tables.shrink(enc, good, [lemmas[k] for k in needed], lambda: samples, timeout=left)
        state = "minimal" if shrunk.minimal else f"not shown minimal: {shrunk.detail}"
        table = f", a table lemma of {shrunk.rows} combinations among them" if shrunk.table_kept else ""
        cut = f"; {len(needed)} -> {len(shrunk.lemmas)} lemmas{table}, {state} ({shrunk.seconds:.0f} CPU s)"
        chosen = shrunk.lemmas
    else:
        chosen = [lemmas[k] for k in needed]
    found = engines.SymbolicResult("houdini", engines.PROVED, time.perf_counter() - start,
                                   detail=f"Houdini: an inductive invariant of {len(chosen)} lemmas ({counts}, "
                                          f"{len(pruned.alive)} inductive; support {closing:.0f} s{cut})")
    found.lines = describe_support(enc, chosen, WORDS)
    found.lemmas = chosen
    return found


def _table(enc: Encoding, good: z3.BoolRef, samples: list[list[int]], timeout: float) -> engines.SymbolicResult:
    """The table engine (:mod:`~prosecheck.checker.symbolic.relative`): PROVED with the certificate
    [table, property], else UNKNOWN with the counterexample to induction in the model's words."""
    start = time.perf_counter()
    found = relative.check(enc, good, samples, timeout)
    seconds = time.perf_counter() - start
    what = f"table engine ({len(samples)} sampled states, {found.seconds:.1f} CPU s)"
    if found.verdict == relative.PROVED:
        proved = engines.SymbolicResult("table", engines.PROVED, seconds, detail=f"{what}: {found.detail}")
        proved.lines, proved.lemmas = describe_support(enc, found.lemmas, WORDS), found.lemmas
        return proved
    holding = (f"the property and the table of {found.rows} control combinations hold there" if found.relative_to_table
               else "the property holds there")
    return engines.SymbolicResult("table", engines.UNKNOWN, seconds,
                                  detail=f"{what}: {found.detail}" + _counterexample_words(enc, good, found.cti, holding),
                                  cti=None if found.cti is None else relative.as_json(enc, good, found.cti))


def _counterexample_words(enc: Encoding, good: z3.BoolRef, cti: houdini.Counterexample | None,
                          holding: str = "the other candidate lemmas hold there") -> str:
    """A counterexample to induction of the property, in the model's words: the rule, the state
    before it (:func:`~prosecheck.checker.symbolic.relative.shown`, zero values included: a value
    the property compares may be 0; ``holding`` says what else holds there) and what the step changed."""
    if cti is None:
        return ""
    if cti.rule is None:
        return f"; an initial state breaks it: {describe_state(enc, cti.before, enc.reads(good))}"
    changed = [p for p in enc.kept if cti.before[p] != cti.after[p]]
    return (f"; counterexample to induction: the step {enc.rules[cti.rule].name} from a state where "
            f"{describe_state(enc, cti.before, relative.shown(enc, good, cti), zeros=True)} ({holding}) changes "
            f"{describe_state(enc, cti.after, changed, zeros=True) or 'nothing'} and breaks the property")


def confirm(scenario: Scenario, prop: Property, rules: Sequence[Rule], symbolic: System) -> tuple[str, str]:
    """Replay a symbolic trace on the explicit model: the scenario's bounds, then the largest."""
    # (no rules: the initial world itself, checked like any other replayed world)
    for label, candidate in (("the scenario's bounds", scenario),
                             ("raised bounds", scenario.with_bounds(**MAX_BOUNDS))):
        system = build_system(candidate)
        world = replay(system, symbolic, rules)
        if world is None:
            continue
        check = compile_py(bind_property(system, prop).expr)
        if not check(lambda scope, name, world=world: world[int(name)]):  # type: ignore[misc]
            steps = f"{len(rules)} steps"
            if label == "raised bounds":
                return engines.VIOLATED, (f"{steps}; beyond the scenario's bounds: confirmed on the explicit model "
                                          f"with {candidate.bounds.summary()}")
            return engines.VIOLATED, f"{steps}; confirmed on the explicit model within the scenario's bounds"
    return engines.UNKNOWN, "a symbolic counterexample that the explicit model does not confirm (over-approximation)"


def replay(system: System, symbolic: System, rules: Sequence[Rule]) -> World | None:
    """Follow the rules' steps (instance, transition, link) through ``System.successors``."""
    world = system.initial()
    for rule in rules:
        inst = symbolic.instances[rule.instance]
        edge = inst.table.edge(rule.transition)
        nxt = [w for label, w in system.successors(world)[0]
               if label.instance == rule.instance and label.link == rule.link
               and system.instances[label.instance].table.edge(
                   system.instances[label.instance].table.transitions[label.transition]) == edge]
        if not nxt:
            return None
        world = nxt[0]
    return world


__all__ = ["ATTEMPT_MASKS", "ENGINES", "ProofResult", "attempt_masks", "chosen_properties", "confirm", "lifted_system",
           "prove_scenario", "replay", "sample_states", "symbolic_system"]
