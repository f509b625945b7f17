"""The model against the text's statements: each reading of [0263] breaks one of its two sentences,
and seeded modelling mistakes are caught by the statements they break."""

from __future__ import annotations

import pytest

from prosecheck.analysis.conformance import check_conformance
from prosecheck.checker.search import explore
from prosecheck.model.build import build_system, options_of
from prosecheck.scenarios.catalog import SCENARIOS


def _deviations(scenario_id: str, *mutants: str) -> tuple[int, list[tuple[str, str]]]:
    scenario = SCENARIOS[scenario_id].with_mutants(*mutants) if mutants else SCENARIOS[scenario_id]
    result = check_conformance(scenario, explore(build_system(scenario)), options_of(scenario))
    assert result is not None
    return result.observations, [(d.statement, d.by_reading) for d in result.deviations]


def test_each_reading_of_0263_breaks_one_of_its_sentences():
    observed, deviations = _deviations("m300.panf_udm")
    assert observed > 0 and deviations == [("0263b", "s3042_answers_failure=1")]  # set aside by its reading
    observed, deviations = _deviations("m300.panf_udm.s3042_success_only")
    assert deviations == [("0260", "")]  # no S3042 after a failed check


def test_the_other_default_procedures_follow_every_statement_they_touch():
    for sid in ("m200", "m300.panf_local", "m300.ausf_udm"):
        observed, deviations = _deviations(sid)
        assert observed > 0 and deviations == [], sid


@pytest.mark.parametrize(("scenario", "mutant", "statement"), [
    ("m300.panf_udm", "panf_ignores_udm_denial", "0252c"),
    ("m300.panf_udm", "panf_skips_udm_check", "0290"),
    ("m300.panf_local", "panf_skips_local_check", "0290"),
    ("m300.ausf_udm", "udm_silent_on_denial", "0284a"),
])
def test_a_seeded_mistake_breaks_a_statement(scenario, mutant, statement):
    _, deviations = _deviations(scenario, mutant)
    assert statement in [sid for sid, _ in deviations]
