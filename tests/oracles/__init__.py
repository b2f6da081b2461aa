"""Independent numpy oracles for the compiled kernels' tests."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


class GroupedGreedy:
    """Allocate each group's capacity to its jobs in priority order.

    Jobs ``n`` belong to group ``group[n]`` and have priority ``priority[n]``
    (smaller first). For every path, job ``n`` gets
    ``min(demand[n], capacity[group[n]] − demand of higher-priority jobs in its group)``
    clipped at zero — the greedy fill, computed with one cumulative sum.

    >>> g = GroupedGreedy(group=np.array([0, 0, 1]), priority=np.array([1, 0, 0]))
    >>> g.allocate(np.array([[5, 5, 5]]), np.array([[7, 2]])).tolist()
    [[2, 5, 2]]
    """

    def __init__(self, group: IntArray, priority: IntArray) -> None:
        self.order = np.lexsort((np.arange(len(group)), priority, group))
        sorted_group = group[self.order]
        self.sorted_group = sorted_group
        is_start = np.ones(len(group), dtype=bool)
        is_start[1:] = sorted_group[1:] != sorted_group[:-1]
        starts = np.flatnonzero(is_start)
        # Index (into the sorted job axis) of the first job of each job's group.
        self.group_start = starts[np.cumsum(is_start) - 1] if len(group) else starts

    def allocate(self, demand: IntArray, capacity: IntArray) -> IntArray:
        """``demand`` [P, N], ``capacity`` [P, G] → allocation [P, N]."""
        if demand.shape[1] == 0:
            return demand.copy()
        d = demand[:, self.order]
        before = np.cumsum(d, axis=1) - d
        used_before = before - before[:, self.group_start]
        alloc_sorted = np.clip(capacity[:, self.sorted_group] - used_before, 0, d)
        alloc = np.empty_like(alloc_sorted)
        alloc[:, self.order] = alloc_sorted
        return alloc
