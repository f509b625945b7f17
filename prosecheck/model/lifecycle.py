"""The 5GPRUK life cycle as the properties see it: storing a generation, superseding the older
ones, and noticing a KNR_ProSe derived from a superseded generation.

"#1" is the key in use before an update and "#2" the new one ([0294]); a generation is
*superseded* once a newer one has been stored by the remote UE or the PAnF ("the remote UE
replaces the 5GPRUK #1 and the 5GPRUK ID #1 with the 5GPRUK #2 and the 5GPRUK ID #2", [0387];
"the PAnF (remote) replaces ...", [0393]). The ghost mask ``superseded`` has bit g set once
generation g is superseded; generations start at 1, so bit 0 is never set."""

from __future__ import annotations

from dataclasses import dataclass

from prosecheck.checker.expr import And, Expr, ExprLike, If, V, W, lift
from prosecheck.checker.machine import Effect
from prosecheck.model.spec import cite


def below(generation: ExprLike) -> Expr:
    """The mask of generations 1 .. generation-1 (all older than ``generation``)."""
    return If(lift(generation) > 1, (lift(1) << generation) - 2, 0)


def has_bit(mask: ExprLike, index: ExprLike) -> Expr:
    """Bit ``index`` of ``mask`` is set, as a boolean expression."""
    return ((lift(mask) >> index) & 1) != 0


@dataclass(frozen=True)
class Store:
    """The assignments and ghost updates of storing a 5GPRUK generation."""

    assign: dict[str, Expr]
    ghost: dict[str, Expr]


def store_generation(current: str, old: str, new: ExprLike, replace: ExprLike) -> Store:
    """Store generation ``new`` in variable ``current``; with ``replace`` false the generation it
    displaces is kept in ``old`` (two keys for one RSC), otherwise ``old`` is emptied."""
    displaced = If(And(V(current) != 0, V(current) != new), V(current), V(old))
    return Store(
        assign={current: lift(new), old: If(replace, 0, displaced)},
        ghost={"superseded": W("ghost.superseded") | below(new)},
    )


def knr_from_superseded(pruk_generation: ExprLike, attempt: ExprLike) -> Expr:
    """The ghost mask ``knr_from_superseded`` with the attempt's bit set when the KNR_ProSe being
    derived comes from a superseded generation."""
    mask = W("ghost.knr_from_superseded")
    return If(has_bit(W("ghost.superseded"), pruk_generation), mask.with_bit(attempt), mask)


def policy_fires(reason: int, label: str, *refs: str) -> Effect:
    """An element's update policy fires (an environment choice): an update is due for ``reason``
    from now on, and one firing of the scenario's ``policy_triggers`` is used up."""
    return Effect(label, cite(*refs), assign={"update_due": reason, "policy_left": V("policy_left") - 1},
                  choice=label)


__all__ = ["Store", "below", "has_bit", "knr_from_superseded", "policy_fires", "store_generation"]
