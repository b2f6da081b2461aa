"""Delay pipelines: ring buffers indexed by arrival day, vectorised over paths."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hashshock.engine import kernels

IntArray = NDArray[np.int64]


class Pipeline:
    """Quantities in transit, by arrival day, for ``paths`` × ``width`` slots.

    ``length`` must exceed the longest delay that can land within the horizon;
    arrivals on or after ``horizon`` are counted as in transit forever and never
    delivered (they are outside the run). The ring and the in-transit totals are
    plain arrays, so compiled kernels can update them directly.
    """

    def __init__(self, length: int, paths: int, width: int, horizon: int) -> None:
        # int32 halves the memory of the largest arrays at scale (counts stay far below 2**31).
        # Path-major [P, L, W]: a path's ring is one block, which stays in cache while
        # the path runs through a span of days (day-major, every day's slot was a miss).
        length = max(1, int(length))
        self._hold(
            np.zeros((paths, length, width), np.int32), np.zeros((paths, width), np.int64), horizon
        )

    @classmethod
    def over(cls, ring: NDArray[np.int32], in_transit: IntArray, horizon: int) -> Pipeline:
        """An empty pipeline on memory the caller gives: ``ring`` [P, L, W] and
        ``in_transit`` [P, W], both zero."""
        if ring.shape[0] != in_transit.shape[0] or ring.shape[2] != in_transit.shape[1]:
            raise ValueError("pipeline: ring [P, L, W] and in_transit [P, W] disagree")
        pipeline = cls.__new__(cls)
        pipeline._hold(ring, in_transit, horizon)
        return pipeline

    def _hold(self, ring: NDArray[np.int32], in_transit: IntArray, horizon: int) -> None:
        self.ring = ring
        self.in_transit = in_transit
        self.length = int(ring.shape[1])
        self.horizon = int(horizon)

    def add(self, today: int, delay: int | IntArray, quantity: IntArray) -> None:
        """Add ``quantity`` [P, W] arriving after ``delay`` days (a scalar or [P, W])."""
        if np.ndim(delay) == 0:
            delay = np.full(quantity.shape, int(delay), np.int64)
        delay = np.ascontiguousarray(np.broadcast_to(delay, quantity.shape), dtype=np.int64)
        kernels.add_lots(
            self.ring, self.in_transit, today, self.horizon,
            np.ascontiguousarray(quantity, dtype=np.int64), delay,
        )  # fmt: skip

    def pop_into(self, today: int, target: IntArray) -> None:
        """Add what arrives ``today`` to ``target`` [P, W] and take it out of the ring."""
        kernels.pop_into(self.ring, self.in_transit, today, target)

    def pop(self, today: int) -> IntArray:
        """Remove and return what arrives ``today`` [P, W]."""
        arrived = np.zeros(self.in_transit.shape, np.int64)
        self.pop_into(today, arrived)
        return arrived
