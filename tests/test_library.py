"""The checker as a library (issue 20): blocked vs unhandled messages, optional citations, declared
ranges, shared variables with declared writers, one link per sender and receiver, links with several
senders, conditional sends."""

from __future__ import annotations

import pytest
from statemachine import State, StateMachine

from prosecheck.checker.api import HOLDS, VIOLATED, Model, assertion, at, check
from prosecheck.checker.expr import If, Implies, M, O, Or, S, V, W
from prosecheck.checker.live import LiveElement, check_step
from prosecheck.checker.machine import (
    REPLY,
    Effect,
    ElementRules,
    ModelError,
    RangeError,
    Send,
    To,
    Var,
    compile_element,
)
from prosecheck.checker.search import explore
from prosecheck.checker.system import Instance, Link, Shared, System, World
from prosecheck.export.promela import to_promela
from prosecheck.export.spin import available, run_spin
from tests.random_toys import random_system

MESSAGES = {"go": ("n",)}


class Sender(ElementRules, StateMachine):
    idle = State("Idle", initial=True)
    done = State("Done", final=True)
    start = idle.to(done, on="send_go")
    LOCAL_EVENTS = frozenset({"start"})
    REST_STATES = frozenset({"done"})
    EFFECTS = {"send_go": Effect(send=[Send("receiver", "go", {"n": 5})])}


class Picky(ElementRules, StateMachine):
    """Takes ``go`` only when its field is small: a ``go(5)`` is blocked, not unhandled."""

    waiting = State("Waiting", initial=True)
    done = State("Done", final=True)
    go = waiting.to(done, cond="small", on="take")
    REST_STATES = frozenset({"done"})
    GUARDS = {"small": M("n") < 3}
    EFFECTS = {"take": Effect()}


class Deaf(ElementRules, StateMachine):
    """Has no transition for ``go`` at all: a ``go`` is unhandled."""

    waiting = State("Waiting", initial=True)
    done = State("Done", final=True)
    never = waiting.to(done, on="stop")
    LOCAL_EVENTS = frozenset({"never"})
    REST_STATES = frozenset({"done"})
    GUARDS = {"off": False}
    EFFECTS = {"stop": Effect()}


def _pair(receiver: type, block: bool) -> System:
    tables = [compile_element(Sender, {}, MESSAGES), compile_element(receiver, {}, MESSAGES)]
    instances = [Instance("sender", "sender", 0, tables[0]), Instance("receiver", "receiver", 0, tables[1])]
    return System(instances, [Link(0, 0, 1, "wire", 1)], [], 1, MESSAGES, block_on_guards=block)


def test_a_message_all_guards_refuse_is_blocked_not_unhandled_in_library_semantics() -> None:
    ex = explore(_pair(Picky, block=True))
    assert ex.unhandled == [] and len(ex.deadlocks) == 1  # the go(5) waits forever: only a deadlock


def test_the_5g_reading_still_reports_a_guard_blocked_message_marked_blocked() -> None:
    ex = explore(_pair(Picky, block=False))
    assert [u.blocked for _, u in ex.unhandled] == [True]


def test_a_message_no_transition_takes_is_unhandled_in_both_readings() -> None:
    for block in (True, False):
        ex = explore(_pair(Deaf, block=block))
        assert [u.blocked for _, u in ex.unhandled] == [False]


def test_effects_need_no_label_or_citation_and_systems_no_field_kinds() -> None:
    table = compile_element(Sender, {}, MESSAGES)
    assert table.transitions[0].effect.label == "send_go" and table.transitions[0].effect.ref == ""


class Climber(ElementRules, StateMachine):
    up = State("Climbing", initial=True)
    step = up.to(up, on="climb")
    LOCAL_EVENTS = frozenset({"step"})
    REST_STATES = frozenset({"up"})
    VARIABLES = (Var("height", 0, range=(0, 3)),)
    EFFECTS = {"climb": Effect(assign={"height": V("height") + 1})}


def test_leaving_a_declared_range_is_an_error_naming_element_variable_and_value() -> None:
    model = Model({}).add("climber", Climber)
    with pytest.raises(RangeError, match=r"climber.*variable height would become 4, outside its declared range 0\.\.3"):
        check(model)


class Descender(ElementRules, StateMachine):
    up = State("Up", initial=True)
    down = State("Down", final=True)
    step = up.to(down, on="descend")
    LOCAL_EVENTS = frozenset({"step"})
    VARIABLES = (Var("height", 0),)
    EFFECTS = {"descend": Effect(assign={"height": V("height") - 1})}


def test_without_a_range_values_wrap_at_16_bits_as_before_and_with_one_the_wrap_is_caught() -> None:
    result = check(Model({}).add("d", Descender))
    assert result.exploration.worlds[-1][1] == 65535

    class Bounded(Descender):
        VARIABLES = (Var("height", 0, range=(0, 3)),)
    with pytest.raises(RangeError, match="height would become 65535"):
        check(Model({}).add("d", Bounded))


class Writer(ElementRules, StateMachine):
    a = State("A", initial=True)
    b = State("B", final=True)
    go = a.to(b, cond="free", on="write")
    LOCAL_EVENTS = frozenset({"go"})
    REST_STATES = frozenset({"b"})
    GUARDS = {"free": S("lock") == 0}
    EFFECTS = {"write": Effect(share={"lock": 1})}


def test_shared_variables_are_read_by_guards_and_written_by_declared_writers() -> None:
    model = Model({}).add("w1", Writer).add("w2", Writer).share("lock", writers=["w1", "w2"])
    result = check(model, {"one_writer": W("shared.lock") <= 1}, {"w1_wrote": at("w1", "b")})
    assert (result.states, result.transitions) == (3, 2)  # the first to write locks the other out
    assert result["one_writer"].verdict == HOLDS and result["w1_wrote"].verdict == HOLDS
    assert result["deadlock_free"].verdict == VIOLATED  # the loser waits for a lock nobody releases


def test_writing_a_shared_variable_without_being_its_writer_is_a_model_error() -> None:
    with pytest.raises(ModelError, match=r"w2.*writes shared variable 'lock', whose declared writers are \['w1'\]"):
        Model({}).add("w1", Writer).add("w2", Writer).share("lock", writers=["w1"]).system()
    with pytest.raises(ModelError, match="does not declare"):
        Model({}).add("w1", Writer).system()


def test_a_second_link_between_the_same_pair_is_a_model_error_not_shadowed() -> None:
    model = Model(MESSAGES).add("sender", Sender).add("receiver", Picky)
    model.link("sender", "receiver").link("sender", "receiver", capacity=2)
    with pytest.raises(ModelError, match=r"two links from the same sender to the same receiver \[\(.sender"):
        model.system()


def test_shared_variable_initial_values_and_system_slots() -> None:
    system = System([], [], [], 1, {}, shared=(Shared("x", 2),))
    assert system.initial() == (2,) and system.slot("shared.x") == 0


def test_an_assertion_at_a_state_is_checked_where_the_instance_is_in_it() -> None:
    model = Model({}).add("w1", Writer).add("w2", Writer).share("lock", writers=["w1", "w2"])
    result = check(model, {"locked_after": assertion("w1", "b", W("shared.lock") == 1),
                           "never_b": assertion("w2", "b", False)})
    assert result["locked_after"].verdict == HOLDS
    assert result["never_b"].verdict == VIOLATED and len(result["never_b"].trace) == 1


class Dispatcher(ElementRules, StateMachine):
    """Hands ``jobs`` jobs to the workers round robin: the destination is computed from ``next``."""

    busy = State("Dispatching", initial=True)
    dispatch = busy.to(busy, cond="more", on="send_job")
    done = busy.to(busy, on="count_done")
    LOCAL_EVENTS = frozenset({"dispatch"})
    REST_STATES = frozenset({"busy"})
    VARIABLES = (Var("next", 0, range=(0, 2)), Var("sent", 0, range=(0, 4)), Var("finished", 0, range=(0, 4)))
    GUARDS = {"more": V("sent") < 4}
    EFFECTS = {
        "send_job": Effect(assign={"next": If(V("next") == 2, 0, V("next") + 1), "sent": V("sent") + 1},
                           send=[Send(To("worker", V("next")), "job", {"n": V("sent")})]),
        "count_done": Effect(assign={"finished": V("finished") + 1}),
    }


class Worker(ElementRules, StateMachine):
    idle = State("Idle", initial=True)
    job = idle.to(idle, on="work")
    REST_STATES = frozenset({"idle"})
    VARIABLES = (Var("last", 0),)
    EFFECTS = {"work": Effect(assign={"last": M("n") + 1}, send=[Send(REPLY, "done")])}


def _farm() -> Model:
    model = Model({"job": ("n",), "done": ()}).add("boss", Dispatcher)
    for k in range(3):
        model.add(f"worker{k}", Worker).link("boss", f"worker{k}").link(f"worker{k}", "boss")
    return model


def test_a_destination_computed_from_a_variable_selects_one_of_an_array_of_links() -> None:
    result = check(_farm(), {"worker1_gets_only_job_1": Or(W("worker1.last") == 0, W("worker1.last") == 2)},
                   {"fourth_job_to_worker0": W("worker0.last") == 4})
    assert result["worker1_gets_only_job_1"].verdict == HOLDS
    assert result["fourth_job_to_worker0"].verdict == HOLDS  # job 3 (n=3) went back to worker0
    assert result["deadlock_free"].verdict == HOLDS
    actions = [step.action for step in result["fourth_job_to_worker0"].trace]
    assert sum("send_job" in a for a in actions) == 4


@pytest.mark.skipif(not available(), reason="spin and gcc not installed")
def test_spin_counts_computed_destinations_and_shared_variables_like_prosecheck() -> None:
    for model in (_farm(), Model({}).add("w1", Writer).add("w2", Writer).share("lock", writers=["w1", "w2"])):
        system = model.system()
        ours = explore(system)
        spin = run_spin(to_promela(system), optimize=False)
        assert (spin.states, spin.edges) == (ours.states, ours.transitions)


# -- links with several senders, conditional sends (issue 20) ---------------------------------------------------


class Caller(ElementRules, StateMachine):
    """Sends ``go(me)`` once to the collector, then waits for an answer if the collector gives one."""

    idle = State("Idle", initial=True)
    sent = State("Sent")
    answered = State("Answered", final=True)
    call = idle.to(sent, on="send_go")
    back = sent.to(answered, on="take_answer")
    LOCAL_EVENTS = frozenset({"call"})
    REST_STATES = frozenset({"sent", "answered"})
    EFFECTS = {"send_go": Effect(send=[Send("collector", "go", {"n": O("me")})]), "take_answer": Effect()}


def _collector(answer: Send) -> type:
    class Collector(ElementRules, StateMachine):
        """Records the order of the ``go`` messages it takes from the shared link; answers with ``answer``."""

        open = State("Open", initial=True)
        go = open.to(open, on="record")
        REST_STATES = frozenset({"open"})
        VARIABLES = (Var("first", 0), Var("second", 0), Var("count", 0, range=(0, 2)))
        EFFECTS = {"record": Effect(assign={"first": If(V("count") == 0, M("n"), V("first")),
                                            "second": If(V("count") == 1, M("n"), V("second")),
                                            "count": V("count") + 1}, send=[answer])}

    return Collector


def _callers(answer: Send, capacity: int = 2, separate: bool = False, lossy: bool = False) -> Model:
    model = Model({"go": ("n",), "back": ()}, fault_budget=int(lossy))
    model.add("c1", Caller, {"me": 1}).add("c2", Caller, {"me": 2}).add("collector", _collector(answer))
    if separate:
        model.link("c1", "collector", capacity).link("c2", "collector", capacity)
    else:
        model.link(["c1", "c2"], "collector", capacity, lossy=lossy)
    return model.link("collector", "c1").link("collector", "c2")


BACK = Send(To("c", M("n")), "back")


def test_a_link_with_several_senders_is_one_fifo_in_sending_order() -> None:
    """The collector takes the messages of the shared link in the order they were sent (with two links it
    may take either first); both orders of sending exist, so both callers can be first."""
    props = {"c1_first": W("collector.first") == 1, "c2_first": W("collector.first") == 2}
    shared = check(_callers(BACK), {"distinct": Implies(W("collector.count") == 2,
                                                        W("collector.first") != W("collector.second"))}, props)
    assert all(v.verdict == HOLDS for v in shared.verdicts.values())
    system = shared.system
    assert system.links[0].sources == (0, 1) and system.sender_names(0) == "c1|c2"
    assert system.links[0].kind == "c1|c2->collector"
    for separate, takes in ((False, [("go", (1,))]), (True, [("go", (1,)), ("go", (2,))])):
        system = _callers(BACK, separate=separate).system()
        (_, world), = system.successors(system.initial(), [0])[0]
        (_, world), = system.successors(world, [1])[0]
        assert [label.message for label, _ in system.successors(world, [2])[0]] == takes
    # the shared FIFO remembers the order of sending, two links do not: one world more
    assert shared.states == check(_callers(BACK, separate=True)).states + 1


def test_sends_from_every_sender_append_to_the_shared_fifo_and_a_full_one_blocks_them() -> None:
    system = _callers(BACK, capacity=1).system()
    world = system.initial()
    ((_, after_c1),), _ = system.successors(world, [0])
    assert system.link(after_c1, 0) == (("go", (1,)),)
    steps, _ = system.successors(after_c1, [1])
    assert steps == []  # c2's send waits: the one place is taken by c1's message


def test_reply_from_a_link_with_several_senders_is_a_model_error() -> None:
    with pytest.raises(ModelError, match=r"cannot reply to a message from link c1\|c2->collector, which has several"):
        check(_callers(Send(REPLY, "back")))


def test_a_sender_may_not_have_a_second_link_to_the_same_receiver() -> None:
    model = _callers(BACK).link("c1", "collector")
    with pytest.raises(ModelError, match=r"two links from the same sender to the same receiver \[\('c1', 'collector'\)\]"):
        model.system()
    with pytest.raises(ValueError, match="distinct"):
        Model({}).link(["a", "a"], "b")


class Gate(ElementRules, StateMachine):
    """One local step that sends ``go`` to the receiver only when ``V("on")`` is set."""

    idle = State("Idle", initial=True)
    done = State("Done", final=True)
    fire = idle.to(done, on="maybe_send")
    LOCAL_EVENTS = frozenset({"fire"})
    REST_STATES = frozenset({"done"})
    VARIABLES = (Var("on", 0),)
    EFFECTS = {"maybe_send": Effect(send=[Send("receiver", "go", {"n": 1}, when=V("on") == 1)])}


def _gate(on: int) -> tuple[System, World]:
    gate = compile_element(Gate, {}, MESSAGES)
    table = compile_element(Picky, {}, MESSAGES)
    instances = [Instance("gate", "gate", 0, gate), Instance("receiver", "receiver", 0, table)]
    system = System(instances, [Link(0, 0, 1, "wire", 1)], [], 1, MESSAGES, block_on_guards=True)
    world = list(system.initial())
    world[system.slot("gate.on")] = on
    world[system.link_base] = (("go", (9,)),)  # the link is already full
    return system, tuple(world)


def test_a_conditional_send_that_is_false_is_skipped_and_does_not_block_on_a_full_link() -> None:
    system, full = _gate(0)
    steps, _ = system.successors(full, [0])
    assert len(steps) == 1 and steps[0][0].sends == ()
    system, full = _gate(1)
    assert system.successors(full, [0])[0] == []  # true: the send needs room, as an unconditional one


def test_the_live_machine_replays_a_conditional_send_like_the_table() -> None:
    """live.py evaluates Send.when from the raw rules: the compiled step and the live one agree."""
    for on in (0, 1):
        system, world = _gate(on)
        world = world[:system.link_base] + ((),)  # room on the link, so that both cases fire
        ((label, child),), _ = system.successors(world, [0])
        live = LiveElement(Gate, {}, MESSAGES)
        assert check_step(system, live, world, label, child) == []
        live.restore("idle", [on])
        assert len(live.step("fire").sends) == on


def test_a_send_condition_the_options_decide_is_folded_away() -> None:
    for value, sends in ((1, 1), (0, 0)):
        rules = Effect(send=[Send("receiver", "go", when=O("loud") == 1)])

        class Loud(Gate):
            EFFECTS = {"maybe_send": rules}

        table = compile_element(Loud, {"loud": value}, MESSAGES)
        assert len(table.transitions[0].sends) == sends and table.transitions[0].send_when == []


def test_the_symbolic_step_is_the_explicit_step_with_shared_links_and_conditional_sends() -> None:
    """Z3's successors of every reachable world are System.successors' (tests/test_prove.py's check)."""
    from tests.test_prove import _successor_sets_agree

    answers = (Send("c2", "back"), Send("c1", "back", when=V("count") == 0), Send("c2", "back", when=M("n") == 2))
    for answer in answers:
        for capacity in (1, 2):
            system = _callers(answer, capacity).system()
            assert _successor_sets_agree(system) == explore(system).states
    for seed in range(16):  # the random library toys small enough to enumerate
        system = random_system(seed, library=True)
        if explore(system).states > 200:
            continue
        assert _successor_sets_agree(system) == explore(system).states
    for on in (0, 1):
        system, _ = _gate(on)
        assert _successor_sets_agree(system) == explore(system).states


def test_the_symbolic_engine_refuses_a_reply_from_a_shared_link_computed_destinations_and_shared_writes() -> None:
    from prosecheck.checker.symbolic.encode import Encoding

    with pytest.raises(ModelError, match=r"cannot reply to a message from link c1\|c2->collector"):
        Encoding(_callers(Send(REPLY, "back")).system())
    with pytest.raises(ModelError, match=r"computed destination \(To\) is not encoded symbolically"):
        Encoding(_callers(BACK).system())
    shared = Model({}).add("w1", Writer).add("w2", Writer).share("lock", writers=["w1", "w2"])
    with pytest.raises(ModelError, match="writes a shared variable, which is not encoded symbolically"):
        Encoding(shared.system())


@pytest.mark.skipif(not available(), reason="spin and gcc not installed")
def test_spin_counts_shared_links_and_conditional_sends_like_prosecheck() -> None:
    """A role destination (``if :: c -> ch!m :: else -> skip fi``, room only when c) and a computed one;
    the shared link lossy or not."""
    for answer in (BACK, Send(To("c", M("n")), "back", when=M("n") == 2), Send("c1", "back", when=V("count") == 0)):
        for capacity, lossy in ((1, False), (2, False), (2, True)):
            system = _callers(answer, capacity, lossy=lossy).system()
            ours = explore(system)
            spin = run_spin(to_promela(system), optimize=False)
            assert (spin.states, spin.edges) == (ours.states, ours.transitions), (answer, capacity, lossy)
