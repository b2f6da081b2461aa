"""Delay rings: what is in transit (repairs, spares ordered, swaps), by arrival day.

A :class:`~hashshock.engine.arrays.Ring` holds, per path, what arrives on each day
modulo its length, and the total in transit. The compiled kernels here add to a path's
ring and take today's arrivals off it; :class:`Pipeline` holds one ring for the
driver, with the few kernels over all paths its rare steps need.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.arrays import Lots, Ring
from hashshock.engine.jit import I32, I64, compiled
from hashshock.engine.kernel_random import DelayTables, stream, table_sample, uniform

IntArray = NDArray[np.int64]


@compiled(inline=True)
def arrival(day: int, delay: int) -> int:
    """Arrival day of something sent on ``day``: today's arrivals are already in, so at
    least tomorrow."""
    return day + max(delay, 1)


@compiled(inline=True)
def row(today: int, ahead: int, length: int) -> int:
    """Ring row of the day ``ahead`` days after the day whose row is ``today``:
    ``(day + ahead) % length`` without a division, for 0 ≤ ``ahead`` < ``length`` (what
    lands within the horizon always is: see :class:`Pipeline`)."""
    at = today + ahead
    return at - length if at >= length else at


@compiled(inline=True)
def pop(ring: Ring, day: int, p: int, target: I64) -> bool:
    """Move what arrives on ``day`` from path ``p``'s ring row onto ``target[p]``;
    returns whether anything arrived."""
    by_day, in_transit = ring.by_day, ring.in_transit
    slot = day % by_day.shape[1]
    any_arrived = 0
    for w in range(in_transit.shape[1]):
        arrived = by_day[p, slot, w]
        any_arrived |= arrived
        if arrived:
            by_day[p, slot, w] = 0
            in_transit[p, w] -= arrived
            target[p, w] += arrived
    return any_arrived != 0


@compiled(inline=True)
def add_lot(ring: Ring, day: int, horizon: int, p: int, w: int, q: int, delay: int) -> None:
    """Lot ``q`` of column ``w`` arrives after ``delay`` days (past the horizon: never)."""
    ring.in_transit[p, w] += q
    arrive = arrival(day, delay)
    if arrive < horizon:
        ring.by_day[p, arrive % ring.by_day.shape[1], w] += q


@compiled(inline=True)
def add_items(
    ring: Ring, day: int, horizon: int, key: np.uint64, p: int, w: int, q: int,
    base_delay: int, delays: DelayTables, per_part: I32, part: int, first_path: int,
) -> None:  # fmt: skip
    """Each of ``q`` units of column ``w`` (of part ``part``) arrives after ``base_delay``
    plus its own draw from ``delays`` row ``part`` (one uniform per unit, so any delay
    distribution is exact; from the stream of the run's path ``first_path + p``).
    ``per_part[p, day, part]`` counts the units."""
    by_day = ring.by_day
    ring.in_transit[p, w] += q
    per_part[p, day, part] += q
    n_values = delays.length[part]
    if n_values == 1:
        arrive = arrival(day, base_delay + delays.values[part, 0])
        if arrive < horizon:
            by_day[p, arrive % by_day.shape[1], w] += q
        return
    base = stream(key, p + first_path, w)  # only for the few cells that draw
    today = day % by_day.shape[1]
    for i in range(q):
        delay = table_sample(delays, part, uniform(base, i))
        arrive = arrival(day, base_delay + delay)
        if arrive < horizon:
            by_day[p, row(today, arrive - day, by_day.shape[1]), w] += 1


# --- kernels over all paths, for the driver's rare steps ---------------------------
# Serial on purpose: numba's parallel loops run on an OpenMP pool whose threads spin
# for milliseconds after each loop, taking a core from the engine's own threads as
# the next span starts (a 1,000-path run of the reference fleet: 25–31 ms with them,
# 23 ms without). The work here is a pass over [paths, width], small beside a span.


@compiled()
def pop_into(ring: Ring, day: int, target: I64) -> None:
    """Move what arrives on ``day`` from the ring onto ``target`` [P, W]."""
    for p in range(ring.in_transit.shape[0]):
        pop(ring, day, p, target)


@compiled()
def add_lots(ring: Ring, day: int, horizon: int, lots: Lots) -> None:
    """Lot ``lots.quantity[p, w]`` arrives after ``lots.delay[p, w]`` days (past the
    horizon: never)."""
    quantity, delay = lots.quantity, lots.delay
    for p in range(quantity.shape[0]):
        for w in range(quantity.shape[1]):
            if quantity[p, w]:
                add_lot(ring, day, horizon, p, w, quantity[p, w], delay[p, w])


class Pipeline:
    """Quantities in transit, by arrival day, for ``paths`` × ``width`` slots.

    ``length`` must exceed the longest delay that can land within the horizon;
    arrivals on or after ``horizon`` are counted as in transit forever and never
    delivered (they are outside the run). The ring and the in-transit totals are
    plain arrays (``ring``, ``in_transit``; ``arrays`` holds both for the kernels).
    """

    def __init__(self, length: int, paths: int, width: int, horizon: int) -> None:
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
        self.arrays = Ring(ring, in_transit)
        self.length = int(ring.shape[1])
        self.horizon = int(horizon)

    def add(self, today: int, delay: int | IntArray, quantity: IntArray) -> None:
        """Add ``quantity`` [P, W] arriving after ``delay`` days (a scalar or [P, W])."""
        if np.ndim(delay) == 0:
            delay = np.full(quantity.shape, int(delay), np.int64)
        delay = np.ascontiguousarray(np.broadcast_to(delay, quantity.shape), dtype=np.int64)
        lots = Lots(np.ascontiguousarray(quantity, dtype=np.int64), delay)
        add_lots(self.arrays, today, self.horizon, lots)

    def pop_into(self, today: int, target: IntArray) -> None:
        """Add what arrives ``today`` to ``target`` [P, W] and take it out of the ring."""
        pop_into(self.arrays, today, target)

    def pop(self, today: int) -> IntArray:
        """Remove and return what arrives ``today`` [P, W]."""
        arrived = np.zeros(self.in_transit.shape, np.int64)
        self.pop_into(today, arrived)
        return arrived
