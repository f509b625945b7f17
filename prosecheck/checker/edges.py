"""The explored state graph as compact arrays, recorded by the search as it expands each world.

Liveness, livelocks and ``possibly`` properties need every edge of the reachable graph. The
breadth-first search meets each edge exactly once (when it expands the edge's source), so it
records them there, in compressed sparse row form: ``start[w]`` is where world ``w``'s edges
begin in ``target`` (the successor's index) and ``label`` (the step's label id), in the order
the search generated them. Expanding worlds in index order makes the rows sorted by source for
free. 4 bytes per world and 8 per transition; no Python object per edge, and never a second
successor computation.
"""

from __future__ import annotations

from array import array

import numpy as np
from scipy.sparse import csr_array


class Edges:
    """Edges by source world, in the search's order (CSR: ``start``, ``target``, ``label``)."""

    def __init__(self) -> None:
        self.start = array("I", [0])  # start[w] .. start[w + 1]: world w's edges (w < expanded)
        self.target = array("I")
        self.label = array("I")

    @property
    def expanded(self) -> int:
        """Worlds whose edges are all recorded (0 .. expanded - 1)."""
        return len(self.start) - 1

    def close(self, world: int) -> None:
        """World ``world``'s edges are all appended (the search calls this once per expanded world)."""
        self.start.append(len(self.target))

    def truncate(self, expanded: int, stored: int) -> None:
        """Keep the edges of the first ``expanded`` worlds (an interrupted search drops the world it
        was expanding); every kept edge must lead to one of the ``stored`` worlds."""
        del self.start[expanded + 1:]
        end = self.start[-1]
        del self.target[end:], self.label[end:]
        if end and max(self.target) >= stored:
            raise AssertionError("an edge leads to a world that is not stored")

    def successors(self, world: int) -> tuple[array[int], array[int]]:
        """World ``world``'s successor indices and label ids, in the search's order."""
        a, b = self.start[world], self.start[world + 1]
        return self.target[a:b], self.label[a:b]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, target, label) as NumPy views (no copy)."""
        return (np.frombuffer(self.start, dtype=np.uint32), np.frombuffer(self.target, dtype=np.uint32),
                np.frombuffer(self.label, dtype=np.uint32))

    def matrix(self, worlds: int) -> csr_array:
        """The graph as a sparse ``worlds x worlds`` matrix (rows in the search's edge order, duplicates
        kept), for :mod:`scipy.sparse.csgraph`; worlds never expanded have no row entries."""
        start, target, _ = self.arrays()
        indptr = np.full(worlds + 1, len(target), dtype=np.int64)
        indptr[: len(start)] = start
        return csr_array((np.ones(len(target), dtype=np.int8), target.astype(np.int32), indptr),
                         shape=(worlds, worlds))

    def bytes(self) -> int:
        return sum(a.buffer_info()[1] * a.itemsize for a in (self.start, self.target, self.label))


__all__ = ["Edges"]
