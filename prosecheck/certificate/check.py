"""The independent product a certificate is checked with: the model's rules, without the search.

It shares no code with the search (no ``System``, no ``explore``, no judge): it builds its own
product of the model's compiled element tables (``ElementTable.step``: the rules) with its own
FIFO links, blocking sends, message observers and ghost updates (evaluated by the raw
expression evaluator of :mod:`prosecheck.checker.live`). :mod:`.confirm` decides a certificate's
claims with it."""

from __future__ import annotations

from collections.abc import Callable

from prosecheck.checker.expr import Const, Expr, Value, W
from prosecheck.checker.live import evaluate_raw
from prosecheck.checker.machine import REPLY, ElementTable
from prosecheck.model.build import capacity_of, element_tables, elements_of, links_of, options_of
from prosecheck.model.ghosts import GHOSTS, OBSERVERS
from prosecheck.model.messages import field_kinds, field_names
from prosecheck.model.scenarios import Scenario
from prosecheck.properties.catalog import PROPERTIES

World = tuple  # (values..., link queues...) in the checker's own order


class Product:
    """The scenario's product, built here from the compiled tables only."""

    def __init__(self, scenario: Scenario) -> None:
        tables = element_tables(scenario)
        groups = scenario.bounds.remote_ues
        self.kinds = field_kinds(options_of(scenario))
        self.fields = field_names(options_of(scenario))
        prefix = [("" if groups == 1 else f"ue{g + 1}.") for g in range(groups)]
        self.elements: list[tuple[str, int, ElementTable]] = [
            (cls.ROLE if groups == 1 else f"{cls.ROLE}.{g + 1}", g, tables[cls.ROLE])
            for g in range(groups) for cls in elements_of(scenario)]
        self.names: list[str] = []
        for name, _, table in self.elements:
            self.names += [f"{name}.state", *(f"{name}.{v}" for v in table.var_names)]
        self.names += [f"{prefix[g]}ghost.{fact}" for g in range(groups) for fact in GHOSTS]
        self.at = {n: i for i, n in enumerate(self.names)}
        self.by_role = {(g, table.role): name for name, g, table in self.elements}
        self.links = [(self.by_role[(g, a)], self.by_role[(g, b)], kind) for g in range(groups)
                      for x, y, kind in links_of(scenario) for a, b in ((x, y), (y, x))]
        self.link_at = {(a, b): k for k, (a, b, _) in enumerate(self.links)}
        self.capacity = [capacity_of(scenario, a, b) for g in range(groups)
                         for x, y, _ in links_of(scenario) for a, b in ((x, y), (y, x))]
        self.prefix = prefix
        self._formulas: dict[str, Expr] = {}
        self._where: list[dict[str, int]] = [{} for _ in range(groups)]  # per remote UE: a name's position

    def initial(self) -> World:
        values: list[object] = []
        for _, _, table in self.elements:
            values += [table.initial_state, *table.initial_locals]
        return tuple(values + [0] * (len(self.names) - len(values)) + [()] * len(self.links))

    def reader(self, world: World, group: int) -> Callable[[str], Value]:
        where = self._where[group]

        def read(name: str) -> Value:
            at = where.get(name)
            if at is None:  # first asked: resolve the rules' name to the world's position, once per group
                full = f"{self.prefix[group]}{name}" if name.startswith("ghost.") else \
                    f"{self.by_role[(group, name.split('.')[0])]}.{name.split('.', 1)[1]}"
                at = where[name] = self.at[full]
            return world[at]

        return read

    def evaluate(self, expr: Expr, world: World, group: int, local: dict[str, Value], msg: dict[str, Value]) -> Value:
        world_read = self.reader(world, group)
        scopes = {"local": local, "msg": msg}
        return evaluate_raw(expr, lambda scope, name: world_read(name) if scope == "world" else scopes[scope][name])

    def successors(self, world: World) -> tuple[list[World], list[str], bool]:
        """Every successor; the unhandled messages; whether any step was enabled."""
        out: list[World] = []
        unhandled: list[str] = []
        for name, group, table in self.elements:
            state, local = world[self.at[f"{name}.state"]], world[self.at[f"{name}.state"] + 1:
                                                                   self.at[f"{name}.state"] + 1 + len(table.var_names)]
            for event in table.local_events:
                for outcome in table.step(state, local, event, None):
                    self._apply(world, name, group, table, None, None, outcome, out)
            for k, (src, dst, _) in enumerate(self.links):
                queue = world[len(self.names) + k]
                if dst != name or not queue:
                    continue
                outcomes = table.step(state, local, queue[0][0], queue[0][1])
                if not outcomes:
                    unhandled.append(f"{name} cannot handle {queue[0][0]} from {src}")
                for outcome in outcomes:
                    self._apply(world, name, group, table, src, queue[0], outcome, out)
        return out, unhandled, bool(out)

    def _apply(self, world: World, name: str, group: int, table: ElementTable, src: str | None,
               head: tuple | None, outcome: tuple, out: list[World]) -> None:
        tr, target, new_local, sends = outcome
        new = list(world)
        base = len(self.names)
        if src is not None:
            new[base + self.link_at[(src, name)]] = world[base + self.link_at[(src, name)]][1:]
        for to, message in sends:
            dst = src if to == REPLY else self.by_role[(group, to)]
            k = self.link_at[(name, dst or "")]
            if len(new[base + k]) >= self.capacity[k]:
                return  # a send to a full link blocks the step
            new[base + k] = new[base + k] + (message,)
            self._observe(new, name, dst or "", group, message)
        start = self.at[f"{name}.state"]
        local = dict(zip(table.var_names, world[start + 1: start + 1 + len(table.var_names)], strict=True))
        msg = {} if head is None else dict(zip(table.message_fields[head[0]], head[1], strict=True))
        for fact, expr in tr.ghost:
            new[self.at[f"{self.prefix[group]}ghost.{fact}"]] = int(self.evaluate(expr, world, group, local, msg))
        new[start] = target
        new[start + 1: start + 1 + len(new_local)] = new_local
        out.append(tuple(new))

    def _observe(self, new: list, src: str, dst: str, group: int, message: tuple) -> None:
        kind = self.links[self.link_at[(src, dst)]][2]
        role = next(t.role for n, _, t in self.elements if n == dst)
        for ob in OBSERVERS:
            if kind in ob.link_kinds and (not ob.to_roles or role in ob.to_roles) and any(
                    v and k in ob.field_kinds and (not ob.values or v in ob.values)
                    for k, v in zip(self.kinds[message[0]], message[1])):
                new[self.at[f"{self.prefix[group]}ghost.{ob.ghost}"]] = 1

    def formula(self, pid: str) -> Expr:
        """Invariant ``pid``'s formula over this product's state numbers, built once (asked of every world)."""
        if pid not in self._formulas:
            def state_is(role: str, state_id: str) -> Expr:
                table = next(t for _, _, t in self.elements if t.role == role)
                return W(f"{role}.state") == Const(table.state_ids.index(state_id))

            self._formulas[pid] = PROPERTIES[pid].formula(state_is)
        return self._formulas[pid]

    def holds(self, pid: str, world: World) -> bool:
        """An invariant on one world, for every remote UE."""
        formula = self.formula(pid)
        return all(bool(self.evaluate(formula, world, g, {}, {})) for g in range(len(self.prefix)))

    def is_final(self, world: World) -> bool:
        if any(world[len(self.names):]):
            return False
        return all(world[self.at[f"{n}.state"]] in t.rest_states for n, _, t in self.elements)
