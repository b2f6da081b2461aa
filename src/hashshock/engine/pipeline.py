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
        self.length = max(1, int(length))
        self.horizon = int(horizon)
        # int32 halves the memory of the largest arrays at scale (counts stay far below 2**31).
        # Path-major [P, L, W]: a path's ring is one block, which stays in cache while
        # the path runs through a span of days (day-major, every day's slot was a miss).
        self.ring = np.zeros((paths, self.length, width), dtype=np.int32)
        self.in_transit = np.zeros((paths, width), dtype=np.int64)

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
