"""The model's structure: every transition cites the spec, names come from the spec, and the
engine stays generic."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from prosecheck.checker.expr import BITS, evaluate
from prosecheck.checker.machine import ModelError
from prosecheck.model.build import _tables, options_of
from prosecheck.model.elements import ELEMENTS
from prosecheck.model.elements.attacker import ATTACKER_NONCE
from prosecheck.model.environment import BOUND_LIMITS, Bounds
from prosecheck.model.messages import MESSAGES
from prosecheck.model.terms import MAX_ATTEMPTS, NONCE_BITS, knr, knr_pruk
from prosecheck.prove import ATTEMPTS_RANGE, MAX_BOUNDS
from prosecheck.scenarios.catalog import SCENARIOS

ROOT = Path(__file__).parent.parent / "prosecheck"


@pytest.mark.parametrize("cls", ELEMENTS, ids=[c.ROLE for c in ELEMENTS])
def test_every_effect_cites_a_step_paragraph_or_clause(cls):
    for name, effect in cls.EFFECTS.items():
        ref = effect.ref
        assert ref.steps or ref.paragraphs or ref.clauses, f"{cls.ROLE}.{name} has no citation"
        assert effect.label, f"{cls.ROLE}.{name} has no description"


@pytest.mark.parametrize("cls", ELEMENTS, ids=[c.ROLE for c in ELEMENTS])
def test_every_state_has_a_spec_name_and_every_transition_one_effect(cls):
    for state in cls.states:
        assert state.name and state.name != state.id.replace("_", " ").capitalize(), state.id
    scenario = SCENARIOS["m300.ausf_udm"]
    table = _tables(tuple(sorted(options_of(scenario).items())), ())[cls.ROLE]
    assert all(t.effect_name in cls.EFFECTS for t in table.transitions)


def test_every_message_cites_its_step_or_clause():
    for m in MESSAGES.values():
        assert m.ref.steps or m.ref.clauses, m.name
        assert m.link in {"pc5", "nas", "sbi"}


def test_every_effect_of_every_element_is_used_by_a_transition():
    for cls in ELEMENTS:
        used = set()
        for state in cls.states:
            for tr in state.transitions:
                used |= {str(spec.func) for spec in tr.on if not spec.is_convention}
        assert used == set(cls.EFFECTS), cls.ROLE


def test_the_engine_does_not_import_the_model():
    for path in (ROOT / "checker").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("prosecheck.model"), f"{path.name} imports {node.module}"
                assert not node.module.startswith("prosecheck.properties"), f"{path.name} imports {node.module}"


def _known_options() -> set[str]:
    return {name for scenario in SCENARIOS.values() for name in options_of(scenario)}


def test_every_option_an_element_names_exists():
    """Options read by the rules (``O("x")``) and named in the prose ("option ``x``", "reading ``x``",
    "the ``x`` reading") are options some scenario sets."""
    known = _known_options()
    named = re.compile(r'\bO\("(\w+)"\)|\b(?:option|reading) ``(\w+)``|``(\w+)`` reading')
    for path in sorted((ROOT / "model" / "elements").glob("*.py")) + [ROOT / "model" / "pc5.py"]:
        for match in named.finditer(path.read_text()):
            name = next(g for g in match.groups() if g)
            assert name in known, f"{path.name} names option {name!r}, which no scenario sets"


def test_the_attempt_limit_follows_from_the_width_of_nonce_1():
    """Nonce_1 is the attempt's number and an attacker's Nonce_1 is one more: with the largest bound
    every one of them is a nonzero NONCE_BITS-bit value that packs into KNR_ProSe without touching
    the 5GPRUK bits and indexes a bit of an attempt mask; one attempt more would not fit."""
    assert MAX_ATTEMPTS == 2**NONCE_BITS - 2
    assert BOUND_LIMITS["attempts"] == ATTEMPTS_RANGE == (1, MAX_ATTEMPTS)
    assert MAX_BOUNDS == {name: BOUND_LIMITS[name][1] for name in MAX_BOUNDS}
    Bounds(attempts=MAX_ATTEMPTS).validate()
    with pytest.raises(ModelError, match=f"in 1..{MAX_ATTEMPTS}, got {MAX_ATTEMPTS + 1}"):
        Bounds(attempts=MAX_ATTEMPTS + 1).validate()

    def attacker_nonce(attempts: int) -> int:
        nonce = evaluate(ATTACKER_NONCE, {("opt", "attempts"): attempts})
        assert isinstance(nonce, int)
        return nonce

    def packed_pruk(attempts: int) -> int:
        value = evaluate(knr_pruk(knr(2, attacker_nonce(attempts), 2**NONCE_BITS - 1)), {})
        assert isinstance(value, int)
        return value

    assert 0 < attacker_nonce(MAX_ATTEMPTS) < BITS  # a bit of an attempt mask
    assert packed_pruk(MAX_ATTEMPTS) == 2
    assert packed_pruk(MAX_ATTEMPTS + 1) != 2  # the attacker's Nonce_1 would spill into the 5GPRUK field


def test_procedure_options_are_typed_and_checked_when_a_procedure_is_built():
    from prosecheck.checker.machine import ModelError
    from prosecheck.model.procedures import PROCEDURES, Procedure, ProcedureOptions

    for p in PROCEDURES.values():
        typed = p.typed.as_dict()
        assert all(typed[k] == v for k, v in p.all_options().items())  # the same values, one checked type
    assert ProcedureOptions.of({"check": 2}).check == 2
    with pytest.raises(ModelError, match="procedure x: unknown option 'chek'"):
        Procedure("x", "t", {"chek": 1})
    with pytest.raises(ModelError, match="option check must be one of \\[0, 1, 2, 3\\], got 7"):
        Procedure("x", "t", {"check": 7})
    with pytest.raises(ModelError, match="option replace_at_ue must be one of \\[0, 1\\], got 2"):
        Procedure("x", "t", {"replace_at_ue": 2})


@pytest.mark.slow  # explores two scenarios under an attacker: about 4 s
def test_the_attempt_limit_follows_from_the_width_of_nonce_1_and_nonce_2_never_overflows():
    """Nonce_1 is the attempt's number and an attacker's own is attempts + 1, so attempts <= 2**4 - 2;
    Nonce_2 (the AUSF's count of derivations) reaches at most attempts + 1 (measured here), so the
    packed KNR_ProSe term never carries one nonce into the other's bits."""
    from prosecheck.checker.search import explore
    from prosecheck.model.build import build_system
    from prosecheck.model.environment import BOUND_LIMITS
    from prosecheck.model.terms import MAX_ATTEMPTS, NONCE_BITS
    from prosecheck.scenarios.catalog import SCENARIOS

    assert BOUND_LIMITS["attempts"] == (1, MAX_ATTEMPTS) and MAX_ATTEMPTS == 2**NONCE_BITS - 2
    for sid, attempts, injections in (("m200", 3, 3), ("m400.ausf_udm", 2, 2)):
        scenario = SCENARIOS[sid].with_bounds(attempts=attempts, withdrawals=0, restores=0)
        system = build_system(scenario.with_threats(pc5_attacker=injections))
        slot = system.slot("ausf.nonce_2_count")
        assert max(w[slot] for w in explore(system).worlds) == attempts + 1
