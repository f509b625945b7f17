"""The indexed attempt masks, the cone-of-influence slice and Houdini: each sound, each exercised."""

from __future__ import annotations

import itertools

import pytest
import z3

from prosecheck.checker.expr import BITS, W
from prosecheck.checker.search import explore
from prosecheck.checker.symbolic import certify, engines, houdini
from prosecheck.checker.symbolic.encode import INDEX, Encoding
from prosecheck.checker.symbolic.masks import bit_of, projectable
from prosecheck.model.build import bind_property, build_system
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.prove import ATTEMPT_MASKS, _counterexample_words, symbolic_system
from prosecheck.scenarios.catalog import SCENARIOS
from tests import toy


def _value(term: z3.ExprRef) -> int:
    return z3.simplify(term).as_long()  # type: ignore[no-any-return]


def test_bit_of_is_the_concrete_bit() -> None:
    """Structural extraction = ``(term >> n) & 1`` for reads of a tracked mask, or, and, xor,
    ``1 << x``, if-then-else and constants, over every index and a spread of values."""
    index, tracked, free, x = (z3.BitVec(name, BITS) for name in ("n", "t", "h", "x"))
    read = (free & ~(z3.BitVecVal(1, BITS) << index)) | (tracked << index)
    terms = [read, read | (z3.BitVecVal(1, BITS) << x), z3.If(x == 2, read, z3.BitVecVal(5, BITS)),
             (read & z3.BitVecVal(0x0F0F, BITS)) ^ (z3.BitVecVal(1, BITS) << x), read + 1]
    for term in terms:
        extracted = bit_of(term, index, {read.get_id(): tracked})
        for n, mask, xv in itertools.product(range(16), (0, 1, 6, 0x8001, 0xFFFF), (0, 2, 15)):
            concrete = [(index, z3.BitVecVal(n, BITS)), (free, z3.BitVecVal(mask, BITS)),
                        (tracked, z3.BitVecVal((mask >> n) & 1, BITS)), (x, z3.BitVecVal(xv, BITS))]
            whole = _value(z3.substitute(term, *concrete))
            assert _value(z3.substitute(extracted, *concrete)) == (whole >> n) & 1, (term, n, mask, xv)


def test_projectable_properties() -> None:
    knr, auth = z3.BitVecs("knr auth", BITS)
    state, masks = [knr, auth], {0, 1}
    assert projectable((knr | auth) == auth, state, masks)  # the authorization property's shape
    assert projectable((knr & auth) == 0, state, masks)
    assert not projectable(knr != 3, state, masks)  # 3 = bits 0 and 1 together: no one-bit projection sees it
    assert not projectable(z3.ULE(knr, 4), state, masks)


def test_the_indexed_step_covers_every_concrete_step() -> None:
    """For sampled reachable worlds of m300.panf_udm (2 attempts) and every tracked attempt, each
    explicit successor, projected onto that attempt's bit, is a successor in the indexed encoding."""
    scenario = SCENARIOS["m300.panf_udm"].with_bounds(attempts=2, withdrawals=1, restores=1)
    _, enc = symbolic_system(scenario, True, indexed=True)
    assert enc.indexed and INDEX in enc.param_pos
    concrete = build_system(scenario)
    exploration = explore(concrete)
    solver = z3.SolverFor("QF_BV")
    solver.add(enc.trans(enc.cur, enc.nxt))
    checked = 0
    for k in range(0, exploration.states, 13):
        world = exploration.worlds[k]
        for n in (1, 2, 5):
            params = {"attempts": 2, INDEX: n}
            solver.push()
            solver.add(enc.equals(enc.cur, enc.values(world, params)))
            for _, after in concrete.successors(world)[0]:
                solver.push()
                solver.add(enc.equals(enc.nxt, enc.values(after, params)))
                assert solver.check() == z3.sat, (k, n)
                solver.pop()
                checked += 1
            solver.pop()
    assert checked > 100


def test_the_slice_keeps_the_successors_of_the_kept_variables() -> None:
    """m200: for sampled reachable worlds, the sliced encoding's successors are exactly the full
    encoding's successors projected onto the kept variables."""
    system = build_system(SCENARIOS["m200"].with_bounds(attempts=1, withdrawals=1, restores=1))
    full = Encoding(system)
    good = full.prop(bind_property(system, PROPERTIES["supi_never_on_air"]).expr, full.cur)
    sliced = full.sliced(good)
    assert 0 < len(sliced.kept) < len(full.kept)
    exploration = explore(system)
    for k in range(0, exploration.states, 29):
        world = exploration.worlds[k]
        expected = {tuple(full.values(w)[p] for p in sliced.kept) for _, w in system.successors(world)[0]}
        solver = z3.SolverFor("QF_BV")
        solver.add(sliced.trans(sliced.cur, sliced.nxt), sliced.equals(sliced.cur, full.values(world)))
        found = set()
        while solver.check() == z3.sat:
            values = tuple(solver.model().eval(sliced.nxt[p], model_completion=True).as_long() for p in sliced.kept)
            found.add(values)
            solver.add(z3.Not(z3.And([sliced.nxt[p] == v for p, v in zip(sliced.kept, values)])))
        assert found == expected, k


def _toy(property_formula: object) -> tuple[Encoding, z3.BoolRef, list[list[int]]]:
    system = toy.ping_pong(3)
    enc = Encoding(system)
    good = enc.prop(system.bind(property_formula, 0), enc.cur)  # type: ignore[arg-type]
    exploration = explore(system)
    return enc, good, [enc.values(exploration.worlds[k]) for k in range(exploration.states)]


def test_houdini_finds_the_strengthening_of_a_non_inductive_invariant() -> None:
    """``last <= count`` is not 1-inductive (k-induction fails at k = 1); the lemmas mined from the
    reachable worlds include the one about the ping in flight, and Houdini keeps the property."""
    enc, good, samples = _toy(W("ponger.last") <= W("pinger.count"))
    assert engines.kind(enc, good, 1, 60).verdict == engines.UNKNOWN
    mined = houdini.candidates(enc, samples)
    assert all(lemma.holds(s) for lemma in mined for s in samples)
    lemmas = [good, *[lemma.formula(enc.cur) for lemma in mined]]
    heard: list[str] = []
    pruned = houdini.houdini(enc, lemmas, 120, heard.append, goal=0)
    assert pruned.complete and 0 in pruned.alive
    assert heard[0].startswith("Houdini initiation:") and any("pass 1, rule" in line for line in heard)
    needed = houdini.support(enc, lemmas, pruned.alive, 0, 120)
    assert 0 in needed and len(needed) > 1  # the property alone is not inductive
    assert len(needed) < len(pruned.alive)  # and the support is smaller than what survived
    check = z3.SolverFor("QF_BV")  # the support holds initially and is inductive by itself
    check.add(enc.init(enc.cur), z3.Not(z3.And([lemmas[k] for k in needed])))
    assert check.check() == z3.unsat
    check = z3.SolverFor("QF_BV")
    check.add(*[lemmas[k] for k in needed], enc.trans(enc.cur, enc.nxt),
              z3.Not(z3.And([z3.substitute(lemmas[k], *zip(enc.cur, enc.nxt)) for k in needed])))
    assert check.check() == z3.unsat
    lines = houdini.describe(enc, lemmas, needed)
    assert any("pinger->ponger[0]" in line for line in lines)


def test_houdini_with_weak_candidates_says_unknown_never_violated() -> None:
    """Mined from the initial world alone, the candidates are too strong to be inductive: the
    property falls with them, and that is no verdict."""
    enc, good, samples = _toy(W("ponger.last") <= W("pinger.count"))
    lemmas = [good, *[lemma.formula(enc.cur) for lemma in houdini.candidates(enc, samples[:1])]]
    pruned = houdini.houdini(enc, lemmas, 120)
    assert pruned.complete and 0 not in pruned.alive
    early = houdini.houdini(enc, lemmas, 120, goal=0)  # with a goal, the search stops once it falls
    assert not early.complete and 0 not in early.alive and "goal was dropped" in early.detail
    assert early.rounds <= pruned.rounds
    cti = early.cti  # the step that dropped the property: a real counterexample to induction
    assert cti is not None and cti.rule is not None
    before, after = _state(enc, cti.before), _state(enc, cti.after)
    assert z3.is_true(z3.simplify(z3.substitute(good, *before))) and z3.is_false(z3.simplify(z3.substitute(good, *after)))
    step = enc.step(enc.rules[cti.rule], enc.cur, enc.nxt)
    assert z3.is_true(z3.simplify(z3.substitute(step, *before, *[(n, v) for (_, v), n in zip(after, enc.nxt)])))
    words = _counterexample_words(enc, good, cti)
    assert words.startswith(f"; counterexample to induction: the step {enc.rules[cti.rule].name} from a state where ")
    assert "ponger in" in words or "pinger in" in words
    before_words = words.split(" from a state where ", 1)[1].split(" (the other candidate", 1)[0]
    for name in ("ponger.last", "pinger.count"):  # what the property reads is named, zero or not
        assert f"{name} = {cti.before[enc.names.index(name)]}" in before_words, (name, before_words)


def _state(enc: Encoding, values: list[int]) -> list[tuple[z3.BitVecRef, z3.BitVecRef]]:
    return [(v, z3.BitVecVal(x, 16)) for v, x in zip(enc.cur, values)]


def test_a_certificate_is_re_checked_by_z3_alone() -> None:
    """The support Houdini picks re-checks as a certificate (SMT-LIB text read back); the property
    alone, or a lemma set that breaks initiation, does not."""
    enc, good, samples = _toy(W("ponger.last") <= W("pinger.count"))
    lemmas = [good, *[lemma.formula(enc.cur) for lemma in houdini.candidates(enc, samples)]]
    pruned = houdini.houdini(enc, lemmas, 120, goal=0)
    needed = houdini.support(enc, lemmas, pruned.alive, 0, 120)
    text = certify.to_text([lemmas[k] for k in needed])
    assert certify.validate(enc, good, certify.parse(enc, text)).ok
    alone = certify.validate(enc, good, certify.parse(enc, certify.to_text([good])))
    assert not alone.ok and alone.reason.startswith("consecution: rule ")
    wrong = certify.validate(enc, good, [*certify.parse(enc, text), enc.cur[0] == 99])
    assert not wrong.ok and wrong.reason.startswith("initiation")


def test_every_attempt_mask_is_a_ghost_fact() -> None:
    system = build_system(SCENARIOS["m300.panf_udm"])
    assert {f"ghost.{name}" for name in ATTEMPT_MASKS} <= set(system.slots)


@pytest.mark.parametrize("pid", ["knr_only_after_authorization", "no_knr_after_withdrawal",
                                 "no_link_through_refused_relay"])
def test_the_authorization_properties_are_projectable(pid: str) -> None:
    system, enc = symbolic_system(SCENARIOS["m300.panf_udm"], True)
    good = enc.prop(bind_property(system, PROPERTIES[pid]).expr, enc.cur)
    masks = {system.slot(f"ghost.{name}") for name in ATTEMPT_MASKS}
    assert projectable(good, enc.cur, masks)
