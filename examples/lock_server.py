"""A lock server and two clients that share one request channel (a link with several senders).

Each client asks for the lock (``acquire``, carrying its number), waits for ``grant``, uses the
lock, and gives it back (``release``). Both clients write to the same FIFO towards the server, so
the server takes requests in the order they were sent, whoever sent them. A message from that
shared link does not say who sent it, so the server answers the client the message names
(``Send(To("client", M("client")), ...)``), as a Promela server answers the ``_pid`` a request
carries.

The server keeps the lock's owner and at most one waiting client (there are only two). Each of its
transitions sends or not depending on a condition (``Send(..., when=...)``): an ``acquire`` is
granted only when the lock is free (else the client waits), and a ``release`` hands the lock to
the waiting client, if any. The broken variant grants every ``acquire``: both clients may then
hold the lock.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.api import Model, at
from prosecheck.checker.expr import And, If, M, Not, O, V, W
from prosecheck.checker.machine import Effect, ElementRules, Rewrite, Send, To, Var

MESSAGES = {"acquire": ("client",), "release": ("client",), "grant": ()}


class Client(ElementRules, StateMachine):
    idle = State("Idle", initial=True)
    waiting = State("Waiting for the lock")
    holding = State("Holding the lock")
    ask = idle.to(waiting, on="request")
    grant = waiting.to(holding, on="enter")
    leave = holding.to(idle, on="give_back")
    LOCAL_EVENTS = frozenset({"ask", "leave"})
    REST_STATES = frozenset({"idle"})
    EFFECTS = {
        "request": Effect("ask for the lock", send=[Send("server", "acquire", {"client": O("id")})]),
        "enter": Effect("the lock is mine"),
        "give_back": Effect("give the lock back", send=[Send("server", "release", {"client": O("id")})]),
    }


FREE = V("owner") == 0


class Server(ElementRules, StateMachine):
    serving = State("Serving", initial=True)
    acquire = serving.to(serving, on="on_acquire")
    release = serving.to(serving, on="on_release")
    REST_STATES = frozenset({"serving"})
    VARIABLES = (Var("owner", 0, range=(0, 2), doc="the client holding the lock, 0: free"),
                 Var("waiting", 0, range=(0, 2), doc="the client waiting for it, 0: none"))
    EFFECTS = {
        "on_acquire": Effect(
            "grant a free lock, else remember the client",
            assign={"owner": If(FREE, M("client"), V("owner")), "waiting": If(FREE, V("waiting"), M("client"))},
            send=[Send(To("client", M("client")), "grant", when=FREE)]),
        "on_release": Effect(
            "hand the lock to the waiting client, if any",
            assign={"owner": V("waiting"), "waiting": 0},
            send=[Send(To("client", V("waiting")), "grant", when=V("waiting") != 0)]),
    }


GRANT_ALWAYS = Rewrite(effects={"on_acquire": Effect(
    "grant every request", assign={"owner": M("client")},
    send=[Send(To("client", M("client")), "grant")])})
"""The broken server: it does not look whether the lock is free."""


def model(broken: bool = False) -> Model:
    """Two clients writing to one request channel of two places; one grant channel to each client."""
    m = Model(MESSAGES)
    m.add("client1", Client, {"id": 1}).add("client2", Client, {"id": 2})
    m.add("server", Server, rewrite=GRANT_ALWAYS if broken else None)
    m.link(["client1", "client2"], "server", capacity=2)
    m.link("server", "client1").link("server", "client2")
    return m


INVARIANTS = {
    "mutual_exclusion": Not(And(at("client1", "holding"), at("client2", "holding"))),
}
REACHABLE = {
    "client1_holds": at("client1", "holding"),
    "client2_holds": at("client2", "holding"),
    "a_client_waits_for_the_other": W("server.waiting") != 0,
}
