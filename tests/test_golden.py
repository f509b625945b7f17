"""Every violation of an invariant or liveness property in the default scenarios has a golden
shortest trace under ``tests/golden/``; a change to a trace must be a deliberate one.

Regenerate after a deliberate model change with ``python tests/test_golden.py`` and review the diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_scenarios import MANIFEST

from prosecheck.model.scenarios import DEFAULT_SCENARIOS
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.report.text import format_trace

GOLDEN = Path(__file__).parent / "golden"
_ATTACKS = "m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk"
PAIRS = [
    (s.id, pid) for s in DEFAULT_SCENARIOS for pid in sorted(MANIFEST[s.id][3])
    if pid not in PROPERTIES or PROPERTIES[pid].kind != "sometimes"
] + [(_ATTACKS, pid) for pid in ("knr_from_current_pruk", "leaked_old_pruk_useless", "no_replay_completion",
                                 "secrecy_knr")]
"""Every violation of the default set, and the attacks found under threat models (opt-in scenarios)."""


def golden_text(result, pid: str) -> str:
    p = result.properties[pid]
    lines = [f"{result.scenario.id}: {pid} {p.verdict}", *format_trace(p.trace, "violates " + pid)]
    if p.detail:
        lines.append(f"=> {p.detail}")
    return "\n".join(lines) + "\n"


def golden_path(sid: str, pid: str) -> Path:
    return GOLDEN / f"{sid}__{pid}.txt"


@pytest.mark.parametrize(("sid", "pid"), PAIRS)
def test_the_trace_of_each_violation_is_golden(check_once, sid, pid):
    assert golden_text(check_once(sid), pid) == golden_path(sid, pid).read_text()


if __name__ == "__main__":
    from conftest import checked

    for sid, pid in PAIRS:
        golden_path(sid, pid).write_text(golden_text(checked(sid), pid))
        print("wrote", golden_path(sid, pid))
