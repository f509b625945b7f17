"""``docs/threats/``: what the pages say (an index and one page per threat model). That they are the
current output of their generator is tests/test_generated.py (``prosecheck regen threats``)."""

from __future__ import annotations

import re
from pathlib import Path

from prosecheck.model.fixes import is_fix_scenario
from prosecheck.report import threats_doc
from prosecheck.report.threats_doc import FOLDER, INDEX, anchor, inherited_findings, page_name, threats_pages
from prosecheck.scenarios.catalog import SCENARIOS

DOCS = Path(__file__).parent.parent / FOLDER


def _page_of(sid: str) -> str:
    """The page the index links ``sid`` to."""
    found = re.findall(rf"\[`{re.escape(sid)}`\]\(([^)#]+)#{anchor(sid)}\)", (DOCS / INDEX).read_text())
    assert found, f"{sid} is not linked from the index"
    return found[0]


def _section(sid: str) -> str:
    return (DOCS / _page_of(sid)).read_text().split(f"## `{sid}`", 1)[1].split("\n## ", 1)[0]


def test_every_security_violation_has_a_trace_and_a_chart():
    for sid in ("m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk",
                "m700.ausf_udm.s723_stores_key_1@pc5_attacker+leaked_old_pruk", "m300.panf_udm@malicious_relay"):
        section = _section(sid)
        assert "Shortest trace" in section and "```mermaid" in section and "participant attacker" in section


def test_every_threat_scenario_is_on_its_page_and_linked_from_the_index():
    pages = set()
    for sid, scenario in SCENARIOS.items():
        if "@" in sid and not is_fix_scenario(sid):  # proposed fixes are shown in docs/spec-findings.md
            page = _page_of(sid)
            assert page.startswith(page_name(scenario.threats.name())[:-3])
            assert f"## `{sid}`" in (DOCS / page).read_text()
            pages.add(page)
    assert sorted(p.name for p in DOCS.iterdir()) == sorted(pages | {INDEX})


def test_a_long_threat_model_goes_on_to_a_next_page_and_its_dos_is_linked_across(check_once, monkeypatch):
    """Past PAGE_BUDGET a scenario starts the model's next page; a DoS shown on an earlier page is linked."""
    monkeypatch.setattr(threats_doc, "PAGE_BUDGET", 1)
    results = [check_once(sid) for sid in ("m200@pc5_attacker", "m300.panf_udm@pc5_attacker")]
    pages = threats_pages(results, inherited_findings(results))
    assert list(pages) == [INDEX, "pc5_attacker.md", "pc5_attacker-2.md"]
    second = pages["pc5_attacker-2.md"]
    assert second.startswith("# Threat model `pc5_attacker` (2 of 2)") and "[pc5_attacker.md](pc5_attacker.md)" in second
    assert "*DoS*, as shown for [`m200@pc5_attacker`](pc5_attacker.md#m200pc5_attacker) under this threat model." \
        in second
    assert "[`m300.panf_udm@pc5_attacker`](pc5_attacker-2.md#m300panf_udmpc5_attacker)" in pages[INDEX]
    assert "| `pc5_attacker` | [pc5_attacker.md](pc5_attacker.md), [pc5_attacker-2.md](pc5_attacker-2.md) | 2 |" \
        in pages[INDEX]


def test_the_anchor_is_the_one_github_gives_the_heading():
    assert anchor("m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk") == \
        "m400ausf_udmkeep_old_keyspc5_attackerleaked_old_pruk"


def test_a_lost_message_is_drawn_as_lost_and_the_lock_out_is_explained():
    section = _section("m700.ausf_udm@lossy_links_pc5")
    assert "(LOST)" in section and "### `recovers_after_loss` VIOLATED" in section
    assert "remote_ue.pruk_gen=1, panf.pruk_gen=2" in section
    assert "*DoS*" not in section, "a lost message is not an attacker's denial of service"


def test_a_trace_that_shares_steps_with_one_above_names_it_and_prints_the_rest(check_once):
    """Nothing is dropped: the steps a trace shares with one shown above it (at least half of them)
    are named, the rest printed from the first step that differs, the violating step last; the chart
    draws the shared steps as one box."""
    r = check_once("m700.ausf_udm.s723_stores_key_1@pc5_attacker+leaked_old_pruk")
    pages = threats_pages([r], inherited_findings([r]))
    text = pages[page_name(r.scenario.threats.name())]
    shared = re.findall(r"### `(\w+)` VIOLATED(?:(?!\n### ).)*?Shortest trace \((\d+) steps; steps 1-(\d+) are those "
                        r"of `(\w+)` above\):\n\n```\n(.*?)```\n(.*?)</details>", text, re.S)
    assert len(shared) >= 3
    for pid, total, k, via, trace, chart in shared:
        steps, base = r.properties[pid].trace, r.properties[via].trace
        assert 2 * int(k) >= int(total) == len(steps) and steps[:int(k)] == base[:int(k)]
        assert int(k) in (len(steps) - 1, len(base)) or steps[int(k)] != base[int(k)]  # the longest prefix
        numbers = [int(n) for n in re.findall(r"^\s+(\d+)\. ", trace, re.M)]
        assert numbers == list(range(int(k) + 1, len(steps) + 1))
        last = next(line for line in trace.splitlines() if line.lstrip().startswith(f"{len(steps)}. "))
        assert last.endswith(f"<-- violates {pid}") and trace.count("<-- violates") == 1
        assert f"steps 1-{k}: as in {via}" in chart
        assert text.index(f"### `{via}` VIOLATED") < text.index(f"### `{pid}` VIOLATED")
