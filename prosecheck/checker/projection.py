"""Stored worlds projected onto a few slots, per component value, without decoding a world.

A property reads a handful of world slots. Judging it needs the distinct values those slots
take over the reachable worlds, each with the first (breadth-first) world that shows it, and
liveness needs, per world, whether a trigger or goal holds. Both come from a
:class:`Projection`: one small integer code per world (its valuation's index) and the table of
distinct valuations in order of first appearance.

Where the search stored worlds as keys of interned components (:mod:`prosecheck.checker.store`),
a slot lives in exactly one component, so the projection is computed once per distinct
component value (a few thousand, where the worlds are hundreds of thousands) and a world's code
is assembled from its component ids with NumPy, over the key array itself. Searches that keep
no component tables (hash compaction, hand-made explorations) fall back to one pass over the
decoded worlds, projecting every slot asked for at once.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from prosecheck.checker.search import Exploration


@dataclass(frozen=True)
class Projection:
    """The worlds' valuations of ``slots``: ``values[codes[w]]`` is world ``w``'s, ``first[k]`` the
    first world showing ``values[k]`` (valuations are numbered in order of first appearance)."""

    slots: tuple[int, ...]
    codes: np.ndarray  # int32, one per world
    values: list[tuple[Any, ...]]
    first: np.ndarray  # int64, one per distinct valuation, increasing

    def table(self) -> dict[tuple[Any, ...], int]:
        """Each distinct valuation mapped to the first world showing it."""
        return dict(zip(self.values, self.first.tolist()))

    def holds(self, predicate: Callable[[dict[int, Any]], bool]) -> np.ndarray:
        """Per world, whether ``predicate`` (given one valuation as slot -> value) is true: the
        predicate runs once per distinct valuation."""
        per_value = np.fromiter((bool(predicate(dict(zip(self.slots, v)))) for v in self.values),
                                dtype=bool, count=len(self.values))
        return per_value[self.codes] if len(self.codes) else np.zeros(0, dtype=bool)


class Projector:
    """Projections of one exploration's stored worlds; see the module docstring."""

    def __init__(self, exploration: Exploration, hint: Iterable[int] = ()) -> None:
        self.exploration = exploration
        self.count = len(exploration.worlds)
        self.hint = sorted(set(hint))
        encoder = exploration.encoder
        keys = None
        if encoder is not None and not exploration.probabilistic:
            keys = exploration.concrete if exploration.concrete is not None else \
                (exploration.store.keys if exploration.store is not None else None)
        self._ids: list[np.ndarray] | None = None
        if keys is not None and len(keys) == self.count:
            self._ids = _component_ids(keys, encoder.shifts, encoder.mask)  # type: ignore[union-attr]
            self._where = {p: (c, j) for c, ps in enumerate(encoder.positions)  # type: ignore[union-attr]
                           for j, p in enumerate(ps)}
        self._local: dict[tuple[int, tuple[int, ...]], tuple[np.ndarray, list[tuple[Any, ...]]]] = {}
        self._unions: dict[int, tuple[tuple[int, ...], np.ndarray, np.ndarray] | None] = {}
        self._columns: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        # the fallback's one pass over the decoded worlds: (slots, code per world, distinct values)
        self._pass: tuple[tuple[int, ...], np.ndarray, list[tuple[Any, ...]]] | None = None

    def widen(self, hint: Iterable[int]) -> None:
        """Also project onto ``hint`` in the one pass per component (slots judged later)."""
        wider = sorted(set(self.hint) | set(hint))
        if wider != self.hint:
            self.hint = wider
            self._unions.clear()
            self._columns.clear()

    def project(self, slots: Sequence[int]) -> Projection:
        """The projection of every stored world onto ``slots`` (in that order)."""
        slots = tuple(slots)
        if not slots:
            codes, combos, first = _distinct_rows([], self.count)
            return Projection(slots, codes, list(combos), first)
        if self._ids is None:
            return self._from_worlds(slots)
        parts: dict[int, list[int]] = {}
        for s in slots:
            c, _ = self._where[s]
            parts.setdefault(c, []).append(s)
        columns: list[np.ndarray] = []
        locals_: list[tuple[int, list[int], list[tuple[Any, ...]]]] = []
        for c, own in sorted(parts.items()):
            codes, values = self._component(c, tuple(own))
            columns.append(codes[self._ids[c]])
            locals_.append((c, own, values))
        world_codes, combos, first = _distinct_rows(columns, self.count)
        place = {s: n for n, s in enumerate(slots)}
        values_out = []
        for combo in combos:
            row: list[Any] = [None] * len(slots)
            for (_, own, values), k in zip(locals_, combo):
                for s, v in zip(own, values[k]):
                    row[place[s]] = v
            values_out.append(tuple(row))
        return Projection(slots, world_codes, values_out, first)

    def _component(self, c: int, own: tuple[int, ...]) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
        """Per block id of component ``c``: the code of its values at ``own``, and the distinct values."""
        key = (c, own)
        if key not in self._local:
            union = self._union(c)
            if union is not None and set(own) <= set(union[0]):
                slots, block_codes, rows = union
                columns = [self._column(c, rows, slots.index(s)) for s in own]
                per_row, combos, _ = _distinct_rows([codes for codes, _ in columns], len(rows))
                values = [tuple(int(column[1][k]) for column, k in zip(columns, combo)) for combo in combos]
                self._local[key] = (per_row[block_codes], values)
            else:
                self._local[key] = _codes(self.exploration.encoder.blocks[c],  # type: ignore[union-attr]
                                          [self._where[s][1] for s in own])
        return self._local[key]

    def _column(self, c: int, rows: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Column ``j`` of component ``c``'s union rows as small codes, and the value of each code."""
        key = (c, j)
        if key not in self._columns:
            values, codes = np.unique(rows[:, j], return_inverse=True)
            self._columns[key] = (codes.reshape(-1), values)
        return self._columns[key]

    def _union(self, c: int) -> tuple[tuple[int, ...], np.ndarray, np.ndarray] | None:
        """Component ``c``'s blocks projected once onto every hinted slot of it: (those slots, the
        code of each block, the distinct rows as an integer matrix); None when no slot is hinted
        there or a value is not an integer."""
        if c not in self._unions:
            slots = tuple(s for s in self.hint if self._where.get(s, (None,))[0] == c)
            found = None
            if slots:
                block_codes, values = _codes(self.exploration.encoder.blocks[c],  # type: ignore[union-attr]
                                             [self._where[s][1] for s in slots])
                if all(s in self.exploration.system.slot_sorts for s in slots):  # integer slots, not links
                    found = (slots, block_codes, np.array(values, dtype=np.int64).reshape(len(values), len(slots)))
            self._unions[c] = found
        return self._unions[c]

    def _from_worlds(self, slots: tuple[int, ...]) -> Projection:
        """No component tables: one pass over the decoded worlds for every slot asked for so far."""
        wanted = sorted(set(slots) | set(self.hint))
        if self._pass is None or not set(wanted) <= set(self._pass[0]):
            self.hint = wanted
            codes, values = _codes(self.exploration.worlds, wanted)
            self._pass = (tuple(wanted), codes, values)
        base_slots, base_codes, base_values = self._pass
        pick = [base_slots.index(s) for s in slots]
        local: dict[tuple[Any, ...], int] = {}
        sub = np.fromiter((local.setdefault(tuple(v[i] for i in pick), len(local)) for v in base_values),
                          dtype=np.int64, count=len(base_values))
        world_codes, combos, first = _distinct_rows([sub[base_codes]], self.count)
        values = list(local)
        return Projection(slots, world_codes, [values[k[0]] for k in combos], first)


def _codes(blocks: Sequence[tuple[Any, ...]], positions: list[int]) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """Each block's values at ``positions``, numbered in order of first appearance: (code per block,
    the distinct values)."""
    get = itemgetter(*positions) if len(positions) > 1 else (lambda b, j=positions[0]: (b[j],))
    seen: dict[tuple[Any, ...], int] = {}
    codes = np.fromiter((seen.setdefault(v, len(seen)) for v in map(get, blocks)), dtype=np.int64, count=len(blocks))
    return codes, list(seen)


def _component_ids(keys: Any, shifts: list[int], mask: int) -> list[np.ndarray]:
    """Each component's block id per stored world, from the world keys."""
    if isinstance(keys, array) and keys.typecode == "Q":
        flat = np.frombuffer(keys, dtype=np.uint64) if len(keys) else np.zeros(0, dtype=np.uint64)
        # a block id is below its component's number of blocks, far below 2^31
        if len(shifts) == 1:
            return [flat.astype(np.int32)]
        m = np.uint64(mask)
        return [((flat >> np.uint64(s)) & m).astype(np.int32) for s in shifts]
    return [np.fromiter(((k >> s) & mask for k in keys), dtype=np.int64, count=len(keys)) for s in shifts]


def _distinct_rows(columns: list[np.ndarray], count: int) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray]:
    """Number the distinct rows of ``columns`` (one code per column per world) in order of first
    appearance: (row code per world, the distinct rows, the first world of each)."""
    if not columns:
        return np.zeros(count, dtype=np.int32), ([()] if count else []), np.zeros(1 if count else 0, dtype=np.int64)
    sizes = [int(col.max()) + 1 if len(col) else 1 for col in columns]
    if float(np.prod([float(s) for s in sizes])) < 2.0**62:
        combined = np.zeros(count, dtype=np.int64)
        for col, size in zip(columns, sizes):
            combined = combined * size + col
        space = int(np.prod(sizes))
        if space <= 2 * count + 4096:  # a dense table of first worlds beats sorting or hashing
            uniq, first, inverse = _dense_unique(combined, space)
        else:
            uniq, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
        rows = [_digits(int(u), sizes) for u in uniq]
    else:
        stacked = np.stack(columns, axis=1)
        uniq_rows, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
        rows = [tuple(int(x) for x in r) for r in uniq_rows]
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return rank[inverse.reshape(-1)], [rows[i] for i in order], first[order].astype(np.int64)


def _dense_unique(codes: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(codes, return_index=True, return_inverse=True)`` for codes below ``space``, by
    tables of that size instead of a sort: the distinct codes, the first index of each, and each
    element's position among the distinct codes."""
    count = len(codes)
    firsts = np.full(space, count, dtype=np.int32)
    np.minimum.at(firsts, codes, np.arange(count, dtype=np.int32))
    uniq = np.flatnonzero(firsts < count)
    first = firsts[uniq]
    del firsts
    where = np.zeros(space, dtype=np.int32)
    where[uniq] = np.arange(len(uniq), dtype=np.int32)
    return uniq, first, where[codes]


def _digits(code: int, sizes: list[int]) -> tuple[int, ...]:
    out = []
    for size in reversed(sizes):
        code, d = divmod(code, size)
        out.append(d)
    return tuple(reversed(out))


__all__ = ["Projection", "Projector"]
