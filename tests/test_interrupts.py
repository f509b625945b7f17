"""Ctrl-C (issue 23): the first one, at any phase, prints what was decided and exits 22 with the
rest INCONCLUSIVE; a second one exits 130 at once.

The end-to-end tests run ``prosecheck check`` in a child process that sends itself a real SIGINT
at a fixed point (after N successor computations, or once the parallel driver has N states), so
the signal goes through the installed handler exactly as a terminal's Ctrl-C would, at a
reproducible moment.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap

import pytest

from prosecheck import verify
from prosecheck.checker.search import Limits
from prosecheck.cli.checking import NOT_BEGUN, check_each
from prosecheck.results import EXIT_INCONCLUSIVE, INCONCLUSIVE, NOT_APPLICABLE
from prosecheck.scenarios.catalog import SCENARIOS

# A child process: `prosecheck ARGV`, with a real SIGINT sent to itself at chosen points.
_CHILD = textwrap.dedent('''
    import json, os, signal, sys
    from prosecheck import verify
    from prosecheck.checker import parallel
    from prosecheck.cli import main
    plan = json.loads(sys.argv[1])

    def ctrl_c():
        os.kill(os.getpid(), signal.SIGINT)

    if plan.get("after_successors"):
        build = verify.build_system
        def build_system(scenario):
            system, calls = build(scenario), {"n": 0}
            successors = system.successors
            def counted(world, instances=None):
                calls["n"] += 1
                if calls["n"] == plan["after_successors"]:
                    ctrl_c()
                return successors(world, instances)
            system.successors = counted
            return system
        verify.build_system = build_system
    if plan.get("driver_states"):
        order, sent = parallel._Driver._order, {"done": False}
        def ordered(self, news, depth, limits):
            order(self, news, depth, limits)
            if not sent["done"] and self.result.states >= plan["driver_states"]:
                sent["done"] = True
                ctrl_c()
        parallel._Driver._order = ordered
        from prosecheck.checker.native import partitioned
        limit = partitioned._limit
        def limited(limits, stored, seconds, snaps):  # the partitioned compiled search: after a level
            if not sent["done"] and stored >= plan["driver_states"]:
                sent["done"] = True
                ctrl_c()
            return limit(limits, stored, seconds, snaps)
        partitioned._limit = limited
    if plan.get("again_while_judging"):
        judge = verify.judge
        def judging(*args, **kwargs):
            ctrl_c()
            return judge(*args, **kwargs)
        verify.judge = judging
    sys.exit(main(plan["argv"]))
''')


def _run_child(plan: dict[str, object]) -> subprocess.CompletedProcess[str]:
    # timeout: a guard against a hang (the bug this file tests for), not a speed requirement
    return subprocess.run([sys.executable, "-c", _CHILD, json.dumps(plan)], capture_output=True, text=True,
                          timeout=900, env={**_env(), "PROSECHECK_CACHE": "off"})


def _env() -> dict[str, str]:
    import os
    return dict(os.environ)


def _decided(doc: dict, scenario: str) -> dict:
    return next(r for r in doc["results"] if r["scenario"] == scenario)


# one UE: one successor computation per world; two UEs: one per component value (1,286 for 413,449 worlds)
@pytest.mark.parametrize("scenario, after", [("m200.5attempts", 3000), ("m300.ausf_udm.2ue", 200)])
def test_a_ctrl_c_during_the_search_prints_what_was_decided_and_exits_10(scenario, after):
    proc = _run_child({"after_successors": after, "argv": ["check", scenario, "m200", "--json", "--quiet"]})
    assert proc.returncode == EXIT_INCONCLUSIVE, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"interrupted during {scenario}" in proc.stderr and "1 scenario(s) not checked" in proc.stderr
    doc = json.loads(proc.stdout)
    first, rest = _decided(doc, scenario), _decided(doc, "m200")
    assert first["stats"]["stopped"] == "interrupted" and first["stats"]["states"] >= 3000
    assert all(p["verdict"] != "HOLDS" or p["kind"] == "sometimes" for p in first["properties"].values())
    assert rest["stats"]["states"] == 0
    assert {p["verdict"] for p in rest["properties"].values()} <= {INCONCLUSIVE, NOT_APPLICABLE}
    assert all(p["detail"] == f"not decided: {NOT_BEGUN}" for p in rest["properties"].values()
               if p["verdict"] == INCONCLUSIVE)


def test_a_second_ctrl_c_exits_130_at_once_without_results():
    proc = _run_child({"after_successors": 3000, "again_while_judging": True,
                       "argv": ["check", "m200.5attempts", "--json", "--quiet"]})
    assert proc.returncode == 130
    assert "interrupted again" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("pool", ["threads", pytest.param("ray", marks=pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="Ray not installed (.ci/run installs it)"))])
def test_a_ctrl_c_during_a_parallel_search_prints_what_was_decided_and_exits_10(pool):
    proc = _run_child({"driver_states": 2000, "argv": ["check", "m300.ausf_udm.2ue", "--workers", "2", "--json",
                                                       "--quiet", "--pool", pool]})
    assert proc.returncode == EXIT_INCONCLUSIVE, proc.stderr
    result = _decided(json.loads(proc.stdout), "m300.ausf_udm.2ue")
    assert result["stats"]["stopped"] == "interrupted" and result["stats"]["states"] >= 2000
    assert any(p["verdict"] == INCONCLUSIVE for p in result["properties"].values())


def test_a_ctrl_c_while_the_system_is_built_leaves_every_verdict_inconclusive(monkeypatch):
    def interrupted(scenario):
        raise KeyboardInterrupt

    monkeypatch.setattr(verify, "build_system", interrupted)
    r = verify.check_scenario(SCENARIOS["m200"])
    assert r.interrupted and r.states == 0 and r.cut == "interrupted during build"
    assert {p.verdict for p in r.properties.values()} <= {INCONCLUSIVE, NOT_APPLICABLE}
    assert r.properties["deadlock_free"].detail == "not decided: interrupted during build"
    assert r.exit_code == EXIT_INCONCLUSIVE


def test_a_ctrl_c_between_the_checks_phases_is_answered_too():
    """Outside check_scenario (the cache, a progress line): the scenario and the rest are not checked."""
    seen: list[str] = []

    def check_one(s, progress, phase):
        seen.append(s.id)
        if len(seen) == 2:
            raise KeyboardInterrupt
        return verify.check_scenario(s, ["knr_agreement"])

    chosen = [SCENARIOS[i] for i in ("m200", "m300.panf_udm", "m300.ausf_udm")]
    results = check_each(chosen, check_one, ["knr_agreement"], Limits(), quiet=True)
    assert seen == ["m200", "m300.panf_udm"]
    assert [r.scenario.id for r in results] == ["m200", "m300.panf_udm", "m300.ausf_udm"]
    assert results[0].complete and not results[0].interrupted
    assert results[1].cut == "interrupted during m300.panf_udm" and results[2].cut == NOT_BEGUN
    assert results[2].properties["knr_agreement"].verdict == INCONCLUSIVE
    assert set(results[2].properties) == {"knr_agreement", "deadlock_free", "messages_handled", "livelock_free"}
