"""Delay pipelines: ring buffers indexed by arrival day, vectorised over paths."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


class Pipeline:
    """Quantities in transit, by arrival day, for ``paths`` × ``width`` slots.

    ``length`` must exceed the longest delay that can land within the horizon;
    arrivals on or after ``horizon`` are counted as in transit forever and never
    delivered (they are outside the run).
    """

    def __init__(self, length: int, paths: int, width: int, horizon: int) -> None:
        self.length = max(1, int(length))
        self.horizon = int(horizon)
        # int32 halves the memory of the largest arrays at scale (counts stay far below 2**31).
        self.ring = np.zeros((self.length, paths, width), dtype=np.int32)
        self.in_transit = np.zeros((paths, width), dtype=np.int64)

    def add(self, today: int, delay: int | IntArray, quantity: IntArray) -> None:
        """Add ``quantity`` [P, W] arriving after ``delay`` days (scalar-like or [P, W])."""
        self.in_transit += quantity
        if np.ndim(delay) == 0:  # one delay for all: a single slot
            if today + int(delay) < self.horizon:
                self.ring[(today + int(delay)) % self.length] += quantity
            return
        delay = np.broadcast_to(np.asarray(delay, dtype=np.int64), quantity.shape)
        mask = (quantity > 0) & (today + delay < self.horizon)
        if not mask.any():
            return
        paths, cols = np.nonzero(mask)
        slots = (today + delay[paths, cols]) % self.length
        self._add_flat(slots, paths, cols, quantity[paths, cols])

    def add_items(self, today: int, paths: IntArray, cols: IntArray, delays: IntArray) -> None:
        """Add single items: one unit at each ``(paths[i], cols[i])`` after ``delays[i]`` days."""
        width = self.in_transit.shape[1]
        np.add.at(self.in_transit.reshape(-1), paths * width + cols, 1)
        keep = today + delays < self.horizon
        slots = (today + delays[keep]) % self.length
        self._add_flat(slots, paths[keep], cols[keep], np.ones(int(keep.sum()), np.int64))

    def _add_flat(self, slots: IntArray, paths: IntArray, cols: IntArray, qty: IntArray) -> None:
        _, n_paths, width = self.ring.shape
        flat = (slots * n_paths + paths) * width + cols
        np.add.at(self.ring.reshape(-1), flat, qty.astype(np.int32, copy=False))

    def pop(self, today: int) -> IntArray:
        """Remove and return what arrives ``today`` [P, W]."""
        slot = today % self.length
        arrived: IntArray = self.ring[slot].astype(np.int64)
        self.ring[slot] = 0
        self.in_transit -= arrived
        return arrived
