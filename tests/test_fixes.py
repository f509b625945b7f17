"""The proposed fixes (prosecheck/model/fixes.py): each fix scenario against the text's own, through the
shared checks (conftest.check_once). Slow tier: the lossy pairs explore about 60,000 worlds each."""

from __future__ import annotations

import pytest

from prosecheck.checker.machine import ModelError
from prosecheck.model.build import element_tables
from prosecheck.model.fixes import FIXES, fix_of, is_fix_scenario
from prosecheck.model.messages import MESSAGES, field_names
from prosecheck.model.procedures import Procedure
from prosecheck.model.terms import FIX_DEFAULTS
from prosecheck.report.listing import listing_json
from prosecheck.results import NOT_APPLICABLE
from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS, SCENARIOS

PAIRS = [(fix.key, text, fixed) for fix in FIXES for text, fixed in fix.pairs]


def _verdicts(result):
    return {pid: p.verdict for pid, p in result.properties.items()}


@pytest.mark.parametrize(("key", "text", "fixed"), PAIRS)
def test_the_fix_changes_the_verdicts_it_names_and_nothing_else(check_once, key, text, fixed):
    fix = fix_of(fixed)
    assert fix is not None and fix.key == key
    before, after = _verdicts(check_once(text)), _verdicts(check_once(fixed))
    changed = {pid for pid in before if before[pid] != after[pid]}
    # only the properties of this fix (and of the fixes it includes) change, and at least one of its own does
    included = {pid for f in FIXES if set(f.options.items()) <= set(fix.options.items()) for pid in f.properties}
    assert changed <= included, (text, fixed, {p: (before[p], after[p]) for p in changed})
    assert changed & set(fix.properties), (text, fixed)


@pytest.mark.parametrize(("key", "text", "fixed"), PAIRS)
def test_every_fix_verdict_is_as_its_scenario_declares(check_once, key, text, fixed):
    result = check_once(fixed)
    assert result.complete
    assert {pid: p.verdict for pid, p in result.properties.items() if p.verdict != p.expected} == {}
    assert result.properties["deadlock_free"].verdict == "HOLDS"


def test_the_notification_makes_no_knr_after_withdrawal_hold_where_the_stale_info_violated_it(check_once):
    for text, fixed in FIXES[0].pairs:
        assert check_once(text).properties["no_knr_after_withdrawal"].verdict == "VIOLATED"
        assert check_once(fixed).properties["no_knr_after_withdrawal"].verdict == "HOLDS"


def test_the_recheck_closes_the_window_between_check_and_derivation(check_once):
    for text, fixed in FIXES[1].pairs:
        for pid in ("knr_derived_while_withdrawn", "reuse_knr_derived_while_withdrawn"):
            assert check_once(text).properties[pid].verdict == "HOLDS"  # reached under the text
            assert check_once(fixed).properties[pid].verdict == "VIOLATED"  # unreached under the fix
        assert {p.verdict for p in check_once(fixed).properties.values() if p.kind == "always"} <= {"HOLDS", NOT_APPLICABLE}


def test_the_unknown_id_answer_lets_the_ue_recover_after_a_lost_update(check_once):
    for text, fixed in FIXES[2].pairs:
        assert check_once(text).properties["recovers_after_loss"].verdict == "VIOLATED"
        result = check_once(fixed)
        assert result.properties["recovers_after_loss"].verdict == "HOLDS"
        assert not [e for e in result.never_fired if "fall_back_to_suci" in e]


def test_fix_scenarios_are_opt_in_and_listed():
    fixed = {fid for fix in FIXES for _, fid in fix.pairs}
    assert fixed <= set(SCENARIOS) and not fixed & {s.id for s in DEFAULT_SCENARIOS}
    listed = {row["id"] for row in listing_json()["scenarios"]}
    assert fixed <= listed
    assert all(is_fix_scenario(s) for s in fixed) and not any(is_fix_scenario(s.id) for s in DEFAULT_SCENARIOS)


def test_the_text_scenarios_compile_without_any_fix_transition_or_message():
    for scenario in DEFAULT_SCENARIOS:
        assert not {m for m in field_names(scenario.procedure.all_options()) if MESSAGES[m].fix}
        for table in element_tables(scenario).values():
            assert not [tr for tr in table.transitions if "proposed fix" in tr.effect.label], scenario.id
            assert not {"notifying", "withdrawn_notice"} & set(table.var_names)


def test_every_fix_row_is_complete_and_cites_real_options():
    for fix in FIXES:
        assert fix.pairs and fix.properties and fix.proposed_text and fix.paragraphs
        assert set(fix.options) <= set(FIX_DEFAULTS)
        for text, fixed in fix.pairs:
            assert text in SCENARIOS and fixed in SCENARIOS
            assert SCENARIOS[fixed].bounds == SCENARIOS[text].bounds
            assert SCENARIOS[fixed].threats == SCENARIOS[text].threats


def test_the_recheck_needs_the_notification():
    with pytest.raises(ModelError, match="needs udm_notifies_authorization"):
        Procedure("x", "x", {"ausf_refuses_while_withdrawn": 1})


def test_the_traces_of_the_fix_scenarios_replay_on_live_machines(capsys, tmp_path, check_once):
    import json

    from prosecheck.cli import main
    from prosecheck.report.json_out import results_json

    fixed = [fid for fix in FIXES for _, fid in fix.pairs[:1]]
    doc = json.loads(results_json([check_once(fid) for fid in fixed]))  # what `check --json` prints
    path = tmp_path / "fixes.json"
    path.write_text(json.dumps(doc))
    code = main(["replay", str(path)])
    out, _ = capsys.readouterr()
    traces = sum(1 for r in doc["results"] for p in r["properties"].values() if p["trace"] is not None)
    assert code == 0 and out.count("confirmed ") == traces > 0
    assert "Nudm_SDM_Notification" in json.dumps(doc) or "authorization_notification" in json.dumps(doc)
