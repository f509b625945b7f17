"""The independent product a certificate is checked with: the model's rules, without the search.

The semantics of the product (world layout, FIFO links, blocking sends, observers and ghost facts,
lossy links and timers, reading properties) is :mod:`prosecheck.replay.product`, shared with
replay and independent of the search (no ``System``, no ``explore``, no judge). Here the element
rules plugged into it are the model's compiled element tables (``ElementTable.step``).
:mod:`.confirm` decides a certificate's claims with it."""

from __future__ import annotations

from prosecheck.model.build import element_tables
from prosecheck.replay.product import Product as SharedProduct
from prosecheck.replay.product import TableSteps, World
from prosecheck.scenarios.catalog import Scenario

__all__ = ["Product", "World"]


class Product(SharedProduct):
    """The scenario's product, built from the compiled tables only."""

    def __init__(self, scenario: Scenario) -> None:
        super().__init__(scenario, {role: TableSteps(table) for role, table in element_tables(scenario).items()})

