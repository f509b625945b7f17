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
from typing import Any

import numpy as np

from prosecheck.checker.store import Encoder
from prosecheck.checker.system import System, World


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
    """Projections of one exploration's stored worlds; see the module docstring.

    ``worlds``: the stored worlds, by index; ``keys``: their keys in ``encoder``'s component tables
    (None: no component tables, project the decoded worlds)."""

    def __init__(self, system: System, worlds: Sequence[World], encoder: Encoder | None, keys: Sequence[int] | None,
                 hint: Iterable[int] = ()) -> None:
        self.system, self.worlds, self.encoder = system, worlds, encoder
        self.count = len(worlds)
        self.hint = sorted(set(hint))
        self._keys: Any = None  # the world keys, read a chunk at a time (None: no component tables)
        if encoder is not None and keys is not None and len(keys) == self.count:
            self._keys = keys
            self._where = {p: (c, j) for c, ps in enumerate(encoder.positions) for j, p in enumerate(ps)}
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

    def project(self, slots: Sequence[int], per_world: bool = True) -> Projection:
        """The projection of every stored world onto ``slots`` (in that order). Without ``per_world``
        only the distinct valuations and their first worlds are computed (``codes`` is empty), a
        chunk of worlds at a time: memory bounded by the chunk, not by the number of worlds."""
        slots = tuple(slots)
        if not slots:
            codes, combos, first = _distinct_rows([], self.count)
            return Projection(slots, codes, list(combos), first)
        if self._keys is None:
            return self._from_worlds(slots)
        parts: dict[int, list[int]] = {}
        for s in slots:
            c, _ = self._where[s]
            parts.setdefault(c, []).append(s)
        locals_ = [(c, own, *self._component(c, tuple(own))) for c, own in sorted(parts.items())]
        found = None if per_world else _first_rows([(c, codes) for c, _, codes, _ in locals_], self._ids, self.count,
                                                   getattr(self.encoder, "first_codes", None))
        if found is None:
            columns = [codes[self._ids(c, 0, self.count)] for c, _, codes, _ in locals_]
            world_codes, combos, first = _distinct_rows(columns, self.count)
            del columns
        else:
            world_codes, (combos, first) = np.zeros(0, dtype=np.int32), found
        place = {s: n for n, s in enumerate(slots)}
        values_out = []
        for combo in combos:
            row: list[Any] = [None] * len(slots)
            for (_, own, _, values), k in zip(locals_, combo):
                for s, v in zip(own, values[k]):
                    row[place[s]] = v
            values_out.append(tuple(row))
        return Projection(slots, world_codes, values_out, first)

    def marks(self, slots: Sequence[int], predicate: Callable[[dict[int, Any]], bool]) -> np.ndarray:
        """Per stored world, whether ``predicate`` (given one valuation of ``slots`` as slot -> value)
        holds: the predicate runs once per distinct valuation, and the worlds are read a chunk at a
        time (one byte per world is all that is kept)."""
        slots = tuple(slots)
        if self._keys is None or not slots:
            return self.project(slots).holds(predicate)
        parts: dict[int, list[int]] = {}
        for s in slots:
            parts.setdefault(self._where[s][0], []).append(s)
        locals_ = [(c, own, *self._component(c, tuple(own))) for c, own in sorted(parts.items())]
        coded = [(c, codes) for c, _, codes, _ in locals_]
        sizes = [int(codes.max()) + 1 if len(codes) else 1 for _, codes in coded]
        if float(np.prod([float(size) for size in sizes])) > 2 * self.count + 4096:
            return self.project(slots).holds(predicate)

        def combined(start: int, stop: int) -> np.ndarray:
            return self._combined(coded, sizes, start, stop)

        chunks = [(start, min(start + _CHUNK, self.count)) for start in range(0, self.count, _CHUNK)]
        present = np.zeros(int(np.prod(sizes)), dtype=bool)
        for start, stop in chunks:
            present[combined(start, stop)] = True
        truth = np.zeros(len(present), dtype=bool)
        for code in np.flatnonzero(present):  # the predicate, once per valuation some world shows
            valuation: dict[int, Any] = {}
            for (_, own, _, values), k in zip(locals_, _digits(int(code), sizes)):
                valuation.update(zip(own, values[k]))
            truth[code] = bool(predicate(valuation))
        out = np.zeros(self.count, dtype=bool)
        for start, stop in chunks:
            out[start:stop] = truth[combined(start, stop)]
        return out

    def _combined(self, coded: list[tuple[int, np.ndarray]], sizes: list[int], start: int, stop: int) -> np.ndarray:
        """The code of the worlds ``start`` .. ``stop - 1``: their parts' codes as the digits of one number
        (the encoder's own compiled pass, :mod:`prosecheck.checker.native`, when it has one)."""
        compiled = getattr(self.encoder, "world_codes", None)
        if compiled is not None:
            return compiled(coded, _strides(sizes), start, stop)  # type: ignore[no-any-return]
        code = np.zeros(stop - start, dtype=np.int64)
        for (c, codes), size in zip(coded, sizes):
            code = code * size + codes[self._ids(c, start, stop)]
        return code

    def _ids(self, c: int, start: int, stop: int) -> np.ndarray:
        """Component ``c``'s block id of the worlds ``start`` .. ``stop - 1``, from their keys."""
        encoder = self.encoder
        native = getattr(encoder, "component_ids", None)  # the compiled search's chunks (checker.native)
        if native is not None:
            return native(c, start, stop)  # type: ignore[no-any-return]
        return _component_ids(self._keys, start, stop, encoder.shifts[c], encoder.mask,  # type: ignore[union-attr]
                              encoder.components == 1)  # type: ignore[union-attr]

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
                self._local[key] = _codes(self.encoder.blocks[c],  # type: ignore[union-attr]
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
                block_codes, values = _codes(self.encoder.blocks[c],  # type: ignore[union-attr]
                                             [self._where[s][1] for s in slots])
                if all(s in self.system.slot_sorts for s in slots):  # integer slots, not links
                    found = (slots, block_codes, np.array(values, dtype=np.int64).reshape(len(values), len(slots)))
            self._unions[c] = found
        return self._unions[c]

    def _from_worlds(self, slots: tuple[int, ...]) -> Projection:
        """No component tables: one pass over the decoded worlds for every slot asked for so far."""
        wanted = sorted(set(slots) | set(self.hint))
        if self._pass is None or not set(wanted) <= set(self._pass[0]):
            self.hint = wanted
            codes, values = _codes(self.worlds, wanted)
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
    codes = np.fromiter((seen.setdefault(v, len(seen)) for v in map(get, blocks)), dtype=np.int32, count=len(blocks))
    return codes, list(seen)


def _component_ids(keys: Any, start: int, stop: int, shift: int, mask: int, whole: bool) -> np.ndarray:
    """One component's block ids of some stored worlds, from their keys (int32: a block id is below
    its component's number of blocks, far below 2^31)."""
    if isinstance(keys, array) and keys.typecode == "Q":
        flat = np.frombuffer(keys, dtype=np.uint64)[start:stop] if stop > start else np.zeros(0, dtype=np.uint64)
        if whole:
            return flat.astype(np.int32)
        return ((flat >> np.uint64(shift)) & np.uint64(mask)).astype(np.int32)
    return np.fromiter(((keys[i] >> shift) & mask for i in range(start, stop)), dtype=np.int32, count=stop - start)


_CHUNK = 1 << 18  # worlds per chunk when only the first world of each valuation is wanted


def _first_rows(parts: list[tuple[int, np.ndarray]], ids: Callable[[int, int, int], np.ndarray], count: int,
                compiled: Callable[[list[tuple[int, np.ndarray]], list[int], np.ndarray], None] | None = None
                ) -> tuple[list[tuple[int, ...]], np.ndarray] | None:
    """The distinct combinations of the parts' codes over the stored worlds, in order of first
    appearance, and the first world of each, a chunk of worlds at a time through a dense table of
    first worlds (``compiled``: the encoder fills that table in one pass of its own); None when the
    combinations are too many for a dense table."""
    sizes = [int(codes.max()) + 1 if len(codes) else 1 for _, codes in parts]
    space = float(np.prod([float(size) for size in sizes]))
    if space > 2 * count + 4096 or space >= 2**31:
        return None
    firsts = np.full(int(space), count, dtype=np.int64)
    if compiled is not None:
        compiled(parts, _strides(sizes), firsts)
    else:
        for start in range(0, count, _CHUNK):
            stop = min(start + _CHUNK, count)
            combined = np.zeros(stop - start, dtype=np.int64)
            for (c, codes), size in zip(parts, sizes):
                combined = combined * size + codes[ids(c, start, stop)]
            np.minimum.at(firsts, combined, np.arange(start, stop, dtype=np.int64))
    uniq = np.flatnonzero(firsts < count)
    first = firsts[uniq]
    order = np.argsort(first, kind="stable")
    return [_digits(int(u), sizes) for u in uniq[order]], first[order]


def _strides(sizes: list[int]) -> list[int]:
    """The weight of each digit of a code whose digits range over ``sizes`` (the last digit weighs 1)."""
    return [int(np.prod(sizes[p + 1:])) for p in range(len(sizes))]


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
