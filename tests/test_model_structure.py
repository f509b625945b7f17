"""The model's structure: every transition cites the spec, names come from the spec, and the
engine stays generic."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from prosecheck.model.build import _tables, options_of
from prosecheck.model.elements import ELEMENTS
from prosecheck.model.messages import MESSAGES
from prosecheck.model.scenarios import SCENARIOS

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
