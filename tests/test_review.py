"""The review list (issue 24, prosecheck/analysis/review.py): stable ids, each issue once, quotes from the
text, security first, the suppression file, and the CSV / JSON outputs. The fast part runs the analyses on
two method-300 scenarios (about 2 s); the slow part on the honest default scenarios."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from prosecheck.analysis.report_review import CSV_COLUMNS, as_json, render_change_request, render_csv, render_markdown
from prosecheck.analysis.review import (
    CATEGORIES,
    SEVERITIES,
    Finding,
    QuoteError,
    apply_accepted,
    build_review,
    finding_id,
    machine_findings,
    make_finding,
    quote_is_text,
    rank,
)
from prosecheck.analysis.review_catalog import CATALOG
from prosecheck.analysis.run import analyze
from prosecheck.cli import main
from prosecheck.model.procedures import READINGS
from prosecheck.results import BUILTIN
from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS, SCENARIOS
from prosecheck.schemas import schema

SMALL = ("m300.panf_udm", "m300.panf_udm.s3042_success_only")


def _analysis(check_once, ids):  # type: ignore[no-untyped-def]
    # a copy of each shared result: analyze lets go of the exploration a result keeps
    return analyze([SCENARIOS[i] for i in ids], check=lambda s: copy.copy(check_once(s.id)))


@pytest.fixture(scope="module")
def small(check_once):  # type: ignore[no-untyped-def]
    analysis = _analysis(check_once, SMALL)
    return analysis, build_review(analysis)


def test_a_second_build_with_the_scenarios_in_reverse_order_gives_the_same_ids(check_once, small):
    """Two builds give the same ids, in the same rank, with the same evidence; the order in which the
    scenarios are analysed changes none of it (ids are never over positions or scenario order)."""
    _, first = small
    again = build_review(_analysis(check_once, tuple(reversed(SMALL))))
    assert [f.id for f in again] == [f.id for f in first]
    assert [f.evidence for f in again] == [f.evidence for f in first]


def test_an_id_is_a_hash_of_the_category_and_the_natural_key_only():
    """Pinned: a change of the scheme would change every id a suppression file names."""
    assert finding_id("editorial", ("step-reference", "0286")) == "R-84832667"
    assert finding_id("procedural", ("step-reference", "0286")) != finding_id("editorial", ("step-reference", "0286"))


def test_each_quote_is_the_text_of_the_paragraph_it_names(small):
    _, findings = small
    quoted = [f for f in findings if f.quote]
    assert quoted and all(quote_is_text(f.quote_in, f.quote) for f in quoted)
    for entry in CATALOG:
        assert quote_is_text(entry.quote_in, entry.quote), (entry.source, entry.quote)
    with pytest.raises(QuoteError):
        make_finding("editorial", "low", "t", ("k",), quote_in="0263", quote="the AUSF sends the key in clear")


def test_no_issue_is_listed_twice(small):
    _, findings = small
    assert len({f.key for f in findings}) == len(findings) == len({f.id for f in findings})
    keys = [(e.category, e.paragraphs, e.steps, e.options, tuple(p for _, p in e.checks)) for e in CATALOG]
    assert len(set(keys)) == len(keys)


def test_a_contradiction_a_catalog_entry_stands_for_is_listed_inside_it_not_again(small):
    analysis, findings = small
    key = ("contradiction", "300", "0260", "0263b")
    assert key in machine_findings(analysis)
    assert key not in {f.key for f in findings}
    entry = next(f for f in findings if f.source == "docs/spec-findings.md 1")
    core = machine_findings(analysis)[key].id
    assert any(line.startswith(f"analyze ({core}, listed here): Z3:") for line in entry.evidence)
    # its evidence is computed from the checks: the literal reading's deadlock with its trace length
    assert any(line.startswith("m300.panf_udm.s3042_success_only: deadlock_free VIOLATED (") for line in entry.evidence)


def test_the_ranking_puts_security_first_then_severity_then_category():
    def f(cat: str, sev: str, n: str) -> Finding:
        return make_finding(cat, sev, n, (n,))

    ranked = rank([f("editorial", "high", "a"), f("security", "low", "b"), f("contradiction", "high", "c"),
                   f("procedural", "high", "d"), f("contradiction", "low", "e"), f("security", "high", "g")])
    assert [x.title for x in ranked] == ["g", "b", "c", "d", "a", "e"]


def test_the_review_is_ranked(small):
    _, findings = small
    order = [(f.category != "security", SEVERITIES.index(f.severity), CATEGORIES.index(f.category), f.id)
             for f in findings]
    assert order == sorted(order) and findings[0].category == "security"


def test_extra_findings_are_merged_once(small):
    analysis, findings = small
    extra = make_finding("editorial", "low", "[0135] names the AMF as the relay", ("text", "0135", "amf-relay"),
                         paragraphs=["[0135]"], quote_in="0135", quote="If the AMF can be used as a relay device")
    merged = build_review(analysis, extra=[extra, extra, findings[0]])
    assert len(merged) == len(findings) + 1 and extra.id in {f.id for f in merged}


def test_the_catalog_names_only_what_exists():
    from prosecheck.model.elements import ELEMENTS
    from prosecheck.properties.catalog import PROPERTIES

    properties = set(PROPERTIES) | set(BUILTIN)
    effects = {f"{cls.ROLE}.{name}" for cls in ELEMENTS for name in cls.EFFECTS}
    for e in CATALOG:
        assert e.category in CATEGORIES and e.severity in SEVERITIES
        assert all(s in SCENARIOS and p in properties for s, p in e.checks), e.source
        assert all(o in READINGS for o in e.options) and all(t in effects for t in e.transitions), e.source


def test_csv_parses_back_with_the_ids_of_the_json_which_validates(small):
    analysis, findings = small
    rows = list(csv.DictReader(io.StringIO(render_csv(findings))))
    doc = json.loads(json.dumps(as_json(findings, analysis.scenarios, analysis.complete, 20)))
    jsonschema.Draft202012Validator(schema("review")).validate(doc)
    assert [r["id"] for r in rows] == [f["id"] for f in doc["findings"]] == [f.id for f in findings]
    assert tuple(rows[0]) == CSV_COLUMNS and rows[0]["evidence"].split("\n") == list(findings[0].evidence)


def test_markdown_and_change_request_list_every_open_finding(small):
    analysis, findings = small
    md = render_markdown(findings, analysis.scenarios, analysis.complete)
    assert all(f"### {f.id}: " in md for f in findings)
    cr = render_change_request(findings)
    assert all(f.id in cr for f in findings if f.proposal)
    assert cr.index("## TS 33.503 6.3.3.3") < cr.index("## patent only")


def test_accepted_findings_are_marked_and_unknown_ids_reported(small):
    _, findings = small
    marked, unknown = apply_accepted(findings, {findings[0].id: "known", "R-00000000": "gone"})
    assert marked[0].status == "accepted" and marked[0].reason == "known"
    assert all(f.status == "open" for f in marked[1:]) and unknown == ["R-00000000"]


@pytest.fixture
def shared(monkeypatch, small):  # type: ignore[no-untyped-def]
    """The command gets the module's analysis of SMALL (analyzing takes 3 s a time; the review reads it only)."""
    import prosecheck.analysis.run as run

    def analyze_small(scenarios):  # type: ignore[no-untyped-def]
        assert tuple(s.id for s in scenarios) == SMALL
        return small[0]

    monkeypatch.setattr(run, "analyze", analyze_small)


def _review(capsys, argv):  # type: ignore[no-untyped-def]
    code = main(["review", *SMALL, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_suppression_file_hides_an_accepted_id(tmp_path: Path, capsys, shared):
    code, out, _ = _review(capsys, ["--json"])
    doc = json.loads(out)
    assert code == 20 and doc["exit_code"] == 20
    first = doc["findings"][0]["id"]
    accepted = tmp_path / "accepted.toml"
    accepted.write_text(f'accepted = [{{id = "{first}", reason = "known"}}, {{id = "R-00000000", reason = "old"}}]\n')
    code, out, err = _review(capsys, ["--format", "json", "--accepted", str(accepted)])
    doc = json.loads(out)
    assert code == 20 and next(f for f in doc["findings"] if f["id"] == first)["status"] == "accepted"
    assert sum(sum(row.values()) for row in doc["counts"].values()) == len(doc["findings"]) - 1
    assert doc["accepted_unknown"] == ["R-00000000"] and "R-00000000 names no finding" in err
    everything = "\n".join(f'[[accepted]]\nid = "{f["id"]}"\nreason = "ok"' for f in doc["findings"])
    accepted.write_text(everything + "\n")
    target = tmp_path / "out" / "review.csv"
    code, out, _ = _review(capsys, ["--format", "csv", "--accepted", str(accepted), "--out", str(target)])
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert code == 0 and out == "" and {r["status"] for r in rows} == {"accepted"}


@pytest.mark.parametrize(("text", "says"), [
    ('accepted = [{id = "R-1234", reason = "x"}]', "field accepted[0].id"),
    ('accepted = [{id = "R-12345678"}]', "field accepted[0]"),
    ('accepted = [{id = "R-12345678", reason = "x"}, {id = "R-12345678", reason = "y"}]', "accepted twice"),
    ("accepted = [", "malformed TOML"),
    ('rejected = []', "field (document)"),
])
def test_a_bad_suppression_file_is_one_line_and_exit_2(tmp_path: Path, capsys, text: str, says: str):
    path = tmp_path / "bad.toml"
    path.write_text(text + "\n")
    code, out, err = _review(capsys, ["--accepted", str(path)])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"prosecheck: error: {path}") and says in err


@pytest.mark.slow
def test_the_default_review_lists_every_catalog_entry_and_absorbs_what_it_says(check_once):
    """On the honest default scenarios: each entry's absorbed machine findings exist (the catalog is not
    stale), each entry is listed once, and each id is unique."""
    analysis = _analysis(check_once, [s.id for s in DEFAULT_SCENARIOS if not s.threats.active()])
    machine = machine_findings(analysis)
    stale = [(e.source, k) for e in CATALOG for k in e.absorbs if k not in machine]
    assert stale == []
    findings = build_review(analysis)
    hand_written = [f for f in findings if f.key[:1] == ("catalog",)]
    assert len(hand_written) == len(CATALOG) and len({f.id for f in findings}) == len(findings)
    assert {f.category for f in findings} == set(CATEGORIES)


def test_a_step_without_a_model_counterpart_is_a_finding_quoting_its_definition(small):
    import dataclasses

    analysis, findings = small
    assert not any(f.key[0] == "untraced" for f in findings)  # every defined step is modelled or out of scope
    changed = copy.copy(analysis)
    changed.traceability = dataclasses.replace(analysis.traceability, uncovered=["S3041"])
    found = machine_findings(changed)[("untraced", "S3041")]
    assert found.paragraphs == ("[0256]",) and found.quote.startswith("S3041: ")
    assert found.id in {f.id for f in build_review(changed)}


def test_the_text_read_on_its_own_is_in_the_review_once(small):
    """The text checks' findings (analysis.text) are listed, each unless a listed finding already names
    its step or key label in the same paragraph: [0286]'s S2042 is the catalog's, not listed twice."""
    analysis, findings = small
    text_keys = {f.key[1] for f in findings if f.key[:1] == ("text",)}
    assert "term:Nounce_1 vs Nonce_1" in text_keys  # the catalog has no spelling entry
    assert not any(k.startswith("numbering:[0286]:S2042") for k in text_keys)
    s2042 = [f for f in findings if "S2042" in f.title]
    assert len(s2042) == 1 and s2042[0].key[0] == "catalog"
    for f in findings:
        if f.key[:1] == ("text",):
            assert f.quote and quote_is_text(f.quote_in, f.quote), f.title


def test_a_catalog_entry_is_keyed_by_what_the_text_says_where():
    """A hand-written finding's id comes from its paragraphs and steps only (not from the scenarios,
    options or properties that are its evidence, which change with the model), and those are unique."""
    keys = [(tuple(sorted(e.paragraphs)), tuple(sorted(e.steps))) for e in CATALOG]
    assert len(set(keys)) == len(keys)


def test_a_guard_gap_no_run_reaches_is_not_an_issue_of_the_text(small):
    """A gap or ambiguity for message contents that no checked scenario reaches stays in analyze's guard
    section; the review lists it only inside a hand-written finding that stands for it (a hand check found
    the unreached ones false as issues of the text)."""
    from prosecheck.analysis.review import unreached_guard_keys

    analysis, findings = small
    unreached = unreached_guard_keys(analysis)
    assert unreached  # the two method-300 scenarios leave some unreached
    listed = {f.key for f in findings}
    assert not unreached & listed
    machine = machine_findings(analysis)
    assert all(k in machine for k in unreached)  # still there for a catalog entry to absorb


def test_a_proposed_fix_is_shown_checked_beside_the_text(check_once):
    """The hand-written finding a fix answers carries the fix's verdicts beside the text's, computed: the UDM
    notifying a withdrawal makes no_knr_after_withdrawal hold where the text's m300.panf_local violates it."""
    from prosecheck.analysis.review import fix_lines, fix_scenarios

    assert {"m300.panf_local", "m300.panf_local.fix_notify", "m300.panf_udm.fix_recheck"} <= set(fix_scenarios())
    # a review of one scenario checks only the fixes of that scenario
    assert fix_scenarios(["m300.panf_udm"]) == ["m300.panf_udm", "m300.panf_udm.fix_recheck"]
    assert "m700.ausf_udm.fix_unknown_id@lossy_links_pc5" in fix_scenarios(["m700.ausf_udm"])
    analysis = _analysis(check_once, ("m300.panf_local",))
    results = {**analysis.results, "m300.panf_local.fix_notify": check_once("m300.panf_local.fix_notify")}
    lines = fix_lines("stale_panf_authorization_info", results)
    assert ("proposed fix (udm_notifies_authorization=1): m300.panf_local.fix_notify: no_knr_after_withdrawal HOLDS; "
            "as the text stands: m300.panf_local: no_knr_after_withdrawal VIOLATED (28 steps)") in lines
    [finding] = [f for f in build_review(analysis, results) if f.key[:1] == ("catalog",) and "never refreshed" in f.title]
    assert any(line.startswith("proposed fix (") for line in finding.evidence)
    assert fix_lines("no such fix", results) == []
