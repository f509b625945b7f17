"""The alternating bit protocol over lossy links: the sender sends values ``0..VALUES-1`` in order.

Each data message carries the sender's bit; the receiver delivers a message whose bit is the one it
expects, flips its expectation, and acknowledges every message with the message's bit. The sender
moves to the next value on an acknowledgement of its own bit; when the network is quiet (a message
or acknowledgement was lost) its timer retransmits. Both links may lose messages, ``budget`` times
in all. Without the bit (the broken variant: the receiver takes every message as new), a lost
acknowledgement makes the receiver deliver a retransmitted value twice.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.api import Model
from prosecheck.checker.expr import M, O, V, W
from prosecheck.checker.machine import REPLY, Effect, ElementRules, Rewrite, Send, Var

VALUES = 2
MESSAGES = {"data": ("bit", "value"), "ack": ("bit",)}


class Sender(ElementRules, StateMachine):
    ready = State("Ready", initial=True)
    waiting = State("Waiting for the acknowledgement")
    send = ready.to(waiting, cond="more", on="send_data")
    ack = waiting.to(ready, cond="mine", on="acknowledged") | waiting.to(waiting, cond="!mine", on="stale_ack")
    timeout = waiting.to(waiting, on="retransmit")
    LOCAL_EVENTS = frozenset({"send", "timeout"})
    REST_STATES = frozenset({"ready"})
    VARIABLES = (Var("bit", 0, range=(0, 1)), Var("next", 0, range=(0, VALUES)))
    GUARDS = {"more": V("next") < O("values"), "mine": M("bit") == V("bit")}
    data = Send("receiver", "data", {"bit": V("bit"), "value": V("next")})
    EFFECTS = {
        "send_data": Effect("send the next value", send=[data]),
        "acknowledged": Effect("next value, flip the bit", assign={"bit": V("bit") ^ 1, "next": V("next") + 1}),
        "stale_ack": Effect("ignore an acknowledgement of the other bit", ignore=True),
        "retransmit": Effect("timer: send the value again", send=[data]),
    }


class Receiver(ElementRules, StateMachine):
    listening = State("Listening", initial=True)
    data = listening.to(listening, cond="expected", on="deliver") | listening.to(listening, cond="!expected",
                                                                                  on="acknowledge_again")
    REST_STATES = frozenset({"listening"})
    VARIABLES = (Var("expect", 0, range=(0, 1)), Var("delivered", 0), Var("next_value", 0))
    GUARDS = {"expected": M("bit") == V("expect")}
    EFFECTS = {
        "deliver": Effect("deliver, flip the expected bit, acknowledge",
                          assign={"expect": V("expect") ^ 1, "delivered": V("delivered") + 1,
                                  "next_value": M("value") + 1},
                          send=[Send(REPLY, "ack", {"bit": M("bit")})]),
        "acknowledge_again": Effect("a duplicate: acknowledge it again", send=[Send(REPLY, "ack", {"bit": M("bit")})]),
    }


NO_BIT = Rewrite(guards={"expected": True})
"""The broken receiver: every data message is taken as a new one."""


def model(budget: int = 2, broken: bool = False) -> Model:
    """Sender and receiver over two lossy links of one message each, ``budget`` losses in all."""
    m = Model(MESSAGES, options={"values": VALUES}, fault_budget=budget)
    m.add("sender", Sender).add("receiver", Receiver, rewrite=NO_BIT if broken else None)
    m.link("sender", "receiver", lossy=True).link("receiver", "sender", lossy=True)
    return m


INVARIANTS = {
    # every delivery delivers the next value: a duplicate makes delivered run ahead of next_value
    "delivered_in_order": W("receiver.delivered") == W("receiver.next_value"),
}
REACHABLE = {"all_delivered": W("receiver.delivered") == VALUES}
