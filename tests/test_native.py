"""The compiled successor engine (issue 19) against the Python search: the same exploration, field by field.

Every toy system, random toy systems and a few real scenarios are explored by both engines; the
results must agree on everything downstream reads: states in the same order, parents, labels,
depths, edges, deadlocks, unhandled messages, fired transitions. The C reading of expressions is
checked against the Python reading on random expressions (Hypothesis).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import toy
from hypothesis import given, settings
from hypothesis import strategies as st
from random_toys import random_system

from prosecheck.checker import search
from prosecheck.checker.exploration import Exploration, Limits
from prosecheck.checker.expr import (
    _COMPARE,
    C_PRELUDE,
    BinOp,
    Const,
    Expr,
    Ite,
    Not,
    Ref,
    evaluate,
    to_c,
)
from prosecheck.checker.machine import ModelError
from prosecheck.checker.native import build
from prosecheck.checker.native.engine import NativeExploration, explore_native
from prosecheck.checker.system import System

pytestmark = pytest.mark.skipif(build.compiler() is None, reason="no C compiler")


def _python(system: System, limits: Limits | None = None) -> Exploration:
    return search.explore(system, limits or Limits(), engine="python")


def assert_same(native: Exploration, python: Exploration) -> None:
    """Every field downstream reads is the same in both explorations."""
    assert isinstance(native, NativeExploration)
    assert native.states == python.states
    assert native.transitions == python.transitions
    assert native.stopped == python.stopped and native.expanded == python.expanded
    assert list(native.worlds) == list(python.worlds)
    assert [int(p) for p in native.parent] == list(python.parent)
    assert list(native.via) == list(python.via)
    assert [int(d) for d in native.depth] == list(python.depth)
    assert native.max_depth == python.max_depth
    assert native.deadlocks == python.deadlocks
    assert native.unhandled == python.unhandled
    assert native.fired == python.fired
    assert native.edges is not None and python.edges is not None
    for w in range(python.edges.expanded):
        (nt, nl), (pt, pl) = native.edges.successors(w), python.edges.successors(w)
        assert list(nt) == list(pt)
        assert [native.via.table[int(i)] for i in nl] == [python.via.table[i] for i in pl]
    for w in range(0, python.states, max(1, python.states // 50)):
        assert native.index_of(python.worlds[w]) == w


TOYS = {
    "ping_pong": toy.ping_pong, "ping_pong cap 2": lambda: toy.ping_pong(3, 2), "counters": toy.counters,
    "counters jump": lambda: toy.counters(3, 3, True), "waiter": toy.waiter, "pairs": toy.ping_pong_pairs,
    "looper": toy.looper_and_counter, "restless looper": lambda: toy.looper_and_counter(2, True),
    "lossy": toy.lossy_ping_pong, "lossy dup": lambda: toy.lossy_ping_pong(2, budget=2, duplication=True),
    "sleepers": toy.sleepers,
}


@pytest.mark.parametrize("name", sorted(TOYS))
def test_toys_explore_the_same_in_c(name: str) -> None:
    system = TOYS[name]()
    assert_same(explore_native(system, Limits(), None), _python(TOYS[name]()))


@pytest.mark.parametrize("seed", range(12))
def test_random_toys_explore_the_same_in_c(seed: int) -> None:
    assert_same(explore_native(random_system(seed), Limits(), None), _python(random_system(seed)))


@pytest.mark.parametrize("bound", [1, 5, 17])
def test_a_search_stopped_by_max_states_stops_where_the_python_one_does(bound: int) -> None:
    limits = Limits(max_states=bound)
    native = explore_native(toy.lossy_ping_pong(2, budget=2, duplication=True), limits, None)
    assert_same(native, _python(toy.lossy_ping_pong(2, budget=2, duplication=True), limits))
    assert native.stopped == f"max-states {bound}"


def test_chunks_that_outgrow_16_bit_ids_rerun_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    from prosecheck.checker.native import cgen

    monkeypatch.setattr(cgen, "NARROW_MAX", 2)  # any chunk with a third value forces 32-bit ids
    assert_same(explore_native(toy.ping_pong(3, 2), Limits(), None), _python(toy.ping_pong(3, 2)))


@pytest.mark.parametrize("seed", [3, 5, 8])
def test_projections_per_chunk_equal_projections_of_the_decoded_worlds(seed: int) -> None:
    """Per world (NumPy over the chunk ids), first worlds only and marks (``pc_codes``: one compiled pass)."""
    system = random_system(seed)
    native, python = explore_native(system, Limits(), None), _python(random_system(seed))
    slots = list(range(system.link_base + len(system.links)))
    for chosen in (slots[:2], slots[-3:], [slots[0], slots[-1]], slots[::2], slots):
        a, b = native.projector().project(chosen), python.projector().project(chosen)
        assert a.values == b.values and list(a.first) == list(b.first) and list(a.codes) == list(b.codes)
        a, b = native.projector().project(chosen, False), python.projector().project(chosen, False)
        assert a.values == b.values and list(a.first) == list(b.first)
        odd = lambda valuation, s=tuple(chosen): sum(hash(valuation[x]) for x in s) % 2 == 1  # noqa: E731
        assert native.projector().marks(chosen, odd).tolist() == python.projector().marks(chosen, odd).tolist()


@pytest.mark.parametrize("scenario", ["m200", "m300.panf_udm", "m300.ausf_udm.2ue"])
def test_real_scenarios_count_the_same_in_c(scenario: str) -> None:
    from prosecheck.model.build import build_system
    from prosecheck.scenarios.catalog import SCENARIOS

    native = search.explore(build_system(SCENARIOS[scenario]), engine="native")
    python = _python(build_system(SCENARIOS[scenario]))
    assert isinstance(native, NativeExploration)
    assert (native.states, native.transitions, native.max_depth) == (python.states, python.transitions, python.max_depth)
    assert native.deadlocks == python.deadlocks and native.unhandled == python.unhandled
    assert native.fired == python.fired
    last = python.states - 1
    assert native.path_to(last) == python.path_to(last)
    assert [native.via[i] for i in native.path_to(last)] == [python.via[i] for i in python.path_to(last)]


def test_without_a_compiler_the_python_search_runs_and_says_so_once(monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from prosecheck.checker.native import dispatch

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setattr(dispatch, "_warned", [])
    first = search.explore(toy.ping_pong(), engine="auto")
    second = search.explore(toy.ping_pong(), engine="auto")
    assert not isinstance(first, NativeExploration) and not isinstance(second, NativeExploration)
    assert capsys.readouterr().err == "no C compiler: using the Python search\n"
    reference = _python(toy.ping_pong())
    assert list(first.worlds) == list(reference.worlds) and first.transitions == reference.transitions
    with pytest.raises(Exception, match="needs a C compiler"):
        search.explore(toy.ping_pong(), engine="native")


def test_the_engine_is_chosen_by_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    explore_native(toy.ping_pong(), Limits(), None)  # compiled: auto takes the compiled search
    assert isinstance(search.explore(toy.ping_pong()), NativeExploration)
    monkeypatch.setenv("PROSECHECK_ENGINE", "python")
    assert not isinstance(search.explore(toy.ping_pong()), NativeExploration)
    assert isinstance(search.explore(toy.ping_pong(), engine="native"), NativeExploration)
    monkeypatch.setenv("PROSECHECK_ENGINE", "fast")
    with pytest.raises(Exception, match="unknown search engine"):
        search.explore(toy.ping_pong())


def test_a_patched_successor_function_keeps_the_python_search() -> None:
    system = toy.ping_pong()
    real = system.successors
    system.successors = lambda world, instances=None: real(world, instances)  # type: ignore[method-assign]
    assert not isinstance(search.explore(system), NativeExploration)


def test_the_library_cache_is_the_project_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from prosecheck.cli.cache import folder

    for value in (None, "off", str(tmp_path)):
        if value is None:
            monkeypatch.delenv("PROSECHECK_CACHE", raising=False)
        else:
            monkeypatch.setenv("PROSECHECK_CACHE", value)
        assert build.project_cache() == folder()


# -- the C reading of expressions ------------------------------------------------------------------

_NAMES = [f"v{i}" for i in range(4)]
_OPS = sorted({"+", "-", "&", "|", "^", "<<", ">>", "and", "or", "implies", *_COMPARE})


def _exprs() -> st.SearchStrategy[Expr]:
    leaves = st.one_of(st.builds(Const, st.integers(0, 0xFFFF)), st.builds(Const, st.booleans()),
                       st.builds(Const, st.integers(0, 20)), st.sampled_from([Ref("local", n) for n in _NAMES]))

    def grow(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        return st.one_of(st.builds(BinOp, st.sampled_from(_OPS), inner, inner), st.builds(Not, inner),
                         st.builds(Ite, inner, inner, inner))

    return st.recursive(leaves, grow, max_leaves=12)


def _values() -> st.SearchStrategy[list[int]]:
    return st.lists(st.one_of(st.integers(0, 0xFFFF), st.integers(0, 40)), min_size=len(_NAMES), max_size=len(_NAMES))


@settings(max_examples=6, deadline=None)
@given(st.lists(_exprs(), min_size=30, max_size=30), st.lists(_values(), min_size=8, max_size=8))
def test_the_c_reading_of_an_expression_is_the_python_reading(exprs: list[Expr], rows: list[list[int]]) -> None:
    def ref(scope: str, name: str) -> str:
        return f"v[{_NAMES.index(name)}]"

    body = "\n".join(f"    case {k}: return {to_c(e, ref)};" for k, e in enumerate(exprs))
    source = ("#include <stdint.h>\n" + C_PRELUDE
              + f"int64_t pc_eval(int k, const int64_t *v) {{\n  switch (k) {{\n{body}\n  }}\n  return -1;\n}}\n")
    ffi, lib = build.load(source, "int64_t pc_eval(int, const int64_t *);")
    for row in rows:
        values = ffi.new("int64_t[]", row)
        for k, e in enumerate(exprs):
            expected = int(evaluate(e, {("local", n): v for n, v in zip(_NAMES, row)}))
            assert lib.pc_eval(k, values) == expected, (e, row)


def test_edges_and_label_views_are_numpy_backed() -> None:
    native = explore_native(toy.counters(), Limits(), None)
    start, target, label = native.edges.arrays()  # type: ignore[union-attr]
    assert isinstance(target, np.ndarray) and len(target) == native.transitions
    assert native.store_bytes() > 0


def test_auto_keeps_the_python_search_of_a_small_system_not_compiled_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    from prosecheck.checker.native import dispatch

    monkeypatch.setattr(dispatch, "_compiled", lambda system: False)
    assert not isinstance(search.explore(toy.ping_pong(), engine="auto"), NativeExploration)
    monkeypatch.setattr(dispatch, "PROBE_STATES", 3)  # larger than the probe: compiled and searched in C
    found = search.explore(toy.ping_pong(), engine="auto")
    assert isinstance(found, NativeExploration)
    assert_same(found, _python(toy.ping_pong()))


def test_a_system_kept_whole_explores_the_same_in_c(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several groups as one component (no step cache): timers go last in the whole world, as in Python."""
    from prosecheck.checker import store as store_module

    monkeypatch.setattr(store_module, "_groups", lambda system: [
        (list(range(len(system.initial()))), list(range(len(system.instances))))])
    for make in (lambda: toy.ping_pong_pairs(3, 1), toy.sleepers):
        native = explore_native(make(), Limits(), None)
        assert len(native.native.layout.comps) == 1  # type: ignore[union-attr]
        assert_same(native, _python(make()))


def test_an_interrupt_between_slices_leaves_a_consistent_exploration(monkeypatch: pytest.MonkeyPatch) -> None:
    from prosecheck.checker.native import engine

    calls = []

    def interrupt(limits: Limits, stored: int, start: float) -> str | None:
        calls.append(stored)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return None

    monkeypatch.setattr(engine, "SLICE", 2)
    monkeypatch.setattr(engine, "_stop_reason", interrupt)
    found = explore_native(toy.ping_pong_pairs(3), Limits(), None)
    assert found.stopped == "interrupted" and found.expanded == 6 < found.states
    assert found.edges is not None and found.edges.expanded == found.expanded
    assert all(0 <= int(p) < i for i, p in enumerate(found.parent) if i)
    _, target, label = found.edges.arrays()
    assert int(target.max()) < found.states and int(label.max()) < len(found.via.table)  # type: ignore[attr-defined]
    python = _python(toy.ping_pong_pairs(3))
    assert list(found.worlds) == list(python.worlds)[: found.states]


# -- the library's semantics (issue 20): shared variables, conditional sends, links with several senders,
# computed destinations, block_on_guards and blocked messages, declared ranges ---------------------------------


def _examples() -> dict[str, Callable[[], System]]:
    from test_examples import EXAMPLES

    return {name: (lambda build=entry[0]: build().system()) for name, entry in EXAMPLES.items()}


@pytest.mark.parametrize("name", sorted(_examples()))
def test_every_example_and_broken_variant_explores_the_same_in_c(name: str) -> None:
    build = _examples()[name]
    assert_same(explore_native(build(), Limits(), None), _python(build()))


@pytest.mark.parametrize("seed", range(16))
def test_random_library_toys_explore_the_same_in_c(seed: int) -> None:
    """Conditional sends and one incoming link per element written by all its peers."""
    assert_same(explore_native(random_system(seed, library=True), Limits(), None),
                _python(random_system(seed, library=True)))


def _library_models() -> dict[str, Callable[[], System]]:
    import test_library as lib

    from prosecheck.checker.api import Model

    def writers() -> System:
        return Model({}).add("w1", lib.Writer).add("w2", lib.Writer).share("lock", writers=["w1", "w2"]).system()

    return {
        "blocked waits": lambda: lib._pair(lib.Picky, True), "blocked reported": lambda: lib._pair(lib.Picky, False),
        "deaf waits": lambda: lib._pair(lib.Deaf, True), "deaf reported": lambda: lib._pair(lib.Deaf, False),
        "shared lock": writers, "farm": lambda: lib._farm().system(),
        "callers": lambda: lib._callers(lib.BACK).system(),
        "callers cap 1": lambda: lib._callers(lib.BACK, capacity=1).system(),
        "callers separate": lambda: lib._callers(lib.BACK, separate=True).system(),
        "callers lossy": lambda: lib._callers(lib.BACK, lossy=True).system(),
        **{f"callers answer {k}": (lambda a=answer: lib._callers(a).system()) for k, answer in enumerate((
            lib.Send("c2", "back"), lib.Send("c1", "back", when=lib.V("count") == 0),
            lib.Send("c2", "back", when=lib.M("n") == 2)))},
    }


@pytest.mark.parametrize("name", sorted(_library_models()))
def test_library_test_models_explore_the_same_in_c(name: str) -> None:
    build = _library_models()[name]
    assert_same(explore_native(build(), Limits(), None), _python(build()))


def test_the_blocked_flag_is_computed_in_c() -> None:
    import test_library as lib

    native = explore_native(lib._pair(lib.Picky, False), Limits(), None)
    assert [u.blocked for _, u in native.unhandled] == [True]
    waits = explore_native(lib._pair(lib.Picky, True), Limits(), None)
    assert waits.unhandled == [] and len(waits.deadlocks) == 1


def _error(build: Callable[[], System], engine: str) -> str:
    with pytest.raises(ModelError) as caught:
        search.explore(build(), engine=engine)
    return f"{type(caught.value).__name__}: {caught.value}"


def _range_models() -> dict[str, Callable[[], System]]:
    import test_library as lib

    from prosecheck.checker.api import Model

    class Bounded(lib.Descender):
        VARIABLES = (lib.Var("height", 0, range=(0, 3)),)

    class Counter(lib.ElementRules, lib.StateMachine):  # own states: State.to on Writer's would change Writer
        a = lib.State("A", initial=True)
        go = a.to(a, on="write")
        LOCAL_EVENTS = frozenset({"go"})
        REST_STATES = frozenset({"a"})
        EFFECTS = {"write": lib.Effect(share={"lock": lib.S("lock") + 1})}

    class Twice(lib.ElementRules, lib.StateMachine):
        """Two candidates of one step: the first leaves the shared range, the second its own (the
        Python search computes both candidates' locals before it applies the first)."""

        a = lib.State("A", initial=True)
        go = a.to(a, on="share_more") | a.to(a, on="count_more")
        LOCAL_EVENTS = frozenset({"go"})
        REST_STATES = frozenset({"a"})
        VARIABLES = (lib.Var("n", 0, range=(0, 0)),)
        EFFECTS = {"share_more": lib.Effect(share={"lock": lib.S("lock") + 1}),
                   "count_more": lib.Effect(assign={"n": lib.V("n") + 1})}

    def sleeper(step: int) -> type:
        class Sleeper(lib.ElementRules, lib.StateMachine):
            """A timer whose step leaves the range when ``step`` is 1 (the first of two timers of a
            group never fires, yet the Python search computes its step)."""

            a = lib.State("A", initial=True)
            timeout = a.to(a, on="wake")
            LOCAL_EVENTS = frozenset({"timeout"})
            REST_STATES = frozenset({"a"})
            VARIABLES = (lib.Var("n", 0, range=(0, 0)),)
            EFFECTS = {"wake": lib.Effect(assign={"n": lib.V("n") + step})}

        return Sleeper

    return {"climber": lambda: Model({}).add("climber", lib.Climber).system(),
            "timer": lambda: Model({}).add("s", sleeper(1)).add("c", sleeper(0)).system(),
            "order": lambda: Model({}).add("t", Twice).share("lock", writers=["t"], range=(0, 0)).system(),
            "descender": lambda: Model({}).add("d", Bounded).system(),
            "shared": lambda: Model({}).add("w1", Counter).share("lock", writers=["w1"], range=(0, 2)).system()}


@pytest.mark.parametrize("name", sorted(_range_models()))
def test_a_range_violation_is_the_same_range_error_in_both_engines(name: str) -> None:
    build = _range_models()[name]
    text = _error(build, "native")
    assert text.startswith("RangeError: ") and "outside its declared range" in text
    assert text == _error(build, "python")


def test_runtime_model_errors_of_sends_are_the_same_in_both_engines() -> None:
    """A reply to a message from a link with several senders; a computed destination with no link."""
    import test_library as lib

    from prosecheck.checker.api import Model

    def two_workers() -> System:
        model = Model({"job": ("n",), "done": ()}).add("boss", lib.Dispatcher)
        for k in range(2):
            model.add(f"worker{k}", lib.Worker).link("boss", f"worker{k}").link(f"worker{k}", "boss")
        return model.system()

    for make in (lambda: lib._callers(lib.Send(lib.REPLY, "back")).system(), two_workers):
        text = _error(make, "native")
        assert text == _error(make, "python") and text.startswith("ModelError: ")
    assert "boss has no link to worker2" in _error(two_workers, "native")


def test_native_on_a_declined_system_says_why() -> None:
    with pytest.raises(ModelError, match="native search engine cannot run this system: fault budget above 65535"):
        search.explore(toy.lossy_ping_pong(budget=70_000), engine="native")


def test_the_tutorial_runs_on_the_compiled_engine(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Every block of docs/tutorial.md, each search in C: the page's output is what C prints too."""
    import test_tutorial

    monkeypatch.setenv("PROSECHECK_ENGINE", "native")  # a system the C search declines would be an error
    test_tutorial.test_every_python_block_of_the_tutorial_runs(capsys)


def test_shared_variables_of_two_groups_explore_the_same_in_c() -> None:
    """One copy of each shared variable per group, in the group's component (two components here)."""
    import test_library as lib

    from prosecheck.checker.machine import compile_element
    from prosecheck.checker.system import Instance, Shared

    def two_groups() -> System:
        table = compile_element(lib.Writer, {}, {})
        instances = [Instance(f"ue{g + 1}.w{k}", f"w{k}", g, table) for g in range(2) for k in (1, 2)]
        return System(instances, [], [], 2, {}, shared=(Shared("lock", 0, frozenset({"w1", "w2"}), (0, 1)),))

    native = explore_native(two_groups(), Limits(), None)
    assert native.native is not None and len(native.native.layout.comps) == 2
    assert_same(native, _python(two_groups()))


@pytest.mark.parametrize("answer", [0, 1])
def test_a_lossy_shared_link_that_duplicates_explores_the_same_in_c(answer: int) -> None:
    """Duplicated heads of a link with several senders, answered To(c, M(n)) or conditionally: a third
    ``go`` takes the collector's count past its declared range, the same error in both engines."""
    import test_library as lib

    def build() -> System:
        send = lib.BACK if answer == 0 else lib.Send(lib.To("c", lib.M("n")), "back", when=lib.V("count") == 0)
        s = lib._callers(send, lossy=True).system()
        return System(s.instances, s.links, s.ghost_names, s.groups, s.message_fields, s.message_field_kinds,
                      s.observers, s.fault_budget, True, s.shared, s.block_on_guards)

    text = _error(build, "native")
    assert text == _error(build, "python") and "count would become 3" in text

    def unbounded() -> System:
        system = build()
        system.instances[2].table.var_ranges = [None] * 3  # a fresh table per build: the count may grow
        return system

    native = explore_native(unbounded(), Limits(), None)
    assert any(label is not None and label.fault == "duplicated" for label in native.via.table)
    assert_same(native, _python(unbounded()))
