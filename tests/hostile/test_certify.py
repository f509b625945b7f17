"""Hostile inputs for `certify` and for the label check of `replay` (issue 23, items 1 and 2).

Every case starts from documents the tool wrote once per session (``check m200 --attempts 2
--withdrawals 1 --restores 0 --certify DIR`` and ``check m200 --json``, in-process; the
reproductions use the full m200 certificate), mutates them, and asserts the exit code and the
one-line message: 2 for anything malformed or any claim the checker cannot decide (unknown
property or verdict, a property that is not an invariant, a label contradicting the recorded
options), 25 for a claim that is false or not shown (a VIOLATED needs a path from the initial
world), 0 for a genuine certificate. Hypothesis then throws random and mutated documents at
the reader: each is accepted or refused in one line, never a traceback."""

from __future__ import annotations

import contextlib
import copy
import gzip
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prosecheck.certificate import _worlds, read_certificate
from prosecheck.certificate.check import Product, World
from prosecheck.certificate.confirm import _first_livelock
from prosecheck.cli import main
from prosecheck.cli.certify_cmd import EXIT_REFUTED
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.replay.load import scenario_of
from tests.hostile.harness import Case, run_case, run_cli

CERT = "m200.cert.json.gz"


def _in_process(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code == 0, err.getvalue()
    return code, out.getvalue()


def _certificate_text(folder: Path, *bounds: str) -> str:
    """`check m200 [BOUNDS] --certify DIR` in this process: the certificate's JSON text."""
    _in_process(["check", "m200", *bounds, "--certify", str(folder), "--quiet", "--table"])
    return json.dumps(read_certificate(str(folder / CERT)))


@pytest.fixture(scope="session")
def m200_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The m200 certificate (4,809 worlds), as issue 23 forged it."""
    return _certificate_text(tmp_path_factory.mktemp("cert"))


@pytest.fixture(scope="session")
def small_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """m200 with two attempts, one withdrawal, no restore (399 worlds; still two VIOLATED invariants, shown by paths
    of 27 and 28 steps): the corpus's and Hypothesis's starting point, cheap to mutate and to check."""
    return _certificate_text(tmp_path_factory.mktemp("small"), "--attempts", "2", "--withdrawals", "1",
                             "--restores", "0")


@pytest.fixture
def certificate(m200_text: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(m200_text)
    return doc


@pytest.fixture
def small_certificate(small_text: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(small_text)
    return doc


@pytest.fixture(scope="session")
def trace_text() -> str:
    """`check m200 --json`: the traces `replay` reads."""
    return _in_process(["check", "m200", "--json", "--quiet"])[1]


def _gz(doc: Any) -> bytes:
    return gzip.compress(json.dumps(doc).encode(), compresslevel=1)


# -- building forged certificates ---------------------------------------------------------------

def _product(doc: dict[str, Any]) -> tuple[Product, list[World]]:
    product = Product(scenario_of(doc, "cert"))
    return product, _worlds(doc, product, "cert")


def _rows(doc: dict[str, Any], product: Product, worlds: list[World]) -> list[list[Any]]:
    """Worlds of the product written as certificate rows (the inverse of the reader)."""
    names, links = doc["variables"], doc["links"]
    tables = {f"{n}.state": t for n, _, t in product.elements}
    rows = []
    for w in worlds:
        row: list[Any] = [tables[n].state_ids[w[product.at[n]]] if n in tables else w[product.at[n]] for n in names]
        row += [[[m, list(f)] for m, f in w[len(product.names) + k]] for k in range(len(links))]
        rows.append(row)
    return rows


def _forged_closure(doc: dict[str, Any], prop: str) -> tuple[list[list[Any]], int]:
    """Issue 23's forgery: a world with ``relay_ue.knr`` changed and its forward closure (rows and transitions),
    which together violate ``prop`` and are not reachable."""
    product, worlds = _product(doc)
    seen = set(worlds)
    knr, state = product.at["relay_ue.knr"], product.at["relay_ue.state"]
    for w in worlds:
        if not w[state] or not w[knr]:
            continue
        fake = tuple(w[knr] + 1 if i == knr else v for i, v in enumerate(w))
        new, frontier = [fake], [fake]
        while frontier and len(new) < 60:
            frontier = list(dict.fromkeys(s for x in frontier for s in product.successors(x)[0]
                                          if s not in seen and s not in new))
            new += frontier
        if fake not in seen and not frontier and any(not product.holds(prop, x) for x in new):
            return _rows(doc, product, new), sum(len(product.successors(x)[0]) for x in new)
    raise AssertionError("no world to forge")


def forge_violation(doc: dict[str, Any]) -> None:
    """Reproduction 1: the forged closure added, the counts raised, knr_agreement claimed VIOLATED (truth: HOLDS)."""
    rows, transitions = _forged_closure(doc, "knr_agreement")
    doc["worlds"] += rows
    doc["claims"]["states"] += len(rows)
    doc["claims"]["transitions"] += transitions
    doc["claims"]["verdicts"]["knr_agreement"] = "VIOLATED"


def forge_unreachable(doc: dict[str, Any]) -> None:
    """The forged closure added, nothing else changed: worlds the initial world never reaches."""
    doc["worlds"] += _forged_closure(doc, "knr_agreement")[0]


# -- the corpus -----------------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class CertCase:
    """A hostile certificate: ``mutate`` edits a copy of the small m200 certificate in place, or returns the file's bytes
    (or a JSON value to gzip) instead; ``argv`` overrides the command (``{cert}`` is the written file)."""

    name: str
    mutate: Mutation | None
    code: int
    message: str
    argv: tuple[str, ...] = ("certify", "{cert}")

    def __str__(self) -> str:
        return self.name


def _set(path: str, value: Any) -> Mutation:
    """Set ``a.b.c`` (list indices as numbers) to ``value``."""
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _delete(key: str) -> Mutation:
    return lambda doc: doc.pop(key)


def _raw(data: bytes) -> Mutation:
    return lambda doc: data


def _text(edit: Callable[[str], str]) -> Mutation:
    """Edit the certificate's JSON text (for what json.dumps cannot write)."""
    return lambda doc: gzip.compress(edit(json.dumps(doc)).encode())


def _cell(column: str, value: Any, world: int = 0) -> Mutation:
    """Set one variable of one world."""
    def mutate(doc: dict[str, Any]) -> None:
        doc["worlds"][world][doc["variables"].index(column)] = value
    return mutate


def _queue(value: Any, link: str = "remote_ue->relay_ue") -> Mutation:
    """Set the queue of ``link`` in the first world that has a message on it."""
    def mutate(doc: dict[str, Any]) -> None:
        at = len(doc["variables"]) + doc["links"].index(link)
        row = next(r for r in doc["worlds"] if r[at])
        row[at] = value
    return mutate


def _first_message(edit: Callable[[list[Any]], Any]) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        at = len(doc["variables"]) + doc["links"].index("remote_ue->relay_ue")
        row = next(r for r in doc["worlds"] if r[at])
        row[at][0] = edit(row[at][0])
    return mutate


def _verdict(pid: str, verdict: Any) -> Mutation:
    return _set(f"claims.verdicts.{pid}", verdict)


def _both(*mutations: Mutation) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        for m in mutations:
            m(doc)
    return mutate


def _not_invariants() -> list[CertCase]:
    kinds: dict[str, str] = {}
    for p in PROPERTIES.values():
        kinds.setdefault(p.kind, p.id)
    return [CertCase(f"claim-{kind}-property", _verdict(pid, "HOLDS"), 2, "not an invariant")
            for kind, pid in kinds.items() if kind != "always"]


def _drop_world(doc: dict[str, Any]) -> None:
    del doc["worlds"][len(doc["worlds"]) // 2]
    doc["claims"]["states"] -= 1


def _deep(doc: dict[str, Any]) -> bytes:
    doc["options"]["check"] = "@"
    return gzip.compress(json.dumps(doc).replace('"@"', "[" * 500 + "]" * 500).encode())


FILES = [
    CertCase("missing-file", None, 2, "no such file", ("certify", "{tmp}/absent.cert.json.gz")),
    CertCase("a-directory", None, 2, "is a directory", ("certify", "{tmp}")),
    CertCase("a-device", None, 2, "not a regular file", ("certify", "/dev/null")),
    CertCase("a-fifo", None, 2, "not a regular file", ("certify", "{tmp}/fifo")),
    CertCase("plain-text", _raw(b"certainly"), 2, "not a gzip file"),
    CertCase("plain-json-not-gzipped", lambda doc: json.dumps(doc).encode(), 2, "not a gzip file"),
    CertCase("truncated-gzip", lambda doc: _gz(doc)[:200], 2, "not a gzip file"),
    CertCase("gzip-of-binary", _raw(gzip.compress(b"\xff\xfe\x00binary")), 2, "not UTF-8"),
    CertCase("gzip-of-nothing", _raw(gzip.compress(b"")), 2, "not JSON"),
    CertCase("gzip-of-garbage", _raw(gzip.compress(b"{certainly not")), 2, "not JSON"),
    CertCase("trailing-garbage", _text(lambda t: t + " ]"), 2, "not JSON"),
    CertCase("nan-count", _text(lambda t: t.replace('"states": ', '"states": NaN, "x": ', 1)), 2, "NaN"),
    CertCase("infinity-count", _text(lambda t: t.replace('"states": ', '"states": Infinity, "x": ', 1)), 2,
             "Infinity"),
    CertCase("huge-exponent-option", _text(lambda t: t.replace('"check": 0', '"check": 1e400', 1)), 2,
             "1e400 is too large"),
    CertCase("nested-500-deep", _deep, 2, "nested more than"),
    CertCase("a-json-array", _raw(_gz([1])), 2, "is not of type 'object'"),
    CertCase("a-json-string", _raw(_gz("certificate")), 2, "is not of type 'object'"),
]

SHAPE = [
    CertCase("format-2", _set("format", "prosecheck-certificate/2"), 2, "field format"),
    CertCase("no-format", _delete("format"), 2, "'format' is a required property"),
    CertCase("no-worlds", _delete("worlds"), 2, "'worlds' is a required property"),
    CertCase("no-claims", _delete("claims"), 2, "'claims' is a required property"),
    CertCase("unknown-top-key", _set("signature", "trust me"), 2, "Additional properties"),
    CertCase("claims-empty-list", _set("claims", []), 2, "field claims"),
    CertCase("variables-5", _set("variables", 5), 2, "field variables"),
    CertCase("variables-empty", _set("variables", []), 2, "field variables"),
    CertCase("variables-twice", lambda d: d["variables"].append(d["variables"][0]), 2, "field variables"),
    CertCase("links-a-string", _set("links", "remote_ue->relay_ue"), 2, "field links"),
    CertCase("links-no-arrow", _set("links.0", "remote_ue"), 2, "field links[0]"),
    CertCase("worlds-empty", _set("worlds", []), 2, "field worlds"),
    CertCase("worlds-an-object", _set("worlds", {}), 2, "field worlds"),
    CertCase("world-a-number", _set("worlds.0", 5), 2, "field worlds[0]"),
    CertCase("states-a-string", _set("claims.states", "4809"), 2, "field claims.states"),
    CertCase("states-zero", _set("claims.states", 0), 2, "field claims.states"),
    CertCase("states-true", _set("claims.states", True), 2, "field claims.states"),
    CertCase("states-float", _set("claims.states", 4809.5), 2, "field claims.states"),
    CertCase("transitions-negative", _set("claims.transitions", -1), 2, "field claims.transitions"),
    CertCase("verdicts-a-list", _set("claims.verdicts", []), 2, "field claims.verdicts"),
    CertCase("verdict-PROVED", _verdict("knr_agreement", "PROVED"), 2, "field claims.verdicts.knr_agreement"),
    CertCase("verdict-lowercase", _verdict("knr_agreement", "holds"), 2, "field claims.verdicts.knr_agreement"),
    CertCase("verdict-null", _verdict("knr_agreement", None), 2, "field claims.verdicts.knr_agreement"),
    CertCase("verdict-true", _verdict("knr_agreement", True), 2, "field claims.verdicts.knr_agreement"),
    CertCase("verdict-key-newline", _verdict("knr\nagreement", "HOLDS"), 2, "field claims.verdicts"),
    CertCase("bounds-eap-no", _set("bounds.eap_can_fail", "no"), 2, "field bounds.eap_can_fail"),
    CertCase("bounds-attempts-99", _set("bounds.attempts", 99), 2, "field bounds.attempts"),
    CertCase("bounds-unknown", _set("bounds.timeouts", 1), 2, "field bounds"),
    CertCase("bounds-missing", lambda d: d["bounds"].pop("remote_ues"), 2, "'remote_ues' is a required property"),
    CertCase("bounds-a-list", _set("bounds", [3]), 2, "field bounds"),
    CertCase("threats-a-list", _set("threats", []), 2, "field threats"),
    CertCase("threat-fractional", _set("threats.pc5_attacker", 1.5), 2, "field threats.pc5_attacker"),
    CertCase("threat-unknown-link", _set("threats.lossy_links", ["wifi"]), 2, "field threats.lossy_links[0]"),
    CertCase("mutants-nested", _set("mutants", [[1]]), 2, "field mutants[0]"),
    CertCase("options-by-name", _set("options.check", "panf_udm"), 2, "field options.check"),
    CertCase("options-negative", _set("options.check", -1), 2, "field options.check"),
    CertCase("scenario-empty", _set("scenario", ""), 2, "field scenario"),
    CertCase("scenario-a-number", _set("scenario", 7), 2, "field scenario"),
    CertCase("procedure-null", _set("procedure", None), 2, "field procedure"),
]

UNDECIDABLE = [
    CertCase("bogus-property", _verdict("bogus_property", "HOLDS"), 2, "unknown property 'bogus_property'"),
    *_not_invariants(),
    CertCase("builtin-not-applicable", _verdict("deadlock_free", "n/a"), 2, "always applies"),
]

LABELS = [
    CertCase("label-attacker-threats-honest", _set("scenario", "m200@pc5_attacker"), 2, "names threat model"),
    CertCase("label-honest-threats-attacker", _set("threats.pc5_attacker", 1), 2, "names no threat model"),
    CertCase("label-other-threat", _both(_set("scenario", "m200@malicious_relay"), _set("threats.pc5_attacker", 1)),
             2, "names threat model"),
    CertCase("label-says-honest", _set("scenario", "m200@honest"), 2, "names threat model 'honest'"),
    CertCase("label-other-procedure", _set("procedure", "m300.panf_udm"), 2, "is procedure 'm200'"),
    CertCase("label-other-options", _set("options", {"check": 2}), 2, "has options"),
    CertCase("label-extra-option", _set("options.update", 1), 2, "field options.update: not an option"),
    CertCase("label-without-mutant", _set("mutants", ["null_scheme_suci"]), 2, "does not end with the recorded mutants"),
    CertCase("label-with-unrecorded-mutant", _set("scenario", "m200+null_scheme_suci"), 2, "names mutants"),
    CertCase("label-path", _set("scenario", "../../etc/x"), 2, "neither a built-in scenario"),
    CertCase("label-file-id-other-update", _both(_set("scenario", "mine"), _set("options.update", 1)), 2,
             "field options.update: not an option"),
    CertCase("label-file-id-bad-check", _both(_set("scenario", "mine"), _set("options.check", 9)), 2,
             "does not take the value 9"),
    CertCase("unknown-procedure", _set("procedure", "m999"), 2, "unknown procedure 'm999'"),
    CertCase("unknown-mutant", _both(_set("mutants", ["no_such_mutant"]), _set("scenario", "m200+no_such_mutant")), 2,
             "unknown mutant"),
]

ROWS = [
    CertCase("world-too-short", lambda d: d["worlds"][3].pop(), 2, "field worlds[3]"),
    CertCase("world-too-long", lambda d: d["worlds"][3].append(0), 2, "field worlds[3]"),
    CertCase("state-unknown", _cell("remote_ue.state", "nowhere"), 2, "is not one of its states"),
    CertCase("state-a-number", _cell("relay_ue.state", 0), 2, "is not one of its states"),
    CertCase("variable-a-string", _cell("remote_ue.attempts_left", "3"), 2, "expected an integer"),
    CertCase("variable-true", _cell("udm.authorized", True), 2, "expected an integer"),
    CertCase("variable-huge", _cell("relay_ue.knr", 10**30), 2, "expected an integer"),
    CertCase("variable-float", _cell("relay_ue.knr", 1.5), 2, "expected an integer"),
    CertCase("variable-null", _cell("ghost.knr_derived", None), 2, "expected an integer"),
    CertCase("queue-a-number", _queue(5), 2, "link remote_ue->relay_ue"),
    CertCase("queue-an-object", _queue({"m": 1}), 2, "link remote_ue->relay_ue"),
    CertCase("message-too-few-fields", _first_message(lambda m: [m[0], m[1][:2]]), 2, "integer field(s)"),
    CertCase("message-too-many-fields", _first_message(lambda m: [m[0], m[1] + [0]]), 2, "integer field(s)"),
    CertCase("message-string-field", _first_message(lambda m: [m[0], ["1"] * len(m[1])]), 2, "integer field(s)"),
    CertCase("message-unknown", _first_message(lambda m: ["hello", m[1]]), 2, "unknown message 'hello'"),
    CertCase("message-an-object", _first_message(lambda m: {"name": m[0]}), 2, "expected [message, [fields]]"),
    CertCase("message-three-parts", _first_message(lambda m: [*m, 0]), 2, "expected [message, [fields]]"),
    CertCase("negative-shift-in-the-rules", lambda d: [_cell("remote_ue.nonce_1", -3, world=i)(d)
                                                       for i in range(len(d["worlds"]))], 2,
             "the rules cannot evaluate it (ValueError: negative shift count)"),
    CertCase("variable-renamed", _set("variables.1", "remote_ue.pruk_generation"), 2, "field variables"),
    CertCase("links-reordered", lambda d: d["links"].reverse(), 2, "field links"),
]

REFUTED = [
    CertCase("forged-violation", forge_violation, EXIT_REFUTED, "knr_agreement: claimed VIOLATED, but no world"),
    CertCase("forged-unreachable-worlds", forge_unreachable, EXIT_REFUTED, "not reachable from the initial world"),
    CertCase("violated-without-path", _verdict("knr_agreement", "VIOLATED"), EXIT_REFUTED, "claimed VIOLATED"),
    CertCase("holds-but-violated", _verdict("knr_only_after_authorization", "HOLDS"), EXIT_REFUTED,
             "claimed HOLDS, but world"),
    CertCase("livelock-flipped", _verdict("livelock_free", "VIOLATED"), EXIT_REFUTED, "livelock_free: claimed VIOLATED"),
    CertCase("deadlock-flipped", _verdict("deadlock_free", "VIOLATED"), EXIT_REFUTED, "deadlock_free: claimed VIOLATED"),
    CertCase("unhandled-flipped", _verdict("messages_handled", "VIOLATED"), EXIT_REFUTED,
             "messages_handled: claimed VIOLATED"),
    CertCase("not-applicable-claimed", _verdict("old_pruk_replaced", "HOLDS"), EXIT_REFUTED, "does not apply"),
    CertCase("applicable-claimed-na", _verdict("knr_agreement", "n/a"), EXIT_REFUTED, "but it applies"),
    CertCase("states-plus-one", lambda d: d["claims"].update(states=d["claims"]["states"] + 1), EXIT_REFUTED, "counts"),
    CertCase("transitions-minus-one", lambda d: d["claims"].update(transitions=d["claims"]["transitions"] - 1),
             EXIT_REFUTED, "counts"),
    CertCase("world-dropped", _drop_world, EXIT_REFUTED, "not closed"),
    # the honest reachable set relabelled lossy: a lost message leads outside it
    CertCase("lossy-links", _both(_set("threats.lossy_links", ["pc5"]), _set("scenario", "m200@lossy_links_pc5")),
             EXIT_REFUTED, "not closed"),
    CertCase("initial-dropped", lambda d: d["worlds"].pop(0), EXIT_REFUTED, "the initial world is not in the set"),
    CertCase("world-twice", lambda d: d["worlds"].append(d["worlds"][7]), EXIT_REFUTED, "twice"),
    CertCase("ghost-flipped", _cell("ghost.knr_derived", 7, world=1), EXIT_REFUTED, "REFUTED"),
]

ACCEPTED = [
    CertCase("genuine", lambda d: None, 0, "every claimed invariant verdict true"),
    CertCase("genuine-violations-shown-by-paths", lambda d: None, 0, "knr_only_after_authorization in 27 step(s)"),
    CertCase("no-claimed-verdicts", _set("claims.verdicts", {}), 0, "confirmed"),
    CertCase("byte-order-mark", _text(lambda t: "\ufeff" + t), 0, "confirmed"),
    CertCase("indented-json", lambda d: gzip.compress(json.dumps(d, indent=1).encode()), 0, "confirmed"),
]

CERT_CASES = FILES + SHAPE + UNDECIDABLE + LABELS + ROWS + REFUTED + ACCEPTED


@pytest.mark.parametrize("case", CERT_CASES, ids=str)
def test_hostile_certificate(case: CertCase, small_certificate: dict[str, Any], tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    files: dict[str, bytes] = {}
    if case.mutate is not None:
        doc = small_certificate
        data = case.mutate(doc)
        files[CERT] = data if isinstance(data, bytes) else _gz(doc)
    if case.name == "a-fifo":
        os.mkfifo(tmp_path / "fifo")
    argv = tuple(a.replace("{cert}", "{tmp}/" + CERT) for a in case.argv)
    _, out, _ = run_case(Case(case.name, argv, case.code, case.message, files), tmp_path, capsys)
    if case.code != 0:
        assert "every claimed invariant verdict true" not in out


# -- replay: the label of a trace document against what it records ------------------------------

def _result(edit: Mutation) -> Mutation:
    """Edit the first result of the `check --json` document."""
    return lambda doc: edit(doc["results"][0])


def _only_result(edit: Mutation) -> Mutation:
    """Replay one result on its own (not the whole document), edited."""
    def mutate(doc: dict[str, Any]) -> Any:
        edit(doc["results"][0])
        return json.dumps(doc["results"][0]).encode()
    return mutate


REPLAY_CASES = [
    CertCase("replay-label-attacker-threats-honest", _result(_set("scenario", "m200@pc5_attacker")), 2,
             "names threat model 'pc5_attacker', the recorded threats are 'honest'"),
    CertCase("replay-label-two-threats-one-recorded",
             _result(_both(_set("scenario", "m200@pc5_attacker+leaked_old_pruk"), _set("threats.pc5_attacker", 1))),
             2, "names threat model"),
    CertCase("replay-label-honest-threats-relay", _result(_set("threats.malicious_relay", True)), 2,
             "names no threat model"),
    CertCase("replay-label-other-procedure", _result(_set("procedure", "m300.panf_udm")), 2, "is procedure 'm200'"),
    CertCase("replay-label-other-options", _result(_set("options", {"check": 3})), 2, "has options"),
    CertCase("replay-label-without-mutant", _result(_set("mutants", ["udm_silent_on_denial"])), 2,
             "does not end with the recorded mutants"),
    CertCase("replay-label-unrecorded-mutant", _result(_set("scenario", "m200+udm_silent_on_denial")), 2,
             "names mutants"),
    CertCase("replay-label-path", _result(_set("scenario", "/tmp/../x")), 2, "neither a built-in scenario"),
    CertCase("replay-one-result-relabelled", _only_result(_set("scenario", "m200@pc5_attacker")), 2,
             "names threat model"),
    CertCase("replay-genuine", lambda d: None, 0, "confirmed"),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", REPLAY_CASES, ids=str)
def test_hostile_replay_label(case: CertCase, trace_text: str, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(trace_text)
    data = case.mutate(doc) if case.mutate else None
    files = {"trace.json": data if isinstance(data, bytes) else json.dumps(doc).encode()}
    run_case(Case(case.name, ("replay", "{tmp}/trace.json"), case.code, case.message, files), tmp_path, capsys)


def test_the_corpus_is_large_enough() -> None:
    assert len(CERT_CASES) + len(REPLAY_CASES) >= 60
    assert len({c.name for c in CERT_CASES + REPLAY_CASES}) == len(CERT_CASES) + len(REPLAY_CASES)


# -- the reproductions of issue 23, items 1 and 2 ------------------------------------------------

def _certify(doc: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    path = tmp_path / CERT
    path.write_bytes(_gz(doc))
    return run_cli(capsys, ["certify", str(path)])


@pytest.mark.slow
def test_item1_a_forged_violation_is_not_confirmed(certificate, tmp_path, capsys):
    """One world of the m200 certificate copied with relay_ue.knr changed, its forward closure added, counts raised,
    knr_agreement claimed VIOLATED (truth: HOLDS): before, "every claimed invariant verdict true" and exit 0."""
    doc = certificate
    forge_violation(doc)
    product, worlds = _product(doc)
    assert product.initial() in set(worlds)  # still closed, initial world in: the old checks all passed
    code, out, _ = _certify(doc, tmp_path, capsys)
    assert code == EXIT_REFUTED and "every claimed invariant verdict true" not in out
    assert "knr_agreement: claimed VIOLATED, but no world reachable from the initial world violates it" in out


@pytest.mark.parametrize("pid, verdict, code, message", [
    ("bogus_property", "HOLDS", 2, "unknown property 'bogus_property'"),
    ("knr_agreement", "PROVED", 2, "'PROVED' is not one of"),
    ("livelock_free", "VIOLATED", EXIT_REFUTED, "livelock_free: claimed VIOLATED"),
])
def test_item2_claims_it_cannot_check_are_refused(certificate, tmp_path, capsys, pid, verdict, code, message):
    doc = certificate
    doc["claims"]["verdicts"][pid] = verdict
    got, out, err = _certify(doc, tmp_path, capsys)
    assert got == code and message in out + err and "every claimed invariant verdict true" not in out


def test_item2_a_label_contradicting_the_options_is_refused(certificate, tmp_path, capsys):
    doc = certificate
    doc["scenario"] = "m200@pc5_attacker"  # threats: honest
    code, out, err = _certify(doc, tmp_path, capsys)
    assert code == 2 and "field scenario" in err and not out


def test_item2_replay_refuses_an_attacker_label_on_honest_threats(trace_text, tmp_path, capsys):
    doc = json.loads(trace_text)
    doc["results"][0]["scenario"] = "m200@pc5_attacker"
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(doc))
    code, out, err = run_cli(capsys, ["replay", str(path)])
    assert code == 2 and "names threat model 'pc5_attacker'" in err and "confirmed" not in out


def test_violated_claims_are_confirmed_by_shortest_paths(certificate, tmp_path, capsys):
    code, out, _ = _certify(certificate, tmp_path, capsys)
    assert code == 0
    assert "knr_only_after_authorization in 27 step(s)" in out and "no_knr_after_withdrawal in 28 step(s)" in out


@pytest.mark.parametrize("succ, final, livelock", [
    ([[1], [2], [1]], set(), 1),  # 0 -> 1 <-> 2: a bottom cycle without a final world
    ([[1], [2], [1]], {2}, None),  # the same cycle with a final world in it
    ([[1], [1]], set(), 1),  # a self-loop
    ([[1], []], set(), None),  # a deadlock is not a livelock
    ([[1, 3], [2], [1, 3], []], set(), None),  # the cycle can leave: not bottom
    ([[0, 1], [2], [3], [2]], set(), 2),  # 0 loops but can leave; 2 <-> 3 is bottom
])
def test_livelocks_are_bottom_cycles_without_a_final_world(succ, final, livelock):
    order = list(range(len(succ)))
    assert _first_livelock(order, succ, final.__contains__) == livelock


# -- Hypothesis: random and mutated documents never escape the reader -----------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


def _outcome(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes) -> tuple[int, str, str]:
    path = tmp_path / "fuzz.cert.json.gz"
    path.write_bytes(data)
    code, out, err = run_cli(capsys, ["certify", str(path)])
    assert "Traceback" not in err
    assert code in (0, 2, EXIT_REFUTED), (code, err, out[-500:])
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and err.startswith("prosecheck: error: "), err
    return code, out, err


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON)
def test_fuzzed_json_values_are_refused_in_one_line(tmp_path, capsys, value):
    assert _outcome(tmp_path, capsys, gzip.compress(json.dumps(value).encode()))[0] == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200), zipped=st.booleans())
def test_fuzzed_bytes_are_refused_in_one_line(tmp_path, capsys, data, zipped):
    assert _outcome(tmp_path, capsys, gzip.compress(data) if zipped else data)[0] == 2


def _mutated(data: st.DataObject, doc: dict[str, Any]) -> None:
    """Replace, delete or duplicate one node somewhere in ``doc`` (descending at random)."""
    node: Any = doc
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and data.draw(st.booleans()):
            node = child
            continue
        action = data.draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "replace":
            node[key] = data.draw(JSON)
        elif action == "delete":
            del node[key]
        elif isinstance(node, list):
            node.append(copy.deepcopy(child))
        else:
            node[key + "_"] = copy.deepcopy(child)
        return


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_edits_of_a_certificate_are_decided_or_refused_in_one_line(tmp_path, capsys, small_text, data):
    doc = json.loads(small_text)
    for _ in range(data.draw(st.integers(1, 3))):
        _mutated(data, doc)
    code, out, _ = _outcome(tmp_path, capsys, _gz(doc))
    if code == 0:
        assert out.startswith("confirmed")


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_world_values_are_decided_or_refused_in_one_line(tmp_path, capsys, small_text, data):
    """Values inside world rows, where the rules evaluate them (negative shifts, huge masks, odd messages)."""
    doc = json.loads(small_text)
    row = doc["worlds"][data.draw(st.integers(0, len(doc["worlds"]) - 1))]
    at = data.draw(st.integers(0, len(row) - 1))
    if at < len(doc["variables"]):
        row[at] = data.draw(st.integers(-2**21, 2**21) | st.sampled_from(["idle", "linked", "secured"]))
    else:
        row[at] = data.draw(st.lists(st.tuples(st.sampled_from(["direct_communication_request", "x"]),
                                               st.lists(st.integers(-2**21, 2**21), max_size=7)), max_size=2))
    _outcome(tmp_path, capsys, _gz(doc))
