"""The independent semantics written once (``prosecheck/replay/product.py``, issue 26): the compiled
tables and the live machines plugged into it make the same product (lossy links, duplication and
timers included), and neither independent checker imports the search."""

from __future__ import annotations

import random
from dataclasses import replace

from prosecheck.checker.live import LiveElement
from prosecheck.checker.machine import TIMEOUT
from prosecheck.model.build import element_tables, elements_of, options_of, rewrites_of
from prosecheck.model.messages import field_names
from prosecheck.replay.product import LiveSteps, Product, TableSteps, World
from prosecheck.scenarios.catalog import SCENARIOS, Scenario
from tests.test_layers import _imports

SEARCH = {"prosecheck.checker.system", "prosecheck.checker.search", "prosecheck.checker.judge",
          "prosecheck.checker.compact", "prosecheck.checker.parallel", "prosecheck.verify"}
INDEPENDENT = ("prosecheck.replay.product", "prosecheck.replay.world", "prosecheck.certificate.check",
               "prosecheck.certificate.confirm")


def _products(scenario: Scenario) -> tuple[Product, Product]:
    options = options_of(scenario)
    tables = Product(scenario, {role: TableSteps(t) for role, t in element_tables(scenario).items()})
    rewrites = rewrites_of(scenario.mutants, options)
    live = Product(scenario, {cls.ROLE: LiveSteps(LiveElement(cls, options, field_names(), rewrites.get(cls.ROLE)))
                              for cls in elements_of(scenario)}, options)
    return tables, live


def _sample(product: Product, walks: int, length: int) -> list[World]:
    """Worlds on seeded random walks from the initial world (they reach losses and timers)."""
    rng, seen = random.Random(26), {}
    for _ in range(walks):
        world = product.initial()
        for _ in range(length):
            seen.setdefault(world, None)
            succ, _ = product.successors(world)
            if not succ:
                break
            world = rng.choice(succ)
    return list(seen)


def test_tables_and_live_machines_make_the_same_product() -> None:
    base = SCENARIOS["m200@lossy_links_pc5"]
    scenario = replace(base, id=base.id + "_dup", threats=replace(base.threats, duplication=True))
    tables, live = _products(scenario)
    assert tables.names == live.names and tables.links == live.links and tables.initial() == live.initial()
    worlds = _sample(tables, walks=12, length=80)
    faults, timers = tables.at["ghost.link_faults"], 0
    for world in worlds:
        table_succ, table_lost = tables.successors(world)
        live_succ, live_lost = live.successors(world)
        assert sorted(map(repr, table_succ)) == sorted(map(repr, live_succ)) and table_lost == live_lost, world
        timers += any(tables.moves(world, i, TIMEOUT, None) and tables.timer_may_fire(world, i)
                      for i in range(len(tables.elements)))
    assert any(w[faults] for w in worlds) and timers, "the sample reaches no loss or no timer: it tests too little"


def test_the_independent_checkers_import_nothing_of_the_search() -> None:
    imports = _imports()
    assert {m: imports[m] & SEARCH for m in INDEPENDENT if imports[m] & SEARCH} == {}
