"""Diagrams: element state diagrams, sequence charts, the figures' step orders, state graphs (the
committed diagrams/ folder is kept current by tests/test_generated.py). Text (DOT, Mermaid, PlantUML)
is compared, never pixels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from prosecheck.cli import main
from prosecheck.diagrams import export, render, states
from prosecheck.diagrams.figures import FIGURES, happy_path
from prosecheck.diagrams.graph import GraphTooLarge, build_graph, to_dot
from prosecheck.diagrams.msc import build_chart
from prosecheck.diagrams.msc_render import to_mermaid, to_plantuml, to_svg
from prosecheck.model.build import build_system, element_tables
from prosecheck.model.procedures import PROCEDURES
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario


def _variant(key: str) -> states.Variant:
    return next(v for v in states.variants() if v.key == key)


# -- element state diagrams -----------------------------------------------------------------------

def test_variants_split_an_element_only_where_its_compiled_machine_differs():
    ausf = [v for v in states.variants() if v.role == "ausf"]
    assert [v.key for v in ausf] == [
        "ausf--m200", "ausf--m300.ausf_udm", "ausf--m600.before.panf_local", "ausf--m600.after.panf_local",
        "ausf--m700.panf_local", "ausf--m600.before.ausf_udm", "ausf--m600.after.ausf_udm", "ausf--m700.ausf_udm"]
    assert ausf[1].procedures[0] == "m300.ausf_udm" and "m200" in ausf[0].procedures
    assert sorted(p for v in ausf for p in v.procedures) == sorted(PROCEDURES)
    assert [v.key for v in states.variants(roles=["amf"])] == ["amf"]


def test_every_compiled_transition_is_one_edge_and_only_reachable_states_are_drawn():
    for v in states.variants():
        dot = states.to_dot(v)
        if states.is_single_state(v):  # one row per transition in a table (see the test below)
            assert dot.count("<TR>") == len(v.table.transitions) + 2
            continue
        assert len(re.findall(r"^\t\w+ -> \w+", dot, re.M)) == len(v.table.transitions) + 1  # + the entry arrow
        assert len(re.findall(r" --> (?!\[\*\])", states.to_mermaid(v))) == len(v.table.transitions) + 1
    m200 = _variant("ausf--m200")
    assert "checking_authorization" not in states.to_dot(m200)  # pruned away: no check in these procedures
    assert "checking_authorization" in states.to_dot(_variant("ausf--m300.ausf_udm"))


def test_edges_read_event_guard_output_and_cite_their_steps():
    dot = states.to_dot(_variant("ausf--m300.ausf_udm"))
    assert ('querying_key -> checking_authorization [label="Npanf_ProseKey_get Response\n[reuse and key_returned]\n'
            '/ Nudm_UEAuthorization_ProseCheck Request\n(S305 S3051)"') in dot
    assert 'tooltip="5GPRUK and SUPI returned; ask the UDM whether the UE may still use the relay service' in dot
    # the option fixed by the procedure is folded away: no "check_at_ausf" left in the guard
    assert "check_at_ausf" not in dot


def test_initial_and_final_states_are_marked_in_dot_and_mermaid():
    v = _variant("remote_ue--m200")
    dot, mmd = states.to_dot(v), states.to_mermaid(v)
    assert "__initial -> idle" in dot and re.search(r"\tdone \[[^\]]*peripheries=2", dot)
    assert 'state "Registered, relay discovered (S201-S203)" as idle' in mmd
    assert "[*] --> idle" in mmd and "done --> [*]" in mmd and mmd.startswith("---\ntitle:")


def test_a_scenario_restricts_the_diagrams_to_its_compiled_machines():
    vs = states.variants([SCENARIOS["m300.panf_local"]])
    assert [v.key for v in vs] == [v.role for v in vs]
    assert {v.role: len(v.table.transitions) for v in vs} == {
        role: len(t.transitions) for role, t in element_tables(SCENARIOS["m300.panf_local"]).items()}


def test_with_a_scenario_only_the_transitions_its_search_fires_are_drawn(capsys):
    from prosecheck.checker.search import explore

    scenario = SCENARIOS["m300.panf_udm"]
    (ausf,) = states.pruned(states.variants([scenario], ["ausf"]), scenario)
    system = build_system(scenario)
    fired = {t for i, t in explore(system).fired if system.instances[i].role == "ausf"}
    assert ausf.fired == fired and len(fired) < len(ausf.table.transitions)
    drawn = states.to_dot(ausf)
    never = [tr for t, tr in enumerate(ausf.table.transitions) if t not in fired]
    assert any(tr.effect_name == "query_key_for_update" for tr in never)  # method 500/600's: m300 never fires it
    assert [e.tooltip for e in states.edges(ausf)] == [f"{tr.effect.label} [{tr.effect.ref}]"
                                                        for t, tr in enumerate(ausf.table.transitions) if t in fired]
    assert f"the {len(fired)} of {len(ausf.table.transitions)} compiled transitions its search fires" in drawn
    assert main(["diagram", "states", "ausf", "--scenario", "m300.panf_udm"]) == 0
    assert capsys.readouterr().out.count(" -> ") == len(fired) + 1  # each fired transition once, and the entry arrow


def test_a_one_state_machine_is_a_table_of_its_transitions_not_a_strip_of_self_loops():
    v = _variant("panf--m200")
    dot, mmd = states.to_dot(v), states.to_mermaid(v)
    assert states.is_single_state(v)
    assert "<TABLE" in dot and "ready -> ready" not in dot and dot.count("<TR>") == len(v.table.transitions) + 2
    assert "note right of ready" in mmd and "ready --> ready" not in mmd


def test_captions_are_short_and_the_index_keeps_every_procedure():
    for v in states.variants():
        caption = states.to_mermaid(v).splitlines()[1]
        assert len(caption) <= 130, caption
    index = (Path(__file__).parent.parent / "diagrams" / "README.md").read_text()
    assert "m200.s215b_with_nonce_1" in index


# -- message sequence charts ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def m200_counterexample():
    r = check_scenario(SCENARIOS["m200"], ["no_knr_after_withdrawal"])
    steps = [s.as_dict() for s in r.properties["no_knr_after_withdrawal"].trace]
    return r, steps, build_chart(steps, r.elements, "m200", "violates no_knr_after_withdrawal")


def test_a_counterexample_chart_has_a_lifeline_per_element_and_highlights_the_violating_step(m200_counterexample):
    r, steps, chart = m200_counterexample
    assert [ln.name for ln in chart.lifelines] == ["remote_ue", "relay_ue", "amf", "ausf", "panf", "udm"]
    hot = [ev for ev in chart.events if ev.highlight]
    assert {ev.number for ev in hot} == {len(steps) - 1, len(steps)}  # the arrow that arrives, and what it causes
    assert hot[0].received_at == len(steps)
    assert [(ev.kind, ev.sender, ev.receiver) for ev in hot] == [
        ("arrow", "panf", "ausf"), ("note", "ausf", "ausf"), ("arrow", "ausf", "amf")]
    assert hot[1].steps == ["S220"]  # the derivation is a note carrying the local steps (method 200's only)
    mmd = to_mermaid(chart)
    assert "    rect rgb(255, 210, 215)\n        panf->>ausf: 27. S219 Npanf_ProseKey_get Response(pruk=#35;1" in mmd
    assert "<-- violates no_knr_after_withdrawal" in mmd
    assert "Note over udm: 22. environment: the operator withdraws the UE's relay authorization" in mmd
    puml = to_plantuml(chart)
    assert puml.startswith("@startuml") and "ausf -[#red]> amf : 28. S221 " in puml
    svg = to_svg(chart)
    assert svg.count('class="msg hot"') == 2 and svg.count('class="note hot"') == 1


def test_check_json_carries_structured_steps_and_lifelines(capsys):
    assert main(["check", "m200", "--property", "no_knr_after_withdrawal", "--json", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    result = doc["results"][0]
    assert [e["name"] for e in result["elements"]][:2] == ["remote_ue", "relay_ue"]
    step = result["properties"]["no_knr_after_withdrawal"]["trace"][26]
    assert step["element"] == "panf" and step["received"]["from"] == "ausf"
    assert step["outputs"][0]["to"] == "ausf" and step["outputs"][0]["message"] == "key_query_response"
    assert step["outputs"][0]["steps"] == ["S219"]  # method 200's number only (S3032, S411, ... are not)
    assert step["steps"] == ["S219"]


def test_msc_from_a_check_json_file_writes_svg_mermaid_and_plantuml(tmp_path, capsys):
    main(["check", "m200", "--property", "no_knr_after_withdrawal", "--json", "--quiet"])
    trace_file = tmp_path / "m200.json"
    trace_file.write_text(capsys.readouterr().out)
    assert main(["diagram", "msc", str(trace_file), "--out", str(tmp_path / "out")]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"m200.no_knr_after_withdrawal.{ext}" for ext in ("mmd", "puml", "svg")]
    assert main(["diagram", "msc", str(trace_file), "--property", "knr_agreement"]) == 2
    assert "no property 'knr_agreement' trace" in capsys.readouterr().err
    assert main(["diagram", "msc", str(trace_file)]) == 0  # one counterexample: printed (Mermaid)
    assert capsys.readouterr().out.startswith('---\ntitle: "m200: counterexample to no_knr_after_withdrawal')
    one_result = tmp_path / "one.json"  # a single result object, as 'replay' also accepts
    one_result.write_text(json.dumps(json.loads(trace_file.read_text())["results"][0]))
    assert main(["diagram", "msc", str(one_result), "--format", "plantuml"]) == 0
    assert capsys.readouterr().out.startswith("@startuml")
    assert main(["diagram", "msc", "--happy"]) == 2
    assert "cannot share stdout; use --out DIR" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{")
    assert main(["diagram", "msc", str(tmp_path / "bad.json")]) == 2
    assert "bad.json:1:2: not JSON" in capsys.readouterr().err


def test_with_two_remote_ues_each_copy_of_an_element_has_its_own_named_lifeline():
    scenario = SCENARIOS["m300.ausf_udm"].with_bounds(remote_ues=2, attempts=1, withdrawals=0, restores=0)
    r = check_scenario(scenario, ["pc5_secured_by_suci"])
    steps = [s.as_dict() for s in r.properties["pc5_secured_by_suci"].trace]
    chart = build_chart(steps, r.elements, "two UEs", "reaches pc5_secured_by_suci")
    assert [ln.title for ln in chart.lifelines][:2] == ["Remote UE (UE 1)", "Relay UE (UE 1)"]
    assert len(chart.lifelines) == 12 and "participant remote_ue_2 as Remote UE (UE 2)" in to_mermaid(chart)


# -- the figures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("figure", FIGURES, ids=[f.key for f in FIGURES])
def test_the_happy_path_lists_the_figures_steps_in_the_texts_order(figure):
    if not figure.available():
        pytest.skip(figure.pending_reason())
    path = happy_path(figure)
    expected, actual = path.compared()
    assert actual == expected
    assert set(figure.floating) <= set(path.sequence)  # a step the model moves is still there


def test_the_model_derives_the_ues_5gpruk_after_s223_not_beside_s215a():
    path = happy_path(FIGURES[0])
    seq = path.sequence
    assert seq.index("S223") < seq.index("S215b") < seq.index("S224")


def test_the_figure_table_is_well_formed():
    for f in FIGURES:
        assert len(set(f.steps)) == len(f.steps), f.key
        assert all(s.startswith(f"S{f.method[0]}") for s in f.steps), f.key
        assert set(f.floating) <= set(f.steps), f.key
    assert len({f.key for f in FIGURES}) == len(FIGURES)
    assert {f.method for f in FIGURES} == {"200", "300", "400", "500", "600", "700"}


def test_happy_paths_collapse_the_attempt_that_created_the_key():
    figure = next(f for f in FIGURES if f.key == "fig3-m300-panf-udm")
    chart = happy_path(figure).chart
    assert chart.events[0].kind == "ref" and "send Direct Communication Request with SUCI" in chart.events[0].label
    assert chart.events[1].label.startswith("decide no key update")


# -- state graphs --------------------------------------------------------------------------------

def test_the_state_graph_holds_every_reachable_world_and_highlights_the_counterexample():
    scenario = SCENARIOS["m200"].with_bounds(attempts=2, withdrawals=1, restores=0)
    sg = build_graph(scenario, max_nodes=1000)
    result = check_scenario(scenario, ["no_knr_after_withdrawal"])
    assert sg.graph.number_of_nodes() == result.states
    assert sg.graph.number_of_edges() <= result.transitions
    assert sg.property_id == "knr_only_after_authorization" and sg.kind == "counterexample"
    assert all(sg.graph.has_edge(a, b) for a, b in zip(sg.path, sg.path[1:]))
    dot = to_dot(sg)
    assert dot.count('color="#c0001a" penwidth=2.5') == len(sg.path) - 1
    with pytest.raises(GraphTooLarge, match="more than 50 reachable states"):
        build_graph(scenario, max_nodes=50)


def test_diagram_graph_refuses_a_graph_beyond_the_cap_in_one_line(capsys):
    assert main(["diagram", "graph", "m200", "--max-nodes", "100"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "more than 100 reachable states" in err and "--attempts 1" in err


# -- CLI and rendering ---------------------------------------------------------------------------

def test_diagram_states_prints_mermaid_and_rejects_unknown_elements(capsys):
    assert main(["diagram", "states", "amf", "--format", "mermaid"]) == 0
    assert capsys.readouterr().out.startswith("---\ntitle: \"AMF (relay)")
    assert main(["diagram", "states", "smf"]) == 2
    assert "unknown element 'smf'" in capsys.readouterr().err


def test_without_graphviz_the_dot_text_is_still_written_with_a_clear_message(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    assert main(["diagram", "states", "amf", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["amf.dot", "amf.mmd"]
    err = capsys.readouterr().err
    assert "Graphviz's 'dot' program is not installed" in err and "apt-get install graphviz" in err


@pytest.mark.skipif(not render.have_engine("dot"), reason="Graphviz 'dot' is not installed (apt-get install graphviz)")
def test_svg_state_diagrams_render_through_dot():
    svg = export.state_text(_variant("amf"), "svg")
    assert "<svg" in svg and "Relay Key Request" in svg


def test_msc_file_names_from_a_document_stay_inside_the_out_folder(tmp_path, capsys):
    """A scenario id or property read from JSON never names a path outside --out (issue 23, item 3)."""
    main(["check", "m200", "--property", "no_knr_after_withdrawal", "--json", "--quiet"])
    doc = json.loads(capsys.readouterr().out)
    for hostile in ("../../../x", str(tmp_path / "elsewhere" / "abs"), ".hidden", "a/b\\c"):
        doc["results"][0]["scenario"] = hostile
        source = tmp_path / "hostile.json"
        source.write_text(json.dumps(doc))
        out = tmp_path / "out"
        assert main(["diagram", "msc", str(source), "--out", str(out), "--format", "mermaid"]) == 0
        written = [p for p in tmp_path.rglob("*.mmd")]
        assert written and all(p.parent == out for p in written), written
        assert not any(p.name.startswith(".") for p in written)
    capsys.readouterr()
